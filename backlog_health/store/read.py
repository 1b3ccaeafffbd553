"""Reading the store: snapshots and their items, links, sprints, duplicate candidates and
decisions, as DataFrames or `Snapshot`s. Every query is a `.sql` file run with bound
parameters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import pyarrow as pa

from backlog_health.duplicate_scan import SCAN_METHOD
from backlog_health.errors import NotFoundError
from backlog_health.model import ITEM_COLUMNS, LIST_COLUMNS, MAP_COLUMNS, Snapshot
from backlog_health.store.connection import Store
from backlog_health.store.lookup import previous_snapshot_id, resolve_snapshot  # noqa: F401 (re-exported)
from backlog_health.store.queries import sql
from backlog_health.store.schema import schema_version

WARNINGS_SINCE = 6  # schema version that stores a snapshot's reading warnings


def first_row(con: Store, query: str, params: dict | None = None) -> tuple | None:
    """The first row of a query, reading the result to its end (DuckDB refuses other work
    on a connection while a result is partly read)."""
    rows = con.execute(query, params or {}).fetchall()
    return rows[0] if rows else None


def frame(
    con: Store,
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


def list_snapshots(con: Store, backlog: str | None = None) -> pd.DataFrame:
    """Every snapshot (of `backlog`, if given), by backlog then time."""
    return con.execute(sql("list_snapshots"), {"backlog": backlog}).df()


def list_backlogs(con: Store) -> pd.DataFrame:
    """Each backlog with its number of snapshots and latest observation time."""
    return con.execute(sql("backlogs")).df()


def is_empty(con: Store) -> bool:
    """True when the store holds no snapshot."""
    return first_row(con, "select count(*) from snapshots")[0] == 0


def other_backlogs_with_same_content(con: Store, snapshot_id: int) -> list[str]:
    """The other backlogs whose latest snapshot holds exactly the content of `snapshot_id`
    (the same export ingested again under a new name, most likely)."""
    return [row[0] for row in con.execute(sql("same_content_elsewhere"), {"snapshot_id": snapshot_id}).fetchall()]


def snapshot_items(con: Store, snapshot_id: int, *, all_rows: bool = False) -> pd.DataFrame:
    """The backlog items of a snapshot in rank order (`all_rows`: every row, backlog first)."""
    return con.execute(sql("snapshot_items"), {"snapshot_id": snapshot_id, "all_rows": all_rows}).df()


def snapshot_links(con: Store, snapshot_id: int) -> pd.DataFrame:
    """The issue links recorded in a snapshot."""
    return frame(con, sql("snapshot_links"), {"snapshot_id": snapshot_id})


def snapshot_sprints(con: Store, snapshot_id: int) -> pd.DataFrame:
    """The sprints known to a snapshot (names only for CSV exports)."""
    return frame(con, sql("snapshot_sprints"), {"snapshot_id": snapshot_id})


def snapshot_warnings(con: Store, snapshot_id: int) -> tuple[str, ...]:
    """What a person should know about how the snapshot's source was read, one line each."""
    if schema_version(con) < WARNINGS_SINCE:  # a store kept at an older version
        return ()
    return tuple(frame(con, sql("snapshot_warnings"), {"snapshot_id": snapshot_id})["message"])


def load_snapshot(
    con: Store,
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
    for column in LIST_COLUMNS:
        if column in items:
            items[column] = [v if v is not None else [] for v in items[column]]
    for column in MAP_COLUMNS:
        if column in items:
            items[column] = [dict(v) if v else {} for v in items[column]]


def load_snapshots(
    con: Store,
    snapshot_ids: list[int],
    *,
    with_raw: bool = False,
    columns: Iterable[str] | None = None,
) -> dict[int, Snapshot]:
    """Several stored snapshots at once, by id (see `load_snapshot`): one query per table
    however many snapshots, which is what makes histories fast."""
    params: dict[str, Any] = {"snapshot_ids": [int(i) for i in snapshot_ids]}
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


def stored_candidates(con: Store, snapshot_id: int, min_score: float) -> pd.DataFrame | None:
    """The duplicate candidates stored with a snapshot scoring at least `min_score`,
    or None when the snapshot was not scanned (or not down to that score, or by an older
    method): then the caller computes them."""
    params = {"snapshot_id": snapshot_id, "min_score": min_score, "method": SCAN_METHOD}
    if not first_row(con, sql("has_duplicate_scan"), params)[0]:
        return None
    return frame(con, sql("stored_candidates"), params)


def snapshots_candidates(con: Store, snapshot_ids: list[int], min_score: float) -> dict[int, pd.DataFrame | None]:
    """`stored_candidates` of several snapshots in one query, by id (None: computed by the caller)."""
    params = {"snapshot_ids": [int(i) for i in snapshot_ids], "min_score": min_score, "method": SCAN_METHOD}
    found = frame(con, sql("snapshots_candidates"), params)
    result: dict[int, pd.DataFrame | None] = dict.fromkeys(params["snapshot_ids"])
    has_pair = found["key_a"].notna().to_numpy()
    pairs = found.loc[has_pair, ["key_a", "key_b", "score"]]
    pair_ids = found["snapshot_id"].to_numpy()[has_pair]
    for snapshot_id in set(found["snapshot_id"].tolist()):
        start, end = pair_ids.searchsorted([snapshot_id, snapshot_id + 1])
        result[int(snapshot_id)] = pairs.iloc[start:end].reset_index(drop=True)
    return result


def duplicate_decisions(con: Store, backlog: str) -> pd.DataFrame:
    """Every dismissed or confirmed pair of `backlog` (key_a < key_b)."""
    return frame(con, sql("duplicate_decisions"), {"backlog": backlog})
