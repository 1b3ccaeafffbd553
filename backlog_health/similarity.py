"""Duplicate candidates: which backlog items read alike, scored in [0, 1].

The score of two items is a weighted sum of two TF-IDF cosines fitted on the items given: one
third from character 3-5-grams of the summaries (catches "archive"/"archiving", "can't"/
"cannot", typos, any language), two thirds from the words of summary and description together
(sublinear term frequency, English stop words dropped), so the summary weighs more than the
description. Description lines that recur across many items (issue templates, pasted headers)
are dropped first: they made unrelated items look alike. Identical items score 1. On the
SeaMonkey labelled set (`bench/duplicates_eval.py`) the duplicated report is in the top 10 for
87% of duplicates, against 80% for plain TF-IDF over summary and description.

All pairs are scored a slab of rows at a time, never as one n x n matrix: the 512 most common
features are multiplied as a small dense matrix (BLAS, all cores), the long tail of rarer ones
as sparse matrices. Both parts are exact. `candidate_pairs` over 50,000 items takes about half a
minute on two cores and under 0.5 GB (`bench/duplicates_scale.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

DEFAULT_THRESHOLD: float = 0.65
"""Pairs scoring at least this are shown as duplicate candidates: few, and mostly real.

On the SeaMonkey set (1,076 reports) 0.65 gave 14 pairs. Only 1 is among the 46 labelled pairs
(precision 0.07, recall 0.02), but the labels are far from complete: read one by one, 10 of the
14 are the same problem filed twice (verbatim re-filings, same site and symptom, same build
failure), 2 more plausibly so, and 2 are look-alikes (0.71-0.86 precision by reading). The
labelled duplicates are mostly paraphrases: half score below 0.30, nine in ten below 0.45, out
of reach of a threshold a person can review (0.4 gives 120 pairs, labelled precision 0.08,
recall 0.22). Paraphrases are found per item instead: `nearest_neighbors` puts the labelled
original in the top 5 for 74% of duplicates.
"""

SUMMARY_WEIGHT: float = 1 / 3
"""Share of the score from summary character n-grams; the rest comes from words of the whole text."""

TEMPLATE_SHARE: float = 0.01
TEMPLATE_MIN_ITEMS: int = 10
"""A description line in this many items (both conditions) is template text, not content."""

SCORE_DECIMALS = 6
"""Scores are rounded so that float noise never reorders ties (which are broken by key)."""

_HAS_DIGIT = re.compile(r"\S*\d\S*")
_DENSE_FEATURES = 512  # the most common features, multiplied densely: they make sparse products slow
_BLOCK_CELLS = 1 << 24  # scores held at once (64 MB of float32 per block)
_TOP_K_CELLS = 1 << 22  # scores held at once by a top-k scan (32 MB of float64 per block)
_WEIGHTING_ROWS = 1 << 13  # rows of the two TF-IDF blocks stacked at once

EXACT_CELLS: int = 20_000**2
"""Up to this many scores (rows x columns) a scan scores every pair; above, it scores the pairs
an index proposes (`similarity_index`): a first scan of more than 20,000 items."""

LARGE_SET_PER_ITEM: int = 10
"""Pairs each item keeps when `candidate_pairs` is asked about more than `EXACT_CELLS` pairs."""


Vectorizer = Callable[[Sequence[str | None], Sequence[str | None]], sp.csr_matrix]
"""(summaries, descriptions) -> one vector per item, as `item_vectors` returns them."""


@dataclass(frozen=True)
class TextModel:
    """What turns texts into vectors, fitted once on a backlog's texts and reusable on others:
    its template lines and the two fitted vocabularies with their IDF weights (None when the
    fitting texts had no usable token)."""

    template: frozenset[str]
    chars: TfidfVectorizer | None
    words: TfidfVectorizer | None


def fitted_text_model(
    summaries: Sequence[str | None], descriptions: Sequence[str | None]
) -> tuple[TextModel, sp.csr_matrix]:
    """`fit_text_model` of these texts and their `item_vectors`, each text read once."""
    return _fit(summaries, descriptions)


def fit_text_model(
    summaries: Sequence[str | None], descriptions: Sequence[str | None], *, strip_templates: bool = True
) -> TextModel:
    """The model of these texts: the same texts give the same model, so it can be fitted again.
    (`strip_templates=False` keeps template lines: `bench/duplicates_eval.py` measures what
    stripping them is worth.)"""
    return _fit(summaries, descriptions, strip_templates)[0]


def _fit(
    summaries: Sequence[str | None], descriptions: Sequence[str | None], strip_templates: bool = True
) -> tuple[TextModel, sp.csr_matrix]:
    """The model of these texts and their vectors, each text read once."""
    if len(summaries) != len(descriptions):
        raise ValueError(f"{len(summaries)} summaries but {len(descriptions)} descriptions")
    template = template_lines(descriptions) if strip_templates else frozenset()
    summary_texts = [_text(s) for s in summaries]
    full_texts = _full_texts(summary_texts, descriptions, template)
    chars, char_vectors = _fitted(summary_texts, analyzer="char_wb", ngram_range=(3, 5))
    words, word_vectors = _fitted(full_texts, stop_words="english")
    del summary_texts, full_texts  # not held while the vectors are stacked
    return TextModel(template, chars, words), _weighted(char_vectors, word_vectors)


def item_vectors(
    summaries: Sequence[str | None], descriptions: Sequence[str | None], model: TextModel | None = None
) -> sp.csr_matrix:
    """One row per item such that the dot product of two rows is their similarity score.

    Without a model, one is fitted on these texts; with one, an item's vector depends only on
    its own text and the model, so unchanged texts keep their vectors from one snapshot to the next.
    """
    if len(summaries) != len(descriptions):
        raise ValueError(f"{len(summaries)} summaries but {len(descriptions)} descriptions")
    if model is None:
        return _fit(summaries, descriptions)[1]
    summary_texts = [_text(s) for s in summaries]
    full_texts = _full_texts(summary_texts, descriptions, model.template)
    return _weighted(_transform(model.chars, summary_texts), _transform(model.words, full_texts))


def _weighted(chars: sp.csr_matrix, words: sp.csr_matrix) -> sp.csr_matrix:
    """The two L2-normalised blocks side by side, weighted by the square roots of their shares:
    the dot product is then the weighted sum of the two cosines, in [0, 1].

    Built a slab of rows at a time into the result's arrays: stacking all rows at once held
    three more copies of every entry (about 0.4 GB at 170,000 items).
    """
    n, nnz = chars.shape[0], chars.nnz + words.nnz
    index_type = np.int32 if max(nnz, chars.shape[1] + words.shape[1]) < np.iinfo(np.int32).max else np.int64
    data, indices = np.empty(nnz, dtype=np.float32), np.empty(nnz, dtype=index_type)
    indptr = np.zeros(n + 1, dtype=index_type)
    weights = np.float32(np.sqrt(SUMMARY_WEIGHT)), np.float32(np.sqrt(1 - SUMMARY_WEIGHT))
    done = 0
    for start in range(0, n, _WEIGHTING_ROWS):
        stop = min(n, start + _WEIGHTING_ROWS)
        slab = sp.hstack([chars[start:stop] * weights[0], words[start:stop] * weights[1]],
                         format="csr", dtype=np.float32)
        data[done:done + slab.nnz], indices[done:done + slab.nnz] = slab.data, slab.indices
        indptr[start + 1:stop + 1] = slab.indptr[1:] + done
        done += slab.nnz
    return sp.csr_matrix((data, indices, indptr), shape=(n, chars.shape[1] + words.shape[1]))


def template_lines(texts: Sequence[str | None]) -> frozenset[str]:
    """Signatures of the description lines that recur across many items (issue templates,
    pasted headers): found in at least `TEMPLATE_MIN_ITEMS` items and `TEMPLATE_SHARE` of all.

    Such a line tells which template was filled in, not what the item is about, and makes
    unrelated items look alike. Lines are compared ignoring case, spacing, quoting and anything
    with a digit in it.
    """
    counts = Counter(sig for text in texts for sig in {_line_signature(line) for line in _text(text).splitlines()} if sig)
    cutoff = max(TEMPLATE_MIN_ITEMS, TEMPLATE_SHARE * len(texts))
    return frozenset(sig for sig, count in counts.items() if count >= cutoff)


def without_template_lines(texts: Sequence[str | None], template: frozenset[str] | None = None) -> list[str]:
    """The texts without their template lines (`template_lines` of these texts unless given)."""
    template = template_lines(texts) if template is None else template
    return [
        "\n".join(line for line in _text(text).splitlines() if _line_signature(line) not in template)
        for text in texts
    ]


def _full_texts(summaries: list[str], descriptions: Sequence[str | None], template: frozenset[str]) -> list[str]:
    return [f"{s}\n{d}" for s, d in zip(summaries, without_template_lines(descriptions, template))]


def nearest_neighbors(
    keys: Sequence[str],
    summaries: Sequence[str | None],
    descriptions: Sequence[str | None],
    k: int,
) -> dict[str, list[tuple[str, float]]]:
    """For each key, its k most similar other keys with their scores, best first.

    Every key gets min(k, n - 1) neighbours, even at score 0; ties go to the smaller key.
    Above `EXACT_CELLS` pairs, neighbours come from the pairs an index proposes
    (`similarity_index`), so an item sharing no feature with any other may get fewer.
    """
    if k < 0:
        raise ValueError(f"k must be zero or more, got {k}")
    order, sorted_keys = _sorted_keys(keys, summaries, descriptions)
    n = len(sorted_keys)
    take = min(k, n - 1)
    result: dict[str, list[tuple[str, float]]] = {key: [] for key in sorted_keys}
    if take <= 0:
        return result
    vectors = item_vectors([summaries[i] for i in order], [descriptions[i] for i in order])
    if n * n > EXACT_CELLS:
        everything = np.arange(n)
        for r, c, v in zip(*(part.tolist() for part in _Scorer(vectors).top_k(everything, everything, take, 0.0))):
            result[sorted_keys[r]].append((sorted_keys[c], v))
        return result
    for start, raw in _score_blocks(vectors, upper_only=False):
        rows = np.arange(raw.shape[0])
        raw[rows, start + rows] = -np.inf  # an item is not its own neighbour
        row_idx, col_idx, values = _top_k(raw, take)
        for r, c, v in zip(row_idx.tolist(), col_idx.tolist(), values.tolist()):
            result[sorted_keys[start + r]].append((sorted_keys[c], v))
    return result


def candidate_pairs(
    keys: Sequence[str],
    summaries: Sequence[str | None],
    descriptions: Sequence[str | None],
    threshold: float = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Every unordered pair scoring at least `threshold`, as `key_a` < `key_b`, best first.

    Ties are ordered by `key_a`, then `key_b`; keys are compared as strings. A threshold near 0
    returns nearly all n(n-1)/2 pairs, unless there are more than `EXACT_CELLS` pairs to
    score: then, to stay bounded, each item keeps its `LARGE_SET_PER_ITEM` best pairs
    (`top_candidates`), which is what a stored scan keeps.
    """
    if len(keys) ** 2 > EXACT_CELLS:
        return top_candidates(keys, summaries, descriptions, per_item=LARGE_SET_PER_ITEM, min_score=threshold)
    order, sorted_keys = _sorted_keys(keys, summaries, descriptions)
    found_a: list[np.ndarray] = []
    found_b: list[np.ndarray] = []
    found_score: list[np.ndarray] = []
    if len(sorted_keys) >= 2:
        vectors = item_vectors([summaries[i] for i in order], [descriptions[i] for i in order])
        # Raw float32 sums may fall a hair short of a score that rounds to the threshold.
        margin = 10.0**-SCORE_DECIMALS
        for start, raw in _score_blocks(vectors, upper_only=True):
            # Columns start at the block's first row: only those right of the diagonal count.
            diagonal = np.arange(raw.shape[0])
            raw[diagonal, diagonal] = -np.inf
            # Most rows have no candidate at all: find those that do before the full scan.
            hot = np.flatnonzero(raw.max(axis=1) >= threshold - margin)
            hot_rows, cols = np.nonzero(raw[hot] >= threshold - margin)
            rows = hot[hot_rows]
            values = _rounded(raw[rows, cols])
            kept = (values >= threshold) & (cols > rows)
            found_a.append(rows[kept] + start)
            found_b.append(cols[kept] + start)
            found_score.append(values[kept])
    a = np.concatenate(found_a) if found_a else np.empty(0, dtype=np.intp)
    b = np.concatenate(found_b) if found_b else np.empty(0, dtype=np.intp)
    score = np.concatenate(found_score) if found_score else np.empty(0, dtype=np.float64)
    return _pairs_frame(sorted_keys, a, b, score)


