"""The `backlog-health` command: a thin shell over `backlog_health.api`.

Every user mistake ends as one line on stderr and exit code 1; usage errors exit 2.
"""

from __future__ import annotations

import errno
import functools
import importlib.util
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import click
import typer
import typer.core
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from backlog_health import __version__, api, store, terminal
from backlog_health.errors import BacklogHealthError

if TYPE_CHECKING:
    from backlog_health.rules import Rules


class _IngestFirst(typer.core.TyperGroup):
    """Lists `ingest` first in --help: it is where every user starts."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda name: name != "ingest")


app = typer.Typer(
    cls=_IngestFirst,
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
    """Turn the library's errors into one line on stderr and exit code 1, in one place.

    The store translates DuckDB's own errors (damaged file, full disk, read-only) into
    `StoreError`s; a full disk or read-only folder met outside DuckDB is an `OSError`.
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


LONG_SCAN_ITEMS = 20_000  # above this many backlog items, the ingest says why it goes on after storing
HOLD_ROWS = 200_000
"""Rows of checked exports an ingest of several files holds until it writes them (a few hundred
MB); the files past it are read again when their turn comes, so memory does not grow with the
number of files (a year of daily exports)."""
# A full disk or a read-only location, met outside DuckDB (creating the store's folder...).
_DISK_ERRORS = {errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT}


def _note(message: str) -> None:
    err.print(message, markup=False, highlight=False)


def _say(*lines: str) -> None:
    for line in lines:
        out.print(line, markup=False, highlight=False)


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


def _scanning_note(snapshot_id: int, backlog_items: int) -> None:
    """Say why a large backlog's ingest goes on after its snapshot is stored."""
    if backlog_items > LONG_SCAN_ITEMS:
        _note(f"snapshot {snapshot_id} is stored; looking for duplicates among its {backlog_items:,} "
              "backlog items (a first look at a backlog this large takes minutes; "
              "if stopped, ingesting the same file again finishes it)")


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


def _write(db: Path | None, results: Iterable, quiet: bool, repeat: api.Repeat = "never") -> None:
    """Store each read snapshot (one transaction each) and say what happened to each, as it happens."""
    with api.open_store(db, waiting=None if quiet else _note) as con:
        for written in api.each_written(con, results, repeat=repeat, scanning=None if quiet else _scanning_note):
            if written.created and written.taken_at_note and not quiet:
                _note(f"{written.snapshot.source_name}: {written.taken_at_note}")
            if not quiet:
                for warning in written.warnings:
                    _note(f"warning: {warning}")
            _say(written.message())


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
    when = _taken_at(taken_at)
    _write(db, _checked_reads(paths, lambda path: api.read_jira_csv(path, backlog=backlog, taken_at=when), quiet), quiet)


def _checked_reads(paths: list[Path], read: Callable[[Path], Any], quiet: bool) -> Iterator[Any]:
    """Read and check every file before anything is written (one bad file writes nothing), then
    give their results in order: held in memory up to `HOLD_ROWS` rows, read again past it."""
    held: list[Any] = []
    rows = 0
    with _progress(quiet or len(paths) < 2) as progress:
        task = progress.add_task("reading exports", total=len(paths))
        for path in paths:
            result = read(path)
            rows += result.snapshot.row_count
            held.append(result if rows <= HOLD_ROWS else _file_state(path))
            progress.advance(task)
    # A held entry is a result, or the (size, mtime) of a file to read again.
    return (_read_again(path, entry, read) if isinstance(entry, tuple) else entry for path, entry in zip(paths, held))


