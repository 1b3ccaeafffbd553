"""Metric latency at scale: `python -m bench.metrics_bench [--quick]`.

Builds two stores from synthetic data through the real write path (duplicate scan
included) and reports medians of repeated warm runs:
- one snapshot with 50,000 backlog items: all metrics of it (churn against a previous
  snapshot of the same size included), and a plain DuckDB scan of the same rows;
- 50 snapshots of 2,000 items: `metrics --history` over all of them (target 0.5 s, issue 11).
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import resource
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

from backlog_health import store
from backlog_health.metrics.report import metrics_history, stored_metrics
from backlog_health.rules import Rules
from bench.synthetic import synthetic_history, synthetic_snapshot

NOW = datetime(2027, 1, 1)


def timed(function, repeat: int) -> tuple[float, object]:
    """Median wall time of `repeat` runs (after one warm-up run) and the last result."""
    seconds, _, result = timed_with_cpu(function, repeat)
    return seconds, result


def timed_with_cpu(function, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU time (this process, every thread) of `repeat` runs after a warm-up
    run, and the last result: on a shared machine the CPU time varies less than the wall time."""
    result = function()
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu), result


def machine() -> str:
    cpus = len(__import__("os").sched_getaffinity(0))
    return f"{platform.machine()}, {cpus} cores, Python {platform.python_version()}, duckdb {duckdb.__version__}"


def big_snapshot(folder: Path, rows: int, repeat: int) -> None:
    path = folder / "big.duckdb"
    con = store.connect(path)
    previous = synthetic_snapshot(rows, seed=1, taken_at=datetime(2026, 6, 1))
    current = synthetic_snapshot(rows, seed=2, taken_at=datetime(2026, 6, 15))
    start = time.perf_counter()
    store.write_snapshot(con, previous)
    write_seconds = time.perf_counter() - start
    current_id = store.write_snapshot(con, current).snapshot_id
    backlog = current.backlog_item_count
    metrics_seconds, report = timed(lambda: stored_metrics(con, current_id, Rules(), NOW), repeat)
    scan_seconds, _ = timed(
        lambda: con.sql("select * from items where snapshot_id = $id", params={"id": current_id}).to_arrow_table(),
        repeat,
    )
    con.close()
    print(f"one snapshot: {rows:,} rows, {backlog:,} backlog items")
    print(f"  write (hash, duplicate scan, insert): {write_seconds:.1f} s")
    print(f"  all metrics incl. churn, warm: {metrics_seconds:.3f} s (median of {repeat})")
    print(f"  plain DuckDB scan of the same rows to Arrow: {scan_seconds:.3f} s"
          f" -> metrics / scan = {metrics_seconds / scan_seconds:.1f}x")
    print(f"  candidates at threshold {Rules().duplicate_threshold}: {len(report.candidate_duplicates)}")


def long_history(folder: Path, rows: int, snapshots: int, repeat: int, profile: bool = False) -> None:
    path = folder / "history.duckdb"
    con = store.connect(path)
    start = time.perf_counter()
    for snapshot in synthetic_history(rows, snapshots, seed=3):
        store.write_snapshot(con, snapshot)
    write_seconds = time.perf_counter() - start
    history_seconds, history_cpu, history = timed_with_cpu(lambda: metrics_history(con, "BIG", Rules(), NOW), repeat)
    scan_seconds, _ = timed(
        lambda: con.sql("select * from items").to_arrow_table(), repeat
    )
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(metrics_history, con, "BIG", Rules(), NOW)
    con.close()
    print(f"history: {snapshots} snapshots of ~{rows:,} rows (written in {write_seconds:.1f} s)")
    print(f"  metrics --history, warm: {history_seconds:.2f} s (median of {repeat}; CPU {history_cpu:.2f} s),"
          f" {len(history)} points")
    print(f"  plain DuckDB scan of all their rows to Arrow: {scan_seconds:.3f} s"
          f" -> history / scan = {history_seconds / scan_seconds:.1f}x")
    if profile:
        print("  where one history's time goes (cProfile, cumulative; DuckDB's own threads not counted):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"backlog_health", 25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script runs")
    parser.add_argument("--history-only", action="store_true", help="only the history (issue 11: 50 x 2,000)")
    parser.add_argument("--profile", action="store_true", help="profile one history run and print where its time goes")
    args = parser.parse_args()
    big_rows, history_rows, history_snapshots, repeat = (
        (2_000, 500, 10, 2) if args.quick else (59_000, 2_000, 50, 5)
    )
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        if not args.history_only:
            big_snapshot(Path(folder), big_rows, repeat)
        long_history(Path(folder), history_rows, history_snapshots, repeat, profile=args.profile)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
