"""The refinement agenda: which items to fix before sprint planning, in what order, and why.

Built on the near term and the readiness checks of `SnapshotMetrics` (never recomputed
here), so the agenda follows whatever those say the near term and "ready" are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import pandas as pd

from backlog_health.backlog import backlog_items
from backlog_health.metrics.near_term import NearTerm, near_term
from backlog_health.metrics.figures import frame_figures
from backlog_health.text_facts import word_count
from backlog_health.metrics.report import SnapshotMetrics, metric_columns
from backlog_health.metrics.velocity import velocity
from backlog_health.model import Snapshot, item_columns
from backlog_health.rules import Rules

SECTIONS = ("not_ready", "next_up", "duplicates", "rank_changes", "stale")
STALE_LIMIT = 10


def agenda_columns(rules: Rules) -> tuple[str, ...]:
    """The item columns the agenda reads: the metrics' and the status it shows."""
    return metric_columns(rules) + item_columns("status")


@dataclass(frozen=True)
class AgendaItem:
    """An item to discuss, with the checks it fails and why, in words."""

    key: str
    rank_position: int | None
    summary: str
    status: str | None
    assignee: str | None
    story_points: float | None
    failing: tuple[str, ...]
    reasons: tuple[str, ...]
    url: str | None = None


@dataclass(frozen=True)
class DuplicatePair:
    """Two open items to merge or tell apart: a similar-text candidate or a linked pair."""

    key_a: str
    summary_a: str
    key_b: str
    summary_b: str
    kind: str  # "candidate" or "linked"
    score: float | None  # similarity of a candidate; None for a linked pair
    url_a: str | None = None
    url_b: str | None = None


@dataclass(frozen=True)
class RankChange:
    """An item that entered the near term since the previous snapshot: the ranking to confirm."""

    key: str
    summary: str
    previous_position: int | None  # None: not in the previous snapshot's backlog
    rank_position: int
    ready: bool
    reasons: tuple[str, ...]
    url: str | None = None


@dataclass(frozen=True)
class StaleItem:
    """A long-term item nobody touched for `stale_days`: a deletion candidate."""

    key: str
    rank_position: int | None
    summary: str
    updated: str | None  # ISO date of the last update (creation when never updated)
    idle_days: int
    url: str | None = None


@dataclass(frozen=True)
class Agenda:
    """The refinement meeting's agenda for one snapshot (against the one before it)."""

    backlog: str
    snapshot_id: int | None
    taken_at: str
    previous_id: int | None
    near_term_size: int
    not_ready: tuple[AgendaItem, ...]
    next_up: tuple[AgendaItem, ...]
    duplicates: tuple[DuplicatePair, ...]
    rank_changes: tuple[RankChange, ...]
    stale: tuple[StaleItem, ...]
    stale_total: int = 0  # every stale long-term item; `stale` holds the oldest STALE_LIMIT
    stale_days: int = 90
    site: str | None = None

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """The documented JSON of `backlog-health agenda --json`: exactly the five sections."""
        return {name: [_plain(asdict(entry)) for entry in getattr(self, name)] for name in SECTIONS}

    def summary(self) -> str:
        """One line for a notification: how many of each section."""
        return (
            f"{self.backlog}: {_count(len(self.not_ready), 'near-term item')} not ready "
            f"(of {self.near_term_size}), {_count(len(self.next_up), 'next-up item')} to refine, "
            f"{_count(len(self.duplicates), 'duplicate pair')}, "
            f"{_count(len(self.rank_changes), 'new near-term item')} to confirm, "
            f"{_count(self.stale_total, 'stale item')}"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in record.items()}


def issue_url(site: str | None, key: str) -> str | None:
    """The issue's page on a Jira site (`https://x.atlassian.net/browse/KEY`), if the site is known."""
    return None if not site else f"{site.rstrip('/')}/browse/{key}"


