"""Parquet export and read-only folder stores: `python -m bench.parquet_bench [--quick]`.

Builds a store of 100 snapshots of ~5,000 rows through the real write path, then reports
the export's time and size, the time to open the folder as a store, and `metrics --history`
on the folder against the same on the DuckDB file (medians of repeated warm runs).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from backlog_health import store
from backlog_health.metrics.report import metrics_history
from backlog_health.store.export import export_parquet
from backlog_health.rules import Rules
from bench.metrics_bench import NOW, machine, timed
from bench.synthetic import synthetic_history


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script runs")
    args = parser.parse_args()
    rows, snapshots, repeat = (500, 10, 2) if args.quick else (5_000, 100, 5)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        db, folder = Path(tmp) / "history.duckdb", Path(tmp) / "export"
        con = store.connect(db)
        for snapshot in synthetic_history(rows, snapshots, seed=3):
            store.write_snapshot(con, snapshot)
        con.close()
        db_mb = size_mb(db)

        con = store.connect(db, read_only=True)
        export_seconds, summary = timed(lambda: export_parquet(con, folder), repeat)
        file_seconds, on_file = timed(lambda: metrics_history(con, "BIG", Rules(), NOW), repeat)
        con.close()

        open_seconds, _ = timed(lambda: store.connect(folder).close(), repeat)
        parquet = store.connect(folder)
        folder_seconds, on_folder = timed(lambda: metrics_history(parquet, "BIG", Rules(), NOW), repeat)
        parquet.close()
        assert [p.to_dict() for p in on_folder] == [p.to_dict() for p in on_file]

    print(f"store: {snapshots} snapshots of ~{rows:,} rows, {summary.rows['items']:,} item rows, "
          f"DuckDB file {db_mb:.1f} MB")
    print(f"  export: {export_seconds:.2f} s (median of {repeat}), {summary.files} files, "
          f"{summary.bytes / 1e6:.1f} MB")
    print(f"  open the folder as a store: {open_seconds * 1000:.0f} ms")
    print(f"  metrics --history: file {file_seconds:.2f} s, folder {folder_seconds:.2f} s "
          f"({folder_seconds / file_seconds:.2f}x); same results")


if __name__ == "__main__":
    main()
