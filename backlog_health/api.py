"""The library: plain functions that the CLI, the dashboard, the demo and the tests call.

Open a store, write snapshots and hear what happened to each, read metrics of a snapshot
or a history, the duplicate report and decisions. Everything a user can get wrong raises a
`BacklogHealthError` with one line to show (see `backlog_health.errors`).

    from backlog_health import api

    with api.open_store("data/backlog.duckdb") as store:
        for written in api.write_snapshots(store, [api.read_jira_csv("export.csv")]):
            print(written.message())
        print(api.snapshot_metrics(store, backlog="SHOP").to_dict())
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from backlog_health import store as _store
from backlog_health.errors import InputError, NotFoundError, NotifyError, StoreError

# pandas, pyarrow, scikit-learn and scipy are imported by the functions that need them, so a
# command that lists snapshots starts in a fraction of the time (bench/startup_bench.py).
if TYPE_CHECKING:
    import pandas as pd

    from backlog_health.model import Snapshot

    from backlog_health.ingest.assemble import ReadResult
    from backlog_health.metrics.agenda import Agenda
    from backlog_health.metrics.thresholds import Miss
    from backlog_health.metrics.report import HistoryPoint, SnapshotMetrics
    from backlog_health.rules import Rules
    from backlog_health.store.export import ExportSummary

Repeat = Literal["never", "if-changed", "always"]
Progress = Callable[[int, int], None]


@contextmanager
def open_store(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    migrate: bool = True,
    waiting: Callable[[str], None] | None = None,
    wait_seconds: float = 30.0,
) -> Iterator[_store.Store]:
    """The store at `path` (default `$BACKLOG_HEALTH_DB` or data/backlog.duckdb), or a
    Parquet export folder (read-only), closed on exit.

    A writer creates and migrates the store. `read_only` opens it as a reading command
    does: migrated first when the file is writable (unless `migrate` is False), never created.
    """
    if read_only:
        _require_store(path)
    if read_only and not migrate:
        con = _store.connect(path, read_only=True, wait_seconds=wait_seconds, waiting=waiting)
    elif read_only:
        con = _store.connect_to_read(path, wait_seconds=wait_seconds, waiting=waiting)
    else:
        con = _store.connect(path, wait_seconds=wait_seconds, waiting=waiting)
    try:
        yield con
    finally:
        con.close()


def _require_store(path: str | Path | None) -> None:
    """A reading command never creates a store (or its folders): a mistyped path is an error."""
    target = Path(_store.default_db_path() if path is None else path)
    if str(target) != ":memory:" and not target.exists():
        raise StoreError(f"no store at {target}; ingest a snapshot or run `backlog-health demo` to create one")


@dataclass(frozen=True)
class Written:
    """What writing one snapshot did: stored as a new snapshot, or already there."""

    snapshot: Snapshot
    snapshot_id: int
    created: bool
    repeat: Repeat = "never"
    taken_at_note: str | None = None  # how taken_at was chosen, when the file did not say
    store_warnings: tuple[str, ...] = ()  # what the store noticed (e.g. the same content as another backlog)
    scan_finished: bool = False  # already there, but its interrupted duplicate scan was finished now

    @property
    def warnings(self) -> tuple[str, ...]:
        """What a person should know about how the source was read and stored, one line each."""
        return tuple(self.snapshot.warnings) + self.store_warnings

    def message(self) -> str:
        """One line for a person: "FILE: snapshot 7 of backlog SHOP at ..." or "already ingested as 7"."""
        from backlog_health.model import is_rebuilt

        s = self.snapshot
        rebuilt = is_rebuilt(s.source_kind)
        if rebuilt and not self.created:
            return (
                f"{s.source_name}: {s.taken_at:%Y-%m-%d %H:%M} is already held by snapshot {self.snapshot_id} "
                f"(backlog {s.backlog}); nothing rebuilt"
            )
        if self.created:
            return (
                f"{s.source_name}: {'rebuilt ' if rebuilt else ''}snapshot {self.snapshot_id} "
                f"of backlog {s.backlog} at "
                f"{s.taken_at:%Y-%m-%d %H:%M}: {s.row_count} rows, {s.backlog_item_count} backlog items"
            )
        same = "unchanged since" if self.repeat == "if-changed" else "already ingested as"
        added = "its duplicate scan, interrupted before, is now done" if self.scan_finished else "nothing added"
        return f"{s.source_name}: {same} snapshot {self.snapshot_id} (backlog {s.backlog}); {added}"


def write_snapshots(
    con: _store.Store,
    snapshots: Iterable[Snapshot | object],
    *,
    repeat: Repeat = "never",
    progress: Progress | None = None,
    rules: Rules | None = None,
    scanning: Callable[[int, int], None] | None = None,
) -> list[Written]:
    """Store each snapshot in its own transaction and say what happened to each.

    Items may be `Snapshot`s or a reader's results (anything with `.snapshot` and
    `.taken_at_note`). `repeat` says when content already stored is stored again (see
    `store.write_snapshot`); `progress(done, total)` is told after each one. `rules` set how
    many duplicate candidates each item keeps (`duplicates.candidates_per_item`);
    `scanning(snapshot_id, backlog_items)` is told when a stored snapshot's duplicate scan starts.
    """
    pending = list(snapshots)
    written = []
    for entry in each_written(con, pending, repeat=repeat, rules=rules, scanning=scanning):
        written.append(entry)
        if progress is not None:
            progress(len(written), len(pending))
    return written


def each_written(
    con: _store.Store,
    snapshots: Iterable[Snapshot | object],
    *,
    repeat: Repeat = "never",
    rules: Rules | None = None,
    scanning: Callable[[int, int], None] | None = None,
) -> Iterator[Written]:
    """`write_snapshots`, one at a time: each snapshot is taken from `snapshots` only when the
    one before is stored, so a lazy source holds one in memory."""
    from backlog_health.model import Snapshot

    per_item = _rules(rules).duplicate_candidates_per_item
    for entry in snapshots:
        snapshot = entry if isinstance(entry, Snapshot) else entry.snapshot  # type: ignore[attr-defined]
        note = None if isinstance(entry, Snapshot) else getattr(entry, "taken_at_note", None)
        result = _store.write_snapshot(con, snapshot, repeat=repeat, candidates_per_item=per_item, scanning=scanning)
        warnings = _same_content_warnings(con, snapshot, result.snapshot_id) if result.created else ()
        yield Written(snapshot, result.snapshot_id, result.created, repeat, note, warnings, result.scan_finished)


def _same_content_warnings(con: _store.Store, snapshot: Snapshot, snapshot_id: int) -> tuple[str, ...]:
    others = _store.other_backlogs_with_same_content(con, snapshot_id)
    if not others:
        return ()
    names = ", ".join(others)
    return (
        f"{snapshot.source_name}: has exactly the content of the latest snapshot of backlog {names}; "
        f"it was stored as backlog {snapshot.backlog} (use --backlog {others[0]} if it is the same backlog)",
    )


def load_demo(con: _store.Store, seed: int = 7, progress: Progress | None = None) -> int:
    """Store the deterministic demo history; returns how many snapshots were new (0 when
    it is already loaded)."""
    from backlog_health.ingest.demo import demo_snapshots

    return sum(w.created for w in write_snapshots(con, demo_snapshots(seed), progress=progress))


# --- Reading exports --------------------------------------------------------------------------


def read_jira_csv(path: str | Path, *, backlog: str | None = None, taken_at: datetime | None = None) -> ReadResult:
    """The snapshot in a Jira "Export > CSV (all fields)" file (Cloud or Server, any UI language)."""
    from backlog_health.ingest.jira_csv import read_jira_csv as read

    return read(path, backlog=backlog, taken_at=taken_at)


def read_generic_csv(
    path: str | Path,
    columns: dict[str, str],
    *,
    backlog: str | None = None,
    taken_at: datetime | None = None,
    done_statuses: Iterable[str] = (),
) -> ReadResult:
    """The snapshot in any tracker's CSV, read through a {field: column header} mapping;
    `done_statuses` names the statuses that mean done in this file ("Fait (à livrer)")."""
    from backlog_health.ingest.generic_csv import read_generic_csv as read

    return read(path, columns, backlog=backlog, taken_at=taken_at, done_statuses=done_statuses)


def read_jira(
    server: str | None,
    *,
    board: int | None = None,
    jql: str | None = None,
    backlog: str | None = None,
    field_overrides: dict[str, str] | None = None,
    closed_sprints: int = 6,
    notice: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> ReadResult:
    """A board's or a JQL query's issues, fetched from Jira with credentials from the
    environment (JIRA_EMAIL + JIRA_API_TOKEN, or JIRA_PAT); `server` None means $JIRA_SERVER."""
    return read_jira_history(
        server, board=board, jql=jql, backlog=backlog, field_overrides=field_overrides,
        closed_sprints=closed_sprints, notice=notice, progress=progress,
    )[-1]


def read_jira_history(
    server: str | None,
    *,
    board: int | None = None,
    jql: str | None = None,
    backfill: int = 0,
    backfill_every_days: int = 14,
    backlog: str | None = None,
    field_overrides: dict[str, str] | None = None,
    closed_sprints: int = 6,
    notice: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> list[ReadResult]:
    """As `read_jira`, plus `backfill` snapshots rebuilt from the issues' changelogs: at the
    board's last N sprint starts, or every `backfill_every_days` back from now for `jql`;
    oldest first, today's last. Their source kind is "jira-backfill"."""
    from backlog_health.ingest.jira_connection import JiraSite, credentials_from_env, server_url
    from backlog_health.ingest.jira_rest import read_jira_history as read

    site = JiraSite(server_url(server), credentials_from_env(), notice=notice)
    return read(
        site,
        board=board,
        jql=jql,
        backlog=backlog,
        field_overrides=field_overrides or {},
        closed_sprints=closed_sprints,
        backfill=backfill,
        backfill_every_days=backfill_every_days,
        progress=progress or (lambda fetched, total: None),
    )


