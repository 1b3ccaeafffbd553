"""Past states of Jira issues, replayed backwards from today's fields through their changelogs.

Pure functions over issue JSON (no HTTP): every change of every issue is read once into a
frame; the value a field had at a moment is the `from` of its first change after that
moment (vectorised: one sort and one drop_duplicates per moment), else today's value.
Changes are matched by `fieldId`, falling back to the field's name (the site's own names,
then Jira's English ones), so renamed fields and other UI languages work.

Not in the changelog, so kept as today's: the rank (Jira records "Ranked higher", not the
new rank), reporter, and anything the site hides from the changelog. Deleted issues are
not known at all.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pandas as pd

from backlog_health.ingest.jira_fields import JiraFields
from backlog_health.ingest.jira_issues import parse_time

BACKFILL_KIND = "jira-backfill"

# Roles whose value at a moment is the `from` of the first change after it.
SCALAR_ROLES = (
    "status", "summary", "description", "issue_type", "assignee", "original_estimate", "story_points",
    "labels", "sprint", "parent", "resolution", "priority", "due", "custom",
)
# Roles changed one value at a time (each change adds or removes one value).
SET_ROLES = ("link", "component", "fix_version")

_SYSTEM_IDS = {
    "status": "status", "summary": "summary", "description": "description", "issuetype": "issue_type",
    "assignee": "assignee", "timeoriginalestimate": "original_estimate", "labels": "labels",
    "resolution": "resolution", "priority": "priority", "duedate": "due", "parent": "parent",
    "issueparentassociation": "parent", "components": "component", "fixversions": "fix_version",
    "issuelinks": "link",
}
# Jira's English field names in changelogs that carry no fieldId (e.g. "Link", "Parent").
_SYSTEM_NAMES = {
    "status": "status", "summary": "summary", "description": "description", "issue type": "issue_type",
    "issuetype": "issue_type", "assignee": "assignee", "timeoriginalestimate": "original_estimate",
    "original estimate": "original_estimate", "labels": "labels", "resolution": "resolution",
    "priority": "priority", "due date": "due", "duedate": "due", "parent": "parent",
    "issueparentassociation": "parent", "epic link": "parent", "parent link": "parent", "link": "link",
    "component": "component", "fix version": "fix_version", "sprint": "sprint",
    "story points": "story_points", "story point estimate": "story_points", "rank": "rank",
}

CHANGE_COLUMNS = ("key", "at", "history", "role", "field_id", "from_value", "from_string", "to_value", "to_string")


def changelog_incomplete(issue: dict[str, Any]) -> bool:
    """Whether the issue embeds fewer histories than its changelog holds (Cloud embeds 100)."""
    changelog = issue.get("changelog") or {}
    total = changelog.get("total")
    return total is not None and int(total) > len(changelog.get("histories") or [])


def field_roles(fields: JiraFields) -> tuple[dict[str, str], dict[str, str]]:
    """(role by field id, role by lower-case field name) for this site's fields."""
    by_id = dict(_SYSTEM_IDS)
    for role, ids in (("story_points", fields.story_points), ("sprint", fields.sprint),
                      ("parent", fields.epic_link), ("rank", fields.rank)):
        by_id.update({fid.lower(): role for fid in ids})
    by_id.update({fid.lower(): "custom" for fid in fields.custom_ids()})
    by_name = dict(_SYSTEM_NAMES)
    by_name.update({name.strip().lower(): by_id[fid.lower()] for fid, name in fields.names.items()
                    if fid.lower() in by_id})
    return by_id, by_name


