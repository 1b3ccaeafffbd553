"""The snapshot store: the one module that knows the DuckDB schema.

`connect` opens (and, for writers, creates or migrates) a store; `write_snapshot`
adds one snapshot in one transaction, so a failure leaves the store as it was.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd
import pyarrow as pa

from backlog_health.duplicate_scan import (
    SCAN_METHOD,
    SCAN_MIN_SCORE,
    scan_candidates,
    scan_texts,
    snapshot_scan_texts,
)
from backlog_health.errors import NotFoundError, OldSchemaError, ReadOnlyStoreError, StoreError
from backlog_health.model import ITEM_COLUMNS, Snapshot, content_hash
from backlog_health.queries import sql

DEFAULT_DB = Path("data") / "backlog.duckdb"
DB_ENV = "BACKLOG_HEALTH_DB"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def _utcnow() -> datetime:
    """Now in UTC without an offset (stored as a plain TIMESTAMP)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def default_db_path() -> Path:
    """`$BACKLOG_HEALTH_DB` if set, else `data/backlog.duckdb`."""
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def migrations(folder: Path | None = None) -> list[tuple[int, str]]:
    """The forward migrations as (version, sql text), oldest first."""
    if folder is None:
        files = resources.files("backlog_health").joinpath("migrations").iterdir()
    else:
        files = Path(folder).iterdir()
    found = []
    for file in files:
        match = _MIGRATION_NAME.match(file.name)
        if match:
            found.append((int(match.group(1)), file.read_text("utf-8")))
    return sorted(found)


