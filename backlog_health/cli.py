"""The `backlog-health` command: a thin shell over ingest, the store and (later) metrics.

Every user mistake ends as one line on stderr and exit code 1; usage errors exit 2.
"""

from __future__ import annotations

import errno
import functools
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from backlog_health import store
from backlog_health.errors import BacklogHealthError, NotFoundError
from backlog_health.output import csv_ready, records

app = typer.Typer(
    name="backlog-health",
    help="Is your product backlog healthy? Snapshot backlog exports and measure them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
ingest_app = typer.Typer(
    help="Snapshot a backlog export into the store.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(ingest_app, name="ingest")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar=store.DB_ENV,
        help="Store path (default data/backlog.duckdb; env BACKLOG_HEALTH_DB).",
        show_default=False,
    ),
]
BacklogOption = Annotated[str | None, typer.Option("--backlog", help="Backlog name.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or notes.")]
TakenAtOption = Annotated[
    str | None,
    typer.Option(
        "--taken-at",
        help="When the export was taken, ISO-8601 (default: the newest 'Updated' in the file).",
    ),
]


def friendly(command: F) -> F:
    """Turn domain errors into one line on stderr and exit code 1.

    The store's errors (damaged, disk full, read-only...) are `StoreError`s already, with
    their one line; a write in progress was rolled back.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BacklogHealthError as error:
            _fail(str(error))
        except OSError as error:
            if error.errno not in _DISK_ERRORS:
                raise
            _fail(f"{error.filename or store.default_db_path()}: {error.strerror}")
        except KeyboardInterrupt:
            err.print("interrupted; nothing was written for the snapshot in progress")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


# A full disk or a read-only location, met outside DuckDB (creating the store's folder...).
_DISK_ERRORS = {errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT}


def _note(message: str) -> None:
    err.print(message, markup=False, highlight=False)


def _fail(message: str) -> NoReturn:
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(1) from None


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
        transient=True,
    )


def _taken_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f'expected an ISO-8601 time like 2026-01-27T16:00, got "{value}"', param_hint="--taken-at"
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def _write(db: Path | None, results: list, quiet: bool, repeat: str = "never") -> None:
    """Store each read snapshot (one transaction each) and report what happened."""
    con = store.connect(db, waiting=None if quiet else _note)
    try:
        for result in results:
            snapshot = result.snapshot
            written = store.write_snapshot(con, snapshot, repeat=repeat)
            if written.created:
                if result.taken_at_note and not quiet:
                    err.print(f"{snapshot.source_name}: {result.taken_at_note}", markup=False, highlight=False)
                out.print(
                    f"{snapshot.source_name}: snapshot {written.snapshot_id} of backlog "
                    f"{snapshot.backlog} at {snapshot.taken_at:%Y-%m-%d %H:%M}: "
                    f"{snapshot.row_count} rows, {snapshot.backlog_item_count} backlog items",
                    markup=False,
                    highlight=False,
                )
            else:
                same = "unchanged since" if repeat == "if-changed" else "already ingested as"
                out.print(
                    f"{snapshot.source_name}: {same} snapshot {written.snapshot_id} "
                    f"(backlog {snapshot.backlog}); nothing added",
                    markup=False,
                    highlight=False,
                )
    finally:
        con.close()


@ingest_app.command("jira-csv")
@friendly
def ingest_jira_csv(
    paths: Annotated[list[Path], typer.Argument(help="Jira CSV export file(s); each is one snapshot.")],
    backlog: Annotated[
        str | None, typer.Option("--backlog", help="Backlog name (default: the project key(s) in the file).")
    ] = None,
    taken_at: TakenAtOption = None,
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Snapshot Jira "Export > CSV (all fields)" files (Cloud or Server, any UI language).

    Every file is read and checked before anything is written: one bad file writes nothing.
    """
    from backlog_health.ingest.jira_csv import read_jira_csv

    when = _taken_at(taken_at)
    results = []
    with _progress(quiet or len(paths) < 2) as progress:
        task = progress.add_task("reading exports", total=len(paths))
        for path in paths:
            results.append(read_jira_csv(path, backlog=backlog, taken_at=when))
            progress.advance(task)
    _write(db, results, quiet)


