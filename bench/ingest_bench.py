"""Columnar reading benchmark: `ingest jira-csv` against DuckDB's `read_csv` of the same file.

Generates a Jira Cloud-like export with realistic texts (bench/org_files: wiki-markup
descriptions, Zipf vocabulary, links, labels, sprints), or with `--texts lookalike` the same
export whose summaries and descriptions all read alike (bench/synthetic: a 15-word vocabulary,
as bot-filed tickets), and times, each as a whole child process with its peak RSS:
(1) DuckDB `read_csv` of the file into a table, (2) the read phase alone (`read_jira_csv`),
(3) `store`: read, then the snapshot stored without its duplicate scan (what is durable before
the scan starts), (4) the whole `backlog-health ingest jira-csv`, with the store's size after it.
Each line also gives the child's CPU seconds and the load average at its end: on a shared
machine wall seconds are noisy, peak memory is not.

    python -m bench.ingest_bench --rows 25000 200000 [--texts lookalike]
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


_STORE_ONLY = (
    "import sys; from backlog_health import store; from backlog_health.ingest.jira_csv import read_jira_csv; "
    "r = read_jira_csv(sys.argv[1]); con = store.connect(sys.argv[2]); "
    "store.write_snapshot(con, r.snapshot, scan_duplicates=False); con.close()"
)


def export(rows: int, folder: Path, texts: str = "realistic") -> Path:
    """A Jira export of `rows` issues (cached in `folder` by size and kind of text)."""
    path = folder / (f"jira-{rows}.csv" if texts == "realistic" else f"jira-{rows}-{texts}.csv")
    if not path.exists():
        backlog = new_backlog(0, rows, seed=7)
        if texts == "lookalike":
            from bench.synthetic import lookalike_texts

            _, summaries, descriptions = lookalike_texts(rows)
            for row, summary, description in zip(backlog.rows, summaries, descriptions):
                row["Summary"], row["Description"] = summary, description
        write_export(backlog, path)
    return path


def timed(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of `command` run as a child
    process. On a shared machine CPU seconds move less than wall seconds."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    # Max RSS of the children waited for so far: run one child per measuring process.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def measure(kind: str, path: Path, store: Path) -> tuple[float, float, float]:
    """Run one measurement in a fresh Python so RUSAGE_CHILDREN holds that child alone."""
    code = (
        "import sys, json; from bench.ingest_bench import timed; "
        "print(json.dumps(timed(json.loads(sys.argv[1]))))"
    )
    commands = {
        "read_csv": [sys.executable, "-c", _READ_CSV, str(path), str(store)],
        "read": [sys.executable, "-c", _READ_ONLY, str(path)],
        "store": [sys.executable, "-c", _STORE_ONLY, str(path), str(store)],
        "ingest": [sys.executable, "-m", "backlog_health.cli", "ingest", "jira-csv", str(path), "--db",
                   str(store), "--quiet"],
    }
    out = subprocess.run([sys.executable, "-c", code, json.dumps(commands[kind])], check=True,
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent).stdout
    seconds, mb, cpu = json.loads(out)
    return seconds, mb, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[25_000, 200_000])
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "backlog-health-bench")
    parser.add_argument("--kinds", nargs="+", default=["read_csv", "read", "store", "ingest"])
    parser.add_argument("--texts", choices=["realistic", "lookalike"], default="realistic")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.uname().machine}, {os.cpu_count()} cores; {args.texts} texts", flush=True)
    for rows in args.rows:
        path = export(rows, args.folder, args.texts)
        size = path.stat().st_size / 1e6
        for kind in args.kinds:
            store = args.folder / f"store-{rows}-{kind}-{os.getpid()}.duckdb"
            seconds, mb, cpu = measure(kind, path, store)
            stored = f"  store {store.stat().st_size / 1e6:6.0f} MB" if kind == "ingest" and store.exists() else ""
            store.unlink(missing_ok=True)
            print(f"{rows:>8,} rows {size:6.1f} MB  {kind:<9} {seconds:7.2f} s  peak {mb:7.0f} MB  "
                  f"cpu {cpu:7.1f} s  load {os.getloadavg()[0]:4.1f}{stored}", flush=True)


if __name__ == "__main__":
    main()
