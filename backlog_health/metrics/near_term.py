"""The near term: the part of the backlog that must be ready for the next sprints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from backlog_health.rules import Rules

if TYPE_CHECKING:  # pandas only for the frame functions: `metrics --json` starts without it
    import pandas as pd

    from backlog_health.metrics.figures import Figures

# The columns of figures.sql's `item_checks` the near term is read from, in its "near rows":
# the backlog items near term or started above it, in rank order (few, however large the
# backlog; sql/figures_summary.sql reads just these). Readiness reads their checks too.
NEAR_TERM_COLUMNS = ("key", "near_term", "started_above")


@dataclass(frozen=True)
class NearTerm:
    """Which backlog items are near term, and the rule that chose them."""

    keys: tuple[str, ...]  # in rank order
    mode: str  # "count" or "points"
    count: int | None  # the N of count mode
    sprints: float | None  # the sprints of points mode
    velocity: float | None
    capacity_points: float | None  # sprints x velocity in points mode
    # Started backlog items (status category In Progress) ranked above the last near-term
    # item, in rank order: shown apart, never scored (empty when the rules include them).
    started: tuple[str, ...] = ()
    include_started: bool = False  # the rule that put started work back into the near term

    @property
    def size(self) -> int:
        return len(self.keys)

    def rule(self) -> dict:
        """The rule as shown in reports (`include_started` only when started work is near term)."""
        extra = {"include_started": True} if self.include_started else {}
        if self.mode == "count":
            return {"mode": "count", "count": self.count, **extra}
        return {
            "mode": "points",
            "sprints": self.sprints,
            "velocity": self.velocity,
            "capacity_points": self.capacity_points,
            **extra,
        }


def near_rows(figures: Figures, rules: Rules) -> list[dict[str, Any]]:
    """The near rows of a snapshot's figures (see NEAR_TERM_COLUMNS) as records: the near
    term's columns and the enabled checks."""
    items = figures.items
    near = items["near_term"].to_numpy(dtype=bool) | items["started_above"].to_numpy(dtype=bool)
    return items.loc[near, [*NEAR_TERM_COLUMNS, *rules.enabled_checks]].to_dict("records")


def near_term_of(figures: Figures, rules: Rules) -> NearTerm:
    """The near term as figures.sql chose it (see its `near_term` step)."""
    return near_term_from(figures.final, near_rows(figures, rules), rules)


def near_term_from(final: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], rules: Rules) -> NearTerm:
    """The near term from figures.sql's `final` row of a snapshot and its near rows (see
    NEAR_TERM_COLUMNS, in rank order)."""
    velocity = number(final.get("velocity"))
    keys = tuple(row["key"] for row in rows if row["near_term"])
    started = () if rules.near_term_include_started else tuple(row["key"] for row in rows if row["started_above"])
    if final.get("near_term_mode", "count") == "count":
        chosen = NearTerm(keys, "count", rules.near_term_count, None, velocity, None)
    else:
        chosen = NearTerm(keys, "points", None, rules.near_term_sprints, velocity, number(final.get("capacity_points")))
    return replace(chosen, started=started, include_started=rules.near_term_include_started)


def near_term(
    backlog: pd.DataFrame, rules: Rules, velocity: float | None = None, sprints: pd.DataFrame | None = None
) -> NearTerm:
    """The near-term items of `backlog` (its rows; `velocity`, if given, in place of the one
    the rows and `sprints` show), as figures.sql defines them: the top N (count mode), or
    from the top until the cumulative estimate reaches sprints x velocity (points mode), plus
    planned items; started work is listed apart unless `near_term.include_started`."""
    from backlog_health.metrics.figures import frame_figures

    figures = frame_figures(backlog, rules, sprints=sprints, velocity=velocity, steps=("item_checks",))
    return near_term_of(figures, rules)


def number(value: Any) -> float | None:
    """A figure of a `final` row as a float, None when missing (None, or NaN as pandas reads a
    null float)."""
    return None if value is None or value != value else float(value)
