"""Shared fixtures: a fresh store per test, the demo store (built once per run, copied per test),
the real exports, the CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from backlog_health import api, store

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


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo history, built once per test run and shared: only read it. A test that writes
    (or hands the path to code that may) takes `demo_copy`."""
    return write_demo_store(tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture(scope="session")
def demo_export(demo_db: Path, tmp_path_factory) -> Path:
    """The demo store exported as a Parquet lake (`export --parquet`), shared: only read it."""
    folder = tmp_path_factory.mktemp("lake") / "export"
    with api.open_store(demo_db, read_only=True) as con:
        api.export_parquet(con, folder)
    return folder


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store, for a test that writes."""
    return copy_demo(demo_db, tmp_path)


def copy_demo(demo_db: Path, folder: Path) -> Path:
    """A copy of the demo store in `folder` (for module-scoped fixtures, which cannot take `demo_copy`)."""
    path = folder / "demo.duckdb"
    shutil.copy(demo_db, path)
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
