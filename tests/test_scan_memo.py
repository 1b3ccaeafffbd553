"""A process remembers text models and vectors between scans: the answers stay a fresh fit's."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from backlog_health import scan_memo, similarity, store
from backlog_health.backlog import assign_rank_positions
from backlog_health.ingest.jira_csv import read_jira_csv
from tests.conftest import JIRA_CSV


def _history() -> list:
    """A real export, then three days of it: items rewritten as copies of others or anew, re-ranked, closed."""
    first = read_jira_csv(JIRA_CSV / "cloud-2026-en.csv").snapshot
    snapshots, items = [first], first.items.copy()
    for day in range(1, 4):
        backlog = items.index[items["is_backlog"]]
        copied, rewritten = backlog[-10 - 3 * day: -7 - 3 * day], backlog[day * 3: day * 3 + 3]
        for column in ("summary", "description_text"):  # each rewritten item now duplicates another
            items.loc[rewritten, column] = items.loc[copied, column].to_numpy()
        for k in (0, 1):  # and two items become new near-copies of two others
            near, of = backlog[20 + 2 * day + k], backlog[40 + 2 * day + k]
            items.loc[near, "summary"] = f"{items.loc[of, 'summary']} (again, day {day})"
            items.loc[near, "description_text"] = items.loc[of, "description_text"]
        items["rank"] = items["rank"].to_numpy()[::-1]
        items = items.drop(index=backlog[-2:])
        snapshots.append(replace(first, items=assign_rank_positions(items.copy()),
                                 taken_at=first.taken_at + timedelta(days=day)))
    return snapshots


def _stored_scans(path, snapshots, *, forget_between: bool) -> list:
    con = store.connect(path)
    try:
        answers = []
        for snapshot in snapshots:
            if forget_between:
                scan_memo.forget()  # as a new process would start
            snapshot_id = store.write_snapshot(con, snapshot, candidates_per_item=4).snapshot_id
            answers.append(store.stored_candidates(con, snapshot_id, 0.4).values.tolist())
        return answers
    finally:
        con.close()


@pytest.mark.slow
def test_a_history_scanned_in_one_process_stores_what_fresh_processes_store(tmp_path, monkeypatch):
    snapshots = _history()
    fresh = _stored_scans(tmp_path / "fresh.duckdb", snapshots, forget_between=True)
    turned = []
    real = similarity.item_vectors
    monkeypatch.setattr(scan_memo, "item_vectors", lambda s, d, model: turned.append(len(s)) or real(s, d, model))
    scan_memo.forget()
    remembered = _stored_scans(tmp_path / "memo.duckdb", snapshots, forget_between=False)

    assert remembered == fresh and all(fresh)
    # Each later day turns only its two new texts into vectors (the copies' are known); nothing is fitted again.
    assert turned == [2, 2, 2]


def test_the_memo_holds_a_bounded_number_of_models_and_items(monkeypatch):
    scan_memo.forget()
    texts = [f"Export report {i} fails on Safari" for i in range(6)]
    for backlog in range(scan_memo.MODELS + 2):
        summaries = [f"{text} in backlog {backlog}" for text in texts]
        model, vectorize = scan_memo.text_model(summaries, texts)
        assert (vectorize(summaries, texts) != similarity.item_vectors(summaries, texts, model)).nnz == 0
    assert len(scan_memo._entries) == scan_memo.MODELS

    scan_memo.forget()
    monkeypatch.setattr(scan_memo, "MAX_ITEMS", 3)
    scan_memo.text_model(texts, texts)
    assert len(scan_memo._entries) == 0  # more texts than MAX_ITEMS: nothing remembered
