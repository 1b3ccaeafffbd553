"""A SIGKILL during the ingest of a big Jira export leaves no partial snapshot, and the same
ingest then succeeds: `python -m bench.kill_ingest --rows 200000`.

The suite provokes this at 100,000 rows of a generic CSV (tests/test_faults.py); this script
does it at the size the engine issue names, with a realistic Jira export (bench/org_files),
through the real CLI in a child process: it seeds a store with the demo, starts `ingest
jira-csv`, kills it with SIGKILL once the store file or its write-ahead log starts to grow,
checks that every table holds exactly what it held before, ingests the same file again and
checks the new snapshot holds every row. Then it kills a second ingest (another backlog name)
during its duplicate scan, which starts once the snapshot is stored: the snapshot must be whole,
without a scan, and the same ingest again must add the scan and nothing else. Prints what it
saw; exit 1 if a check fails.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from bench.org_files import new_backlog, write_export

TABLES = ("snapshots", "item_rows", "item_versions", "links", "sprints", "duplicate_scans", "duplicate_candidates")


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "backlog_health.cli", *args]


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {table: con.execute(f"select count(*) from {table}").fetchone()[0] for table in TABLES}
    finally:
        con.close()


def kill_when_writing(db: Path, export: Path) -> float:
    """Start the ingest, SIGKILL it as soon as it writes; seconds from start to the kill."""
    wal, size = Path(f"{db}.wal"), db.stat().st_size
    started = time.monotonic()
    job = subprocess.Popen(cli("ingest", "jira-csv", str(export), "--db", str(db), "--quiet"),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while not (db.stat().st_size > size or (wal.exists() and wal.stat().st_size > 0)):
        if job.poll() is not None:
            raise SystemExit(f"the ingest ended before it could be killed: {job.communicate()}")
        time.sleep(0.002)
    return kill(job, started)


def kill(job: subprocess.Popen, started: float) -> float:
    """SIGKILL the ingest; seconds from `started` to the kill (exit if it had already ended)."""
    job.send_signal(signal.SIGKILL)
    job.communicate()
    if job.returncode != -signal.SIGKILL:
        raise SystemExit(f"the ingest was not killed (exit code {job.returncode})")
    return time.monotonic() - started


def kill_while_scanning(db: Path, export: Path, backlog: str) -> float:
    """Start the ingest, SIGKILL it 2 s into its duplicate scan; seconds from start to the kill."""
    started = time.monotonic()
    job = subprocess.Popen(cli("ingest", "jira-csv", str(export), "--db", str(db), "--backlog", backlog),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    told = ""
    while "looking for duplicates" not in told:
        line = job.stderr.readline()
        if not line:
            raise SystemExit(f"the ingest never said it was scanning: {job.communicate()}")
        told = " ".join(f"{told} {line}".split())
    time.sleep(2)
    return kill(job, started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db, export = Path(folder) / "store.duckdb", Path(folder) / "big.csv"
        write_export(new_backlog(0, args.rows, seed=7), export)
        subprocess.run(cli("demo", "--db", str(db)), check=True, stdout=subprocess.DEVNULL)
        before = counts(db)
        seconds = kill_when_writing(db, export)
        after = counts(db)
        print(f"killed {seconds:.1f} s after the start, while writing; tables before {before}, after {after}")
        if after != before:
            raise SystemExit("FAILED: the killed ingest left rows behind")
        start = time.monotonic()
        again = subprocess.run(cli("ingest", "jira-csv", str(export), "--db", str(db)), capture_output=True, text=True)
        print(f"the same ingest again: exit {again.returncode} in {time.monotonic() - start:.0f} s: {again.stdout.strip()}")
        rows = counts(db)["snapshots"] - before["snapshots"]
        con = duckdb.connect(str(db), read_only=True)
        stored = con.execute("select row_count from snapshots order by id desc limit 1").fetchone()[0]
        con.close()
        if again.returncode != 0 or rows != 1 or stored != args.rows:
            raise SystemExit(f"FAILED: expected one new snapshot of {args.rows} rows, got {rows} holding {stored}")
        print(f"OK: no partial snapshot after SIGKILL; the re-run stored {stored:,} rows")

        before = counts(db)
        seconds = kill_while_scanning(db, export, "SCANNED")
        after = counts(db)
        print(f"killed {seconds:.1f} s after the start, during the duplicate scan; tables {after}")
        if after["snapshots"] != before["snapshots"] + 1 or after["duplicate_scans"] != before["duplicate_scans"]:
            raise SystemExit("FAILED: expected the snapshot stored and no scan")
        start = time.monotonic()
        again = subprocess.run(cli("ingest", "jira-csv", str(export), "--db", str(db), "--backlog", "SCANNED"),
                               capture_output=True, text=True)
        finished = counts(db)
        print(f"the same ingest again: exit {again.returncode} in {time.monotonic() - start:.0f} s: {again.stdout.strip()}")
        if (again.returncode != 0 or finished["duplicate_scans"] != after["duplicate_scans"] + 1
                or {t: finished[t] for t in ("snapshots", "item_rows")} != {t: after[t] for t in ("snapshots", "item_rows")}):
            raise SystemExit(f"FAILED: expected the scan added and nothing else, got {finished}")
        print(f"OK: the snapshot outlived a SIGKILL during its scan; the re-run added its scan "
              f"({finished['duplicate_candidates'] - after['duplicate_candidates']:,} candidate pairs)")


if __name__ == "__main__":
    main()
