"""Metric results shaped into the tables the pages show: joins with item fields, one row
per step of a history. Pure pandas, no Streamlit, no arithmetic a metric should own."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from backlog_health.metrics.agenda import Agenda
from backlog_health.metrics.churn import Churn
from backlog_health.backlog import backlog_items
from backlog_health.metrics.report import HistoryPoint
from backlog_health.model import item_columns

TICK, CROSS = "✓", "✗"

# The item fields shown next to the metrics (one slim frame per snapshot, backlog items only),
# checked against the model's columns.
ITEM_COLUMNS = list(item_columns(
    "rank_position", "key", "summary", "issue_type", "status", "status_category", "story_points",
    "original_estimate_seconds", "assignee",
))

TREND_COLUMNS = [
    "step", "snapshot_id", "taken_at", "backlog_items", "near_term", "ready", "ready_ratio",
    "ready_sprints_ahead", "coverage_near", "coverage_long", "coverage_all", "linked_duplicates",
    "candidate_duplicates", "rbo", "kendall_tau", "top_n_turnover", "entered_top_n", "left_top_n",
    "completed_from_top_n", "added", "finished", "stale",
]


def trend(points: Sequence[HistoryPoint], labels: Sequence[str]) -> pd.DataFrame:
    """One row per step with the headline figures of its metrics."""
    rows = []
    for label, point in zip(labels, points):
        m = point.metrics
        churn = m.churn
        rows.append(
            {
                "step": label,
                "snapshot_id": m.snapshot_id,
                "taken_at": m.taken_at,
                "backlog_items": m.growth.backlog_items,
                "near_term": m.near_term.size,
                "ready": m.readiness.ready,
                "ready_ratio": m.readiness.ratio,
                "ready_sprints_ahead": m.readiness.ready_sprints_ahead,
                "coverage_near": m.coverage.near_term,
                "coverage_long": m.coverage.long_term,
                "coverage_all": m.coverage.all,
                "linked_duplicates": len(m.linked_duplicates),
                "candidate_duplicates": len(m.candidate_duplicates),
                "rbo": None if churn is None else churn.rbo,
                "kendall_tau": None if churn is None else churn.kendall_tau,
                "top_n_turnover": None if churn is None else churn.top_n_turnover,
                "entered_top_n": None if churn is None else churn.entered_top_n,
                "left_top_n": None if churn is None else churn.left_top_n,
                "completed_from_top_n": None if churn is None else churn.completed_from_top_n,
                "added": m.growth.added,
                "finished": m.growth.finished,
                "stale": m.growth.stale,
            }
        )
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def readiness_table(checks: pd.DataFrame, keys: Sequence[str], items: pd.DataFrame) -> pd.DataFrame:
    """`keys` (in rank order) with their fields and one boolean column per check, then `ready`."""
    fields = items.set_index("key")
    rows = fields.reindex(list(keys))
    table = pd.DataFrame(
        {
            "rank": rows["rank_position"].to_numpy(),
            "key": list(keys),
            "summary": rows["summary"].to_numpy(dtype=object),
            "status": rows["status"].to_numpy(dtype=object),
            "points": rows["story_points"].to_numpy(),
            "assignee": rows["assignee"].to_numpy(dtype=object),
        }
    )
    check_rows = checks.reindex(list(keys))
    for name in checks.columns:
        table[name] = check_rows[name].to_numpy(dtype=bool)
    return table


def ticks(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Boolean columns written as a tick or a cross."""
    shown = table.copy()
    for column in columns:
        shown[column] = [TICK if bool(v) else CROSS for v in shown[column]]
    return shown


def item_rows(keys: Sequence[str], items: pd.DataFrame) -> pd.DataFrame:
    """rank, key, summary, status, points of `keys`, in the given order."""
    rows = items.set_index("key").reindex(list(keys))
    return pd.DataFrame(
        {
            "rank": rows["rank_position"].to_numpy(),
            "key": list(keys),
            "summary": rows["summary"].to_numpy(dtype=object),
            "status": rows["status"].to_numpy(dtype=object),
            "points": rows["story_points"].to_numpy(),
        }
    )


