"""An organisation's history through the real CLI: `python -m bench.org_scale`.

Generates `--backlogs` backlogs of `--items` rows as Jira CSV exports (bench/org_files.py),
`--snapshots` days of each, and ingests each backlog's history with one `backlog-health ingest
jira-csv` process (every day's export of the backlog, oldest first: a backfill of archived
exports), into one store. DuckDB's own `read_csv` of the same files into a table is timed
alongside, for the ratio. Then: store size per million item rows, metric latency for one
snapshot and for one backlog's whole history (medians of `--runs`), peak memory of the
ingest processes. `--json FILE` also writes the report. Each backlog's files are deleted once
ingested, so the disk holds one backlog's exports at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from backlog_health import store
from backlog_health.duplicate_scan import scan_candidates
from backlog_health.metrics.report import metrics_history, stored_metrics
from backlog_health.rules import Rules
from bench.org_files import START, advance, new_backlog, write_export
from backlog_health.ingest.jira_csv import read_jira_csv

NOW = datetime(2027, 1, 1)
QUICK = {"backlogs": 3, "items": 200, "snapshots": 4, "runs": 2}
CLI = [sys.executable, "-m", "backlog_health.cli"]


def machine() -> str:
    cpus = len(os.sched_getaffinity(0))
    return f"{platform.machine()}, {cpus} cores, Python {platform.python_version()}, DuckDB {duckdb.__version__}"


def median_seconds(function, runs: int) -> float:
    """Median wall time of `runs` calls after one warm-up call."""
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(backlogs: int, items: int, snapshots: int, runs: int, folder: Path, progress: bool = True) -> dict:
    """Generate, ingest and measure; returns the report as a dict."""
    db_path, raw_path = folder / "org.duckdb", folder / "read_csv.duckdb"
    exports = folder / "exports"
    exports.mkdir()
    raw = duckdb.connect(str(raw_path))
    totals = {"rows": 0, "ingest": 0.0, "read_csv": 0.0, "bytes": 0}
    ratios, per_snapshot, sample = [], [], None
    started = time.perf_counter()
    for index in range(backlogs):
        state = new_backlog(index, items, seed=7)
        sample = sample or state
        files = []
        for day in range(snapshots):
            if day:
                advance(state, START + timedelta(days=day))
            files.append(exports / f"{state.project}-{day:03d}.csv")
            totals["rows"] += write_export(state, files[-1])
        names = [str(path) for path in files]
        t0 = time.perf_counter()
        subprocess.run([*CLI, "ingest", "jira-csv", "-q", "--db", str(db_path), *names], check=True,
                       stdout=subprocess.DEVNULL)
        ingest_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        statement = "create table raw as" if index == 0 else "insert into raw"
        raw.execute(f"{statement} select * from read_csv($files, header = true)", {"files": names})
        csv_seconds = time.perf_counter() - t0
        totals["ingest"] += ingest_seconds
        totals["read_csv"] += csv_seconds
        totals["bytes"] += sum(path.stat().st_size for path in files)
        ratios.append(ingest_seconds / csv_seconds)
        per_snapshot.append(ingest_seconds / snapshots)
        for path in files:
            path.unlink()
        if progress:
            print(
                f"  backlog {index + 1}/{backlogs}: {items * snapshots:,} rows in {ingest_seconds:.1f} s "
                f"({items * snapshots / ingest_seconds:,.0f} rows/s; read_csv {csv_seconds:.2f} s)",
                flush=True,
            )
    ingest_wall = time.perf_counter() - started
    raw.close()

    last_file = exports / "sample.csv"
    write_export(sample, last_file)
    snapshot = read_jira_csv(last_file, backlog=sample.project, taken_at=NOW).snapshot
    scan_seconds = median_seconds(lambda: scan_candidates(snapshot), runs)

    con = store.connect(db_path, read_only=True)
    latest = store.list_snapshots(con, sample.project)["id"].iloc[-1]
    one_seconds = median_seconds(lambda: stored_metrics(con, int(latest), Rules(), NOW), runs)
    history_seconds = median_seconds(lambda: metrics_history(con, sample.project, Rules(), NOW), runs)
    item_rows = store.first_row(con, "select count(*) from items")[0]
    con.close()
    size = db_path.stat().st_size
    return {
        "machine": machine(),
        "backlogs": backlogs,
        "items": items,
        "snapshots": snapshots,
        "runs": runs,
        "item_rows": int(item_rows),
        "csv_bytes": totals["bytes"],
        "wall_seconds": ingest_wall,
        "ingest_seconds": totals["ingest"],
        "ingest_seconds_per_snapshot_median": statistics.median(per_snapshot),
        "scan_seconds_per_snapshot_median": scan_seconds,
        "ingest_rows_per_second": totals["rows"] / totals["ingest"],
        "read_csv_rows_per_second": totals["rows"] / totals["read_csv"],
        "ingest_vs_read_csv_median_backlog": statistics.median(ratios),
        "store_bytes": size,
        "store_mb_per_million_rows": size / 2**20 / (item_rows / 1e6),
        "metrics_one_snapshot_seconds": one_seconds,
        "metrics_history_seconds": history_seconds,
        "ingest_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def print_report(r: dict) -> None:
    print(f"machine: {r['machine']}")
    print(f"org: {r['backlogs']} backlogs x {r['items']:,} items x {r['snapshots']} snapshots"
          f" = {r['item_rows']:,} item rows ({r['csv_bytes'] / 2**30:.2f} GiB of CSV)")
    print(f"ingest (one `ingest jira-csv` process per backlog): {r['ingest_rows_per_second']:,.0f} rows/s,"
          f" {r['ingest_seconds']:.0f} s in all ({r['wall_seconds']:.0f} s wall with generating the exports)")
    print(f"  per snapshot: {r['ingest_seconds_per_snapshot_median']:.3f} s (median backlog, start-up included)"
          f"; a first duplicate scan alone {r['scan_seconds_per_snapshot_median']:.3f} s")
    print(f"DuckDB read_csv of the same files: {r['read_csv_rows_per_second']:,.0f} rows/s"
          f" -> ingest = {r['ingest_vs_read_csv_median_backlog']:.0f}x read_csv (median backlog)")
    print(f"store: {r['store_bytes'] / 2**20:,.0f} MiB, {r['store_mb_per_million_rows']:.0f} MiB per million item rows")
    print(f"metrics of one snapshot: {r['metrics_one_snapshot_seconds']:.3f} s;"
          f" one backlog's history ({r['snapshots']} snapshots): {r['metrics_history_seconds']:.3f} s"
          f" (medians of {r['runs']})")
    print(f"peak memory of an ingest process: {r['ingest_peak_rss_mb']:,.0f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlogs", type=int, default=200)
    parser.add_argument("--items", type=int, default=2000, help="rows per export")
    parser.add_argument("--snapshots", type=int, default=50, help="days, one export per backlog each")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per latency figure (median)")
    parser.add_argument("--quick", action="store_true", help="a tiny organisation, to check the script runs")
    parser.add_argument("--json", type=Path, help="also write the report to this file")
    parser.add_argument("--folder", type=Path, help="work here instead of a temporary folder")
    parser.add_argument("--keep-store", type=Path, help="keep the organisation's store here (e.g. for bench.portfolio_engines)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else {k: getattr(args, k) for k in QUICK}
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        report = run(**sizes, folder=Path(folder), progress=not args.quick)
        if args.keep_store:
            shutil.move(Path(folder) / "org.duckdb", args.keep_store)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
