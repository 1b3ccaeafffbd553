"""The near term: the part of the backlog that must be ready for the next sprints."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from backlog_health.metrics.frames import median_estimate
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

    @property
    def size(self) -> int:
        return len(self.keys)

    def rule(self) -> dict:
        """The rule as shown in reports."""
        if self.mode == "count":
            return {"mode": "count", "count": self.count}
        return {
            "mode": "points",
            "sprints": self.sprints,
            "velocity": self.velocity,
            "capacity_points": self.capacity_points,
        }


def estimate_or_median(backlog: pd.DataFrame) -> pd.Series:
    """Story points, an unestimated item counting as the median estimate (0 if none)."""
    median = median_estimate(backlog)
    points = pd.to_numeric(backlog["story_points"], errors="coerce")
    return points.fillna(0.0 if median is None else median)


def planned_keys(backlog: pd.DataFrame, sprints: pd.DataFrame | None) -> frozenset[str]:
    """Backlog items whose latest sprint is active or future (needs sprint states)."""
    if sprints is None or "state" not in sprints or sprints["state"].isna().all():
        return frozenset()
    open_sprints = set(sprints.loc[sprints["state"].isin(["active", "future"]), "name"])
    latest = backlog["sprints"].map(lambda names: names[-1] if len(names) else None)
    return frozenset(backlog.loc[latest.isin(open_sprints), "key"])


def near_term(
    backlog: pd.DataFrame, rules: Rules, velocity: float | None, sprints: pd.DataFrame | None = None
) -> NearTerm:
    """The near-term items of `backlog` (backlog items in rank order).

    Count mode: the top N. Points mode: from the top, items until their cumulative
    estimate reaches sprints x velocity, the item that crosses the line included. Auto
    uses points mode when a velocity (> 0) and at least one estimate are known. With the
    `planned` rule, items planned into an active or future sprint (`sprints` states) are
    near term too, wherever they rank.
    """
    chosen = _near_term(backlog, rules, velocity)
    planned = planned_keys(backlog, sprints) if rules.near_term_planned else frozenset()
    if planned - set(chosen.keys):
        keys = tuple(k for k in backlog["key"] if k in planned or k in set(chosen.keys))
        return replace(chosen, keys=keys)
    return chosen


def _near_term(backlog: pd.DataFrame, rules: Rules, velocity: float | None) -> NearTerm:
    has_points = velocity is not None and velocity > 0 and median_estimate(backlog) is not None
    mode = rules.near_term_mode
    if mode == "auto" or (mode == "points" and not has_points):
        mode = "points" if has_points else "count"
    keys = list(backlog["key"])
    if mode == "count":
        return NearTerm(tuple(keys[: rules.near_term_count]), "count", rules.near_term_count, None, velocity, None)
    capacity = rules.near_term_sprints * velocity
    before = estimate_or_median(backlog).cumsum().shift(fill_value=0.0)
    chosen = [key for key, reached in zip(keys, before) if reached < capacity]
    return NearTerm(tuple(chosen), "points", None, rules.near_term_sprints, velocity, capacity)
