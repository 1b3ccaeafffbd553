"""The bounded duplicate scan at scale: time, peak memory and stored pairs, from scratch and
incrementally, for realistic and look-alike texts.

Usage: python -m bench.duplicates_bounded [--items 25000 50000] [--kinds realistic lookalike] [--exact-too]

Each (kind, size) runs in its own process so that its peak RSS (getrusage) is its own. The scan
is what a snapshot write runs (`similarity.top_candidates` with `SCAN_MIN_SCORE`, k = 10, then
the global cap); "incremental" is the next day's scan with 1% of the texts edited. Above
`similarity.EXACT_CELLS` the scan scores the pairs an index proposes; `--exact-too` also scores
every pair and reports the share of its pairs (all, and those at >= 0.65) the scan kept.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

PER_ITEM = 10


def texts(kind: str, count: int) -> tuple[list[str], list[str], list[str | None]]:
    if kind == "lookalike":
        from bench.synthetic import lookalike_texts

        return lookalike_texts(count)
    from bench.duplicates_scale import synthetic_backlog

    backlog = synthetic_backlog(count)
    return backlog.keys, backlog.summaries, backlog.descriptions


def measure(kind: str, count: int, exact_too: bool = False) -> dict[str, float | int | str]:
    """One scan from scratch and one incremental, in this process."""
    from backlog_health.duplicate_scan import MAX_CANDIDATES, SCAN_MIN_SCORE
    from backlog_health.similarity import fit_text_model, top_candidates

    keys, summaries, descriptions = texts(kind, count)
    started = time.perf_counter()
    model = fit_text_model(summaries, descriptions)
    pairs = top_candidates(keys, summaries, descriptions, per_item=PER_ITEM, min_score=SCAN_MIN_SCORE, model=model)
    scratch = time.perf_counter() - started
    stored = min(len(pairs), MAX_CANDIDATES)
    per_item = np.bincount(np.unique(np.concatenate([pairs["key_a"], pairs["key_b"]]), return_inverse=True)[1])
    edited = np.random.default_rng(1).choice(count, size=count // 100, replace=False)
    new_summaries = list(summaries)
    for i in edited:
        new_summaries[i] = f"{new_summaries[i]} (edited)"
    changed = np.zeros(count, dtype=bool)
    changed[edited] = True
    started = time.perf_counter()
    model = fit_text_model(summaries, descriptions)  # the write path fits the base model again
    top_candidates(keys, new_summaries, descriptions, per_item=PER_ITEM, min_score=SCAN_MIN_SCORE,
                   model=model, changed=changed, previous=pairs)
    incremental = time.perf_counter() - started
    figures = {
        "kind": kind, "items": count, "scratch_s": round(scratch, 1), "incremental_s": round(incremental, 1),
        "stored_pairs": stored, "most_pairs_of_one_item": int(per_item.max()) if len(per_item) else 0,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if exact_too:
        from backlog_health import similarity

        similarity.EXACT_CELLS = count * count
        started = time.perf_counter()
        exact = top_candidates(keys, summaries, descriptions, per_item=PER_ITEM, min_score=SCAN_MIN_SCORE, model=model)
        kept = set(zip(pairs["key_a"], pairs["key_b"]))
        strong = exact[exact["score"] >= 0.65]
        figures |= {
            "exact_s": round(time.perf_counter() - started, 1), "exact_pairs": len(exact),
            "kept_share": round(len(kept & set(zip(exact["key_a"], exact["key_b"]))) / max(len(exact), 1), 4),
            "kept_share_at_0.65": round(len(kept & set(zip(strong["key_a"], strong["key_b"]))) / max(len(strong), 1), 4),
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[25_000, 50_000])
    parser.add_argument("--kinds", nargs="+", default=["realistic", "lookalike"])
    parser.add_argument("--exact-too", action="store_true", help="also score every pair and compare")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.kinds[0], args.items[0], args.exact_too)))
        return 0
    print(f"machine: {os.uname().machine}, {os.cpu_count()} cores; k = {PER_ITEM}")
    for kind in args.kinds:
        for count in args.items:
            out = subprocess.run([sys.executable, "-m", "bench.duplicates_bounded", "--one",
                                  "--kinds", kind, "--items", str(count), *(["--exact-too"] if args.exact_too else [])],
                                 capture_output=True, text=True, check=True)
            print(out.stdout.strip(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
