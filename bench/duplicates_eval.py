"""Duplicate detection measured on the SeaMonkey labelled set: RR@k, precision and recall.

Usage: python bench/duplicates_eval.py [--data DIR]   (DIR defaults to tests/fixtures/duplicates)

Protocol. Labelled pairs are the (Issue id, Duplicate id) rows with every id of a cell counted
and both reports present among the 1,076; the file lists each pair in both directions, giving 46
unordered pairs. Directed (the headline): one query per pair, the report resolved DUPLICATE, or
when both or neither are, the one created later; its target is the other report. Symmetric:
both directions count, 92 queries. A query hits at k when its target is among its k most
similar reports, searched among all 1,076 except the query itself, ties going to the smaller
id. RR@k is the share of queries that hit. The baseline is scikit-learn's default TF-IDF
(no options) over summary + " " + description, ranked by cosine.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from backlog_health.duplicate_scan import SCAN_MIN_SCORE
from backlog_health.similarity import (
    TextModel,
    fit_text_model,
    top_candidates,
    DEFAULT_THRESHOLD,
    candidate_pairs,
    nearest_neighbors,
    recall_rate,
)

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "duplicates"
KS = (1, 5, 10)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, DEFAULT_THRESHOLD, 0.7, 0.8)


@dataclass(frozen=True)
class LabelledSet:
    """Reports and their labelled duplicate pairs, with the queries of both protocols."""

    keys: tuple[str, ...]
    summaries: tuple[str, ...]
    descriptions: tuple[str | None, ...]
    pairs: frozenset[tuple[str, str]]  # unordered, smaller id first
    directed: tuple[tuple[str, str], ...]  # (query, target): the duplicate, then what it duplicates
    symmetric: tuple[tuple[str, str], ...]  # both directions of every pair
    groups: Mapping[str, str]  # report -> representative of its labelled duplicate group


@dataclass(frozen=True)
class ThresholdResult:
    """Candidate pairs at one threshold, judged against the labelled pairs."""

    threshold: float
    candidates: int
    labelled_hits: int
    precision: float
    recall: float


def load_labelled_set(data_dir: Path) -> LabelledSet:
    """Read the two CSVs and derive the queries of both protocols."""
    bugs = pd.read_csv(data_dir / "seamonkey_bugs.csv", dtype={"Issue id": str})
    links = pd.read_csv(data_dir / "seamonkey_duplicate_pairs.csv", dtype=str)
    keys = tuple(bugs["Issue id"])
    present = set(keys)
    ordered = {
        (row_id.strip(), other.strip())
        for row_id, cell in zip(links["Issue id"], links["Duplicate id"])
        for other in str(cell).split(",")
        if row_id.strip() in present and other.strip() in present
    }
    pairs = frozenset(tuple(sorted(pair)) for pair in ordered)
    resolution = dict(zip(keys, bugs["Resolution"].fillna("")))
    created = dict(zip(keys, bugs["Created"].fillna("")))

    def direct(a: str, b: str) -> tuple[str, str]:
        a_dup, b_dup = resolution[a] == "DUPLICATE", resolution[b] == "DUPLICATE"
        if a_dup != b_dup:
            return (a, b) if a_dup else (b, a)
        return (a, b) if (created[a], a) > (created[b], b) else (b, a)

    return LabelledSet(
        keys=keys,
        summaries=tuple(bugs["Summary"].fillna("")),
        descriptions=tuple(d if isinstance(d, str) else None for d in bugs["Description"]),
        pairs=pairs,
        directed=tuple(sorted(direct(a, b) for a, b in pairs)),
        symmetric=tuple(sorted({*pairs, *((b, a) for a, b in pairs)})),
        groups=_groups(pairs),
    )


def baseline_neighbors(
    keys: Sequence[str], summaries: Sequence[str], descriptions: Sequence[str | None], k: int
) -> dict[str, list[tuple[str, float]]]:
    """Plain TF-IDF cosine over summary + description, ranked like `nearest_neighbors`.

    Dense n x n: for the small labelled set only.
    """
    order = sorted(range(len(keys)), key=lambda i: keys[i])
    texts = [f"{summaries[i]} {descriptions[i] or ''}" for i in order]
    vectors = TfidfVectorizer().fit_transform(texts)
    scores = np.round((vectors @ vectors.T).toarray(), 6)
    np.fill_diagonal(scores, -np.inf)
    sorted_keys = [keys[i] for i in order]
    columns = np.arange(len(order))
    result = {}
    for row, key in enumerate(sorted_keys):
        best = np.lexsort((columns, -scores[row]))[:k]
        result[key] = [(sorted_keys[c], float(scores[row, c])) for c in best]
    return result


def recall_rates(
    neighbors: Mapping[str, Sequence[tuple[str, float]]], queries: Iterable[tuple[str, str]]
) -> dict[int, float]:
    """RR@1, RR@5 and RR@10 of the same queries."""
    queries = list(queries)
    return {k: recall_rate(neighbors, queries, k) for k in KS}


def group_recall_rates(
    neighbors: Mapping[str, Sequence[tuple[str, float]]], data: LabelledSet
) -> dict[int, float]:
    """RR@k of the directed queries when any other report of the query's duplicate group counts as a hit."""
    rates = {}
    for k in KS:
        hits = [
            any(data.groups.get(key) == data.groups[query] for key, _ in neighbors[query][:k])
            for query, _ in data.directed
        ]
        rates[k] = sum(hits) / len(hits)
    return rates