def agenda(
    current: Snapshot,
    previous: Snapshot | None,
    metrics: SnapshotMetrics,
    rules: Rules,
    *,
    site: str | None = None,
    stale_limit: int = STALE_LIMIT,
) -> Agenda:
    """The agenda of `current` (with its `metrics`) against `previous` (or None)."""
    items = current.items
    backlog = backlog_items(items)
    reasons = reasons_by_key(items, current.links, metrics.checks, rules)
    rows = backlog.set_index("key", drop=False)
    near = metrics.near_term

    def entry(key: str) -> AgendaItem:
        row = rows.loc[key]
        failing, words = reasons.get(key, ((), ()))
        return AgendaItem(key, _int(row["rank_position"]), str(row["summary"]), _text(row.get("status")),
                          _text(row["assignee"]), _float(row["story_points"]), failing, words,
                          issue_url(site, key))

    not_ready = tuple(entry(k) for k in near.keys if k in reasons)
    upcoming = next_up_keys(backlog, near, rules, current.sprints)
    judged = metrics.judged
    unestimated = set(judged.loc[~judged["estimated"].astype(bool), "key"])
    failing_next = [k for k in upcoming if k in reasons]
    next_up = tuple(entry(k) for k in sorted(failing_next, key=lambda k: k not in unestimated))
    stale = _stale(backlog, metrics, current, site)
    return Agenda(
        backlog=current.backlog,
        snapshot_id=current.snapshot_id,
        taken_at=pd.Timestamp(current.taken_at).isoformat(),
        previous_id=None if previous is None else previous.snapshot_id,
        near_term_size=near.size,
        not_ready=not_ready,
        next_up=next_up,
        duplicates=_duplicates(metrics, items, site),
        rank_changes=_rank_changes(backlog, previous, near, reasons, rules, site),
        stale=tuple(stale[:stale_limit]),
        stale_total=len(stale),
        stale_days=rules.stale_days,
        site=site,
    )


