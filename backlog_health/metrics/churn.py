"""Ranking churn between two snapshots of a backlog: did priorities thrash?"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy, pandas and pyarrow only where needed: `metrics --json` starts without them
    import numpy as np
    import pandas as pd
    import pyarrow as pa

# Inversions of longer orders are counted with numpy: from about 50,000 items its import (0.15 s)
# costs less than counting them in Python (0.07 s for 20,000).
NUMPY_FROM = 50_000


def rbo(ranking_a: Sequence[str], ranking_b: Sequence[str], p: float = 0.9) -> float | None:
    """Extrapolated rank-biased overlap of two rankings (Webber, Moffat & Zobel 2010,
    eq. 32), for lists of equal or unequal length; None when either is empty.

    1 means the same order; the top positions weigh most (p = 0.9 puts about 86% of the
    weight on the first 10). Not the `rbo` PyPI package: it defaults to p = 1 and
    mishandles lists of unequal length.
    """
    if not 0 < p < 1:
        raise ValueError("p must be strictly between 0 and 1")
    if not ranking_a or not ranking_b:
        return None
    short, long_ = (ranking_a, ranking_b) if len(ranking_a) <= len(ranking_b) else (ranking_b, ranking_a)
    s, l_len = len(short), len(long_)
    seen_short: set[str] = set()
    seen_long: set[str] = set()
    overlap = 0
    total = 0.0
    x_s = 0
    for d in range(1, l_len + 1):
        item_long = long_[d - 1]
        if d <= s:
            item_short = short[d - 1]
            if item_short == item_long:
                overlap += 1
            else:
                overlap += (item_short in seen_long) + (item_long in seen_short)
            seen_short.add(item_short)
            seen_long.add(item_long)
            if d == s:
                x_s = overlap
        else:
            overlap += item_long in seen_short
            seen_long.add(item_long)
        total += overlap / d * p**d
        if d > s:
            total += x_s * (d - s) / (s * d) * p**d
    extrapolated = ((overlap - x_s) / l_len + x_s / s) * p**l_len
    return (1 - p) / p * total + extrapolated


def kendall_tau(order_a: Sequence[str], order_b: Sequence[str]) -> float | None:
    """(concordant - discordant) / (n(n-1)/2) over items ranked in both; None when n < 2.

    Both orders are rankings of the same items (no ties), so scipy's tau-b equals this tau-a;
    counted here as inversions, because importing scipy.stats alone took longer than the
    whole `metrics` command otherwise does.
    """
    common = set(order_a) & set(order_b)
    if len(common) < 2:
        return None
    position_b = {key: i for i, key in enumerate(k for k in order_b if k in common)}
    b = [position_b[key] for key in order_a if key in common]
    return _tau(len(b), _inversion_count(b))


def _tau(n: int, inversions: int) -> float:
    """Kendall's tau of n ranked items, `inversions` of their pairs out of order."""
    pairs = n * (n - 1) / 2
    # Rounded so identical orders give exactly 1.0, not 0.9999999999999999.
    return round(float((pairs - 2 * inversions) / math.sqrt(pairs) / math.sqrt(pairs)), 12)


def _inversion_count(order: list[int]) -> int:
    """How many pairs of a permutation of 0..n-1 are out of order: a merge sort in Python, or
    `_inversions` with numpy from NUMPY_FROM items."""
    if len(order) >= NUMPY_FROM:
        import numpy as np

        return int(_inversions(np.asarray(order), np.zeros(len(order), np.int64), 1)[0])
    count, width, values = 0, 1, list(order)
    while width < len(values):
        merged: list[int] = []
        for start in range(0, len(values), 2 * width):
            left, right = values[start : start + width], values[start + width : start + 2 * width]
            i = j = 0
            while i < len(left) and j < len(right):
                if left[i] <= right[j]:
                    merged.append(left[i])
                    i += 1
                else:  # right[j] comes before every one of left[i:]
                    merged.append(right[j])
                    j += 1
                    count += len(left) - i
            merged += left[i:] + right[j:]
        values, width = merged, 2 * width
    return count


def _inversions(order: np.ndarray, segment: np.ndarray, segments: int) -> np.ndarray:
    """How many pairs of each segment's permutation of 0..n-1 are out of order (`segment`: the
    segment of each value; a segment's values are contiguous), in O(n log^2 n) for all at once.

    A pair out of order first differs in some bit, where the earlier value has a 1 and the
    later one a 0 while their higher bits agree: per bit, count the 1s before each 0 in its group.
    The segment is put above the value's bits, so no group spans two segments.
    """
    import numpy as np

    totals = np.zeros(segments, np.float64)  # sums of integers, exact below 2**53
    if not len(order):
        return totals.astype(np.int64)
    bits = max(int(order.max()), 1).bit_length()
    keyed = (segment.astype(np.int64) << bits) | order.astype(np.int64)
    for bit in range(bits):
        group = keyed >> (bit + 1)
        by_group = np.argsort(group, kind="stable")  # positions stay in order within a group
        ones = ((keyed[by_group] >> bit) & 1).astype(np.int64)
        sorted_groups = group[by_group]
        starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
        before = np.cumsum(ones) - ones  # ones strictly before, overall
        group_start = np.repeat(before[starts], np.diff(np.r_[starts, len(ones)]))
        totals += np.bincount(segment[by_group], weights=(before - group_start) * (1 - ones), minlength=segments)
    return totals.astype(np.int64)


