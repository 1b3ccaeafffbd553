"""The library: plain functions that the CLI, the dashboard, the demo and the tests call.

Open a store, write snapshots and hear what happened to each, read metrics of a snapshot
or a history, the duplicate report and decisions. Everything a user can get wrong raises a
`BacklogHealthError` with one line to show (see `backlog_health.errors`).

    from backlog_health import api

    with api.open_store("data/backlog.duckdb") as store:
        for written in api.write_snapshots(store, [api.read_jira_csv("export.csv")]):
            print(written.message())
        print(api.snapshot_metrics(store, backlog="SHOP").to_dict())
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from backlog_health import store as _store
from backlog_health.model import Snapshot

Repeat = Literal["never", "if-changed", "always"]
Progress = Callable[[int, int], None]


@contextmanager
def open_store(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    waiting: Callable[[str], None] | None = None,
    wait_seconds: float = 30.0,
) -> Iterator[_store.Store]:
    """The store at `path` (default `$BACKLOG_HEALTH_DB` or data/backlog.duckdb), closed on exit.

    A writer creates and migrates the store; `read_only` opens it as a reading command
    does: migrated first when the file is writable, never created.
    """
    if read_only:
        con = _store.connect_to_read(path, wait_seconds=wait_seconds, waiting=waiting)
    else:
        con = _store.connect(path, wait_seconds=wait_seconds, waiting=waiting)
    try:
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class Written:
    """What writing one snapshot did: stored as a new snapshot, or already there."""

    snapshot: Snapshot
    snapshot_id: int
    created: bool
    repeat: Repeat = "never"
    taken_at_note: str | None = None  # how taken_at was chosen, when the file did not say

    def message(self) -> str:
        """One line for a person: "FILE: snapshot 7 of backlog SHOP at ..." or "already ingested as 7"."""
        s = self.snapshot
        if self.created:
            return (
                f"{s.source_name}: snapshot {self.snapshot_id} of backlog {s.backlog} at "
                f"{s.taken_at:%Y-%m-%d %H:%M}: {s.row_count} rows, {s.backlog_item_count} backlog items"
            )
        same = "unchanged since" if self.repeat == "if-changed" else "already ingested as"
        return f"{s.source_name}: {same} snapshot {self.snapshot_id} (backlog {s.backlog}); nothing added"


def write_snapshots(
    con: _store.Store,
    snapshots: Iterable[Snapshot | object],
    *,
    repeat: Repeat = "never",
    progress: Progress | None = None,
) -> list[Written]:
    """Store each snapshot in its own transaction and say what happened to each.

    Items may be `Snapshot`s or a reader's results (anything with `.snapshot` and
    `.taken_at_note`). `repeat` says when content already stored is stored again (see
    `store.write_snapshot`); `progress(done, total)` is told after each one.
    """
    pending = list(snapshots)
    written = []
    for done, entry in enumerate(pending, start=1):
        snapshot = entry if isinstance(entry, Snapshot) else entry.snapshot  # type: ignore[attr-defined]
        note = None if isinstance(entry, Snapshot) else getattr(entry, "taken_at_note", None)
        result = _store.write_snapshot(con, snapshot, repeat=repeat)
        written.append(Written(snapshot, result.snapshot_id, result.created, repeat, note))
        if progress is not None:
            progress(done, len(pending))
    return written


def load_demo(con: _store.Store, seed: int = 7, progress: Progress | None = None) -> int:
    """Store the deterministic demo history; returns how many snapshots were new (0 when
    it is already loaded)."""
    from backlog_health.ingest.demo import demo_snapshots

    return sum(w.created for w in write_snapshots(con, demo_snapshots(seed), progress=progress))


def now() -> datetime:
    """The local time metrics measure data age against (the one clock the library reads)."""
    return datetime.now()
