"""Sprint-retro metrics on small inline snapshots with hand-computed answers."""

from __future__ import annotations

import itertools
from datetime import datetime

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backlog_health.metrics.retro import (
    _longest_increasing,
    planning_readiness,
    refinement_changes,
)
from backlog_health.rules import Rules
from tests.builders import snapshot

TEN_WORDS = "one two three four five six seven eight nine ten"
READY = {"description_text": TEN_WORDS + " acceptance criteria", "story_points": 3.0, "assignee": "Ann"}
P_TIME = datetime(2026, 3, 2, 9, 0)
S_TIME = datetime(2026, 3, 16, 9, 0)
RULES = Rules(near_term_mode="count", near_term_count=2)


def keys(frame: pd.DataFrame) -> list[str]:
    return list(frame["key"])


def test_became_ready_and_stopped_being_ready_hand_computed():
    # A: not ready -> ready (gets an assignee). B: ready -> not ready (loses its estimate).
    # C: ready in both. D: only in S (an arrival is growth, not refinement).
    before = snapshot(
        [{"key": "A", **READY, "assignee": None}, {"key": "B", **READY}, {"key": "C", **READY}],
        taken_at=P_TIME,
    )
    after = snapshot(
        [{"key": "A", **READY}, {"key": "B", **READY, "story_points": None}, {"key": "C", **READY},
         {"key": "D", **READY}],
        taken_at=S_TIME,
    )
    changes = refinement_changes(after, before, RULES)
    assert keys(changes.became_ready) == ["A"]
    assert changes.became_ready.loc[0, "near_term"]  # top 2 in count mode
    assert keys(changes.stopped_being_ready) == ["B"]
    assert changes.stopped_being_ready.loc[0, "failing"] == "estimated"
    assert (changes.stopped_being_ready.loc[0, "position"], changes.stopped_being_ready.loc[0, "previous_position"]) == (2, 2)


def test_re_estimated_kinds():
    before = snapshot(
        [{"key": "A", "story_points": 3.0}, {"key": "B"}, {"key": "C", "story_points": 5.0},
         {"key": "D", "story_points": 2.0}, {"key": "E", "original_estimate_seconds": 3600}],
        taken_at=P_TIME,
    )
    after = snapshot(
        [{"key": "A", "story_points": 5.0}, {"key": "B", "story_points": 1.0}, {"key": "C"},
         {"key": "D", "story_points": 2.0}, {"key": "E", "original_estimate_seconds": 7200}],
        taken_at=S_TIME,
    )
    changed = refinement_changes(after, before, RULES).re_estimated.set_index("key")
    assert list(changed.index) == ["A", "B", "C", "E"]
    assert changed.loc["A", "change"] == "re-estimated"
    assert (changed.loc["A", "previous_points"], changed.loc["A", "points"]) == (3.0, 5.0)
    assert changed.loc["B", "change"] == "estimated"
    assert changed.loc["C", "change"] == "estimate removed"
    assert changed.loc["E", "change"] == "re-estimated"
    assert changed.loc["E", "original_estimate_seconds"] == 7200.0


def test_re_ranked_is_the_item_that_was_dragged_not_the_ones_it_pushed():
    # E dragged from the bottom to the top: A-D shift down by one but keep their order.
    before = snapshot([{"key": k} for k in "ABCDE"], taken_at=P_TIME)
    after = snapshot([{"key": k} for k in "EABCD"], taken_at=S_TIME)
    moved = refinement_changes(after, before, RULES).re_ranked
    assert keys(moved) == ["E"]
    assert moved.loc[0, ["previous_position", "position", "moved_up"]].tolist() == [5, 1, 4]


def test_re_ranked_ignores_finished_items_and_arrivals():
    before = snapshot([{"key": k} for k in "ABCD"], taken_at=P_TIME)
    after = snapshot([{"key": "A", "status_category": "Done"}, {"key": "X"}, {"key": "B"}, {"key": "C"}, {"key": "D"}],
                     taken_at=S_TIME)
    assert refinement_changes(after, before, RULES).re_ranked.empty


