"""The product's DuckDB SQL run unchanged on Spark (local[2]) over a Parquet export.

Fast tests check the translation (sqlglot, inlined parameters) and the one-line errors; the
slow ones start a real local Spark and compare each answer with DuckDB's over the same export.
"""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlglot
from sqlglot import exp

from backlog_health import api, spark_engine, store
from backlog_health.errors import BacklogHealthError, EngineError, StoreError
from backlog_health.spark_engine import NEEDS_JAVA, NEEDS_PYSPARK, run_sql, to_spark_sql
from tests.builders import snapshot

# ---------------------------------------------------------------------------- translation


def test_parameters_become_literals_of_their_type():
    sql = (
        "with final as (select * from items where status = $status and rank_position <= $top "
        "and story_points > $points and is_backlog = $backlog_only and resolution is not distinct from $none "
        "and list_contains($labels, status)) select * from final"
    )
    spark = to_spark_sql(
        sql, {"status": "To Do", "top": 10, "points": 2.5, "backlog_only": True, "none": None, "labels": ["a", "b"]}
    )
    assert "status = 'To Do'" in spark
    assert "rank_position <= 10" in spark
    assert "story_points > 2.5" in spark
    assert "is_backlog = TRUE" in spark
    assert "resolution IS NOT DISTINCT FROM NULL" in spark
    assert "CAST(ARRAY('a', 'b') AS ARRAY<STRING>)" in spark
    assert "$" not in spark and ":" not in spark


def test_dates_and_times_become_typed_literals():
    spark = to_spark_sql("select $day as d, $now as t", {"day": date(2026, 1, 2), "now": datetime(2026, 1, 2, 9, 30)})
    assert spark == "SELECT CAST('2026-01-02' AS DATE) AS d, CAST('2026-01-02 09:30:00' AS TIMESTAMP_NTZ) AS t"


def test_an_empty_list_is_a_list_of_strings():
    assert to_spark_sql("select $xs as xs", {"xs": []}) == "SELECT CAST(ARRAY() AS ARRAY<STRING>) AS xs"


def test_a_quote_or_backslash_in_a_string_stays_one_literal():
    value = "it's a\\b'; drop table items; --"
    spark = to_spark_sql("select $text as v from items", {"text": value})
    literals = list(sqlglot.parse_one(spark, read="spark").find_all(exp.Literal))
    assert [literal.this for literal in literals] == [value]
    assert len(sqlglot.parse(spark, read="spark")) == 1


def test_a_dollar_inside_a_string_literal_is_not_a_parameter():
    assert to_spark_sql("select '$price' as v", {}) == "SELECT '$price' AS v"


def test_a_missing_parameter_is_named():
    with pytest.raises(ValueError, match=r"\$backlog"):
        to_spark_sql("select * from snapshots where backlog = $backlog and id > $min", {"min": 1})


def test_positional_parameters_and_unsupported_values_are_refused():
    with pytest.raises(ValueError, match=r"positional \?"):
        to_spark_sql("select * from items where key = ?", {})
    with pytest.raises(ValueError, match=r"\$when: cannot inline a dict"):
        to_spark_sql("select $when", {"when": {}})
    with pytest.raises(ValueError, match="time zone"):
        to_spark_sql("select $at", {"at": datetime(2026, 1, 1, tzinfo=UTC)})


def test_sql_that_is_not_duckdb_sql_is_one_line():
    with pytest.raises(EngineError, match="cannot read the query as DuckDB SQL") as raised:
        to_spark_sql("select from where (", {})
    assert "\n" not in str(raised.value)


# ---------------------------------------------------------------------------- one-line errors


@pytest.fixture
def fresh_session():
    """`spark_session` forgets its cached session around the test (a running JVM is reused after)."""
    spark_engine.spark_session.cache_clear()
    yield
    spark_engine.spark_session.cache_clear()


def test_without_pyspark_the_message_says_how_to_install_it(monkeypatch, fresh_session):
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # import fails as if not installed
    with pytest.raises(EngineError) as raised:
        spark_engine.spark_session()
    assert str(raised.value) == NEEDS_PYSPARK == "--engine spark needs pyspark: pip install 'backlog-health[spark]'"
    assert isinstance(raised.value, BacklogHealthError)