def changes_frame(issues: Iterable[dict[str, Any]], fields: JiraFields) -> pd.DataFrame:
    """Every field change of every issue as one row (see CHANGE_COLUMNS), in time order;
    a history served twice (embedded and paged) counts once, and changes of fields no role
    rebuilds (attachments, comments, rank) are left out."""
    by_id, by_name = field_roles(fields)
    names_to_id = {name.strip().lower(): fid for fid, name in fields.names.items()}
    rows = []
    for issue in issues:
        for history in (issue.get("changelog") or {}).get("histories") or []:
            for n, item in enumerate(history.get("items") or []):
                field_id = str(item.get("fieldId") or "").lower()
                name = str(item.get("field") or "").strip().lower()
                role = by_id.get(field_id) or by_name.get(name)
                if role is None or role == "rank":
                    continue
                if not field_id:
                    field_id = names_to_id.get(name, name).lower()
                rows.append((issue["key"], history.get("created"), _id(history), n, role, field_id,
                             *(_str(item.get(name)) for name in ("from", "fromString", "to", "toString"))))
    frame = pd.DataFrame(rows, columns=["key", "at", "history", "item", *CHANGE_COLUMNS[3:]], dtype=object)
    frame = frame.drop_duplicates(["key", "history", "item"])
    # Jira's times carry the site's offset ("+0100"): parsed at once, kept as naive UTC
    at = pd.to_datetime(frame["at"], utc=True, format="ISO8601", errors="coerce")
    frame["at"] = at.dt.tz_convert(None)
    frame = frame[frame["at"].notna()].sort_values(["key", "at", "history", "item"], kind="stable")
    return frame.drop(columns="item").reset_index(drop=True)