def top_candidates(
    keys: Sequence[str],
    summaries: Sequence[str | None],
    descriptions: Sequence[str | None],
    *,
    per_item: int,
    min_score: float,
    model: TextModel | None = None,
    changed: Sequence[bool] | None = None,
    previous: pd.DataFrame | None = None,
    vectorize: Vectorizer | None = None,
) -> pd.DataFrame:
    """Each item's `per_item` most similar others scoring at least `min_score`, as unordered
    pairs (`key_a` < `key_b`, `score`) best first: at most `per_item` x n pairs, however alike
    the texts read.

    With `previous` (the pairs this function returned for an earlier set of items, with the
    same model and options) and `changed` (per item: new, or its text differs from that set),
    only what can have moved is scored: changed items against all, unchanged ones against the
    changed ones, merged with their previous neighbours. An unchanged item whose previous
    neighbours left or changed is scored against all again. The answer is the one a scan from
    scratch with the same model gives.

    `vectorize` (summaries, descriptions in key order -> their `item_vectors`) replaces
    `item_vectors(..., model)`, e.g. to reuse the vectors of texts seen before
    (`scan_memo`); it must return exactly what `item_vectors` would.
    """
    if per_item < 1:
        raise ValueError(f"per_item must be 1 or more, got {per_item}")
    order, sorted_keys = _sorted_keys(keys, summaries, descriptions)
    n = len(sorted_keys)
    if n < 2:
        return _pairs_frame(sorted_keys, *(np.empty(0, dtype=np.intp),) * 2, np.empty(0))
    sorted_texts = [summaries[i] for i in order], [descriptions[i] for i in order]
    vectors = item_vectors(*sorted_texts, model) if vectorize is None else vectorize(*sorted_texts)
    scorer = _Scorer(vectors)
    is_changed = np.ones(n, dtype=bool) if changed is None else np.asarray(changed, dtype=bool)[order]
    kept = _previous_neighbors(sorted_keys, previous, per_item)
    parts = []
    settled = np.zeros(n, dtype=bool)
    if previous is not None:
        # Unchanged items: their still-valid previous neighbours merged with the changed items.
        unchanged = np.flatnonzero(~is_changed)
        fresh = scorer.top_k(unchanged, np.flatnonzero(is_changed), per_item, min_score)
        usable = (kept.cols >= 0) & ~is_changed[np.maximum(kept.cols, 0)]
        merged = _best_per_row((*fresh, kept.rows[usable], kept.cols[usable], kept.scores[usable]), per_item)
        settled = _settled(merged, kept, sorted_keys, per_item) & ~is_changed
        take = settled[merged[0]]
        parts.append(tuple(column[take] for column in merged))
    parts.append(scorer.top_k(np.flatnonzero(~settled), np.arange(n), per_item, min_score))
    rows, cols, scores = (np.concatenate(column) for column in zip(*parts))
    a, b = np.minimum(rows, cols), np.maximum(rows, cols)
    pair_scores = pd.DataFrame({"a": a, "b": b, "score": scores}).groupby(["a", "b"], sort=False)["score"].max()
    return _pairs_frame(
        sorted_keys,
        pair_scores.index.get_level_values("a").to_numpy(),
        pair_scores.index.get_level_values("b").to_numpy(),
        pair_scores.to_numpy(),
    )


