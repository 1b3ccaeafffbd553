"""Each item's best neighbours when scoring every pair would take too long: a large backlog's
first scan (`similarity._Scorer` switches here above `similarity.EXACT_CELLS` scores).

Pairs are proposed two ways, then every proposed pair is scored exactly, so a returned score is
the exact score; what can be missed is a pair neither way proposes.
- Rare features (in at most `RARE_ITEMS` items: names, error messages, unusual words, what
  near-duplicates share): each item's best products over them, by a sparse product that keeps
  only each row's best (`sparse_dot_topn`). Its work is bounded by `RARE_ITEMS` times the
  number of (item, rare feature) entries, so it grows with n, not n squared.
- Frequent features (the rest: common words, the character n-grams of every summary): projected
  to `_PROJECTION_DIMENSIONS` by a truncated SVD, then each item's nearest items in a graph
  index (faiss HNSW, inner product). Look-alike texts (templated, bot-filed) have only these.
Each way proposes `CANDIDATES` per item. On 50,000 items with realistic texts this keeps 99.5%
of an exact scan's pairs and all of those scoring 0.65 or more (`bench/duplicates_bounded.py`).

The graph is built with several threads, so two runs over the same texts can differ in a rare
near-tie; the store does not scan the same texts twice (`duplicate_scan`).
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

CANDIDATES = 32
"""Neighbours each kind of feature proposes per item, before exact scoring keeps the best k."""

RARE_FLOOR = 0.01
"""Rare-feature products at or below this are not proposed (an item shares nothing telling)."""

RARE_ITEMS = 2048
"""A feature in at most this many items is rare: its pairs are found exactly by the sparse
product, whose work is bounded by this times the number of (item, rare feature) entries."""

_PROJECTION_DIMENSIONS = 128  # the graph's vectors: the frequent features, projected (SVD)
_HNSW_LINKS = 16  # graph degree: recall against build time
_HNSW_BUILD_DEPTH = 48
_RESCORE_CHUNK = 1 << 14  # pairs scored exactly at once


def approximate_top_k(
    vectors: sp.csr_matrix, split: Callable[[], tuple[sp.csr_matrix, sp.csr_matrix]], rows: np.ndarray,
    cols: np.ndarray, min_score: float, margin: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, exact float64 score) of the pairs proposed for each row, scoring at least
    `min_score - margin`, an item never its own neighbour.

    `vectors` holds one row per item; `split()` gives its columns split as `similarity._Scorer`
    splits them (common, rare), to score exactly as it does; it is called once the proposals are
    made, so that those copies and the index are never held at once. `rows` and `cols` are positions.
    Pairs are held as one int64 code each, scored and filtered a chunk at a time: memory grows
    with the number of proposals, a few bytes each.
    """
    _return_freed_heap()
    proposed = min(CANDIDATES, len(cols) - 1) + 1  # + 1: a row may find itself
    doc_freq = np.bincount(vectors.indices, minlength=vectors.shape[1])
    both_ways = len(rows) == len(cols) and bool(np.array_equal(rows, cols))
    width = vectors.shape[0]
    r, c = _graph_neighbors(vectors, np.flatnonzero(doc_freq > RARE_ITEMS), rows, cols, proposed, both_ways)
    codes = [_pair_codes(rows[r], cols[c], width, both_ways)]
    del r, c
    r, c = _sparse_neighbors(vectors, np.flatnonzero((doc_freq >= 2) & (doc_freq <= RARE_ITEMS)), rows, cols, proposed)
    codes.append(_pair_codes(rows[r], cols[c], width, both_ways))
    del r, c
    pairs = np.concatenate(codes)
    del codes
    pairs.sort()
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    common, rare = split()
    found = [_scored(common, rare, pairs[start:start + _RESCORE_CHUNK], width, min_score - margin)
             for start in range(0, len(pairs), _RESCORE_CHUNK)]
    del pairs
    r, c, scores = (np.concatenate(column) for column in zip(*found)) if found else (
        np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp), np.empty(0))
    if both_ways:
        return np.concatenate([r, c]), np.concatenate([c, r]), np.concatenate([scores, scores])
    return r, c, scores


