"""Duplicates: linked pairs still open, and candidate pairs found by text similarity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from backlog_health.metrics.figures import frame_figures, snapshot_figures
from backlog_health.model import Snapshot
from backlog_health.rules import Rules

PAIR_COLUMNS = ["key_a", "key_b"]


def linked_duplicates(items: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Pairs joined by a Duplicate link where both items are still backlog items
    (each unordered pair once, key_a < key_b), as figures.sql finds them."""
    return frame_figures(items, Rules(), links=links, steps=("known_duplicates",)).known_duplicates


def known_pairs(snapshot: Snapshot, decisions: pd.DataFrame | None) -> pd.DataFrame:
    """Pairs linked or confirmed as duplicates whose items are both still backlog items."""
    return snapshot_figures(snapshot, Rules(), decisions).known_duplicates


def open_candidates(
    candidates: pd.DataFrame,
    linked: pd.DataFrame,
    decisions: pd.DataFrame | None,
    threshold: float,
) -> pd.DataFrame:
    """Candidate pairs at or above `threshold`, minus pairs already linked and pairs a
    person dismissed or confirmed (confirmed ones are reported with the linked)."""
    keep = (candidates["score"] >= threshold).to_numpy(dtype=bool)
    known = set(zip(*(linked[name].tolist() for name in PAIR_COLUMNS)))
    if decisions is not None and not decisions.empty:
        known |= set(zip(*(decisions[name].tolist() for name in PAIR_COLUMNS)))
    if known:
        pairs = zip(*(candidates[name].tolist() for name in PAIR_COLUMNS))
        keep = keep & np.fromiter((pair not in known for pair in pairs), dtype=bool, count=len(candidates))
    return candidates[keep].reset_index(drop=True)


def duplicate_pairs(
    known: pd.DataFrame,
    decisions: pd.DataFrame | None,
    found: pd.DataFrame,
    threshold: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(known, candidates): the pairs linked or confirmed as duplicates that are still open
    (figures.sql's `known_duplicates`), and the candidate pairs in `found` at or above
    `threshold` that nobody has linked, confirmed or dismissed yet."""
    return known, open_candidates(found, known, decisions, threshold)
