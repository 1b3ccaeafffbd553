"""Duplicates: linked pairs in the backlog and the open candidate pairs."""

from __future__ import annotations

import pandas as pd

from backlog_health.metrics.duplicates import known_pairs, linked_duplicates, open_candidates
from tests.builders import snapshot
from tests.builders import items


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


def test_a_candidate_scoring_exactly_the_threshold_is_kept():
    candidates = pd.DataFrame([("A", "B", 0.5), ("A", "C", 0.49)], columns=["key_a", "key_b", "score"])
    none = pd.DataFrame(columns=["key_a", "key_b"])
    kept = open_candidates(candidates, none, None, threshold=0.5)
    assert kept[["key_a", "key_b"]].values.tolist() == [["A", "B"]]


def test_only_duplicate_links_count():
    frame = items([{"key": "A"}, {"key": "B"}, {"key": "C"}])
    links = pd.DataFrame(
        [("A", "C", "Blocks", "outward"), ("B", "C", "Relates", "outward")],
        columns=["from_key", "to_key", "link_type", "direction"],
    )
    assert linked_duplicates(frame, links).empty


def test_confirmed_pairs_are_the_confirmed_decisions_between_backlog_items():
    frame = items([{"key": "A"}, {"key": "B"}, {"key": "C"}, {"key": "D", "status_category": "Done"}])
    decisions = pd.DataFrame(
        [("A", "B", "confirmed"), ("A", "C", "dismissed"), ("B", "D", "confirmed"), ("C", "E", "confirmed")],
        columns=["key_a", "key_b", "decision"],
    )
    chosen = snapshot([{"key": k, **({"status_category": "Done"} if k == "D" else {})} for k in "ABCD"], backlog="B")
    pairs = known_pairs(chosen, decisions)
    assert pairs.values.tolist() == [["A", "B"]] and list(pairs.index) == [0]
    assert known_pairs(chosen, None).empty