def _return_freed_heap() -> None:
    """Give the system back the free memory at the top of the C heap (glibc's `malloc_trim`).

    Fitting the vectors leaves 0.1-0.2 GB freed but held by the allocator at 170,000 items,
    and the graph is the scan's largest step; elsewhere than glibc this does nothing."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):  # no glibc
        pass


def _pair_codes(a: np.ndarray, b: np.ndarray, width: int, unordered: bool) -> np.ndarray:
    """Each pair of item positions (a[i], b[i]) as one int64, a * width + b; with `unordered`,
    the lower position first (each unordered pair is scored once)."""
    if unordered:
        a, b = np.minimum(a, b), np.maximum(a, b)
    return a.astype(np.int64) * width + b


def _scored(
    common: sp.csr_matrix, rare: sp.csr_matrix, codes: np.ndarray, width: int, at_least: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, score) of the coded pairs of two different items scoring at least `at_least`."""
    a, b = (codes // width).astype(np.intp), (codes % width).astype(np.intp)
    other = a != b
    a, b = a[other], b[other]
    scores = _exact_scores(common, rare, a, b)
    keep = scores >= at_least
    return a[keep], b[keep], scores[keep]


def _graph_neighbors(
    vectors: sp.csr_matrix, features: np.ndarray, rows: np.ndarray, cols: np.ndarray, proposed: int, same: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(row position in `rows`, column position in `cols`) of each row's nearest columns by
    the frequent `features`, projected to a few dimensions, in a graph index (faiss HNSW);
    `same`: the rows are the columns."""
    frequent = vectors[:, features].tocsr()
    if frequent.shape[1] == 0 or frequent.nnz == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    import faiss
    from sklearn.decomposition import TruncatedSVD

    every = len(cols) == frequent.shape[0]  # positions are ascending: all items, no copy needed
    column_texts = frequent if every else frequent[cols]
    dimensions = min(_PROJECTION_DIMENSIONS, frequent.shape[1] - 1)
    if dimensions >= 2:
        svd = TruncatedSVD(dimensions, algorithm="randomized", n_iter=4, random_state=0)
        column_points = np.ascontiguousarray(svd.fit_transform(column_texts), dtype=np.float32)
        to_points = svd.transform
    else:
        dimensions, to_points = frequent.shape[1], sp.csr_matrix.toarray
        column_points = np.ascontiguousarray(to_points(column_texts), dtype=np.float32)
    del column_texts
    row_points = column_points if same else np.ascontiguousarray(to_points(frequent[rows]), dtype=np.float32)
    del frequent  # the graph needs only the points
    index = faiss.IndexHNSWFlat(dimensions, _HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = _HNSW_BUILD_DEPTH
    index.add(column_points)
    del column_points
    index.hnsw.efSearch = max(_HNSW_BUILD_DEPTH, 2 * proposed)
    _, found = index.search(row_points, proposed)
    del index
    r = np.repeat(np.arange(len(rows), dtype=np.int32), proposed)
    c = found.ravel()
    valid = c >= 0
    return r[valid], c[valid].astype(np.int32)


def _sparse_neighbors(
    vectors: sp.csr_matrix, features: np.ndarray, rows: np.ndarray, cols: np.ndarray, proposed: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row position, column position) of each row's best products over the rare `features`."""
    infrequent = vectors[:, features].tocsr()
    if infrequent.shape[1] == 0 or infrequent.nnz == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    from sparse_dot_topn import sp_matmul_topn

    every = len(rows) == infrequent.shape[0]  # positions are ascending: all items, no copy needed
    columns = (infrequent if len(cols) == infrequent.shape[0] else infrequent[cols]).T.tocsr()
    product = sp_matmul_topn(infrequent if every else infrequent[rows], columns, top_n=proposed,
                             threshold=RARE_FLOOR, n_threads=os.cpu_count() or 1).tocoo()
    return product.row.astype(np.int32), product.col.astype(np.int32)


def _exact_scores(common: sp.csr_matrix, rare: sp.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The score of each pair (a[i], b[i]) of item positions, summed in float64 as
    `similarity._Scorer` sums it: the common features made dense, then the rare ones."""
    scores = np.einsum("ij,ij->i", common[a].toarray(), common[b].toarray(), dtype=np.float64)
    scores += np.asarray(rare[a].multiply(rare[b]).sum(axis=1, dtype=np.float64)).ravel()
    return scores
