"""Duplicates: linked pairs still open, and candidate pairs found by text similarity."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from backlog_health.rules import Rules

if TYPE_CHECKING:  # pandas only for the frame functions: `metrics --json` starts without it
    import pandas as pd

    from backlog_health.model import Snapshot

PAIR_COLUMNS = ["key_a", "key_b"]


def linked_duplicates(items: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Pairs joined by a Duplicate link where both items are still backlog items
    (each unordered pair once, key_a < key_b), as figures.sql finds them."""
    from backlog_health.metrics.figures import frame_figures

    return frame_figures(items, Rules(), links=links, steps=("known_duplicates",)).known_duplicates


def known_pairs(snapshot: Snapshot, decisions: pd.DataFrame | None) -> pd.DataFrame:
    """Pairs linked or confirmed as duplicates whose items are both still backlog items."""
    from backlog_health.metrics.figures import snapshot_figures

    return snapshot_figures(snapshot, Rules(), decisions).known_duplicates


def settled_pairs(linked: Iterable[Sequence[str]], decided: Iterable[Sequence[str]]) -> set[tuple[str, str]]:
    """The pairs (key_a, key_b) nobody needs to look at again: linked or confirmed as
    duplicates (`linked`), or decided either way (`decided`)."""
    return {(pair[0], pair[1]) for pair in linked} | {(pair[0], pair[1]) for pair in decided}


def open_pairs(candidates: Iterable[Sequence], settled: set[tuple[str, str]], threshold: float) -> list[bool]:
    """Whether each candidate pair (key_a, key_b, score) is open: scoring at least `threshold`,
    and not settled (see `settled_pairs`)."""
    return [pair[2] >= threshold and (pair[0], pair[1]) not in settled for pair in candidates]


def open_candidates(
    candidates: pd.DataFrame,
    linked: pd.DataFrame,
    decisions: pd.DataFrame | None,
    threshold: float,
) -> pd.DataFrame:
    """Candidate pairs at or above `threshold`, minus pairs already linked and pairs a
    person dismissed or confirmed (confirmed ones are reported with the linked)."""
    import numpy as np

    def pairs(frame: pd.DataFrame | None, *extra: str) -> Iterable[Sequence]:
        return [] if frame is None or frame.empty else zip(*(frame[name].tolist() for name in [*PAIR_COLUMNS, *extra]))

    settled = settled_pairs(pairs(linked), pairs(decisions))
    keep = np.array(open_pairs(pairs(candidates, "score"), settled, threshold), dtype=bool)
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
