"""The headline figures, defined once in SQL (`sql/figures.sql`), run on DuckDB.

The same text serves a stored snapshot (on the store's own connection, or an export folder's),
a snapshot's frames (registered on an in-memory connection), a whole history or every
backlog's latest snapshot in one pass, and Spark (`backlog_health.spark_engine`). The
rules become bound parameters; the rules' own checks become columns of the `custom_checks`
step, written with sqlglot so names and values are quoted as SQL, never pasted in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

# figures.sql's text and parameters live in figures_query (no pandas); re-exported here.
from backlog_health.metrics.figures_query import STEPS, figures_sql, parameters  # noqa: F401
from backlog_health.metrics.figures_query import run as figures_result
from backlog_health.model import ITEM_SCHEMA, LINK_SCHEMA, SPRINT_SCHEMA, Snapshot, to_arrow
from backlog_health.rules import Rules
from backlog_health.text_facts_columns import TEXT_FACTS_SCHEMA, text_facts

DECISION_SCHEMA = pa.schema(
    [("backlog", pa.string()), ("key_a", pa.string()), ("key_b", pa.string()), ("decision", pa.string())]
)


def run(con: Any, rules: Rules, step: str = "final", **choose: Any) -> pd.DataFrame:
    """figures.sql's `step` on a DuckDB connection (or a store) holding its relations."""
    return figures_result(con, rules, step, **choose).df()


@dataclass(frozen=True)
class Figures:
    """One snapshot's figures: the `final` row, each backlog item's checks (rank order),
    the velocity's sprints (oldest first), the pairs known to be duplicates and the open
    blockers of each blocked item (key, blocker)."""

    final: dict[str, Any]
    items: pd.DataFrame
    velocity_sprints: pd.DataFrame
    known_duplicates: pd.DataFrame
    open_blockers: pd.DataFrame


def snapshot_figures(
    snapshot: Snapshot, rules: Rules, decisions: pd.DataFrame | None = None, *, velocity: float | None = None
) -> Figures:
    """The figures of one snapshot's frames."""
    return frame_figures(snapshot.items, rules, links=snapshot.links, sprints=snapshot.sprints,
                         decisions=decisions, backlog=snapshot.backlog, taken_at=snapshot.taken_at,
                         velocity=velocity)


def frame_figures(
    items: pd.DataFrame,
    rules: Rules,
    *,
    links: pd.DataFrame | None = None,
    sprints: pd.DataFrame | None = None,
    decisions: pd.DataFrame | None = None,
    backlog: str = "",
    taken_at: datetime | None = None,
    velocity: float | None = None,
    steps: tuple[str, ...] = STEPS,
) -> Figures:
    """The figures of one snapshot given as frames (`items`: its rows with `is_backlog` and
    `rank_position`; `velocity`, when given, in place of the one its sprints show), reading
    only `steps` (and `final`): the others come back empty."""
    tables = {
        "snapshots": pa.table({
            "id": pa.array([1], pa.int32()),
            "backlog": pa.array([backlog], pa.string()),
            "taken_at": pa.array([_naive(taken_at or datetime(1970, 1, 1))], pa.timestamp("us")),
        }),
        "items": _with_id(_items_table(items)),
        "links": _with_id(to_arrow(_frame(links), LINK_SCHEMA)),
        "sprints": _with_id(to_arrow(_frame(sprints), SPRINT_SCHEMA)),
        # `decisions` are the backlog's own (a store keeps them per backlog).
        "duplicate_decisions": to_arrow(_frame(decisions).assign(backlog=backlog), DECISION_SCHEMA),
    }
    con = duckdb.connect()
    try:
        for name, table in tables.items():
            con.register(name, table)
        return _split({step: run(con, rules, step, velocity=velocity) for step in {*steps, "final"}})[1]
    finally:
        con.close()


def stored_figures(
    con: Any,
    rules: Rules,
    *,
    backlog: str | None = None,
    snapshot_id: int | None = None,
    steps: tuple[str, ...] = STEPS,
) -> dict[int, Figures]:
    """The figures of every stored snapshot of `backlog` (or of one), in one pass over the store
    per step read (`steps`, and `final`: the others come back empty)."""
    return _split({step: run(con, rules, step, backlog=backlog, snapshot_id=snapshot_id) for step in {*steps, "final"}})


_NOT_READ = pd.DataFrame(
    {name: [] for name in ("snapshot_id", "key", "rank_position", "recency", "key_a", "key_b", "blocker")}
)


def _split(found: dict[str, pd.DataFrame]) -> dict[int, Figures]:
    """Each snapshot's share of the steps' rows (a step not read: none)."""
    found = {step: found.get(step, _NOT_READ) for step in STEPS}
    checks = found["item_checks"].sort_values(["snapshot_id", "rank_position"], kind="stable")
    speed = found["velocity_sprints"].sort_values(["snapshot_id", "recency"], ascending=[True, False], kind="stable")
    pairs = found["known_duplicates"].sort_values(["snapshot_id", "key_a", "key_b"])
    blocking = found["open_blockers"].sort_values(["snapshot_id", "key", "blocker"])
    finals = found["final"].to_dict("records")
    ids = [int(final["snapshot_id"]) for final in finals]
    items, speeds = _by_snapshot(checks, ids), _by_snapshot(speed, ids)
    known, blockers = _by_snapshot(pairs, ids, ["key_a", "key_b"]), _by_snapshot(blocking, ids, ["key", "blocker"])
    return {
        snapshot_id: Figures(final, items[snapshot_id], speeds[snapshot_id], known[snapshot_id], blockers[snapshot_id])
        for snapshot_id, final in zip(ids, finals)
    }


def _by_snapshot(
    rows: pd.DataFrame, snapshot_ids: list[int], columns: list[str] | None = None
) -> dict[int, pd.DataFrame]:
    """The rows (sorted by snapshot_id) of each of `snapshot_ids`, numbered from 0, with only
    `columns` if given: slices, not copies."""
    ids = rows["snapshot_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.zeros(0, np.int64)
    found = {int(ids[start]): (start, end) for start, end in zip(starts, np.r_[starts[1:], len(ids)])}
    chosen = rows if columns is None else rows[columns]
    return {snapshot_id: chosen.iloc[slice(*found.get(snapshot_id, (0, 0)))].reset_index(drop=True)
            for snapshot_id in snapshot_ids}


def _frame(frame: pd.DataFrame | None) -> pd.DataFrame:
    return pd.DataFrame() if frame is None else frame


def _naive(when: datetime) -> datetime:
    stamp = pd.Timestamp(when)
    return (stamp.tz_convert(None) if stamp.tzinfo else stamp).to_pydatetime()


def _items_table(rows: pd.DataFrame) -> pa.Table:
    """The rows as the store's `items`: the model's columns and the text facts (read from
    the store, or computed from the texts for a snapshot not stored)."""
    table = to_arrow(rows, ITEM_SCHEMA)
    if all(name in rows for name in TEXT_FACTS_SCHEMA.names):
        facts = to_arrow(rows, TEXT_FACTS_SCHEMA)
    else:
        facts = text_facts(list(rows["description_text"]) if "description_text" in rows else [None] * len(rows),
                           table.column("custom_fields").to_pylist())
    for name in TEXT_FACTS_SCHEMA.names:
        table = table.append_column(TEXT_FACTS_SCHEMA.field(name), facts.column(name))
    return table


def _with_id(table: pa.Table) -> pa.Table:
    return table.add_column(0, "snapshot_id", pa.array([1] * table.num_rows, pa.int32()))
