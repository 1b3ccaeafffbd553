"""Estimate coverage of the near term, the long term and the whole backlog."""

from __future__ import annotations

import pytest

from backlog_health.metrics.coverage import coverage_of
from backlog_health.metrics.figures import frame_figures
from backlog_health.rules import Rules
from tests.builders import items


def test_estimate_coverage_hand_computed():
    rows = items([
        {"key": "A", "story_points": 1}, {"key": "B"}, {"key": "C", "story_points": 0},
        {"key": "D", "original_estimate_seconds": 7200}, {"key": "E", "original_estimate_seconds": 0},
    ])
    coverage = coverage_of(frame_figures(rows, Rules(near_term_mode="count", near_term_count=2)))  # near term: A, B
    assert coverage.near_term == 0.5
    assert coverage.long_term == pytest.approx(2 / 3)
    assert coverage.all == pytest.approx(3 / 5)
    everything = coverage_of(frame_figures(rows, Rules(near_term_mode="count", near_term_count=5)))
    assert everything.long_term is None and everything.near_term == pytest.approx(3 / 5)
