"""Sprint retro: what refinement changed between two snapshots of a backlog, and whether the
work that entered a sprint was ready when the sprint was planned."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from backlog_health.metrics.duplicates import PAIR_COLUMNS, linked_duplicates
from backlog_health.backlog import backlog_items
from backlog_health.metrics.near_term import near_term
from backlog_health.metrics.readiness import readiness_checks
from backlog_health.metrics.velocity import velocity
from backlog_health.model import Snapshot, ranking_not_known
from backlog_health.rules import Rules

READY_COLUMNS = ["key", "summary", "position", "previous_position", "near_term", "failing"]
ESTIMATE_COLUMNS = [
    "key", "summary", "position", "change", "previous_points", "points",
    "previous_original_estimate_seconds", "original_estimate_seconds",
]
RANK_COLUMNS = ["key", "summary", "previous_position", "position", "moved_up"]
DUPLICATE_COLUMNS = ["key_a", "key_b", "kind", "score"]
STALE_COLUMNS = ["key", "summary", "position", "last_touched", "idle_days"]
PLANNING_COLUMNS = ["key", "summary", "status", "story_points", "in_backlog_at_planning", "ready_at_planning", "failing"]


@dataclass(frozen=True)
class Refinement:
    """What changed from the earlier snapshot P to the later snapshot S of a backlog.

    Every frame lists backlog items of S (positions are S's rank positions), most
    important first.
    """

    became_ready: pd.DataFrame  # READY_COLUMNS: ready in S, a backlog item of P that was not ready
    stopped_being_ready: pd.DataFrame  # READY_COLUMNS: ready in P, not in S; `failing` names the checks
    re_estimated: pd.DataFrame  # ESTIMATE_COLUMNS: story points or original estimate changed
    re_ranked: pd.DataFrame  # RANK_COLUMNS: the fewest items whose moves explain S's order
    new_duplicates: pd.DataFrame  # DUPLICATE_COLUMNS: pairs linked or suggested in S but not in P
    newly_stale: pd.DataFrame  # STALE_COLUMNS: stale in S, not stale (or not there) in P
    re_ranked_not_known: str | None = None  # why re_ranked is left empty (a rebuilt snapshot)


def refinement_changes(
    current: Snapshot,
    previous: Snapshot,
    rules: Rules,
    *,
    current_candidates: pd.DataFrame | None = None,
    previous_candidates: pd.DataFrame | None = None,
) -> Refinement:
    """The refinement done between `previous` (P) and `current` (S).

    Only items that are backlog items in both count as becoming or stopping being ready,
    re-estimated or re-ranked: arrivals, departures and finished work are the growth
    metric's business. Candidate pairs (key_a, key_b, score, as `open_candidates` gives
    them) are compared only when given.
    """
    s_items, p_items = current.items, previous.items
    s_backlog, p_backlog = backlog_items(s_items), backlog_items(p_items)
    s_checks = readiness_checks(s_items, current.links, rules)
    p_checks = readiness_checks(p_items, previous.links, rules)
    previous_keys = set(p_backlog["key"])
    common = [k for k in s_backlog["key"] if k in previous_keys]
    s_pos = dict(zip(s_backlog["key"], s_backlog["rank_position"].astype(int)))
    p_pos = dict(zip(p_backlog["key"], p_backlog["rank_position"].astype(int)))
    summary = dict(zip(s_backlog["key"], s_backlog["summary"]))
    speed = velocity(s_items, current.sprints, rules.velocity_sprints)
    near = set(near_term(s_backlog, rules, speed.points, current.sprints).keys)

    def readiness_rows(keys: list[str], checks: pd.DataFrame) -> pd.DataFrame:
        rows = [
            (k, summary[k], s_pos[k], p_pos[k], k in near, ", ".join(_failing(checks, k)))
            for k in keys
        ]
        return pd.DataFrame(rows, columns=READY_COLUMNS)

    s_ready = dict(zip(s_checks.index, s_checks["ready"].to_numpy(dtype=bool)))
    p_ready = dict(zip(p_checks.index, p_checks["ready"].to_numpy(dtype=bool)))
    became = [k for k in common if s_ready[k] and not p_ready[k]]
    stopped = [k for k in common if p_ready[k] and not s_ready[k]]
    unknown = ranking_not_known(current.source_kind, previous.source_kind)
    return Refinement(
        became_ready=readiness_rows(became, s_checks),
        stopped_being_ready=readiness_rows(stopped, s_checks),
        re_estimated=_re_estimated(s_backlog, p_backlog, common),
        re_ranked=pd.DataFrame(columns=RANK_COLUMNS) if unknown else _re_ranked(common, s_pos, p_pos, summary),
        new_duplicates=_new_duplicates(current, previous, current_candidates, previous_candidates),
        newly_stale=_newly_stale(s_backlog, p_backlog, current.taken_at, previous.taken_at, rules.stale_days),
        re_ranked_not_known=unknown,
    )


def _failing(checks: pd.DataFrame, key: str) -> list[str]:
    row = checks.loc[key]
    return [name for name in checks.columns if name != "ready" and not bool(row[name])]


def _re_estimated(s_backlog: pd.DataFrame, p_backlog: pd.DataFrame, common: list[str]) -> pd.DataFrame:
    fields = ["story_points", "original_estimate_seconds"]
    s = s_backlog.set_index("key").loc[common, ["summary", "rank_position", *fields]]
    p = p_backlog.set_index("key").loc[common, fields]
    s_points, p_points = _numbers(s["story_points"]), _numbers(p["story_points"])
    s_seconds, p_seconds = _numbers(s["original_estimate_seconds"]), _numbers(p["original_estimate_seconds"])
    pick = ~(_same(s_points, p_points) & _same(s_seconds, p_seconds))
    had = (p_points.notna() | (p_seconds.fillna(0) > 0)).to_numpy()
    has = (s_points.notna() | (s_seconds.fillna(0) > 0)).to_numpy()
    change = pd.Series("estimate removed", index=s.index, dtype=object)
    change[has] = "estimated"
    change[has & had] = "re-estimated"
    rows = s[pick]
    return pd.DataFrame(
        {
            "key": rows.index.to_numpy(dtype=object),
            "summary": rows["summary"].to_numpy(dtype=object),
            "position": rows["rank_position"].astype(int).to_numpy(),
            "change": change[pick].to_numpy(dtype=object),
            "previous_points": _cells(p_points[pick]),
            "points": _cells(s_points[pick]),
            "previous_original_estimate_seconds": _cells(p_seconds[pick]),
            "original_estimate_seconds": _cells(s_seconds[pick]),
        },
        columns=ESTIMATE_COLUMNS,
    )


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype(float)


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Equal values, or both missing."""
    return (a.to_numpy() == b.to_numpy()) | (a.isna().to_numpy() & b.isna().to_numpy())


