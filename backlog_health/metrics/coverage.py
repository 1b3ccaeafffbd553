"""Estimate coverage: how much of the near and long term carries an estimate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backlog_health.metrics.near_term import number

if TYPE_CHECKING:
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
    return coverage_from(figures.final)


def coverage_from(f: Mapping[str, Any]) -> Coverage:
    """The coverage in figures.sql's `final` row of a snapshot."""
    return Coverage(
        number(f["coverage_near_term"]),
        number(f["coverage_long_term"]),
        number(f["coverage_all"]),
        int(f["near_term_estimated"]),
        int(f["near_term_items"]),
        int(f["long_term_estimated"]),
        int(f["long_term_items"]),
    )
