"""Which rows of a snapshot are "the backlog", and in what order."""

from __future__ import annotations

import pandas as pd


def is_backlog_item(items: pd.DataFrame) -> pd.Series:
    """Open, ranked work: not Done, not a sub-task (it belongs to its parent), not an epic."""
    return (
        (items["status_category"] != "Done")
        & ~items["is_subtask"].fillna(False).astype(bool)
        & ~items["is_epic"].fillna(False).astype(bool)
    )


def assign_rank_positions(items: pd.DataFrame, *, numeric_rank: bool = False) -> pd.DataFrame:
    """A copy of `items` with `is_backlog` and `rank_position` (1..n over backlog items).

    Jira's LexoRank strings sort correctly as plain strings (that is how Jira orders
    them), so they are compared as strings, ascending. A numeric rank (generic CSVs)
    sorts as a number, lower first. Items with no rank follow the ranked ones in
    file order.
    """
    result = items.copy()
    backlog = is_backlog_item(result)
    result["is_backlog"] = backlog
    rank = result["rank"]
    if numeric_rank:
        sort_rank = pd.to_numeric(rank, errors="coerce")
    else:
        sort_rank = rank.where(rank.notna() & (rank.astype("string").str.len() > 0))
    order = pd.DataFrame(
        {
            "unranked": sort_rank.isna(),
            "sort_rank": sort_rank,
            "row_number": result["row_number"],
        },
        index=result.index,
    )[backlog]
    if numeric_rank:
        order = order.sort_values(["unranked", "sort_rank", "row_number"], kind="stable")
    else:
        # Python's str ordering is code-point ordering, like Jira's and DuckDB's.
        order["sort_rank"] = order["sort_rank"].fillna("")
        order = order.sort_values(["unranked", "sort_rank", "row_number"], kind="stable")
    positions = pd.Series(range(1, len(order) + 1), index=order.index, dtype="Int32")
    result["rank_position"] = positions.reindex(result.index).astype("Int32")
    return result


def backlog_items(items: pd.DataFrame) -> pd.DataFrame:
    """The backlog items in rank order (position 1 first).

    Snapshots read from the store list them first, already in rank order: then this is
    a slice, not a sort of the whole snapshot.
    """
    flags = items["is_backlog"].fillna(False).to_numpy(dtype=bool)
    count = int(flags.sum())
    if flags[:count].all():
        head = items.iloc[:count]
        if head["rank_position"].is_monotonic_increasing:
            return head
    return items[flags].sort_values("rank_position", kind="stable")
