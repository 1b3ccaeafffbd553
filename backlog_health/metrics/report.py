"""All metrics of one snapshot (against its predecessor), and their history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
import bisect
from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from backlog_health import store
from backlog_health.metrics.changes import Step, snapshot_changes
from backlog_health.metrics.churn import Churn, churn_of_changes, rank_churn
from backlog_health.metrics.coverage import Coverage, coverage_of
from backlog_health.metrics.duplicates import duplicate_pairs
from backlog_health.backlog import backlog_items
from backlog_health.metrics.figures import Figures, snapshot_figures, stored_figures
from backlog_health.metrics.growth import Flows, Growth, flows_of, flows_of_changes, growth_of
from backlog_health.metrics.near_term import NearTerm, near_term_of
from backlog_health.metrics.readiness import Readiness, checks_of, readiness_of
from backlog_health.metrics.summary import age_days, metrics_dict
from backlog_health.metrics.velocity import Velocity, velocity_of
from backlog_health.model import Snapshot, item_columns, ranking_not_known
from backlog_health.store.queries import sql
from backlog_health.rules import Rules
from backlog_health.text_facts import STORED_SINCE as TEXT_FACTS_SINCE, TEXT_FACTS_COLUMNS

# The item columns the metrics read (plus any column a custom check names): a subset of the
# model's, since reading fewer columns is much faster.
METRIC_COLUMNS = item_columns(
    "row_number", "key", "summary", "description_text", "is_subtask", "is_epic", "status_category",
    "story_points", "original_estimate_seconds", "assignee", "labels", "sprints", "parent_key",
    "created", "updated", "resolved", "is_backlog", "rank_position", "custom_fields",
) + TEXT_FACTS_COLUMNS


def metric_columns(rules: Rules) -> tuple[str, ...]:
    """METRIC_COLUMNS and the stored columns the rules' custom checks name."""
    return METRIC_COLUMNS + tuple(c.field for c in rules.custom_checks if c.field)


# (keys, summaries, descriptions, threshold) -> DataFrame[key_a, key_b, score]
CandidateFinder = Callable[[list[str], list[str], list[str | None], float], pd.DataFrame]


@dataclass(frozen=True)
class SnapshotMetrics:
    """Every metric of snapshot S against the previous snapshot P of the same backlog."""

    backlog: str
    snapshot_id: int | None
    taken_at: datetime
    previous_id: int | None
    previous_taken_at: datetime | None
    near_term: NearTerm
    velocity: Velocity
    readiness: Readiness
    checks: pd.DataFrame  # per backlog item: one column per check, and `ready`
    coverage: Coverage
    linked_duplicates: pd.DataFrame
    candidate_duplicates: pd.DataFrame
    churn: Churn | None
    growth: Growth
    data_age_days: float  # now - taken_at
    churn_not_known: str | None = None  # why churn is None although there is a previous snapshot
    source_kind: str | None = None  # "jira-backfill" for a snapshot rebuilt from Jira's changelog
    # figures.sql's judgement of each backlog item (rank order): every check, near_term,
    # started, long_term, stale, ...
    judged: pd.DataFrame | None = None

    def to_dict(self) -> dict:
        """The documented JSON shape of `backlog-health metrics --json` (which, for a stored
        snapshot, `summary.stored_summary` reads without pandas)."""
        return metrics_dict(
            backlog=self.backlog,
            snapshot_id=self.snapshot_id,
            taken_at=self.taken_at,
            previous_id=self.previous_id,
            previous_taken_at=self.previous_taken_at,
            data_age_days=self.data_age_days,
            near_term=self.near_term,
            velocity=self.velocity,
            readiness=self.readiness,
            coverage=self.coverage,
            linked_duplicates=len(self.linked_duplicates),
            candidate_duplicates=len(self.candidate_duplicates),
            churn=self.churn,
            churn_not_known=self.churn_not_known,
            growth=self.growth,
        )