def unestimated(judged: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """The near-term items without an estimate, as the metrics judged them (`SnapshotMetrics.judged`)."""
    missing = judged[judged["near_term"].astype(bool) & ~judged["estimated"].astype(bool)]
    return item_rows(list(missing.sort_values("rank_position")["key"]), items).drop(columns="points")


def pairs(pairs_frame: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Duplicate pairs side by side: each key's summary, status and rank (and the score)."""
    if "key_a" not in pairs_frame:  # an empty result may come without its columns
        pairs_frame = pd.DataFrame(columns=["key_a", "key_b", "score"])
    fields = items.set_index("key")
    table = pd.DataFrame(index=range(len(pairs_frame)))
    for side in ("a", "b"):
        keys = list(pairs_frame[f"key_{side}"])
        rows = fields.reindex(keys)
        table[f"key_{side}"] = keys
        table[f"summary_{side}"] = rows["summary"].to_numpy(dtype=object)
        table[f"status_{side}"] = rows["status"].to_numpy(dtype=object)
        table[f"rank_{side}"] = rows["rank_position"].to_numpy()
    if "score" in pairs_frame:
        table["score"] = pairs_frame["score"].astype(float).round(3).to_numpy()
    return table


def movers(churn: Churn | None) -> pd.DataFrame:
    """The churn metric's biggest movers."""
    columns = ["key", "summary", "previous_position", "position", "moved_up"]
    if churn is None:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(
        [(m.key, m.summary, m.previous_position, m.position, m.moved_up) for m in churn.movers], columns=columns
    )


def backlog(items: pd.DataFrame) -> pd.DataFrame:
    """The backlog items of a snapshot's rows in rank order, with the fields tables show
    (what `data.backlog_table` reads from the store)."""
    return backlog_items(items)[ITEM_COLUMNS].reset_index(drop=True)


def top_n_table(current: pd.DataFrame, previous: pd.DataFrame | None, top_n: int) -> pd.DataFrame:
    """The top N of `current` (backlog items in rank order) with each item's position in
    `previous` and an arrow: "↑ 3" moved up three places, "↓ 2", "=" or "new"."""
    top = current.head(top_n)
    was = {} if previous is None else dict(zip(previous["key"], previous["rank_position"]))

    def move(key: str, now: int) -> str:
        if previous is None:
            return "-"
        if key not in was:
            return "new"
        places = int(was[key]) - now
        return "=" if places == 0 else f"↑ {places}" if places > 0 else f"↓ {-places}"

    return pd.DataFrame({
        "Now": top["rank_position"].astype(int).to_numpy(),
        "Item": top["key"].to_numpy(dtype=object),
        "Summary": top["summary"].to_numpy(dtype=object),
        "Before": ["-" if previous is None or k not in was else str(int(was[k])) for k in top["key"]],
        "Move": [move(k, int(n)) for k, n in zip(top["key"], top["rank_position"])],
    })


def agenda_tables(agenda: Agenda) -> dict[str, pd.DataFrame]:
    """Each agenda section as a table with human column headers ("-" for nothing)."""

    def table_of(rows: list[dict], columns: list[str]) -> pd.DataFrame:
        return pd.DataFrame(rows, columns=columns).fillna("-")

    def item(entry) -> dict:
        return {"Rank": entry.rank_position, "Item": entry.key, "Summary": entry.summary, "Status": entry.status,
                "Assignee": entry.assignee,
                "Points": None if entry.story_points is None else f"{entry.story_points:g}", "Why not ready": "; ".join(entry.reasons),
                "Link": entry.url}

    # What to do first (the reason), then the item's fields: a narrow screen cuts the summary, not the why.
    item_columns_ = ["Rank", "Item", "Why not ready", "Summary", "Status", "Assignee", "Points", "Link"]
    return {
        "not_ready": table_of([item(e) for e in agenda.not_ready], item_columns_),
        "next_up": table_of([item(e) for e in agenda.next_up], item_columns_),
        "duplicates": table_of(
            [{"Item": d.key_a, "Summary": d.summary_a, "Other item": d.key_b, "Other summary": d.summary_b,
              "Why": f"{d.score:.0%} similar" if d.score is not None else "linked as duplicates",
              "Link": d.url_a, "Other link": d.url_b} for d in agenda.duplicates],
            ["Item", "Other item", "Why", "Summary", "Other summary", "Link", "Other link"],
        ),
        "rank_changes": table_of(
            [{"Item": c.key, "Summary": c.summary,
              "Was at": "new" if c.previous_position is None else str(c.previous_position), "Now at": c.rank_position,
              "Ready": "yes" if c.ready else "no: " + "; ".join(c.reasons), "Link": c.url}
             for c in agenda.rank_changes],
            ["Item", "Was at", "Now at", "Ready", "Summary", "Link"],
        ),
        "stale": table_of(
            [{"Rank": s.rank_position, "Item": s.key, "Summary": s.summary, "Last updated": s.updated,
              "Days idle": s.idle_days, "Link": s.url} for s in agenda.stale],
            ["Rank", "Item", "Summary", "Last updated", "Days idle", "Link"],
        ),
    }


PORTFOLIO_COLUMNS = [
    "backlog", "taken_at", "backlog_items", "ready_ratio", "ready", "readiness_trend", "coverage_near",
    "coverage_long", "coverage_all", "linked_duplicates", "stale",
]


def portfolio(every_snapshot: Sequence[dict]) -> pd.DataFrame:
    """One row per backlog at its latest snapshot, from `api.portfolio(..., every_snapshot=True)`
    (backlogs worst readiness first, each one's snapshots oldest first), with its ready share at
    each snapshot for a trend line."""
    trend: dict[str, list[float | None]] = {}
    latest: dict[str, dict] = {}  # insertion order: the backlogs' order
    for entry in every_snapshot:
        trend.setdefault(entry["backlog"], []).append(entry["readiness"]["ratio"])
        latest[entry["backlog"]] = entry
    entries = list(latest.values())
    rows = [
        {
            "backlog": e["backlog"],
            "taken_at": pd.Timestamp(e["snapshot"]["taken_at"]),
            "backlog_items": e["backlog_items"],
            "ready_ratio": e["readiness"]["ratio"],
            "ready": f"{e['readiness']['ready']} of {e['readiness']['total']}",
            "readiness_trend": trend.get(e["backlog"], []),
            "coverage_near": e["estimate_coverage"]["near_term"],
            "coverage_long": e["estimate_coverage"]["long_term"],
            "coverage_all": e["estimate_coverage"]["all"],
            "linked_duplicates": e["duplicates"]["linked"],
            "stale": e["growth"]["stale"],
        }
        for e in entries
    ]
    return pd.DataFrame(rows, columns=PORTFOLIO_COLUMNS)
