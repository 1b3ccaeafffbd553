"""Writing the store: a snapshot in one transaction (so a failure leaves the store as it
was), and a person's duplicate decisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import duckdb
import pyarrow as pa

from backlog_health.duplicate_scan import (
    SCAN_METHOD,
    SCAN_MIN_SCORE,
    Scan,
    ScanBasis,
    scan_candidates,
    scan_texts,
    snapshot_scan_texts,
)
from backlog_health.errors import NotFoundError, StoreError
from backlog_health.model import REBUILT_SOURCE_KINDS, Snapshot, content_hash, is_rebuilt
from backlog_health.store.connection import Store
from backlog_health.store.queries import sql
from backlog_health.store.read import WARNINGS_SINCE, first_row, frame, stored_candidates
from backlog_health.store.schema import schema_version, utcnow
from backlog_health.text_facts import STORED_SINCE as TEXT_FACTS_SINCE
from backlog_health.text_facts_columns import with_text_facts

ITEM_VERSIONS_SINCE = 4  # schema version that stores item history as versions
SCAN_BASIS_SINCE = 7  # schema version whose scans record what a later scan can build on
DECISIONS = ("dismissed", "confirmed")


@dataclass(frozen=True)
class WriteResult:
    """What `write_snapshot` did: the snapshot's id and whether it was new."""

    snapshot_id: int
    created: bool
    scan_finished: bool = False  # an existing snapshot whose interrupted duplicate scan this write finished


def write_snapshot(
    con: Store,
    snapshot: Snapshot,
    *,
    ingested_at: datetime | None = None,
    scan_duplicates: bool = True,
    repeat: Literal["never", "if-changed", "always"] = "never",
    candidates_per_item: int = 10,
    scanning: Callable[[int, int], None] | None = None,
) -> WriteResult:
    """Store `snapshot` in one transaction; a snapshot with the same content for the same
    backlog is not stored again (its existing id comes back with `created=False`).

    `repeat` says when unchanged content is stored again as a new observation: "never"
    (re-reading a file adds nothing), "if-changed" (only unless it equals the backlog's
    latest snapshot, so A, B, A is three snapshots) or "always" (a scheduled live ingest).

    Rebuilt snapshots (`model.REBUILT_SOURCE_KINDS`) are stored once per moment: not where
    any snapshot of the backlog at the same `taken_at` already is (a real one wins, a rebuilt
    one is the same backfill again). A real snapshot replaces the rebuilt ones of its moment,
    in the same transaction.

    With `scan_duplicates`, the duplicate candidates of its backlog items are then found and
    stored in a transaction of their own, at most `candidates_per_item` per item (see
    `duplicate_scan`): the snapshot is durable before the scan starts, a snapshot whose scan was
    interrupted is read without stored candidates (they are computed when asked for), and
    writing the same content again scans it. `scanning(snapshot_id, backlog_items)` is told
    when a scan starts.
    """
    items, links, sprints = tables = snapshot.arrow_tables()
    digest = content_hash(tables)
    moment = {"backlog": snapshot.backlog, "taken_at": snapshot.taken_at, "rebuilt_kinds": list(REBUILT_SOURCE_KINDS)}
    if is_rebuilt(snapshot.source_kind):
        existing = first_row(con, sql("find_snapshot_at"), moment)
        if existing is not None:
            return WriteResult(int(existing[0]), created=False)
    else:
        found = _same_content(con, snapshot.backlog, digest, repeat)
        if found is not None:
            if scan_duplicates and not _scanned(con, found):
                _store_scan(con, snapshot, found, candidates_per_item, scanning)
                return WriteResult(found, created=False, scan_finished=True)
            return WriteResult(found, created=False)
    replaced = [int(row[0]) for row in con.execute(sql("rebuilt_snapshots_at"), moment).fetchall()]
    con.execute("begin transaction")
    try:
        if replaced and not is_rebuilt(snapshot.source_kind):
            _delete_snapshots(con, replaced)
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
                "ingested_at": ingested_at or utcnow(),
            },
        )[0]
        _insert_items(con, items, snapshot_id)
        _insert(con, "insert_links", "new_links", links, snapshot_id)
        _insert(con, "insert_sprints", "new_sprints", sprints, snapshot_id)
        if snapshot.warnings and schema_version(con) >= WARNINGS_SINCE:
            _insert(con, "insert_snapshot_warnings", "new_warnings", _warnings_table(snapshot.warnings), snapshot_id)
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise
    if scan_duplicates:
        del items, links, sprints, tables  # the scan reads three columns of the frame, not these copies
        _store_scan(con, snapshot, int(snapshot_id), candidates_per_item, scanning)
    return WriteResult(int(snapshot_id), created=True)


