"""Growth and aging: is the backlog growing, and is it rotting?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from backlog_health.backlog import backlog_items
from backlog_health.metrics.figures import Figures


@dataclass(frozen=True)
class Growth:
    """Size, flow since the previous snapshot, and age of the backlog."""

    backlog_items: int
    added: int | None  # backlog items of S that were not backlog items of P
    finished: int | None  # backlog items of P that are Done in S
    removed: int | None  # backlog items of P that in S are neither backlog items nor Done
    median_age_days: float | None  # median of (taken_at - created) over backlog items
    stale: int  # backlog items not updated for stale_days before taken_at
    old_long_term: int  # long-term items created more than old_days before taken_at
    stale_keys: tuple[str, ...] = ()
    old_long_term_keys: tuple[str, ...] = ()


def growth(current: pd.DataFrame, previous: pd.DataFrame | None, taken_at: datetime, figures: Figures) -> Growth:
    """Growth of S (`current`, every row) since P (`previous`, every row, or None); stale
    and old long-term items as figures.sql finds them.

    Ages are measured at the snapshot's own time, so history does not change with the
    day it is looked at.
    """
    backlog = backlog_items(current)
    keys = set(backlog["key"])
    added = finished = removed = None
    if previous is not None:
        before = set(backlog_items(previous)["key"])
        done_now = set(current.loc[current["status_category"] == "Done", "key"])
        added = len(keys - before)
        finished = len(before & done_now)
        removed = len(before - keys - done_now)
    ages = (pd.Timestamp(taken_at) - pd.to_datetime(backlog["created"])).dt.total_seconds() / 86400
    median_age = None if ages.dropna().empty else float(ages.dropna().median())
    judged = figures.items
    stale = tuple(judged.loc[judged["stale"].fillna(False).astype(bool), "key"])
    old = tuple(judged.loc[judged["old_long_term"].fillna(False).astype(bool), "key"])
    return Growth(
        backlog_items=int(figures.final["backlog_items"]),
        added=added,
        finished=finished,
        removed=removed,
        median_age_days=median_age,
        stale=len(stale),
        old_long_term=len(old),
        stale_keys=stale,
        old_long_term_keys=old,
    )
