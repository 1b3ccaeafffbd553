"""Estimate coverage: how much of the near and long term carries an estimate."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from backlog_health.metrics.figures import Figures


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


def coverage_of(figures: Figures) -> Coverage:
    """Estimated / all for the near term, the long term (backlog items outside the near
    term, less work under way) and the whole backlog, as figures.sql counts them."""
    f = figures.final

    def share(name: str) -> float | None:
        return None if pd.isna(f[name]) else float(f[name])

    return Coverage(
        share("coverage_near_term"),
        share("coverage_long_term"),
        share("coverage_all"),
        int(f["near_term_estimated"]),
        int(f["near_term_items"]),
        int(f["long_term_estimated"]),
        int(f["long_term_items"]),
    )
