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


def estimate_or_median(backlog: pd.DataFrame) -> pd.Series:
    """Story points, an unestimated item counting as the median estimate (0 if none)."""
    median = median_estimate(backlog)
    points = pd.to_numeric(backlog["story_points"], errors="coerce")
    return points.fillna(0.0 if median is None else median)


def is_started(backlog: pd.DataFrame) -> pd.Series:
    """Work already under way: status category In Progress (an unknown category is not started)."""
    return backlog["status_category"].eq("In Progress").fillna(False).astype(bool)


def near_term_pool(backlog: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The backlog items the near term is taken from, in rank order: those not yet started,
    or every one with `near_term.include_started`."""
    if rules.near_term_include_started:
        return backlog
    return backlog[~is_started(backlog).to_numpy()]


def started_above(backlog: pd.DataFrame, near_keys: tuple[str, ...]) -> tuple[str, ...]:
    """Started items ranked above the last near-term item (all started items when the near
    term is empty): the work under way that a planner sees at the top of the backlog."""
    keys = list(backlog["key"])
    started = is_started(backlog).to_numpy()
    if near_keys:
        end = keys.index(near_keys[-1])
        return tuple(k for k, s in zip(keys[:end], started[:end]) if s)
    return tuple(k for k, s in zip(keys, started) if s)


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

    Only items not yet started are candidates (unless `near_term.include_started`): work
    already under way is listed in `started`, not judged for readiness. Count mode: the top
    N. Points mode: from the top, items until their cumulative estimate reaches sprints x
    velocity, the item that crosses the line included (an unestimated one counting as the
    candidates' median estimate). Auto
    uses points mode when a velocity (> 0) and at least one estimate are known. With the
    `planned` rule, items planned into an active or future sprint (`sprints` states) are
    near term too, wherever they rank.
    """
    pool = near_term_pool(backlog, rules)
    chosen = _near_term(pool, rules, velocity)
    planned = planned_keys(pool, sprints) if rules.near_term_planned else frozenset()
    if planned - set(chosen.keys):
        keys = tuple(k for k in pool["key"] if k in planned or k in set(chosen.keys))
        chosen = replace(chosen, keys=keys)
    if rules.near_term_include_started:
        return replace(chosen, include_started=True)
    return replace(chosen, started=started_above(backlog, chosen.keys))


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
