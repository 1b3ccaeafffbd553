"""Finding duplicate candidates once, when a snapshot is written.

Each backlog item keeps its `per_item` most similar others scoring at least `SCAN_MIN_SCORE`
(a rules key, default 10), and a snapshot at most `MAX_CANDIDATES` pairs: memory and storage
grow with n, never n squared, even when every item reads alike (templated bot tickets).

Scores come from a text model (template lines, vocabularies, IDF) fitted on one snapshot of
the backlog and reused while at most `REFIT_SHARE` of the items' texts differ from it, so an
unchanged text keeps its vector and its neighbours: a daily snapshot of a quiet backlog scores
only the changed items against all and the others against the changed ones
(`similarity.top_candidates`). The model is fitted again from that snapshot's stored texts,
which gives the same model, unless the process still holds it (`scan_memo`: ingesting a
backlog's exports one after another fits it once and turns only new texts into vectors). A snapshot whose backlog has exactly the texts of the latest
scanned one has exactly its candidates: `scan_texts` is what to compare.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from backlog_health.model import Snapshot, item_columns
from backlog_health.scan_identity import SCAN_METHOD, SCAN_MIN_SCORE

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
    """The backlog items' keys and texts, in no particular order (a scan orders by key), with
    only the columns a scan reads (the whole frame is never copied)."""
    items = snapshot.items
    return items.loc[items["is_backlog"].fillna(False).to_numpy(dtype=bool), TEXT_COLUMNS]


def scan_texts(items: pd.DataFrame) -> list[tuple[str, str | None, str | None]]:
    """What a scan of these backlog items reads, in key order, missing texts as None."""
    columns = ([value if isinstance(value, str) else None for value in items[name].tolist()] for name in TEXT_COLUMNS)
    return sorted(zip(*columns))


def snapshot_scan_texts(snapshot: Snapshot) -> list[tuple[str, str | None, str | None]]:
    """`scan_texts` of a snapshot's backlog items."""
    return scan_texts(_backlog(snapshot))


def scan_candidates(
    snapshot: Snapshot, min_score: float = SCAN_MIN_SCORE, *, per_item: int = 10, basis: ScanBasis | None = None
) -> Scan:
    """The candidate pairs of a snapshot's backlog items, built on `basis` when it still fits."""
    from backlog_health.scan_memo import MAX_ITEMS as MEMO_MAX_ITEMS, text_model
    from backlog_health.similarity import fit_text_model, top_candidates

    backlog = _backlog(snapshot)
    if len(backlog) < 2:
        return Scan(pd.DataFrame(columns=CANDIDATE_COLUMNS), None, False)
    fitted_on, model_id, changed, previous = backlog, None, None, None
    if basis is not None and changed_share(backlog, basis.model_texts) <= REFIT_SHARE:
        fitted_on, model_id = basis.model_texts, basis.model_snapshot_id
        if not basis.capped:
            changed, previous = ~_unchanged(backlog, basis.texts), basis.candidates
    model, vectorize = None, None
    if len(fitted_on) <= MEMO_MAX_ITEMS:  # small enough for the process to remember (scan_memo)
        model, vectorize = text_model(list(fitted_on["summary"]), list(fitted_on["description_text"]))
    elif model_id is not None:
        model = fit_text_model(list(fitted_on["summary"]), list(fitted_on["description_text"]))
    # The texts go as the frame's own arrays, not lists: a text becomes a Python string (2-4 bytes
    # a character) only while the vectors are made, not for the whole scan (0.24 GB at 170,000 items).
    pairs = top_candidates(
        list(backlog["key"]), backlog["summary"].array, backlog["description_text"].array, per_item=per_item,
        min_score=min_score, model=model, changed=changed, previous=previous, vectorize=vectorize,
    )[CANDIDATE_COLUMNS]
    return Scan(pairs.head(MAX_CANDIDATES), model_id, len(pairs) > MAX_CANDIDATES)


def changed_share(items: pd.DataFrame, reference: pd.DataFrame) -> float:
    """The share of items that are not in `reference` with the same key and texts."""
    return float((~_unchanged(items, reference)).mean()) if len(items) else 0.0


def _unchanged(items: pd.DataFrame, reference: pd.DataFrame) -> np.ndarray:
    """Per item: is it in `reference` with the same key and texts (missing texts equal)?"""
    known = set(_text_rows(reference))
    return np.fromiter((row in known for row in _text_rows(items)), dtype=bool, count=len(items))


def _text_rows(frame: pd.DataFrame) -> Iterator[tuple[str, ...]]:
    """Each row's key and texts, a missing text as NUL (which no text is)."""
    columns = ([value if isinstance(value, str) else "\0" for value in frame[name].tolist()] for name in TEXT_COLUMNS)
    return zip(*columns)
