"""Which rows are the backlog, and their order."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backlog_health.backlog import assign_rank_positions


def frame(rows: list[dict]) -> pd.DataFrame:
    base = {"status_category": "To Do", "is_subtask": False, "is_epic": False, "rank": None}
    return pd.DataFrame([{**base, **row, "row_number": i + 1, "key": f"K-{i + 1}"} for i, row in enumerate(rows)])


def test_done_subtasks_and_epics_are_not_backlog_items():
    items = assign_rank_positions(
        frame(
            [
                {"rank": "0|b"},
                {"rank": "0|a", "status_category": "Done"},
                {"rank": "0|c", "is_subtask": True},
                {"rank": "0|d", "is_epic": True},
                {"rank": "0|a", "status_category": "In Progress"},
            ]
        )
    )
    assert list(items["is_backlog"]) == [True, False, False, False, True]
    assert list(items["rank_position"].astype("object")) == [2, pd.NA, pd.NA, pd.NA, 1]


def test_lexorank_compares_as_string_and_unranked_follow_in_file_order():
    ranks = ["0|i0000e:od", None, "0|i0000e:n", "0|hzzzyj:", None, "1|a"]
    items = assign_rank_positions(frame([{"rank": r} for r in ranks]))
    order = items.sort_values("rank_position")["key"].tolist()
    assert order == ["K-4", "K-3", "K-1", "K-6", "K-2", "K-5"]


def test_numeric_rank_compares_as_number():
    items = assign_rank_positions(frame([{"rank": r} for r in ["10", "9", None, "1.5"]]), numeric_rank=True)
    assert items.sort_values("rank_position")["key"].tolist() == ["K-4", "K-2", "K-1", "K-3"]


rows = st.lists(
    st.fixed_dictionaries(
        {
            "rank": st.one_of(st.none(), st.text(alphabet="0|abchiz:", min_size=1, max_size=8)),
            "status_category": st.sampled_from(["To Do", "In Progress", "Done"]),
            "is_subtask": st.booleans(),
            "is_epic": st.booleans(),
        }
    ),
    min_size=1,
    max_size=40,
)


@pytest.mark.property
@given(rows)
def test_rank_positions_are_one_to_n_in_rank_order(data):
    items = assign_rank_positions(frame(data))
    backlog = items[items["is_backlog"]].sort_values("rank_position")
    assert list(backlog["rank_position"]) == list(range(1, len(backlog) + 1))
    ranked = backlog[backlog["rank"].notna()]
    assert list(ranked["rank"]) == sorted(ranked["rank"])
    unranked = backlog[backlog["rank"].isna()]
    assert list(unranked["row_number"]) == sorted(unranked["row_number"])
    if len(ranked) and len(unranked):
        assert ranked["rank_position"].max() < unranked["rank_position"].min()
    assert items.loc[~items["is_backlog"], "rank_position"].isna().all()
