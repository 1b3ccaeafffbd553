"""The store's schema: its forward migrations, its version, and migrating to the latest.

A leaf of the store package (it imports nothing else of it), so that opening a file and
opening an export folder can both build on it.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import duckdb

from backlog_health.errors import StoreError

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class Connection(Protocol):
    """What the schema needs of a connection: a DuckDB connection, or a `Store`."""

    def execute(self, query: str, parameters: Any = None) -> Any: ...


def utcnow() -> datetime:
    """Now in UTC without an offset (stored as a plain TIMESTAMP)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def migrations(folder: Path | None = None) -> list[tuple[int, str]]:
    """The forward migrations as (version, sql text), oldest first."""
    if folder is None:
        files = resources.files(__package__).joinpath("migrations").iterdir()
    else:
        files = Path(folder).iterdir()
    found = []
    for file in files:
        match = _MIGRATION_NAME.match(file.name)
        if match:
            found.append((int(match.group(1)), file.read_text("utf-8")))
    return sorted(found)


def latest_version(folder: Path | None = None) -> int:
    """The schema version this release's migrations (or those in `folder`) lead to."""
    known = migrations(folder)
    return known[-1][0] if known else 0


def schema_version(con: Connection) -> int:
    """The store's schema version; 0 for an empty database."""
    has_table = con.execute(
        "select count(*) from information_schema.tables where table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not has_table:
        return 0
    return int(con.execute("select max(version) from schema_version").fetchall()[0][0] or 0)


def migrate(con: Connection, folder: Path | None = None) -> int:
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
                {"version": version, "applied_at": utcnow()},
            )
            con.execute("commit")
        except Exception:
            _rollback(con)
            raise
        current = version
    return current


def _rollback(con: Connection) -> None:
    """Roll back a failed migration; an error from rolling back would only hide why it failed."""
    try:
        con.execute("rollback")
    except (duckdb.Error, StoreError):
        pass
