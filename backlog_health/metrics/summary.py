"""The documented JSON of `backlog-health metrics --json` (`metrics_dict`), and that JSON of a
stored snapshot read from the store without pandas, numpy or pyarrow (`stored_summary`), so the
command starts in a fraction of the time (bench/startup_bench.py).

`stored_summary` reads the same queries as `report.stored_metrics` as plain rows (figures.sql
in one pass, with the near rows in place of every item's checks: see sql/figures_summary.sql;
snapshot_changes.sql for one step), and shapes them with the same functions (`near_term_from`,
`readiness_from`, ...): the two paths share every definition, and tests hold their dicts equal.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from backlog_health.errors import NotFoundError
from backlog_health.metrics.changes import Step, step_changes
from backlog_health.metrics.churn import Churn, churn_of_step
from backlog_health.metrics.coverage import Coverage, coverage_from
from backlog_health.metrics.duplicates import open_pairs, settled_pairs
from backlog_health.metrics.figures_query import SUMMARY, run
from backlog_health.metrics.growth import Growth, flows_of_step, growth_from
from backlog_health.metrics.near_term import NearTerm, near_term_from
from backlog_health.metrics.readiness import Readiness, readiness_from
from backlog_health.metrics.velocity import Velocity, velocity_from
from backlog_health.rules import Rules
from backlog_health.source_kinds import ranking_not_known
from backlog_health.store.connection import Store
from backlog_health.store.lookup import candidate_rows, decided_pairs, previous_snapshot_id
from backlog_health.store.queries import sql
from backlog_health.store.schema import schema_version
from backlog_health.text_facts import STORED_SINCE as TEXT_FACTS_SINCE


def metrics_dict(
    *,
    backlog: str,
    snapshot_id: int | None,
    taken_at: datetime,
    previous_id: int | None,
    previous_taken_at: datetime | None,
    data_age_days: float,
    near_term: NearTerm,
    velocity: Velocity,
    readiness: Readiness,
    coverage: Coverage,
    linked_duplicates: int,
    candidate_duplicates: int,
    churn: Churn | None,
    churn_not_known: str | None,
    growth: Growth,
) -> dict[str, Any]:
    """The documented JSON shape of `backlog-health metrics --json` (see `SnapshotMetrics`)."""
    moves = None
    if churn is not None:
        moves = asdict(churn)
        moves["movers"] = [{**asdict(m), "moved_up": m.moved_up} for m in churn.movers]
    return {
        "backlog": backlog,
        "snapshot": {"id": snapshot_id, "taken_at": taken_at.isoformat()},
        "previous_snapshot": None
        if previous_taken_at is None
        else {"id": previous_id, "taken_at": previous_taken_at.isoformat()},
        "data_age_days": round(data_age_days, 2),
        "backlog_items": growth.backlog_items,
        "velocity": {
            "points": velocity.points,
            "sprints": list(velocity.sprints),
            "sprint_points": list(velocity.sprint_points),
        },
        "near_term": {"items": near_term.size, "started": len(near_term.started), "rule": near_term.rule()},
        "readiness": asdict(readiness),
        "estimate_coverage": {"near_term": coverage.near_term, "long_term": coverage.long_term, "all": coverage.all},
        "duplicates": {"linked": linked_duplicates, "candidates": candidate_duplicates},
        "churn": moves,
        **({"churn_not_known": churn_not_known} if churn_not_known else {}),
        "growth": {k: v for k, v in asdict(growth).items() if not k.endswith("_keys")},
    }


def age_days(now: datetime, taken_at: datetime) -> float:
    """How old a snapshot is at `now`, in days."""
    return (now - taken_at).total_seconds() / 86400


def stored_summary(
    con: Store, snapshot_id: int, rules: Rules, now: datetime, *, previous_id: int | None = -1
) -> dict[str, Any] | None:
    """`report.stored_metrics(...).to_dict()` of a stored snapshot against its predecessor in
    the store (or against `previous_id`; None for no comparison), read without pandas; None
    when that is not possible: the snapshot has no stored duplicate scan (its candidates are
    found from its texts), or the store is kept at a schema without text facts."""
    if schema_version(con) < TEXT_FACTS_SINCE:
        return None
    candidates = candidate_rows(con, snapshot_id, rules.duplicate_threshold)
    if candidates is None:
        return None
    if previous_id == -1:
        previous_id = previous_snapshot_id(con, snapshot_id)
    wanted = [snapshot_id] if previous_id is None else [snapshot_id, previous_id]
    # (id, backlog, taken_at, source_kind, ...)
    described = {row[0]: row for row in con.execute(sql("snapshots_meta"), {"snapshot_ids": wanted}).fetchall()}
    if missing := set(wanted) - set(described):
        raise NotFoundError(f"no snapshot {min(missing)}")
    _, backlog, taken_at, source_kind, *_ = described[snapshot_id]
    previous = None if previous_id is None else described[previous_id]

    cursor = run(con, rules, SUMMARY, snapshot_id=snapshot_id)
    final = dict(zip([column[0] for column in cursor.description], cursor.fetchone()))
    rows, sprints = final["near_rows"], final["velocity_sprints"]  # in rank order; oldest first
    known = [(row["key_a"], row["key_b"]) for row in final["known_duplicates"]]
    near = near_term_from(final, rows, rules)
    changes = step_changes(con, Step(snapshot_id, previous_id, near.size))
    churn_not_known = None if previous is None else ranking_not_known(source_kind, previous[3])
    settled = settled_pairs(known, decided_pairs(con, backlog))
    return metrics_dict(
        backlog=backlog,
        snapshot_id=snapshot_id,
        taken_at=taken_at,
        previous_id=previous_id,
        previous_taken_at=None if previous is None else previous[2],
        data_age_days=age_days(now, taken_at),
        near_term=near,
        velocity=velocity_from(final, sprints),
        readiness=readiness_from(final, rows, rules),
        coverage=coverage_from(final),
        linked_duplicates=len(known),
        candidate_duplicates=sum(open_pairs(candidates, settled, rules.duplicate_threshold)),
        churn=None if churn_not_known else churn_of_step(changes, rules.rbo_p),
        churn_not_known=churn_not_known,
        growth=growth_from(flows_of_step(changes), final),
    )
