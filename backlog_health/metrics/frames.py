"""Small helpers on a snapshot's item frame shared by the metrics."""

from __future__ import annotations

import pandas as pd


def is_estimated(items: pd.DataFrame) -> pd.Series:
    """Story points present (0 counts) or an original estimate above zero."""
    seconds = pd.to_numeric(items["original_estimate_seconds"], errors="coerce")
    return items["story_points"].notna() | (seconds.fillna(0) > 0)


def median_estimate(backlog: pd.DataFrame) -> float | None:
    """The median story points of the estimated backlog items (None if none is)."""
    points = pd.to_numeric(backlog["story_points"], errors="coerce").dropna()
    return None if points.empty else float(points.median())


def ratio(part: int, whole: int) -> float | None:
    """part / whole, or None for an empty whole."""
    return None if whole == 0 else part / whole
