"""The whole per-snapshot report: its JSON shape, and ratios that stay in range."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backlog_health import store
from backlog_health.metrics.report import metrics_history, snapshot_metrics, sprint_boundaries
from backlog_health.model import Snapshot
from backlog_health.rules import Rules
from tests.builders import items, ranked, snapshot


def test_snapshot_metrics_json_shape_and_values():
    previous = snapshot(ranked("ABCDEF", story_points=2), snapshot_id=1, taken_at=datetime(2026, 2, 16))
    current = snapshot(
        [{"key": "A", "status_category": "Done", "story_points": 2}, *ranked("GDBCEF", story_points=2)],
        snapshot_id=2,
    )
    report = snapshot_metrics(current, previous, Rules(near_term_count=3), now=datetime(2026, 3, 4, 9, 0))
    data = report.to_dict()
    assert data["snapshot"] == {"id": 2, "taken_at": "2026-03-02T09:00:00"}
    assert data["previous_snapshot"] == {"id": 1, "taken_at": "2026-02-16T00:00:00"}
    assert data["data_age_days"] == 2.0
    assert data["backlog_items"] == 6
    assert data["near_term"] == {"items": 3, "started": 0, "rule": {"mode": "count", "count": 3}}
    assert data["readiness"]["total"] == 3 and data["readiness"]["ready"] == 0
    assert data["estimate_coverage"] == {"near_term": 1.0, "long_term": 1.0, "all": 1.0}
    assert data["duplicates"] == {"linked": 0, "candidates": 0}
    churn = data["churn"]
    assert churn["rbo"] == pytest.approx(0.855) and churn["top_n_turnover"] == pytest.approx(0.5)
    assert {"rbo", "kendall_tau", "mean_abs_displacement", "entered_top_n", "left_top_n",
            "completed_from_top_n", "top_n_turnover"} <= set(churn)
    assert data["growth"]["added"] == 1 and data["growth"]["finished"] == 1
    first = snapshot_metrics(previous, None, Rules(), now=datetime(2026, 3, 4)).to_dict()
    assert first["churn"] is None and first["previous_snapshot"] is None


def test_data_age_is_rounded_to_two_decimals():
    current = snapshot(ranked("AB"), snapshot_id=1)  # taken 2026-03-02 09:00
    report = snapshot_metrics(current, None, Rules(), now=datetime(2026, 3, 2, 10, 0))
    assert report.to_dict()["data_age_days"] == 0.04  # 1 hour = 0.0417 days


def test_a_history_by_sprint_takes_one_snapshot_per_sprint(demo_db):
    con = store.connect(demo_db, read_only=True)
    try:
        boundaries = sprint_boundaries(con, "CHECKOUT")
        by_sprint = metrics_history(con, "CHECKOUT", Rules(), datetime(2026, 11, 1), by_sprint=True)
        every = metrics_history(con, "CHECKOUT", Rules(), datetime(2026, 11, 1))
        snapshots = list(store.list_snapshots(con, "CHECKOUT").sort_values(["taken_at", "id"])["id"])
    finally:
        con.close()
    assert 1 < len(boundaries) < len(snapshots)
    assert [(p.sprint, p.metrics.snapshot_id) for p in by_sprint] == [(b.sprint, b.snapshot_id) for b in boundaries]
    assert {b.source for b in boundaries} == {"stored"}  # the demo's sprints carry their dates
    assert [(p.sprint, p.metrics.snapshot_id) for p in every] == [(None, i) for i in snapshots]


@pytest.mark.property
@given(st.lists(st.tuples(st.sampled_from([None, 0, 1, 3, 13]), st.booleans()), min_size=0, max_size=30),
       st.integers(1, 10))
def test_coverage_and_readiness_ratios_stay_in_range(rows, count):
    frame = items([{"key": f"K{i}", "story_points": p, "status_category": "Done" if done else "To Do"}
                   for i, (p, done) in enumerate(rows)])
    report = snapshot_metrics(_snap(frame), None, Rules(near_term_count=count), now=datetime(2026, 3, 4))
    for value in (report.coverage.near_term, report.coverage.long_term, report.coverage.all,
                  report.readiness.ratio):
        assert value is None or 0.0 <= value <= 1.0
    assert report.near_term.size == min(count, int((~frame["status_category"].eq("Done")).sum()))


def _snap(frame):
    return Snapshot(backlog="T", taken_at=datetime(2026, 3, 1), source_kind="test", source_name="x", items=frame)