@dataclass(frozen=True)
class Mover:
    """An item whose rank changed: positions are rank positions in each snapshot."""

    key: str
    summary: str
    previous_position: int
    position: int

    @property
    def moved_up(self) -> int:
        """Positive when the item rose (e.g. from 40 to 3 is +37)."""
        return self.previous_position - self.position


@dataclass(frozen=True)
class Churn:
    """How the ranking changed from the previous snapshot P to this one S."""

    common_items: int
    rbo: float | None
    kendall_tau: float | None
    mean_abs_displacement: float | None
    top_n: int
    entered_top_n: int
    entered_top_n_new: int
    entered_top_n_moved_up: int
    left_top_n: int
    completed_from_top_n: int
    removed_from_top_n: int
    top_n_turnover: float | None
    movers: tuple[Mover, ...] = field(default_factory=tuple)
    entered: tuple[str, ...] = ()
    left: tuple[str, ...] = ()


def rank_churn(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    top_n: int,
    p: float = 0.9,
    movers: int = 10,
) -> Churn:
    """Churn of S (`current`, every row) against P (`previous`, every row).

    Over C = the items that are backlog items in both: RBO and Kendall tau of C ordered
    by S's and by P's rank, and the mean |position in P - position in S| with positions
    renumbered 1..|C| within C. Top-N flows compare S's and P's first `top_n` backlog items.
    """
    from backlog_health.backlog import backlog_items

    s_backlog, p_backlog = backlog_items(current), backlog_items(previous)
    s_keys, p_keys = list(s_backlog["key"]), list(p_backlog["key"])
    common = set(s_keys) & set(p_keys)
    s_common = [k for k in s_keys if k in common]
    p_common = [k for k in p_keys if k in common]
    if common:
        p_index = {key: i for i, key in enumerate(p_common)}
        displacement = sum(abs(p_index[key] - i) for i, key in enumerate(s_common)) / len(common)
    else:
        displacement = None

    s_top, p_top = s_keys[:top_n], p_keys[:top_n]
    s_top_set, p_top_set, p_all_backlog = set(s_top), set(p_top), set(p_keys)
    s_backlog_set = set(s_keys)
    done_in_s = set(current.loc[current["status_category"] == "Done", "key"])
    entered = [k for k in s_top if k not in p_top_set]
    entered_new = [k for k in entered if k not in p_all_backlog]
    left = [k for k in p_top if k in s_backlog_set and k not in s_top_set]
    completed = [k for k in p_top if k in done_in_s]
    removed = [k for k in p_top if k not in s_backlog_set and k not in done_in_s]
    still_backlog = sum(1 for k in p_top if k in s_backlog_set)

    moved = _movers(s_backlog, p_backlog, movers)
    return Churn(
        common_items=len(common),
        rbo=rbo(s_common, p_common, p),
        kendall_tau=kendall_tau(s_common, p_common),
        mean_abs_displacement=displacement,
        top_n=top_n,
        entered_top_n=len(entered),
        entered_top_n_new=len(entered_new),
        entered_top_n_moved_up=len(entered) - len(entered_new),
        left_top_n=len(left),
        completed_from_top_n=len(completed),
        removed_from_top_n=len(removed),
        top_n_turnover=None if still_backlog == 0 else len(left) / still_backlog,
        movers=moved,
        entered=tuple(entered),
        left=tuple(left),
    )


def _movers(s_backlog: pd.DataFrame, p_backlog: pd.DataFrame, count: int) -> tuple[Mover, ...]:
    """The `count` items of both backlogs whose rank position changed most (ties: higher
    position in S first)."""
    joined = s_backlog[["key", "summary", "rank_position"]].merge(
        p_backlog[["key", "rank_position"]], on="key", suffixes=("", "_previous")
    )
    joined = joined[joined["rank_position"] != joined["rank_position_previous"]]
    joined = joined.assign(_distance=(joined["rank_position"] - joined["rank_position_previous"]).abs())
    top = joined.sort_values(["_distance", "rank_position"], ascending=[False, True], kind="stable").head(count)
    return tuple(
        Mover(key, summary, int(previous), int(position))
        for key, summary, position, previous in zip(
            top["key"], top["summary"], top["rank_position"], top["rank_position_previous"]
        )
    )


