"""Export the store as Hive-partitioned Parquet that other engines read.

Each relation goes to `FOLDER/<relation>/backlog=<name>/snapshot_date=<YYYY-MM-DD>/*.parquet`
(`duplicate_decisions`: by backlog only) with every column of the store, plus a manifest
(`_backlog_health.json`). The export is written to a temporary sibling folder and renamed
into place, so a folder holds a whole export or none; a folder that is neither empty nor a
previous export is never touched. `connect` opens such a folder as a store that is not mutable
(see `backlog_health.store.parquet`).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from backlog_health.errors import InputError, NotFoundError, StoreError
from backlog_health.store.connection import Store
from backlog_health.store.parquet import FORMAT, FORMAT_VERSION, MANIFEST, PARTITIONS
from backlog_health.store.queries import sql


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    folder: Path
    backlogs: tuple[str, ...]
    snapshots: int
    rows: dict[str, int]  # rows per relation
    files: int
    bytes: int


def check_target(folder: Path) -> None:
    """Refuse a target that is a file, or a non-empty folder that is not a previous export
    (or holds anything an export does not), so unrelated files are never replaced."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise InputError(str(folder), "is a file; --parquet needs a folder (new, empty, or a previous export)")
    entries = set(os.listdir(folder))
    if not entries:
        return
    if MANIFEST not in entries:
        raise InputError(
            str(folder),
            f"is not empty and is not a backlog-health export (no {MANIFEST}); "
            "choose a new or empty folder (nothing was written)",
        )
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(str(folder / MANIFEST), "is not a backlog-health export manifest; nothing was written")
    unexpected = sorted(entries - {MANIFEST, *PARTITIONS})
    if unexpected:
        raise InputError(
            str(folder),
            f"holds files that are not part of the export ({', '.join(unexpected[:3])}); "
            "move them or choose another folder (nothing was written)",
        )


def export_parquet(con: Store, folder: str | Path, *, backlog: str | None = None) -> ExportSummary:
    """Write the store (or one backlog of it) to `folder` as Hive-partitioned Parquet,
    replacing a previous export there in one rename."""
    folder = Path(folder)
    check_target(folder)
    count, backlogs = con.execute(sql("export_counts"), {"backlog": backlog}).fetchall()[0]
    if count == 0:
        if backlog is not None:
            names = ", ".join(r[0] for r in con.execute(sql("backlogs")).fetchall())
            raise NotFoundError(f'no backlog named "{backlog}"; the store has: {names or "no backlogs"}')
        raise NotFoundError("the store has no snapshots yet; nothing to export")
    version = con.execute("select max(version) from schema_version").fetchall()[0][0]
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    except OSError as error:
        raise StoreError(f"{folder}: cannot create the export folder ({error.strerror})") from None
    try:
        tables = {}
        for table, partition_by in PARTITIONS.items():
            # DuckDB's own connection: a failed COPY is explained as a failed export below.
            tables[table] = _export_table(con.connection, staging, table, partition_by, backlog)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_version": int(version),
            "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "backlog": backlog,
            "backlogs": list(backlogs),
            "snapshots": int(count),
            "tables": tables,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
        files = [p for p in staging.rglob("*") if p.is_file()]
        summary = ExportSummary(
            folder=folder,
            backlogs=tuple(backlogs),
            snapshots=int(count),
            rows={table: info["rows"] for table, info in tables.items()},
            files=len(files),
            bytes=sum(p.stat().st_size for p in files),
        )
        _move_into_place(staging, folder)
    except duckdb.Error as error:
        shutil.rmtree(staging, ignore_errors=True)
        first = str(error).strip().splitlines()[0]
        raise StoreError(f"{folder}: cannot write the export ({first}); nothing was written") from None
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise StoreError(f"{folder}: cannot write the export ({error.strerror}); nothing was written") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary


def _export_table(
    con: duckdb.DuckDBPyConnection, staging: Path, table: str, partition_by: tuple[str, ...], backlog: str | None
) -> dict:
    """COPY one relation into `staging/table`, partitioned; its manifest entry."""
    query = sql(f"export_{table}")
    target = staging / table
    # COPY takes the query's parameters and the target path bound; only the partition
    # column names (constants above) are part of the statement's text.
    statement = f"copy ({query}) to $target (format parquet, partition_by ({', '.join(partition_by)}))"
    rows = con.execute(statement, {"backlog": backlog, "target": str(target)}).fetchall()[0][0]
    target.mkdir(exist_ok=True)  # an empty relation still gets its folder
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = 'main' and table_name = $table "
        "order by ordinal_position",
        {"table": table},
    ).fetchall()
    return {
        "partition_by": list(partition_by),
        "rows": int(rows),
        "columns": dict(columns),
    }


def _move_into_place(staging: Path, folder: Path) -> None:
    """Put the finished export at `folder`: a rename, or an atomic exchange with the
    previous export where the system has one (Linux's renameat2), else two renames."""
    if not folder.exists():
        os.rename(staging, folder)
        return
    if not any(folder.iterdir()):
        folder.rmdir()
        os.rename(staging, folder)
        return
    if _exchange(staging, folder):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous export
        return
    previous = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
    previous.rmdir()
    os.rename(folder, previous)
    try:
        os.rename(staging, folder)
    except OSError:
        os.rename(previous, folder)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
