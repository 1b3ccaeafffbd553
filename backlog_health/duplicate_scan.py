"""Finding duplicate candidates once, when a snapshot is written.

Comparing every pair of a 50,000-item backlog takes tens of seconds; the pairs scoring
at least `SCAN_MIN_SCORE` are stored with the snapshot so that metrics, history and the
dashboard's threshold slider read them instead.
"""

from __future__ import annotations

import pandas as pd

from backlog_health.model import Snapshot

SCAN_MIN_SCORE = 0.4  # lowest threshold a reader can ask for without a rescan
SCAN_METHOD = "tfidf-summary-chars+words/1"  # bump when similarity.py changes its scores
CANDIDATE_COLUMNS = ["key_a", "key_b", "score"]


def scan_candidates(snapshot: Snapshot, min_score: float = SCAN_MIN_SCORE) -> pd.DataFrame:
    """Pairs of backlog items whose text similarity is at least `min_score`."""
    from backlog_health.similarity import candidate_pairs

    items = snapshot.items
    backlog = items[items["is_backlog"].fillna(False).astype(bool)]
    if len(backlog) < 2:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    return candidate_pairs(
        list(backlog["key"]), list(backlog["summary"]), list(backlog["description_text"]), min_score
    )[CANDIDATE_COLUMNS]
