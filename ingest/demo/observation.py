"""A history exported as a `Snapshot`, the way a scheduled Jira export would see it."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from backlog_health.backlog import assign_rank_positions
from backlog_health.ingest.demo import ranks
from backlog_health.ingest.demo.issue import Issue
from backlog_health.ingest.demo.simulation import History
from backlog_health.ingest.demo.timeline import DONE_WINDOW, SPRINT_COUNT, SPRINT_LENGTH, snapshot_time, sprint_start
from backlog_health.ingest.markup import wiki_to_text
from backlog_health.model import ITEM_COLUMNS, LINK_COLUMNS, SPRINT_COLUMNS, Snapshot

_ITEM_TYPES = {
    "row_number": "int32",
    "story_points": "float64",
    "original_estimate_seconds": "Int64",
    "is_subtask": "bool",
    "is_epic": "bool",
    "created": "datetime64[us]",
    "updated": "datetime64[us]",
    "resolved": "datetime64[us]",
    "due": "datetime64[us]",
}
_SPRINT_TYPES = {"start_date": "datetime64[us]", "end_date": "datetime64[us]", "complete_date": "datetime64[us]"}


def observe(history: History, index: int, source_name: str) -> Snapshot:
    """The export of `history` taken at the end of sprint `index` (0: before the first)."""
    taken_at = snapshot_time(index)
    visible = [i for i in history.issues if i.created <= taken_at and _exported(i, taken_at)]
    visible.sort(key=lambda i: -i.number)  # Jira's default order: newest first
    project = history.team.key
    rows = [_row(history, n, issue) for n, issue in enumerate(visible, start=1)]
    items = pd.DataFrame(rows, columns=list(ITEM_COLUMNS)).astype(_ITEM_TYPES)
    items = assign_rank_positions(items)

    present = {id(i) for i in visible}
    link_rows = []
    for source, target, link_type in history.links:
        if id(source) in present:
            link_rows.append((source.key(project), target.key(project), link_type, "outward"))
        if id(target) in present:
            link_rows.append((target.key(project), source.key(project), link_type, "inward"))
    links = pd.DataFrame(link_rows, columns=list(LINK_COLUMNS))

    sprint_rows = []
    for sprint in range(1, min(SPRINT_COUNT, index + 2) + 1):
        complete: datetime | None = None
        if sprint < index:
            state, complete = "closed", history.completed[sprint]
        elif sprint == index:
            state = "active"
        else:
            state = "future"
        started = state != "future"
        sprint_rows.append(
            (
                _sprint_name(project, sprint),
                state,
                sprint_start(sprint) if started else None,
                sprint_start(sprint) + SPRINT_LENGTH if started else None,
                complete,
            )
        )
    sprints = pd.DataFrame(sprint_rows, columns=list(SPRINT_COLUMNS)).astype(_SPRINT_TYPES)
    return Snapshot(
        backlog=project,
        taken_at=taken_at,
        source_kind="demo",
        source_name=source_name,
        items=items,
        links=links,
        sprints=sprints,
        source_rows=len(items),
    )


def _sprint_name(project: str, sprint: int) -> str:
    return f"{project} Sprint {sprint}"


def _exported(issue: Issue, taken_at: datetime) -> bool:
    """The export's filter: open work, epics, and what was resolved in the last weeks."""
    if issue.category != "Done" or issue.issue_type == "Epic":
        return True
    return issue.resolved is not None and taken_at - issue.resolved <= DONE_WINDOW


def plain_text(wiki: str | None) -> str | None:
    """The description's text, by the Jira ingest's `wiki_to_text` one paragraph at a time.

    The demo keeps its blank lines between paragraphs, which `wiki_to_text` collapses into
    one line end; its stored texts (and the golden copy of the CLI's output) have them.
    """
    if wiki is None:
        return None
    return "\n\n".join(wiki_to_text(paragraph) or "" for paragraph in wiki.split("\n\n"))


def _row(history: History, row_number: int, issue: Issue) -> dict[str, object]:
    project = history.team.key
    raw = issue.description()
    sprints = issue.parent.sprints if issue.issue_type == "Sub-task" and issue.parent else issue.sprints
    return {
        "row_number": row_number,
        "key": issue.key(project),
        "issue_id": str(history.team.id_offset + issue.number),
        "project_key": project,
        "summary": issue.summary,
        "description_raw": raw,
        "description_text": plain_text(raw),
        "issue_type": issue.issue_type,
        "is_subtask": issue.issue_type == "Sub-task",
        "is_epic": issue.issue_type == "Epic",
        "status": issue.status,
        "status_category": issue.category,
        "resolution": issue.resolution,
        "story_points": issue.points,
        "original_estimate_seconds": issue.estimate_seconds,
        "assignee": issue.assignee,
        "reporter": issue.reporter,
        "priority": issue.priority,
        "labels": list(issue.labels),
        "components": list(issue.components),
        "fix_versions": list(issue.fix_versions),
        "sprints": [_sprint_name(project, s) for s in sprints],
        "parent_key": issue.parent.key(project) if issue.parent is not None else None,
        "created": issue.created,
        "updated": issue.updated,
        "resolved": issue.resolved,
        "due": issue.due,
        "rank": ranks.render(issue.rank),
        "is_backlog": None,
        "rank_position": None,
        "custom_fields": dict(issue.custom) if issue.custom else None,
    }
