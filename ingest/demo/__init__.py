"""A deterministic demo history: two product backlogs over twelve biweekly sprints.

`demo_snapshots` simulates a web-shop checkout team and a mobile app team from the Monday their
first sprint is planned (2026-05-04) to the end of their twelfth sprint, and observes each backlog
once per sprint boundary, the way a scheduled Jira export would. The story it tells is the one the
metrics look for: near-term items that are not ready, an unestimated long tail, planted duplicates,
blocked work, re-ranking and a few big reshuffles, velocity, arrivals and stale items.
Everything comes from `random.Random(seed)`; nothing reads the clock.

The teams' people, epics, stories, bugs and tasks are data (`data/`, read by `tables`); the
simulation is `population` (the starting backlog) and `simulation` (the sprints); `observation`
turns a history into snapshots.
"""

from __future__ import annotations

from backlog_health.ingest.demo.observation import observe
from backlog_health.ingest.demo.population import populate
from backlog_health.ingest.demo.simulation import History
from backlog_health.ingest.demo.tables import teams
from backlog_health.ingest.demo.timeline import SPRINT_COUNT
from backlog_health.model import Snapshot

__all__ = ["demo_snapshots"]


def demo_snapshots(seed: int = 7) -> list[Snapshot]:
    """The demo history: one snapshot per sprint boundary of each demo backlog.

    The same seed always gives the same content, so loading the demo twice stores nothing new.
    Snapshots come ordered by backlog, then time.
    """
    source_name = f"demo (seed {seed})"
    snapshots = []
    for team in teams():
        history = History(team, seed)
        populate(history)
        snapshots.append(observe(history, 0, source_name))
        for sprint in range(1, SPRINT_COUNT + 1):
            history.run_sprint(sprint)
            snapshots.append(observe(history, sprint, source_name))
    return sorted(snapshots, key=lambda s: (s.backlog, s.taken_at))
