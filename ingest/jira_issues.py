"""Jira REST issue JSON as rows of the canonical item and link shapes.

The same shape CSV ingest produces, so every metric works whatever the source. Times
carry the site's UTC offset in the API; they are stored as UTC wall-clock times.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from backlog_health.model import LINK_COLUMNS, SPRINT_COLUMNS
from backlog_health.ingest.adf import adf_json, adf_to_text, is_adf
from backlog_health.ingest.jira_fields import JiraFields
from backlog_health.ingest.jira_locale import JiraVocabulary, normalize
from backlog_health.ingest.markup import wiki_to_text
from backlog_health.ingest.values import status_category

# Jira's status category keys (stable across UI languages).
_CATEGORY_KEYS = {"new": "To Do", "indeterminate": "In Progress", "done": "Done"}


def parse_time(value: object) -> datetime | None:
    """A Jira API time ("2015-12-02T07:39:15.000-0800") as naive UTC."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():  # -0800 -> -08:00
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def issue_record(issue: dict[str, Any], fields: JiraFields, vocab: JiraVocabulary) -> dict[str, Any]:
    """One issue as an item row (without row_number, rank_position and is_backlog)."""
    f = issue.get("fields") or {}
    issue_type = f.get("issuetype") or {}
    status = f.get("status") or {}
    description_raw, description_text = _description(f.get("description"))
    resolved = parse_time(f.get("resolutiondate"))
    resolution = _name(f.get("resolution"))
    type_name = str(issue_type.get("name") or "")
    hierarchy = issue_type.get("hierarchyLevel")
    return {
        "key": issue["key"],
        "issue_id": str(issue.get("id")) if issue.get("id") is not None else None,
        "project_key": (f.get("project") or {}).get("key") or str(issue["key"]).rsplit("-", 1)[0],
        "summary": f.get("summary") or "",
        "description_raw": description_raw,
        "description_text": description_text,
        "issue_type": type_name or None,
        "is_subtask": bool(issue_type.get("subtask")) or (hierarchy == -1),
        "is_epic": hierarchy == 1 or normalize(type_name) in vocab.epic_types,
        "status": status.get("name"),
        "status_category": _category(status, resolved, resolution, vocab),
        "resolution": resolution,
        "story_points": _number(_first(f, fields.story_points)),
        "original_estimate_seconds": _integer(f.get("timeoriginalestimate")),
        "assignee": _person(f.get("assignee")),
        "reporter": _person(f.get("reporter")),
        "priority": _name(f.get("priority")),
        "labels": [str(label) for label in f.get("labels") or []],
        "components": [_name(c) for c in f.get("components") or [] if _name(c)],
        "fix_versions": [_name(v) for v in f.get("fixVersions") or [] if _name(v)],
        "sprints": [s["name"] for s in sprint_objects(f, fields)],
        "parent_key": (f.get("parent") or {}).get("key") or _key(_first(f, fields.epic_link)),
        "created": parse_time(f.get("created")),
        "updated": parse_time(f.get("updated")),
        "resolved": resolved,
        "due": parse_time(f.get("duedate")),
        "rank": _text(_first(f, fields.rank)),
        "custom_fields": _custom_fields(f, fields),
    }


def subtask_records(issue: dict[str, Any], vocab: JiraVocabulary) -> list[dict[str, Any]]:
    """The sub-tasks an issue lists (key, summary, status, type), so that "has sub-tasks"
    holds even when a board query returns parents only."""
    records = []
    for sub in (issue.get("fields") or {}).get("subtasks") or []:
        if not isinstance(sub, dict) or not sub.get("key"):
            continue
        f = sub.get("fields") or {}
        status = f.get("status") or {}
        records.append(
            {
                "key": sub["key"],
                "issue_id": str(sub.get("id")) if sub.get("id") is not None else None,
                "project_key": str(sub["key"]).rsplit("-", 1)[0],
                "summary": f.get("summary") or "",
                "issue_type": (f.get("issuetype") or {}).get("name"),
                "is_subtask": True,
                "is_epic": False,
                "status": status.get("name"),
                "status_category": _category(status, None, None, vocab),
                "priority": _name(f.get("priority")),
                "parent_key": issue["key"],
                "labels": [], "components": [], "fix_versions": [], "sprints": [], "custom_fields": {},
            }
        )
    return records


def _category(status: dict[str, Any], resolved: datetime | None, resolution: str | None,
              vocab: JiraVocabulary) -> str:
    """The status category Jira names by key (stable across UI languages), else as for a CSV
    export without one: from the status name and the resolution."""
    key = str((status.get("statusCategory") or {}).get("key"))
    return _CATEGORY_KEYS.get(key) or status_category(
        None, status.get("name"), resolved=resolved, resolution=resolution, vocab=vocab
    )


