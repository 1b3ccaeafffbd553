"""Headline changes explained by the items behind them: inline rows, hand-computed sentences."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from backlog_health.metrics.explain import ready_share_change, ready_sprints_reason
from backlog_health.metrics.report import snapshot_metrics
from backlog_health.rules import Rules
from tests.builders import snapshot

NOW = datetime(2026, 3, 2, 9, 0)
READY = {
    "description_text": "Acceptance criteria: one two three four five six seven eight nine ten",
    "story_points": 3, "assignee": "Ann",
}
RULES = Rules(near_term_mode="count", near_term_count=3, near_term_planned=False)


def metrics_pair():
    before = snapshot([{"key": k, **READY} for k in "ABCDE"], snapshot_id=1)
    now_rows = [
        {"key": "A", **READY},
        {"key": "E", **READY, "assignee": None},  # entered from 5 to 2, unassigned
        {"key": "B", **READY, "story_points": None},  # estimate removed
        {"key": "C", **READY},  # left the near term, still ready
        {"key": "D", **READY},
    ]
    now = snapshot(now_rows, snapshot_id=2)
    return (snapshot_metrics(now, before, RULES, NOW), snapshot_metrics(before, None, RULES, NOW))


def test_ready_share_change_names_the_items_behind_it():
    now, before = metrics_pair()
    assert (before.readiness.ratio, now.readiness.ratio) == (1.0, 1 / 3)
    assert ready_share_change(now, before) == (
        "ready share -67 pp: E (5 -> 2) entered the near term not ready; B (estimate removed) stopped being "
        "ready; C left the near term ready (finished, started or ranked lower)"
    )


def test_no_previous_or_no_change_explains_nothing():
    now, before = metrics_pair()
    assert ready_share_change(now, None) is None
    assert ready_share_change(before, before) is None


def test_ready_sprints_names_where_counting_stops():
    now, _ = metrics_pair()
    now = replace(now, readiness=replace(now.readiness, ready_sprints_ahead=0.5))
    assert ready_sprints_reason(now) == "ready sprints ahead 0.5: counting stops at rank 2 E, not ready (unassigned)"
    reasons = {"E": ("blocked by X (In Progress)",)}
    assert ready_sprints_reason(now, reasons).endswith("rank 2 E, not ready (blocked by X (In Progress))")
    assert ready_sprints_reason(replace(now, readiness=replace(now.readiness, ready_sprints_ahead=None))) is None
