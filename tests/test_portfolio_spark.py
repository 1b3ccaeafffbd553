"""One definition, two engines: figures.sql run by Spark (local[2], for real) over the demo's
Parquet export gives exactly what DuckDB gives, and both equal `metrics --json` per backlog."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backlog_health import api, spark_submit
from backlog_health.cli import app
from backlog_health.rules import Rules
from tests import builders
from tests.test_cli_portfolio import metrics_subset, portfolio_json, run

pytestmark = pytest.mark.slow

ODD_RULES = builders.ODD_RULES


def portfolio(folder: Path, engine: str, rules: Rules | None = None, every_snapshot: bool = False) -> list[dict]:
    with api.open_store(folder, read_only=True) as con:
        return api.portfolio(con, rules, engine=engine, every_snapshot=every_snapshot)


def test_spark_and_duckdb_give_identical_portfolios_equal_to_metrics_json(runner, demo_db, demo_export):
    on_spark = portfolio_json(runner, demo_export, "--engine", "spark")
    on_duckdb = portfolio_json(runner, demo_export)
    assert on_spark == on_duckdb
    assert [entry["backlog"] for entry in on_spark] == ["MOBILE", "CHECKOUT"]  # worst ready share first
    for entry in on_spark:
        assert entry == metrics_subset(runner, demo_db, entry["backlog"])


def test_every_snapshot_under_other_rules_is_identical_on_both_engines(demo_db, demo_export):
    on_spark = portfolio(demo_export, "spark", ODD_RULES, every_snapshot=True)
    on_duckdb = portfolio(demo_export, "duckdb", ODD_RULES, every_snapshot=True)
    assert len(on_spark) == 26 and on_spark == on_duckdb
    with api.open_store(demo_db, read_only=True) as con:
        history = api.metrics_history(con, "CHECKOUT", ODD_RULES)
    checkout = [entry for entry in on_spark if entry["backlog"] == "CHECKOUT"]
    assert [e["readiness"]["ready"] for e in checkout] == [p.metrics.readiness.ready for p in history]
    assert [e["growth"]["stale"] for e in checkout] == [p.metrics.growth.stale for p in history]
    assert on_spark != portfolio(demo_export, "spark", every_snapshot=True)  # the rules did change the figures


def test_spark_reads_an_export_not_a_store_file(runner, demo_db):
    result = run(runner, "portfolio", "--engine", "spark", "--db", demo_db)
    assert result.exit_code == 1
    assert "reads a Parquet export" in result.output and "export --parquet" in result.output
    assert "Traceback" not in result.output


def test_a_folder_that_is_not_an_export_is_refused_on_spark(runner, tmp_path):
    (tmp_path / "notes.txt").write_text("not an export")
    result = run(runner, "portfolio", "--engine", "spark", "--db", tmp_path)
    assert result.exit_code == 1 and "not a backlog-health Parquet export" in result.output


def test_spark_json_is_a_list_with_the_metrics_keys(runner, demo_export):
    result = run(runner, "portfolio", "--engine", "spark", "--json", "--db", demo_export)
    entries = json.loads(result.stdout)
    assert isinstance(entries, list) and {tuple(e) for e in entries} == {
        ("backlog", "snapshot", "backlog_items", "readiness", "estimate_coverage", "duplicates", "growth")
    }


def test_spark_submit_runs_the_portfolio_as_a_driver(demo_export):
    """The cluster path, run here with spark-submit's local master: the same figures."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    job = Path(spark_submit.__file__)
    done = subprocess.run(
        [str(bin_dir / "spark-submit"), "--master", "local[2]", str(job), "portfolio", "--engine", "spark",
         "--json", "--db", str(demo_export)],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == portfolio(demo_export, "duckdb")