def issue_links(issue: dict[str, Any], vocab: JiraVocabulary) -> list[tuple[str, str, str, str]]:
    """(from_key, to_key, link_type, direction) for each of the issue's links; a site's
    own name for the duplicate and blocking link types ("Blocker", "Duplicado") is read
    as "Duplicate" and "Blocks", by the type's name or its outward verb."""
    links = []
    for link in (issue.get("fields") or {}).get("issuelinks") or []:
        kind = link.get("type") or {}
        link_type = kind.get("name")
        for word in (kind.get("name"), kind.get("outward")):
            if word and normalize(str(word)) in vocab.link_types:
                link_type = vocab.link_types[normalize(str(word))]
                break
        for side, direction in (("outwardIssue", "outward"), ("inwardIssue", "inward")):
            other = link.get(side)
            if other and other.get("key") and link_type:
                links.append((issue["key"], other["key"], link_type, direction))
    return links


def links_frame(links: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """Links as a frame of the canonical columns, each once."""
    return pd.DataFrame(links, columns=list(LINK_COLUMNS)).drop_duplicates(ignore_index=True)


def sprint_objects(f: dict[str, Any], fields: JiraFields) -> list[dict[str, Any]]:
    """The issue's sprints, oldest first: the sprint field's objects (Cloud and recent
    Data Center), the agile API's `sprint`/`closedSprints`, or old Data Center's
    "com.atlassian.greenhopper.service.sprint.Sprint@1[id=1,name=...]" strings."""
    found: dict[str, dict[str, Any]] = {}
    values: list[Any] = []
    for fid in fields.sprint:
        values += f.get(fid) or []
    values += f.get("closedSprints") or []
    if f.get("sprint"):
        values.append(f["sprint"])
    for value in values:
        sprint = _legacy_sprint(value) if isinstance(value, str) else value
        if isinstance(sprint, dict) and sprint.get("name"):
            found.setdefault(str(sprint.get("id", sprint["name"])), sprint)
    return sorted(found.values(), key=_sprint_order)


def sprints_frame(sprints: list[dict[str, Any]]) -> pd.DataFrame:
    """Sprint objects (agile API or issue fields) as the canonical sprint frame, oldest first."""
    seen: dict[str, dict[str, Any]] = {}
    for sprint in sorted(sprints, key=_sprint_order):
        seen.setdefault(str(sprint["name"]), sprint)
    rows = [
        {
            "name": name,
            "state": (str(s.get("state")).lower() or None) if s.get("state") else None,
            "start_date": parse_time(s.get("startDate")),
            "end_date": parse_time(s.get("endDate")),
            "complete_date": parse_time(s.get("completeDate")),
        }
        for name, s in seen.items()
    ]
    return pd.DataFrame(rows, columns=list(SPRINT_COLUMNS))


def _sprint_order(sprint: dict[str, Any]) -> tuple:
    state_order = {"closed": 0, "active": 1, "future": 2}
    start = parse_time(sprint.get("startDate"))
    return (
        state_order.get(str(sprint.get("state", "")).lower(), 1),
        start is None,
        start or datetime.min,
        int(sprint["id"]) if str(sprint.get("id", "")).isdigit() else 0,
    )


def _legacy_sprint(text: str) -> dict[str, Any] | None:
    if "[" not in text or not text.endswith("]"):
        return None
    body = text[text.index("[") + 1 : -1]
    values: dict[str, Any] = {}
    for part in body.split(","):
        name, sep, value = part.partition("=")
        if sep:
            values[name.strip()] = None if value == "<null>" else value
        elif values:  # a comma inside the previous value (sprint names may hold commas)
            last = list(values)[-1]
            values[last] = f"{values[last]},{part}"
    return values if values.get("name") else None


def _description(value: Any) -> tuple[str | None, str | None]:
    if value is None or value == "":
        return None, None
    if is_adf(value):
        text = adf_to_text(value)
        return adf_json(value), text or None
    if isinstance(value, str):
        raw = value.replace("\r\n", "\n").strip()
        return raw or None, wiki_to_text(raw) or None
    return json.dumps(value, ensure_ascii=False), None


def _custom_fields(f: dict[str, Any], fields: JiraFields) -> dict[str, str]:
    values: dict[str, str] = {}
    for fid in fields.custom_ids():
        text = _text(f.get(fid))
        if text:
            values.setdefault(fields.names.get(fid, fid), text)
    return values


def _first(f: dict[str, Any], ids: tuple[str, ...]) -> Any:
    for fid in ids:
        if f.get(fid) not in (None, "", []):
            return f[fid]
    return None


def _text(value: Any) -> str | None:
    """A field value as text: ADF as plain text, options by value, lists joined by "; "."""
    if value is None or value == "" or value == []:
        return None
    if is_adf(value):
        return adf_to_text(value) or None
    if isinstance(value, list):
        parts = [_text(v) for v in value]
        return "; ".join(p for p in parts if p) or None
    if isinstance(value, dict):
        for name in ("value", "name", "displayName", "key"):
            if value.get(name):
                return str(value[name])
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _key(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("key")
    return str(value) if value else None


def _name(value: Any) -> str | None:
    return value.get("name") if isinstance(value, dict) else None


def _person(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    return value.get("displayName") or value.get("name") or value.get("accountId")


def _number(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def _integer(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)
