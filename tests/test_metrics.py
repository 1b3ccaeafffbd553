"""Metric definitions on small inline snapshots with hand-computed answers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backlog_health.metrics.churn import kendall_tau, rank_churn, rbo
from backlog_health.metrics.coverage import estimate_coverage
from backlog_health.metrics.duplicates import linked_duplicates, open_candidates
from backlog_health.backlog import backlog_items
from backlog_health.metrics.growth import growth
from backlog_health.metrics.near_term import near_term
from backlog_health.metrics.readiness import readiness, readiness_checks
from backlog_health.metrics.report import snapshot_metrics
from backlog_health.metrics.velocity import velocity
from backlog_health.model import Snapshot
from backlog_health.rules import CustomCheck, Rules
from tests.builders import items, ranked, snapshot

TEN_WORDS = "one two three four five six seven eight nine ten"


# --- RBO -------------------------------------------------------------------------------

def test_rbo_swapped_top_pair_hand_computed():
    # X = 0, 2, 3 at depths 1..3: (1/9)(0 + 0.81 + 0.729) + 0.729 = 0.9
    assert rbo(["a", "b", "c"], ["b", "a", "c"], 0.9) == pytest.approx(0.9)


def test_rbo_uneven_lists_hand_computed_eq_32():
    # s=2, l=4, X = 1,1,2,2; Xs=1, Xl=2:
    # (1/9)[(0.9 + 0.405 + 0.486 + 0.32805) + (0.1215 + 0.164025)] + (1/4 + 1/2) * 0.6561
    assert rbo(["a", "b"], ["a", "c", "b", "d"], 0.9) == pytest.approx(0.75925)
    assert rbo(["a", "c", "b", "d"], ["a", "b"], 0.9) == pytest.approx(0.75925)


def test_rbo_edges():
    assert rbo(["x"], ["x"]) == 1.0
    assert rbo(["a", "b"], ["c", "d"]) == 0.0
    assert rbo([], ["a"]) is None
    with pytest.raises(ValueError):
        rbo(["a"], ["a"], p=1.0)


permutations = st.lists(st.integers(0, 60), min_size=1, max_size=30, unique=True).flatmap(
    lambda xs: st.tuples(st.just([str(x) for x in xs]), st.permutations([str(x) for x in xs]))
)


@given(permutations, st.floats(0.05, 0.95))
def test_rbo_properties(pair, p):
    a, b = pair
    assert rbo(a, a, p) == pytest.approx(1.0)
    value = rbo(a, b, p)
    assert 0.0 <= value <= 1.0 + 1e-12
    assert value == pytest.approx(rbo(b, a, p))


@given(permutations)
def test_kendall_tau_properties(pair):
    a, b = pair
    if len(a) < 2:
        assert kendall_tau(a, b) is None
        return
    assert kendall_tau(a, a) == pytest.approx(1.0)
    assert kendall_tau(a, list(reversed(a))) == pytest.approx(-1.0)
    assert -1.0 <= kendall_tau(a, b) <= 1.0
    assert kendall_tau(a, b) == pytest.approx(kendall_tau(b, a))


def test_kendall_tau_hand_computed():
    # (a,b) and (c,d) swapped: 4 concordant, 2 discordant of 6 pairs.
    assert kendall_tau(list("abcd"), list("badc")) == pytest.approx(1 / 3)


# --- churn ------------------------------------------------------------------------------

def test_rank_churn_hand_computed():
    previous = items(ranked("ABCDEF"))
    current = items([{"key": "A", "status_category": "Done"}, *ranked("GDBCEF")])
    churn = rank_churn(current, previous, top_n=3, p=0.9)
    assert churn.common_items == 5  # B C D E F
    assert churn.kendall_tau == pytest.approx(0.6)  # 2 of 10 pairs discordant
    assert churn.mean_abs_displacement == pytest.approx(0.8)  # (2 + 1 + 1) / 5
    assert churn.rbo == pytest.approx(0.855)  # X = 0, 1, 3, 4, 5
    assert (churn.entered_top_n, churn.entered_top_n_new, churn.entered_top_n_moved_up) == (2, 1, 1)
    assert churn.left_top_n == 1 and churn.left == ("C",)
    assert churn.completed_from_top_n == 1
    assert churn.removed_from_top_n == 0
    assert churn.top_n_turnover == pytest.approx(0.5)  # C left of B, C still in the backlog
    top = churn.movers[0]
    assert (top.key, top.previous_position, top.position, top.moved_up) == ("D", 4, 2, 2)


def test_unchanged_ranking_has_no_churn():
    same = items(ranked("ABCDE"))
    churn = rank_churn(same, same, top_n=3)
    assert (churn.rbo, churn.kendall_tau, churn.mean_abs_displacement) == (1.0, 1.0, 0.0)
    assert churn.entered_top_n == churn.left_top_n == 0 and churn.top_n_turnover == 0.0
    assert churn.movers == ()


# --- velocity and near term -------------------------------------------------------------

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


# --- readiness ----------------------------------------------------------------------------

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


# --- coverage, duplicates, growth ---------------------------------------------------------

def test_estimate_coverage_hand_computed():
    backlog = backlog_items(items([
        {"key": "A", "story_points": 1}, {"key": "B"}, {"key": "C", "story_points": 0},
        {"key": "D", "original_estimate_seconds": 7200}, {"key": "E", "original_estimate_seconds": 0},
    ]))
    coverage = estimate_coverage(backlog, ("A", "B"))
    assert coverage.near_term == 0.5
    assert coverage.long_term == pytest.approx(2 / 3)
    assert coverage.all == pytest.approx(3 / 5)
    assert estimate_coverage(backlog, tuple("ABCDE")).long_term is None


def test_linked_duplicates_need_both_items_in_the_backlog():
    frame = items([{"key": "A"}, {"key": "B"}, {"key": "C", "status_category": "Done"}])
    links = pd.DataFrame(
        [("A", "B", "Duplicate", "outward"), ("B", "A", "Duplicate", "inward"), ("A", "C", "Duplicate", "outward"),
         ("A", "B", "Blocks", "outward")],
        columns=["from_key", "to_key", "link_type", "direction"],
    )
    assert linked_duplicates(frame, links).values.tolist() == [["A", "B"]]


def test_dismissed_and_linked_pairs_are_not_candidates():
    candidates = pd.DataFrame(
        [("A", "B", 0.9), ("A", "C", 0.8), ("B", "C", 0.6), ("C", "D", 0.3)], columns=["key_a", "key_b", "score"]
    )
    linked = pd.DataFrame([("A", "B")], columns=["key_a", "key_b"])
    decisions = pd.DataFrame([("A", "C", "dismissed")], columns=["key_a", "key_b", "decision"])
    kept = open_candidates(candidates, linked, decisions, threshold=0.5)
    assert kept[["key_a", "key_b"]].values.tolist() == [["B", "C"]]


def test_growth_hand_computed():
    taken = datetime(2026, 3, 1)
    previous = items(ranked("ABCD"))
    current = items([
        {"key": "A", "status_category": "Done"},
        {"key": "B", "created": taken - timedelta(days=10), "updated": taken - timedelta(days=100)},
        {"key": "D", "created": taken - timedelta(days=20), "updated": taken - timedelta(days=10)},
        {"key": "E", "created": taken - timedelta(days=400)},
    ])
    result = growth(current, previous, taken, ("B",), stale_days=90, old_days=365)
    assert (result.backlog_items, result.added, result.finished, result.removed) == (3, 1, 1, 1)
    assert result.median_age_days == pytest.approx(20.0)
    assert result.stale == 2 and set(result.stale_keys) == {"B", "E"}  # E: never updated, created 400 days ago
    assert result.old_long_term == 1 and result.old_long_term_keys == ("E",)
    first = growth(current, None, taken, ("B",))
    assert first.added is None and first.finished is None


# --- the whole report ------------------------------------------------------------------

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
    assert data["near_term"] == {"items": 3, "rule": {"mode": "count", "count": 3}}
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
