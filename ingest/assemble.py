"""Turning a reader's item and link frames into a finished `Snapshot`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from backlog_health.backlog import assign_rank_positions
from backlog_health.ingest.implausible import set_aside_implausible
from backlog_health.model import SPRINT_SCHEMA, Snapshot, empty_frame


@dataclass(frozen=True)
class ReadResult:
    """A snapshot read from a file, with how its observation time was chosen and what a
    person should know about how it was read (stored with the snapshot)."""

    snapshot: Snapshot
    taken_at_note: str | None = None  # set when taken_at was not given

    @property
    def warnings(self) -> tuple[str, ...]:
        """One line each, e.g. values set aside as implausible estimates."""
        return self.snapshot.warnings


def assemble_snapshot(
    items: pd.DataFrame,
    links: pd.DataFrame,
    *,
    source_kind: str,
    source_name: str,
    source_rows: int,
    backlog: str | None = None,
    taken_at: datetime | None = None,
    path: str | Path | None = None,
    numeric_rank: bool = False,
    estimate_columns: dict[str, str] | None = None,
    warnings: tuple[str, ...] = (),
) -> ReadResult:
    """Rank the backlog and fill in the defaults: backlog = the project key(s) of the
    items, taken_at = the newest "updated" time (else the file's modification time).

    `estimate_columns` names the source's story points and estimate columns
    ({"story_points": "Custom field (Story Points)"}): their implausible values are set
    aside with a warning (see `implausible`). `warnings` are the reader's own.
    """
    items, odd = set_aside_implausible(items, estimate_columns or {}, source_name)
    items = assign_rank_positions(items, numeric_rank=numeric_rank)
    note = None
    if taken_at is None:
        taken_at, note = default_taken_at(items, path)
    snapshot = Snapshot(
        backlog=backlog or default_backlog(items),
        taken_at=taken_at,
        source_kind=source_kind,
        source_name=source_name,
        items=items,
        links=links,
        sprints=sprints_of(items),
        source_rows=source_rows,
        warnings=(*odd, *warnings),
    )
    return ReadResult(snapshot, note)


def default_backlog(items: pd.DataFrame) -> str:
    """The project key(s) of the items, joined by "+" ("CR+SR")."""
    keys = items["project_key"].dropna() if "project_key" in items else pd.Series(dtype=str)
    if keys.empty:
        keys = items["key"].astype(str).str.rsplit("-", n=1).str[0]
    return "+".join(sorted(set(keys)))


def default_taken_at(items: pd.DataFrame, path: str | Path | None) -> tuple[datetime, str]:
    """A deterministic observation time for a file that does not say when it was made.

    An export cannot be older than the newest change it shows, and re-reading the same
    file gives the same answer (a file's modification time changes on copy).
    """
    newest = items["updated"].dropna() if "updated" in items else pd.Series(dtype=object)
    if not newest.empty:
        value = pd.Timestamp(newest.max()).to_pydatetime()
        return value, f'taken_at not given: using {value:%Y-%m-%d %H:%M}, the newest "Updated" in the file'
    if path is not None and Path(path).is_file():
        value = datetime.fromtimestamp(Path(path).stat().st_mtime).replace(microsecond=0)
        return value, f"taken_at not given: using {value:%Y-%m-%d %H:%M}, the file's modification time"
    value = datetime.now().replace(microsecond=0)
    return value, f"taken_at not given: using {value:%Y-%m-%d %H:%M}, the time of ingest"


def sprints_of(items: pd.DataFrame) -> pd.DataFrame:
    """Sprint names in order of first appearance (exports carry names, not dates)."""
    names: dict[str, None] = {}
    for sprints in items["sprints"]:
        for sprint in sprints if isinstance(sprints, list) else []:
            names.setdefault(sprint, None)
    if not names:
        return empty_frame(SPRINT_SCHEMA)
    return pd.DataFrame({"name": list(names)}).reindex(columns=list(SPRINT_SCHEMA.names))