def _file_state(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def _read_again(path: Path, checked: tuple[int, int], read: Callable[[Path], Any]) -> Any:
    """The file's result once more, refused if the file changed since it was checked."""
    from backlog_health.errors import InputError

    try:
        unchanged = _file_state(path) == checked
    except OSError:
        unchanged = False
    if not unchanged:
        raise InputError(path.name, "changed or vanished after it was checked; it and the files after it were not "
                         "stored (the files before it were)")
    return read(path)


@ingest_app.command("csv")
@friendly
def ingest_csv(
    path: Annotated[Path, typer.Argument(help="A CSV file from any tracker.")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN, repeatable; key and summary are required."),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(
            "--mapping", help='TOML file with a [columns] table: field = "header"; optionally done_statuses = [...].'
        )
    ] = None,
    backlog: Annotated[
        str | None, typer.Option("--backlog", help="Backlog name (default: the key prefix, else the file name).")
    ] = None,
    done_status: Annotated[
        list[str] | None,
        typer.Option("--done-status", help='A status that means done, e.g. "Fait (à livrer)"; repeatable.'),
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
    from backlog_health.ingest.generic_csv import parse_map_options, read_mapping

    columns: dict[str, str] = {}
    done = list(done_status or [])
    if mapping is not None:
        read = read_mapping(mapping)
        columns.update(read.columns)
        done += read.done_statuses
    try:
        columns.update(parse_map_options(map_ or []))
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--map") from None
    if not columns:
        raise typer.BadParameter("give the columns with --map FIELD=COLUMN or --mapping FILE", param_hint="--map")
    result = api.read_generic_csv(path, columns, backlog=backlog, taken_at=_taken_at(taken_at), done_statuses=done)
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
    backfill: Annotated[
        int,
        typer.Option("--backfill", min=0, help="Also rebuild N past snapshots from the changelogs: at the "
                     "board's last N sprint starts, or N steps of --backfill-every back with --jql."),
    ] = 0,
    backfill_every: Annotated[
        int, typer.Option("--backfill-every", min=1, help="Days between rebuilt snapshots with --jql.")
    ] = 14,
    db: DbOption = None,
    quiet: QuietOption = False,
) -> None:
    """Snapshot a board or a JQL query straight from Jira Cloud or Data Center.

    Credentials come from the environment only: JIRA_EMAIL + JIRA_API_TOKEN (Cloud) or
    JIRA_PAT (Data Center). Everything is fetched before anything is written.
    """
    from backlog_health.ingest.jira_fields import parse_overrides

    if (board is None) == (jql is None):
        raise typer.BadParameter("give exactly one of --board ID or --jql QUERY", param_hint="--board/--jql")
    overrides = parse_overrides(field or [])
    with _progress(quiet) as progress:
        task = progress.add_task("fetching issues", total=None)

        def notice(message: str) -> None:
            if not quiet:
                progress.console.print(message, markup=False, highlight=False)

        results = api.read_jira_history(
            server, board=board, jql=jql, backfill=backfill, backfill_every_days=backfill_every, backlog=backlog,
            field_overrides=overrides, closed_sprints=closed_sprints, notice=notice,
            progress=lambda fetched, total: progress.update(task, completed=fetched, total=total),
        )
    _write(db, results, quiet, repeat="if-changed" if if_changed else "always")


@app.command()
@friendly
def snapshots(
    backlog: BacklogOption = None,
    json_: Annotated[bool, typer.Option("--json", help="JSON list instead of a table.")] = False,
    db: DbOption = None,
) -> None:
    """List the snapshots in the store, oldest first per backlog."""
    with api.open_store(db, read_only=True) as con:
        listing = api.snapshot_listing(con, backlog)
    if json_:
        out.print_json(json.dumps(listing))
    elif not listing:
        out.print("no snapshots yet: run `backlog-health ingest jira-csv FILE` or `backlog-health demo`")
    else:
        out.print(terminal.snapshots_table(listing))


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
    from backlog_health.output import csv_ready, records

    if json_ and csv_:
        raise typer.BadParameter("choose one of --json and --csv", param_hint="--json/--csv")
    with api.open_store(db, read_only=True) as con:
        frame = api.snapshot_items(con, backlog, at, all_rows=all_)
    if json_:
        out.print_json(json.dumps(records(frame)))
    elif csv_:
        sys.stdout.write(csv_ready(frame).to_csv(index=False, lineterminator="\r\n"))
    else:
        out.print(terminal.items_table(records(frame)))


RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="Rules TOML file (defaults: data/rules.toml).")
]
AtOption = Annotated[str, typer.Option("--at", help='Snapshot id or "latest".')]


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
    sprint_start: Annotated[
        list[str] | None,
        typer.Option("--sprint-start", metavar="NAME=DATE", help='A sprint\'s start, "Sprint 12=2026-10-05" (repeatable); '
                     "implies --history --by-sprint."),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    db: DbOption = None,
) -> None:
    """Backlog health of a snapshot: readiness, estimates, duplicates, churn, growth."""
    from backlog_health.rules import parse_sprint_start

    chosen = _chosen_rules(rules, near_term)
    if sprint_start:
        chosen = chosen.with_sprint_starts(dict(parse_sprint_start(text) for text in sprint_start))
        history = by_sprint = True
    with api.open_store(db, read_only=True) as con:
        if history:
            points = api.metrics_history(con, backlog, chosen, at=at, by_sprint=by_sprint)
        else:
            summary = api.metrics_summary(con, backlog, at, chosen)
    if history and json_:
        out.print_json(json.dumps([p.to_dict() for p in points]))
    elif history:
        out.print(terminal.history_table(points))
    elif json_:
        out.print_json(json.dumps(summary))
    else:
        _say(*terminal.summary_lines(summary))