def test_run_sql_without_pyspark_is_the_same_one_line(monkeypatch, fresh_session, tmp_path):
    con = store.connect(tmp_path / "one.duckdb")
    try:
        store.write_snapshot(con, snapshot([{"key": "K-1", "summary": "one"}]))
        api.export_parquet(con, tmp_path / "export")
    finally:
        con.close()
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(EngineError, match=r"^--engine spark needs pyspark: pip install 'backlog-health\[spark\]'$"):
        run_sql("select count(*) from items", {}, tmp_path / "export")


def test_without_java_the_message_says_how_to_get_it(monkeypatch, fresh_session):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(spark_engine.shutil, "which", lambda name: None)
    with pytest.raises(EngineError) as raised:
        spark_engine.spark_session()
    assert str(raised.value) == NEEDS_JAVA
    assert "Java 17 or later" in NEEDS_JAVA and "default-jre-headless" in NEEDS_JAVA and "\n" not in NEEDS_JAVA


def test_a_java_home_without_java_is_the_java_message(monkeypatch, fresh_session, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(EngineError, match="needs Java 17 or later"):
        spark_engine.spark_session()


def test_a_jvm_that_does_not_start_is_the_java_message(monkeypatch, fresh_session):
    from pyspark.sql import SparkSession

    def fail(self):
        raise RuntimeError("[JAVA_GATEWAY_EXITED] Java gateway process exited before sending its port number.")

    monkeypatch.setattr(SparkSession.Builder, "getOrCreate", fail)
    with pytest.raises(EngineError, match="needs Java 17 or later") as raised:
        spark_engine.spark_session()
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_folder_that_is_not_an_export_is_refused_before_spark_starts(tmp_path):
    with pytest.raises(StoreError, match="not a backlog-health Parquet export"):
        run_sql("select 1", {}, tmp_path)


# ---------------------------------------------------------------------------- against DuckDB


@pytest.fixture(scope="module")
def export(demo_export: Path) -> Path:
    return demo_export


def on_duckdb(folder: Path, sql: str, parameters: dict, extra: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The same SQL on DuckDB over the same export, with the parameters it uses bound."""
    used = {node.name for node in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Placeholder)}
    with api.open_store(folder) as con:
        for name, frame in (extra or {}).items():
            con.connection.register(name, frame)
        return con.execute(sql, {name: parameters[name] for name in used}).df()


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists as tuples, missing values as None, whole floats as ints: values, not dtypes."""

    def cell(value):
        if isinstance(value, np.ndarray | list):
            return tuple(cell(v) for v in value)
        if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            return None
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, float | np.floating):
            return int(value) if float(value).is_integer() else round(float(value), 9)
        return value

    return pd.DataFrame(
        {name: pd.Series([cell(v) for v in frame[name].tolist()], dtype=object) for name in frame.columns}
    )


def assert_same(folder: Path, sql: str, parameters: dict | None = None, extra=None) -> pd.DataFrame:
    parameters = parameters or {}
    duck = on_duckdb(folder, sql, parameters, extra)
    spark = run_sql(sql, parameters, folder, extra=extra or {})
    assert list(spark.columns) == list(duck.columns)
    assert len(duck) > 0
    pd.testing.assert_frame_equal(comparable(spark), comparable(duck))
    return spark


# Each query a CTE chain ending in `final`, ordered so that both engines list rows alike.
SAME = {
    "counts per backlog": """
        with per_snapshot as (
            select s.backlog, s.id, count(*) as items
            from snapshots s join items i on i.snapshot_id = s.id
            group by s.backlog, s.id
        ),
        final as (
            select backlog, count(*) as snapshots, sum(items) as items, max(items) as largest
            from per_snapshot group by backlog
        )
        select * from final order by backlog""",
    "items x snapshots of one backlog": """
        with joined as (
            select s.backlog, s.taken_at, i.snapshot_id, i.key, i.created, i.updated, i.resolved
            from items i join snapshots s on s.id = i.snapshot_id
            where s.backlog = $backlog
        ),
        final as (select * from joined)
        select * from final order by snapshot_id, key""",
    "row_number over the ranking": """
        with ranked as (
            select snapshot_id, key, rank_position,
                   row_number() over (partition by snapshot_id order by rank_position) as position
            from items where rank_position is not null
        ),
        final as (select * from ranked where position <= $top)
        select * from final order by snapshot_id, position""",
    "lists: contains, length, first and last": """
        with final as (
            select snapshot_id, key, list_contains(labels, $label) as labelled,
                   array_length(sprints) as sprint_count, sprints[1] as first_sprint,
                   sprints[array_length(sprints)] as last_sprint, labels
            from items
        )
        select * from final order by snapshot_id, key""",
    "aggregates: median, count_if, coalesce": """
        with final as (
            select snapshot_id, median(story_points) as median_points,
                   count_if(story_points is null) as unestimated,
                   count(*) filter (where is_backlog) as backlog_items,
                   round(avg(story_points), 6) as mean_points,
                   min(coalesce(assignee, reporter, 'nobody')) as someone,
                   string_agg(key, ',' order by key) as keys
            from items group by snapshot_id
        )
        select * from final order by snapshot_id""",
    "ages in days": """
        with ages as (
            select i.snapshot_id, i.key,
                   date_diff('day', cast(i.created as date), cast(s.taken_at as date)) as calendar_days,
                   floor((epoch(s.taken_at) - epoch(i.created)) / 86400) as whole_days,
                   s.taken_at - i.created as age,
                   i.created < $now - interval 30 day as older_than_a_month
            from items i join snapshots s on s.id = i.snapshot_id
        ),
        final as (select * from ages)
        select * from final order by snapshot_id, key""",
    "map access": """
        with final as (
            select snapshot_id, key, custom_fields['Acceptance Criteria'] as acceptance,
                   custom_fields['Acceptance Criteria'] is not null as has_acceptance
            from items
        )
        select * from final order by snapshot_id, key""",
    "qualify, group by all, list parameter": """
        with statuses as (
            select snapshot_id, status, count(*) as n from items
            where list_contains($statuses, status) group by all
        ),
        final as (
            select snapshot_id, status, n from statuses
            qualify row_number() over (partition by snapshot_id order by n desc, status) = 1
        )
        select * from final order by snapshot_id""",
    "sprints and dates": """
        with final as (
            select snapshot_id, name, state, start_date, end_date, cast(end_date as date) as end_day,
                   date_trunc('week', start_date) as week
            from sprints
        )
        select * from final order by snapshot_id, name""",
}
PARAMETERS = {
    "backlog": "MOBILE",
    "top": 25,
    "label": "checkout",
    "now": datetime(2026, 12, 1, 9, 30),
    "statuses": ["To Do", "In Progress", "Done"],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SAME))
