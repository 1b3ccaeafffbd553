"""Run the product's DuckDB SQL on Spark (local mode) over a Parquet export.

A query written once in DuckDB's dialect (a CTE chain ending in `final`, named `$name`
parameters) is parsed with sqlglot, its parameters are inlined as typed literals through
the expression tree (one self-contained text, lists included; never string replacement), and
it is written out in Spark's dialect. The export's folders become temp views with exactly the columns, order and types
of the DuckDB views over the same folder (`backlog_health.store.parquet`), so one SQL text
answers the same on both engines. pyspark is imported only inside functions: it is an
optional extra (`pip install 'backlog-health[spark]'`) that also needs Java 17 or later.
"""

from __future__ import annotations

import logging
import math
import os
from importlib import resources
import shutil
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp

from backlog_health.errors import EngineError, StoreError
from backlog_health.store.parquet import PARTITIONS, read_manifest, store_columns
from backlog_health.store.schema import latest_version

if TYPE_CHECKING:
    import pandas
    from pyspark.sql import DataFrame, SparkSession

NEEDS_PYSPARK = "--engine spark needs pyspark: pip install 'backlog-health[spark]'"
NEEDS_JAVA = "--engine spark needs Java 17 or later: apt-get install default-jre-headless (or set JAVA_HOME)"
# One small local session: two cores, UTC, partition values kept as strings (a backlog
# named 2026 stays a name), Parquet timestamps without a zone read as TIMESTAMP_NTZ and
# TIMESTAMP meaning the same, so times come back as the wall-clock values DuckDB gives.
SPARK_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    # DuckDB answers NULL where ANSI Spark fails the query: an index past a list's end,
    # a division by zero; and the size of a NULL list is NULL, not -1.
    "spark.sql.ansi.enabled": "false",
    "spark.sql.legacy.sizeOfNull": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}
_EMPTY: Mapping[str, pandas.DataFrame] = MappingProxyType({})


def to_spark_sql(sql: str, parameters: Mapping[str, object]) -> str:
    """`sql` (DuckDB dialect) with each `$name` replaced by a literal of its value, in
    Spark's dialect; ValueError naming a parameter the query uses but `parameters` lacks."""
    return _inlined(sql, parameters).sql(dialect="spark")


def _inlined(sql: str, parameters: Mapping[str, object]) -> exp.Expression:
    """The parsed query with its parameters replaced by literals."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as error:
        raise EngineError(f"cannot read the query as DuckDB SQL: {_first_line(error)}") from None

    def inline(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Placeholder | exp.Parameter):
            return node
        name = str(node.this or "")  # `?` has no name (its .name reads "?")
        if not name:
            raise ValueError("the query has a positional ? parameter; name it ($name) to run it on Spark")
        if name not in parameters:
            raise ValueError(f"the query uses ${name} but no value was given for it")
        return _literal(name, parameters[name])

    return tree.transform(inline)


def _literal(name: str, value: object) -> exp.Expression:
    """A Spark literal for one parameter value."""
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"${name} is {value}; only finite numbers can be inlined")
        return exp.Literal.number(repr(value))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError(f"${name} has a time zone; pass naive wall-clock (or UTC) times as the store keeps them")
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.build("TIMESTAMP_NTZ", dialect="spark"))
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        # An explicit element type: an empty ARRAY() would be an array of nulls on Spark.
        array = exp.Array(expressions=[exp.Literal.string(v) for v in value])
        return exp.cast(array, exp.DataType.build("ARRAY<STRING>", dialect="spark"))
    raise ValueError(f"${name}: cannot inline a {type(value).__name__}; use str, int, float, bool, None or a list of str")


def run_sql(
    sql: str,
    parameters: Mapping[str, object],
    export_dir: Path,
    *,
    extra: Mapping[str, pandas.DataFrame] = _EMPTY,
) -> pandas.DataFrame:
    """Run DuckDB-dialect `sql` with `parameters` on Spark over the export at `export_dir`
    (plus each `extra` frame as a view of its name); the result as a pandas frame."""
    folder = Path(export_dir).resolve()
    manifest = read_manifest(folder)
    if manifest["schema_version"] != latest_version():
        raise StoreError(
            f"{folder}: the export has schema version {manifest['schema_version']}, this release reads "
            f"{latest_version()}; export the store again with this release"
        )
    tree = _inlined(sql, parameters)
    spark_sql = tree.sql(dialect="spark")
    # Only the relations the query names: each costs a listing of its folder.
    named = {table.name for table in tree.find_all(exp.Table)}
    # A session of its own (one JVM and SparkContext for all): views never leak between calls.
    spark = spark_session().newSession()
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        with _quiet():
            for table in PARTITIONS:
                if table in named and table not in extra:
                    _relation(spark, folder, table).createOrReplaceTempView(table)
            for name, rows in extra.items():
                spark.createDataFrame(rows).createOrReplaceTempView(name)
            result = spark.sql(spark_sql)
            answer = result.toPandas()
    except (PySparkException, Py4JError) as error:
        raise EngineError(f"Spark could not run the query: {_first_line(error)}") from None
    return _as_duckdb_gives(answer, result)


def _as_duckdb_gives(frame: pandas.DataFrame, result: DataFrame) -> pandas.DataFrame:
    """DATE columns as DuckDB's `.df()` gives them (datetime64[us]), not Python dates."""
    from pyspark.sql.types import DateType

    for position, field in enumerate(result.schema.fields):
        if isinstance(field.dataType, DateType):
            column = frame.iloc[:, position]
            frame.isetitem(position, column.astype("datetime64[us]"))
    return frame


