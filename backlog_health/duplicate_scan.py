"""Finding duplicate candidates once, when a snapshot is written.

Comparing every pair of a 50,000-item backlog takes tens of seconds; the pairs scoring
at least `SCAN_MIN_SCORE` are stored with the snapshot so that metrics, history and the
dashboard's threshold slider read them instead.

Scores depend only on the backlog items' keys and texts (every score is relative to the
whole backlog's vocabulary), so a snapshot whose backlog has exactly the texts of an
already scanned one has exactly its candidates: `scan_texts` is what to compare.
"""

from __future__ import annotations

import pandas as pd

from backlog_health.backlog import backlog_items
from backlog_health.model import Snapshot, item_columns

SCAN_MIN_SCORE = 0.4  # lowest threshold a reader can ask for without a rescan
SCAN_METHOD = "tfidf-summary-chars+words/1"  # bump when similarity.py changes its scores
CANDIDATE_COLUMNS = ["key_a", "key_b", "score"]
TEXT_COLUMNS = list(item_columns("key", "summary", "description_text"))


def _backlog(snapshot: Snapshot) -> pd.DataFrame:
    items = snapshot.items
    return backlog_items(items)


def scan_texts(items: pd.DataFrame) -> list[tuple[str, str | None, str | None]]:
    """What a scan of these backlog items reads, in key order, missing texts as None."""
    rows = items[TEXT_COLUMNS].astype(object).where(items[TEXT_COLUMNS].notna(), None)
    return sorted(rows.itertuples(index=False, name=None))


def snapshot_scan_texts(snapshot: Snapshot) -> list[tuple[str, str | None, str | None]]:
    """`scan_texts` of a snapshot's backlog items."""
    return scan_texts(_backlog(snapshot))


def scan_candidates(snapshot: Snapshot, min_score: float = SCAN_MIN_SCORE) -> pd.DataFrame:
    """Pairs of backlog items whose text similarity is at least `min_score`."""
    from backlog_health.similarity import candidate_pairs

    backlog = _backlog(snapshot)
    if len(backlog) < 2:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    return candidate_pairs(
        list(backlog["key"]), list(backlog["summary"]), list(backlog["description_text"]), min_score
    )[CANDIDATE_COLUMNS]
