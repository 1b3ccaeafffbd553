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
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from backlog_health.ingest.assemble import ReadResult, assemble_snapshot
from backlog_health.ingest.jira_connection import JiraAccessError, JiraSite
from backlog_health.ingest.jira_changelog import (
    BACKFILL_KIND,
    changelog_incomplete,
    changes_frame,
    issues_at,
    sprint_at,
)
from backlog_health.ingest.jira_fields import JiraFields, discover_fields
from backlog_health.ingest.jira_issues import (
    issue_links,
    issue_record,
    links_frame,
    parse_time,
    sprint_objects,
    sprints_frame,
    subtask_records,
)
from backlog_health.ingest.jira_locale import vocabulary

PAGE_SIZE = 100  # what Jira Cloud serves at most per page; a server may serve fewer
CLOSED_SPRINTS = 6  # closed sprints whose issues are fetched, for velocity
BACKFILL_EVERY_DAYS = 14  # the step back in time of a JQL backfill

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
    return read_jira_history(
        site, board=board, jql=jql, backlog=backlog, field_overrides=field_overrides, closed_sprints=closed_sprints,
        page_size=page_size, progress=progress, taken_at=taken_at,
    )[-1]


def read_jira_history(
    site: JiraSite,
    *,
    board: int | None = None,
    jql: str | None = None,
    backlog: str | None = None,
    field_overrides: dict[str, str] | None = None,
    closed_sprints: int = CLOSED_SPRINTS,
    backfill: int = 0,
    backfill_every_days: int = BACKFILL_EVERY_DAYS,
    page_size: int = PAGE_SIZE,
    progress: Progress = lambda fetched, total: None,
    taken_at: datetime | None = None,
) -> list[ReadResult]:
    """With `backfill` N, the snapshots rebuilt from the changelogs at each of the board's last
    N sprint starts (or every `backfill_every_days` back from now for JQL), oldest first; then
    today's, always last. Everything is fetched before any snapshot is built."""
    if (board is None) == (jql is None):
        raise JiraAccessError("give exactly one of --board ID or --jql QUERY")
    if backfill < 0 or backfill_every_days < 1:
        raise JiraAccessError("--backfill: expected 0 or more steps, and --backfill-every at least 1 day")
    now = taken_at or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    fields = discover_fields(site.get("field", what="the field list"), field_overrides)
    expand = "changelog" if backfill else None
    if board is not None:
        issues, sprints, source = _board(site, board, closed_sprints, page_size, progress, expand=expand)
        moments = sprint_starts(sprints, backfill, now)
    else:
        issues = list(_search(site, str(jql), page_size, progress, expand=expand))
        sprints, source = [], f"{site.url} jql: {jql}"
        moments = [now - timedelta(days=backfill_every_days * step) for step in range(backfill, 0, -1)]
    today = snapshot_of(issues, sprints, fields, source=source, backlog=backlog, taken_at=now)
    if not moments:
        return [today]
    since = moments[0] - timedelta(days=1)  # JQL dates are in the user's time zone: a day's margin
    extra = list(_agile_pages(site, f"board/{board}/issue", "issues", page_size, what=f"the issues of board {board}",
                              params={"expand": "changelog", "jql": f'updated >= "{since:%Y-%m-%d}"'})
                 ) if board is not None else []
    everything = complete_changelogs(site, _unique([*issues, *extra]), page_size)
    statuses = status_categories(site.get("status", what="the status list"))
    link_types = _link_types(site)
    changes = changes_frame(everything, fields)
    by_id = {str(s.get("id")): s for s in sprints}
    rebuilt = []
    for moment in moments:
        past = issues_at(everything, changes, moment, fields, status_categories=statuses, sprints=by_id,
                         link_types=link_types)
        if not past:
            continue  # nothing existed yet
        rebuilt.append(snapshot_of(past, [sprint_at(s, moment) for s in sprints], fields, source=source,
                                   backlog=today.snapshot.backlog, taken_at=moment, source_kind=BACKFILL_KIND))
    return [*rebuilt, today]


def sprint_starts(sprints: list[dict[str, Any]], count: int, now: datetime) -> list[datetime]:
    """The start times of the last `count` started sprints (closed or active), oldest first,
    to the second (as every taken_at)."""
    started = [s for s in sprints if str(s.get("state")).lower() in ("closed", "active")]
    starts = sorted({start.replace(microsecond=0) for s in started
                     if (start := parse_time(s.get("startDate"))) is not None and start < now})
    return starts[-count:] if count > 0 else []


