"""How fast is each dashboard page on a rerun with warm caches?

Runs the real entry file with `streamlit.testing.v1.AppTest` (the whole script, every
widget, every chart serialized to its protobuf message, as a browser rerun does; only the
websocket is missing) against two stores:

- the demo store (2 backlogs x 13 snapshots, ~300 rows each), and
- a synthetic store of `--items` rows per snapshot (default 50,000; `bench/synthetic.py`).

For every page: one cold run (caches empty for that page), then `--reruns` warm reruns;
the median and the slowest warm rerun are reported. Targets: demo < 1 s, 50k < 3 s.

    .venv/bin/python -m bench.dashboard_bench                  # builds both stores in a temp folder
    .venv/bin/python -m bench.dashboard_bench --big-db big.duckdb   # reuse (or build once) a big store

Building the 50k store takes a few minutes (the duplicate scan of each snapshot dominates).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENTRY = REPO / "dashboard" / "app.py"
PAGES = ["overview", "readiness", "estimates", "duplicates", "churn", "retro", "upload"]


def build_demo(path: Path) -> None:
    from backlog_health import store
    from backlog_health.api import load_demo

    con = store.connect(path)
    try:
        load_demo(con)
    finally:
        con.close()


def build_big(path: Path, items: int, snapshots: int) -> None:
    from backlog_health import store
    from bench.synthetic import synthetic_history

    con = store.connect(path)
    try:
        for number, snapshot in enumerate(synthetic_history(items, snapshots), start=1):
            started = time.perf_counter()
            store.write_snapshot(con, snapshot)
            print(f"  wrote snapshot {number}/{snapshots} in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        con.close()


def measure(path: Path, reruns: int, timeout: float) -> list[tuple[str, float, float, float]]:
    """(page, cold seconds, median warm seconds, slowest warm seconds) per page."""
    from streamlit.testing.v1 import AppTest

    os.environ["BACKLOG_HEALTH_DB"] = str(path)
    app = AppTest.from_file(str(ENTRY), default_timeout=timeout)
    results = []
    for page in PAGES:
        if page != "overview":
            app.switch_page(f"app_pages/{page}.py")
        started = time.perf_counter()
        app.run()
        cold = time.perf_counter() - started
        if app.exception:
            raise SystemExit(f"{page}: {app.exception[0].message}")
        warm = []
        for _ in range(reruns):
            started = time.perf_counter()
            app.run()
            warm.append(time.perf_counter() - started)
        results.append((page, cold, statistics.median(warm), max(warm)))
    return results


def report(title: str, results: list[tuple[str, float, float, float]], target: float) -> bool:
    print(f"\n{title} (target: warm rerun < {target:g} s)")
    print(f"{'page':<12}{'cold s':>9}{'warm median s':>16}{'warm max s':>13}")
    ok = True
    for page, cold, median, slowest in results:
        flag = "" if slowest < target else "  <- over target"
        ok &= slowest < target
        print(f"{page:<12}{cold:>9.2f}{median:>16.3f}{slowest:>13.3f}{flag}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=50_000, help="rows per snapshot of the big store")
    parser.add_argument("--snapshots", type=int, default=3, help="snapshots in the big store")
    parser.add_argument("--big-db", type=Path, help="big store to use (built there if missing)")
    parser.add_argument("--reruns", type=int, default=5, help="warm reruns per page")
    parser.add_argument("--skip-big", action="store_true", help="measure the demo store only")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        demo = Path(folder) / "demo.duckdb"
        print("building the demo store ...", flush=True)
        build_demo(demo)
        ok = report("demo store", measure(demo, args.reruns, timeout=120), target=1.0)
        if not args.skip_big:
            big = args.big_db or Path(folder) / "big.duckdb"
            if not big.exists():
                print(f"building a store of {args.snapshots} x {args.items:,} rows at {big} ...", flush=True)
                build_big(big, args.items, args.snapshots)
            ok &= report(f"{args.items:,}-row store", measure(big, args.reruns, timeout=900), target=3.0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