def _scanned(con: Store, snapshot_id: int) -> bool:
    params = {"snapshot_id": snapshot_id, "min_score": SCAN_MIN_SCORE, "method": SCAN_METHOD}
    return bool(first_row(con, sql("has_duplicate_scan"), params)[0])


def _store_scan(
    con: Store, snapshot: Snapshot, snapshot_id: int, per_item: int, scanning: Callable[[int, int], None] | None
) -> None:
    """Find the duplicate candidates of a stored snapshot and store them in one transaction."""
    if scanning is not None:
        scanning(snapshot_id, snapshot.backlog_item_count)
    _release_freed_memory(con)
    scan = _duplicate_scan(con, snapshot, per_item)
    con.execute("begin transaction")
    try:
        params = {"snapshot_id": snapshot_id, "min_score": SCAN_MIN_SCORE, "method": SCAN_METHOD}
        if schema_version(con) < SCAN_BASIS_SINCE:  # a store kept at an older version
            con.execute(sql("insert_duplicate_scan_v3"), params)
        else:
            con.execute(sql("insert_duplicate_scan"), params | {
                "per_item": per_item, "model_snapshot_id": scan.model_snapshot_id, "capped": scan.capped})
        _insert(con, "insert_duplicate_candidates", "new_candidates",
                pa.Table.from_pandas(scan.candidates, preserve_index=False), snapshot_id)
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise


def _release_freed_memory(con: Store) -> None:
    """Give the system back what Arrow's pool and DuckDB's allocator kept of the snapshot's
    write (about 400 MB at 200,000 rows) before the scan: it allocates elsewhere and cannot reuse
    it. DuckDB's allocator background threads return what DuckDB freed."""
    pa.default_memory_pool().release_unused()
    con.execute(sql("release_allocator_memory"))


def _warnings_table(warnings: tuple[str, ...]) -> pa.Table:
    return pa.table({"position": pa.array(range(1, len(warnings) + 1), pa.int32()),
                     "message": pa.array(warnings, pa.string())})


def _delete_snapshots(con: Store, snapshot_ids: list[int]) -> None:
    """Delete snapshots (rebuilt ones a real one replaces) inside the caller's transaction:
    their rows, links, sprints and duplicate scan, then the snapshots."""
    ids = {"snapshot_ids": snapshot_ids}
    con.execute(sql("delete_item_rows"), ids)
    con.execute(sql("delete_links"), ids)
    con.execute(sql("delete_sprints"), ids)
    con.execute(sql("delete_duplicate_candidates"), ids)
    con.execute(sql("delete_duplicate_scans"), ids)
    con.execute(sql("delete_snapshots"), ids)


def rollback(con: Store) -> None:
    """Roll back the open transaction, if any: DuckDB has already rolled back a transaction
    whose commit failed (e.g. on a full disk), and an error from rolling back would hide why."""
    try:
        con.execute("rollback")
    except (StoreError, duckdb.Error):
        pass


