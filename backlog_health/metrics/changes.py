"""What changed from each snapshot of a history to the one before it, for every step in one
query over the store (`sql/snapshot_changes.sql`): what growth's flows and churn come from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backlog_health.metrics.sql import sql

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class Step:
    """Snapshot S of a history against the step before it, P (None: the first step), and
    churn's top N (S's near-term size)."""

    snapshot_id: int
    previous_id: int | None
    top_n: int


def snapshot_changes(con: Any, steps: Sequence[Step], movers: int = 10) -> pa.Table:
    """One row per step, in the order given (see the columns of `snapshot_changes.sql`)."""
    return con.sql(sql("snapshot_changes"), params=_parameters(steps, movers)).to_arrow_table()


def step_changes(con: Any, step: Step, movers: int = 10) -> dict[str, Any]:
    """The row of `snapshot_changes` of one step, as plain values (no pyarrow)."""
    cursor = con.execute(sql("snapshot_changes"), _parameters([step], movers))
    return dict(zip([column[0] for column in cursor.description], cursor.fetchone()))


def _parameters(steps: Sequence[Step], movers: int) -> dict[str, Any]:
    return {
        "snapshot_ids": [step.snapshot_id for step in steps],
        "previous_ids": [step.previous_id for step in steps],
        "top_ns": [step.top_n for step in steps],
        "movers": movers,
    }
