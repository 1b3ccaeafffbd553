"""The near term: the part of the backlog that must be ready for the next sprints."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from backlog_health.metrics.figures import Figures, frame_figures
from backlog_health.rules import Rules


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


def near_term_of(figures: Figures, rules: Rules) -> NearTerm:
    """The near term as figures.sql chose it (see its `near_term` step)."""
    items = figures.items
    final = figures.final
    velocity = _number(final.get("velocity"))
    all_keys = items["key"].to_numpy(dtype=object)
    keys = tuple(all_keys[items["near_term"].to_numpy(dtype=bool)])
    started = () if rules.near_term_include_started else tuple(all_keys[items["started_above"].to_numpy(dtype=bool)])
    if final.get("near_term_mode", "count") == "count":
        chosen = NearTerm(keys, "count", rules.near_term_count, None, velocity, None)
    else:
        chosen = NearTerm(keys, "points", None, rules.near_term_sprints, velocity, _number(final.get("capacity_points")))
    return replace(chosen, started=started, include_started=rules.near_term_include_started)


def near_term(
    backlog: pd.DataFrame, rules: Rules, velocity: float | None = None, sprints: pd.DataFrame | None = None
) -> NearTerm:
    """The near-term items of `backlog` (its rows; `velocity`, if given, in place of the one
    the rows and `sprints` show), as figures.sql defines them: the top N (count mode), or
    from the top until the cumulative estimate reaches sprints x velocity (points mode), plus
    planned items; started work is listed apart unless `near_term.include_started`."""
    figures = frame_figures(backlog, rules, sprints=sprints, velocity=velocity, steps=("item_checks",))
    return near_term_of(figures, rules)


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]