class Engine(str, Enum):
    """Where a command's figures are computed."""

    duckdb = "duckdb"
    spark = "spark"


@app.command()
@friendly
def portfolio(
    engine: Annotated[Engine, typer.Option("--engine", help="Where to compute the figures.")] = Engine.duckdb,
    rules: RulesOption = None,
    json_: Annotated[bool, typer.Option("--json", help="JSON list, one `metrics --json` subset per backlog.")] = False,
    db: DbOption = None,
) -> None:
    """Every backlog at its latest snapshot, worst readiness first."""
    chosen = _chosen_rules(rules, None)
    with api.open_store(db, read_only=True) as con:
        entries = api.portfolio(con, chosen, engine=engine.value)
    if not entries:
        _fail("the store has no snapshots yet; ingest one or run `backlog-health demo`")
    if json_:
        out.print_json(json.dumps(entries))
    else:
        out.print(terminal.portfolio_table(entries))


def _chosen_rules(path: Path | None, near_term: int | None) -> Rules:
    """The rules file (or the defaults), in count mode with `near_term` items when given."""
    from backlog_health.rules import load_rules

    chosen = load_rules(path)
    return chosen if near_term is None else chosen.with_near_term_count(near_term)


def _jira_url(value: str | None) -> str | None:
    if value is not None and not value.startswith(("https://", "http://")):
        raise typer.BadParameter(f'expected a web address like https://example.atlassian.net, got "{value}"')
    return value


@app.command()
@friendly
def agenda(
    backlog: BacklogOption = None,
    at: AtOption = "latest",
    near_term: Annotated[
        int | None, typer.Option("--near-term", min=1, help="Count mode with N items, overriding the rules.")
    ] = None,
    rules: RulesOption = None,
    json_: Annotated[bool, typer.Option("--json", help="JSON output (the five sections).")] = False,
    jira_url: Annotated[
        str | None,
        typer.Option("--jira-url", callback=_jira_url, help="Jira site for links, e.g. https://x.atlassian.net."),
    ] = None,
    db: DbOption = None,
) -> None:
    """The refinement agenda: what to fix before sprint planning, as Markdown (or JSON)."""
    from backlog_health.metrics.agenda_markdown import agenda_markdown
    chosen = _chosen_rules(rules, near_term)
    with api.open_store(db, read_only=True) as con:
        result = api.agenda(con, backlog, at, chosen, site=jira_url or chosen.jira_url)
    if json_:
        out.print_json(json.dumps(result.to_dict()))
    else:
        out.print(agenda_markdown(result), markup=False, highlight=False, end="")