# --- Reading the store ------------------------------------------------------------------------


def snapshot_listing(con: _store.Store, backlog: str | None = None) -> list[dict[str, Any]]:
    """Every snapshot (of `backlog`), oldest first per backlog, as the documented JSON records
    of `backlog-health snapshots --json`."""
    return [
        {
            "id": row["id"],
            "backlog": row["backlog"],
            "taken_at": row["taken_at"],
            "source": row["source_kind"],
            "source_name": row["source_name"],
            "rows": row["row_count"],
            "items": row["backlog_items"],
            "content_hash": row["content_hash"],
            "ingested_at": row["ingested_at"],
        }
        for row in _store.snapshot_records(con, backlog)
    ]


def snapshot_items(
    con: _store.Store, backlog: str | None = None, at: str | int = "latest", *, all_rows: bool = False
) -> pd.DataFrame:
    """The backlog items of snapshot `at` in rank order (`all_rows`: every row), with the
    model's item fields (`parent_key` shown as `parent`)."""
    from backlog_health.model import ITEM_FIELDS

    frame = _store.snapshot_items(con, _store.resolve_snapshot(con, backlog, at), all_rows=all_rows)
    return frame.rename(columns={"parent_key": "parent"})[list(ITEM_FIELDS)]


def snapshot_metrics(
    con: _store.Store,
    backlog: str | None = None,
    at: str | int = "latest",
    rules: Rules | None = None,
    *,
    previous: int | None | Literal["before"] = "before",
    now: datetime | None = None,
) -> SnapshotMetrics:
    """Every metric of snapshot `at` against `previous`: by default the backlog's snapshot
    taken just before it; a snapshot id; or None for no comparison."""
    from backlog_health.metrics.report import stored_metrics

    snapshot_id = _store.resolve_snapshot(con, backlog, at)
    return stored_metrics(con, snapshot_id, _rules(rules), now or datetime.now(),
                          previous_id=-1 if previous == "before" else previous, find_candidates=_candidate_pairs)