def reasons_by_key(
    items: pd.DataFrame, links: pd.DataFrame, checks: pd.DataFrame, rules: Rules
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """For each backlog item failing a check: (the failing check names, the reasons in words)."""
    names = [c for c in rules.enabled_checks if c in checks.columns]
    failed = checks.loc[~checks["ready"].astype(bool), names]
    if failed.empty:
        return {}
    rows = items.drop_duplicates("key").set_index("key")
    status = rows["status"] if "status" in rows else pd.Series(dtype=object)
    pairs = frame_figures(items, rules, links=links, steps=("open_blockers",)).open_blockers
    open_blockers = pairs.groupby("key")["blocker"].agg(list)
    parents = set(items.loc[items["is_subtask"].astype(bool), "parent_key"].dropna())
    custom = {c.name: c for c in rules.custom_checks}
    result = {}
    for key, flags in failed.iterrows():
        failing = tuple(name for name in names if not flags[name])
        row = rows.loc[key]
        words = tuple(
            _reason(name, row, open_blockers.get(key, []), status, key in parents, rules, custom)
            for name in failing
        )
        result[str(key)] = (failing, words)
    return result


def _reason(
    check: str, row: pd.Series, blocked_by: list[str], status: pd.Series, has_subtasks: bool,
    rules: Rules, custom: dict,
) -> str:
    if check == "described":
        text = row["description_text"] if isinstance(row["description_text"], str) else ""
        count = word_count(text)
        return "no description" if count == 0 else f"description of {_count(count, 'word')} (needs {rules.min_words})"
    if check == "acceptance_criteria":
        return "no acceptance criteria"
    if check == "estimated":
        return "no estimate"
    if check == "assigned":
        return "unassigned"
    if check == "sized":
        return f"{_float(row['story_points']):g} points and no sub-tasks"
    if check == "unblocked":
        named = [f"{b} ({status.get(b)})" if _text(status.get(b)) else b for b in blocked_by]
        return "blocked by " + ", ".join(named)
    chosen = custom.get(check)
    if chosen is not None and chosen.label is not None:
        return f'no "{chosen.label}" label'
    return f'"{chosen.field if chosen else check}" is empty'


def next_up_keys(
    backlog: pd.DataFrame, near: NearTerm, rules: Rules, sprints: pd.DataFrame | None = None
) -> list[str]:
    """The items that would enter the near term next, in rank order: the near term of one
    more sprint of capacity (points mode) or of twice N (count mode), minus today's. Asking
    `near_term` itself keeps its rules (started work, planned items) in force here too."""
    if near.mode == "count" or not near.velocity:
        wider = replace(rules, near_term_mode="count", near_term_count=2 * (near.count or near.size or 1))
    else:
        wider = replace(rules, near_term_mode="points", near_term_sprints=(near.sprints or 0) + 1)
    current = set(near.keys)
    return [key for key in near_term(backlog, wider, near.velocity, sprints).keys if key not in current]


def _duplicates(metrics: SnapshotMetrics, items: pd.DataFrame, site: str | None) -> tuple[DuplicatePair, ...]:
    summaries = dict(zip(items["key"], items["summary"]))
    pairs = [
        DuplicatePair(a, summaries.get(a, ""), b, summaries.get(b, ""), "candidate", round(float(score), 4),
                      issue_url(site, a), issue_url(site, b))
        for a, b, score in metrics.candidate_duplicates[["key_a", "key_b", "score"]].itertuples(index=False)
    ]
    pairs += [
        DuplicatePair(a, summaries.get(a, ""), b, summaries.get(b, ""), "linked", None,
                      issue_url(site, a), issue_url(site, b))
        for a, b in metrics.linked_duplicates[["key_a", "key_b"]].itertuples(index=False)
    ]
    return tuple(pairs)


def _rank_changes(
    backlog: pd.DataFrame,
    previous: Snapshot | None,
    near: NearTerm,
    reasons: dict[str, tuple[tuple[str, ...], tuple[str, ...]]],
    rules: Rules,
    site: str | None,
) -> tuple[RankChange, ...]:
    """Items in the near term now that were not in it at `previous` (none without one)."""
    if previous is None:
        return ()
    before = backlog_items(previous.items)
    speed = velocity(previous.items, previous.sprints, rules.velocity_sprints)
    was_near = set(near_term(before, rules, speed.points, previous.sprints).keys)
    was_at = dict(zip(before["key"], before["rank_position"]))
    rows = backlog.set_index("key", drop=False)
    changes = []
    for key in near.keys:
        if key in was_near:
            continue
        row = rows.loc[key]
        changes.append(RankChange(key, str(row["summary"]), _int(was_at.get(key)), int(row["rank_position"]),
                                  key not in reasons, reasons.get(key, ((), ()))[1], issue_url(site, key)))
    return tuple(changes)


def _stale(backlog: pd.DataFrame, metrics: SnapshotMetrics, current: Snapshot, site: str | None) -> list[StaleItem]:
    """Long-term items (beyond the near term, not under way) not updated for `stale_days`
    before the snapshot, least recently touched first."""
    judged = metrics.judged
    chosen = set(judged.loc[judged["long_term"].astype(bool) & judged["stale"].fillna(False).astype(bool), "key"])
    when = pd.Timestamp(current.taken_at)
    touched = pd.to_datetime(backlog["updated"]).fillna(pd.to_datetime(backlog["created"]))
    stale = backlog.assign(touched=touched)[backlog["key"].isin(chosen).to_numpy()]
    stale = stale.sort_values(["touched", "rank_position"], kind="stable")
    return [
        StaleItem(key, _int(position), str(summary), t.date().isoformat(), int((when - t).days),
                  issue_url(site, key))
        for key, position, summary, t in zip(stale["key"], stale["rank_position"], stale["summary"], stale["touched"])
    ]


def _int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[arg-type]


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
