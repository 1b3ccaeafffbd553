"""Estimate coverage: how much of the near and long term carries an estimate."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from backlog_health.metrics.frames import is_estimated, ratio


@dataclass(frozen=True)
class Coverage:
    """Estimated share of each group (None for an empty group), with the counts."""

    near_term: float | None
    long_term: float | None
    all: float | None
    near_term_estimated: int
    near_term_items: int
    long_term_estimated: int
    long_term_items: int


def estimate_coverage(
    backlog: pd.DataFrame, near_term_keys: tuple[str, ...], started_keys: tuple[str, ...] = ()
) -> Coverage:
    """Estimated / all for the near term, the long term (backlog items outside the near
    term, less `started_keys`: work under way) and the whole backlog (every open item)."""
    estimated = is_estimated(backlog)
    near = backlog["key"].isin(set(near_term_keys))
    long = ~near & ~backlog["key"].isin(set(started_keys))
    near_estimated, near_total = int(estimated[near].sum()), int(near.sum())
    long_estimated, long_total = int(estimated[long].sum()), int(long.sum())
    return Coverage(
        ratio(near_estimated, near_total),
        ratio(long_estimated, long_total),
        ratio(int(estimated.sum()), len(backlog)),
        near_estimated,
        near_total,
        long_estimated,
        long_total,
    )
