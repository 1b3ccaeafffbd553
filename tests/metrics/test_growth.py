"""Growth and aging: added, finished, removed, median age, stale and old items."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backlog_health.metrics.figures import frame_figures
from backlog_health.metrics.growth import growth
from backlog_health.rules import Rules
from tests.builders import items, ranked


def test_growth_hand_computed():
    taken = datetime(2026, 3, 1)
    previous = items(ranked("ABCD"))
    current = items([
        {"key": "A", "status_category": "Done"},
        {"key": "B", "created": taken - timedelta(days=10), "updated": taken - timedelta(days=100)},
        {"key": "D", "created": taken - timedelta(days=20), "updated": taken - timedelta(days=10)},
        {"key": "E", "created": taken - timedelta(days=400)},
    ])
    figures = frame_figures(current, Rules(near_term_mode="count", near_term_count=1), taken_at=taken)  # near: B
    result = growth(current, previous, taken, figures)
    assert (result.backlog_items, result.added, result.finished, result.removed) == (3, 1, 1, 1)
    assert result.median_age_days == pytest.approx(20.0)
    assert result.stale == 2 and set(result.stale_keys) == {"B", "E"}  # E: never updated, created 400 days ago
    assert result.old_long_term == 1 and result.old_long_term_keys == ("E",)
    first = growth(current, None, taken, figures)
    assert first.added is None and first.finished is None


def test_stale_means_not_updated_for_more_than_stale_days():
    taken = datetime(2026, 3, 1, 9, 0)
    current = items([
        {"key": "A", "created": taken - timedelta(days=200), "updated": taken - timedelta(days=90)},
        {"key": "B", "created": taken - timedelta(days=200), "updated": taken - timedelta(days=90, seconds=1)},
        {"key": "C", "created": taken - timedelta(days=366)},  # never updated: its creation counts
        {"key": "D", "created": taken - timedelta(days=365)},
    ])
    rules = Rules(near_term_mode="count", near_term_count=1, stale_days=90, old_days=365)  # near: A
    result = growth(current, None, taken, frame_figures(current, rules, taken_at=taken))
    assert result.stale_keys == ("B", "C", "D")  # exactly 90 days (A) is not yet stale
    assert result.old_long_term_keys == ("C",)  # exactly 365 days (D) is not yet old