def test_new_duplicates_linked_and_candidates():
    before = snapshot([{"key": k} for k in "ABCD"], links=[("A", "B", "Duplicate", "outward")], taken_at=P_TIME)
    after = snapshot(
        [{"key": k} for k in "ABCD"],
        links=[("A", "B", "Duplicate", "outward"), ("D", "C", "Duplicate", "outward")],
        taken_at=S_TIME,
    )
    previous = pd.DataFrame({"key_a": ["A"], "key_b": ["C"], "score": [0.7]})
    current = pd.DataFrame({"key_a": ["A", "B"], "key_b": ["C", "D"], "score": [0.7, 0.5]})
    new = refinement_changes(after, before, RULES, current_candidates=current, previous_candidates=previous).new_duplicates
    assert new[["key_a", "key_b", "kind"]].values.tolist() == [["C", "D", "linked"], ["B", "D", "candidate"]]
    assert new.loc[1, "score"] == 0.5


def test_newly_stale_hand_computed():
    # stale_days=90: S is taken 2026-03-16, so untouched since before 2025-12-16 is stale in S;
    # P (2026-03-02) counts untouched since before 2025-12-02.
    rules = Rules(stale_days=90)
    rows = [
        {"key": "A", "updated": datetime(2025, 11, 1)},  # stale in both: not new
        {"key": "B", "updated": datetime(2025, 12, 10)},  # fresh in P, stale in S: new
        {"key": "C", "updated": datetime(2026, 1, 5)},  # fresh in both
        {"key": "D", "created": datetime(2025, 12, 5)},  # no update time: counts its creation
    ]
    before = snapshot(rows, taken_at=P_TIME)
    after = snapshot(rows, taken_at=S_TIME)
    stale = refinement_changes(after, before, rules).newly_stale
    assert keys(stale) == ["B", "D"]
    assert stale.loc[0, "idle_days"] == 96.4  # 2025-12-10 00:00 to 2026-03-16 09:00


def test_planning_readiness_judges_each_item_as_it_stood_at_planning():
    planning = snapshot([{"key": "A", **READY}, {"key": "B", **READY, "assignee": None}, {"key": "C", **READY}],
                        taken_at=P_TIME)
    later = snapshot(
        [
            {"key": "A", **READY, "sprints": ["S1", "S2"], "status_category": "Done"},  # spilled into S2, done
            {"key": "B", **READY, "sprints": ["S2"]},  # fixed after planning: still not ready then
            {"key": "C", **READY, "sprints": ["S3"]},  # another sprint
            {"key": "N", **READY, "sprints": ["S2"]},  # created after planning
            {"key": "T", "sprints": ["S2"], "is_subtask": True, "parent_key": "B"},  # sub-tasks are left out
        ],
        taken_at=S_TIME,
    )
    result = planning_readiness(planning, later, "S2", RULES)
    table = result.items.set_index("key")
    assert list(table.index) == ["A", "B", "N"]
    assert table["ready_at_planning"].tolist() == [True, False, False]
    assert table.loc["B", "failing"] == "assigned"
    assert not table.loc["N", "in_backlog_at_planning"]
    assert (result.ready, result.total) == (1, 3)
    assert result.ratio == 1 / 3


def test_planning_readiness_of_an_empty_sprint():
    plan = snapshot([{"key": "A"}], taken_at=P_TIME)
    result = planning_readiness(plan, plan, "nothing", RULES)
    assert (result.ready, result.total, result.ratio) == (0, 0, None)


@pytest.mark.property
@given(st.lists(st.integers(0, 50), max_size=40))
def test_longest_increasing_subsequence_is_increasing_and_longest(values):
    chosen = sorted(_longest_increasing(values))
    picked = [values[i] for i in chosen]
    assert all(a < b for a, b in itertools.pairwise(picked))
    # O(n^2) reference length
    best = [1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i]:
                best[i] = max(best[i], best[j] + 1)
    assert len(chosen) == (max(best) if values else 0)


@pytest.mark.property
@given(st.permutations(list("ABCDEFGH")))
def test_re_ranked_explains_the_new_order(order):
    before = snapshot([{"key": k} for k in "ABCDEFGH"], taken_at=P_TIME)
    after = snapshot([{"key": k} for k in order], taken_at=S_TIME)
    moved = set(refinement_changes(after, before, RULES).re_ranked["key"])
    unmoved = [k for k in order if k not in moved]
    assert unmoved == sorted(unmoved)  # the rest kept their old relative order
    if list(order) == list("ABCDEFGH"):
        assert not moved