def threshold_table(pairs: pd.DataFrame, labelled: frozenset[tuple[str, str]]) -> list[ThresholdResult]:
    """Precision and recall of the candidate pairs at each of `THRESHOLDS` (from one low-threshold run)."""
    is_labelled = np.array([(a, b) in labelled for a, b in zip(pairs["key_a"], pairs["key_b"])], dtype=bool)
    results = []
    for threshold in sorted(set(THRESHOLDS)):
        above = (pairs["score"] >= threshold).to_numpy()
        hits = int(is_labelled[above].sum())
        count = int(above.sum())
        results.append(
            ThresholdResult(threshold, count, hits, hits / count if count else 0.0, hits / len(labelled))
        )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the two SeaMonkey CSVs")
    args = parser.parse_args(argv)
    data = load_labelled_set(args.data)
    k = max(KS)

    started = time.perf_counter()
    ours = nearest_neighbors(data.keys, data.summaries, data.descriptions, k)
    ours_seconds = time.perf_counter() - started
    base = baseline_neighbors(data.keys, data.summaries, data.descriptions, k)
    started = time.perf_counter()
    pairs = candidate_pairs(data.keys, data.summaries, data.descriptions, min(THRESHOLDS))
    pairs_seconds = time.perf_counter() - started

    print(f"{len(data.keys)} reports, {len(data.pairs)} labelled duplicate pairs")
    print("Protocol: search among all reports but the query; ties go to the smaller id.")
    print(f"  directed:  {len(data.directed)} queries, DUPLICATE-resolved (else newer) report -> the other")
    print(f"  symmetric: {len(data.symmetric)} queries, both directions of every pair")
    print()
    print(f"{'':34}{'RR@1':>7}{'RR@5':>7}{'RR@10':>7}")
    for name, neighbors in (("ours", ours), ("baseline (plain TF-IDF)", base)):
        for protocol, queries in (("directed", data.directed), ("symmetric", data.symmetric)):
            rates = recall_rates(neighbors, queries)
            print(f"{name + ', ' + protocol:34}" + "".join(f"{rates[k]:7.3f}" for k in KS))
    blend = _top_k_neighbors(data, k, fit_text_model(data.summaries, data.descriptions, strip_templates=False))
    bounded = _top_k_neighbors(data, k, None, SCAN_MIN_SCORE)
    for name, neighbors in (("blend without template stripping", blend), (f"stored candidates (>= {SCAN_MIN_SCORE})", bounded)):
        rates = recall_rates(neighbors, data.directed)
        print(f"{name + ', directed':44}" + "".join(f"{rates[k]:7.3f}" for k in KS))
    rates = group_recall_rates(ours, data)
    print(f"{'ours, directed, any of its group':34}" + "".join(f"{rates[k]:7.3f}" for k in KS))
    only_ours = sum(_hit(ours, q, k) and not _hit(base, q, k) for q in data.directed)
    only_base = sum(_hit(base, q, k) and not _hit(ours, q, k) for q in data.directed)
    print(f"directed queries in the top {k} for ours only: {only_ours}, for the baseline only: {only_base}")
    print()
    print("candidate_pairs against the labelled pairs (labels are incomplete: precision is a floor)")
    print(f"{'threshold':>10}{'pairs':>8}{'labelled':>10}{'precision':>11}{'recall':>8}")
    for row in threshold_table(pairs, data.pairs):
        marker = "  <- DEFAULT_THRESHOLD" if row.threshold == DEFAULT_THRESHOLD else ""
        print(
            f"{row.threshold:>10.2f}{row.candidates:>8}{row.labelled_hits:>10}"
            f"{row.precision:>11.3f}{row.recall:>8.3f}{marker}"
        )
    print()
    print(f"time: nearest_neighbors(k={k}) {ours_seconds:.2f}s, candidate_pairs {pairs_seconds:.2f}s")
    return 0


def _top_k_neighbors(
    data: LabelledSet, k: int, model: TextModel | None, min_score: float = 0.0
) -> dict[str, list[tuple[str, float]]]:
    """Each report's own k best others as `top_candidates` finds them (what a scan stores)."""
    pairs = top_candidates(data.keys, data.summaries, data.descriptions, per_item=k, min_score=min_score, model=model)
    both = pd.concat([pairs.rename(columns={"key_a": "item", "key_b": "other"}),
                      pairs.rename(columns={"key_b": "item", "key_a": "other"})])
    both = both.sort_values(["item", "score", "other"], ascending=[True, False, True])
    result: dict[str, list[tuple[str, float]]] = {key: [] for key in data.keys}
    for item, other, score in both.groupby("item").head(k).itertuples(index=False, name=None):
        result[item].append((other, score))
    return result


def _hit(neighbors: Mapping[str, Sequence[tuple[str, float]]], query: tuple[str, str], k: int) -> bool:
    return query[1] in [key for key, _ in neighbors[query[0]][:k]]


def _groups(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Connected components of the labelled pairs, each report mapped to its smallest member."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for a, b in pairs:
        ra, rb = root(a), root(b)
        parent[max(ra, rb)] = min(ra, rb)
    return {key: root(key) for key in parent}


if __name__ == "__main__":
    sys.exit(main())
