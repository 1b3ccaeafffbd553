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

import os

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
_RESCORE_CHUNK = 1 << 15  # pairs scored exactly at once


def approximate_top_k(
    vectors: sp.csr_matrix, dense: np.ndarray, rare: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray,
    min_score: float, margin: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, exact float64 score) of the pairs proposed for each row, scoring at least
    `min_score - margin`, an item never its own neighbour.

    `vectors` holds one row per item; `dense` (float32) and `rare` are its columns split as
    `similarity._Scorer` splits them, to score exactly. `rows` and `cols` are positions.
    """
    proposed = min(CANDIDATES, len(cols) - 1) + 1  # + 1: a row may find itself
    doc_freq = np.bincount(vectors.indices, minlength=vectors.shape[1])
    frequent = np.flatnonzero(doc_freq > RARE_ITEMS)
    infrequent = np.flatnonzero((doc_freq >= 2) & (doc_freq <= RARE_ITEMS))
    both_ways = len(rows) == len(cols) and bool(np.array_equal(rows, cols))
    r1, c1 = _graph_neighbors(vectors[:, frequent].tocsr(), rows, cols, proposed, both_ways)
    r2, c2 = _sparse_neighbors(vectors[:, infrequent].tocsr(), rows, cols, proposed)
    r, c = rows[np.concatenate([r1, r2])], cols[np.concatenate([c1, c2])]
    if both_ways:  # score each unordered pair once
        r, c = np.minimum(r, c), np.maximum(r, c)
    r, c = _distinct_pairs(r, c)
    own = r == c
    r, c = r[~own], c[~own]
    scores = _exact_scores(dense, rare, r, c)
    keep = scores >= min_score - margin
    r, c, scores = r[keep], c[keep], scores[keep]
    if both_ways:
        return np.concatenate([r, c]), np.concatenate([c, r]), np.concatenate([scores, scores])
    return r, c, scores


def _graph_neighbors(
    frequent: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray, proposed: int, same: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(row position in `rows`, column position in `cols`) of each row's nearest columns by
    the frequent features, projected to a few dimensions, in a graph index (faiss HNSW);
    `same`: the rows are the columns."""
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
    row_points = column_points if same else np.ascontiguousarray(to_points(frequent[rows]), dtype=np.float32)
    index = faiss.IndexHNSWFlat(dimensions, _HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = _HNSW_BUILD_DEPTH
    index.add(column_points)
    index.hnsw.efSearch = max(_HNSW_BUILD_DEPTH, 2 * proposed)
    _, found = index.search(row_points, proposed)
    r = np.repeat(np.arange(len(rows)), proposed)
    c = found.ravel()
    valid = c >= 0
    return r[valid], c[valid].astype(np.intp)


def _sparse_neighbors(
    infrequent: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray, proposed: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row position, column position) of each row's best products over the rare features."""
    if infrequent.shape[1] == 0 or infrequent.nnz == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    from sparse_dot_topn import sp_matmul_topn

    product = sp_matmul_topn(infrequent[rows], infrequent[cols].T.tocsr(), top_n=proposed,
                             threshold=RARE_FLOOR, n_threads=os.cpu_count() or 1).tocoo()
    return product.row.astype(np.intp), product.col.astype(np.intp)


def _distinct_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (a[i], b[i]) once each, ordered (a sort, not a hash: faster at this size)."""
    width = int(max(a.max(initial=0), b.max(initial=0))) + 1
    codes = np.sort(a.astype(np.int64) * width + b)
    codes = codes[np.r_[True, codes[1:] != codes[:-1]]] if len(codes) else codes
    return (codes // width).astype(np.intp), (codes % width).astype(np.intp)


def _exact_scores(dense: np.ndarray, rare: sp.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The score of each pair (a[i], b[i]) of item positions, summed in float64."""
    scores = np.empty(len(a))
    for start in range(0, len(a), _RESCORE_CHUNK):
        sa, sb = a[start:start + _RESCORE_CHUNK], b[start:start + _RESCORE_CHUNK]
        common = np.einsum("ij,ij->i", dense[sa], dense[sb], dtype=np.float64)
        tail = rare[sa].multiply(rare[sb]).sum(axis=1, dtype=np.float64)
        scores[start:start + len(sa)] = common + np.asarray(tail).ravel()
    return scores
