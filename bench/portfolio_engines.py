"""The portfolio on DuckDB and on Spark (local mode) over one Parquet export:
`python -m bench.portfolio_engines --store STORE [--export DIR]`.

Exports STORE to DIR (a temporary folder unless given), then times `api.portfolio` (every
backlog's latest snapshot, and every snapshot) on DuckDB over the export and on the store file,
and on Spark over the export: the session's start, the first run and the median of `--runs` warm
runs. Checks that both engines give identical entries. `--json FILE` also writes the report.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backlog_health import api
from bench.org_scale import machine, peak_rss_mb


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def warm_median(function: Callable[[], Any], runs: int) -> float:
    return statistics.median(timed(function)[0] for _ in range(runs))


def portfolio(path: Path, engine: str, every_snapshot: bool = False) -> list[dict]:
    with api.open_store(path, read_only=True) as con:
        return api.portfolio(con, engine=engine, every_snapshot=every_snapshot)


def run(store: Path, export: Path, runs: int, latest_only: bool = False) -> dict[str, Any]:
    with api.open_store(store, read_only=True) as con:
        export_seconds, summary = timed(lambda: api.export_parquet(con, export))
    report: dict[str, Any] = {"machine": machine(), "export_seconds": round(export_seconds, 2),
                              "exported_rows": summary.rows, "files": summary.files,
                              "export_mib": round(summary.bytes / 2**20)}
    for every in (False,) if latest_only else (False, True):
        label = "every_snapshot" if every else "latest"
        first, on_duckdb = timed(lambda: portfolio(export, "duckdb", every))
        report[f"duckdb_export_{label}"] = {"first": round(first, 3), "warm": round(
            warm_median(lambda: portfolio(export, "duckdb", every), runs), 3)}
        report[f"duckdb_store_{label}"] = {"warm": round(warm_median(lambda: portfolio(store, "duckdb", every), runs), 3)}
        if not every:
            from backlog_health.spark_engine import spark_session

            report["spark_session_start"] = round(timed(spark_session)[0], 2)
        first, on_spark = timed(lambda: portfolio(export, "spark", every))
        report[f"spark_{label}"] = {"first": round(first, 2), "warm": round(
            warm_median(lambda: portfolio(export, "spark", every), runs), 2)}
        report[f"identical_{label}"] = on_spark == on_duckdb
        report[f"entries_{label}"] = len(on_duckdb)
    report["peak_rss_mb_python"] = round(peak_rss_mb())
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--export", type=Path, help="where to export (default: a temporary folder)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--latest-only", action="store_true", help="only each backlog's latest snapshot")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        export = args.export or Path(scratch) / "export"
        report = run(args.store, export, args.runs, args.latest_only)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
