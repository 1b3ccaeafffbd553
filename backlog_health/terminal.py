"""Results as terminal text: the CLI's tables and summaries (pure: data in, text or a
rich `Table` out), kept apart from the commands so each command only parses and prints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich import box
from rich.table import Column, Table

if TYPE_CHECKING:
    from backlog_health.api import DuplicateReport
    from backlog_health.metrics.report import HistoryPoint


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def snapshots_table(listing: list[dict[str, Any]]) -> Table:
    table = Table("id", "backlog", "taken at", "source", "file", "rows", "backlog items")
    for row in listing:
        table.add_row(
            str(row["id"]), row["backlog"], row["taken_at"][:16].replace("T", " "), row["source"],
            row["source_name"], str(row["rows"]), str(row["items"]),
        )
    return table


def items_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("#", "key", "type", "status", "points", "assignee", "summary")
    for row in rows:
        points = row["story_points"]
        table.add_row(
            "" if row["rank_position"] is None else str(row["rank_position"]), row["key"],
            row["issue_type"] or "", row["status"] or "",
            "" if points is None else f"{points:g}", row["assignee"] or "", row["summary"][:80],
        )
    return table


def summary_lines(d: dict[str, Any]) -> list[str]:
    """A short human summary of one snapshot's metrics (`SnapshotMetrics.to_dict()`)."""
    near = d["near_term"]
    rule = near["rule"]
    rule_text = (
        f"top {rule['count']} by rank"
        if rule["mode"] == "count"
        else f"{num(rule['sprints'], 1)} sprints x velocity {num(rule['velocity'], 1)} pts"
    )
    lines = [
        f"{d['backlog']} - snapshot {d['snapshot']['id']} taken {d['snapshot']['taken_at'][:16].replace('T', ' ')}"
        + (
            f" (vs snapshot {d['previous_snapshot']['id']} of {d['previous_snapshot']['taken_at'][:10]})"
            if d["previous_snapshot"]
            else " (first snapshot: no comparison)"
        ),
        f"backlog items      {d['backlog_items']}   near term: {near['items']} items"
        + ("" if rule.get("include_started") else " not yet started")
        + f" ({rule_text})"
        + (f"; {near['started']} started above it, not scored" if near.get("started") else ""),
    ]
    r = d["readiness"]
    failing = ", ".join(f"{k} {v}" for k, v in sorted(r["failing"].items(), key=lambda kv: -kv[1]) if v)
    lines.append(
        f"ready near term    {r['ready']}/{r['total']} ({pct(r['ratio'])})" + (f"; failing: {failing}" if failing else "")
    )
    lines.append(f"ready sprints ahead {num(r['ready_sprints_ahead'], 1)}")
    c = d["estimate_coverage"]
    lines.append(
        f"estimated          near term {pct(c['near_term'])}, long term {pct(c['long_term'])}, all {pct(c['all'])}"
    )
    dup = d["duplicates"]
    lines.append(f"duplicates         {dup['linked']} linked still open, {dup['candidates']} candidate pairs")
    ch = d["churn"]
    if ch:
        lines.append(
            f"ranking churn      RBO {num(ch['rbo'])}, Kendall tau {num(ch['kendall_tau'])}, "
            f"mean move {num(ch['mean_abs_displacement'], 1)} places; top {ch['top_n']}: "
            f"{ch['entered_top_n']} entered ({ch['entered_top_n_new']} new), {ch['left_top_n']} left, "
            f"{ch['completed_from_top_n']} completed, turnover {pct(ch['top_n_turnover'])}"
        )
    g = d["growth"]
    flow = "" if g["added"] is None else f"+{g['added']} added, {g['finished']} finished, {g['removed']} removed; "
    lines.append(
        f"growth and age     {flow}median age {num(g['median_age_days'], 0)} days, "
        f"{g['stale']} stale, {g['old_long_term']} old long-term items"
    )
    return lines


def history_table(points: list[HistoryPoint]) -> Table:
    table = Table("snapshot", "taken at", "sprint", "items", "near", "ready", "est. near", "est. long",
                  "dup. cand.", "RBO", "turnover")
    for point in points:
        d = point.to_dict()
        table.add_row(
            str(d["snapshot"]["id"]), d["snapshot"]["taken_at"][:10], _sprint_label(d),
            str(d["backlog_items"]), str(d["near_term"]["items"]), pct(d["readiness"]["ratio"]),
            pct(d["estimate_coverage"]["near_term"]), pct(d["estimate_coverage"]["long_term"]),
            str(d["duplicates"]["candidates"]), num(d["churn"]["rbo"]) if d["churn"] else "",
            pct(d["churn"]["top_n_turnover"]) if d["churn"] else "",
        )
    return table


def portfolio_table(entries: list[dict[str, Any]]) -> Table:
    """One row per backlog (`api.portfolio`), in the order given: worst readiness first."""
    # A plain table (no rules between columns) so nine columns fit a terminal 80 wide.
    table = Table(Column("backlog", no_wrap=True), Column("snapshot", no_wrap=True), "items",
                  Column("ready", no_wrap=True), "est. near", "est. long", "est. all", "linked dups", "stale",
                  box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    for e in entries:
        r, c = e["readiness"], e["estimate_coverage"]
        table.add_row(
            e["backlog"], e["snapshot"]["taken_at"][:10], str(e["backlog_items"]),
            f"{r['ready']}/{r['total']} {pct(r['ratio'])}", pct(c["near_term"]), pct(c["long_term"]),
            pct(c["all"]), str(e["duplicates"]["linked"]), str(e["growth"]["stale"]),
        )
    return table


def _sprint_label(step: dict) -> str:
    """A step's sprint, saying when its start was inferred from the snapshots or given in the rules."""
    source = (step.get("sprint_start") or {}).get("source")
    return (step["sprint"] or "") + (f" ({source})" if source in ("inferred", "given") else "")


def neighbour_lines(listing: dict[str, list[dict[str, Any]]]) -> list[str]:
    return [f"{key}: " + ", ".join(f"{n['key']} {n['score']:.2f}" for n in near) for key, near in listing.items()]


def duplicates_heading(report: DuplicateReport) -> str:
    return (
        f"{len(report.known)} linked or confirmed duplicate pairs still open, {len(report.candidates)} "
        f"candidate pairs (similarity >= {report.threshold})"
    )


def duplicates_table(report: DuplicateReport) -> Table:
    table = Table("score", "item", "summary", "item", "summary")
    summary = report.summaries
    for a, b, score in report.candidates[["key_a", "key_b", "score"]].itertuples(index=False, name=None):
        table.add_row(f"{score:.2f}", a, summary[a][:50], b, summary[b][:50])
    return table


def export_line(summary: Any) -> str:
    return (
        f"exported {summary.snapshots} snapshots of {len(summary.backlogs)} backlog(s) to {summary.folder}: "
        + ", ".join(f"{table} {rows:,}" for table, rows in summary.rows.items())
        + f" rows; {summary.files} files, {summary.bytes / 1e6:.1f} MB"
    )
