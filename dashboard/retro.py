"""The sprint retro's tables, charts and report sections, built from the retro metrics
(`backlog_health.metrics.retro`). Pure: no Streamlit, so the report can be tested alone."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from backlog_health.metrics.report import SnapshotMetrics
from backlog_health.metrics.retro import PlanningReadiness, Refinement
from backlog_health.dashboard import charts, fmt, tables
from backlog_health.dashboard.export import Section


@dataclass(frozen=True)
class Retro:
    """Everything the retro page shows for one comparison."""

    title: str  # e.g. "CHECKOUT, Sprint 12"
    compared: str  # e.g. "snapshot #12 (2026-10-05) against #11 (2026-09-21)"
    current: SnapshotMetrics
    previous: SnapshotMetrics
    changes: Refinement
    planning: PlanningReadiness | None  # None when comparing two snapshots, or no later snapshot


def counts(retro: Retro) -> dict[str, int]:
    """How many items each kind of change touched ("re-ranked" left out when not known)."""
    c = retro.changes
    found = {
        "became ready": len(c.became_ready),
        "stopped being ready": len(c.stopped_being_ready),
        "re-estimated": len(c.re_estimated),
        "re-ranked": len(c.re_ranked),
        "new duplicates": len(c.new_duplicates),
        "newly stale": len(c.newly_stale),
    }
    if c.re_ranked_not_known:
        del found["re-ranked"]
    return found


def table_list(retro: Retro) -> list[tuple[str, pd.DataFrame]]:
    """The retro's tables as (caption, frame), in page order (also the CSV export)."""
    c = retro.changes
    result = []
    if retro.planning is not None:
        result.append((f"Work that entered {retro.planning.sprint}: ready at planning?", retro.planning.items))
    result += [
        ("Became ready", c.became_ready),
        ("Stopped being ready", c.stopped_being_ready),
        ("Re-estimated", c.re_estimated),
        (f"Re-ranked: {c.re_ranked_not_known}" if c.re_ranked_not_known
         else "Re-ranked (the fewest moves that explain the new order)", c.re_ranked),
        ("New duplicates", c.new_duplicates),
        ("Aged past the stale threshold", c.newly_stale),
    ]
    return result


Figure = tuple[str, str, str | None, str, str | None]  # label, value, change, delta colour, detail


def headline(retro: Retro) -> list[Figure]:
    """The figures at the top of the retro."""
    now, before = retro.current, retro.previous
    figures: list[Figure] = []
    if retro.planning is not None:
        p = retro.planning
        figures.append(("Ready at planning", fmt.pct(p.ratio), None, "off", f"{p.ready} of {p.total} items"))
    figures += [
        ("Ready share of the near term", fmt.pct(now.readiness.ratio),
         fmt.delta_pp(now.readiness.ratio, before.readiness.ratio), "normal",
         f"{now.readiness.ready} of {now.near_term.size} items"),
        ("Estimated, near term", fmt.pct(now.coverage.near_term),
         fmt.delta_pp(now.coverage.near_term, before.coverage.near_term), "normal", None),
        ("Backlog items", fmt.count(now.growth.backlog_items),
         fmt.delta_count(now.growth.backlog_items, before.growth.backlog_items), "off", None),
    ]
    figures += [(name.capitalize(), str(n), None, "off", None) for name, n in counts(retro).items()]
    if retro.changes.re_ranked_not_known:
        reason = retro.changes.re_ranked_not_known.removeprefix("not known: ")
        figures.append(("Re-ranked", "not known", None, "off", reason))
    return figures


def figures(retro: Retro) -> list:
    """The retro's charts."""
    result = [charts.refinement_summary(counts(retro))]
    if retro.planning is not None and not retro.planning.items.empty:
        result.insert(0, charts.planning_readiness_chart(retro.planning.items, retro.planning.sprint))
    return result


def sections(retro: Retro) -> list[Section]:
    """The self-contained HTML report's sections."""
    return [
        Section(
            "Summary",
            notes=[f"Compared: {retro.compared}."],
            figures=[
                (label, " ".join(part for part in (value, change and f"({change})", detail and f"({detail})") if part))
                for label, value, change, _, detail in headline(retro)
            ],
            charts=figures(retro),
        ),
        Section("Details", tables=[(caption, display(frame)) for caption, frame in table_list(retro)]),
    ]


def display(frame: pd.DataFrame) -> pd.DataFrame:
    """A retro table as people read it: booleans as ticks, durations in hours."""
    shown = frame.copy()
    for column in ("near_term", "in_backlog_at_planning", "ready_at_planning"):
        if column in shown:
            shown = tables.ticks(shown, [column])
    for column in ("previous_original_estimate_seconds", "original_estimate_seconds"):
        if column in shown:
            hours = pd.to_numeric(shown.pop(column), errors="coerce") / 3600
            shown[column.replace("_seconds", "_hours")] = hours.round(1)
    return shown