def _cells(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


def _re_ranked(
    common: list[str], s_pos: dict[str, int], p_pos: dict[str, int], summary: dict[str, str]
) -> pd.DataFrame:
    """Items outside a longest run of common items that kept their relative order.

    Dragging one item up by forty places shifts forty others down by one; counting those
    as re-ranked would drown the one real move. The items outside a longest increasing
    subsequence of previous positions (taken in the new order) are a smallest set of
    items whose moves turn the old order into the new one.
    """
    sequence = [p_pos[k] for k in common]
    kept = _longest_increasing(sequence)
    moved = [k for i, k in enumerate(common) if i not in kept]
    rows = [(k, summary[k], p_pos[k], s_pos[k], p_pos[k] - s_pos[k]) for k in moved]
    frame = pd.DataFrame(rows, columns=RANK_COLUMNS)
    order = frame.assign(_size=frame["moved_up"].abs()).sort_values(["_size", "position"], ascending=[False, True])
    return order.drop(columns="_size").reset_index(drop=True)


def _longest_increasing(values: list[int]) -> set[int]:
    """Indices of one longest strictly increasing subsequence (patience sorting, O(n log n))."""
    tails: list[int] = []  # value at the end of the best run of each length
    tail_index: list[int] = []
    parent = [-1] * len(values)
    for i, value in enumerate(values):
        length = bisect.bisect_left(tails, value)
        if length == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[length] = value
            tail_index[length] = i
        parent[i] = tail_index[length - 1] if length else -1
    chosen: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i != -1:
        chosen.add(i)
        i = parent[i]
    return chosen


def _pairs(frame: pd.DataFrame | None) -> set[tuple[str, str]]:
    if frame is None or frame.empty or not set(PAIR_COLUMNS) <= set(frame.columns):
        return set()
    return {tuple(sorted(p)) for p in frame[PAIR_COLUMNS].itertuples(index=False, name=None)}


def _new_duplicates(
    current: Snapshot,
    previous: Snapshot,
    current_candidates: pd.DataFrame | None,
    previous_candidates: pd.DataFrame | None,
) -> pd.DataFrame:
    linked_before = _pairs(linked_duplicates(previous.items, previous.links))
    linked_now = linked_duplicates(current.items, current.links)
    rows = [(a, b, "linked", None) for a, b in linked_now.itertuples(index=False, name=None)
            if (a, b) not in linked_before]
    if current_candidates is not None and not current_candidates.empty and "score" in current_candidates:
        seen = _pairs(previous_candidates) | linked_before
        for a, b, score in current_candidates[[*PAIR_COLUMNS, "score"]].itertuples(index=False, name=None):
            if tuple(sorted((a, b))) not in seen:
                rows.append((a, b, "candidate", float(score)))
    return pd.DataFrame(rows, columns=DUPLICATE_COLUMNS)


def _last_touched(backlog: pd.DataFrame) -> pd.Series:
    """When an item was last updated; its creation time when it has no update time."""
    created = pd.to_datetime(backlog["created"])
    return pd.to_datetime(backlog["updated"]).fillna(created)


def _newly_stale(
    s_backlog: pd.DataFrame,
    p_backlog: pd.DataFrame,
    s_taken_at,
    p_taken_at,
    stale_days: int,
) -> pd.DataFrame:
    """Stale as the growth metric counts it: not touched for `stale_days` before the snapshot."""
    s_touched = _last_touched(s_backlog)
    stale_now = s_backlog[s_touched < pd.Timestamp(s_taken_at) - timedelta(days=stale_days)]
    p_touched = _last_touched(p_backlog)
    stale_before = set(p_backlog.loc[p_touched < pd.Timestamp(p_taken_at) - timedelta(days=stale_days), "key"])
    fresh = stale_now[~stale_now["key"].isin(stale_before)]
    touched = s_touched[fresh.index]
    idle = (pd.Timestamp(s_taken_at) - touched).dt.total_seconds() / 86400
    return pd.DataFrame(
        {
            "key": fresh["key"].to_numpy(dtype=object),
            "summary": fresh["summary"].to_numpy(dtype=object),
            "position": fresh["rank_position"].astype(int).to_numpy(),
            "last_touched": touched.to_numpy(),
            "idle_days": idle.round(1).to_numpy(),
        },
        columns=STALE_COLUMNS,
    )


@dataclass(frozen=True)
class PlanningReadiness:
    """Was the work that entered a sprint ready when the sprint was planned?"""

    sprint: str
    items: pd.DataFrame  # PLANNING_COLUMNS, in the later snapshot's file order
    ready: int  # items that were ready at planning
    total: int  # items that entered the sprint
    ratio: float | None  # ready / total


def planning_readiness(planning: Snapshot, later: Snapshot, sprint: str, rules: Rules) -> PlanningReadiness:
    """The items that `later` shows in `sprint` (sub-tasks and epics left out, as for
    velocity), each judged by the Definition of Ready as it stood in `planning`, the last
    snapshot before the sprint was planned. An item that was not a backlog item at
    planning (created later, or not yet open) counts as not ready."""
    rows = later.items
    work = rows[~rows["is_subtask"].fillna(False).astype(bool) & ~rows["is_epic"].fillna(False).astype(bool)]
    entered = work[[sprint in list(s) for s in work["sprints"]]]
    checks = readiness_checks(planning.items, planning.links, rules)
    records = []
    for item in entered.itertuples(index=False):
        known = item.key in checks.index
        ready = bool(checks.at[item.key, "ready"]) if known else False
        failing = ", ".join(_failing(checks, item.key)) if known else "not in the backlog at planning"
        points = None if pd.isna(item.story_points) else float(item.story_points)
        records.append((item.key, item.summary, item.status, points, known, ready, failing))
    frame = pd.DataFrame(records, columns=PLANNING_COLUMNS)
    ready_count = int(frame["ready_at_planning"].sum()) if len(frame) else 0
    return PlanningReadiness(
        sprint=sprint,
        items=frame,
        ready=ready_count,
        total=len(frame),
        ratio=None if frame.empty else ready_count / len(frame),
    )
