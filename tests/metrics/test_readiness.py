"""Definition of Ready: the checks per item and the near term's readiness."""

from __future__ import annotations

import pytest

from backlog_health.backlog import backlog_items
from backlog_health.metrics.near_term import near_term
from backlog_health.metrics.figures import frame_figures
from backlog_health.metrics.readiness import readiness_checks, readiness_of
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
    rules = Rules(near_term_mode="count", near_term_count=3)
    result = readiness_of(frame_figures(snap.items, rules, links=snap.links, velocity=6.0), rules)
    assert (result.ready, result.total) == (1, 3) and result.ratio == pytest.approx(1 / 3)
    assert result.failing == {
        "described": 1, "acceptance_criteria": 0, "estimated": 0, "assigned": 1, "sized": 1, "unblocked": 1,
    }
    # Only A is ready from the top (B is not): 3 points / velocity 6.
    assert result.ready_points_ahead == 3.0 and result.ready_sprints_ahead == pytest.approx(0.5)
    assert readiness_of(frame_figures(snap.items, rules, links=snap.links), rules).ready_sprints_ahead is None


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


# --- ready work ahead: consecutive ready items from the top -------------------------------

READY = {"description_text": f"Acceptance criteria: {TEN_WORDS}", "assignee": "Ann"}


def _ahead(rows: list[dict], velocity: float | None = None, rules: Rules = Rules(near_term_count=2)):
    snap = snapshot(rows)
    return readiness_of(frame_figures(snap.items, rules, links=snap.links, velocity=velocity), rules)


def test_ready_points_ahead_stop_at_the_first_item_not_ready():
    rows = [
        {"key": "A", "story_points": 3, **READY},
        {"key": "B", "story_points": 2, **READY},
        {"key": "C", "story_points": 5},  # not described, not assigned: not ready
        {"key": "D", "story_points": 8, **READY},  # ready, but below a gap: not ahead
    ]
    result = _ahead(rows, velocity=4.0)
    assert result.ready_points_ahead == 5.0  # A + B
    assert result.ready_sprints_ahead == pytest.approx(1.25)  # 5 / 4


def test_ready_points_ahead_are_zero_when_the_top_item_is_not_ready():
    rows = [{"key": "A", "story_points": 3}, {"key": "B", "story_points": 5, **READY}]
    result = _ahead(rows, velocity=4.0)
    assert result.ready_points_ahead == 0.0 and result.ready_sprints_ahead == 0.0


def test_an_unestimated_ready_item_counts_as_the_median_estimate():
    rows = [
        {"key": "A", "story_points": 1, **READY},
        # Estimated in hours, not points: ready, and counts as the median points, 3.
        {"key": "B", "original_estimate_seconds": 7200, **READY},
        {"key": "C", "story_points": 5, **READY},
        {"key": "D", "story_points": 3},  # not ready: the run stops here
        {"key": "E", "story_points": 8, **READY},
    ]
    # Median of the estimated backlog items' points 1, 5, 3, 8 = 4.
    result = _ahead(rows, velocity=5.0)
    assert result.ready_points_ahead == 10.0  # 1 + 4 + 5
    assert result.ready_sprints_ahead == pytest.approx(2.0)


def test_without_the_estimated_check_an_unestimated_item_counts_as_the_median():
    rules = Rules(near_term_count=2, estimated=False)
    rows = [{"key": "A", **READY}, {"key": "B", "story_points": 2, **READY}, {"key": "C", "story_points": 6}]
    # Median of 2 and 6 = 4: A counts 4, B 2; C is not ready (not described).
    assert _ahead(rows, rules=rules).ready_points_ahead == 6.0
    # No estimate at all: the median is unknown and an unestimated item counts 0.
    bare = [{"key": "A", **READY}, {"key": "B", **READY}]
    result = _ahead(bare, velocity=3.0, rules=rules)
    assert result.ready_points_ahead == 0.0 and result.ready_sprints_ahead == 0.0


def test_a_custom_check_on_a_list_field_needs_one_value():
    rows = [
        {"key": "A", "components": ["checkout"]},
        {"key": "B", "components": []},
        {"key": "C", "components": ["checkout", "web"], "custom_fields": {"Team": "  "}},
        {"key": "D", "custom_fields": {"Team": "Blue"}},
    ]
    snap = snapshot(rows)
    rules = Rules(
        described=False, acceptance_criteria=False, estimated=False, assigned=False, sized=False,
        unblocked=False, custom_checks=(CustomCheck("component", field="components"), CustomCheck("team", field="Team")),
    )
    checks = readiness_checks(snap.items, snap.links, rules)
    assert checks["component"].to_dict() == {"A": True, "B": False, "C": True, "D": False}
    assert checks["team"].to_dict() == {"A": False, "B": False, "C": False, "D": True}  # blank is not filled



def test_blocked_by_an_open_item_through_either_side_of_the_link():
    rows = [{"key": k, "story_points": 8, **READY} for k in "ABCD"] + [{"key": "X", "status_category": "Done"}]
    links = [
        ("B", "A", "Blocks", "outward"),  # B blocks A
        ("C", "D", "Blocks", "inward"),  # C is blocked by D
        ("X", "D", "Blocks", "outward"),  # X blocks D, but X is done
        ("A", "D", "Relates", "outward"),
    ]
    snap = snapshot(rows, links)
    checks = readiness_checks(snap.items, snap.links, Rules())
    assert checks["unblocked"].to_dict() == {"A": False, "B": True, "C": False, "D": True}
    assert checks["sized"].all()  # 8 points is the largest size that fits


def test_acceptance_criteria_fields_must_be_filled():
    rows = [
        {"key": "A", "custom_fields": {"Team": "Blue"}},  # other fields only
        {"key": "B", "custom_fields": {"Acceptance Criteria": "  "}},
        {"key": "C", "custom_fields": {"Acceptance Criteria": "pays by card"}},
    ]
    snap = snapshot(rows)
    checks = readiness_checks(snap.items, snap.links, Rules())
    assert checks["acceptance_criteria"].to_dict() == {"A": False, "B": False, "C": True}


def test_a_custom_check_on_a_number_field():
    snap = snapshot([{"key": "A", "story_points": 3.0}, {"key": "B"}])
    rules = Rules(
        described=False, acceptance_criteria=False, estimated=False, assigned=False, sized=False,
        unblocked=False, custom_checks=(CustomCheck("points", field="story_points"),),
    )
    assert readiness_checks(snap.items, snap.links, rules)["points"].to_dict() == {"A": True, "B": False}


def test_a_custom_check_on_a_text_the_figures_do_not_otherwise_read():
    snap = snapshot([{"key": "A", "summary": "Pay by card"}, {"key": "B", "summary": "   "}])
    rules = Rules(custom_checks=(CustomCheck("titled", field="summary"),))
    assert readiness_checks(snap.items, snap.links, rules)["titled"].to_dict() == {"A": True, "B": False}