def metrics_summary(
    con: _store.Store,
    backlog: str | None = None,
    at: str | int = "latest",
    rules: Rules | None = None,
    *,
    previous: int | None | Literal["before"] = "before",
    now: datetime | None = None,
) -> dict[str, Any]:
    """`snapshot_metrics(...).to_dict()`, the documented JSON of `metrics --json`: read from the
    store without pandas when the snapshot has a stored duplicate scan (see
    `metrics.summary.stored_summary`), which starts several times faster."""
    from backlog_health.metrics.summary import stored_summary

    snapshot_id = _store.resolve_snapshot(con, backlog, at)
    chosen, when, previous_id = _rules(rules), now or datetime.now(), -1 if previous == "before" else previous
    summary = stored_summary(con, snapshot_id, chosen, when, previous_id=previous_id)
    if summary is not None:
        return summary
    from backlog_health.metrics.report import stored_metrics

    return stored_metrics(con, snapshot_id, chosen, when, previous_id=previous_id,
                          find_candidates=_candidate_pairs).to_dict()


def metrics_history(
    con: _store.Store,
    backlog: str | None = None,
    rules: Rules | None = None,
    *,
    at: str | int = "latest",
    by_sprint: bool = False,
    now: datetime | None = None,
) -> list[HistoryPoint]:
    """The metrics of every snapshot of a backlog (the backlog of snapshot `at`), oldest
    first, each against the one before (`by_sprint`: the last snapshot before each sprint
    started)."""
    from backlog_health.metrics.report import metrics_history as history

    name = backlog_of(con, _store.resolve_snapshot(con, backlog, at))
    return history(con, name, _rules(rules), now or datetime.now(), by_sprint=by_sprint,
                   find_candidates=_candidate_pairs)


