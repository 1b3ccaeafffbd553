"""Sprints for CSV users: sprint windows inferred from a history of CSV snapshots (exports
carry sprint names only), and start dates given with --sprint-start or [sprint_starts]."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest

from backlog_health import store
from backlog_health.cli import app
from backlog_health.errors import InputError
from backlog_health.metrics.report import sprint_boundaries
from backlog_health.rules import load_rules, parse_sprint_start

COLUMNS = ["Key", "Summary", "Status", "Points", "Rank", "Sprint"]
# One backlog exported four times, a fortnight apart: (taken at, rows of key, status, sprint).
HISTORY = [
    ("2026-09-01T09:00", [("W-1", "To Do", ""), ("W-2", "To Do", ""), ("W-3", "To Do", ""), ("W-4", "To Do", "")]),
    ("2026-09-15T09:00", [("W-1", "In Progress", "Sprint 1"), ("W-2", "To Do", "Sprint 1"),
                          ("W-3", "To Do", ""), ("W-4", "To Do", "")]),
    ("2026-09-29T09:00", [("W-1", "Done", "Sprint 1"), ("W-2", "To Do", "Sprint 1;Sprint 2"),
                          ("W-3", "To Do", "Sprint 2"), ("W-4", "To Do", "")]),
    ("2026-10-13T09:00", [("W-1", "Done", "Sprint 1"), ("W-2", "Done", "Sprint 1;Sprint 2"),
                          ("W-3", "In Progress", "Sprint 2;Sprint 3"), ("W-4", "To Do", "Sprint 3")]),
]


def run(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def csv_history(runner, db_path, tmp_path) -> Path:
    """The four exports ingested with `ingest csv` into a fresh store."""
    for number, (taken_at, rows) in enumerate(HISTORY, start=1):
        path = tmp_path / f"export-{number}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for rank, (key, status, sprint) in enumerate(rows, start=1):
                writer.writerow([key, f"Work item {key}", status, 3, rank, sprint])
        result = run(
            runner, "ingest", "csv", path, "--backlog", "WEB", "--taken-at", taken_at, "--db", db_path, "-q",
            "--map", "key=Key", "--map", "summary=Summary", "--map", "status=Status",
            "--map", "story_points=Points", "--map", "rank=Rank", "--map", "sprint=Sprint",
        )
        assert result.exit_code == 0, result.output
    return db_path


def snapshot_ids(db_path: Path) -> list[int]:
    con = store.connect(db_path, read_only=True)
    try:
        return list(store.list_snapshots(con, "WEB").sort_values("taken_at")["id"])
    finally:
        con.close()


def test_sprints_are_inferred_from_when_items_first_carry_them(csv_history):
    s1, s2, s3, _ = snapshot_ids(csv_history)
    con = store.connect(csv_history, read_only=True)
    try:
        boundaries = sprint_boundaries(con, "WEB")
    finally:
        con.close()
    # Each sprint: the last snapshot before items carried it as their latest sprint.
    assert [(b.sprint, b.snapshot_id, b.source) for b in boundaries] == [
        ("Sprint 1", s1, "inferred"), ("Sprint 2", s2, "inferred"), ("Sprint 3", s3, "inferred"),
    ]
    assert boundaries[1].after == datetime(2026, 9, 15, 9) and boundaries[1].by == datetime(2026, 9, 29, 9)
    assert "inferred from the snapshots" in boundaries[1].describe()


def test_metrics_by_sprint_on_a_csv_history(runner, csv_history):
    s1, s2, s3, _ = snapshot_ids(csv_history)
    result = run(runner, "metrics", "--history", "--by-sprint", "--json", "--db", csv_history)
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)
    assert [(s["sprint"], s["snapshot"]["id"]) for s in steps] == [("Sprint 1", s1), ("Sprint 2", s2), ("Sprint 3", s3)]
    assert steps[2]["sprint_start"] == {"source": "inferred", "after": "2026-09-29T09:00:00", "by": "2026-10-13T09:00:00"}
    wide = {"COLUMNS": "250"}
    table = runner.invoke(app, ["metrics", "--history", "--by-sprint", "--db", str(csv_history)], env=wide).stdout
    assert "Sprint 2 (inferred)" in table


def test_a_given_start_date_wins_over_the_inferred_one(runner, csv_history):
    s1, _, s3, _ = snapshot_ids(csv_history)
    # Sprint 2 said to start on 1 October: the last snapshot before it is the third; Sprint 3,
    # inferred to start after that same snapshot, is left out (a snapshot is used once).
    result = run(runner, "metrics", "--sprint-start", "Sprint 2=2026-10-01", "--json", "--db", csv_history)
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)
    assert [(s["sprint"], s["snapshot"]["id"]) for s in steps] == [("Sprint 1", s1), ("Sprint 2", s3)]
    assert steps[1]["sprint_start"] == {"source": "given", "start": "2026-10-01T00:00:00"}


def test_sprint_starts_in_the_rules_file(runner, csv_history, tmp_path):
    _, s2, _, _ = snapshot_ids(csv_history)
    rules = tmp_path / "rules.toml"
    rules.write_text('[sprint_starts]\n"Sprint 1" = 2026-09-20\n', encoding="utf-8")
    assert load_rules(rules).sprint_starts == (("Sprint 1", datetime(2026, 9, 20)),)
    steps = json.loads(run(runner, "metrics", "--history", "--by-sprint", "--json", "--rules", rules,
                           "--db", csv_history).stdout)
    assert (steps[0]["sprint"], steps[0]["snapshot"]["id"]) == ("Sprint 1", s2)
    assert steps[0]["sprint_start"]["source"] == "given"


def test_bad_sprint_starts_are_one_line(runner, csv_history, tmp_path):
    result = run(runner, "metrics", "--sprint-start", "Sprint 2", "--db", csv_history)
    assert result.exit_code == 1 and "expected NAME=DATE" in result.output and "Traceback" not in result.output
    result = run(runner, "metrics", "--sprint-start", "Sprint 2=soon", "--db", csv_history)
    assert result.exit_code == 1 and "expected a start date like 2026-10-05" in result.output
    rules = tmp_path / "rules.toml"
    rules.write_text('[sprint_starts]\n"Sprint 1" = 12\n', encoding="utf-8")
    with pytest.raises(InputError, match='sprint_starts.Sprint 1'):
        load_rules(rules)
    assert parse_sprint_start("Sprint = 12=2026-10-05T09:30") == ("Sprint = 12", datetime(2026, 10, 5, 9, 30))


def test_the_retro_picks_inferred_sprints_and_says_what_sprints_compares(monkeypatch, csv_history):
    from tests.test_dashboard_app import assert_clean, open_app

    _, s2, s3, s4 = snapshot_ids(csv_history)
    at = open_app(monkeypatch, csv_history, "retro")
    assert not any("No two sprints" in i.value for i in at.info)
    assert at.selectbox(key="retro.sprint").options == ["Sprint 2", "Sprint 3"]
    assert at.selectbox(key="retro.sprint").value == "Sprint 3"
    captions = " ".join(c.value for c in at.caption).replace("\\", "")  # Markdown escapes
    assert f"snapshot #{s3}" in captions and f"against #{s2}" in captions
    assert "inferred from the snapshots" in captions
    assert any("Sprint 3: ready at planning?" in h.value for h in at.subheader)  # what the later snapshot shows
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "last snapshot taken before each sprint started" in sidebar and "left out" in sidebar
    at.radio(key="global.step").set_value("Sprints").run()
    assert_clean(at)
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "3 of 4 snapshots, so later snapshots are left out" in sidebar
    assert "3 inferred from the snapshots" in sidebar
    assert s4  # the fourth snapshot is the one left out
