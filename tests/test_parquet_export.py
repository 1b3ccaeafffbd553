"""Parquet export: the Hive layout other engines read, and an export folder opened as a
read-only store that answers every command exactly as the DuckDB file does."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from backlog_health import store
from backlog_health.store import export as parquet_export
from backlog_health.cli import app
from backlog_health.metrics.report import metrics_history
from backlog_health.errors import ReadOnlyStoreError
from backlog_health.store.parquet import MANIFEST, PARTITIONS
from backlog_health.rules import Rules
from backlog_health.similarity import candidate_pairs
from tests.builders import snapshot
from tests.conftest import JIRA_CSV, REPO, copy_demo

# Exports and re-reads the whole demo history (~1 min): the whole suite only.
pytestmark = pytest.mark.slow

ENTRY = REPO / "dashboard" / "app.py"
ORDER = {  # a total order of each relation's rows, to compare store and export
    "snapshots": "id",
    "items": "snapshot_id, row_number",
    "links": "all",
    "sprints": "all",
    "duplicate_scans": "snapshot_id",
    "duplicate_candidates": "snapshot_id, key_a, key_b",
    "duplicate_decisions": "backlog, key_a, key_b",
    "snapshot_warnings": "snapshot_id, position",
}
NAMES = ["a/b", "x=y", "ü", "'; drop", "2026", "50% done", "Équipe 🚀"]


def run(runner: CliRunner, *args):
    return runner.invoke(app, [str(a) for a in args])


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under `folder` with a hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def rows(con, table: str, columns: str = "*") -> list[tuple]:
    return con.execute(f"select {columns} from {table} order by {ORDER[table]}").fetchall()


def store_columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"describe {table}").fetchall()]


@pytest.fixture(scope="module")
def demo(demo_db, tmp_path_factory) -> tuple[Path, Path]:
    """The demo store with one dismissed and one confirmed pair, and its export."""
    runner = CliRunner()
    base = tmp_path_factory.mktemp("export")
    db, folder = copy_demo(demo_db, base), base / "export"
    pairs = json.loads(run(runner, "duplicates", "--backlog", "MOBILE", "--json", "--db", db).stdout)["candidates"]
    for pair, verb in zip(pairs[:2], ("dismiss", "confirm")):
        assert run(runner, "duplicates", verb, pair["key_a"], pair["key_b"], "--backlog", "MOBILE", "--db", db).exit_code == 0
    con = store.connect(db)  # the demo reads clean files: give one snapshot a reading warning
    try:
        con.execute("insert into snapshot_warnings values (3, 1, 'demo.csv: 1 value in \"Points\" above ...')")
    finally:
        con.close()
    result = run(runner, "export", "--parquet", folder, "--db", db)
    assert result.exit_code == 0, result.output
    assert "exported 26 snapshots of 2 backlog(s)" in result.stdout
    return db, folder


# --- the layout --------------------------------------------------------------------------------


def test_layout_is_hive_partitioned_by_backlog_and_snapshot_date(demo):
    db, folder = demo
    con = store.connect(db, read_only=True)
    try:
        partitions = set(con.execute("select backlog, strftime(taken_at, '%Y-%m-%d') from snapshots").fetchall())
        counts = {table: con.execute(f"select count(*) from {table}").fetchall()[0][0] for table in PARTITIONS}
        version = store.schema_version(con)
    finally:
        con.close()
    assert {p.name for p in folder.iterdir()} == {MANIFEST, *PARTITIONS}
    for table in ("snapshots", "items", "links", "sprints", "duplicate_scans", "duplicate_candidates"):
        dirs = {p.parent.relative_to(folder / table).parts for p in (folder / table).rglob("*.parquet")}
        assert all(re.fullmatch(r"backlog=[A-Z]+", b) and re.fullmatch(r"snapshot_date=\d{4}-\d\d-\d\d", d)
                   for b, d in dirs), dirs
        assert {(b.removeprefix("backlog="), d.removeprefix("snapshot_date=")) for b, d in dirs} == partitions, table
    decisions = {p.parent.relative_to(folder / "duplicate_decisions").parts for p in folder.rglob("*.parquet")
                 if "duplicate_decisions" in p.parts}
    assert decisions == {("backlog=MOBILE",)}

    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["format"] == "backlog-health parquet export" and manifest["schema_version"] == version
    assert manifest["backlogs"] == ["CHECKOUT", "MOBILE"] and manifest["snapshots"] == 26
    assert datetime.fromisoformat(manifest["exported_at"].removesuffix("Z")) <= datetime.now(UTC).replace(tzinfo=None)
    assert {t: manifest["tables"][t]["rows"] for t in PARTITIONS} == counts
    assert manifest["tables"]["items"]["partition_by"] == ["backlog", "snapshot_date"]
    assert manifest["tables"]["items"]["columns"]["custom_fields"] == "MAP(VARCHAR, VARCHAR)"


def test_plain_duckdb_reads_every_row_and_column_back(demo):
    db, folder = demo
    con = store.connect(db, read_only=True)
    other = duckdb.connect()
    try:
        for table in PARTITIONS:
            columns = ", ".join(store_columns(con, table))
            parquet = (f"read_parquet('{folder}/{table}/**/*.parquet', hive_partitioning = true, "
                       "hive_types = {'backlog': 'VARCHAR'})")
            exported = other.execute(f"select {columns} from {parquet} order by {ORDER[table]}").fetchall()
            assert exported == rows(con, table), table
            assert len(exported) > 0, table
        # the partition columns name each row's snapshot
        joined = other.execute(
            f"select distinct i.backlog, i.snapshot_date, i.snapshot_id "
            f"from read_parquet('{folder}/items/**/*.parquet', hive_partitioning = true) as i order by 3"
        ).fetchall()
        assert joined == con.execute(
            "select backlog, cast(taken_at as date), id from snapshots order by id"
        ).fetchall()
    finally:
        con.close()
        other.close()


def test_pyarrow_reads_it_as_another_engine_would(demo):
    db, folder = demo
    con = store.connect(db, read_only=True)
    try:
        for table in PARTITIONS:
            dataset = ds.dataset(folder / table, format="parquet", partitioning="hive")
            read = dataset.to_table()
            expected = con.sql(f"select * from {table} order by {ORDER[table]}").to_arrow_table()
            assert read.num_rows == expected.num_rows, table
            assert set(read.column_names) >= set(expected.column_names), table
            order = [(c.strip(), "ascending") for c in ORDER[table].split(",")] if ORDER[table] != "all" else [
                (c, "ascending") for c in expected.column_names if c not in ("backlog",)
            ]
            got = read.sort_by(order).select(expected.column_names)
            for name in expected.column_names:
                if name == "backlog":
                    continue
                assert got[name].to_pylist() == expected[name].to_pylist(), (table, name)
        items = ds.dataset(folder / "items", format="parquet", partitioning="hive").to_table(
            filter=ds.field("backlog") == "MOBILE", columns=["snapshot_id", "key", "snapshot_date"]
        )
        assert items.num_rows == con.execute(
            "select count(*) from items join snapshots on snapshot_id = id where backlog = 'MOBILE'"
        ).fetchall()[0][0]
    finally:
        con.close()


# --- the folder as a read-only store -----------------------------------------------------------


def without_clock(text: str):
    """JSON output without `data_age_days`, which counts from the current time."""
    data = json.loads(text)

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "data_age_days"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(data)


@pytest.mark.parametrize(
    "command",
    [
        ["snapshots"],
        ["snapshots", "--json"],
        ["items", "--backlog", "MOBILE", "--all", "--json"],
        ["items", "--backlog", "CHECKOUT", "--at", "3", "--csv"],
        ["metrics", "--backlog", "CHECKOUT"],
        ["metrics", "--backlog", "MOBILE", "--json"],
        ["metrics", "--backlog", "CHECKOUT", "--history"],
        ["metrics", "--backlog", "MOBILE", "--history", "--by-sprint", "--json"],
        ["duplicates", "--backlog", "MOBILE"],
        ["duplicates", "--backlog", "MOBILE", "--json"],
    ],
    ids=" ".join,
)
def test_every_read_command_answers_the_same_on_the_folder(demo, command):
    db, folder = demo
    runner = CliRunner()
    on_file = run(runner, *command, "--db", db)
    on_folder = run(runner, *command, "--db", folder)
    assert on_file.exit_code == 0 and on_folder.exit_code == 0, on_folder.output
    assert len(on_file.stdout) > 100
    if "--json" in command:
        assert without_clock(on_folder.stdout) == without_clock(on_file.stdout)
    else:
        assert on_folder.stdout == on_file.stdout


def test_writes_to_a_folder_are_refused_with_one_line(demo):
    _, folder = demo
    runner = CliRunner()
    before = fingerprint(folder)
    pair = json.loads(run(runner, "duplicates", "--backlog", "CHECKOUT", "--json", "--db", folder).stdout)
    key_a, key_b = pair["candidates"][0]["key_a"], pair["candidates"][0]["key_b"]
    for command in (
        ["ingest", "jira-csv", JIRA_CSV / "cloud-2026-en.csv"],
        ["ingest", "csv", JIRA_CSV / "cloud-minimal.csv", "--map", "key=Issue key", "--map", "summary=Summary"],
        ["duplicates", "dismiss", key_a, key_b, "--backlog", "CHECKOUT"],
        ["duplicates", "confirm", key_a, key_b, "--backlog", "CHECKOUT"],
        ["demo", "--seed", "8", "--quiet"],
    ):
        result = run(runner, *command, "--db", folder)
        assert result.exit_code == 1, (command, result.output)
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert result.stderr.startswith(f"error: {folder}: is a read-only Parquet export"), result.stderr
    assert fingerprint(folder) == before


def test_the_connection_refuses_sql_writes_but_reads(demo):
    _, folder = demo
    con = store.connect(folder)
    try:
        assert con.execute("select count(*) from snapshots").fetchall() == [(26,)]
        assert store.schema_version(con) == store.migrations()[-1][0]
        for statement in ("insert into duplicate_decisions values ('M', 'a', 'b', 'dismissed', now())",
                          "delete from items", "create table t (a integer)", "drop view items"):
            with pytest.raises(ReadOnlyStoreError, match="read-only Parquet export"):
                con.execute(statement)
        with pytest.raises(ReadOnlyStoreError):
            con.sql("update snapshots set backlog = 'x'")
        assert con.execute("select count(*) from items").fetchall()[0][0] > 0
    finally:
        con.close()


def test_a_folder_that_is_not_a_current_export_is_one_line(runner, tmp_path, demo):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(runner, "snapshots", "--db", empty)
    assert result.exit_code == 1 and "not a backlog-health Parquet export" in result.stderr

    old = tmp_path / "old"
    old.mkdir()
    (old / MANIFEST).write_text(json.dumps({**json.loads((demo[1] / MANIFEST).read_text()), "schema_version": 1}))
    result = run(runner, "metrics", "--db", old)
    assert result.exit_code == 1 and "export the store again" in result.stderr
    assert result.stderr.strip().count("\n") == 0


# --- exporting: refusals, one backlog, replacing -----------------------------------------------


def test_a_folder_holding_other_files_is_never_overwritten(runner, demo, tmp_path):
    db, _ = demo
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    result = run(runner, "export", "--parquet", target, "--db", db)
    assert result.exit_code == 1 and "is not empty and is not a backlog-health export" in result.stderr
    assert fingerprint(target) == {"notes.txt": hashlib.sha256(b"keep me").hexdigest()}

    a_file = tmp_path / "file.parquet"
    a_file.write_text("x")
    result = run(runner, "export", "--parquet", a_file, "--db", db)
    assert result.exit_code == 1 and "is a file" in result.stderr and a_file.read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.parquet", "mine"]  # no staging left behind


def test_an_unknown_backlog_or_an_empty_store_exports_nothing(runner, demo, tmp_path):
    db, _ = demo
    result = run(runner, "export", "--parquet", tmp_path / "out", "--db", db, "--backlog", "NOPE")
    assert result.exit_code == 1 and 'no backlog named "NOPE"' in result.stderr
    empty = tmp_path / "empty.duckdb"
    store.connect(empty).close()
    result = run(runner, "export", "--parquet", tmp_path / "out", "--db", empty)
    assert result.exit_code == 1 and "no snapshots" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.duckdb"]


def test_reexporting_replaces_the_previous_export_whole(runner, demo, tmp_path):
    db, _ = demo
    target = tmp_path / "export"
    assert run(runner, "export", "--parquet", target, "--db", db).exit_code == 0
    result = run(runner, "export", "--parquet", target, "--db", db, "--backlog", "MOBILE")
    assert result.exit_code == 0, result.output
    assert "exported 13 snapshots of 1 backlog(s)" in result.stdout
    assert {p.name for p in (target / "items").iterdir()} == {"backlog=MOBILE"}
    assert json.loads((target / MANIFEST).read_text())["backlog"] == "MOBILE"
    listing = json.loads(run(runner, "snapshots", "--json", "--db", target).stdout)
    assert {s["backlog"] for s in listing} == {"MOBILE"} and len(listing) == 13
    assert [p.name for p in tmp_path.iterdir()] == ["export"]  # the previous export is gone

    (target / "README.txt").write_text("added by hand")
    result = run(runner, "export", "--parquet", target, "--db", db)
    assert result.exit_code == 1 and "not part of the export (README.txt)" in result.stderr
    assert json.loads((target / MANIFEST).read_text())["backlog"] == "MOBILE"


def test_a_failed_reexport_leaves_the_previous_export_as_it_was(runner, demo, tmp_path, monkeypatch):
    db, _ = demo
    target = tmp_path / "export"
    assert run(runner, "export", "--parquet", target, "--db", db, "--backlog", "CHECKOUT").exit_code == 0
    before = fingerprint(target)
    real = parquet_export._export_table

    def fail_on_links(con, staging, table, partition_by, backlog):
        if table == "links":
            raise duckdb.IOException("IO Error: No space left on device")
        return real(con, staging, table, partition_by, backlog)

    monkeypatch.setattr(parquet_export, "_export_table", fail_on_links)
    result = run(runner, "export", "--parquet", target, "--db", db)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {target}: cannot write the export (IO Error: No space left on device); nothing was written"
    )
    assert fingerprint(target) == before
    assert [p.name for p in tmp_path.iterdir()] == ["export"]


def test_exporting_a_folder_store_gives_the_same_export(runner, demo, tmp_path):
    _, folder = demo
    copy = tmp_path / "copy"
    assert run(runner, "export", "--parquet", copy, "--db", folder).exit_code == 0
    con_a, con_b = store.connect(folder), store.connect(copy)
    try:
        for table in PARTITIONS:
            assert rows(con_a, table) == rows(con_b, table), table
    finally:
        con_a.close()
        con_b.close()


# --- names that are awkward in paths -----------------------------------------------------------


def test_sql_looking_and_unicode_backlog_names_survive_the_partition_paths(runner, tmp_path):
    db, folder = tmp_path / "names.duckdb", tmp_path / "export"
    con = store.connect(db)
    try:
        for n, name in enumerate(NAMES):
            rows_ = [{"key": f"K-{n}-1", "summary": f"first of {name}"}, {"key": f"K-{n}-2", "summary": "second"}]
            store.write_snapshot(con, snapshot(rows_, backlog=name, taken_at=datetime(2026, 3, 2 + n, 9, 0)))
        store.record_duplicate_decision(con, "ü", "K-2-1", "K-2-2", "dismissed")
    finally:
        con.close()
    result = run(runner, "export", "--parquet", folder, "--db", db)
    assert result.exit_code == 0, result.output

    # one directory per backlog, each name percent-encoded as UTF-8 (DuckDB's Hive convention)
    dirs = sorted(p.name for p in (folder / "items").iterdir())
    assert len(dirs) == len(NAMES)
    assert {"backlog=a%2Fb", "backlog=x%3Dy", "backlog=%C3%BC", "backlog=%27%3B%20drop", "backlog=2026"} <= set(dirs)
    assert not (folder / "items" / "backlog=a").exists()  # "a/b" did not become a subfolder

    listing = json.loads(run(runner, "snapshots", "--json", "--db", folder).stdout)
    assert sorted(s["backlog"] for s in listing) == sorted(NAMES)
    for n, name in enumerate(NAMES):
        result = run(runner, "items", "--backlog", name, "--json", "--db", folder)
        assert result.exit_code == 0, result.output
        assert [(i["key"], i["summary"]) for i in json.loads(result.stdout)] == [
            (f"K-{n}-1", f"first of {name}"), (f"K-{n}-2", "second")
        ]
    decisions = store.connect(folder)
    try:
        assert store.duplicate_decisions(decisions, "ü")[["key_a", "key_b"]].values.tolist() == [["K-2-1", "K-2-2"]]
    finally:
        decisions.close()

    # Arrow decodes the escapes the same way (names read as strings, not guessed as numbers)
    hive = ds.partitioning(pa.schema([("backlog", pa.string()), ("snapshot_date", pa.string())]), flavor="hive")
    read = ds.dataset(folder / "snapshots", format="parquet", partitioning=hive).to_table()
    assert sorted(read["backlog"].to_pylist()) == sorted(NAMES)


# --- the dashboard -----------------------------------------------------------------------------


def test_the_dashboard_renders_from_a_folder(monkeypatch, demo):
    db, folder = demo
    monkeypatch.setenv("BACKLOG_HEALTH_DB", str(folder))
    monkeypatch.delenv("BACKLOG_HEALTH_RULES", raising=False)
    at = AppTest.from_file(str(ENTRY), default_timeout=180)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    con = store.connect(db, read_only=True)
    try:
        steps = metrics_history(con, "CHECKOUT", Rules(), datetime.now(), find_candidates=candidate_pairs)
    finally:
        con.close()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Backlog size"] == str(steps[-1].metrics.growth.backlog_items)
    assert shown["Open duplicate candidates"] == str(len(steps[-1].metrics.candidate_duplicates))

    at.switch_page("app_pages/duplicates.py").run()
    assert not at.exception, [e.message for e in at.exception]
    before = fingerprint(folder)
    buttons = [b for b in at.button if b.key and b.key.startswith("duplicates.")]
    assert buttons and all(b.disabled for b in buttons)  # decisions are made in the store file
    assert any("read-only Parquet export" in c.value for c in at.caption)
    assert fingerprint(folder) == before