def _candidate_pairs(*args: Any, **kwargs: Any) -> pd.DataFrame:
    """`similarity.candidate_pairs`, imported (with scikit-learn and scipy) only when a
    snapshot has no stored scan to read."""
    from backlog_health.similarity import candidate_pairs

    return candidate_pairs(*args, **kwargs)


def snapshot_warnings(con: _store.Store, snapshot_id: int) -> tuple[str, ...]:
    """The warnings stored with a snapshot when it was read (implausible estimates set
    aside, no row done), one line each; empty for most snapshots."""
    return _store.snapshot_warnings(con, snapshot_id)


def agenda(
    con: _store.Store,
    backlog: str | None = None,
    at: str | int = "latest",
    rules: Rules | None = None,
    *,
    site: str | None = None,
    now: datetime | None = None,
) -> Agenda:
    """The refinement agenda of snapshot `at` against the snapshot taken just before it.

    Links point to `site` (a Jira base URL); without one, to the site a live-ingested
    snapshot came from, if any.
    """
    return _agenda_and_metrics(con, backlog, at, _rules(rules), site, now)[0]


def _agenda_and_metrics(
    con: _store.Store, backlog: str | None, at: str | int, rules: Rules, site: str | None, now: datetime | None
) -> tuple[Agenda, SnapshotMetrics]:
    from backlog_health.metrics.agenda import agenda as build, agenda_columns
    from backlog_health.metrics.report import snapshot_metrics as compute
    from backlog_health.similarity import candidate_pairs

    snapshot_id = _store.resolve_snapshot(con, backlog, at)
    previous_id = _store.previous_snapshot_id(con, snapshot_id)
    wanted = [snapshot_id] if previous_id is None else [snapshot_id, previous_id]
    loaded = _store.load_snapshots(con, wanted, columns=agenda_columns(rules))
    current, previous = loaded[snapshot_id], None if previous_id is None else loaded[previous_id]
    metrics = compute(current, previous, rules, now or datetime.now(),
                      decisions=_store.duplicate_decisions(con, current.backlog),
                      candidates=_store.stored_candidates(con, snapshot_id, rules.duplicate_threshold),
                      find_candidates=candidate_pairs)
    return build(current, previous, metrics, rules, site=site or jira_site(current)), metrics


@dataclass(frozen=True)
class Check:
    """A snapshot checked before sprint planning: its agenda and the thresholds it missed."""

    agenda: Agenda
    misses: list[Miss]

    def message(self) -> tuple[str, str]:
        """(title, body) of the notification: the verdict, the misses, the agenda's summary
        and the items not ready, top first."""
        n = len(self.misses)
        verdict = f"{n} threshold{'s' if n != 1 else ''} missed" if n else "thresholds met"
        lines = [f"- {miss.message()}" for miss in self.misses] + ["", self.agenda.summary()]
        lines += [f"- {i.key} (rank {i.rank_position}): {'; '.join(i.reasons)}" for i in self.agenda.not_ready[:10]]
        return f"Backlog health {self.agenda.backlog}: {verdict}", "\n".join(lines).strip()


