"""The near term: top N items, or the items that fill sprints x velocity points."""

from __future__ import annotations

import pandas as pd

from backlog_health.backlog import backlog_items
from backlog_health.metrics.near_term import near_term
from backlog_health.rules import Rules
from tests.builders import items, ranked


def test_near_term_points_mode_includes_the_crossing_item():
    backlog = backlog_items(items([{"key": k, "story_points": p} for k, p in
                                   zip("ABCDE", [5, None, 3, 8, 2])]))
    # median estimate 4: 5, 4, 3, 8, 2; cumulative before each: 0, 5, 9, 12, 20; capacity 2 x 7 = 14.
    near = near_term(backlog, Rules(near_term_sprints=2), velocity=7.0)
    assert near.mode == "points" and near.keys == ("A", "B", "C", "D")
    assert near.capacity_points == 14.0


def test_near_term_count_mode_and_auto_fallback():
    backlog = backlog_items(items(ranked("ABCDE", story_points=3)))
    assert near_term(backlog, Rules(near_term_count=2), velocity=None).keys == ("A", "B")
    assert near_term(backlog, Rules(near_term_mode="count", near_term_count=3), velocity=10).keys == ("A", "B", "C")
    assert near_term(backlog, Rules(near_term_mode="points"), velocity=None).mode == "count"


def test_points_mode_with_a_velocity_below_one_point():
    backlog = backlog_items(items(ranked("ABC", story_points=1)))
    near = near_term(backlog, Rules(near_term_sprints=2), velocity=0.5)
    assert near.mode == "points" and near.capacity_points == 1.0 and near.keys == ("A",)
    assert near_term(backlog, Rules(near_term_count=2), velocity=0.0).mode == "count"



PLANNING = [
    {"name": "S1", "state": "closed"}, {"name": "S2", "state": "active"}, {"name": "S3", "state": "future"},
]


def test_items_planned_into_an_open_sprint_join_the_near_term_wherever_they_rank():
    backlog = backlog_items(items([
        {"key": "A"}, {"key": "B"}, {"key": "C", "sprints": ["S2"]},
        {"key": "D", "sprints": ["S2", "S1"]},  # latest sprint closed: not planned
        {"key": "E", "sprints": ["S1", "S3"]},  # latest sprint future: planned
    ]))
    sprints = pd.DataFrame(PLANNING)
    near = near_term(backlog, Rules(near_term_count=2), None, sprints)
    assert near.keys == ("A", "B", "C", "E")
    assert near_term(backlog, Rules(near_term_count=2, near_term_planned=False), None, sprints).keys == ("A", "B")
    assert near_term(backlog, Rules(near_term_count=2), None, None).keys == ("A", "B")
    no_states = pd.DataFrame({"name": ["S1", "S2", "S3"], "state": [None, None, None]})
    assert near_term(backlog, Rules(near_term_count=2), None, no_states).keys == ("A", "B")
