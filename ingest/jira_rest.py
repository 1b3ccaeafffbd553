"""Snapshots straight from a live Jira site: a board's sprints and backlog, or a JQL query.

Board: the agile API's sprints (all states), the issues of the active and future
sprints, of the last closed sprints (for velocity) and of the backlog. JQL: Cloud pages
/rest/api/3/search/jql with `nextPageToken`; Data Center pages /rest/api/2/search with
`startAt`. Everything is fetched before anything is stored, so a run that fails half
way writes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from backlog_health.ingest.assemble import ReadResult, assemble_snapshot
from backlog_health.ingest.jira_connection import JiraAccessError, JiraSite
from backlog_health.ingest.jira_fields import JiraFields, discover_fields
from backlog_health.ingest.jira_issues import (
    issue_links,
    issue_record,
    links_frame,
    sprint_objects,
    sprints_frame,
    subtask_records,
)
from backlog_health.ingest.jira_locale import vocabulary

PAGE_SIZE = 100  # what Jira Cloud serves at most per page; a server may serve fewer
CLOSED_SPRINTS = 6  # closed sprints whose issues are fetched, for velocity

Progress = Callable[[int, int | None], None]  # (issues fetched, total when known)


def read_jira(
    site: JiraSite,
    *,
    board: int | None = None,
    jql: str | None = None,
    backlog: str | None = None,
    field_overrides: dict[str, str] | None = None,
    closed_sprints: int = CLOSED_SPRINTS,
    page_size: int = PAGE_SIZE,
    progress: Progress = lambda fetched, total: None,
    taken_at: datetime | None = None,
) -> ReadResult:
    """One snapshot of `board` or of the issues `jql` selects, taken now (UTC)."""
    if (board is None) == (jql is None):
        raise JiraAccessError("give exactly one of --board ID or --jql QUERY")
    fields = discover_fields(site.get("field", what="the field list"), field_overrides)
    if board is not None:
        issues, sprints, source = _board(site, board, closed_sprints, page_size, progress)
    else:
        issues = list(_search(site, str(jql), page_size, progress))
        sprints, source = [], f"{site.url} jql: {jql}"
    return snapshot_of(issues, sprints, fields, source=source, backlog=backlog, taken_at=taken_at)


def snapshot_of(
    issues: list[dict[str, Any]],
    sprints: list[dict[str, Any]],
    fields: JiraFields,
    *,
    source: str,
    backlog: str | None = None,
    taken_at: datetime | None = None,
) -> ReadResult:
    """Issue JSON (each key once, first occurrence kept) and sprint objects as a snapshot."""
    vocab = vocabulary()
    records: dict[str, dict[str, Any]] = {}
    links: list[tuple[str, str, str, str]] = []
    sprints = list(sprints)
    for issue in issues:
        if issue.get("key") and issue["key"] not in records:
            records[issue["key"]] = issue_record(issue, fields, vocab)
            links += issue_links(issue, vocab)
            sprints += sprint_objects(issue.get("fields") or {}, fields)
    for issue in issues:
        for sub in subtask_records(issue, vocab):
            records.setdefault(sub["key"], sub)
    if not records:
        raise JiraAccessError(f"{source}: Jira returned no issues; nothing to snapshot")
    items = pd.DataFrame.from_records(list(records.values()))
    items.insert(0, "row_number", range(1, len(items) + 1))
    result = assemble_snapshot(
        items,
        links_frame(links),
        source_kind="jira",
        source_name=source,
        source_rows=len(items),
        backlog=backlog,
        taken_at=taken_at or datetime.now(UTC).replace(tzinfo=None, microsecond=0),
        estimate_columns={
            "story_points": fields.names.get(next(iter(fields.story_points), ""), "Story Points"),
            "original_estimate_seconds": fields.names.get("timeoriginalestimate", "Original estimate"),
        },
    )
    snapshot = dataclasses.replace(result.snapshot, sprints=sprints_frame(sprints))
    return ReadResult(snapshot)


def _board(
    site: JiraSite, board: int, closed_sprints: int, page_size: int, progress: Progress
) -> tuple[list[dict], list[dict], str]:
    what = f"board {board}"
    info = site.get(f"board/{board}", agile=True, what=what)
    sprints: list[dict] = []
    if str(info.get("type", "scrum")).lower() != "kanban":  # kanban boards have no sprints
        try:
            sprints = list(
                _agile_pages(site, f"board/{board}/sprint", "values", page_size, what=f"the sprints of {what}")
            )
        except JiraAccessError as error:
            if error.status != 400:  # 400: "The board does not support sprints"
                raise
    closed = [s for s in sprints if str(s.get("state")).lower() == "closed"]
    closed.sort(key=lambda s: (s.get("completeDate") or s.get("endDate") or s.get("startDate") or "", s.get("id", 0)))
    wanted = [s for s in sprints if str(s.get("state")).lower() in ("active", "future")]
    wanted += closed[-closed_sprints:] if closed_sprints > 0 else []
    sources = [(f"board/{board}/sprint/{s['id']}/issue", f"sprint {s.get('name', s['id'])}") for s in wanted]
    issues: list[dict] = []
    for path, label in sources:
        for issue in _agile_pages(site, path, "issues", page_size, what=label):
            issues.append(issue)
            progress(len(issues), None)
    try:
        backlog = list(_agile_pages(site, f"board/{board}/backlog", "issues", page_size, what=f"the backlog of {what}"))
    except JiraAccessError as error:
        if error.status != 400:  # 400: a board without a backlog (kanban): take the board's open issues
            raise
        backlog = list(_agile_pages(site, f"board/{board}/issue", "issues", page_size, what=f"the issues of {what}"))
    issues += backlog
    progress(len(issues), len(issues))
    name = info.get("name") or what
    return issues, sprints, f"{site.url} board {board} ({name})"


def _agile_pages(site: JiraSite, path: str, key: str, page_size: int, *, what: str) -> Iterator[dict]:
    """Every value of an agile API list: `startAt` paging until `isLast`, `total` or an empty page."""
    start = 0
    while True:
        page = site.get(path, {"startAt": start, "maxResults": page_size}, agile=True, what=what)
        values = page.get(key) or []
        yield from values
        start += len(values)
        total = page.get("total")
        if not values or page.get("isLast") is True or (total is not None and start >= int(total)):
            return


def _search(site: JiraSite, jql: str, page_size: int, progress: Progress) -> Iterator[dict]:
    """Every issue JQL selects: Cloud's token paging, or Data Center's `startAt` paging."""
    fetched = 0
    if site.cloud:
        params: dict[str, Any] = {"jql": jql, "maxResults": page_size, "fields": "*all"}
        seen_tokens: set[str] = set()
        while True:
            page = site.get("search/jql", params, what="the JQL search")
            issues = page.get("issues") or []
            fetched += len(issues)
            yield from issues
            progress(fetched, None)
            token = page.get("nextPageToken")
            if not token or page.get("isLast") is True:
                return
            if token in seen_tokens:
                raise JiraAccessError(f"{site.url}: the JQL search repeated a page token; stopped to avoid a loop")
            seen_tokens.add(token)
            params = {**params, "nextPageToken": token}
    start = 0
    while True:
        page = site.get(
            "search", {"jql": jql, "startAt": start, "maxResults": page_size, "fields": "*all"}, what="the JQL search"
        )
        issues = page.get("issues") or []
        fetched += len(issues)
        yield from issues
        total = page.get("total")
        progress(fetched, None if total is None else int(total))
        start += len(issues)
        if not issues or (total is not None and start >= int(total)):
            return