def first_row(con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> tuple | None:
    """The first row of a query, reading the result to its end (DuckDB refuses other work
    on a connection while a result is partly read)."""
    rows = con.execute(query, params or {}).fetchall()
    return rows[0] if rows else None


def frame(
    con: duckdb.DuckDBPyConnection,
    query: str,
    params: dict | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """A query's result as a DataFrame whose text columns hold plain Python strings.

    pandas' Arrow-backed strings make the per-item set lookups the metrics do an order of
    magnitude slower, so text columns come back as object columns.
    """
    relation = con.sql(query, params=params or {})
    if columns is not None:
        relation = relation.select(*columns)
    table = relation.to_arrow_table()
    result = {}
    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            result[name] = pd.Series(column.to_numpy(zero_copy_only=False), dtype=object, copy=False)
        else:
            result[name] = column.to_pandas()
    return pd.DataFrame(result)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The store's schema version; 0 for an empty database."""
    has_table = first_row(
        con, "select count(*) from information_schema.tables where table_name = 'schema_version'"
    )[0]
    if not has_table:
        return 0
    return int(first_row(con, "select max(version) from schema_version")[0] or 0)


def migrate(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> int:
    """Apply every migration newer than the store, each in its own transaction."""
    current = schema_version(con)
    known = migrations(folder)
    latest = known[-1][0] if known else 0
    if current > latest:
        raise StoreError(
            f"the store has schema version {current}, newer than this release knows "
            f"({latest}); upgrade backlog-health"
        )
    for version, text in known:
        if version <= current:
            continue
        con.execute("begin transaction")
        try:
            con.execute(
                "create table if not exists schema_version "
                "(version integer primary key, applied_at timestamp not null)"
            )
            con.execute(text)
            con.execute(
                "insert into schema_version values ($version, $applied_at)",
                {"version": version, "applied_at": _utcnow()},
            )
            con.execute("commit")
        except Exception:
            rollback(con)
            raise
        current = version
    return current


def connect(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    migrations_folder: Path | None = None,
    wait_seconds: float = 30.0,
    waiting: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the store at `path` (":memory:" for a throw-away one).

    A writer creates the file if needed and migrates it to the current schema; a
    reader refuses a store that is missing or needs migrating, so it never writes.
    DuckDB lets one process write a file at a time (and no reader in another process
    while it does): when the file is locked, this waits up to `wait_seconds`, retrying
    with growing pauses, before giving up with a clear message; `waiting` is told once,
    with a line a person can read, when it starts waiting.
    """
    if Path(default_db_path() if path is None else path).is_dir():  # a Parquet export: read-only views
        from backlog_health.parquet_store import open_parquet_folder

        return open_parquet_folder(default_db_path() if path is None else path)
    target = str(default_db_path() if path is None else path)
    in_memory = target == ":memory:"
    if not in_memory:
        file = Path(target)
        if read_only and not file.exists():
            raise StoreError(f"{target}: no store here yet; ingest a snapshot or run `backlog-health demo`")
        if file.exists() and file.is_dir():
            raise StoreError(f"{target}: is a folder, expected a DuckDB store file")
        if not read_only:
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"{target}: cannot create its folder ({error.strerror})") from None
    con = _open(target, read_only and not in_memory, wait_seconds, waiting)
    try:
        if read_only and not in_memory:
            version = schema_version(con)
            latest = migrations(migrations_folder)[-1][0]
            if version != latest:
                raise OldSchemaError(
                    f"{target}: the store has schema version {version}, this release needs "
                    f"{latest}; run any write command (e.g. `backlog-health snapshots`) to migrate it"
                )
        else:
            migrate(con, migrations_folder)
    except duckdb.Error as error:
        _close_quietly(con)
        if not is_file_problem(error):
            raise
        raise store_error(target, error) from None
    except BaseException:
        _close_quietly(con)
        raise
    return con


def connect_to_read(path: str | Path | None = None, **options) -> duckdb.DuckDBPyConnection:
    """Open the store for a command that only reads: as a writer when it can (so a store of an
    older release is migrated first), read-only when its file or folder is not writable."""
    try:
        return connect(path, **options)
    except ReadOnlyStoreError:
        return connect(path, read_only=True, **options)


def _close_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection whose store just failed; a second error on the way out would only
    hide the first."""
    try:
        con.close()
    except duckdb.Error:
        pass


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, if any: DuckDB has already rolled back a transaction
    whose commit failed (e.g. on a full disk), and an error from rolling back would hide why."""
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass


def _open(
    target: str, read_only: bool, wait_seconds: float, waiting: Callable[[str], None] | None
) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    pause = 0.05
    while True:
        try:
            return duckdb.connect(target, read_only=read_only)
        except duckdb.IOException as error:
            if _is_lock_error(error) and time.monotonic() + pause < deadline:
                if waiting is not None and pause == 0.05:
                    waiting(f"{target}: in use by another process; waiting up to {wait_seconds:g} s for it to finish")
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
                continue
            raise store_error(target, error, wait_seconds) from None
        except duckdb.Error as error:
            raise store_error(target, error) from None


def _is_lock_error(error: BaseException) -> bool:
    return "lock" in str(error).lower()


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


_DAMAGED = ("could not read enough bytes", "checksum", "corrupt", "invalid block", "failed to load metadata")
_FULL = ("no space left", "file too large", "disk is full", "disk full", "quota exceeded")
_READ_ONLY = ("permission denied", "read-only file system")


def is_file_problem(error: BaseException) -> bool:
    """True when DuckDB's error is about the store file (locked, not a store, damaged, disk
    full, read-only) rather than about a query."""
    text = str(error).lower()
    return (
        _is_lock_error(error)
        or "not a valid duckdb database" in text
        or any(mark in text for mark in _DAMAGED + _FULL + _READ_ONLY)
    )


def store_error(target: str | Path, error: BaseException, waited: float = 0.0) -> StoreError:
    """The StoreError for DuckDB's `error` on the store at `target` (see `explain_error`)."""
    kind = ReadOnlyStoreError if _is_read_only(error) else StoreError
    return kind(explain_error(target, error, waited))


def _is_read_only(error: BaseException) -> bool:
    text = str(error).lower()
    return not _is_lock_error(error) and any(mark in text for mark in _READ_ONLY)


def explain_error(target: str | Path, error: BaseException, waited: float = 0.0) -> str:
    """One line saying why the store at `target` could not be opened, read or written, and
    what to do; DuckDB's own first line is kept in brackets where it adds a detail."""
    text = str(error).lower()
    detail = _first_line(error)
    if _is_lock_error(error):
        return (
            f"{target}: the store is still in use by another process after waiting {waited:g} s "
            "(another ingest writing to it); try again when it finishes"
        )
    if "not a valid duckdb database" in text or "invalid input" in text:
        return f"{target}: is not a backlog-health store (not a DuckDB database file); it was left untouched"
    if any(mark in text for mark in _DAMAGED):
        return (
            f"{target}: the store file is damaged ({detail}); it was left untouched: restore it from a "
            "backup, or move it away to start a new store"
        )
    if any(mark in text for mark in _FULL):
        return (
            f"{target}: the disk is full (or the file size limit was reached) while writing the store "
            f"({detail}); nothing was written, the store is as it was: free some space and try again"
        )
    if any(mark in text for mark in _READ_ONLY):
        return (
            f"{target}: cannot write to the store: the file or its folder is read-only for this user "
            f"({detail}); nothing was written"
        )
    return f"{target}: the store could not be opened, read or written ({detail})"


@dataclass(frozen=True)
class WriteResult:
    """What `write_snapshot` did: the snapshot's id and whether it was new."""

    snapshot_id: int
    created: bool


def write_snapshot(
    con: duckdb.DuckDBPyConnection,
    snapshot: Snapshot,
    *,
    ingested_at: datetime | None = None,
    scan_duplicates: bool = True,
    repeat: Literal["never", "if-changed", "always"] = "never",
) -> WriteResult:
    """Store `snapshot` in one transaction; a snapshot with the same content for the same
    backlog is not stored again (its existing id comes back with `created=False`).

    `repeat` says when unchanged content is stored again as a new observation: "never"
    (re-reading a file adds nothing), "if-changed" (only unless it equals the backlog's
    latest snapshot, so A, B, A is three snapshots) or "always" (a scheduled live ingest).

    With `scan_duplicates`, the duplicate candidates of its backlog items are found first
    and stored in the same transaction (see `duplicate_scan`).
    """
    items, links, sprints = tables = snapshot.arrow_tables()
    digest = content_hash(tables)
    existing = _same_content(con, snapshot.backlog, digest, repeat)
    if existing is not None:
        return WriteResult(existing, created=False)
    candidates = _duplicate_candidates(con, snapshot) if scan_duplicates else None
    con.execute("begin transaction")
    try:
        snapshot_id = first_row(
            con,
            sql("insert_snapshot"),
            {
                "backlog": snapshot.backlog,
                "taken_at": snapshot.taken_at,
                "source_kind": snapshot.source_kind,
                "source_name": snapshot.source_name,
                "content_hash": digest,
                "row_count": snapshot.row_count,
                "backlog_items": snapshot.backlog_item_count,
                "ingested_at": ingested_at or _utcnow(),
            },
        )[0]
        _insert_items(con, items, snapshot_id)
        _insert(con, "insert_links", "new_links", links, snapshot_id)
        _insert(con, "insert_sprints", "new_sprints", sprints, snapshot_id)
        if candidates is not None:
            con.execute(
                sql("insert_duplicate_scan"),
                {"snapshot_id": snapshot_id, "min_score": SCAN_MIN_SCORE, "method": SCAN_METHOD},
            )
            _insert(con, "insert_duplicate_candidates", "new_candidates",
                    pa.Table.from_pandas(candidates, preserve_index=False), snapshot_id)
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise
    return WriteResult(int(snapshot_id), created=True)


def _same_content(con: duckdb.DuckDBPyConnection, backlog: str, digest: str, repeat: str) -> int | None:
    """The id of the stored snapshot that makes writing this content unnecessary, if any."""
    if repeat == "always":
        return None
    if repeat == "if-changed":
        latest = first_row(con, sql("latest_snapshot"), {"backlog": backlog})
        return int(latest[0]) if latest and latest[1] == digest else None
    if repeat != "never":
        raise ValueError(f"repeat: expected never, if-changed or always, got {repeat!r}")
    existing = first_row(con, sql("find_snapshot_by_hash"), {"backlog": backlog, "content_hash": digest})
    return int(existing[0]) if existing else None


def _duplicate_candidates(con: duckdb.DuckDBPyConnection, snapshot: Snapshot) -> pd.DataFrame:
    """The candidates of the backlog's latest scanned snapshot when its backlog items have
    exactly these keys and texts (the scan's answer would be the same), else a new scan."""
    latest = first_row(
        con, sql("latest_scan"), {"backlog": snapshot.backlog, "method": SCAN_METHOD, "min_score": SCAN_MIN_SCORE}
    )
    if latest is not None:
        stored = frame(con, sql("scan_texts"), {"snapshot_id": latest[0]})
        if scan_texts(stored) == snapshot_scan_texts(snapshot):
            return stored_candidates(con, latest[0], SCAN_MIN_SCORE)
    return scan_candidates(snapshot)


ITEM_VERSIONS_SINCE = 4  # schema version that stores item history as versions


def _insert_items(con: duckdb.DuckDBPyConnection, items: pa.Table, snapshot_id: int) -> None:
    """Store a snapshot's rows: each item state not already in the backlog's previous
    snapshot becomes a new version, and every row points at its version."""
    if schema_version(con) < ITEM_VERSIONS_SINCE:  # a store kept at an older version
        _insert(con, "insert_items", "new_items", items, snapshot_id)
        return
    _insert(con, "stage_items", "new_items", items, snapshot_id)
    con.execute(sql("insert_item_versions"))
    con.execute(sql("insert_item_rows"), {"snapshot_id": snapshot_id})
    con.execute("drop table staged_items")  # a failure rolls back its creation with the rest


def _insert(con: duckdb.DuckDBPyConnection, query: str, view: str, table, snapshot_id: int) -> None:
    con.register(view, table)
    try:
        con.execute(sql(query), {"snapshot_id": snapshot_id})
    finally:
        con.unregister(view)


def list_snapshots(con: duckdb.DuckDBPyConnection, backlog: str | None = None) -> pd.DataFrame:
    """Every snapshot (of `backlog`, if given), by backlog then time."""
    return con.execute(sql("list_snapshots"), {"backlog": backlog}).df()


def list_backlogs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each backlog with its number of snapshots and latest observation time."""
    return con.execute(sql("backlogs")).df()


def resolve_snapshot(
    con: duckdb.DuckDBPyConnection, backlog: str | None = None, at: str | int = "latest"
) -> int:
    """The id of snapshot `at` (an id, or "latest" of `backlog`).

    Without a backlog, "latest" needs the store to hold exactly one backlog.
    """
    snapshots = list_snapshots(con, backlog)
    if snapshots.empty:
        if backlog is not None and not list_snapshots(con).empty:
            names = ", ".join(list_backlogs(con)["backlog"])
            raise NotFoundError(f'no backlog named "{backlog}"; the store has: {names}')
        raise NotFoundError("the store has no snapshots yet; ingest one or run `backlog-health demo`")
    if str(at) != "latest":
        try:
            wanted = int(at)
        except ValueError:
            raise NotFoundError(f'--at expects a snapshot id or "latest", got "{at}"') from None
        if wanted not in set(snapshots["id"]):
            raise NotFoundError(f"no snapshot {wanted}" + (f' in backlog "{backlog}"' if backlog else ""))
        return wanted
    if backlog is None and snapshots["backlog"].nunique() > 1:
        names = ", ".join(sorted(snapshots["backlog"].unique()))
        raise NotFoundError(f"the store holds several backlogs ({names}); choose one with --backlog")
    latest = snapshots.sort_values(["taken_at", "id"]).iloc[-1]
    return int(latest["id"])


def snapshot_items(
    con: duckdb.DuckDBPyConnection, snapshot_id: int, *, all_rows: bool = False
) -> pd.DataFrame:
    """The backlog items of a snapshot in rank order (`all_rows`: every row, backlog first)."""
    return con.execute(
        sql("snapshot_items"), {"snapshot_id": snapshot_id, "all_rows": all_rows}
    ).df()


def snapshot_links(con: duckdb.DuckDBPyConnection, snapshot_id: int) -> pd.DataFrame:
    """The issue links recorded in a snapshot."""
    return frame(con, sql("snapshot_links"), {"snapshot_id": snapshot_id})


def snapshot_sprints(con: duckdb.DuckDBPyConnection, snapshot_id: int) -> pd.DataFrame:
    """The sprints known to a snapshot (names only for CSV exports)."""
    return frame(con, sql("snapshot_sprints"), {"snapshot_id": snapshot_id})


def load_snapshot(
    con: duckdb.DuckDBPyConnection,
    snapshot_id: int,
    *,
    with_raw: bool = True,
    columns: Iterable[str] | None = None,
) -> Snapshot:
    """A stored snapshot back as a `Snapshot`: every row, backlog items first in rank
    order, then the others in source order.

    `with_raw=False` leaves `description_raw` empty (metrics need only the plain text);
    `columns` reads only those item columns (reading fewer is much faster).
    """
    return load_snapshots(con, [snapshot_id], with_raw=with_raw, columns=columns)[snapshot_id]


def _fill_empty_collections(items: pd.DataFrame) -> None:
    """Null lists become empty lists and maps become dicts, as in a freshly read snapshot."""
    for column in ("labels", "components", "fix_versions", "sprints"):
        if column in items:
            items[column] = [v if v is not None else [] for v in items[column]]
    if "custom_fields" in items:
        items["custom_fields"] = [dict(v) if v else {} for v in items["custom_fields"]]


def load_snapshots(
    con: duckdb.DuckDBPyConnection,
    snapshot_ids: list[int],
    *,
    with_raw: bool = False,
    columns: Iterable[str] | None = None,
) -> dict[int, Snapshot]:
    """Several stored snapshots at once, by id (see `load_snapshot`): one query per table
    however many snapshots, which is what makes histories fast."""
    params = {"snapshot_ids": [int(i) for i in snapshot_ids]}
    selected = None
    if columns is not None:
        wanted = set(columns) | {"snapshot_id"}
        selected = ["snapshot_id"] + [c for c in ITEM_COLUMNS if c in wanted]
    rows = frame(con, sql("snapshots_rows"), {**params, "with_raw": with_raw}, selected)
    _fill_empty_collections(rows)
    links = frame(con, sql("snapshots_links"), params)
    sprints = frame(con, sql("snapshots_sprints"), params)
    meta = con.execute(sql("snapshots_meta"), params).fetchall()

    def part(table: pd.DataFrame, snapshot_id: int) -> pd.DataFrame:
        bounds = table["snapshot_id"].searchsorted([snapshot_id, snapshot_id + 1])
        return table.iloc[bounds[0] : bounds[1]].drop(columns="snapshot_id").reset_index(drop=True)

    result = {}
    for snapshot_id, backlog, taken_at, source_kind, source_name, row_count in meta:
        result[int(snapshot_id)] = Snapshot(
            backlog=backlog,
            taken_at=taken_at,
            source_kind=source_kind,
            source_name=source_name,
            items=part(rows, snapshot_id),
            links=part(links, snapshot_id),
            sprints=part(sprints, snapshot_id),
            source_rows=row_count,
            snapshot_id=int(snapshot_id),
        )
    missing = set(params["snapshot_ids"]) - set(result)
    if missing:
        raise NotFoundError(f"no snapshot {min(missing)}")
    return result


def previous_snapshot_id(con: duckdb.DuckDBPyConnection, snapshot_id: int) -> int | None:
    """The snapshot of the same backlog taken just before `snapshot_id`, if any."""
    row = first_row(con, sql("previous_snapshot"), {"snapshot_id": snapshot_id})
    return None if row is None else int(row[0])


def stored_candidates(
    con: duckdb.DuckDBPyConnection, snapshot_id: int, min_score: float
) -> pd.DataFrame | None:
    """The duplicate candidates stored with a snapshot scoring at least `min_score`,
    or None when the snapshot was not scanned (or not down to that score, or by an older
    method): then the caller computes them."""
    params = {"snapshot_id": snapshot_id, "min_score": min_score, "method": SCAN_METHOD}
    if not first_row(con, sql("has_duplicate_scan"), params)[0]:
        return None
    return frame(con, sql("stored_candidates"), params)


DECISIONS = ("dismissed", "confirmed")


def record_duplicate_decision(
    con: duckdb.DuckDBPyConnection, backlog: str, key_1: str, key_2: str, decision: str
) -> None:
    """Remember that a person dismissed or confirmed the pair (key_1, key_2)."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}")
    if key_1 == key_2:
        raise NotFoundError(f"a pair needs two different keys, got {key_1} twice")
    key_a, key_b = sorted((key_1, key_2))
    con.execute(
        sql("upsert_duplicate_decision"),
        {"backlog": backlog, "key_a": key_a, "key_b": key_b, "decision": decision, "decided_at": _utcnow()},
    )


def duplicate_decisions(con: duckdb.DuckDBPyConnection, backlog: str) -> pd.DataFrame:
    """Every dismissed or confirmed pair of `backlog` (key_a < key_b)."""
    return frame(con, sql("duplicate_decisions"), {"backlog": backlog})


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the store holds no snapshot."""
    return first_row(con, "select count(*) from snapshots")[0] == 0
