"""Definition of Ready: which backlog items pass which checks, and the near term's readiness."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backlog_health.metrics.near_term import near_rows, number
from backlog_health.rules import Rules

if TYPE_CHECKING:  # pandas only for the frame functions: `metrics --json` starts without it
    import pandas as pd

    from backlog_health.metrics.figures import Figures


def readiness_checks(items: pd.DataFrame, links: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """One row per backlog item (rank order, indexed by key): a boolean column per
    enabled check and `ready` (every enabled check passes), as figures.sql judges them."""
    from backlog_health.metrics.figures import frame_figures

    return checks_of(frame_figures(items, rules, links=links, steps=("item_checks",)), rules)


def checks_of(figures: Figures, rules: Rules) -> pd.DataFrame:
    """The enabled checks and `ready` of each backlog item, from figures.sql's `item_checks`."""
    import pandas as pd

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
    return readiness_from(figures.final, near_rows(figures, rules), rules)


def readiness_from(final: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], rules: Rules) -> Readiness:
    """Readiness from figures.sql's `final` row of a snapshot and its near rows (see
    `near_term.NEAR_TERM_COLUMNS`), with the enabled checks."""
    near = [row for row in rows if row["near_term"]]
    failing = {name: sum(1 for row in near if not row[name]) for name in rules.enabled_checks}
    return Readiness(int(final["ready"]), int(final["near_term_items"]), number(final["ready_ratio"]), failing,
                     number(final["ready_sprints_ahead"]), float(final["ready_points_ahead"]))