def test_spark_answers_as_duckdb(export, name):
    assert_same(export, SAME[name], PARAMETERS)


@pytest.mark.slow
def test_timestamps_come_back_as_duckdb_gives_them(export):
    spark = assert_same(export, "with final as (select id, taken_at, ingested_at from snapshots) "
                                "select * from final order by id")
    assert str(spark["taken_at"].dtype) == "datetime64[us]"


@pytest.mark.slow
def test_each_relation_has_the_duckdb_views_columns(export):
    with api.open_store(export) as con:
        for table in store.parquet.PARTITIONS:
            duck = con.execute(f"select * from {table} limit 0").df()
            spark = run_sql(f"select * from {table} limit 0", {}, export)
            assert list(spark.columns) == list(duck.columns), table


@pytest.mark.slow
def test_a_relation_without_files_still_has_its_columns(export, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(export, folder)
    shutil.rmtree(folder / "duplicate_decisions")
    shutil.rmtree(folder / "links")
    (folder / "links").mkdir()
    frame = run_sql(
        "with final as (select d.backlog, count(*) as n, max(d.decided_at) as last from duplicate_decisions d "
        "left join links l on l.from_key = d.key_a group by d.backlog) select * from final",
        {},
        folder,
    )
    assert frame.empty and list(frame.columns) == ["backlog", "n", "last"]


@pytest.mark.slow
def test_extra_rows_join_as_a_relation(export):
    weights = pd.DataFrame({"status": ["To Do", "In Progress", "Done"], "weight": [1.0, 2.0, 3.0]})
    sql = """
        with final as (
            select i.snapshot_id, sum(w.weight) as weight
            from items i join weights w on w.status = i.status group by i.snapshot_id
        )
        select * from final order by snapshot_id"""
    assert_same(export, sql, {}, extra={"weights": weights})


@pytest.mark.slow
def test_a_string_parameter_with_quotes_and_backslashes_arrives_whole(export):
    value = "it's a\\b'; --"
    frame = run_sql("select $text as v from snapshots limit 1", {"text": value}, export)
    assert frame["v"].tolist() == [value]


@pytest.mark.slow
def test_unicode_and_sql_looking_backlog_names_are_repaired(tmp_path):
    names = ["a/b", "x=y", "ü", "'; drop", "2026", "50% done", "Équipe 🚀"]
    db, folder = tmp_path / "names.duckdb", tmp_path / "export"
    con = store.connect(db)
    try:
        for n, name in enumerate(names):
            rows = [{"key": f"K-{n}-1", "summary": f"first of {name}"}, {"key": f"K-{n}-2", "summary": "second"}]
            store.write_snapshot(con, snapshot(rows, backlog=name, taken_at=datetime(2026, 3, 2 + n, 9, 0)))
        store.record_duplicate_decision(con, "ü", "K-2-1", "K-2-2", "dismissed")
        api.export_parquet(con, folder)
    finally:
        con.close()
    sql = """
        with final as (
            select s.backlog, count(*) as items, count(d.key_a) as decided
            from snapshots s join items i on i.snapshot_id = s.id
            left join duplicate_decisions d on d.backlog = s.backlog and d.key_a = i.key
            where s.backlog <> $skip
            group by s.backlog
        )
        select * from final order by backlog"""
    spark = assert_same(folder, sql, {"skip": "nothing"})
    assert sorted(spark["backlog"]) == sorted(names)
    assert spark.set_index("backlog").loc["ü", "decided"] == 1


@pytest.mark.slow
def test_a_query_spark_cannot_run_is_one_line(export):
    with pytest.raises(EngineError, match="Spark could not run the query") as raised:
        run_sql("select no_such_column from items", {}, export)
    assert "\n" not in str(raised.value)


# Constructs sqlglot 30 translates wrongly for Spark: kept as strict xfails so that a sqlglot
# release that fixes one turns the suite red and the list in the docs can shrink.
WRONG = {
    "len() of a list becomes LENGTH (strings only)": "select key, len(sprints) as v from items",
    "a negative index counts from the end in DuckDB only": "select key, sprints[-1] as v from items",
    "date_diff('day') of timestamps: boundaries vs whole 24 h": """
        select i.key, date_diff('day', i.created, s.taken_at) as v
        from items i join snapshots s on s.id = i.snapshot_id""",
    "date minus date: a number in DuckDB, an interval on Spark": """
        select i.key, cast(s.taken_at as date) - cast(i.created as date) as v
        from items i join snapshots s on s.id = i.snapshot_id""",
    "isodow": "select key, isodow(created) as v from items",
    "list_has_any becomes && (not Spark SQL)": "select key, list_has_any(labels, ['checkout', 'ux']) as v from items",
    "select * with qualify also returns the window column _w": """
        select * from (select snapshot_id, key from items)
        qualify row_number() over (partition by snapshot_id order by key) = 1""",
    "list(x order by y) becomes COLLECT_LIST, which drops the order": """
        select snapshot_id as key, list(key order by key desc) as v from items group by snapshot_id""",
    "IN a list parameter": "select key, status in $statuses as v from items",
    "quantile_cont": "select snapshot_id as key, quantile_cont(story_points, 0.5) as v from items group by all",
}


@pytest.mark.slow
@pytest.mark.xfail(strict=True, raises=(AssertionError, EngineError))
@pytest.mark.parametrize("name", list(WRONG))
def test_known_wrong_translations(export, name):
    assert_same(export, f"with final as ({WRONG[name]}) select * from final order by 1, 2", PARAMETERS)