def snapshot_metrics(
    current: Snapshot,
    previous: Snapshot | None,
    rules: Rules,
    now: datetime,
    *,
    decisions: pd.DataFrame | None = None,
    candidates: pd.DataFrame | None = None,
    find_candidates: CandidateFinder | None = None,
    figures: Figures | None = None,
) -> SnapshotMetrics:
    """Compute every metric of `current` (against `previous`, if any); its headline
    figures are `figures` when computed already (e.g. for a whole stored history).

    Duplicate candidates come from `candidates` (pairs found earlier, e.g. stored with
    the snapshot) or else from `find_candidates`; with neither the list is empty.
    """
    items = current.items
    if figures is None:
        figures = snapshot_figures(current, rules, decisions)  # the headline figures (figures.sql)
    near = near_term_of(figures, rules)
    if candidates is None and find_candidates is not None:
        candidates = _found_candidates(backlog_items(items), rules, find_candidates)
    churn = None
    churn_not_known = None if previous is None else ranking_not_known(current.source_kind, previous.source_kind)
    if previous is not None and churn_not_known is None:
        churn = rank_churn(items, previous.items, near.size, rules.rbo_p)
    return _metrics(
        current, previous, rules, now, figures=figures, near=near, decisions=decisions, candidates=candidates,
        churn=churn, churn_not_known=churn_not_known,
        flows=flows_of(items, None if previous is None else previous.items, current.taken_at),
    )


@dataclass(frozen=True)
class StoredSnapshot:
    """What the metrics read of a stored snapshot besides its rows (a history measured in the
    store reads none)."""

    backlog: str
    snapshot_id: int
    taken_at: datetime
    source_kind: str | None


def _found_candidates(backlog: pd.DataFrame, rules: Rules, find_candidates: CandidateFinder) -> pd.DataFrame | None:
    """Candidate pairs among the backlog items (`backlog`, in rank order), or None for fewer than two."""
    if len(backlog) < 2:
        return None
    return find_candidates(
        list(backlog["key"]), list(backlog["summary"]), list(backlog["description_text"]), rules.duplicate_threshold
    )


def _metrics(
    current: Snapshot | StoredSnapshot,
    previous: Snapshot | StoredSnapshot | None,
    rules: Rules,
    now: datetime,
    *,
    figures: Figures,
    near: NearTerm,
    decisions: pd.DataFrame | None,
    candidates: pd.DataFrame | None,
    churn: Churn | None,
    churn_not_known: str | None,
    flows: Flows,
) -> SnapshotMetrics:
    """The metrics of `current` from its figures, candidate pairs (None: none), churn and flows."""
    found = pd.DataFrame(columns=["key_a", "key_b", "score"]) if candidates is None else candidates
    all_linked, open_candidates = duplicate_pairs(figures.known_duplicates, decisions, found, rules.duplicate_threshold)
    return SnapshotMetrics(
        backlog=current.backlog,
        snapshot_id=current.snapshot_id,
        taken_at=current.taken_at,
        previous_id=None if previous is None else previous.snapshot_id,
        previous_taken_at=None if previous is None else previous.taken_at,
        near_term=near,
        velocity=velocity_of(figures),
        readiness=readiness_of(figures, rules),
        checks=checks_of(figures, rules),
        coverage=coverage_of(figures),
        linked_duplicates=all_linked,
        candidate_duplicates=open_candidates,
        churn=churn,
        growth=growth_of(flows, figures),
        data_age_days=age_days(pd.Timestamp(now), pd.Timestamp(current.taken_at)),
        churn_not_known=churn_not_known,
        source_kind=current.source_kind,
        judged=figures.items,
    )


def stored_metrics(
    con: store.Store,
    snapshot_id: int,
    rules: Rules,
    now: datetime,
    *,
    previous_id: int | None = -1,
    find_candidates: CandidateFinder | None = None,
) -> SnapshotMetrics:
    """Metrics of a stored snapshot against its predecessor in the store (or against
    `previous_id` when given; None for no comparison)."""
    if previous_id == -1:
        previous_id = store.previous_snapshot_id(con, snapshot_id)
    wanted = [snapshot_id] if previous_id is None else [snapshot_id, previous_id]
    loaded = store.load_snapshots(con, wanted, columns=metric_columns(rules))
    current = loaded[snapshot_id]
    previous = None if previous_id is None else loaded[previous_id]
    computed = stored_figures(con, rules, snapshot_id=snapshot_id) if _has_text_facts(con) else {}
    return snapshot_metrics(
        current,
        previous,
        rules,
        now,
        decisions=store.duplicate_decisions(con, current.backlog),
        candidates=store.stored_candidates(con, snapshot_id, rules.duplicate_threshold),
        find_candidates=find_candidates,
        figures=computed.get(snapshot_id),
    )


def _has_text_facts(con: store.Store) -> bool:
    """Whether the store keeps the text facts figures.sql reads (a store kept at an older
    schema has none: its snapshots are judged from their frames)."""
    return store.schema_version(con) >= TEXT_FACTS_SINCE