def churn_of_changes(changes: pa.Table, p: float = 0.9) -> list[Churn | None]:
    """The churn of each step of `snapshot_changes` (a history's, computed in one query; None
    for a step without a previous snapshot), equal to `rank_churn` of the step's snapshots.

    RBO and Kendall tau of every step are computed at once from the common items' rank
    positions: both are orders of the same items C, renumbered 1..|C| within C.
    """
    import numpy as np

    if not 0 < p < 1 and changes.column("previous_id").null_count < changes.num_rows:  # as `rbo` would
        raise ValueError("p must be strictly between 0 and 1")
    previous = changes.column("common_previous_positions").combine_chunks()
    bounds = previous.offsets.to_numpy() - previous.offsets[0].as_py()
    lengths = np.diff(bounds)
    steps = len(lengths)
    segment = np.repeat(np.arange(steps), lengths)
    first = np.repeat(bounds[:-1], lengths)
    position = np.arange(len(segment)) - first  # in S's order, from 0
    positions = previous.flatten().to_numpy()
    # P's numbering (from 0) of each common item: its rank among its step's P positions.
    previous_position = np.empty(len(positions), np.int64)
    previous_position[np.lexsort((positions, segment))] = position
    displacement = np.bincount(segment, weights=np.abs(previous_position - position), minlength=steps)
    inversions = _inversions(previous_position, segment, steps)
    overlaps = _rbo_terms(position, previous_position, first, p)
    rows = changes.drop_columns(["age_micros", "common_previous_positions"]).to_pylist()
    result: list[Churn | None] = []
    for i, row in enumerate(rows):
        if row["previous_id"] is None:
            result.append(None)
            continue
        n, start, end = int(lengths[i]), bounds[i], bounds[i + 1]
        # The terms summed one after the other, as `rbo` adds them: the same float, not a close one.
        result.append(_churn_of_row(
            row,
            n,
            overlap=None if n == 0 else (1 - p) / p * float(np.cumsum(overlaps[start:end])[-1]) + p**n,
            tau=None if n < 2 else _tau(n, int(inversions[i])),
            displacement=int(displacement[i]),
        ))
    return result


def churn_of_step(row: Mapping[str, Any], p: float = 0.9) -> Churn | None:
    """The churn of one step of `snapshot_changes` (its row, as plain values; None without a
    previous snapshot), equal to `rank_churn` of the step's snapshots: its RBO and Kendall tau
    are those functions' own, of the common items' two orders."""
    if row["previous_id"] is None:
        return None
    positions = row["common_previous_positions"]  # P's rank positions, in S's order
    n = len(positions)
    current = list(range(n))
    previous = sorted(current, key=positions.__getitem__)
    index = {item: i for i, item in enumerate(previous)}
    return _churn_of_row(row, n, overlap=rbo(current, previous, p), tau=kendall_tau(current, previous),
                         displacement=sum(abs(index[item] - item) for item in current))


def _churn_of_row(
    row: Mapping[str, Any], n: int, *, overlap: float | None, tau: float | None, displacement: int
) -> Churn:
    """A step's churn from its `snapshot_changes` row and its n common items' RBO (`overlap`),
    Kendall tau and total displacement."""
    entered, left, still = row["entered"], row["left_top_n"], row["still_in_backlog"]
    return Churn(
        common_items=n,
        rbo=overlap,
        kendall_tau=tau,
        mean_abs_displacement=None if n == 0 else displacement / n,
        top_n=row["top_n"],
        entered_top_n=len(entered),
        entered_top_n_new=row["entered_top_n_new"],
        entered_top_n_moved_up=len(entered) - row["entered_top_n_new"],
        left_top_n=len(left),
        completed_from_top_n=row["completed_from_top_n"],
        removed_from_top_n=row["removed_from_top_n"],
        top_n_turnover=None if still == 0 else len(left) / still,
        movers=tuple(Mover(m["key"], m["summary"], m["previous_position"], m["position"]) for m in row["movers"]),
        entered=tuple(entered),
        left=tuple(left),
    )


def _rbo_terms(position: np.ndarray, previous_position: np.ndarray, first: np.ndarray, p: float) -> np.ndarray:
    """Per depth d = 1..|C| of each step: overlap(d) / d * p**d, the terms `rbo` sums for two
    orders of the same items (the overlap at depth d: the items within the first d of both)."""
    import numpy as np

    if not len(position):
        return np.zeros(0)
    depth = np.maximum(position, previous_position)  # from 0: where an item is in both prefixes
    overlap = np.cumsum(np.bincount(first + depth, minlength=len(position))) - first
    weights = np.array([p**d for d in range(1, int(position.max()) + 2)])  # as `rbo` computes them
    return overlap / (position + 1) * weights[position]
