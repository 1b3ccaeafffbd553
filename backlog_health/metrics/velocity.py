"""Velocity: mean completed story points of a team's last completed sprints."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Velocity:
    """The velocity and the sprints it was computed from (oldest first)."""

    points: float | None
    sprints: tuple[str, ...]
    sprint_points: tuple[float, ...]


def velocity(items: pd.DataFrame, sprints: pd.DataFrame, window: int = 3) -> Velocity:
    """Mean completed points of the last `window` completed sprints the snapshot shows.

    An item's points count for the last sprint in its sprint list (the one it was
    finished in); sub-tasks and epics are left out so work is not counted twice.
    Completed sprints are those marked closed when sprint states are known (ordered by
    completion, end, then start date); otherwise the sprints items were finished in,
    ordered by their latest resolution date, leaving out a sprint that still holds an
    open item as its latest sprint (it is probably still running).
    """
    work = items[~items["is_subtask"].astype(bool) & ~items["is_epic"].astype(bool)]
    last_sprint = work["sprints"].map(lambda s: s[-1] if len(s) else None)
    done = work["status_category"].eq("Done") & last_sprint.notna()
    finished = pd.DataFrame(
        {
            "sprint": last_sprint[done],
            "points": pd.to_numeric(work.loc[done, "story_points"], errors="coerce").fillna(0.0),
            "resolved": work.loc[done, "resolved"],
        }
    )
    points_by_sprint = finished.groupby("sprint")["points"].sum()
    states = sprints["state"].dropna() if "state" in sprints else pd.Series(dtype=object)
    if not states.empty:
        closed = sprints[sprints["state"].eq("closed")].copy()
        closed["_when"] = closed["complete_date"].fillna(closed["end_date"]).fillna(closed["start_date"])
        ordered = list(closed.sort_values("_when", kind="stable")["name"])
    else:
        still_open = set(last_sprint[~work["status_category"].eq("Done") & last_sprint.notna()])
        latest = finished.groupby("sprint")["resolved"].max()
        appearance = {name: i for i, name in enumerate(dict.fromkeys(finished["sprint"]))}
        ordered = sorted(
            (name for name in latest.index if name not in still_open),
            key=lambda name: (pd.isna(latest[name]), latest[name] if pd.notna(latest[name]) else 0, appearance[name]),
        )
    chosen = ordered[-window:] if window > 0 else []
    if not chosen:
        return Velocity(None, (), ())
    values = tuple(float(points_by_sprint.get(name, 0.0)) for name in chosen)
    return Velocity(sum(values) / len(values), tuple(chosen), values)
