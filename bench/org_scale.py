"""An organisation's history through the real ingest path: `python -m bench.org_scale`.

Generates `--backlogs` backlogs of `--items` rows as Jira CSV exports (bench/org_files.py),
`--snapshots` days of them, and ingests them a day at a time, every backlog each day, with
the functions `backlog-health ingest jira-csv` calls (`read_jira_csv`, `write_snapshot`) into
one store. DuckDB's own `read_csv` of the same files into a table is timed alongside, for the
ratio. Then: store size per million item rows, metric latency for one snapshot and for one
backlog's whole history (medians of `--runs`), peak memory. `--json FILE` also writes the report.
Each day's files are deleted once ingested, so the disk holds one day of exports at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
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


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(backlogs: int, items: int, snapshots: int, runs: int, folder: Path, progress: bool = True) -> dict:
    """Generate, ingest and measure; returns the report as a dict."""
    db_path, raw_path = folder / "org.duckdb", folder / "read_csv.duckdb"
    exports = folder / "exports"
    exports.mkdir()
    states = [new_backlog(index, items, seed=7) for index in range(backlogs)]
    con, raw = store.connect(db_path), duckdb.connect(str(raw_path))
    totals = {"rows": 0, "read": 0.0, "write": 0.0, "read_csv": 0.0, "bytes": 0}
    day_rates, day_ratios, write_per_snapshot = [], [], []
    started = time.perf_counter()
    for day in range(snapshots):
        when = START + timedelta(days=day)
        files = []
        for state in states:
            if day:
                advance(state, when)
            path = exports / f"{state.project}-{day:03d}.csv"
            write_export(state, path)
            files.append((state.project, path))
        day_rows, day_seconds = 0, 0.0
        for project, path in files:
            t0 = time.perf_counter()
            snapshot = read_jira_csv(path, backlog=project, taken_at=when).snapshot
            t1 = time.perf_counter()
            store.write_snapshot(con, snapshot)
            t2 = time.perf_counter()
            totals["read"] += t1 - t0
            totals["write"] += t2 - t1
            write_per_snapshot.append(t2 - t1)
            day_rows += snapshot.row_count
            day_seconds += t2 - t0
        names = [str(p) for _, p in files]
        t0 = time.perf_counter()
        statement = "create table raw as" if day == 0 else "insert into raw"
        raw.execute(f"{statement} select * from read_csv($files, header = true)", {"files": names})
        csv_seconds = time.perf_counter() - t0
        totals["read_csv"] += csv_seconds
        totals["rows"] += day_rows
        totals["bytes"] += sum(p.stat().st_size for p in (Path(n) for n in names))
        day_rates.append(day_rows / day_seconds)
        day_ratios.append((day_rows / day_seconds) / (day_rows / csv_seconds))
        for name in names:
            Path(name).unlink()
        if progress:
            print(
                f"  day {day + 1}/{snapshots}: {day_rows:,} rows in {day_seconds:.1f} s "
                f"({day_rows / day_seconds:,.0f} rows/s; read_csv {csv_seconds:.2f} s)",
                flush=True,
            )
    ingest_wall = time.perf_counter() - started
    con.execute("checkpoint")
    raw.close()

    sample = states[0]
    last_file = exports / "sample.csv"
    write_export(sample, last_file)
    snapshot = read_jira_csv(last_file, backlog=sample.project, taken_at=NOW).snapshot
    scan_seconds = median_seconds(lambda: scan_candidates(snapshot), runs)

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
        "ingest_seconds": ingest_wall,
        "read_seconds": totals["read"],
        "write_seconds": totals["write"],
        "write_seconds_per_snapshot_median": statistics.median(write_per_snapshot),
        "scan_seconds_per_snapshot_median": scan_seconds,
        "ingest_rows_per_second": totals["rows"] / (totals["read"] + totals["write"]),
        "ingest_rows_per_second_median_day": statistics.median(day_rates),
        "read_csv_rows_per_second": totals["rows"] / totals["read_csv"],
        "ingest_vs_read_csv_median_day": statistics.median(day_ratios),
        "store_bytes": size,
        "store_mb_per_million_rows": size / 2**20 / (item_rows / 1e6),
        "metrics_one_snapshot_seconds": one_seconds,
        "metrics_history_seconds": history_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def print_report(r: dict) -> None:
    print(f"machine: {r['machine']}")
    print(f"org: {r['backlogs']} backlogs x {r['items']:,} items x {r['snapshots']} snapshots"
          f" = {r['item_rows']:,} item rows ({r['csv_bytes'] / 2**30:.2f} GiB of CSV)")
    print(f"ingest: {r['ingest_rows_per_second']:,.0f} rows/s (median day {r['ingest_rows_per_second_median_day']:,.0f})"
          f", {r['ingest_seconds']:.0f} s wall; read {r['read_seconds']:.0f} s, write {r['write_seconds']:.0f} s")
    print(f"  per snapshot: write {r['write_seconds_per_snapshot_median']:.3f} s"
          f", duplicate scan alone {r['scan_seconds_per_snapshot_median']:.3f} s (medians)")
    print(f"DuckDB read_csv of the same files: {r['read_csv_rows_per_second']:,.0f} rows/s"
          f" -> ingest / read_csv = {r['ingest_vs_read_csv_median_day']:.3f} (median day)")
    print(f"store: {r['store_bytes'] / 2**20:,.0f} MiB, {r['store_mb_per_million_rows']:.0f} MiB per million item rows")
    print(f"metrics of one snapshot: {r['metrics_one_snapshot_seconds']:.3f} s;"
          f" one backlog's history ({r['snapshots']} snapshots): {r['metrics_history_seconds']:.3f} s"
          f" (medians of {r['runs']})")
    print(f"peak memory: {r['peak_rss_mb']:,.0f} MB")


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
