"""The snapshot store: schema versions, atomic writes, idempotent re-ingest, clear errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from backlog_health import store
from backlog_health.store import write
from backlog_health.backlog import assign_rank_positions
from backlog_health.errors import NotFoundError, StoreError
from backlog_health.metrics.report import metrics_history, stored_metrics
from backlog_health.model import ITEM_COLUMNS, ITEM_SCHEMA, to_arrow
from backlog_health.rules import Rules
from backlog_health.ingest.demo import demo_snapshots
from backlog_health.ingest.jira_csv import read_jira_csv
from tests.conftest import JIRA_CSV, store_state


def snapshot_of(name: str, **kwargs):
    return read_jira_csv(JIRA_CSV / name, **kwargs).snapshot


def test_a_new_store_is_at_the_latest_schema_version(con):
    latest = store.migrations()[-1][0]
    assert store.schema_version(con) == latest
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert {"snapshots", "items", "links", "sprints", "schema_version"} <= tables


def test_write_and_read_back_a_snapshot(con):
    snapshot = snapshot_of("cloud-2026-en.csv")
    result = store.write_snapshot(con, snapshot)
    assert result.created
    listed = store.list_snapshots(con)
    row = listed.iloc[0]
    assert (row["backlog"], row["row_count"], row["backlog_items"]) == ("CR+SR", 311, 252)
    assert row["source_kind"] == "jira-csv" and row["source_name"] == "cloud-2026-en.csv"
    items = store.snapshot_items(con, result.snapshot_id)
    assert list(items["rank_position"]) == list(range(1, 253))
    every = store.snapshot_items(con, result.snapshot_id, all_rows=True)
    assert len(every) == 311
    sr68 = every[every["key"] == "SR-68"].iloc[0]
    assert list(sr68["labels"]) == ["duplicates", "requests", "schdedule"]
    assert isinstance(sr68["custom_fields"], dict)
    assert len(store.snapshot_links(con, result.snapshot_id)) == len(snapshot.links)


def test_reingesting_the_same_content_adds_nothing(con, db_path):
    first = store.write_snapshot(con, snapshot_of("cloud-es.csv"))
    before = store_state_of(con)
    again = store.write_snapshot(con, snapshot_of("cloud-es.csv", taken_at=datetime(2030, 1, 1)))
    assert (again.snapshot_id, again.created) == (first.snapshot_id, False)
    assert store_state_of(con) == before


def store_state_of(con) -> dict:
    return {
        "snapshots": con.execute("select * from snapshots order by id").fetchall(),
        "items": con.execute("select count(*) from items").fetchall(),
    }


def test_same_content_under_another_backlog_is_a_new_snapshot(con):
    store.write_snapshot(con, snapshot_of("cloud-minimal.csv"))
    other = store.write_snapshot(con, snapshot_of("cloud-minimal.csv", backlog="OTHER"))
    assert other.created


@pytest.mark.parametrize("failing_view", ["new_items", "new_links", "new_sprints"])
def test_a_failure_mid_write_leaves_the_store_unchanged(db_path, monkeypatch, failing_view):
    con = store.connect(db_path)
    store.write_snapshot(con, snapshot_of("cloud-minimal.csv"))
    con.close()
    before = store_state(db_path)

    real_insert = write._insert

    def failing_insert(connection, query, view, table, snapshot_id):
        if view == failing_view:
            raise RuntimeError("disk on fire")
        return real_insert(connection, query, view, table, snapshot_id)

    monkeypatch.setattr(write, "_insert", failing_insert)
    con = store.connect(db_path)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.write_snapshot(con, snapshot_of("cloud-2026-en.csv"))
    con.close()
    assert store_state(db_path) == before


def shipped_migrations(tmp_path, up_to: int | None = None):
    """A folder with this release's migrations (those up to version `up_to`)."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for version, text in store.migrations():
        if up_to is None or version <= up_to:
            (folder / f"{version:03d}_shipped.sql").write_text(text)
    return folder


