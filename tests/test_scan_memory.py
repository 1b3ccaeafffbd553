"""What the duplicate scan does to stay within its memory gives the answers it gave before:
vectors stacked a slab at a time, exact scores a chunk of pairs at a time, the scan reading
only its three columns of a snapshot. (Memory itself is measured by `bench/ingest_bench.py`.)"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from backlog_health import duplicate_scan, similarity, similarity_index
from backlog_health.backlog import backlog_items
from bench.duplicates_scale import synthetic_backlog
from tests import builders


def test_vectors_stacked_a_slab_of_rows_at_a_time_are_the_vectors_stacked_at_once(monkeypatch):
    backlog = synthetic_backlog(200, seed=3)
    summaries = [similarity._text(s) for s in backlog.summaries]
    template = similarity.template_lines(backlog.descriptions)
    full = similarity._full_texts(summaries, backlog.descriptions, template)
    chars = similarity._fitted(summaries, analyzer="char_wb", ngram_range=(3, 5))[1]
    words = similarity._fitted(full, stop_words="english")[1]
    at_once = sp.hstack([chars * np.float32(np.sqrt(similarity.SUMMARY_WEIGHT)),
                         words * np.float32(np.sqrt(1 - similarity.SUMMARY_WEIGHT))], format="csr", dtype=np.float32)
    monkeypatch.setattr(similarity, "_WEIGHTING_ROWS", 7)  # 29 slabs, the last one short
    vectors = similarity.item_vectors(backlog.summaries, backlog.descriptions)
    assert vectors.shape == at_once.shape and vectors.nnz == at_once.nnz > 0
    for part in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(vectors, part), getattr(at_once, part)), part


@pytest.fixture
def one_graph_thread():
    """The graph built by one thread: the same texts then give the same graph."""
    faiss = pytest.importorskip("faiss")
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    yield
    faiss.omp_set_num_threads(threads)


def test_a_large_scan_gives_the_same_pairs_and_scores_whatever_its_rescoring_chunk(monkeypatch, one_graph_thread):
    backlog = synthetic_backlog(1500, seed=5)
    texts = backlog.keys, backlog.summaries, backlog.descriptions
    monkeypatch.setattr(similarity, "EXACT_CELLS", 0)
    whole = similarity.top_candidates(*texts, per_item=10, min_score=0.3)
    monkeypatch.setattr(similarity_index, "_RESCORE_CHUNK", 7)
    chunked = similarity.top_candidates(*texts, per_item=10, min_score=0.3)
    assert len(whole) > 500 and chunked.equals(whole)


def test_the_scan_reads_the_backlog_items_keys_and_texts_only():
    rows = builders.ranked(["B-2", "A-1", "C-3"], description_text="text")
    rows[1]["summary"] = None
    rows.append({"key": "D-4", "status_category": "Done", "summary": "done"})
    snapshot = builders.snapshot(rows)
    read = duplicate_scan._backlog(snapshot)
    expected = backlog_items(snapshot.items)[duplicate_scan.TEXT_COLUMNS]
    assert list(read.columns) == duplicate_scan.TEXT_COLUMNS
    assert sorted(read["key"]) == sorted(expected["key"]) == ["A-1", "B-2", "C-3"]  # a scan orders by key
    assert duplicate_scan.scan_texts(read) == duplicate_scan.scan_texts(expected)
    assert read.set_index("key")["summary"].isna().to_dict() == {"A-1": True, "B-2": False, "C-3": False}
