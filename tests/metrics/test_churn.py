"""Ranking churn: RBO, Kendall's tau and the top-N flow between two snapshots."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backlog_health.metrics.churn import kendall_tau, rank_churn, rbo
from tests.builders import items, ranked


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


@pytest.mark.property
@given(permutations, st.floats(0.05, 0.95))
def test_rbo_properties(pair, p):
    a, b = pair
    assert rbo(a, a, p) == pytest.approx(1.0)
    value = rbo(a, b, p)
    assert 0.0 <= value <= 1.0 + 1e-12
    assert value == pytest.approx(rbo(b, a, p))


@pytest.mark.property
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


def test_rbo_uneven_lists_whose_overlap_grows_at_the_short_lists_end():
    # s=2, l=3, X = 0, 2, 2; Xs = 2 (at depth s, not before it):
    # (1/9)[(0 + 0.81 + (2/3) 0.729) + 2 (1/6) 0.729] + (0/3 + 2/2) 0.729 = 0.171 + 0.729
    assert rbo(["a", "b"], ["b", "a", "c"], 0.9) == pytest.approx(0.9)
    assert rbo(["b", "a", "c"], ["a", "b"], 0.9) == pytest.approx(0.9)


def test_kendall_tau_of_two_items():
    assert kendall_tau(["a", "b"], ["b", "a"]) == -1.0
    assert kendall_tau(["a", "b", "x"], ["a", "b", "y"]) == 1.0  # over the two in both
    assert kendall_tau(["a"], ["a", "b"]) is None


def test_top_n_turnover_with_one_previous_top_item_still_open():
    previous = items(ranked("ABC"))
    # A finished; B is the one previous top-2 item still in the backlog.
    kept = rank_churn(items([{"key": "A", "status_category": "Done"}, *ranked("CB")]), previous, top_n=2)
    assert kept.left == () and kept.top_n_turnover == 0.0
    pushed = rank_churn(items([{"key": "A", "status_category": "Done"}, *ranked("CDB")]), previous, top_n=2)
    assert pushed.left == ("B",) and pushed.top_n_turnover == 1.0
    gone = rank_churn(items([{"key": "A", "status_category": "Done"}, *ranked("C")]), previous, top_n=2)
    assert gone.removed_from_top_n == 1 and gone.top_n_turnover is None  # none still open


def test_rbo_needs_p_strictly_between_zero_and_one():
    for p in (0.0, 1.0, -0.5):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            rbo(["a"], ["a"], p=p)


def test_movers_are_the_biggest_moves_ties_higher_in_the_backlog_first():
    previous = items(ranked("ABCDEFGHIJKLMN"))
    current = items(ranked("NMLKJIHGFEDCBA"))  # reversed: A and N move 13, B and M 11, ...
    churn = rank_churn(current, previous, top_n=3)
    moves = [(m.key, m.previous_position, m.position) for m in churn.movers]
    assert len(moves) == 10  # the default count
    assert moves[:4] == [("N", 14, 1), ("A", 1, 14), ("M", 13, 2), ("B", 2, 13)]
