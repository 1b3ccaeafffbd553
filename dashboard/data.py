"""What the pages read from the store, and the few writes a person can make from them.

DuckDB lets one process write a store file, and a connection held open by this process
(even a read-only one) keeps an ingest job in another process from writing. So no
connection outlives a load: `StoreAccess` (one per store, in `st.cache_resource`) opens
one for each cached load and closes it right away, and the cached results are keyed on
the store's `version` (the file's and its write-ahead log's size and modification time),
so a snapshot written by an ingest job shows up on the next rerun. Inside this process a
readers-writer lock keeps the dashboard's own writes (duplicate decisions, the demo, an
upload) from meeting a read connection, which DuckDB refuses.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from backlog_health import api, store
from backlog_health.errors import StoreError
from backlog_health.metrics.agenda import Agenda
from backlog_health.metrics.report import (
    HistoryPoint,
    SnapshotMetrics,
    history_of,
)
from backlog_health.metrics.retro import (
    PlanningReadiness,
    Refinement,
    planning_readiness,
    refinement_changes,
)
from backlog_health.model import Snapshot
from backlog_health.store.parquet import MANIFEST
from backlog_health.rules import Rules
from backlog_health.similarity import candidate_pairs
from backlog_health.dashboard import settings
from backlog_health.dashboard.tables import ITEM_COLUMNS

_CACHE = {
    "ttl": settings.CACHE_TTL_SECONDS,
    "max_entries": settings.CACHE_ENTRIES,
    "show_spinner": False,
    "hash_funcs": {Rules: repr},
}


class _ReadWriteLock:
    """Many readers or one writer, within this process."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: not self._writing)
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                self._condition.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: not self._writing and self._readers == 0)
            self._writing = True
        try:
            yield
        finally:
            with self._condition:
                self._writing = False
                self._condition.notify_all()


class StoreAccess:
    """Short-lived connections to one store: opened for one load or one write, then closed."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = _ReadWriteLock()

    @contextmanager
    def reading(self) -> Iterator[store.Store]:
        with self._lock.shared():
            con = store.connect(self.path, read_only=True, wait_seconds=settings.READ_WAIT_SECONDS)
            with _explained(self.path, con):
                yield con

    @contextmanager
    def writing(self) -> Iterator[store.Store]:
        with self._lock.exclusive():
            con = store.connect(self.path, wait_seconds=settings.WRITE_WAIT_SECONDS)
            with _explained(self.path, con):
                yield con


@contextmanager
def _explained(path: str, con: store.Store) -> Iterator[None]:
    """Close `con` afterwards (its errors are StoreErrors already, each one line the page shows)."""
    try:
        yield
    finally:
        try:
            con.close()
        except StoreError:
            pass


@st.cache_resource(show_spinner=False)
def access(path: str) -> StoreAccess:
    """The one `StoreAccess` of a store in this process (it holds no connection)."""
    return StoreAccess(path)


def store_version(path: str) -> tuple:
    """Changes whenever anything is written to the store (the key of every cached load)."""
    version = []
    # A Parquet export changes as a whole, manifest included (see backlog_health.store.export).
    files = (Path(path) / MANIFEST,) if Path(path).is_dir() else (Path(path), Path(path + ".wal"))
    for file in files:
        try:
            stat = file.stat()
            version.append((stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            version.append(None)
    return tuple(version)


def is_export(path: str) -> bool:
    """Whether the store is a Parquet export folder (read-only: decisions cannot be saved)."""
    return Path(path).is_dir()


def store_exists(path: str) -> bool:
    return Path(path).exists()


# --- Cached loads ------------------------------------------------------------------------------
# Each takes (path, version, ...) first: a new version is a new key, so nothing stale is shown.


@st.cache_data(**_CACHE)
def snapshot_list(path: str, version: tuple) -> pd.DataFrame:
    """Every snapshot of the store, by backlog then time."""
    with access(path).reading() as con:
        return store.list_snapshots(con)


@st.cache_data(**_CACHE)
def history(
    path: str, version: tuple, backlog: str, rules: Rules, by_sprint: bool, now: datetime
) -> list[HistoryPoint]:
    """The metrics of every snapshot (or sprint) of a backlog, oldest first."""
    with access(path).reading() as con:
        return api.metrics_history(con, backlog, rules, by_sprint=by_sprint, now=now)


@st.cache_data(**_CACHE)
def metrics_of(
    path: str, version: tuple, snapshot_id: int, previous_id: int | None, rules: Rules, now: datetime
) -> SnapshotMetrics:
    """The metrics of one stored snapshot against `previous_id` (None: no comparison)."""
    with access(path).reading() as con:
        return api.snapshot_metrics(con, at=snapshot_id, rules=rules, previous=previous_id, now=now)


@st.cache_data(**_CACHE)
def portfolio(path: str, version: tuple, rules: Rules, every_snapshot: bool = False) -> list[dict]:
    """Every backlog at its latest snapshot (`every_snapshot`: at each snapshot), worst readiness
    first: `api.portfolio`'s entries, the figures of `metrics --json`."""
    with access(path).reading() as con:
        return api.portfolio(con, rules, every_snapshot=every_snapshot)


