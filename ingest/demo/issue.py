"""One simulated work item: mutable state the simulation changes, rendered into a row per snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from backlog_health.ingest.jira_locale import vocabulary
from backlog_health.ingest.values import status_category


@cache
def category(status: str) -> str:
    """The status category of one of the demo's statuses, as the Jira ingest derives it from
    the name (the demo's statuses are all known names, so a resolution never decides it)."""
    return status_category(None, status, resolved=None, resolution=None, vocab=vocabulary())


@dataclass(eq=False)
class Issue:
    """One work item as the simulation changes it; identity, not content, makes it unique."""

    issue_type: str
    summary: str
    created: datetime
    reporter: str
    priority: str
    components: list[str]
    story: str | None = None  # what the description says once the item is described
    criteria: str | None = None  # the acceptance-criteria section added during refinement
    size: int | None = None  # the estimate the team gives it, None if the team never estimates it
    parent: Issue | None = None
    labels: list[str] = field(default_factory=list)
    custom: dict[str, str] = field(default_factory=dict)
    level: int = 0  # 0: no description, 1: described, 2: described with acceptance criteria
    points: float | None = None
    estimate_seconds: int | None = None
    assignee: str | None = None
    fix_versions: list[str] = field(default_factory=list)
    sprints: list[int] = field(default_factory=list)
    updated: datetime | None = None
    resolved: datetime | None = None
    due: datetime | None = None
    rank: str = ""
    status: str = "Backlog"
    resolution: str | None = None
    pinned: bool = False  # a planted duplicate: never planned, so it stays for the whole history
    title: str | None = None  # a story's goal as a short title, what a follow-up refers to
    number: int = 0

    @property
    def category(self) -> str:
        return category(self.status)

    @property
    def is_open_work(self) -> bool:
        return self.category != "Done" and self.issue_type not in ("Epic", "Sub-task")

    def key(self, project: str) -> str:
        return f"{project}-{self.number}"

    def description(self) -> str | None:
        """The wiki markup the description holds at this level of refinement."""
        if self.level == 0 or self.story is None:
            return None
        if self.level == 2 and self.criteria:
            return f"{self.story}\n\n{self.criteria}"
        return self.story

    def touch(self, when: datetime) -> None:
        self.updated = max(self.updated or when, when)