def test_a_store_of_the_first_schema_version_migrates_and_keeps_its_snapshots(tmp_path):
    path = tmp_path / "v1.duckdb"
    con = store.connect(path, migrations_folder=shipped_migrations(tmp_path, up_to=1))
    assert store.schema_version(con) == 1
    written = store.write_snapshot(con, snapshot_of("cloud-2026-en.csv"), scan_duplicates=False)
    con.close()
    con = store.connect(path)  # this release: migrates to the latest version
    assert store.schema_version(con) == store.migrations()[-1][0]
    assert len(store.snapshot_items(con, written.snapshot_id)) == 252
    assert store.stored_candidates(con, written.snapshot_id, 0.65) is None  # not scanned: computed on use
    report = stored_metrics(con, written.snapshot_id, Rules(), datetime(2026, 2, 1))
    assert report.growth.backlog_items == 252 and len(report.linked_duplicates) == 2
    store.record_duplicate_decision(con, "CR+SR", "SR-1", "SR-2", "dismissed")  # v2 table usable
    con.close()


def test_forward_migrations_apply_once_and_in_order(tmp_path):
    folder = shipped_migrations(tmp_path)
    path = tmp_path / "old.duckdb"
    con = store.connect(path)  # a store made by "the previous release"
    store.write_snapshot(con, snapshot_of("cloud-minimal.csv"))
    con.close()
    latest = store.migrations()[-1][0]
    (folder / f"{latest + 1:03d}_add_notes.sql").write_text("alter table snapshots add column note varchar;")
    con = store.connect(path, migrations_folder=folder)
    assert store.schema_version(con) == latest + 1
    assert con.execute("select count(*), count(note) from snapshots").fetchone() == (1, 0)
    con.close()
    con = store.connect(path, migrations_folder=folder)  # nothing left to apply
    assert store.schema_version(con) == latest + 1
    con.close()


def test_a_failing_migration_leaves_the_store_at_its_version(tmp_path):
    folder = shipped_migrations(tmp_path)
    path = tmp_path / "s.duckdb"
    store.connect(path).close()
    latest = store.migrations()[-1][0]
    (folder / f"{latest + 1:03d}_broken.sql").write_text(
        "create table scratch (x integer); alter table nowhere add column y integer;"
    )
    with pytest.raises(StoreError, match="nowhere"):  # DuckDB's error, as a StoreError
        store.connect(path, migrations_folder=folder)
    con = store.connect(path)
    assert store.schema_version(con) == latest
    assert con.execute("select count(*) from information_schema.tables where table_name='scratch'").fetchone()[0] == 0
    con.close()


def test_a_store_newer_than_this_release_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    con = store.connect(path)
    con.execute("insert into schema_version values (999, current_timestamp::timestamp)")
    con.close()
    with pytest.raises(StoreError, match="newer than this release"):
        store.connect(path)


def test_a_file_that_is_not_a_store_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_bytes(b"these are my notes, not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a backlog-health store"):
        store.connect(path)
    assert path.read_bytes() == before


