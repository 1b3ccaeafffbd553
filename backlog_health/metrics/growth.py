"""Growth and aging: is the backlog growing, and is it rotting?"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy, pandas and pyarrow only where needed: `metrics --json` starts without them
    import pandas as pd
    import pyarrow as pa

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


@dataclass(frozen=True)
class Flows:
    """What entered and left the backlog since the previous snapshot (None without one), and
    the backlog's median age."""

    added: int | None
    finished: int | None
    removed: int | None
    median_age_days: float | None


def growth(current: pd.DataFrame, previous: pd.DataFrame | None, taken_at: datetime, figures: Figures) -> Growth:
    """Growth of S (`current`, every row) since P (`previous`, every row, or None); stale
    and old long-term items as figures.sql finds them.

    Ages are measured at the snapshot's own time, so history does not change with the
    day it is looked at.
    """
    return growth_of(flows_of(current, previous, taken_at), figures)


def flows_of(current: pd.DataFrame, previous: pd.DataFrame | None, taken_at: datetime) -> Flows:
    """The flows of S (`current`, every row) since P (`previous`, every row, or None)."""
    import pandas as pd

    from backlog_health.backlog import backlog_items

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
    return Flows(added, finished, removed, median_age)


def flows_of_changes(changes: pa.Table) -> list[Flows]:
    """The flows of each step of `snapshot_changes` (a history's, computed in one query)."""
    import numpy as np
    import pandas as pd

    micros = changes.column("age_micros").combine_chunks()
    # Ages in days as `flows` measures them (pandas' seconds of a timedelta), all steps at once.
    seconds = pd.Series(micros.flatten().to_numpy().astype("timedelta64[us]")).dt.total_seconds()
    days = (seconds / 86400).to_numpy()
    bounds = micros.offsets.to_numpy() - micros.offsets[0].as_py()
    return [
        Flows(added, finished, removed, None if start == end else float(np.median(days[start:end])))
        for added, finished, removed, start, end in zip(
            changes.column("added").to_pylist(),
            changes.column("finished").to_pylist(),
            changes.column("removed").to_pylist(),
            bounds[:-1],
            bounds[1:],
        )
    ]


def flows_of_step(row: Mapping[str, Any]) -> Flows:
    """The flows of one step of `snapshot_changes` (its row, as plain values), as
    `flows_of_changes` finds them: ages in days as pandas' seconds of a timedelta, / 86400."""
    days = [micros / 1e6 / 86400 for micros in row["age_micros"]]
    return Flows(row["added"], row["finished"], row["removed"], float(statistics.median(days)) if days else None)


def growth_of(flows: Flows, figures: Figures) -> Growth:
    """Growth from a snapshot's flows, with its size and stale and old long-term items as
    figures.sql finds them."""
    judged = figures.items
    keys = judged["key"].to_numpy(dtype=object)
    stale = tuple(keys[judged["stale"].to_numpy(dtype=bool, na_value=False)])
    old = tuple(keys[judged["old_long_term"].to_numpy(dtype=bool, na_value=False)])
    return replace(growth_from(flows, figures.final), stale_keys=stale, old_long_term_keys=old)


def growth_from(flows: Flows, final: Mapping[str, Any]) -> Growth:
    """Growth from a snapshot's flows and figures.sql's `final` row: its size, and how many
    items are stale and old long-term (counted, not listed: `growth_of` lists them)."""
    return Growth(
        backlog_items=int(final["backlog_items"]),
        added=flows.added,
        finished=flows.finished,
        removed=flows.removed,
        median_age_days=flows.median_age_days,
        stale=int(final["stale"]),
        old_long_term=int(final["old_long_term"]),
    )