def issues_at(
    issues: list[dict[str, Any]],
    changes: pd.DataFrame,
    moment: datetime,
    fields: JiraFields,
    *,
    status_categories: dict[str, str],
    sprints: dict[str, dict[str, Any]],
    link_types: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The issues as they were at `moment` (naive UTC): those created by then, each with
    its fields replayed back to that moment. `status_categories` maps a status id (or a
    lower-case name) to its category key; `sprints` maps a sprint id to the board's sprint;
    `link_types` (the site's) let links removed since be restored."""
    after = changes[changes["at"] > moment]
    firsts = after[after["role"].isin(SCALAR_ROLES)].drop_duplicates(["key", "role", "field_id"], keep="first")
    scalar = _by_key(firsts)
    sets = _by_key(after[after["role"].isin(SET_ROLES)].iloc[::-1])  # undone newest first
    before = changes[changes["at"] <= moment]
    last_change = before.groupby("key")["at"].max().to_dict()
    resolved_at = before[before["role"] == "resolution"].groupby("key")["at"].max().to_dict()
    # An issue without a creation time (never so in Jira, but in trimmed recordings) is kept.
    alive = {i["key"] for i in issues if (_created(i) or moment) <= moment}
    result = []
    for issue in issues:
        if issue.get("key") not in alive:
            continue
        past = copy.copy(issue)
        f = past["fields"] = dict(issue.get("fields") or {})
        f.pop("sprint", None), f.pop("closedSprints", None)  # the agile API's extras: today's sprints
        for row in scalar.get(issue["key"], ()):
            _set_scalar(f, row, fields, status_categories, sprints)
        for row in sets.get(issue["key"], ()):
            _undo_set_change(f, row, link_types)
        for fid in fields.sprint:
            f[fid] = [sprint_at(s, moment) if isinstance(s, dict) else s for s in f.get(fid) or []]
        if f.get("resolution") is None:
            f["resolutiondate"] = None
        elif (parse_time(f.get("resolutiondate")) or moment) > moment:
            when = resolved_at.get(issue["key"])
            f["resolutiondate"] = None if when is None else when.isoformat()
        known = [t for t in (last_change.get(issue["key"]), _created(issue)) if t is not None]
        f["updated"] = max(known).isoformat() if known else None
        f["subtasks"] = [s for s in f.get("subtasks") or [] if s.get("key") in alive]
        result.append(past)
    return result


def _by_key(changes: pd.DataFrame) -> dict[str, list[Any]]:
    """The changes as named tuples grouped by issue key, in the frame's order."""
    grouped: dict[str, list[Any]] = {}
    for row in changes.itertuples(index=False):
        grouped.setdefault(row.key, []).append(row)
    return grouped


def sprint_at(sprint: dict[str, Any], moment: datetime) -> dict[str, Any]:
    """A sprint as it stood at `moment`: closed once completed, active once started, else future."""
    started, completed = parse_time(sprint.get("startDate")), parse_time(sprint.get("completeDate"))
    past = dict(sprint)
    if completed is not None and completed <= moment:
        past["state"] = "closed"
    else:
        past.pop("completeDate", None)
        past["state"] = "active" if started is not None and started <= moment else "future"
    return past


def _set_scalar(f: dict[str, Any], row: Any, fields: JiraFields, categories: dict[str, str],
                sprints: dict[str, dict[str, Any]]) -> None:
    """Put the value a field had before `row`'s change into the issue's fields."""
    value, text = row.from_value, row.from_string
    role = row.role
    if role == "status":
        category = categories.get(str(value)) or categories.get(str(text or "").strip().lower())
        f["status"] = {"id": value, "name": text, **({"statusCategory": {"key": category}} if category else {})}
    elif role == "summary":
        f["summary"] = text or ""
    elif role == "description":
        f["description"] = text or None
    elif role == "issue_type":
        today = f.get("issuetype") or {}
        same = str(today.get("id")) == str(value)
        f["issuetype"] = {"id": value, "name": text, "subtask": today.get("subtask", False),
                          **({"hierarchyLevel": today.get("hierarchyLevel")} if same else {})}
    elif role == "assignee":
        f["assignee"] = {"displayName": text, "accountId": value} if (text or value) else None
    elif role == "original_estimate":
        f["timeoriginalestimate"] = _number(value)
    elif role == "story_points":
        for fid in fields.story_points:
            f[fid] = _number(text if text not in (None, "") else value) if fid == row.field_id else None
    elif role == "labels":
        f["labels"] = str(text or "").split()
    elif role == "sprint":
        ids = [part.strip() for part in str(value or "").split(",") if part.strip()]
        names = [part.strip() for part in str(text or "").split(",") if part.strip()]
        values = [sprints.get(sid) or {"id": sid, "name": names[n] if n < len(names) else sid}
                  for n, sid in enumerate(ids)]
        for fid in fields.sprint:
            f[fid] = values if fid == row.field_id or len(fields.sprint) == 1 else []
    elif role == "parent":
        f["parent"] = {"id": value, "key": text} if text else None
        for fid in fields.epic_link:
            f[fid] = None
    elif role == "resolution":
        f["resolution"] = {"id": value, "name": text} if (text or value) else None
    elif role == "priority":
        f["priority"] = {"id": value, "name": text} if (text or value) else None
    elif role == "due":
        f["duedate"] = value or None
    elif role == "custom":
        f[row.field_id] = text or None


def _undo_set_change(f: dict[str, Any], row: Any, link_types: list[dict[str, Any]]) -> None:
    """Undo one change that added or removed a single value (a link, a component, a version)."""
    if row.role == "link":
        links = list(f.get("issuelinks") or [])
        if row.to_value:  # added since: drop it
            links = [link for link in links if _other_key(link) != row.to_value]
        if row.from_value:  # removed since: restore it when its wording names a link type
            restored = _link_from_text(str(row.from_string or ""), str(row.from_value), link_types)
            links += [restored] if restored else []
        f["issuelinks"] = links
        return
    name = "components" if row.role == "component" else "fixVersions"
    values = list(f.get(name) or [])
    if row.to_string:
        values = [v for v in values if (v or {}).get("name") != row.to_string]
    if row.from_string:
        values.append({"id": row.from_value, "name": row.from_string})
    f[name] = values


def _link_from_text(text: str, other: str, link_types: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A link as issue JSON from a changelog's "This issue duplicates KP-5" and the site's
    link types (the longest matching inward or outward phrase wins)."""
    phrases = [(str(t.get(side) or ""), t, side) for t in link_types for side in ("outward", "inward")]
    for phrase, link_type, side in sorted(phrases, key=lambda p: -len(p[0])):
        if phrase and phrase.lower() in text.lower():
            return {"type": link_type, f"{side}Issue": {"key": other}}
    return None


def _other_key(link: dict[str, Any]) -> str | None:
    return ((link.get("outwardIssue") or link.get("inwardIssue")) or {}).get("key")


def _str(value: Any) -> str | None:
    """A changelog value as text (ids come as strings or numbers), None when absent."""
    return None if value is None else str(value)


def _created(issue: dict[str, Any]) -> datetime | None:
    return parse_time((issue.get("fields") or {}).get("created"))


def _number(value: Any) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def _id(history: dict[str, Any]) -> int:
    try:
        return int(history.get("id") or 0)
    except (TypeError, ValueError):
        return 0