@st.cache_data(**_CACHE)
def snapshot_warnings(path: str, version: tuple, snapshot_id: int) -> tuple[str, ...]:
    """The warnings stored with a snapshot when it was read (implausible estimates set aside...)."""
    with access(path).reading() as con:
        return api.snapshot_warnings(con, snapshot_id)


@st.cache_data(**_CACHE)
def agenda_of(path: str, version: tuple, snapshot_id: int, rules: Rules, now: datetime) -> Agenda:
    """The refinement agenda of a stored snapshot against the one taken before it."""
    with access(path).reading() as con:
        return api.agenda(con, at=snapshot_id, rules=rules, site=rules.jira_url, now=now)


@st.cache_data(**_CACHE)
def descriptions(path: str, version: tuple, snapshot_id: int) -> dict[str, str]:
    """Each backlog item's plain-text description (for the duplicate decision cards)."""
    with access(path).reading() as con:
        items = store.snapshot_items(con, snapshot_id)
    return {k: t for k, t in zip(items["key"], items["description_text"]) if isinstance(t, str)}


@st.cache_data(**_CACHE)
def backlog_table(path: str, version: tuple, snapshot_id: int) -> pd.DataFrame:
    """The backlog items of a snapshot in rank order, with the fields the tables show."""
    with access(path).reading() as con:
        items = store.snapshot_items(con, snapshot_id)
    return items[ITEM_COLUMNS].reset_index(drop=True)


@st.cache_data(**_CACHE)
def refinement(
    path: str, version: tuple, current_id: int, previous_id: int, rules: Rules, now: datetime
) -> Refinement:
    """What changed between two stored snapshots (candidates: each one's open pairs)."""
    current_metrics = metrics_of(path, version, current_id, None, rules, now)
    previous_metrics = metrics_of(path, version, previous_id, None, rules, now)
    with access(path).reading() as con:
        current = store.load_snapshot(con, current_id, with_raw=False)
        previous = store.load_snapshot(con, previous_id, with_raw=False)
    return refinement_changes(
        current,
        previous,
        rules,
        current_candidates=current_metrics.candidate_duplicates,
        previous_candidates=previous_metrics.candidate_duplicates,
    )


@st.cache_data(**_CACHE)
def planning(
    path: str, version: tuple, planning_id: int, later_id: int, sprint: str, rules: Rules
) -> PlanningReadiness:
    """Readiness at planning of the work that entered `sprint`."""
    with access(path).reading() as con:
        at_planning = store.load_snapshot(con, planning_id, with_raw=False)
        later = store.load_snapshot(con, later_id, with_raw=False)
    return planning_readiness(at_planning, later, sprint, rules)


# --- Uploaded files (analysed in memory) -------------------------------------------------------