@dataclass(frozen=True)
class SprintStart:
    """When a sprint started, and how that is known: "stored" (the tracker's sprint dates),
    "given" (the rules' `[sprint_starts]` or `--sprint-start`) or "inferred" (between the
    last snapshot where no item carried it as its latest sprint and the first where items
    did: CSV exports carry sprint names only)."""

    sprint: str
    snapshot_id: int  # the last snapshot taken before the sprint started
    source: str
    start: datetime | None = None  # stored or given
    after: datetime | None = None  # inferred: started after this snapshot ...
    by: datetime | None = None  # ... and by this one

    def to_dict(self) -> dict:
        def iso(value: datetime | None) -> str | None:
            return None if value is None else pd.Timestamp(value).isoformat()

        if self.source == "inferred":
            return {"source": "inferred", "after": iso(self.after), "by": iso(self.by)}
        return {"source": self.source, "start": iso(self.start)}

    def describe(self) -> str:
        """In words, e.g. "started between 2026-10-01 and 2026-10-08 (inferred from the snapshots)"."""
        if self.source == "inferred":
            return (f"started between {self.after:%Y-%m-%d %H:%M} and {self.by:%Y-%m-%d %H:%M} "
                    "(inferred from the snapshots)")
        how = "given in the rules" if self.source == "given" else "the tracker's start date"
        return f"started {self.start:%Y-%m-%d %H:%M} ({how})"


@dataclass(frozen=True)
class HistoryPoint:
    """One step of a backlog's history: a snapshot's metrics, and the sprint whose
    planning it preceded when the history is taken per sprint."""

    sprint: str | None
    metrics: SnapshotMetrics
    start: SprintStart | None = None

    def to_dict(self) -> dict:
        extra = {} if self.start is None else {"sprint_start": self.start.to_dict()}
        return {"sprint": self.sprint, **extra, **self.metrics.to_dict()}


def sprint_boundaries(con: store.Store, backlog: str, rules: Rules | None = None) -> list[SprintStart]:
    """Each sprint with a known or inferred start, in start order, with the last snapshot
    taken before it started or at its start. A start given in the rules wins over the tracker's, which wins
    over one inferred from the snapshots. Sprints without an earlier snapshot are skipped,
    and a snapshot is used once (for the first sprint it precedes)."""
    given = dict(rules.sprint_starts) if rules is not None else {}
    listing = store.list_snapshots(con, backlog).sort_values(["taken_at", "id"])
    taken = list(pd.to_datetime(listing["taken_at"]))
    found: dict[str, SprintStart] = {}
    for sprint, start in given.items():
        before = bisect.bisect_right(taken, pd.Timestamp(start))  # taken before or at the start
        if before:
            found[sprint] = SprintStart(sprint, int(listing["id"].iloc[before - 1]), "given", start=start)
    for sprint, snapshot_id, start in con.execute(sql("sprint_boundaries"), {"backlog": backlog}).fetchall():
        if snapshot_id is not None and sprint not in given:
            found.setdefault(sprint, SprintStart(sprint, int(snapshot_id), "stored", start=start))
    for sprint, snapshot_id, after, by in con.execute(sql("inferred_sprint_starts"), {"backlog": backlog}).fetchall():
        if snapshot_id is not None and sprint not in found and sprint not in given:
            found[sprint] = SprintStart(sprint, int(snapshot_id), "inferred", after=after, by=by)
    ordered = sorted(found.values(), key=lambda s: (pd.Timestamp(s.start or s.by), s.sprint))
    seen: set[int] = set()
    chosen = []
    for boundary in ordered:
        if boundary.snapshot_id not in seen:
            seen.add(boundary.snapshot_id)
            chosen.append(boundary)
    return chosen


