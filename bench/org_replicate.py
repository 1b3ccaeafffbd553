"""An organisation's store at a larger size, made from a smaller one by copying each backlog:
`python -m bench.org_replicate SOURCE TARGET --copies 10`.

Ingesting 20 M item rows through the real path takes hours on a small machine
(bench/org_scale.py); to measure what reads a store or its export at that size (the portfolio
on DuckDB and on Spark, bench/portfolio_engines.py), this copies every backlog of SOURCE
`--copies` times under new names (`PAAA` -> `PAAA-1`, ...), its snapshots with fresh ids, their
rows, links, sprints and duplicate scans with them. The copies' rows point at the same stored
item versions (a version holds an item's state, not its backlog), so the store stays small while
its `items` view, and any export of it, holds `copies` times the rows. Every copy's figures
equal its original's.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from backlog_health import store

# Each copied table and the columns that take the copy's snapshot-id offset.
COPIED = {
    "snapshots": "id",
    "item_rows": "snapshot_id",
    "links": "snapshot_id",
    "sprints": "snapshot_id",
    "duplicate_scans": "snapshot_id",
    "duplicate_candidates": "snapshot_id",
    "snapshot_warnings": "snapshot_id",
}


def replicate(con: store.Store, copies: int) -> None:
    """Add `copies` copies of every backlog, in one transaction."""
    offset = int(con.execute("select max(id) from snapshots").fetchone()[0])
    con.execute("begin transaction")
    for copy in range(1, copies + 1):
        shift = copy * offset
        for table, column in COPIED.items():
            renamed = ", backlog || $suffix as backlog" if table == "snapshots" else ""
            excluded = f"{column}, backlog" if table == "snapshots" else column
            con.execute(
                f"insert into {table} by name select * exclude ({excluded}), {column} + $shift as {column}"
                f"{renamed} from {table} where {column} <= $offset",
                {"shift": shift, "offset": offset, "suffix": f"-{copy}"}
                if table == "snapshots" else {"shift": shift, "offset": offset},
            )
        if copy % 5 == 0 or copy == copies:
            print(f"  {copy}/{copies} copies", flush=True)
    con.execute("commit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--copies", type=int, default=9, help="copies besides the original (9: ten times the rows)")
    args = parser.parse_args()
    shutil.copyfile(args.source, args.target)
    started = time.perf_counter()
    con = store.connect(args.target)
    try:
        replicate(con, args.copies)
        rows = con.execute("select count(*) from item_rows").fetchone()[0]
        backlogs = con.execute("select count(distinct backlog) from snapshots").fetchone()[0]
        con.execute("checkpoint")
    finally:
        con.close()
    print(f"{args.target}: {backlogs} backlogs, {rows:,} item rows "
          f"({args.target.stat().st_size / 2**20:,.0f} MiB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
