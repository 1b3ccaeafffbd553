"""Estimate coverage of the near term, the long term and the whole backlog."""

from __future__ import annotations

import pytest

from backlog_health.metrics.coverage import estimate_coverage
from backlog_health.backlog import backlog_items
from tests.builders import items


def test_estimate_coverage_hand_computed():
    backlog = backlog_items(items([
        {"key": "A", "story_points": 1}, {"key": "B"}, {"key": "C", "story_points": 0},
        {"key": "D", "original_estimate_seconds": 7200}, {"key": "E", "original_estimate_seconds": 0},
    ]))
    coverage = estimate_coverage(backlog, ("A", "B"))
    assert coverage.near_term == 0.5
    assert coverage.long_term == pytest.approx(2 / 3)
    assert coverage.all == pytest.approx(3 / 5)
    assert estimate_coverage(backlog, tuple("ABCDE")).long_term is None
