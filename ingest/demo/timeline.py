"""The demo's calendar: twelve two-week sprints from Monday 2026-05-04, observed at each boundary."""

from __future__ import annotations

from datetime import datetime, timedelta

FIRST_SPRINT_START = datetime(2026, 5, 4, 10, 0)  # a Monday; planning starts at 10:00
SPRINT_LENGTH = timedelta(days=14)
SPRINT_COUNT = 12
SNAPSHOT_LEAD = timedelta(hours=1, minutes=30)  # the export runs at 08:30, before planning
DONE_WINDOW = timedelta(days=56)  # the export's filter keeps items resolved in the last 8 weeks


def sprint_start(sprint: int) -> datetime:
    """When sprint `sprint` (1-based) is planned."""
    return FIRST_SPRINT_START + SPRINT_LENGTH * (sprint - 1)


def snapshot_time(index: int) -> datetime:
    """When snapshot `index` is taken: the Monday morning that ends sprint `index`."""
    return sprint_start(index + 1) - SNAPSHOT_LEAD
