"""Duplicates: linked pairs still open, and candidate pairs found by text similarity."""

from __future__ import annotations

import pandas as pd

from backlog_health.backlog import backlog_items

PAIR_COLUMNS = ["key_a", "key_b"]


def linked_duplicates(items: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Pairs joined by a Duplicate link where both items are still backlog items
    (each unordered pair once, key_a < key_b)."""
    backlog = set(backlog_items(items)["key"])
    duplicate = links[links["link_type"] == "Duplicate"]
    pairs = {
        tuple(sorted((a, b)))
        for a, b in zip(duplicate["from_key"], duplicate["to_key"])
        if a in backlog and b in backlog and a != b
    }
    return pd.DataFrame(sorted(pairs), columns=PAIR_COLUMNS)


def open_candidates(
    candidates: pd.DataFrame,
    linked: pd.DataFrame,
    decisions: pd.DataFrame | None,
    threshold: float,
) -> pd.DataFrame:
    """Candidate pairs at or above `threshold`, minus pairs already linked and pairs a
    person dismissed or confirmed (confirmed ones are reported with the linked)."""
    chosen = candidates[candidates["score"] >= threshold]
    known = set(map(tuple, linked[PAIR_COLUMNS].itertuples(index=False, name=None)))
    if decisions is not None and not decisions.empty:
        known |= set(decisions[PAIR_COLUMNS].itertuples(index=False, name=None))
    keep = pd.Series(
        [pair not in known for pair in chosen[PAIR_COLUMNS].itertuples(index=False, name=None)],
        index=chosen.index,
        dtype=bool,
    )
    return chosen[keep].reset_index(drop=True)


def confirmed_pairs(items: pd.DataFrame, decisions: pd.DataFrame | None) -> pd.DataFrame:
    """Pairs a person confirmed as duplicates where both are still backlog items."""
    if decisions is None or decisions.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    backlog = set(backlog_items(items)["key"])
    confirmed = decisions[decisions["decision"] == "confirmed"]
    keep = confirmed["key_a"].isin(backlog) & confirmed["key_b"].isin(backlog)
    return confirmed.loc[keep, PAIR_COLUMNS].reset_index(drop=True)


def duplicate_pairs(
    items: pd.DataFrame,
    links: pd.DataFrame,
    decisions: pd.DataFrame | None,
    found: pd.DataFrame,
    threshold: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(known, candidates): the pairs linked or confirmed as duplicates that are still open,
    and the candidate pairs in `found` at or above `threshold` that nobody has linked,
    confirmed or dismissed yet."""
    linked = linked_duplicates(items, links)
    confirmed = confirmed_pairs(items, decisions)
    known = pd.concat([linked, confirmed], ignore_index=True).drop_duplicates(ignore_index=True)
    return known, open_candidates(found, known, decisions, threshold)
