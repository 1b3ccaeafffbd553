"""Velocity: mean completed story points of a team's last completed sprints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backlog_health.rules import Rules

if TYPE_CHECKING:  # pandas only for the frame functions: `metrics --json` starts without it
    import pandas as pd

    from backlog_health.metrics.figures import Figures


@dataclass(frozen=True)
class Velocity:
    """The velocity and the sprints it was computed from (oldest first)."""

    points: float | None
    sprints: tuple[str, ...]
    sprint_points: tuple[float, ...]


def velocity_of(figures: Figures) -> Velocity:
    """The velocity as figures.sql measures it (its `velocity_sprints` step)."""
    chosen = figures.velocity_sprints
    return velocity_from(figures.final, [] if chosen.empty else chosen[["sprint", "points"]].to_dict("records"))


def velocity_from(final: Mapping[str, Any], sprints: Sequence[Mapping[str, Any]]) -> Velocity:
    """The velocity from figures.sql's `final` row of a snapshot and its `velocity_sprints`
    rows (sprint, points), oldest first."""
    if not sprints:
        return Velocity(None, (), ())
    return Velocity(float(final["measured_velocity"]), tuple(row["sprint"] for row in sprints),
                    tuple(float(row["points"]) for row in sprints))


def velocity(items: pd.DataFrame, sprints: pd.DataFrame, window: int = 3) -> Velocity:
    """Mean completed points of the last `window` completed sprints the snapshot shows.

    An item's points count for the last sprint in its sprint list (the one it was
    finished in); sub-tasks and epics are left out so work is not counted twice.
    Completed sprints are those marked closed when sprint states are known (ordered by
    completion, end, then start date); otherwise the sprints items were finished in,
    ordered by their latest resolution date, leaving out a sprint that still holds an
    open item as its latest sprint (it is probably still running).
    """
    from backlog_health.metrics.figures import frame_figures

    figures = frame_figures(items, Rules(velocity_sprints=window), sprints=sprints, steps=("velocity_sprints",))
    return velocity_of(figures)
