"""Synthetic backlogs of any size for benchmarks: realistic shape, deterministic, fast.

Not the demo history (ingest/demo/ tells a story for people); this one only has to be
big and plausible: ranks, estimates, sprints, links, descriptions, churn between snapshots.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from backlog_health.backlog import assign_rank_positions
from backlog_health.model import ITEM_COLUMNS, LINK_COLUMNS, SPRINT_SCHEMA, Snapshot

WORDS = np.array(
    "account address admin alert api app archive audit basket billing button cache card cart "
    "catalog checkout client code config coupon crash customer dashboard data date delivery "
    "device discount email error event export feed filter form gateway guest history image "
    "import invoice item label language layout link list locale login logout map menu message "
    "mobile notification order page password payment permission photo price product profile "
    "promo push query rate receipt refund report request review role route search session "
    "setting shipping signup sort status stock store subscription sync tax theme ticket token "
    "tracking upload user voucher wallet warehouse wishlist".split()
)
VERBS = np.array("add allow fix show support improve remove update validate migrate".split())
_SYLLABLES = ["ka", "lo", "mi", "ran", "te", "su", "vo", "pel", "dri", "on", "xa", "bu", "gen", "tor", "il", "ze"]


def _vocabulary(size: int, seed: int = 11) -> np.ndarray:
    """Product words plus made-up domain words, so texts are as varied as real ones."""
    rng = np.random.default_rng(seed)
    made_up = {"".join(rng.choice(_SYLLABLES, rng.integers(2, 4))) for _ in range(size * 2)}
    return np.concatenate([WORDS, np.array(sorted(made_up))[:size]])


VOCABULARY = _vocabulary(4000)
# Zipf-like word frequencies: a few common words, a long tail of rare ones.
_WEIGHTS = 1 / np.arange(1, len(VOCABULARY) + 1) ** 0.9
_WEIGHTS /= _WEIGHTS.sum()
POINTS = np.array([1, 2, 3, 5, 8, 13], dtype=float)


def synthetic_items(count: int, seed: int, start_key: int = 1) -> pd.DataFrame:
    """`count` rows in the canonical item shape (about 85% backlog items)."""
    rng = np.random.default_rng(seed)
    keys = [f"BIG-{i}" for i in range(start_key, start_key + count)]
    verbs = rng.choice(VERBS, count)
    nouns = rng.choice(VOCABULARY, (count, 3), p=_WEIGHTS)
    summaries = [f"{v} {a} {b} for {c}" for v, (a, b, c) in zip(verbs, nouns)]
    body = rng.choice(VOCABULARY, (count, 14), p=_WEIGHTS)
    has_description = rng.random(count) < 0.7
    with_ac = rng.random(count) < 0.4
    descriptions = [
        (("As a user I want " + " ".join(words) + ("\nAcceptance criteria: works" if ac else "")) if has else None)
        for words, has, ac in zip(body, has_description, with_ac)
    ]
    status = rng.choice(["To Do", "In Progress", "Done"], count, p=[0.75, 0.1, 0.15])
    estimated = rng.random(count) < np.linspace(0.95, 0.2, count)
    points = np.where(estimated, rng.choice(POINTS, count, p=[0.15, 0.25, 0.25, 0.2, 0.1, 0.05]), np.nan)
    created = datetime(2025, 1, 1) + pd.to_timedelta(rng.integers(0, 500, count), unit="D")
    sprint_number = rng.integers(1, 13, count)
    subtask = rng.random(count) < 0.05
    frame = pd.DataFrame(
        {
            "row_number": np.arange(1, count + 1),
            "key": keys,
            "issue_id": [str(10000 + i) for i in range(start_key, start_key + count)],
            "project_key": "BIG",
            "summary": summaries,
            "description_raw": descriptions,
            "description_text": descriptions,
            "issue_type": np.where(subtask, "Sub-task", "Story"),
            "is_subtask": subtask,
            "is_epic": False,
            "status": status,
            "status_category": status,
            "story_points": points,
            "original_estimate_seconds": None,
            "assignee": np.where(rng.random(count) < 0.6, rng.choice(["Ann", "Bob", "Cy", "Di"], count), None),
            "priority": "Medium",
            "labels": [[] for _ in range(count)],
            "components": [[] for _ in range(count)],
            "fix_versions": [[] for _ in range(count)],
            "sprints": [[f"Sprint {n}"] if s != "To Do" else [] for n, s in zip(sprint_number, status)],
            "parent_key": [keys[max(0, i - 1)] if st else None for i, st in enumerate(subtask)],
            "created": created,
            "updated": created + pd.to_timedelta(rng.integers(0, 200, count), unit="D"),
            "resolved": [c + timedelta(days=30) if s == "Done" else None for c, s in zip(created, status)],
            "rank": [f"0|{r:08x}:" for r in rng.permutation(count) * 16],
            "custom_fields": [{} for _ in range(count)],
        }
    )
    return frame.reindex(columns=list(ITEM_COLUMNS))


def synthetic_snapshot(count: int, seed: int = 1, taken_at: datetime = datetime(2026, 6, 1)) -> Snapshot:
    """One snapshot of `count` rows."""
    items = assign_rank_positions(synthetic_items(count, seed))
    return _snapshot(items, taken_at, seed)


def synthetic_history(count: int, snapshots: int, seed: int = 1) -> list[Snapshot]:
    """`snapshots` snapshots of about `count` rows, two weeks apart: each re-ranks ~10% of
    the items, finishes ~5% and adds as many new ones."""
    rng = np.random.default_rng(seed)
    items = synthetic_items(count, seed)
    next_key = count + 1
    history = []
    for index in range(snapshots):
        taken_at = datetime(2026, 1, 5) + timedelta(days=14 * index)
        if index:
            items = items.copy()
            open_rows = np.flatnonzero(items["status_category"].to_numpy() != "Done")
            finish = rng.choice(open_rows, size=max(1, len(open_rows) // 20), replace=False)
            items.loc[items.index[finish], ["status", "status_category"]] = "Done"
            moved = rng.choice(len(items), size=max(1, len(items) // 10), replace=False)
            items.loc[items.index[moved], "rank"] = [f"0|{r:08x}:" for r in rng.integers(0, 16 * count, len(moved))]
            fresh = synthetic_items(len(finish), seed * 1000 + index, start_key=next_key)
            next_key += len(fresh)
            items = pd.concat([items[items["status_category"] != "Done"], fresh], ignore_index=True)
            items["row_number"] = np.arange(1, len(items) + 1)
        ranked = assign_rank_positions(items)
        history.append(_snapshot(ranked, taken_at, seed))
    return history


def _snapshot(items: pd.DataFrame, taken_at: datetime, seed: int) -> Snapshot:
    keys = items["key"].to_numpy()
    rng = np.random.default_rng(seed + 7)
    pairs = rng.choice(len(keys), size=(max(1, len(keys) // 100), 2))
    links = pd.DataFrame(
        [(keys[a], keys[b], "Blocks", "outward") for a, b in pairs if a != b], columns=list(LINK_COLUMNS)
    )
    sprints = pd.DataFrame(
        {
            "name": [f"Sprint {n}" for n in range(1, 13)],
            "state": ["closed"] * 11 + ["active"],
            "start_date": [datetime(2025, 6, 2) + timedelta(days=14 * n) for n in range(12)],
            "end_date": [datetime(2025, 6, 16) + timedelta(days=14 * n) for n in range(12)],
            "complete_date": [datetime(2025, 6, 16) + timedelta(days=14 * n) for n in range(11)] + [None],
        }
    ).reindex(columns=list(SPRINT_SCHEMA.names))
    return Snapshot("BIG", taken_at, "demo", f"synthetic (seed {seed})", items, links, sprints)


LOOKALIKE_WORDS = np.array(
    "job failed nightly build report export sync timeout retry server error alert queue backup check".split()
)


def lookalike_texts(count: int, seed: int = 3) -> tuple[list[str], list[str], list[str | None]]:
    """Keys, summaries and descriptions of `count` items that all read alike, as bot-filed or
    templated tickets do: every text drawn from the same 15 words, so nearly every pair scores
    high and an unbounded scan would keep n squared pairs."""
    rng = np.random.default_rng(seed)
    summaries = [" ".join(rng.choice(LOOKALIKE_WORDS, size=6)) for _ in range(count)]
    descriptions = [
        f"Automated report:\n{' '.join(rng.choice(LOOKALIKE_WORDS, size=12))}\nHost: srv-{i % 50}"
        for i in range(count)
    ]
    return [f"BOT-{i + 1}" for i in range(count)], summaries, descriptions