@dataclass(frozen=True)
class _Kept:
    """Each present item's list from a previous answer (directed, positions; -1 for a neighbour
    that left), with per item the list's length and its last entry's score and key."""

    rows: np.ndarray
    cols: np.ndarray
    scores: np.ndarray
    count: np.ndarray
    last_score: np.ndarray
    last_key: np.ndarray


def _previous_neighbors(sorted_keys: list[str], previous: pd.DataFrame | None, per_item: int) -> _Kept:
    """Each present item's own top `per_item` among the previous pairs that involve it.

    Its own neighbours are all in the union of pairs, and anything else there involving it ranks
    below them, so the best `per_item` of those pairs (by score, then key) are exactly its
    previous list.
    """
    n = len(sorted_keys)
    if previous is None or previous.empty:
        empty = np.empty(0, dtype=np.intp)
        return _Kept(empty, empty, np.empty(0), np.zeros(n, dtype=np.intp), np.full(n, -1.0),
                     np.full(n, "", dtype=object))
    item = pd.concat([previous["key_a"], previous["key_b"]]).astype(str).to_numpy(object)
    other = pd.concat([previous["key_b"], previous["key_a"]]).astype(str).to_numpy(object)
    score = np.concatenate([previous["score"].to_numpy(np.float64)] * 2)
    lists = pd.DataFrame({"item": item, "other": other, "score": score})
    lists = lists.sort_values(["item", "score", "other"], ascending=[True, False, True], kind="stable")
    lists = lists[lists.groupby("item", sort=False).cumcount() < per_item]
    position = pd.Series(np.arange(n), index=pd.Index(sorted_keys))
    rows = position.reindex(lists["item"]).fillna(-1).to_numpy(np.intp)
    cols = position.reindex(lists["other"]).fillna(-1).to_numpy(np.intp)
    present = rows >= 0
    rows, cols = rows[present], cols[present]
    scores, others = lists["score"].to_numpy()[present], lists["other"].to_numpy()[present]
    last_score, last_key = np.full(n, -1.0), np.full(n, "", dtype=object)
    if len(rows):
        ends = np.flatnonzero(np.r_[rows[1:] != rows[:-1], True])
        last_score[rows[ends]], last_key[rows[ends]] = scores[ends], others[ends]
    return _Kept(rows, cols, scores, np.bincount(rows, minlength=n), last_score, last_key)