def _same_content(con: Store, backlog: str, digest: str, repeat: str) -> int | None:
    """The id of the stored snapshot that makes writing this content unnecessary, if any."""
    if repeat == "always":
        return None
    if repeat == "if-changed":
        latest = first_row(con, sql("latest_snapshot"), {"backlog": backlog})
        return int(latest[0]) if latest and latest[1] == digest else None
    if repeat != "never":
        raise ValueError(f"repeat: expected never, if-changed or always, got {repeat!r}")
    existing = first_row(
        con, sql("find_snapshot_by_hash"),
        {"backlog": backlog, "content_hash": digest, "rebuilt_kinds": list(REBUILT_SOURCE_KINDS)},
    )
    return int(existing[0]) if existing else None


def _duplicate_scan(con: Store, snapshot: Snapshot, per_item: int) -> Scan:
    """The scan of the backlog's latest scanned snapshot when its backlog items have exactly
    these keys and texts (the answer would be the same), else a scan built on it."""
    params = {"backlog": snapshot.backlog, "method": SCAN_METHOD, "min_score": SCAN_MIN_SCORE, "per_item": per_item}
    latest = first_row(con, sql("latest_scan"), params) if schema_version(con) >= SCAN_BASIS_SINCE else None
    if latest is None:
        return scan_candidates(snapshot, per_item=per_item)
    latest_id, model_id, capped = int(latest[0]), int(latest[1]), bool(latest[2])
    texts = frame(con, sql("scan_texts"), {"snapshot_id": latest_id})
    candidates = stored_candidates(con, latest_id, SCAN_MIN_SCORE)
    if scan_texts(texts) == snapshot_scan_texts(snapshot):
        return Scan(candidates, model_id, capped)
    model_texts = texts if model_id == latest_id else frame(con, sql("scan_texts"), {"snapshot_id": model_id})
    if model_texts.empty:  # the model's snapshot is gone (a rebuilt one that a real one replaced)
        return scan_candidates(snapshot, per_item=per_item)
    return scan_candidates(snapshot, per_item=per_item, basis=ScanBasis(texts, candidates, capped, model_texts, model_id))


def _insert_items(con: Store, items: pa.Table, snapshot_id: int) -> None:
    """Store a snapshot's rows: each item state not already in the backlog's previous
    snapshot becomes a new version, and every row points at its version."""
    if schema_version(con) < ITEM_VERSIONS_SINCE:  # a store kept at an older version
        _insert(con, "insert_items", "new_items", items, snapshot_id)
        return
    staged = with_text_facts(items) if schema_version(con) >= TEXT_FACTS_SINCE else items
    # The new states' columns go from Arrow to item_versions once; the staged table holds ids.
    _insert(con, "stage_items", "new_items", staged, snapshot_id)
    _insert(con, "insert_item_versions", "new_items", staged, snapshot_id)
    con.execute(sql("insert_item_rows"), {"snapshot_id": snapshot_id})
    con.execute("drop table staged_items")  # a failure rolls back its creation with the rest


def _insert(con: Store, query: str, view: str, table: pa.Table, snapshot_id: int) -> None:
    """Run the package query `query` over `table` registered as `view` (with the snapshot id
    when the query names `$snapshot_id`)."""
    con.register(view, table)
    try:
        text = sql(query)
        con.execute(text, {"snapshot_id": snapshot_id} if "$snapshot_id" in text else None)
    finally:
        con.unregister(view)


def record_duplicate_decision(con: Store, backlog: str, key_1: str, key_2: str, decision: str) -> None:
    """Remember that a person dismissed or confirmed the pair (key_1, key_2)."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}")
    if key_1 == key_2:
        raise NotFoundError(f"a pair needs two different keys, got {key_1} twice")
    key_a, key_b = sorted((key_1, key_2))
    con.execute(
        sql("upsert_duplicate_decision"),
        {"backlog": backlog, "key_a": key_a, "key_b": key_b, "decision": decision, "decided_at": utcnow()},
    )