@app.command()
@friendly
def check(
    backlog: BacklogOption = None,
    at: AtOption = "latest",
    fail_under: Annotated[
        list[str] | None,
        typer.Option("--fail-under", help="Minimums, e.g. ready=0.8,estimated_near=90%,ready_sprints=1.5."),
    ] = None,
    notify: Annotated[
        list[str] | None, typer.Option("--notify", help="Apprise URL to send the summary to (repeatable).")
    ] = None,
    near_term: Annotated[
        int | None, typer.Option("--near-term", min=1, help="Count mode with N items, overriding the rules.")
    ] = None,
    rules: RulesOption = None,
    db: DbOption = None,
) -> None:
    """Before planning, for cron and CI: exit 1 when a threshold is missed; send the agenda's summary."""
    from backlog_health.metrics.thresholds import parse_thresholds

    minimums = parse_thresholds(fail_under or [])
    chosen = _chosen_rules(rules, near_term)
    with api.open_store(db, read_only=True) as con:
        result = api.check(con, backlog, at, chosen, minimums, site=chosen.jira_url)
    _say(result.agenda.summary())
    for miss in result.misses:
        err.print(f"missed: {miss.message()}", markup=False, highlight=False)
    if notify:
        api.notify(notify, *result.message())
    if result.misses:
        raise typer.Exit(1)


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
    from backlog_health.rules import load_rules

    with api.open_store(db, read_only=True) as con:
        if top_k is not None:
            near = api.nearest_items(con, backlog, at, top_k, include_done=include_done)
        else:
            report = api.duplicate_report(con, backlog, at, load_rules(rules), include_done=include_done)
    if top_k is not None:
        if json_:
            out.print_json(json.dumps(near))
        else:
            _say(*terminal.neighbour_lines(near["neighbors"]))
    elif json_:
        out.print_json(json.dumps(report.to_dict()))
    else:
        _say(terminal.duplicates_heading(report))
        if len(report.candidates):
            out.print(terminal.duplicates_table(report))
        else:
            out.print("no candidate pairs: nothing looks like a duplicate at this threshold")


def _decide(backlog: str | None, key_1: str, key_2: str, decision: str, db: Path | None) -> None:
    with api.open_store(db) as con:
        name = api.decide_duplicate(con, backlog, key_1, key_2, decision)
    _say(f"{key_1} and {key_2}: {decision} (backlog {name})")


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
    with api.open_store(db) as con:
        if if_empty and not api.is_empty(con):
            out.print(f"the store already holds {len(api.snapshot_listing(con))} snapshots; demo data not loaded")
            return
        with _progress(quiet) as progress:
            task = progress.add_task("writing demo snapshots", total=None)
            created = api.load_demo(
                con, seed=seed, progress=lambda done, total: progress.update(task, completed=done, total=total)
            )
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
    with api.open_store(db, read_only=True, migrate=False) as con:
        summary = api.export_parquet(con, parquet, backlog=backlog)
    _say(terminal.export_line(summary))


def _check_port_free(host: str, port: int) -> None:
    """Refuse a port another program listens on before printing a URL that would not be ours."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: a closed port is free
        try:
            probe.bind((host, port))
        except OSError as error:
            _fail(f"cannot serve on {host}:{port} ({error.strerror}); choose another with --port")


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
    _check_port_free(host, port)
    out.print(f"dashboard on http://{host}:{port} (store {path}); Ctrl+C stops it")
    command = [
        sys.executable, "-m", "streamlit", "run", str(entry),
        "--server.headless", "true", "--server.port", str(port), "--server.address", host,
        "--browser.gatherUsageStats", "false",
        # Streamlit's own table download writes cells raw, formulas included; the pages
        # offer spreadsheet-safe CSV downloads instead.
        "--client.disableDataExport", "true",
        # No "Deploy" button: the dashboard is a team's, not one to publish to Streamlit's cloud.
        "--client.toolbarMode", "minimal",
    ]
    try:
        raise typer.Exit(_become(command, env))
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


def _become(command: list[str], env: dict[str, str]) -> int:
    """Run `command` in place of this process where the system allows (POSIX): a service
    manager's or a user's SIGTERM then reaches Streamlit itself, and no orphaned server is
    left listening; elsewhere as a child process."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execve(command[0], command, env)
    return subprocess.call(command, env=env)


def _show_version(value: bool) -> None:
    if value:
        out.print(f"backlog-health {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Is your product backlog healthy? Snapshot backlog exports and measure them."""


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