def _submitted_with_master() -> bool:
    """Whether this process is a driver spark-submit started with a master of its own."""
    from pyspark import SparkConf

    return "PYSPARK_GATEWAY_PORT" in os.environ and SparkConf().contains("spark.master")


@cache
def spark_session() -> SparkSession:
    """The one local Spark session of this process (started on first use, ~seconds)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(NEEDS_PYSPARK) from None
    if not _java_found():
        raise EngineError(NEEDS_JAVA)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # local mode: no lookup of this host's address
    log_config = resources.files(__package__).joinpath("spark_log4j2.properties")
    builder = SparkSession.builder.appName("backlog-health")
    if not _submitted_with_master():  # spark-submit's --master wins; otherwise local mode
        builder = builder.master("local[2]")
    builder = builder.config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log_config}")
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    try:
        with _quiet():
            spark = builder.getOrCreate()
    except Exception:  # the JVM did not start: py4j's and pyspark's launch errors vary by release
        raise EngineError(NEEDS_JAVA) from None
    spark.sparkContext.setLogLevel("ERROR")
    from pyspark.logger import PySparkLogger

    # A failed query is raised as one EngineError line; pyspark would also log it, with a trace.
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)
    return spark


def _java_found() -> bool:
    """Whether Spark's launcher will find a `java`: $JAVA_HOME/bin/java when JAVA_HOME is
    set (the launcher then looks nowhere else), else one on the PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        return os.access(Path(home) / "bin" / "java", os.X_OK)
    return shutil.which("java") is not None


def spark_type(duckdb_type: str) -> str:
    """The Spark SQL type of a DuckDB column type (TIMESTAMP is TIMESTAMP_NTZ)."""
    return exp.DataType.build(duckdb_type, dialect="duckdb").sql(dialect="spark")


def _relation(spark: SparkSession, folder: Path, table: str) -> DataFrame:
    """One exported relation with the DuckDB view's columns, order and types; an empty or
    missing folder gives an empty relation of the same shape.

    The partition columns Spark adds are not kept (`snapshot_date`, and `backlog` where the
    store has none, as in `items`): SQL written against DuckDB's views never names them, and
    an extra `backlog` would make an unqualified `backlog` in a join ambiguous on Spark only.
    """
    columns = store_columns()[table]
    path = folder / table
    if not path.is_dir() or not any(p.is_file() for p in path.rglob("*.parquet")):
        return spark.createDataFrame([], ", ".join(f"`{c}` {spark_type(t)}" for c, t in columns))
    frame = spark.read.option("basePath", str(path)).parquet(str(path))
    select = []
    for column, kind in columns:
        source = f"`{column}`"
        if column == "backlog":
            # Spark decodes each %XX of a partition value as one character: re-read as UTF-8.
            source = "decode(encode(`backlog`, 'ISO-8859-1'), 'UTF-8')"
        select.append(f"cast({source} as {spark_type(kind)}) as `{column}`")
    return frame.selectExpr(*select)


@contextmanager
def _quiet() -> Iterator[None]:
    """pyspark 4.x warns on each pandas conversion that pandas 3 is not yet "fully supported"."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
        yield


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
