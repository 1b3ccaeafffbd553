"""The near term: top N items, or the items that fill sprints x velocity points."""

from __future__ import annotations

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
