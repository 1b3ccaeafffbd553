"""The portfolio: every backlog's headline figures (figures.sql's `final` rows) in the shape
of `metrics --json`, worst ready share first."""

from __future__ import annotations

from typing import Any

import pandas as pd


def portfolio_entries(final: pd.DataFrame) -> list[dict[str, Any]]:
    """One entry per row of `final` (any engine's), grouped by backlog, the backlog with the
    worst ready share at its latest snapshot first (none last, then by name), each backlog's
    snapshots oldest first."""
    rows = final.sort_values(["backlog", "taken_at", "snapshot_id"], kind="stable")
    runs: dict[str, list[dict[str, Any]]] = {}
    for row in rows.to_dict("records"):
        runs.setdefault(str(row["backlog"]), []).append(_entry(row))

    def worst_first(name: str) -> tuple[bool, float, str]:
        ratio = runs[name][-1]["readiness"]["ratio"]
        return ratio is None, 0.0 if ratio is None else ratio, name

    return [entry for name in sorted(runs, key=worst_first) for entry in runs[name]]


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "backlog": str(row["backlog"]),
        "snapshot": {"id": int(row["snapshot_id"]), "taken_at": pd.Timestamp(row["taken_at"]).isoformat()},
        "backlog_items": int(row["backlog_items"]),
        "readiness": {"ready": int(row["ready"]), "total": int(row["near_term_items"]),
                      "ratio": _share(row["ready_ratio"])},
        "estimate_coverage": {"near_term": _share(row["coverage_near_term"]),
                              "long_term": _share(row["coverage_long_term"]), "all": _share(row["coverage_all"])},
        "duplicates": {"linked": int(row["linked_duplicates"])},
        "growth": {"stale": int(row["stale"])},
    }


def _share(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]