def test_readers_never_create_a_store(tmp_path):
    with pytest.raises(StoreError, match="no store here yet"):
        store.connect(tmp_path / "missing.duckdb", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()


def test_default_path_and_environment_override(monkeypatch, tmp_path):
    monkeypatch.delenv(store.DB_ENV, raising=False)
    assert store.default_db_path().as_posix() == "data/backlog.duckdb"
    monkeypatch.setenv(store.DB_ENV, str(tmp_path / "x.duckdb"))
    assert store.default_db_path() == tmp_path / "x.duckdb"


def test_resolve_snapshot_latest_ids_and_errors(con):
    a = store.write_snapshot(con, snapshot_of("cloud-minimal.csv", taken_at=datetime(2025, 1, 1))).snapshot_id
    b = store.write_snapshot(con, snapshot_of("cloud-es.csv")).snapshot_id
    assert store.resolve_snapshot(con, "SCRUM") == a
    assert store.resolve_snapshot(con, None, str(b)) == b
    with pytest.raises(NotFoundError, match="several backlogs"):
        store.resolve_snapshot(con)
    with pytest.raises(NotFoundError, match='no backlog named "NOPE"'):
        store.resolve_snapshot(con, "NOPE")
    with pytest.raises(NotFoundError, match="no snapshot 999"):
        store.resolve_snapshot(con, "SCRUM", "999")


def test_sql_looking_names_are_data_not_code(con):
    name = "x'); drop table snapshots; --"
    store.write_snapshot(con, snapshot_of("cloud-minimal.csv", backlog=name))
    assert list(store.list_snapshots(con, name)["backlog"]) == [name]
    assert store.resolve_snapshot(con, name) >= 1


HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def hold_lock(path, seconds: float):
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


@pytest.mark.slow
def test_a_locked_store_is_waited_for_then_opened(db_path):
    store.connect(db_path).close()
    holder = hold_lock(db_path, 1.0)
    con = store.connect(db_path, wait_seconds=20)  # waits for the other writer to finish
    assert store.schema_version(con) == store.migrations()[-1][0]
    con.close()
    holder.wait()


@pytest.mark.slow
def test_a_store_locked_too_long_is_one_clear_error(db_path):
    store.connect(db_path).close()
    holder = hold_lock(db_path, 3.0)
    with pytest.raises(StoreError, match="still in use by another process after waiting 0.3 s"):
        store.connect(db_path, wait_seconds=0.3)
    holder.wait()


def test_loading_many_snapshots_equals_loading_each(con):
    ids = [
        store.write_snapshot(con, snapshot_of(name)).snapshot_id
        for name in ("cloud-es.csv", "server-2018-en.csv", "cloud-2026-en.csv")
    ]
    together = store.load_snapshots(con, ids)
    for snapshot_id in ids:
        alone = store.load_snapshot(con, snapshot_id, with_raw=False)
        many = together[snapshot_id]
        assert (many.backlog, many.taken_at) == (alone.backlog, alone.taken_at)
        assert many.items["key"].tolist() == alone.items["key"].tolist()
        assert many.items["rank_position"].fillna(-1).tolist() == alone.items["rank_position"].fillna(-1).tolist()
        assert many.links.values.tolist() == alone.links.values.tolist()
    # Backlog items come first, in rank order.
    items = together[ids[2]].items
    count = int(items["is_backlog"].sum())
    assert items["rank_position"][:count].tolist() == list(range(1, count + 1))


def _rows_by_number(snapshot) -> list[dict]:
    """A snapshot's rows in source order, as plain values, to compare what went in and came out
    (a missing list or map reads back empty, as `load_snapshot` documents)."""
    rows = to_arrow(snapshot.items, ITEM_SCHEMA).sort_by("row_number").to_pylist()
    collections = ("labels", "components", "fix_versions", "sprints", "custom_fields")
    return [{k: ([] if k in collections and v is None else v) for k, v in row.items()} for row in rows]


def _item_counts(con) -> tuple[int, int]:
    return con.execute("select (select count(*) from item_versions), (select count(*) from item_rows)").fetchall()[0]


@pytest.mark.slow
def test_history_reads_back_exactly_while_unchanged_items_are_stored_once(con):
    history = demo_snapshots()
    ids = [store.write_snapshot(con, snapshot, scan_duplicates=False).snapshot_id for snapshot in history]
    for snapshot, snapshot_id in zip(history, ids):
        assert _rows_by_number(store.load_snapshot(con, snapshot_id)) == _rows_by_number(snapshot)
    versions, rows = _item_counts(con)
    assert rows == sum(snapshot.row_count for snapshot in history)
    assert versions < rows / 3


def test_only_a_changed_item_gets_a_new_version(con):
    first = snapshot_of("cloud-2026-en.csv")
    store.write_snapshot(con, first, scan_duplicates=False)
    before = _item_counts(con)
    items = first.items.copy()
    backlog = items.index[items["is_backlog"]]
    items.loc[backlog[0], "summary"] = "Edited summary"
    # Re-ranked items and rows that moved in the file are the same item state.
    items.loc[backlog[1], "rank"], items.loc[backlog[2], "rank"] = items.loc[backlog[2], "rank"], items.loc[backlog[1], "rank"]
    items["row_number"] = items["row_number"].to_numpy()[::-1]
    second = replace(first, items=assign_rank_positions(items), taken_at=datetime(2026, 3, 1))
    second_id = store.write_snapshot(con, second, scan_duplicates=False).snapshot_id
    assert _item_counts(con) == (before[0] + 1, before[1] + first.row_count)
    assert _rows_by_number(store.load_snapshot(con, second_id)) == _rows_by_number(second)


def _answers(con, snapshot_ids: list[int], backlogs: list[str]) -> dict:
    """Everything the metrics say about a store, plus its raw item rows."""
    now = datetime(2026, 6, 1)
    return {
        # The model's columns (a migrated store adds the text facts after them).
        "items": con.execute(
            f"select snapshot_id, {', '.join(ITEM_COLUMNS)} from items order by snapshot_id, row_number"
        ).fetchall(),
        "snapshots": [stored_metrics(con, i, Rules(), now).to_dict() for i in snapshot_ids],
        "history": [
            [point.metrics.to_dict() for point in metrics_history(con, backlog, Rules(), now, by_sprint=by_sprint)]
            for backlog in backlogs
            for by_sprint in (False, True)
        ],
        "candidates": [store.stored_candidates(con, i, 0.4).values.tolist() for i in snapshot_ids],
    }


@pytest.mark.slow
def test_a_version_3_store_with_history_migrates_with_identical_metric_answers(tmp_path):
    path = tmp_path / "v3.duckdb"
    con = store.connect(path, migrations_folder=shipped_migrations(tmp_path, up_to=3))
    assert store.schema_version(con) == 3
    ids = [store.write_snapshot(con, snapshot).snapshot_id for snapshot in demo_snapshots()]
    ids.append(store.write_snapshot(con, snapshot_of("cloud-2026-en.csv")).snapshot_id)
    backlogs = list(store.list_backlogs(con)["backlog"])
    before = _answers(con, ids, backlogs)
    con.close()

    con = store.connect(path)  # migrates to the latest version
    assert store.schema_version(con) == store.migrations()[-1][0]
    after = _answers(con, ids, backlogs)
    versions, rows = _item_counts(con)
    con.close()
    assert len(before["items"]) == rows and versions < rows / 3
    assert after == before


@pytest.mark.slow
def test_a_backlog_with_the_texts_of_its_last_scan_reuses_its_candidates(con, monkeypatch):
    first = snapshot_of("cloud-2026-en.csv")
    first_id = store.write_snapshot(con, first).snapshot_id
    items = first.items.copy()
    items["rank"] = items["rank"].to_numpy()[::-1]  # re-ranked, texts unchanged
    reranked = replace(first, items=assign_rank_positions(items), taken_at=datetime(2026, 3, 1))
    scans = []
    real_scan = write.scan_candidates
    monkeypatch.setattr(write, "scan_candidates", lambda snapshot, **options: scans.append(1) or real_scan(snapshot, **options))

    reranked_id = store.write_snapshot(con, reranked).snapshot_id
    reused = store.stored_candidates(con, reranked_id, 0.4)
    assert scans == [] and len(reused) > 0
    assert reused.values.tolist() == store.stored_candidates(con, first_id, 0.4).values.tolist()
    assert reused.values.tolist() == real_scan(reranked).candidates.astype(object).values.tolist()

    items.loc[items.index[items["is_backlog"]][0], "description_text"] = "Now about something else entirely"
    edited = replace(first, items=assign_rank_positions(items), taken_at=datetime(2026, 3, 2))
    store.write_snapshot(con, edited)
    assert scans == [1]


def _scan_row(con, snapshot_id):
    return con.execute("select per_item, model_snapshot_id, capped from duplicate_scans where snapshot_id = ?",
                       [snapshot_id]).fetchone()


@pytest.mark.slow
def test_the_next_snapshot_rescores_only_what_changed_and_stores_what_a_scan_from_scratch_finds(con, monkeypatch):
    from backlog_health.similarity import fit_text_model, top_candidates

    first = snapshot_of("cloud-2026-en.csv")
    first_id = store.write_snapshot(con, first, candidates_per_item=4).snapshot_id
    assert _scan_row(con, first_id) == (4, first_id, False)
    items = first.items.copy()
    backlog = items.index[items["is_backlog"]]
    items.loc[backlog[:10], "description_text"] = "Rewritten: the export button does nothing on Safari"
    items = items.drop(index=backlog[-5:])
    nextday = replace(first, items=assign_rank_positions(items), taken_at=datetime(2026, 3, 1))
    scored_rows = []
    from backlog_health import similarity

    monkeypatch.setattr(similarity, "top_candidates",
                        lambda *a, **kw: scored_rows.append(kw["changed"]) or top_candidates(*a, **kw))
    next_id = store.write_snapshot(con, nextday, candidates_per_item=4).snapshot_id

    assert _scan_row(con, next_id) == (4, first_id, False)  # the first snapshot's model, reused
    assert scored_rows[0] is not None and sum(scored_rows[0]) == 10  # only the edited items changed
    stored = store.stored_candidates(con, next_id, 0.4)
    texts = first.items[first.items["is_backlog"]]
    now = nextday.items[nextday.items["is_backlog"]]
    scratch = top_candidates(list(now["key"]), list(now["summary"]), list(now["description_text"]), per_item=4,
                             min_score=0.4, model=fit_text_model(list(texts["summary"]), list(texts["description_text"])))
    assert stored.values.tolist() == scratch.astype(object).values.tolist()


@pytest.mark.slow
def test_a_backlog_whose_texts_changed_a_lot_fits_its_text_model_again(con):
    first = snapshot_of("cloud-2026-en.csv")
    first_id = store.write_snapshot(con, first).snapshot_id
    items = first.items.copy()
    backlog = items.index[items["is_backlog"]]
    items.loc[backlog[: len(backlog) // 3], "summary"] = [f"Entirely new work {i}" for i in range(len(backlog) // 3)]
    changed = replace(first, items=assign_rank_positions(items), taken_at=datetime(2026, 3, 1))
    changed_id = store.write_snapshot(con, changed).snapshot_id
    assert _scan_row(con, first_id)[1] == first_id and _scan_row(con, changed_id) == (10, changed_id, False)


def test_a_snapshot_is_durable_before_its_duplicate_scan_and_scanned_when_written_again(con, monkeypatch):
    snapshot = snapshot_of("cloud-2026-en.csv")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # the person stopped the ingest during the scan

    with monkeypatch.context() as patched:
        patched.setattr(write, "_duplicate_scan", interrupted)
        with pytest.raises(KeyboardInterrupt):
            store.write_snapshot(con, snapshot)
    [(snapshot_id, rows)] = con.execute("select id, row_count from snapshots").fetchall()
    assert rows == snapshot.row_count
    assert con.execute("select count(*) from duplicate_scans").fetchone()[0] == 0
    assert store.stored_candidates(con, snapshot_id, 0.4) is None  # computed when asked for

    again = store.write_snapshot(con, snapshot)
    assert (again.snapshot_id, again.created, again.scan_finished) == (snapshot_id, False, True)
    scanned = store.stored_candidates(con, snapshot_id, 0.4)
    fresh = store.connect(":memory:")
    try:
        written = store.write_snapshot(fresh, snapshot)
        expected = store.stored_candidates(fresh, written.snapshot_id, 0.4)
    finally:
        fresh.close()
    assert scanned is not None and len(scanned) > 0
    assert scanned.reset_index(drop=True).equals(expected.reset_index(drop=True))
    assert not store.write_snapshot(con, snapshot).scan_finished  # a third time: nothing more
    assert con.execute("select count(*) from duplicate_scans").fetchone()[0] == 1
