"""Growth and aging: is the backlog growing, and is it rotting?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from backlog_health.backlog import backlog_items


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


def growth(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    taken_at: datetime,
    near_term_keys: tuple[str, ...],
    stale_days: int = 90,
    old_days: int = 365,
) -> Growth:
    """Growth of S (`current`, every row) since P (`previous`, every row, or None).

    Ages are measured at the snapshot's own time, so history does not change with the
    day it is looked at. An item without an update time counts its creation time. The long
    term (for old items) is every backlog item outside `near_term_keys`.
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
    when = pd.Timestamp(taken_at)
    created = pd.to_datetime(backlog["created"])
    ages = (when - created).dt.total_seconds() / 86400
    median_age = None if ages.dropna().empty else float(ages.dropna().median())
    touched = pd.to_datetime(backlog["updated"]).fillna(created)
    stale = backlog[touched < when - timedelta(days=stale_days)]
    long_term = backlog[~backlog["key"].isin(set(near_term_keys))]
    old = long_term[pd.to_datetime(long_term["created"]) < when - timedelta(days=old_days)]
    return Growth(
        backlog_items=len(backlog),
        added=added,
        finished=finished,
        removed=removed,
        median_age_days=median_age,
        stale=len(stale),
        old_long_term=len(old),
        stale_keys=tuple(stale.sort_values("rank_position")["key"]),
        old_long_term_keys=tuple(old.sort_values("rank_position")["key"]),
    )
