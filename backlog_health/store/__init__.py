"""The snapshot store: the one place that knows the DuckDB schema.

`connect` opens a DuckDB store file (created and migrated for a writer) or a Parquet export
folder (read-only) as a `Store`; `write_snapshot` adds one snapshot in one transaction, so a
failure leaves the store as it was; the readers return DataFrames or `Snapshot`s. Errors are
`StoreError`s (see `backlog_health.errors`), never DuckDB's.

    schema      migrations, schema version, migrate (imports nothing else of the store)
    parquet     an export folder opened as DuckDB views
    connection  connect, the lock wait, the `Store` and its translation of DuckDB's errors
    read        snapshots, items, links, sprints, duplicate candidates and decisions
    write       write_snapshot, duplicate decisions
    export      the store written as Hive-partitioned Parquet
    queries     the `.sql` files under sql/ (migrations/ holds the schema's history)
"""

from __future__ import annotations

import importlib
from typing import Any

from backlog_health.store.connection import (
    DB_ENV,
    DEFAULT_DB,
    Relation,
    Store,
    connect,
    connect_to_read,
    default_db_path,
)
from backlog_health.store.listing import snapshot_records
from backlog_health.store.schema import latest_version, migrate, migrations, schema_version

# Reading frames and writing snapshots need pandas and pyarrow, which take longer to import
# than DuckDB itself: they load on first use, so listing snapshots does not wait for them.
_LAZY = {
    "backlog_health.store.read": (
        "duplicate_decisions", "first_row", "frame", "is_empty", "list_backlogs", "list_snapshots",
        "load_snapshot", "load_snapshots", "other_backlogs_with_same_content", "snapshot_items", "snapshot_links",
        "snapshot_sprints", "snapshot_warnings", "snapshots_candidates", "stored_candidates",
    ),
    "backlog_health.store.lookup": ("previous_snapshot_id", "resolve_snapshot"),
    "backlog_health.store.write": ("DECISIONS", "WriteResult", "record_duplicate_decision", "rollback", "write_snapshot"),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)


__all__ = [
    "DB_ENV",
    "DECISIONS",
    "DEFAULT_DB",
    "Relation",
    "Store",
    "WriteResult",
    "connect",
    "connect_to_read",
    "default_db_path",
    "duplicate_decisions",
    "first_row",
    "frame",
    "is_empty",
    "latest_version",
    "list_backlogs",
    "list_snapshots",
    "load_snapshot",
    "load_snapshots",
    "migrate",
    "migrations",
    "other_backlogs_with_same_content",
    "previous_snapshot_id",
    "record_duplicate_decision",
    "resolve_snapshot",
    "rollback",
    "schema_version",
    "snapshot_items",
    "snapshot_links",
    "snapshot_records",
    "snapshot_sprints",
    "snapshot_warnings",
    "snapshots_candidates",
    "stored_candidates",
    "write_snapshot",
]
