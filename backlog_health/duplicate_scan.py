"""Finding duplicate candidates once, when a snapshot is written.

Each backlog item keeps its `per_item` most similar others scoring at least `SCAN_MIN_SCORE`
(a rules key, default 10), and a snapshot at most `MAX_CANDIDATES` pairs: memory and storage
grow with n, never n squared, even when every item reads alike (templated bot tickets).

Scores come from a text model (template lines, vocabularies, IDF) fitted on one snapshot of
the backlog and reused while at most `REFIT_SHARE` of the items' texts differ from it, so an
unchanged text keeps its vector and its neighbours: a daily snapshot of a quiet backlog scores
only the changed items against all and the others against the changed ones
(`similarity.top_candidates`). The model is fitted again from that snapshot's stored texts,
which gives the same model. A snapshot whose backlog has exactly the texts of the latest
scanned one has exactly its candidates: `scan_texts` is what to compare.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from backlog_health.backlog import backlog_items
from backlog_health.model import Snapshot, item_columns

SCAN_MIN_SCORE = 0.4  # lowest threshold a reader can ask for without a rescan
SCAN_METHOD = "tfidf-summary-chars+words/2"  # bump when similarity.py changes its scores
MAX_CANDIDATES = 2_000_000  # pairs stored per snapshot at most, the best first: 10 per item up to 200,000 items
REFIT_SHARE = 0.2  # a model is fitted again once more than this share of texts differ from it
CANDIDATE_COLUMNS = ["key_a", "key_b", "score"]
TEXT_COLUMNS = list(item_columns("key", "summary", "description_text"))


@dataclass(frozen=True)
class ScanBasis:
    """What the backlog's latest scan leaves to build on: its texts and candidates, whether
    the cap cut them, and the texts its model was fitted on (with that snapshot's id)."""

    texts: pd.DataFrame
    candidates: pd.DataFrame
    capped: bool
    model_texts: pd.DataFrame
    model_snapshot_id: int


@dataclass(frozen=True)
class Scan:
    """A scan's pairs, the snapshot its model was fitted on (None: this one), and whether
    `MAX_CANDIDATES` cut pairs."""

    candidates: pd.DataFrame
    model_snapshot_id: int | None
    capped: bool


def _backlog(snapshot: Snapshot) -> pd.DataFrame:
    """The snapshot's backlog items, with only the columns a scan reads: ordering the whole
    frame by rank copied every column (0.3 GB at 200,000 rows)."""
    items = snapshot.items
    rows = backlog_items(items[["is_backlog", "rank_position"]].assign(at=np.arange(len(items))))["at"].to_numpy()
    return items[TEXT_COLUMNS].iloc[rows]


def scan_texts(items: pd.DataFrame) -> list[tuple[str, str | None, str | None]]:
    """What a scan of these backlog items reads, in key order, missing texts as None."""
    rows = items[TEXT_COLUMNS].astype(object).where(items[TEXT_COLUMNS].notna(), None)
    return sorted(rows.itertuples(index=False, name=None))


def snapshot_scan_texts(snapshot: Snapshot) -> list[tuple[str, str | None, str | None]]:
    """`scan_texts` of a snapshot's backlog items."""
    return scan_texts(_backlog(snapshot))


def scan_candidates(
    snapshot: Snapshot, min_score: float = SCAN_MIN_SCORE, *, per_item: int = 10, basis: ScanBasis | None = None
) -> Scan:
    """The candidate pairs of a snapshot's backlog items, built on `basis` when it still fits."""
    from backlog_health.similarity import fit_text_model, top_candidates

    backlog = _backlog(snapshot)
    if len(backlog) < 2:
        return Scan(pd.DataFrame(columns=CANDIDATE_COLUMNS), None, False)
    model, model_id, changed, previous = None, None, None, None
    if basis is not None and changed_share(backlog, basis.model_texts) <= REFIT_SHARE:
        model = fit_text_model(list(basis.model_texts["summary"]), list(basis.model_texts["description_text"]))
        model_id = basis.model_snapshot_id
        if not basis.capped:
            changed, previous = ~_unchanged(backlog, basis.texts), basis.candidates
    # The texts go as the frame's own arrays, not lists: a text becomes a Python string (2-4 bytes
    # a character) only while the vectors are made, not for the whole scan (0.24 GB at 170,000 items).
    pairs = top_candidates(
        list(backlog["key"]), backlog["summary"].array, backlog["description_text"].array,
        per_item=per_item, min_score=min_score, model=model, changed=changed, previous=previous,
    )[CANDIDATE_COLUMNS]
    return Scan(pairs.head(MAX_CANDIDATES), model_id, len(pairs) > MAX_CANDIDATES)


def changed_share(items: pd.DataFrame, reference: pd.DataFrame) -> float:
    """The share of items that are not in `reference` with the same key and texts."""
    return float((~_unchanged(items, reference)).mean()) if len(items) else 0.0


def _unchanged(items: pd.DataFrame, reference: pd.DataFrame) -> np.ndarray:
    """Per item: is it in `reference` with the same key and texts (missing texts equal)?"""
    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[TEXT_COLUMNS].astype(object).where(frame[TEXT_COLUMNS].notna(), "\0").astype(str)

    known = rows(reference).drop_duplicates()
    found = rows(items).merge(known, on=TEXT_COLUMNS, how="left", indicator=True)
    return found["_merge"].eq("both").to_numpy()