@st.cache_data(ttl=settings.CACHE_TTL_SECONDS, max_entries=16, show_spinner=False)
def read_upload(
    name: str, data: bytes, mapping: tuple[tuple[str, str], ...] | None, done_statuses: tuple[str, ...] = ()
) -> Snapshot:
    """The snapshot in an uploaded file: a Jira export when `mapping` is None, else any CSV
    read through the (field, column) mapping, with `done_statuses` meaning done. A bad file
    raises InputError (not cached)."""
    from backlog_health.ingest.generic_csv import read_generic_csv
    from backlog_health.ingest.jira_csv import read_jira_csv

    if mapping is None:
        return read_jira_csv(name, data=data, name=name).snapshot
    return read_generic_csv(name, dict(mapping), data=data, name=name, done_statuses=done_statuses).snapshot


@st.cache_data(ttl=settings.CACHE_TTL_SECONDS, max_entries=16, show_spinner=False)
def upload_values(name: str, data: bytes, column: str) -> list[str]:
    """The distinct non-blank values of one column of an uploaded CSV, most frequent first."""
    from collections import Counter

    from backlog_health.ingest.csv_file import read_csv_table

    table = read_csv_table(name, data=data, name=name)
    index = table.header.index(column)
    counts = Counter(row[index].strip() for _, row in table.rows if index < len(row) and row[index].strip())
    return [value for value, _ in counts.most_common()]


def upload_identity(name: str, data: bytes, mapping: tuple | None, backlog: str) -> tuple:
    """A cheap key for an uploaded snapshot: the file's digest, how it was read, its backlog."""
    return (name, len(data), hashlib.blake2b(data, digest_size=16).hexdigest(), mapping, backlog)


@st.cache_data(ttl=settings.CACHE_TTL_SECONDS, max_entries=16, show_spinner=False, hash_funcs={Rules: repr})
def analysed_uploads(
    _snapshots: tuple[Snapshot, ...], identity: tuple, rules: Rules, now: datetime
) -> list[HistoryPoint]:
    """Every metric of uploaded snapshots of one backlog, oldest first, each against the one
    before it: the in-memory counterpart of `metrics_history`. `identity` (one
    `upload_identity` per snapshot) is the cache key; the snapshots themselves are not hashed."""
    ordered = sorted(_snapshots, key=lambda s: (s.taken_at, s.source_name))
    return history_of([(None, s) for s in ordered], rules, now, find_candidates=candidate_pairs)


# --- Writes: each opens a write connection and closes it at once --------------------------------


def migrate(path: str) -> None:
    """Bring a store written by an older release to this release's schema."""
    with access(path).writing():
        pass


def record_decision(path: str, backlog: str, key_a: str, key_b: str, decision: str) -> None:
    """Persist a person's verdict on a candidate pair ("confirmed" or "dismissed")."""
    with access(path).writing() as con:
        store.record_duplicate_decision(con, backlog, key_a, key_b, decision)


def load_demo(path: str, progress: Callable[[int, int], None] | None = None) -> int:
    """Load the demo history; returns how many snapshots were new."""
    with access(path).writing() as con:
        return api.load_demo(con, progress=progress)


def save_snapshots(path: str, snapshots: list[Snapshot]) -> list[api.Written]:
    """Store uploaded snapshots, each in its own transaction."""
    with access(path).writing() as con:
        return api.write_snapshots(con, snapshots)


def renamed(snapshot: Snapshot, backlog: str) -> Snapshot:
    """The snapshot filed under another backlog name."""
    return replace(snapshot, backlog=backlog)


@st.cache_data(ttl=settings.CACHE_TTL_SECONDS, max_entries=16, show_spinner=False)
def upload_header(name: str, data: bytes) -> list[str]:
    """The header row of an uploaded CSV (InputError for a file that is not CSV text)."""
    from backlog_health.ingest.csv_file import read_csv_table

    return read_csv_table(name, data=data, name=name).header