def _settled(merged: tuple[np.ndarray, ...], kept: _Kept, sorted_keys: list[str], per_item: int) -> np.ndarray:
    """Per item: is its merged list its exact top `per_item`?

    Any unchanged item outside its previous list ranks below that list's last entry (by score,
    then key), or scored under `min_score` when the list was short. So the merged list is exact
    when the list was short, or when `per_item` merged entries rank at or above that last entry;
    otherwise a neighbour that changed or left must be replaced by one not known.
    """
    rows, cols, scores = merged
    last = kept.last_score[rows]
    at_or_above = scores > last
    tied = np.flatnonzero(scores == last)
    if len(tied):
        keys = np.asarray(sorted_keys, dtype=object)
        at_or_above[tied] = keys[cols[tied]] <= kept.last_key[rows[tied]]
    return (kept.count < per_item) | (np.bincount(rows[at_or_above], minlength=len(sorted_keys)) >= per_item)


def _best_per_row(
    triples: tuple[np.ndarray, ...], k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The k best (row, col, score) of each row, by score then lower column (a missing
    column, -1, ranks by its score like any other)."""
    rows, cols, scores = (np.concatenate(triples[i::3]) for i in range(3))
    keep = np.ones(len(rows), dtype=bool)
    if len(rows):
        pairs = pd.DataFrame({"r": rows, "c": cols, "s": scores}).drop_duplicates(["r", "c"])
        pairs = pairs.sort_values(["r", "s", "c"], ascending=[True, False, True], kind="stable")
        pairs = pairs[pairs.groupby("r").cumcount() < k]
        return pairs["r"].to_numpy(np.intp), pairs["c"].to_numpy(np.intp), pairs["s"].to_numpy(np.float64)
    return rows[keep], cols[keep], scores[keep]


class _Scorer:
    """Scores of any rows against any columns, a slab of rows at a time (bounded memory).

    The most common features are multiplied as a small dense matrix (BLAS), the long tail as
    sparse matrices; in float64, so that the same pair scores the same whichever slab it is in.
    Above `EXACT_CELLS` scores, the columns worth scoring are found first
    (`similarity_index.approximate_top_k`).
    """

    def __init__(self, vectors: sp.csr_matrix) -> None:
        self.vectors = vectors
        self._split: tuple[sp.csr_matrix, sp.csr_matrix] | None = None

    def split(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The vectors' columns split in two: the most common features, made dense a slab of
        rows at a time (dense for every item they took 2 KB per item, five times their sparse
        size), and the rest. Built when first needed: the large scan's index comes first."""
        if self._split is None:
            doc_freq = np.bincount(self.vectors.indices, minlength=self.vectors.shape[1])
            by_freq = np.argsort(-doc_freq, kind="stable")
            by_freq = by_freq[doc_freq[by_freq] >= 2]  # a feature of one item adds to no pair: exact
            self._split = (self.vectors[:, by_freq[:_DENSE_FEATURES]].tocsr(),
                           self.vectors[:, by_freq[_DENSE_FEATURES:]].tocsr())
        return self._split

    @property
    def rare(self) -> sp.csr_matrix:
        """The less common features of every item (sparse)."""
        return self.split()[1]

    def dense(self, rows: np.ndarray) -> np.ndarray:
        """The most common features of these rows (positions) as a dense float32 matrix."""
        return self.split()[0][rows].toarray()

    def top_k(self, rows: np.ndarray, cols: np.ndarray, k: int, min_score: float) -> tuple[np.ndarray, ...]:
        """(row, column, rounded score) of each row's k best columns (positions, ascending)
        scoring at least `min_score`, an item never its own neighbour; ties go to the lower column."""
        take = min(k, len(cols))
        if take == 0 or len(rows) == 0:
            return (np.empty(0, dtype=np.intp),) * 2 + (np.empty(0),)
        # Rounding moves a score by less than this, so whatever can round to a kept score is above
        # the raw bound minus it.
        margin = 10.0**-SCORE_DECIMALS
        if len(rows) * len(cols) > EXACT_CELLS:
            from backlog_health.similarity_index import approximate_top_k

            r, c, raw = approximate_top_k(self.vectors, self.split, rows, cols, min_score, margin)
            return _best_of_rows(r, c, _rounded(raw), take, min_score)
        found: list[tuple[np.ndarray, ...]] = []
        dense_t = np.ascontiguousarray(self.dense(cols).T, dtype=np.float64)
        rare_t = self.rare[cols].T.astype(np.float64).tocsr()
        per_block = max(1, _TOP_K_CELLS // len(cols))
        for start in range(0, len(rows), per_block):
            block = rows[start:start + per_block]
            raw = self.dense(block).astype(np.float64) @ dense_t
            raw += (self.rare[block].astype(np.float64) @ rare_t).toarray()
            at = np.minimum(np.searchsorted(cols, block), len(cols) - 1)
            own = np.flatnonzero(cols[at] == block)
            raw[own, at[own]] = -np.inf  # an item is not its own neighbour
            hot = raw >= min_score - margin
            crowded = np.flatnonzero(hot.sum(axis=1) > take)
            # Most rows have a few cells above the score: all of them. The others keep what can
            # round to their k-th best or above (ties included), found by a partial sort.
            hot[crowded] = False
            few_rows, few_cols = np.nonzero(hot)
            kth = np.partition(raw[crowded], -take, axis=1)[:, -take, None]
            many_rows, many_cols = np.nonzero(raw[crowded] >= kth - margin)
            r = np.concatenate([few_rows, crowded[many_rows]])
            c = np.concatenate([few_cols, many_cols])
            found.append(_best_of_rows(block[r], cols[c], _rounded(raw[r, c]), take, min_score))
        return tuple(np.concatenate(column) for column in zip(*found))


def _best_of_rows(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, take: int, min_score: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of (row, column, rounded score) triples, each row's `take` best scoring at least
    `min_score`, by score then lower column."""
    ranked = np.lexsort((cols, -values, rows))
    rows, cols, values = rows[ranked], cols[ranked], values[ranked]
    keep = (np.arange(len(rows)) - np.searchsorted(rows, rows) < take) & (values >= min_score)
    return rows[keep], cols[keep], values[keep]


def _pairs_frame(sorted_keys: list[str], a: np.ndarray, b: np.ndarray, score: np.ndarray) -> pd.DataFrame:
    """Pairs of positions as keys, by score, then key_a, then key_b (positions are key order)."""
    ranking = np.lexsort((b, a, -score))
    key_array = np.asarray(sorted_keys, dtype=object)
    return pd.DataFrame(
        {
            "key_a": pd.Series(key_array[a[ranking]], dtype="string"),
            "key_b": pd.Series(key_array[b[ranking]], dtype="string"),
            "score": pd.Series(score[ranking], dtype="float64"),
        }
    )


def recall_rate(
    neighbors: Mapping[str, Sequence[tuple[str, float]]],
    queries: Iterable[tuple[str, str]],
    k: int,
) -> float:
    """RR@k: the share of (query, target) pairs whose target is among the query's first k neighbours."""
    hits = []
    for query, target in queries:
        top = [key for key, _ in neighbors[query][:k]]
        hits.append(target in top)
    if not hits:
        raise ValueError("recall rate needs at least one (query, target) pair")
    return sum(hits) / len(hits)


def _fitted(texts: list[str], **options: object) -> tuple[TfidfVectorizer | None, sp.csr_matrix]:
    """A TF-IDF vectorizer fitted on the texts and their L2-normalised rows; no vectorizer (and
    all-zero rows) when no text has a single usable token."""
    vectorizer = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **options)
    try:
        return vectorizer, vectorizer.fit_transform(texts).tocsr()
    except ValueError:
        # scikit-learn refuses an empty vocabulary (no texts, or only stop words and
        # punctuation); such items simply resemble nothing.
        return None, sp.csr_matrix((len(texts), 0), dtype=np.float32)


def _transform(vectorizer: TfidfVectorizer | None, texts: list[str]) -> sp.csr_matrix:
    """L2-normalised TF-IDF rows; all zeros without a vocabulary."""
    if vectorizer is None:
        return sp.csr_matrix((len(texts), 0), dtype=np.float32)
    return vectorizer.transform(texts).tocsr()


def _text(value: object) -> str:
    """The value if it is text; None, NaN and other missing markers read as no text."""
    return value if isinstance(value, str) else ""


def _line_signature(line: str) -> str:
    """A line with case, spacing, quote marks and numbers (versions, ids, dates) erased."""
    return " ".join(_HAS_DIGIT.sub("#", line.lower()).strip(" \t>*_#-").split())


def _sorted_keys(
    keys: Sequence[str], summaries: Sequence[str | None], descriptions: Sequence[str | None]
) -> tuple[list[int], list[str]]:
    """Positions that sort the keys as strings, and the sorted keys.

    Sorting first makes row order key order, which is how ties are broken everywhere.
    """
    if not len(keys) == len(summaries) == len(descriptions):
        raise ValueError(
            f"{len(keys)} keys, {len(summaries)} summaries and {len(descriptions)} descriptions: "
            "expected one of each per item"
        )
    as_text = [str(key) for key in keys]
    if len(set(as_text)) != len(as_text):
        repeated = pd.Series(as_text)[pd.Series(as_text).duplicated()].iloc[0]
        raise ValueError(f"keys must be unique, {repeated!r} appears more than once")
    order = sorted(range(len(as_text)), key=as_text.__getitem__)
    return order, [as_text[i] for i in order]


def _score_blocks(vectors: sp.csr_matrix, *, upper_only: bool) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, raw float32 scores of a slab of rows) against all items, or from that row on."""
    n = vectors.shape[0]
    # Features used by a single item add nothing to any pair; dropping them is exact.
    doc_freq = np.bincount(vectors.indices, minlength=vectors.shape[1])
    by_freq = np.argsort(-doc_freq, kind="stable")
    by_freq = by_freq[doc_freq[by_freq] >= 2]
    dense = np.ascontiguousarray(vectors[:, by_freq[:_DENSE_FEATURES]].toarray())
    rare = vectors[:, by_freq[_DENSE_FEATURES:]].tocsr()
    rare_t = rare.T.tocsr()
    rows_per_block = max(1, _BLOCK_CELLS // max(n, 1))
    for start in range(0, n, rows_per_block):
        stop = min(n, start + rows_per_block)
        first_col = start if upper_only else 0
        scores = (rare[start:stop] @ rare_t[:, first_col:]).toarray()
        # A row slice of a C-ordered array, transposed, goes to BLAS without a copy.
        scores += dense[start:stop] @ dense[first_col:].T
        yield start, scores


def _rounded(scores: np.ndarray) -> np.ndarray:
    """Scores as float64 in [0, 1], rounded so that float noise cannot reorder equal scores."""
    return np.clip(np.round(scores.astype(np.float64), SCORE_DECIMALS), 0.0, 1.0)


def _top_k(raw: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, rounded score) of each row's k best raw scores, best first, ties to the lower column."""
    kth = np.partition(raw, -k, axis=1)[:, -k, None]
    # Rounding moves a score by less than one unit of the last decimal kept, so whatever can
    # round to the k-th best score or above is within that of the raw k-th best.
    rows, cols = np.nonzero(raw >= kth - 10.0**-SCORE_DECIMALS)
    return _best_of_rows(rows, cols, _rounded(raw[rows, cols]), k, -np.inf)