def metrics_history(
    con: store.Store,
    backlog: str,
    rules: Rules,
    now: datetime,
    *,
    by_sprint: bool = False,
    find_candidates: CandidateFinder | None = None,
) -> list[HistoryPoint]:
    """The metrics of every snapshot of `backlog`, oldest first, each against the one
    before it; `by_sprint`: one snapshot per sprint (the last taken before the sprint
    started, or at its start: a snapshot rebuilt from Jira's changelog), each against the previous sprint's, falling back to every snapshot when
    no sprint start is known or can be inferred (see `sprint_boundaries`)."""
    boundaries = sprint_boundaries(con, backlog, rules) if by_sprint else []
    steps: list[tuple[str | None, int]] = [(b.sprint, b.snapshot_id) for b in boundaries]
    if not steps:
        listing = store.list_snapshots(con, backlog)
        steps = [(None, int(i)) for i in listing.sort_values(["taken_at", "id"])["id"]]
    if _has_text_facts(con):
        history = _stored_history(con, backlog, steps, rules, now, find_candidates)
    else:  # a store kept at an older schema has no text facts: its snapshots are judged from frames
        loaded = store.load_snapshots(con, [snapshot_id for _, snapshot_id in steps], columns=metric_columns(rules))
        history = history_of(
            [(sprint, loaded[snapshot_id]) for sprint, snapshot_id in steps],
            rules,
            now,
            decisions=store.duplicate_decisions(con, backlog),
            stored=lambda snapshot: store.stored_candidates(con, snapshot.snapshot_id, rules.duplicate_threshold),
            find_candidates=find_candidates,
        )
    return [replace(point, start=boundary) for point, boundary in zip(history, boundaries)] or history


def _stored_history(
    con: store.Store,
    backlog: str,
    steps: Sequence[tuple[str | None, int]],
    rules: Rules,
    now: datetime,
    find_candidates: CandidateFinder | None,
) -> list[HistoryPoint]:
    """`history_of` the stored snapshots of `steps`, measured in the store: the figures, flows
    and churn of every step come from one query each, and no snapshot's rows are read (but
    the backlog items of one without stored duplicate candidates, to find them)."""
    ids = [snapshot_id for _, snapshot_id in steps]
    described = {
        int(i): StoredSnapshot(name, int(i), taken_at, kind)
        for i, name, taken_at, kind, *_ in con.execute(sql("snapshots_meta"), {"snapshot_ids": ids}).fetchall()
    }
    # Its items' open blockers are not part of a snapshot's metrics.
    computed = stored_figures(con, rules, backlog=backlog, steps=("item_checks", "velocity_sprints", "known_duplicates"))
    near = {i: near_term_of(computed[i], rules) for i in ids}
    previous_ids = [None, *ids[:-1]]
    changes = snapshot_changes(con, [Step(i, p, near[i].size) for i, p in zip(ids, previous_ids)])
    churns = churn_of_changes(changes, rules.rbo_p)
    candidates = store.snapshots_candidates(con, ids, rules.duplicate_threshold)
    unscanned = [i for i in ids if candidates[i] is None]
    if find_candidates is not None and unscanned:
        columns = ("key", "summary", "description_text", "is_backlog", "rank_position")
        rows = store.load_snapshots(con, unscanned, columns=columns)
        for i in unscanned:
            candidates[i] = _found_candidates(backlog_items(rows[i].items), rules, find_candidates)
    decisions = store.duplicate_decisions(con, backlog)
    history = []
    for (sprint, i), p, churn, step_flows in zip(steps, previous_ids, churns, flows_of_changes(changes)):
        current, previous = described[i], None if p is None else described[p]
        churn_not_known = None if previous is None else ranking_not_known(current.source_kind, previous.source_kind)
        metrics = _metrics(
            current, previous, rules, now, figures=computed[i], near=near[i], decisions=decisions,
            candidates=candidates[i], churn=None if churn_not_known else churn, churn_not_known=churn_not_known,
            flows=step_flows,
        )
        history.append(HistoryPoint(sprint, metrics))
    return history


def history_of(
    steps: Sequence[tuple[str | None, Snapshot]],
    rules: Rules,
    now: datetime,
    *,
    decisions: pd.DataFrame | None = None,
    stored: Callable[[Snapshot], pd.DataFrame | None] | None = None,
    find_candidates: CandidateFinder | None = None,
    figures_of: Callable[[Snapshot], Figures | None] | None = None,
) -> list[HistoryPoint]:
    """The metrics of each (sprint, snapshot) step in the order given, each against the step
    before it: the one history of stored snapshots and of files analysed in memory.
    `stored(snapshot)` gives a snapshot's stored duplicate candidates, if any, and
    `figures_of(snapshot)` its headline figures when computed already."""
    history: list[HistoryPoint] = []
    previous: Snapshot | None = None
    for sprint, current in steps:
        metrics = snapshot_metrics(
            current,
            previous,
            rules,
            now,
            decisions=decisions,
            candidates=None if stored is None else stored(current),
            find_candidates=find_candidates,
            figures=None if figures_of is None else figures_of(current),
        )
        history.append(HistoryPoint(sprint, metrics))
        previous = current
    return history
