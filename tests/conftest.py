"""Shared fixtures: a fresh store per test, the real exports, the CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from backlog_health import store

# Property tests check answers, never speed: no per-example deadline (a shared 2-core
# machine makes timings flaky), and the same examples on every run.
settings.register_profile("backlog-health", deadline=None, derandomize=True, database=None)
settings.load_profile("backlog-health")

FIXTURES = Path(__file__).parent / "fixtures"
JIRA_CSV = FIXTURES / "jira-csv"
REPO = Path(__file__).parent.parent


def write_demo_store(path: Path) -> Path:
    """A store at `path` holding the deterministic demo history."""
    from backlog_health.api import load_demo

    con = store.connect(path)
    try:
        load_demo(con)
    finally:
        con.close()
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def con(db_path: Path):
    connection = store.connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def store_state(path: Path) -> dict[str, list]:
    """Every table's rows, to compare a store before and after an operation."""
    connection = store.connect(path, read_only=True)
    try:
        return {
            "snapshots": connection.execute("select * from snapshots order by id").fetchall(),
            "items": connection.execute("select * from items order by snapshot_id, row_number").fetchall(),
            "links": connection.execute("select * from links order by all").fetchall(),
            "sprints": connection.execute("select * from sprints order by all").fetchall(),
        }
    finally:
        connection.close()
