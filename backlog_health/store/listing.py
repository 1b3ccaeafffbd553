"""The snapshot listing as plain records, without pandas: all `backlog-health snapshots`
needs, so that it starts about as fast as DuckDB itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from backlog_health.store.connection import Store
from backlog_health.store.queries import sql


def snapshot_records(con: Store, backlog: str | None = None) -> list[dict[str, Any]]:
    """Every snapshot (of `backlog`, if given), by backlog then time, as dicts with ISO times."""
    result = con.execute(sql("list_snapshots"), {"backlog": backlog})
    columns = [column[0] for column in result.description]
    return [
        {column: value.isoformat() if isinstance(value, date) else value for column, value in zip(columns, row)}
        for row in result.fetchall()
    ]
