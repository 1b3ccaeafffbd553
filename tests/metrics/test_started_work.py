"""Started work is not near term: the near term is the top of the items not yet started."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from backlog_health import api
from backlog_health.backlog import backlog_items
from backlog_health.metrics.near_term import near_term
from backlog_health.metrics.report import snapshot_metrics
from backlog_health.rules import Rules, rules_from_table
from backlog_health.errors import InputError
from tests.builders import items, snapshot

JIRA_CSV = Path(__file__).parents[1] / "fixtures" / "jira-csv"
NOW = datetime(2026, 3, 4, 9, 0)
STARTED = {"status": "In Review", "status_category": "In Progress"}

# A, B under way at the top; C..F not started; G under way below the near term.
ROWS = [
    {"key": "A", **STARTED, "story_points": 5},
    {"key": "B", **STARTED, "story_points": 5},
    {"key": "C", "story_points": 3},
    {"key": "D", **STARTED, "story_points": 2},
    {"key": "E", "story_points": 3},
    {"key": "F", "story_points": 3},
    {"key": "G", **STARTED, "story_points": 1},
]


def test_count_mode_takes_the_top_not_started_items_and_lists_started_work_apart():
    near = near_term(backlog_items(items(ROWS)), Rules(near_term_mode="count", near_term_count=2), None)
    assert near.keys == ("C", "E")
    assert near.started == ("A", "B", "D")  # G ranks below the near term


def test_points_mode_fills_capacity_with_not_started_items_only():
    # capacity 2 sprints x 4 = 8 points: C (3), E (3) reach 6 < 8, F (3) crosses the line.
    near = near_term(backlog_items(items(ROWS)), Rules(near_term_mode="points", near_term_sprints=2), 4.0)
    assert near.mode == "points" and near.keys == ("C", "E", "F")
    assert near.started == ("A", "B", "D")


def test_near_term_n_counts_not_started_items():
    rules = Rules().with_near_term_count(1)
    assert near_term(backlog_items(items(ROWS)), rules, None).keys == ("C",)


def test_include_started_brings_started_work_back():
    rules = rules_from_table({"near_term": {"mode": "count", "count": 2, "include_started": True}})
    near = near_term(backlog_items(items(ROWS)), rules, None)
    assert near.keys == ("A", "B") and near.started == ()


def test_include_started_must_be_a_boolean():
    with pytest.raises(InputError, match='"near_term.include_started" must be true or false'):
        rules_from_table({"near_term": {"include_started": "yes"}})


def test_started_work_is_not_scored_but_still_counts_in_the_backlog():
    # Only A (started) is ready: the near term (C, E) is 0% ready, not 1 of 3.
    rows = [dict(r) for r in ROWS]
    rows[0]["assignee"] = "Ana"
    rules = Rules(near_term_mode="count", near_term_count=2, described=False, acceptance_criteria=False,
                  estimated=False, sized=False, unblocked=False)
    m = snapshot_metrics(snapshot(rows), None, rules, NOW)
    assert m.readiness.total == 2 and m.readiness.ready == 0
    assert m.to_dict()["near_term"]["started"] == 3
    assert m.growth.backlog_items == 7
    assert m.coverage.long_term_items == 1  # F: started work (A, B, D, G) is neither near nor long term
    assert m.coverage.all == 1.0


def test_a_real_export_whose_top_is_in_progress():
    # cloud-es.csv (Jira Cloud, Spanish UI): its seven top-ranked items are "En curso".
    current = api.read_jira_csv(JIRA_CSV / "cloud-es.csv").snapshot
    backlog = backlog_items(current.items)
    assert list(backlog["status_category"][:7]) == ["In Progress"] * 7
    m = snapshot_metrics(current, None, Rules(near_term_mode="count", near_term_count=5), NOW)
    near = backlog.set_index("key").loc[list(m.near_term.keys)]
    assert len(near) == 5 and set(near["status_category"]) == {"To Do"}
    assert m.near_term.started[:7] == tuple(backlog["key"][:7])
    assert m.growth.backlog_items == len(backlog) == 80
    with_started = snapshot_metrics(current, None, Rules(near_term_mode="count", near_term_count=5,
                                                         near_term_include_started=True), NOW)
    assert with_started.near_term.keys == tuple(backlog["key"][:5])


def test_planned_items_are_near_term_unless_started():
    # Y (In Progress) and X (To Do) sit in the active sprint below the top 2.
    rows = [{"key": "A"}, {"key": "B"}, {"key": "C"},
            {"key": "Y", **STARTED, "sprints": ["S1"]}, {"key": "X", "sprints": ["S1"]}]
    sprints = pd.DataFrame({"name": ["S1"], "state": ["active"]})
    near = near_term(backlog_items(items(rows)), Rules(near_term_mode="count", near_term_count=2), None, sprints)
    assert near.keys == ("A", "B", "X") and near.started == ("Y",)
