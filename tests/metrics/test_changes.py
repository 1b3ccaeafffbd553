"""A history's churn and growth, measured for every step in one query (snapshot_changes.sql):
exactly the values the per-snapshot functions give on the snapshots' frames."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backlog_health import store
from backlog_health.metrics.changes import Step, snapshot_changes
from backlog_health.metrics.churn import churn_of_changes, rank_churn
from backlog_health.metrics.growth import flows_of, flows_of_changes
from backlog_health.metrics.report import metrics_history, stored_metrics
from backlog_health.model import ITEM_SCHEMA, Snapshot, to_arrow
from backlog_health.rules import Rules
from tests.builders import ranked, snapshot

TAKEN = datetime(2026, 3, 2, 9, 0)


def measured(steps: list[tuple[Snapshot, int]]) -> pa.Table:
    """snapshot_changes of (snapshot, top N) steps, each against the one before, on an
    in-memory database holding just their rows."""
    rows = [to_arrow(s.items, ITEM_SCHEMA).add_column(0, "snapshot_id", pa.array([i] * len(s.items), pa.int32()))
            for i, (s, _) in enumerate(steps, start=1)]
    con = duckdb.connect()
    try:
        con.register("items", pa.concat_tables(rows))
        con.register("snapshots", pd.DataFrame({"id": range(1, len(steps) + 1), "taken_at": [s.taken_at for s, _ in steps]}))
        return snapshot_changes(con, [Step(i, i - 1 or None, top_n) for i, (_, top_n) in enumerate(steps, start=1)])
    finally:
        con.close()


def test_one_step_hand_computed():
    previous = snapshot(ranked("ABCDEF"), taken_at=TAKEN - timedelta(days=14))
    current = snapshot([{"key": "A", "status_category": "Done"}, *ranked("GDBCEF")])
    changes = measured([(previous, 3), (current, 3)])
    first, churn = churn_of_changes(changes, 0.9)
    assert first is None  # nothing before the first step
    assert churn.common_items == 5 and churn.kendall_tau == pytest.approx(0.6)
    assert churn.rbo == pytest.approx(0.855) and churn.mean_abs_displacement == pytest.approx(0.8)
    assert churn.entered == ("G", "D") and churn.left == ("C",) and churn.completed_from_top_n == 1
    assert (churn.movers[0].key, churn.movers[0].previous_position, churn.movers[0].position) == ("D", 4, 2)
    before, after = flows_of_changes(changes)
    assert (before.added, after.added, after.finished, after.removed) == (None, 1, 1, 0)


keys = st.lists(st.sampled_from("ABCDEFGHIJKL"), unique=True, min_size=1, max_size=12)  # (an empty frame has no key type)
statuses = st.sampled_from(["To Do", "In Progress", "Done", "subtask"])
ages = st.one_of(st.none(), st.integers(-3 * 86_400_000_000, 900 * 86_400_000_000))


@st.composite
def snapshots(draw, taken_at: datetime) -> Snapshot:
    rows = []
    for key in draw(keys):
        status = draw(statuses)
        age = draw(ages)
        rows.append({
            "key": key,
            "status_category": "To Do" if status == "subtask" else status,
            "is_subtask": status == "subtask",
            "created": None if age is None else taken_at - timedelta(microseconds=age),
        })
    return snapshot(rows, taken_at=taken_at)


@pytest.mark.property
@given(snapshots(TAKEN - timedelta(days=7)), snapshots(TAKEN), st.integers(0, 6), st.floats(0.05, 0.95))
def test_a_step_measured_in_one_query_equals_the_frames_own(previous, current, top_n, p):
    changes = measured([(previous, 0), (current, top_n)])
    assert churn_of_changes(changes, p)[1] == rank_churn(current.items, previous.items, top_n, p)
    assert flows_of_changes(changes) == [
        flows_of(previous.items, None, previous.taken_at),
        flows_of(current.items, previous.items, current.taken_at),
    ]


@pytest.mark.parametrize("rules", [Rules(), Rules(near_term_mode="count", near_term_count=5, rbo_p=0.8)])
@pytest.mark.parametrize("by_sprint", [False, True])
def test_the_history_equals_each_snapshots_metrics(demo_db, rules, by_sprint):
    now = datetime(2026, 11, 1)
    with store.connect(demo_db, read_only=True) as con:
        history = metrics_history(con, "CHECKOUT", rules, now, by_sprint=by_sprint)
        alone = [
            stored_metrics(con, point.metrics.snapshot_id, rules, now, previous_id=point.metrics.previous_id)
            for point in history
        ]
    assert len(history) > 2 and any(m.churn is not None and m.churn.movers for m in alone)
    for point, metrics in zip(history, alone):
        assert point.metrics.churn == metrics.churn
        assert point.metrics.growth == metrics.growth
        assert point.metrics.to_dict() == metrics.to_dict()
        pd.testing.assert_frame_equal(point.metrics.candidate_duplicates, metrics.candidate_duplicates)


def test_a_snapshot_stored_without_a_scan_has_its_candidates_found_on_use(tmp_path):
    texts = {"summary": "Export the monthly invoice report as PDF", "description_text": "As finance I want a PDF."}
    rows = [{"key": "A", **texts}, {"key": "B", **texts}, {"key": "C", "summary": "Unrelated login bug"}]
    asked: list[list[str]] = []

    def find(keys, summaries, descriptions, threshold):
        asked.append(keys)
        return pd.DataFrame({"key_a": ["A"], "key_b": ["B"], "score": [0.99]})

    with store.connect(tmp_path / "s.duckdb") as con:
        store.write_snapshot(con, snapshot(rows, taken_at=TAKEN - timedelta(days=7)))
        store.write_snapshot(con, snapshot(rows[::-1], taken_at=TAKEN), scan_duplicates=False)
        history = metrics_history(con, "T", Rules(), TAKEN, find_candidates=find)
    assert asked == [["C", "B", "A"]]  # only the unscanned snapshot's backlog, in rank order
    assert [len(p.metrics.candidate_duplicates) for p in history] == [1, 1]
    assert history[1].metrics.churn.kendall_tau == -1.0
