"""Columnar reading benchmark: `ingest jira-csv` against DuckDB's `read_csv` of the same file.

Generates a Jira Cloud-like export with realistic texts (bench/org_files: wiki-markup
descriptions, Zipf vocabulary, links, labels, sprints) and times, each as a whole child
process with its peak RSS: (1) DuckDB `read_csv` of the file into a table, (2) the read
phase alone (`read_jira_csv`), (3) the whole `backlog-health ingest jira-csv`.

    python -m bench.ingest_bench --rows 25000 200000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.org_files import new_backlog, write_export

_READ_CSV = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[2]); "
    "con.execute(\"create table t as select * from read_csv(?, all_varchar=true, header=true, "
    "max_line_size=10000000)\", [sys.argv[1]])"
)
_READ_ONLY = (
    "import sys; from backlog_health.ingest.jira_csv import read_jira_csv; "
    "r = read_jira_csv(sys.argv[1]); print(len(r.snapshot.items))"
)


def export(rows: int, folder: Path) -> Path:
    """A Jira export of `rows` issues (cached in `folder` by size)."""
    path = folder / f"jira-{rows}.csv"
    if not path.exists():
        write_export(new_backlog(0, rows, seed=7), path)
    return path


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of `command` run as a child process."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    # Max RSS of the children waited for so far: run one child per measuring process.
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def measure(kind: str, path: Path, store: Path) -> tuple[float, float]:
    """Run one measurement in a fresh Python so RUSAGE_CHILDREN holds that child alone."""
    code = (
        "import sys, json; from bench.ingest_bench import timed; "
        "print(json.dumps(timed(json.loads(sys.argv[1]))))"
    )
    commands = {
        "read_csv": [sys.executable, "-c", _READ_CSV, str(path), str(store)],
        "read": [sys.executable, "-c", _READ_ONLY, str(path)],
        "ingest": [sys.executable, "-m", "backlog_health.cli", "ingest", "jira-csv", str(path), "--db",
                   str(store), "--quiet"],
    }
    out = subprocess.run([sys.executable, "-c", code, json.dumps(commands[kind])], check=True,
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent).stdout
    seconds, mb = json.loads(out)
    return seconds, mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[25_000, 200_000])
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "backlog-health-bench")
    parser.add_argument("--kinds", nargs="+", default=["read_csv", "read", "ingest"])
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    for rows in args.rows:
        path = export(rows, args.folder)
        size = path.stat().st_size / 1e6
        for kind in args.kinds:
            store = args.folder / f"store-{rows}-{kind}-{os.getpid()}.duckdb"
            seconds, mb = measure(kind, path, store)
            store.unlink(missing_ok=True)
            print(f"{rows:>8,} rows {size:6.1f} MB  {kind:<9} {seconds:7.2f} s  peak {mb:7.0f} MB", flush=True)


if __name__ == "__main__":
    main()