def complete_changelogs(site: JiraSite, issues: list[dict[str, Any]], page_size: int) -> list[dict[str, Any]]:
    """The issues, each with its whole changelog: Cloud embeds at most 100 histories, the
    rest is paged from /issue/{key}/changelog (`startAt` until `isLast`)."""
    complete = []
    for issue in issues:
        if changelog_incomplete(issue):
            key = issue["key"]
            found = list(issue["changelog"].get("histories") or [])
            if site.cloud:
                found += _api_pages(site, f"issue/{key}/changelog", page_size, what=f"the changelog of {key}")
            else:  # Data Center serves the whole changelog with the issue
                found += site.get(f"issue/{key}", {"expand": "changelog", "fields": "created"},
                                  what=f"the changelog of {key}").get("changelog", {}).get("histories") or []
            issue = {**issue, "changelog": {"histories": found}}
        complete.append(issue)
    return complete


def status_categories(statuses: list[dict[str, Any]]) -> dict[str, str]:
    """Status id and lower-case name -> status category key, from /rest/api/N/status."""
    found: dict[str, str] = {}
    for status in statuses or []:
        key = (status.get("statusCategory") or {}).get("key")
        if key:
            found[str(status.get("id"))] = key
            found.setdefault(str(status.get("name") or "").strip().lower(), key)
    return found


def _link_types(site: JiraSite) -> list[dict[str, Any]]:
    """The site's link types, to restore links removed since; none when the site hides them."""
    try:
        return list(site.get("issueLinkType", what="the link types").get("issueLinkTypes") or [])
    except JiraAccessError as error:
        if error.status not in (403, 404):
            raise
        return []


def _unique(issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each key once, the first occurrence kept."""
    seen: dict[str, dict[str, Any]] = {}
    for issue in issues:
        if issue.get("key"):
            seen.setdefault(issue["key"], issue)
    return list(seen.values())


def _api_pages(site: JiraSite, path: str, page_size: int, *, what: str) -> Iterator[dict]:
    """Every value of a platform API list paged with `startAt` until `isLast` or `total`."""
    start = 0
    while True:
        page = site.get(path, {"startAt": start, "maxResults": page_size}, what=what)
        values = page.get("values") or []
        yield from values
        start += len(values)
        total = page.get("total")
        if not values or page.get("isLast") is True or (total is not None and start >= int(total)):
            return


def snapshot_of(
    issues: list[dict[str, Any]],
    sprints: list[dict[str, Any]],
    fields: JiraFields,
    *,
    source: str,
    backlog: str | None = None,
    taken_at: datetime | None = None,
    source_kind: str = "jira",
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
        source_kind=source_kind,
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
    site: JiraSite, board: int, closed_sprints: int, page_size: int, progress: Progress, *, expand: str | None = None
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
    extra = {"expand": expand} if expand else {}
    for path, label in sources:
        for issue in _agile_pages(site, path, "issues", page_size, what=label, params=extra):
            issues.append(issue)
            progress(len(issues), None)
    try:
        backlog = list(_agile_pages(site, f"board/{board}/backlog", "issues", page_size, what=f"the backlog of {what}",
                                    params=extra))
    except JiraAccessError as error:
        if error.status != 400:  # 400: a board without a backlog (kanban): take the board's open issues
            raise
        backlog = list(_agile_pages(site, f"board/{board}/issue", "issues", page_size, what=f"the issues of {what}",
                                    params=extra))
    issues += backlog
    progress(len(issues), len(issues))
    name = info.get("name") or what
    return issues, sprints, f"{site.url} board {board} ({name})"


def _agile_pages(
    site: JiraSite, path: str, key: str, page_size: int, *, what: str, params: dict[str, Any] | None = None
) -> Iterator[dict]:
    """Every value of an agile API list: `startAt` paging until `isLast`, `total` or an empty page."""
    start = 0
    while True:
        page = site.get(path, {**(params or {}), "startAt": start, "maxResults": page_size}, agile=True, what=what)
        values = page.get(key) or []
        yield from values
        start += len(values)
        total = page.get("total")
        if not values or page.get("isLast") is True or (total is not None and start >= int(total)):
            return


def _search(
    site: JiraSite, jql: str, page_size: int, progress: Progress, *, expand: str | None = None
) -> Iterator[dict]:
    """Every issue JQL selects: Cloud's token paging, or Data Center's `startAt` paging."""
    fetched = 0
    extra = {"expand": expand} if expand else {}
    if site.cloud:
        params: dict[str, Any] = {"jql": jql, "maxResults": page_size, "fields": "*all", **extra}
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
            "search", {"jql": jql, "startAt": start, "maxResults": page_size, "fields": "*all", **extra},
            what="the JQL search",
        )
        issues = page.get("issues") or []
        fetched += len(issues)
        yield from issues
        total = page.get("total")
        progress(fetched, None if total is None else int(total))
        start += len(issues)
        if not issues or (total is not None and start >= int(total)):
            return
