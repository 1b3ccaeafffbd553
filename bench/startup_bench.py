"""Start-up of whole CLI processes against a bare DuckDB read of the same store.

Usage: python -m bench.startup_bench DB [--runs 10]

Prints the median wall time of `snapshots --json` and `metrics --json` (the demo's first
backlog) as whole processes, each against a bare Python that imports duckdb and reads the
store's snapshots table; targets: 2x and 3x (issue 11).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def median_seconds(command: list[str], runs: int) -> float:
    """Median wall time of `runs` whole-process runs (one warm-up first, for the page cache)."""
    subprocess.run(command, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    db = str(args.db)
    bare = [sys.executable, "-c",
            f"import duckdb; duckdb.connect({db!r}, read_only=True).sql('select * from snapshots').fetchall()"]
    cli = [sys.executable, "-m", "backlog_health.cli"]
    backlog = subprocess.run(cli + ["snapshots", "--json", "--db", db], check=True, capture_output=True,
                             text=True).stdout.split('"backlog": "')[1].split('"')[0]
    base = median_seconds(bare, args.runs)
    print(f"machine: {os.uname().machine}, {os.cpu_count()} cores; median of {args.runs} runs")
    print(f"bare duckdb read: {base:.2f}s")
    for name, extra, target in (("snapshots --json", ["snapshots", "--json"], 2),
                                ("metrics --json", ["metrics", "--json", "--backlog", backlog], 3)):
        took = median_seconds(cli + extra + ["--db", db], args.runs)
        print(f"{name}: {took:.2f}s = {took / base:.1f}x the bare read (target {target}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
