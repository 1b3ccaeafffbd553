"""Definition of Ready: the checks per item and the near term's readiness."""

from __future__ import annotations

import pytest

from backlog_health.metrics.frames import backlog_items
from backlog_health.metrics.near_term import near_term
from backlog_health.metrics.readiness import readiness, readiness_checks
from backlog_health.rules import CustomCheck, Rules
from tests.builders import snapshot

TEN_WORDS = "one two three four five six seven eight nine ten"


READINESS_ROWS = [
    {"key": "A", "description_text": f"Acceptance criteria: {TEN_WORDS}", "story_points": 3, "assignee": "Ann"},
    {"key": "B", "description_text": "Given a cart when I pay then", "story_points": 13},
    {"key": "C", "description_text": f"Checkout\nAC: {TEN_WORDS}", "original_estimate_seconds": 3600,
     "assignee": "Bob"},
    {"key": "D", "description_text": TEN_WORDS, "story_points": 13, "assignee": "Cy"},
    {"key": "D-1", "is_subtask": True, "parent_key": "D"},
    {"key": "E", "status_category": "Done"},
    {"key": "F", "description_text": TEN_WORDS, "assignee": "Di", "story_points": 0,
     "custom_fields": {"Acceptance Criteria": "works"}, "labels": ["ux-ready"]},
]


READINESS_LINKS = [
    ("C", "D", "Blocks", "inward"),  # C is blocked by D (open)
    ("E", "A", "Blocks", "outward"),  # E blocks A, but E is done
]


def test_readiness_checks_hand_computed():
    snap = snapshot(READINESS_ROWS, READINESS_LINKS)
    checks = readiness_checks(snap.items, snap.links, Rules())
    assert list(checks.index) == ["A", "B", "C", "D", "F"]
    assert checks.loc["A"].all()
    assert dict(checks.loc["B"]) == {
        "described": False, "acceptance_criteria": True, "estimated": True, "assigned": False,
        "sized": False, "unblocked": True, "ready": False,
    }
    assert not checks.loc["C", "unblocked"] and checks.loc["C", "acceptance_criteria"]
    assert checks.loc["C", "estimated"] and checks.loc["C", "sized"]  # unestimated points: not judged
    assert checks.loc["D", "sized"]  # 13 points but split into sub-tasks
    assert not checks.loc["D", "acceptance_criteria"]
    assert checks.loc["F", "ready"]  # 0 points counts as estimated; AC from the mapped field


def test_readiness_of_the_near_term_hand_computed():
    snap = snapshot(READINESS_ROWS, READINESS_LINKS)
    rules = Rules(near_term_count=3)
    backlog = backlog_items(snap.items)
    checks = readiness_checks(snap.items, snap.links, rules)
    near = near_term(backlog, rules, None)
    result = readiness(checks, backlog, near, 6.0, rules)
    assert (result.ready, result.total) == (1, 3) and result.ratio == pytest.approx(1 / 3)
    assert result.failing == {
        "described": 1, "acceptance_criteria": 0, "estimated": 0, "assigned": 1, "sized": 1, "unblocked": 1,
    }
    # Only A is ready from the top (B is not): 3 points / velocity 6.
    assert result.ready_points_ahead == 3.0 and result.ready_sprints_ahead == pytest.approx(0.5)
    assert readiness(checks, backlog, near, None, rules).ready_sprints_ahead is None


def test_checks_can_be_switched_off_and_custom_checks_added():
    snap = snapshot(READINESS_ROWS, READINESS_LINKS)
    rules = Rules(
        described=False, assigned=False, sized=False, unblocked=False,
        custom_checks=(CustomCheck("ux", label="ux-ready"), CustomCheck("team", field="Team")),
    )
    checks = readiness_checks(snap.items, snap.links, rules)
    assert list(checks.columns) == ["acceptance_criteria", "estimated", "ux", "team", "ready"]
    assert checks.loc["F", "ux"] and not checks.loc["A", "ux"]
    assert not checks["team"].any() and not checks["ready"].any()
