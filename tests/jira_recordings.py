"""A small Jira site built from real recorded REST responses (tests/fixtures/jira-rest/).

The issues, board and sprints are the recorded ones (a Cloud board "KP - Scrum" with 15
issues; go-jira's closed, active and future sprints). The recordings carry few fields, so
each issue gets the fields a backlog needs, with the custom field ids of the recorded
go-jira issue AR-86 (rank customfield_11200, story points customfield_10105, epic link
customfield_10700) and the Cloud default sprint field customfield_10020.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RECORDINGS = Path(__file__).parent / "fixtures" / "jira-rest"

RANK, SPRINT, POINTS, EPIC_LINK = "customfield_11200", "customfield_10020", "customfield_10105", "customfield_10700"
ACCEPTANCE = "customfield_10300"


def recording(name: str) -> Any:
    return json.loads((RECORDINGS / name).read_text(encoding="utf-8"))


def field_list() -> list[dict]:
    """/rest/api/N/field as Jira documents it: system fields and custom fields with schemas."""

    def custom(fid: str, name: str, schema: dict) -> dict:
        return {"id": fid, "key": fid, "name": name, "custom": True, "orderable": True, "navigable": True,
                "searchable": True, "clauseNames": [f"cf[{fid[12:]}]", name], "schema": schema}

    system = [
        {"id": fid, "key": fid, "name": name, "custom": False, "clauseNames": [fid], "schema": {"type": kind}}
        for fid, name, kind in [
            ("summary", "Summary", "string"), ("description", "Description", "string"),
            ("status", "Status", "status"), ("issuetype", "Issue Type", "issuetype"),
            ("created", "Created", "datetime"), ("updated", "Updated", "datetime"),
        ]
    ]
    return system + [
        custom(RANK, "Rank", {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-lexo-rank", "customId": 11200}),
        custom(SPRINT, "Sprint", {"type": "array", "items": "json",
                                  "custom": "com.pyxis.greenhopper.jira:gh-sprint", "customId": 10020}),
        custom(POINTS, "Story Points", {"type": "number",
                                        "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
                                        "customId": 10105}),
        custom(EPIC_LINK, "Epic Link", {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-epic-link",
                                        "customId": 10700}),
        custom(ACCEPTANCE, "Acceptance Criteria",
               {"type": "string", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textarea",
                "customId": 10300}),
    ]


def adf(*paragraphs: str) -> dict:
    return {"type": "doc", "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": p}]} for p in paragraphs]}


@dataclass
class Site:
    """What a fake Jira serves: one board, its sprints, and issues by key in board order."""

    board: dict
    sprints: list[dict]
    issues: list[dict]
    fields: list[dict] = field(default_factory=field_list)
    statuses: list[dict] = field(default_factory=list)  # /rest/api/N/status
    link_types: list[dict] = field(default_factory=list)  # /rest/api/N/issueLinkType

    def issue(self, key: str) -> dict:
        return next(i for i in self.issues if i["key"] == key)

    def sprint_issues(self, sprint_id: int) -> list[dict]:
        return [i for i in self.issues if any(s["id"] == sprint_id for s in i["fields"].get(SPRINT) or [])]

    def backlog_issues(self) -> list[dict]:
        """Issues in no active or future sprint that are not done (sub-tasks included),
        as the recorded board backlog response shows."""
        def planned(issue: dict) -> bool:
            return any(s["state"] in ("active", "future") for s in issue["fields"].get(SPRINT) or [])

        return [i for i in self.issues
                if i["fields"]["status"]["statusCategory"]["key"] != "done" and not planned(i)]


# Board order of the recorded issues is by key; ranks deliberately disagree with it so
# tests can see items ordered by LexoRank, not by the order Jira sent them.
_RANKS = {"KP-9": "0|i0000f:", "KP-3": "0|i00007:", "KP-4": "0|i0000b:", "KP-10": "0|i00003:",
          "KP-11": "0|i0000j:", "KP-12": "0|i0000n:", "KP-8": "0|i0000r:", "KP-5": "0|i0000v:",
          "KP-17": "0|i0000z:", "KP-1": "0|hzzzzr:", "KP-2": "0|hzzzzv:", "KP-7": "0|hzzzzz:"}
_POINTS = {"KP-3": 5.0, "KP-4": 3.0, "KP-10": 8.0, "KP-11": 8.0, "KP-8": 13.0, "KP-1": 5.0, "KP-2": 8.0,
           "KP-7": 3.0, "KP-9": 2.0}


def recorded_site(extra_backlog: int = 0) -> Site:
    """The recorded KP board, enriched; `extra_backlog` more backlog stories make long pages."""
    board = recording("get-board.json")
    sprints = copy.deepcopy(recording("go-jira-sprints.json")["values"])
    for sprint in sprints:
        sprint["originBoardId"] = board["id"]
    by_id = {s["id"]: s for s in sprints}
    closed = [s for s in sprints if s["state"] == "closed"]
    issues = copy.deepcopy(recording("get-board-issues.json")["issues"])
    link_types = {t["name"]: t for t in recording("go-jira-all_issuelinktypes.json")}
    sprint_of = {"KP-1": [closed[0]["id"]], "KP-2": [closed[1]["id"]], "KP-7": [closed[1]["id"], closed[2]["id"]],
                 "KP-3": [closed[2]["id"], 832], "KP-4": [832], "KP-10": [845]}
    for issue in issues:
        f, key = issue["fields"], issue["key"]
        f["project"] = {"id": "10000", "key": "KP", "name": "Kanban Project"}
        f["created"] = "2026-10-01T09:00:00.000+0200"
        f["updated"] = "2026-11-20T16:30:00.000+0200"
        f[RANK] = _RANKS.get(key, f"0|i000{int(key.split('-')[1]) + 20}:")
        f[POINTS] = _POINTS.get(key)
        f[SPRINT] = [_sprint_value(by_id[sid]) for sid in sprint_of.get(key, [])]
        f["issuelinks"], f["subtasks"], f["labels"] = [], [], []
        f["description"] = None
        if f["status"]["statusCategory"]["key"] == "done":
            f["resolutiondate"] = by_id[sprint_of[key][-1]]["completeDate"]
            f["resolution"] = {"id": "10000", "name": "Done"}
        f["assignee"] = {"accountId": "acct0001", "displayName": "Person 01"} if key in ("KP-3", "KP-4") else None
    statuses = {i["fields"]["status"]["id"]: i["fields"]["status"] for i in issues}
    site = Site(board, sprints, issues, statuses=list(statuses.values()), link_types=list(link_types.values()))
    kp3 = site.issue("KP-3")["fields"]
    kp3["description"] = adf("As a shopper I want to save my cart so that I can finish the order later.",
                             "Given a cart When I leave Then it is kept")
    kp3[ACCEPTANCE] = adf("The cart survives a new session.")
    for key in ("KP-13", "KP-14", "KP-15"):
        sub = site.issue(key)
        sub["fields"]["parent"] = {"id": site.issue("KP-3")["id"], "key": "KP-3"}
        kp3["subtasks"].append({"id": sub["id"], "key": key, "fields": {
            "summary": sub["fields"]["summary"], "status": sub["fields"]["status"],
            "issuetype": sub["fields"]["issuetype"]}})
    duplicate = link_types["Duplicate"]
    site.issue("KP-10")["fields"]["issuelinks"].append(_link(duplicate, "outwardIssue", site.issue("KP-11")))
    site.issue("KP-11")["fields"]["issuelinks"].append(_link(duplicate, "inwardIssue", site.issue("KP-10")))
    site.issue("KP-8")["fields"]["issuelinks"].append(_link(link_types["Blocker"], "inwardIssue", site.issue("KP-9")))
    site.issue("KP-9")["fields"][EPIC_LINK] = "KP-17"
    template = site.issue("KP-5")
    for n in range(extra_backlog):
        extra = copy.deepcopy(template)
        extra["id"], extra["key"] = str(20000 + n), f"KP-{100 + n}"
        extra["fields"]["summary"] = f"Backlog story number {n}"
        extra["fields"][RANK] = f"0|i1{n:05d}:"
        extra["fields"][POINTS] = float(n % 5 + 1)
        site.issues.append(extra)
    return site


def _sprint_value(sprint: dict) -> dict:
    """A sprint as the sprint field holds it on Cloud (the agile API's shape plus boardId)."""
    value = {k: sprint[k] for k in ("id", "name", "state", "startDate", "endDate", "completeDate") if k in sprint}
    value["boardId"] = sprint["originBoardId"]
    return value


def _link(link_type: dict, side: str, other: dict) -> dict:
    return {"id": f"{link_type['id']}{other['id']}", "type": link_type,
            side: {"id": other["id"], "key": other["key"],
                   "fields": {"summary": other["fields"]["summary"], "status": other["fields"]["status"]}}}
