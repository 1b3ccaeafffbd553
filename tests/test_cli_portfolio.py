"""`backlog-health portfolio`: every backlog at its latest snapshot, worst readiness first, with
exactly the figures `metrics --json --backlog X` gives for that snapshot."""

from __future__ import annotations

import json

from backlog_health import store
from backlog_health.cli import app

KEYS = {
    "backlog": None,
    "snapshot": ("id", "taken_at"),
    "backlog_items": None,
    "readiness": ("ready", "total", "ratio"),
    "estimate_coverage": ("near_term", "long_term", "all"),
    "duplicates": ("linked",),
    "growth": ("stale",),
}


def run(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


def portfolio_json(runner, db, *extra) -> list[dict]:
    result = run(runner, "portfolio", "--json", "--db", db, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def metrics_subset(runner, db, backlog: str, *extra) -> dict:
    """The portfolio's keys of `metrics --json` for the backlog's latest snapshot."""
    result = run(runner, "metrics", "--json", "--backlog", backlog, "--db", db, *extra)
    assert result.exit_code == 0, result.output
    full = json.loads(result.stdout)
    return {k: full[k] if inner is None else {i: full[k][i] for i in inner} for k, inner in KEYS.items()}


def test_each_entry_equals_metrics_json_of_the_backlogs_latest_snapshot(runner, demo_db):
    entries = portfolio_json(runner, demo_db)
    assert sorted(e["backlog"] for e in entries) == ["CHECKOUT", "MOBILE"]
    for entry in entries:
        assert entry == metrics_subset(runner, demo_db, entry["backlog"])


def test_worst_readiness_first_in_json_and_table(runner, demo_db):
    entries = portfolio_json(runner, demo_db)
    ratios = [e["readiness"]["ratio"] for e in entries]
    assert ratios == sorted(ratios) and ratios[0] < ratios[1]
    worst, best = entries[0], entries[1]
    result = run(runner, "portfolio", "--db", demo_db)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.index(worst["backlog"]) < text.index(best["backlog"])
    r = worst["readiness"]
    row = next(line for line in text.splitlines() if line.startswith(worst["backlog"]))
    assert f"{r['ready']}/{r['total']} {r['ratio']:.0%}" in row
    assert f"{worst['estimate_coverage']['near_term']:.0%}" in row and worst["snapshot"]["taken_at"][:10] in row


def test_a_rules_file_changes_the_figures_as_it_changes_metrics(runner, demo_db, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[near_term]\nmode = "count"\ncount = 3\n', encoding="utf-8")
    entries = portfolio_json(runner, demo_db, "--rules", rules)
    assert all(e["readiness"]["total"] == 3 for e in entries)
    assert entries != portfolio_json(runner, demo_db)
    for entry in entries:
        assert entry == metrics_subset(runner, demo_db, entry["backlog"], "--rules", rules)


def test_an_empty_store_is_one_line_and_exit_1(runner, db_path):
    store.connect(db_path).close()  # created and migrated, no snapshot
    for extra in ((), ("--json",)):
        result = run(runner, "portfolio", "--db", db_path, *extra)
        assert result.exit_code == 1
        assert result.stderr == "error: the store has no snapshots yet; ingest one or run `backlog-health demo`\n"
        assert result.stdout == ""


def test_an_unknown_engine_is_a_usage_error(runner, demo_db):
    result = run(runner, "portfolio", "--engine", "pandas", "--db", demo_db)
    assert result.exit_code == 2
    assert "Invalid value for '--engine'" in result.stderr and "'pandas' is not one of 'duckdb', 'spark'" in result.stderr


def test_a_backlog_without_a_ready_share_comes_last(runner, db_path):
    from tests.conftest import JIRA_CSV

    # cloud-minimal.csv holds no open item: no near term, so no ready share (SCRUM sorts after CR+SR)
    for name in ("cloud-minimal.csv", "cloud-2026-en.csv"):
        assert run(runner, "ingest", "jira-csv", JIRA_CSV / name, "--db", db_path, "-q").exit_code == 0
    entries = portfolio_json(runner, db_path)
    assert [(e["backlog"], e["readiness"]["ratio"]) for e in entries] == [("CR+SR", 0.0), ("SCRUM", None)]
    rows = [line.split()[:4] for line in run(runner, "portfolio", "--db", db_path).stdout.splitlines()[3:]]
    assert rows == [["CR+SR", "2026-01-27", "252", "0/20"], ["SCRUM", "2025-10-25", "0", "0/0"]]