def check(
    con: _store.Store,
    backlog: str | None = None,
    at: str | int = "latest",
    rules: Rules | None = None,
    minimums: dict[str, float] | None = None,
    *,
    site: str | None = None,
    now: datetime | None = None,
) -> Check:
    """Snapshot `at`'s agenda and the `minimums` ({threshold name: minimum}) it misses."""
    from backlog_health.metrics.thresholds import missed

    found, metrics = _agenda_and_metrics(con, backlog, at, _rules(rules), site, now)
    return Check(found, missed(metrics, minimums or {}))


def notify(urls: Iterable[str], title: str, body: str) -> None:
    """Send a message through each Apprise URL (Slack, Teams, e-mail, ntfy, json://...).

    NotifyError names the first URL (with its secrets masked) that is unknown or whose
    receiver did not take the message; URLs before it were sent.
    """
    import apprise

    senders = []
    for url in urls:  # every URL checked before anything is sent
        sender = apprise.Apprise()
        if not sender.add(url):
            scheme = f'"{url.split("://", 1)[0]}://..."' if "://" in url else "a value without SCHEME://"
            raise NotifyError(f"--notify: {scheme} is not a notification URL Apprise knows "
                              "(e.g. slack://..., msteams://..., ntfy://..., mailto://..., json://host:port)")
        senders.append(sender)
    for sender in senders:
        shown = sender[0].url(privacy=True).split("?", 1)[0]
        if not sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT):
            raise NotifyError(f"--notify: {shown} did not take the notification (unreachable or refused)")


def jira_site(snapshot: Snapshot) -> str | None:
    """The Jira base URL a live-ingested snapshot came from (its source names the site first)."""
    if snapshot.source_kind != "jira" or not snapshot.source_name.startswith(("https://", "http://")):
        return None
    return snapshot.source_name.split()[0]


def backlog_of(con: _store.Store, snapshot_id: int) -> str:
    """The backlog a stored snapshot belongs to."""
    listing = _store.list_snapshots(con)
    return str(listing.loc[listing["id"] == snapshot_id, "backlog"].iloc[0])


@dataclass(frozen=True)
class DuplicateReport:
    """A snapshot's duplicates: pairs linked or confirmed and still open, and candidates."""

    backlog: str
    snapshot_id: int
    threshold: float
    known: pd.DataFrame  # key_a, key_b
    candidates: pd.DataFrame  # key_a, key_b, score (best first)
    summaries: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape of `backlog-health duplicates --json`."""
        from backlog_health.output import records

        return {
            "backlog": self.backlog,
            "snapshot": self.snapshot_id,
            "threshold": self.threshold,
            "linked": records(self.known),
            "candidates": [{**r, "score": round(r["score"], 4)} for r in records(self.candidates)],
        }


def duplicate_report(
    con: _store.Store,
    backlog: str | None = None,
    at: str | int = "latest",
    rules: Rules | None = None,
    *,
    include_done: bool = False,
) -> DuplicateReport:
    """The duplicates of snapshot `at`: the candidates stored with it (or, `include_done`,
    every row compared afresh) above the rules' threshold, minus decided and linked pairs."""
    from backlog_health.metrics.duplicates import duplicate_pairs, known_pairs
    from backlog_health.similarity import candidate_pairs

    chosen = _rules(rules)
    snapshot = _store.load_snapshot(con, _store.resolve_snapshot(con, backlog, at), with_raw=False)
    decisions = _store.duplicate_decisions(con, snapshot.backlog)
    found = None if include_done else _store.stored_candidates(con, snapshot.snapshot_id, chosen.duplicate_threshold)
    if found is None:
        pool = _pool(snapshot, include_done)
        found = candidate_pairs(list(pool["key"]), list(pool["summary"]), list(pool["description_text"]),
                                chosen.duplicate_threshold)
    known, candidates = duplicate_pairs(known_pairs(snapshot, decisions), decisions, found, chosen.duplicate_threshold)
    items = snapshot.items
    return DuplicateReport(snapshot.backlog, int(snapshot.snapshot_id), chosen.duplicate_threshold, known,
                           candidates, dict(zip(items["key"], items["summary"])))


