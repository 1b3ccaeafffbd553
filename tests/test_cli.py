"""The CLI: exit codes, one-line errors, JSON shapes, and the README documenting it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from backlog_health.cli import app
from tests.conftest import JIRA_CSV, REPO, store_state


def run(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


def test_ingest_then_list_snapshots_and_items(runner, db_path):
    result = run(runner, "ingest", "jira-csv", JIRA_CSV / "cloud-2026-en.csv", "--db", db_path)
    assert result.exit_code == 0, result.output
    assert "snapshot 1 of backlog CR+SR" in result.stdout
    assert "taken_at not given: using 2026-01-27 16:24" in result.stderr
    listing = json.loads(run(runner, "snapshots", "--json", "--db", db_path).stdout)
    assert listing == [
        {
            **{k: listing[0][k] for k in ("content_hash", "ingested_at")},
            "id": 1,
            "backlog": "CR+SR",
            "taken_at": "2026-01-27T16:24:00",
            "source": "jira-csv",
            "source_name": "cloud-2026-en.csv",
            "rows": 311,
            "items": 252,
        }
    ]
    items = json.loads(run(runner, "items", "--json", "--db", db_path).stdout)
    assert [i["rank_position"] for i in items] == list(range(1, 253))
    assert {"key", "rank_position", "summary", "issue_type", "status", "status_category",
            "story_points", "assignee", "parent", "sprints"} <= set(items[0])
    sr68 = next(i for i in items if i["key"] == "SR-68")
    assert sr68["parent"] == "SR-97" and sr68["sprints"] == ["Support Sprint", "November 2nd SR Sprint"]
    every = json.loads(run(runner, "items", "--all", "--json", "--db", db_path).stdout)
    assert len(every) == 311


def test_a_large_backlog_says_its_snapshot_is_stored_before_the_duplicate_scan(runner, db_path, monkeypatch):
    from backlog_health import cli

    small = run(runner, "ingest", "jira-csv", JIRA_CSV / "cloud-es.csv", "--db", db_path)
    assert "looking for duplicates" not in small.stderr  # a backlog of usual size: no note
    monkeypatch.setattr(cli, "LONG_SCAN_ITEMS", 10)
    result = run(runner, "ingest", "jira-csv", JIRA_CSV / "cloud-2026-en.csv", "--db", db_path)
    assert result.exit_code == 0, result.output
    assert "snapshot 2 is stored; looking for duplicates among its 252 backlog items" in " ".join(result.stderr.split())
    quiet = run(runner, "ingest", "jira-csv", JIRA_CSV / "cloud-2026-en.csv", "--taken-at", "2026-02-01", "--db",
                db_path, "-q")
    assert quiet.exit_code == 0 and "looking for duplicates" not in quiet.stderr


def test_reingest_says_already_ingested_and_exits_0(runner, db_path):
    run(runner, "ingest", "jira-csv", JIRA_CSV / "cloud-es.csv", "--db", db_path)
    before = store_state(db_path)
    result = run(runner, "ingest", "jira-csv", JIRA_CSV / "cloud-es.csv", "--db", db_path)
    assert result.exit_code == 0
    assert "already ingested as snapshot 1" in result.stdout
    assert store_state(db_path) == before


def test_one_bad_file_among_several_writes_nothing(runner, db_path, tmp_path):
    bad = tmp_path / "notes.csv"
    bad.write_text("Name,Price\nApple,3\n")
    run(runner, "ingest", "jira-csv", JIRA_CSV / "cloud-minimal.csv", "--db", db_path)
    before = store_state(db_path)
    result = run(runner, "ingest", "jira-csv", JIRA_CSV / "cloud-es.csv", bad, "--db", db_path)
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: notes.csv: not a Jira CSV export")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert store_state(db_path) == before


def test_missing_file_is_one_line_exit_1(runner, db_path):
    result = run(runner, "ingest", "jira-csv", "nowhere.csv", "--db", db_path)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: nowhere.csv: no such file"
    typo = run(runner, "ingest", "jira-csv", "exports/nowhere.csv", "--db", db_path)
    assert typo.stderr.strip() == "error: exports/nowhere.csv: no such file"


def test_taken_at_override_and_bad_value(runner, db_path):
    ok = run(runner, "ingest", "jira-csv", JIRA_CSV / "cloud-minimal.csv", "--taken-at", "2026-03-01T08:00",
             "--backlog", "Team A", "--db", db_path)
    assert ok.exit_code == 0 and "backlog Team A at 2026-03-01 08:00" in ok.stdout
    bad = run(runner, "ingest", "jira-csv", JIRA_CSV / "cloud-minimal.csv", "--taken-at", "soon", "--db", db_path)
    assert bad.exit_code == 2 and "ISO-8601" in bad.stderr


def test_generic_csv_ingest(runner, db_path, tmp_path):
    path = tmp_path / "board.csv"
    path.write_text("ID,Title,State,Order\nB-1,First,Open,2\nB-2,Second,Open,1\n")
    result = run(runner, "ingest", "csv", path, "--map", "key=ID", "--map", "summary=Title",
                 "--map", "status=State", "--map", "rank=Order", "--db", db_path)
    assert result.exit_code == 0, result.output
    items = json.loads(run(runner, "items", "--json", "--backlog", "B", "--db", db_path).stdout)
    assert [i["key"] for i in items] == ["B-2", "B-1"]
    bad = run(runner, "ingest", "csv", path, "--map", "key", "--db", db_path)
    assert bad.exit_code == 2
    missing = run(runner, "ingest", "csv", path, "--map", "key=ID", "--map", "summary=Name", "--db", db_path)
    assert missing.exit_code == 1 and 'no column "Name"' in missing.stderr


def test_items_csv_is_spreadsheet_safe(runner, db_path, tmp_path):
    path = tmp_path / "board.csv"
    path.write_text('ID,Title\nB-1,"=HYPERLINK(""http://evil"")"\n')
    run(runner, "ingest", "csv", path, "--map", "key=ID", "--map", "summary=Title", "--db", db_path)
    text = run(runner, "items", "--csv", "--db", db_path).stdout
    assert "'=HYPERLINK" in text


@pytest.mark.parametrize("command", [["snapshots"], ["items"], ["metrics"], ["duplicates"],
                                     ["export", "--parquet", "out"]])
def test_a_reading_command_never_creates_a_store(runner, tmp_path, command):
    mistyped = tmp_path / "typo" / "store.duckdb"
    result = run(runner, *command, "--db", mistyped)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: no store at {mistyped};")
    assert not mistyped.parent.exists()


def test_version_and_ingest_first_in_help(runner):
    from backlog_health import __version__

    assert run(runner, "--version").stdout.strip() == f"backlog-health {__version__}"
    commands = run(runner, "--help").stdout.split("Commands:")[1].split()
    assert commands[0] == "ingest"


def test_a_taken_port_is_reported_before_any_url(runner, tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(runner, "dashboard", "--db", tmp_path / "s.duckdb", "--port", port)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot serve on 127.0.0.1:{port}")
    assert "http://" not in result.stdout


def test_empty_store_and_unknown_backlog_messages(runner, db_path):
    from backlog_health import store

    store.connect(db_path).close()  # an empty store: created and migrated, no snapshot
    result = run(runner, "items", "--db", db_path)
    assert result.exit_code == 1 and "no snapshots yet" in result.stderr
    run(runner, "ingest", "jira-csv", JIRA_CSV / "cloud-minimal.csv", "--db", db_path)
    result = run(runner, "items", "--backlog", "NOPE", "--db", db_path)
    assert result.exit_code == 1 and 'no backlog named "NOPE"' in result.stderr


def test_db_comes_from_the_environment(runner, db_path, monkeypatch):
    monkeypatch.setenv("BACKLOG_HEALTH_DB", str(db_path))
    assert run(runner, "ingest", "jira-csv", JIRA_CSV / "cloud-minimal.csv").exit_code == 0
    assert db_path.exists()


def test_a_corrupt_store_is_one_line_and_untouched(runner, tmp_path):
    path = tmp_path / "store.duckdb"
    path.write_bytes(b"not a database at all" * 50)
    result = run(runner, "snapshots", "--db", path)
    assert result.exit_code == 1 and "not a backlog-health store" in result.stderr
    assert path.read_bytes() == b"not a database at all" * 50


def test_unknown_command_is_usage_error(runner):
    assert run(runner, "frobnicate").exit_code == 2


def command_paths(group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        if hasattr(command, "commands"):
            found += command_paths(command, path)
        else:
            found.append(path)
    return found


COMMANDS = command_paths(typer.main.get_command(app))


def test_the_cli_has_the_commands_the_issue_names():
    assert {" ".join(c) for c in COMMANDS} >= {
        "ingest jira-csv", "ingest csv", "snapshots", "items", "demo", "dashboard",
    }


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_and_is_in_the_readme(runner, command):
    result = run(runner, *command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout
    readme = (REPO / "README.md").read_text()
    assert re.search(rf"backlog-health {' '.join(command)}\b", readme), f"README lacks {command}"


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "backlog-health"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "ingest" in result.stdout


def test_an_unknown_snapshot_id_lists_the_valid_ones(runner, demo_copy):
    result = run(runner, "items", "--at", "9999", "--db", demo_copy)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no snapshot 9999; the ids are 1-13 (CHECKOUT), 14-26 (MOBILE)"


def test_the_same_export_under_a_new_backlog_name_warns(runner, db_path):
    source = JIRA_CSV / "cloud-2026-en.csv"
    assert "warning" not in run(runner, "ingest", "jira-csv", source, "--db", db_path).stderr
    again = run(runner, "ingest", "jira-csv", source, "--backlog", "Shop", "--db", db_path)
    assert again.exit_code == 0 and "snapshot 2 of backlog Shop" in again.stdout
    warning = [line for line in again.stderr.splitlines() if line.startswith("warning:")]
    assert warning == ["warning: cloud-2026-en.csv: has exactly the content of the latest snapshot of backlog CR+SR; "
                       "it was stored as backlog Shop (use --backlog CR+SR if it is the same backlog)"]


def test_several_files_past_the_hold_budget_are_read_again_and_stored_alike(runner, tmp_path, monkeypatch):
    from backlog_health import cli

    days = [JIRA_CSV / "cloud-minimal.csv", JIRA_CSV / "cloud-es.csv", JIRA_CSV / "cloud-2026-en.csv"]
    held = run(runner, "ingest", "jira-csv", *days, "--db", tmp_path / "held.duckdb")
    reads = []
    real = cli.api.read_jira_csv
    monkeypatch.setattr(cli.api, "read_jira_csv", lambda path, **kw: reads.append(Path(path).name) or real(path, **kw))
    monkeypatch.setattr(cli, "HOLD_ROWS", 1)  # hold nothing: every file is read again to be written
    again = run(runner, "ingest", "jira-csv", *days, "--db", tmp_path / "again.duckdb")
    assert held.exit_code == again.exit_code == 0
    assert reads == [p.name for p in days] * 2
    stored, expected = (store_state(tmp_path / f"{name}.duckdb") for name in ("again", "held"))
    for state in (stored, expected):
        state["snapshots"] = [row[:-1] for row in state["snapshots"]]  # all but ingested_at
    assert stored == expected and len(stored["snapshots"]) == 3
    assert again.stdout == held.stdout


def test_a_file_changed_after_it_was_checked_is_refused_and_the_rest_not_stored(runner, db_path, tmp_path, monkeypatch):
    from backlog_health import cli

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_bytes((JIRA_CSV / "cloud-minimal.csv").read_bytes())
    second.write_bytes((JIRA_CSV / "cloud-es.csv").read_bytes())
    real = cli.api.read_jira_csv
    checked = []

    def read(path, **kw):
        result = real(path, **kw)
        checked.append(path)
        if len(checked) == 3:  # both checked, the first read again: the second is edited before its turn
            second.write_bytes((JIRA_CSV / "cloud-es.csv").read_bytes() + b"\n")
        return result

    monkeypatch.setattr(cli.api, "read_jira_csv", read)
    monkeypatch.setattr(cli, "HOLD_ROWS", 1)
    result = run(runner, "ingest", "jira-csv", first, second, "--db", db_path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("error: second.csv: changed or vanished after it was checked")
    assert len(result.stdout.strip().splitlines()) == 1 and "first.csv" in result.stdout  # the first was stored