@ingest_app.command("csv")
@friendly
def ingest_csv(
    path: Annotated[Path, typer.Argument(help="A CSV file from any tracker.")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN, repeatable; key and summary are required."),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help='TOML file with a [columns] table: field = "header".')
    ] = None,
    backlog: Annotated[
        str | None, typer.Option("--backlog", help="Backlog name (default: the key prefix, else the file name).")
    ] = None,
    taken_at: TakenAtOption = None,
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Snapshot any tracker's CSV export through a column mapping.

    Fields: key, summary (required); description, status, status_category, issue_type,
    story_points, original_estimate, assignee, rank, sprint, parent, labels, created,
    updated, resolved, duplicates, blocked_by.
    """
    from backlog_health.ingest.generic_csv import parse_map_options, read_generic_csv, read_mapping_file

    columns: dict[str, str] = {}
    if mapping is not None:
        columns.update(read_mapping_file(mapping))
    try:
        columns.update(parse_map_options(map_ or []))
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--map") from None
    if not columns:
        raise typer.BadParameter("give the columns with --map FIELD=COLUMN or --mapping FILE", param_hint="--map")
    result = read_generic_csv(path, columns, backlog=backlog, taken_at=_taken_at(taken_at))
    _write(db, [result], quiet)


@ingest_app.command("jira")
@friendly
def ingest_jira(
    server: Annotated[
        str | None,
        typer.Option("--server", help="The site, e.g. https://your-site.atlassian.net (default: env JIRA_SERVER)."),
    ] = None,
    board: Annotated[int | None, typer.Option("--board", help="Board id: its sprints and backlog.")] = None,
    jql: Annotated[str | None, typer.Option("--jql", help='A JQL query, e.g. "project = SHOP".')] = None,
    backlog: Annotated[
        str | None, typer.Option("--backlog", help="Backlog name (default: the project key(s) of the issues).")
    ] = None,
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            help="ROLE=FIELD_ID for a site whose field is not found by its type or name; "
            "roles: rank, sprint, story_points, epic_link. Repeatable.",
        ),
    ] = None,
    if_changed: Annotated[
        bool, typer.Option("--if-changed", help="Write nothing when the backlog equals its latest snapshot.")
    ] = False,
    closed_sprints: Annotated[
        int, typer.Option("--closed-sprints", min=0, help="Closed sprints to fetch issues of, for velocity.")
    ] = 6,
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Snapshot a board or a JQL query straight from Jira Cloud or Data Center.

    Credentials come from the environment only: JIRA_EMAIL + JIRA_API_TOKEN (Cloud) or
    JIRA_PAT (Data Center). Everything is fetched before anything is written.
    """
    from backlog_health.ingest.jira_connection import JiraSite, credentials_from_env, server_url
    from backlog_health.ingest.jira_fields import parse_overrides
    from backlog_health.ingest.jira_rest import read_jira

    if (board is None) == (jql is None):
        raise typer.BadParameter("give exactly one of --board ID or --jql QUERY", param_hint="--board/--jql")
    url = server_url(server)
    overrides = parse_overrides(field or [])
    credentials = credentials_from_env()
    with _progress(quiet) as progress:
        task = progress.add_task("fetching issues", total=None)

        def notice(message: str) -> None:
            if not quiet:
                progress.console.print(message, markup=False, highlight=False)

        site = JiraSite(url, credentials, notice=notice)
        result = read_jira(
            site,
            board=board,
            jql=jql,
            backlog=backlog,
            field_overrides=overrides,
            closed_sprints=closed_sprints,
            progress=lambda fetched, total: progress.update(task, completed=fetched, total=total),
        )
    _write(db, [result], quiet, repeat="if-changed" if if_changed else "always")


@app.command()
@friendly
def snapshots(
    backlog: BacklogOption = None,
    json_: Annotated[bool, typer.Option("--json", help="JSON list instead of a table.")] = False,
    db: DbOption = None,
) -> None:
    """List the snapshots in the store, oldest first per backlog."""
    con = store.connect_to_read(db)
    try:
        frame = store.list_snapshots(con, backlog)
    finally:
        con.close()
    listing = [
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
        for row in records(frame)
    ]
    if json_:
        out.print_json(json.dumps(listing))
        return
    if not listing:
        out.print("no snapshots yet: run `backlog-health ingest jira-csv FILE` or `backlog-health demo`")
        return
    table = Table("id", "backlog", "taken at", "source", "file", "rows", "backlog items")
    for row in listing:
        table.add_row(
            str(row["id"]), row["backlog"], row["taken_at"][:16].replace("T", " "), row["source"],
            row["source_name"], str(row["rows"]), str(row["items"]),
        )
    out.print(table)


ITEM_FIELDS = (
    "key", "rank_position", "summary", "issue_type", "status", "status_category", "story_points",
    "original_estimate_seconds", "assignee", "reporter", "priority", "parent", "sprints", "labels",
    "components", "fix_versions", "created", "updated", "resolved", "due", "rank", "is_backlog",
    "is_subtask", "is_epic", "resolution", "project_key", "issue_id", "description_text",
    "description_raw", "custom_fields",
)


@app.command()
@friendly
def items(
    backlog: BacklogOption = None,
    at: Annotated[str, typer.Option("--at", help='Snapshot id or "latest".')] = "latest",
    all_: Annotated[bool, typer.Option("--all", help="Every row: done items, sub-tasks and epics too.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="JSON list of objects.")] = False,
    csv_: Annotated[bool, typer.Option("--csv", help="CSV, safe to open in a spreadsheet.")] = False,
    db: DbOption = None,
) -> None:
    """The backlog items of a snapshot in rank order, with their stored fields."""
    if json_ and csv_:
        raise typer.BadParameter("choose one of --json and --csv", param_hint="--json/--csv")
    con = store.connect_to_read(db)
    try:
        snapshot_id = store.resolve_snapshot(con, backlog, at)
        frame = store.snapshot_items(con, snapshot_id, all_rows=all_)
    finally:
        con.close()
    frame = frame.rename(columns={"parent_key": "parent"})[list(ITEM_FIELDS)]
    if json_:
        out.print_json(json.dumps(records(frame)))
    elif csv_:
        sys.stdout.write(csv_ready(frame).to_csv(index=False, lineterminator="\r\n"))
    else:
        table = Table("#", "key", "type", "status", "points", "assignee", "summary")
        for row in records(frame):
            points = row["story_points"]
            table.add_row(
                "" if row["rank_position"] is None else str(row["rank_position"]), row["key"],
                row["issue_type"] or "", row["status"] or "",
                "" if points is None else f"{points:g}", row["assignee"] or "", row["summary"][:80],
            )
        out.print(table)


RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="Rules TOML file (defaults: data/rules.toml).")
]
AtOption = Annotated[str, typer.Option("--at", help='Snapshot id or "latest".')]


def _candidate_finder():
    from backlog_health.similarity import candidate_pairs

    return candidate_pairs


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _print_summary(m) -> None:
    """A short human summary of one snapshot's metrics."""
    d = m.to_dict()
    near = d["near_term"]
    rule = near["rule"]
    rule_text = (
        f"top {rule['count']} by rank"
        if rule["mode"] == "count"
        else f"{_num(rule['sprints'], 1)} sprints x velocity {_num(rule['velocity'], 1)} pts"
    )
    lines = [
        f"{d['backlog']} - snapshot {d['snapshot']['id']} taken {d['snapshot']['taken_at'][:16].replace('T', ' ')}"
        + (
            f" (vs snapshot {d['previous_snapshot']['id']} of {d['previous_snapshot']['taken_at'][:10]})"
            if d["previous_snapshot"]
            else " (first snapshot: no comparison)"
        ),
        f"backlog items      {d['backlog_items']}   near term: {near['items']} items ({rule_text})",
    ]
    r = d["readiness"]
    failing = ", ".join(f"{k} {v}" for k, v in sorted(r["failing"].items(), key=lambda kv: -kv[1]) if v)
    lines.append(
        f"ready near term    {r['ready']}/{r['total']} ({_pct(r['ratio'])})"
        + (f"; failing: {failing}" if failing else "")
    )
    lines.append(f"ready sprints ahead {_num(r['ready_sprints_ahead'], 1)}")
    c = d["estimate_coverage"]
    lines.append(f"estimated          near term {_pct(c['near_term'])}, long term {_pct(c['long_term'])}, "
                 f"all {_pct(c['all'])}")
    dup = d["duplicates"]
    lines.append(f"duplicates         {dup['linked']} linked still open, {dup['candidates']} candidate pairs")
    ch = d["churn"]
    if ch:
        lines.append(
            f"ranking churn      RBO {_num(ch['rbo'])}, Kendall tau {_num(ch['kendall_tau'])}, "
            f"mean move {_num(ch['mean_abs_displacement'], 1)} places; top {ch['top_n']}: "
            f"{ch['entered_top_n']} entered ({ch['entered_top_n_new']} new), {ch['left_top_n']} left, "
            f"{ch['completed_from_top_n']} completed, turnover {_pct(ch['top_n_turnover'])}"
        )
    g = d["growth"]
    flow = "" if g["added"] is None else f"+{g['added']} added, {g['finished']} finished, {g['removed']} removed; "
    lines.append(
        f"growth and age     {flow}median age {_num(g['median_age_days'], 0)} days, "
        f"{g['stale']} stale, {g['old_long_term']} old long-term items"
    )
    for line in lines:
        out.print(line, markup=False, highlight=False)


@app.command()
@friendly
def metrics(
    backlog: BacklogOption = None,
    at: AtOption = "latest",
    rules: RulesOption = None,
    history: Annotated[bool, typer.Option("--history", help="Every snapshot, oldest first.")] = False,
    by_sprint: Annotated[
        bool, typer.Option("--by-sprint", help="With --history: one snapshot per sprint (before its start).")
    ] = False,
    near_term: Annotated[
        int | None, typer.Option("--near-term", min=1, help="Count mode with N items, overriding the rules.")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    db: DbOption = None,
) -> None:
    """Backlog health of a snapshot: readiness, estimates, duplicates, churn, growth."""
    from backlog_health.metrics.report import metrics_history, stored_metrics
    from backlog_health.rules import load_rules

    chosen = load_rules(rules)
    if near_term is not None:
        chosen = chosen.with_near_term_count(near_term)
    now = datetime.now()
    con = store.connect_to_read(db)
    try:
        snapshot_id = store.resolve_snapshot(con, backlog, at)
        if history:
            listing = store.list_snapshots(con, backlog)
            name = str(listing.loc[listing["id"] == snapshot_id, "backlog"].iloc[0])
            points = metrics_history(
                con, name, chosen, now, by_sprint=by_sprint, find_candidates=_candidate_finder()
            )
        else:
            result = stored_metrics(con, snapshot_id, chosen, now, find_candidates=_candidate_finder())
    finally:
        con.close()
    if history:
        if json_:
            out.print_json(json.dumps([p.to_dict() for p in points]))
            return
        table = Table("snapshot", "taken at", "sprint", "items", "near", "ready", "est. near", "est. long",
                      "dup. cand.", "RBO", "turnover")
        for point in points:
            d = point.to_dict()
            table.add_row(
                str(d["snapshot"]["id"]), d["snapshot"]["taken_at"][:10], d["sprint"] or "",
                str(d["backlog_items"]), str(d["near_term"]["items"]), _pct(d["readiness"]["ratio"]),
                _pct(d["estimate_coverage"]["near_term"]), _pct(d["estimate_coverage"]["long_term"]),
                str(d["duplicates"]["candidates"]), _num(d["churn"]["rbo"]) if d["churn"] else "",
                _pct(d["churn"]["top_n_turnover"]) if d["churn"] else "",
            )
        out.print(table)
        return
    if json_:
        out.print_json(json.dumps(result.to_dict()))
    else:
        _print_summary(result)


duplicates_app = typer.Typer(
    help="Duplicate candidates of a snapshot, and dismissing or confirming pairs.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(duplicates_app, name="duplicates")


@duplicates_app.callback()
@friendly
def duplicates(
    ctx: typer.Context,
    backlog: BacklogOption = None,
    at: AtOption = "latest",
    top_k: Annotated[
        int | None, typer.Option("--top-k", min=1, help="For every item, its K most similar items.")
    ] = None,
    include_done: Annotated[
        bool, typer.Option("--include-done", help="Compare every row, not just backlog items.")
    ] = False,
    rules: RulesOption = None,
    json_: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    db: DbOption = None,
) -> None:
    """List duplicate candidate pairs (or, with --top-k, each item's nearest neighbours)."""
    if ctx.invoked_subcommand is not None:
        return
    from backlog_health.metrics.duplicates import confirmed_pairs, linked_duplicates, open_candidates
    from backlog_health.rules import load_rules
    from backlog_health.similarity import candidate_pairs, nearest_neighbors

    chosen = load_rules(rules)
    con = store.connect_to_read(db)
    try:
        snapshot = store.load_snapshot(con, store.resolve_snapshot(con, backlog, at), with_raw=False)
        decisions = store.duplicate_decisions(con, snapshot.backlog)
        stored = None if include_done else store.stored_candidates(
            con, snapshot.snapshot_id, chosen.duplicate_threshold
        )
    finally:
        con.close()
    items = snapshot.items
    pool = items if include_done else items[items["is_backlog"].astype(bool)]
    keys, summaries = list(pool["key"]), list(pool["summary"])
    descriptions = list(pool["description_text"])
    if top_k is not None:
        neighbors = nearest_neighbors(keys, summaries, descriptions, top_k)
        listing = {key: [{"key": k, "score": round(s, 4)} for k, s in near] for key, near in neighbors.items()}
        if json_:
            out.print_json(json.dumps({"backlog": snapshot.backlog, "snapshot": snapshot.snapshot_id,
                                       "k": top_k, "neighbors": listing}))
        else:
            for key, near in listing.items():
                shown = ", ".join(f"{n['key']} {n['score']:.2f}" for n in near)
                out.print(f"{key}: {shown}", markup=False, highlight=False)
        return
    linked = linked_duplicates(items, snapshot.links)
    confirmed = confirmed_pairs(items, decisions)
    known = pd.concat([linked, confirmed], ignore_index=True).drop_duplicates(ignore_index=True)
    found = stored if stored is not None else candidate_pairs(keys, summaries, descriptions, chosen.duplicate_threshold)
    candidates = open_candidates(found, known, decisions, chosen.duplicate_threshold)
    summary = dict(zip(items["key"], items["summary"]))
    if json_:
        out.print_json(json.dumps({
            "backlog": snapshot.backlog,
            "snapshot": snapshot.snapshot_id,
            "threshold": chosen.duplicate_threshold,
            "linked": records(known),
            "candidates": [{**r, "score": round(r["score"], 4)} for r in records(candidates)],
        }))
        return
    out.print(f"{len(known)} linked or confirmed duplicate pairs still open, {len(candidates)} candidate pairs "
              f"(similarity >= {chosen.duplicate_threshold})", markup=False, highlight=False)
    table = Table("score", "item", "summary", "item", "summary")
    for row in records(candidates):
        table.add_row(f"{row['score']:.2f}", row["key_a"], summary[row["key_a"]][:50], row["key_b"],
                      summary[row["key_b"]][:50])
    if len(candidates):
        out.print(table)
    else:
        out.print("no candidate pairs: nothing looks like a duplicate at this threshold")


def _decide(backlog: str | None, key_1: str, key_2: str, decision: str, db: Path | None) -> None:
    con = store.connect(db)
    try:
        snapshot = store.load_snapshot(con, store.resolve_snapshot(con, backlog), with_raw=False, columns=["key"])
        missing = [k for k in (key_1, key_2) if k not in set(snapshot.items["key"])]
        if missing:
            raise NotFoundError(
                f"{' and '.join(missing)} not in the latest snapshot of backlog {snapshot.backlog}"
            )
        store.record_duplicate_decision(con, snapshot.backlog, key_1, key_2, decision)
    finally:
        con.close()
    out.print(f"{key_1} and {key_2}: {decision} (backlog {snapshot.backlog})", markup=False, highlight=False)


@duplicates_app.command("dismiss")
@friendly
def duplicates_dismiss(
    key_1: Annotated[str, typer.Argument(help="One item's key.")],
    key_2: Annotated[str, typer.Argument(help="The other item's key.")],
    backlog: BacklogOption = None,
    db: DbOption = None,
) -> None:
    """Mark a candidate pair as not duplicates: it is never suggested again."""
    _decide(backlog, key_1, key_2, "dismissed", db)


@duplicates_app.command("confirm")
@friendly
def duplicates_confirm(
    key_1: Annotated[str, typer.Argument(help="One item's key.")],
    key_2: Annotated[str, typer.Argument(help="The other item's key.")],
    backlog: BacklogOption = None,
    db: DbOption = None,
) -> None:
    """Mark a candidate pair as real duplicates: listed with the linked ones until resolved."""
    _decide(backlog, key_1, key_2, "confirmed", db)


@app.command()
@friendly
def demo(
    db: DbOption = None,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Only load into an empty store.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the generated history.")] = 7,
    quiet: QuietOption = False,
) -> None:
    """Load a deterministic demo history: 2 backlogs x 12 biweekly sprints."""
    from backlog_health.api import load_demo

    con = store.connect(db)
    try:
        if if_empty and not store.is_empty(con):
            count = len(store.list_snapshots(con))
            out.print(f"the store already holds {count} snapshots; demo data not loaded")
            return
        with _progress(quiet) as progress:
            task = progress.add_task("writing demo snapshots", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            created = load_demo(con, seed=seed, progress=advance)
    finally:
        con.close()
    out.print(f"demo data: {created} snapshots added" if created else "demo data already loaded; nothing added")


@app.command()
@friendly
def export(
    parquet: Annotated[
        Path,
        typer.Option(
            "--parquet",
            help="Folder to write: new, empty, or a previous export (replaced whole).",
            show_default=False,
        ),
    ],
    backlog: Annotated[str | None, typer.Option("--backlog", help="Export only this backlog.")] = None,
    db: DbOption = None,
) -> None:
    """Write the store as Hive-partitioned Parquet (by backlog and snapshot date) for other engines."""
    from backlog_health.store.export import export_parquet

    con = store.connect(db, read_only=True)
    try:
        summary = export_parquet(con, parquet, backlog=backlog)
    finally:
        con.close()
    out.print(
        f"exported {summary.snapshots} snapshots of {len(summary.backlogs)} backlog(s) to {summary.folder}: "
        + ", ".join(f"{table} {rows:,}" for table, rows in summary.rows.items())
        + f" rows; {summary.files} files, {summary.bytes / 1e6:.1f} MB",
        markup=False,
        highlight=False,
    )


def _dashboard_entry() -> Path:
    """The dashboard's entry file, wherever the package is installed (found without
    importing the dashboard, which would import Streamlit into this process)."""
    spec = importlib.util.find_spec("backlog_health.dashboard")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "app.py"


@app.command()
@friendly
def dashboard(
    db: DbOption = None,
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8501,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (the loopback address keeps it private).")
    ] = "127.0.0.1",
    rules: RulesOption = None,
    upload_mb: Annotated[
        int | None, typer.Option("--upload-mb", min=1, help="Upload size cap in MB (default 50).")
    ] = None,
) -> None:
    """Start the Streamlit dashboard on http://localhost:PORT."""
    from backlog_health.rules import load_rules

    entry = _dashboard_entry()
    path = Path(db) if db else store.default_db_path()
    env = dict(os.environ, **{store.DB_ENV: str(path.resolve())})
    if rules is not None:
        load_rules(rules)  # a bad rules file is one line here, not an error on every page
        env["BACKLOG_HEALTH_RULES"] = str(Path(rules).resolve())
    if upload_mb is not None:
        env["BACKLOG_HEALTH_UPLOAD_MB"] = str(upload_mb)
    out.print(f"dashboard on http://{host}:{port} (store {path}); Ctrl+C stops it")
    command = [
        sys.executable, "-m", "streamlit", "run", str(entry),
        "--server.headless", "true", "--server.port", str(port), "--server.address", host,
        "--browser.gatherUsageStats", "false",
        # Streamlit's own table download writes cells raw, formulas included; the pages
        # offer spreadsheet-safe CSV downloads instead.
        "--client.disableDataExport", "true",
    ]
    try:
        raise typer.Exit(subprocess.call(command, env=env))
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