def nearest_items(
    con: _store.Store,
    backlog: str | None = None,
    at: str | int = "latest",
    k: int = 5,
    *,
    include_done: bool = False,
) -> dict[str, Any]:
    """For every backlog item (`include_done`: every row) of snapshot `at`, its k most similar
    items, as the documented JSON of `backlog-health duplicates --top-k K --json`."""
    from backlog_health.similarity import nearest_neighbors

    snapshot = _store.load_snapshot(con, _store.resolve_snapshot(con, backlog, at), with_raw=False)
    pool = _pool(snapshot, include_done)
    near = nearest_neighbors(list(pool["key"]), list(pool["summary"]), list(pool["description_text"]), k)
    listing = {key: [{"key": other, "score": round(score, 4)} for other, score in found]
               for key, found in near.items()}
    return {"backlog": snapshot.backlog, "snapshot": snapshot.snapshot_id, "k": k, "neighbors": listing}


def _pool(snapshot: Snapshot, include_done: bool) -> pd.DataFrame:
    from backlog_health.backlog import backlog_items

    return snapshot.items if include_done else backlog_items(snapshot.items)


# --- Decisions --------------------------------------------------------------------------------


def decide_duplicate(
    con: _store.Store, backlog: str | None, key_1: str, key_2: str, decision: str
) -> str:
    """Record that a person dismissed or confirmed the pair; returns the backlog's name.
    Both keys must be in the backlog's latest snapshot."""
    snapshot = _store.load_snapshot(con, _store.resolve_snapshot(con, backlog), with_raw=False, columns=["key"])
    missing = [k for k in (key_1, key_2) if k not in set(snapshot.items["key"])]
    if missing:
        raise NotFoundError(f"{' and '.join(missing)} not in the latest snapshot of backlog {snapshot.backlog}")
    _store.record_duplicate_decision(con, snapshot.backlog, key_1, key_2, decision)
    return snapshot.backlog


def is_empty(con: _store.Store) -> bool:
    """True when the store holds no snapshot."""
    return _store.is_empty(con)


def export_parquet(con: _store.Store, folder: str | Path, backlog: str | None = None) -> ExportSummary:
    """Write the store (or one backlog) as Hive-partitioned Parquet for other engines."""
    from backlog_health.store.export import export_parquet as export

    return export(con, Path(folder), backlog=backlog)


def _rules(rules: Rules | None) -> Rules:
    if rules is not None:
        return rules
    from backlog_health.rules import load_rules

    return load_rules(None)


ENGINES = ("duckdb", "spark")


def portfolio(
    con: _store.Store, rules: Rules | None = None, *, engine: str = "duckdb", every_snapshot: bool = False
) -> list[dict[str, Any]]:
    """Every backlog at its latest snapshot (`every_snapshot`: at each snapshot, oldest first
    within a backlog), worst ready share first (none last, then by name), with the keys of
    `metrics --json`. The figures are figures.sql's, run by DuckDB on the store (or export
    folder), or by Spark on an export folder."""
    from backlog_health.metrics import figures
    from backlog_health.metrics.portfolio import portfolio_entries

    chosen = _rules(rules)
    if engine == "spark":
        from backlog_health.spark_engine import run_sql

        if not con.is_export:
            raise InputError("--engine spark", f"reads a Parquet export, not a store file: run "
                             f"`backlog-health export --parquet DIR --db {con.path}` and pass --db DIR")
        params = figures.parameters(chosen, latest_only=not every_snapshot)
        frame = run_sql(figures.figures_sql(chosen.custom_checks), params, Path(con.path))
    elif engine == "duckdb":
        frame = figures.run(con, chosen, latest_only=not every_snapshot)
    else:
        raise InputError("--engine", f"expected one of {', '.join(ENGINES)}, got {engine!r}")
    return portfolio_entries(frame)
