"""Definition of Ready: which backlog items pass which checks, and the near term's readiness."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from backlog_health.metrics.figures import Figures, frame_figures
from backlog_health.rules import Rules


def readiness_checks(items: pd.DataFrame, links: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """One row per backlog item (rank order, indexed by key): a boolean column per
    enabled check and `ready` (every enabled check passes), as figures.sql judges them."""
    return checks_of(frame_figures(items, rules, links=links, steps=("item_checks",)), rules)


def checks_of(figures: Figures, rules: Rules) -> pd.DataFrame:
    """The enabled checks and `ready` of each backlog item, from figures.sql's `item_checks`."""
    items = figures.items
    names = [*rules.enabled_checks, "ready"]
    checks = items[names].astype(bool)
    checks.index = pd.Index(items["key"].to_numpy(dtype=object), name="key", dtype=object)
    return checks


@dataclass(frozen=True)
class Readiness:
    """Readiness of the near term."""

    ready: int
    total: int
    ratio: float | None
    failing: dict[str, int]  # check -> near-term items failing it
    ready_sprints_ahead: float | None
    ready_points_ahead: float


def readiness_of(figures: Figures, rules: Rules) -> Readiness:
    """Readiness of the near term: ready near-term items / near-term items and how many
    sprints of ready work lie at the top (figures.sql), and failures per check."""
    final = figures.final
    items = figures.items
    near = items["near_term"].to_numpy(dtype=bool)
    failing = {name: int((near & ~items[name].to_numpy(dtype=bool)).sum()) for name in rules.enabled_checks}
    total = int(final["near_term_items"])
    ratio = None if pd.isna(final["ready_ratio"]) else float(final["ready_ratio"])
    ahead = None if pd.isna(final["ready_sprints_ahead"]) else float(final["ready_sprints_ahead"])
    return Readiness(int(final["ready"]), total, ratio, failing, ahead, float(final["ready_points_ahead"]))
