"""The dashboard's colours, one meaning each, the same on every page and in the report."""

from __future__ import annotations

READY = "#2e7d32"  # ready items and good news
NOT_READY = "#c62828"  # not-ready items and the checks they fail
NEAR_TERM = "#1565c0"  # the near term (must be ready soon)
LONG_TERM = "#90a4ae"  # the long term (may stay rough)
LINKED = "#6a1b9a"  # duplicates someone linked or confirmed
CANDIDATE = "#ef6c00"  # duplicates suggested by text similarity
MOVED_UP = "#0277bd"  # ranking moves: not good or bad, so neither green nor red
MOVED_DOWN = "#8d6e63"
NEUTRAL = "#546e7a"
LIMIT = "#424242"  # threshold lines

# Distinguishable line colours for many items (bump chart); none is green or red, which
# mean ready and not ready everywhere else.
SERIES = (
    "#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#756bb1",
    "#636363", "#9c9ede", "#cedb9c", "#e7ba52",
)
