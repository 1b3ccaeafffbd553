"""A Parquet export (see `backlog_health.store.export`) opened as a store.

`open_parquet_folder` gives an in-memory DuckDB connection whose views carry the store's
relation names and column types over the export's files, so every query, metric, CLI
command and dashboard page reads a folder exactly as it reads a store file. `connect`
hands it out as a `Store` that is not mutable: writes are refused with one line before
DuckDB sees them.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from backlog_health.errors import StoreError
from backlog_health.store.schema import latest_version, migrate

MANIFEST = "_backlog_health.json"
FORMAT = "backlog-health parquet export"
FORMAT_VERSION = 1
# Each exported relation and its Hive partition columns, outermost first.
PARTITIONS: dict[str, tuple[str, ...]] = {
    "snapshots": ("backlog", "snapshot_date"),
    "items": ("backlog", "snapshot_date"),
    "links": ("backlog", "snapshot_date"),
    "sprints": ("backlog", "snapshot_date"),
    "duplicate_scans": ("backlog", "snapshot_date"),
    "duplicate_candidates": ("backlog", "snapshot_date"),
    "duplicate_decisions": ("backlog",),
    "snapshot_warnings": ("backlog", "snapshot_date"),
}
PARTITION_TYPES = {"backlog": "VARCHAR", "snapshot_date": "DATE"}


def read_manifest(folder: Path) -> dict[str, Any]:
    """The export's manifest, checked to be one; StoreError (one line) otherwise."""
    file = Path(folder) / MANIFEST
    if not file.is_file():
        raise StoreError(
            f"{folder}: is a folder but not a backlog-health Parquet export (no {MANIFEST}); "
            "expected a DuckDB store file or an export folder"
        )
    try:
        manifest = json.loads(file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StoreError(f"{file}: cannot read the export's manifest ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise StoreError(f'{file}: expected a manifest with "format": "{FORMAT}"')
    if manifest.get("format_version") != FORMAT_VERSION or not isinstance(manifest.get("schema_version"), int):
        raise StoreError(
            f"{file}: export format version {manifest.get('format_version')}, this release reads "
            f"{FORMAT_VERSION}; export it again with this release"
        )
    try:
        manifest["exported_at"] = datetime.fromisoformat(str(manifest.get("exported_at")).removesuffix("Z"))
    except ValueError:
        raise StoreError(f'{file}: "exported_at" should be an ISO-8601 time') from None
    return manifest


@cache
def store_columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """Each exported relation's (column, type) pairs in the current schema, read off a
    throw-away in-memory store built from the migrations."""
    con = duckdb.connect(":memory:")
    try:
        migrate(con)
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() and table_schema = 'main' "
            "order by table_name, ordinal_position"
        ).fetchall()
    finally:
        con.close()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        columns.setdefault(table, []).append((column, kind))
    return {table: tuple(columns[table]) for table in PARTITIONS}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _view_sql(folder: Path, table: str) -> str:
    """The view over one relation's files, with the store's column names, order and types.

    Views take no bound parameters, so the file list is written as quoted literals; names
    and types come from the migrations, never from the folder. Files are listed rather than
    globbed so that glob characters in the folder's path mean nothing.
    """
    columns = store_columns()[table]
    files = sorted(str(p) for p in (Path(folder) / table).rglob("*.parquet") if p.is_file())
    select = ", ".join(f"cast({_ident(c)} as {kind}) as {_ident(c)}" for c, kind in columns)
    if not files:
        nulls = ", ".join(f"cast(null as {kind}) as {_ident(c)}" for c, kind in columns)
        return f"create view {_ident(table)} as select {nulls} where false"
    types = ", ".join(f"{_quote(p)}: {_quote(PARTITION_TYPES[p])}" for p in PARTITIONS[table])
    listing = ", ".join(_quote(f) for f in files)
    return (
        f"create view {_ident(table)} as select {select} from read_parquet([{listing}], "
        f"hive_partitioning = true, hive_types = {{{types}}}, hive_types_autocast = false)"
    )


def open_parquet_folder(folder: str | Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection over an export folder (views named like the store's
    relations); see `connect`, which opens a folder as a store that is not mutable."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    latest = latest_version()
    if manifest["schema_version"] != latest:
        raise StoreError(
            f"{folder}: the export has schema version {manifest['schema_version']}, this release reads "
            f"{latest}; export the store again with this release"
        )
    con = duckdb.connect(":memory:")
    try:
        for table in PARTITIONS:
            view = _view_sql(folder, table)
            con.execute(view)
            probe = f"select * from {_ident(table)} limit 0"
            try:
                con.execute(probe).fetchall()
            except duckdb.Error as error:
                first = str(error).strip().splitlines()[0]
                raise StoreError(f"{folder / table}: not a complete backlog-health export ({first})") from None
        con.execute("create table schema_version (version integer primary key, applied_at timestamp not null)")
        con.execute(
            "insert into schema_version values ($version, $at)", {"version": latest, "at": manifest["exported_at"]}
        )
    except BaseException:
        con.close()
        raise
    return con
