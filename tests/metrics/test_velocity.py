"""Velocity: mean completed points of the last closed sprints."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backlog_health.metrics.velocity import velocity
from tests.builders import ranked, snapshot

SPRINTS = [
    {"name": f"S{i}", "state": "closed", "start_date": datetime(2026, 1, 1) + timedelta(days=14 * (i - 1)),
     "complete_date": datetime(2026, 1, 14) + timedelta(days=14 * (i - 1))}
    for i in range(1, 5)
] + [{"name": "S5", "state": "active", "start_date": datetime(2026, 2, 26)}]


DONE_WORK = [
    {"key": "a", "status_category": "Done", "sprints": ["S1"], "story_points": 5, "resolved": datetime(2026, 1, 10)},
    {"key": "b", "status_category": "Done", "sprints": ["S1", "S2"], "story_points": 3,
     "resolved": datetime(2026, 1, 25)},
    {"key": "c", "status_category": "Done", "sprints": ["S2"], "story_points": 2, "resolved": datetime(2026, 1, 26)},
    {"key": "d", "status_category": "Done", "sprints": ["S3"], "story_points": 8, "resolved": datetime(2026, 2, 9)},
    {"key": "e", "status_category": "Done", "sprints": ["S4"], "story_points": 5, "resolved": datetime(2026, 2, 20)},
    {"key": "f", "status_category": "Done", "sprints": ["S4"], "story_points": 3, "resolved": datetime(2026, 2, 21)},
    {"key": "g", "status_category": "Done", "sprints": ["S5"], "story_points": 2, "resolved": datetime(2026, 2, 27)},
    {"key": "h", "status_category": "Done", "sprints": ["S4"], "story_points": 13, "is_subtask": True,
     "parent_key": "f", "resolved": datetime(2026, 2, 21)},
    {"key": "open", "sprints": ["S5"], "story_points": 1},
]


def test_velocity_from_closed_sprints():
    snap = snapshot(DONE_WORK, sprints=SPRINTS)
    speed = velocity(snap.items, snap.sprints, 3)
    # Last three closed sprints S2, S3, S4: 3+2, 8, 5+3 (the sub-task's 13 not counted).
    assert speed.sprints == ("S2", "S3", "S4")
    assert speed.sprint_points == (5.0, 8.0, 8.0)
    assert speed.points == pytest.approx(7.0)


def test_velocity_without_sprint_states_skips_the_running_sprint():
    snap = snapshot(DONE_WORK)
    speed = velocity(snap.items, snap.sprints, 3)
    assert speed.sprints == ("S2", "S3", "S4") and speed.points == pytest.approx(7.0)


def test_velocity_unknown_without_sprints():
    snap = snapshot(ranked("ABC", story_points=3))
    assert velocity(snap.items, snap.sprints, 3).points is None


def test_done_epics_in_a_sprint_are_not_counted():
    epic = {"key": "epic", "status_category": "Done", "is_epic": True, "issue_type": "Epic", "sprints": ["S4"],
            "story_points": 20, "resolved": datetime(2026, 2, 21)}
    snap = snapshot([*DONE_WORK, epic], sprints=SPRINTS)
    assert velocity(snap.items, snap.sprints, 3).sprint_points == (5.0, 8.0, 8.0)


def test_without_sprint_states_sprints_are_ordered_by_their_latest_resolution():
    # The same work listed newest first: the file order must not decide which sprints are the last.
    snap = snapshot(list(reversed(DONE_WORK)))
    speed = velocity(snap.items, snap.sprints, 2)
    assert speed.sprints == ("S3", "S4") and speed.sprint_points == (8.0, 8.0)



def test_unestimated_work_and_empty_sprints_count_zero_points():
    sprints = SPRINTS + [{"name": "S0", "state": "closed", "complete_date": datetime(2026, 2, 27)}]
    work = [*DONE_WORK, {"key": "x", "status_category": "Done", "sprints": ["S4"], "resolved": datetime(2026, 2, 22)}]
    snap = snapshot(work, sprints=sprints)
    speed = velocity(snap.items, snap.sprints, 3)
    # S0 closed last, with nothing finished in it; x in S4 has no estimate.
    assert speed.sprints == ("S3", "S4", "S0") and speed.sprint_points == (8.0, 8.0, 0.0)
    assert velocity(snap.items, snap.sprints, 0).points is None
