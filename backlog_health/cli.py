"""The `backlog-health` command: a thin shell over ingest, the store and (later) metrics.

Every user mistake ends as one line on stderr and exit code 1; usage errors exit 2.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from backlog_health import store
from backlog_health.errors import BacklogHealthError
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
    """Turn domain errors into one line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BacklogHealthError as error:
            err.print(f"error: {error}", markup=False, highlight=False)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("interrupted; nothing was written for the snapshot in progress")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


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


def _write(db: Path | None, results: list, quiet: bool) -> None:
    """Store each read snapshot (one transaction each) and report what happened."""
    con = store.connect(db)
    try:
        for result in results:
            snapshot = result.snapshot
            written = store.write_snapshot(con, snapshot)
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
                out.print(
                    f"{snapshot.source_name}: already ingested as snapshot {written.snapshot_id} "
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
    from ingest.jira_csv import read_jira_csv

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
    from ingest.generic_csv import parse_map_options, read_generic_csv, read_mapping_file

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


@app.command()
@friendly
def snapshots(
    backlog: BacklogOption = None,
    json_: Annotated[bool, typer.Option("--json", help="JSON list instead of a table.")] = False,
    db: DbOption = None,
) -> None:
    """List the snapshots in the store, oldest first per backlog."""
    con = store.connect(db)
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
    con = store.connect(db)
    try:
        snapshot_id = store.resolve_snapshot(con, backlog, at)
        frame = store.snapshot_items(con, snapshot_id, all_rows=all_)
    finally:
        con.close()
    frame = frame.rename(columns={"parent_key": "parent"})[list(ITEM_FIELDS)]
    if json_:
        out.print_json(json.dumps(records(frame)))
    elif csv_:
        sys.stdout.write(csv_ready(frame).to_csv(index=False))
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


@app.command()
@friendly
def demo(
    db: DbOption = None,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Only load into an empty store.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the generated history.")] = 7,
    quiet: QuietOption = False,
) -> None:
    """Load a deterministic demo history: 2 backlogs x 12 biweekly sprints."""
    from ingest.demo import load_demo

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
def dashboard(
    db: DbOption = None,
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8501,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (localhost keeps it private).")
    ] = "localhost",
) -> None:
    """Start the Streamlit dashboard on http://localhost:PORT."""
    entry = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    path = Path(db) if db else store.default_db_path()
    env = dict(os.environ, **{store.DB_ENV: str(path.resolve())})
    out.print(f"dashboard on http://{host}:{port} (store {path}); Ctrl+C stops it")
    command = [
        sys.executable, "-m", "streamlit", "run", str(entry),
        "--server.headless", "true", "--server.port", str(port), "--server.address", host,
        "--browser.gatherUsageStats", "false",
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
