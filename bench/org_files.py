"""An organisation's backlogs as Jira CSV exports, one file per backlog per snapshot.

Each backlog starts with `items` rows and changes a little between snapshots, as real ones do:
a few percent of the open items are edited, re-ranked, started or closed, as many new items
arrive as were closed, and the export keeps `items` rows by dropping the oldest closed ones
(like a board filter on "resolved in the last weeks"). Deterministic for a seed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from bench.synthetic import VERBS, VOCABULARY

HEADER = [
    "Summary", "Issue key", "Issue id", "Issue Type", "Status", "Status Category", "Project key",
    "Priority", "Resolution", "Assignee", "Reporter", "Created", "Updated", "Resolved", "Sprint",
    "Labels", "Labels", "Description", "Custom field (Story point estimate)", "Custom field (Rank)",
    "Outward issue link (Blocks)", "Custom field (Team)",
]
START = datetime(2026, 1, 5, 9, 0)
POINTS = ["1", "2", "3", "5", "8", "13"]
PEOPLE = [f"Person {n:02d}" for n in range(1, 41)]
LABELS = ["backend", "frontend", "mobile", "api", "ux", "tech-debt", "security", "data"]
_WEIGHTS = 1 / np.arange(1, len(VOCABULARY) + 1) ** 0.9
_WEIGHTS /= _WEIGHTS.sum()
EDIT_SHARE, RERANK_SHARE, START_SHARE, CLOSE_SHARE = 0.02, 0.05, 0.01, 0.02


@dataclass
class BacklogState:
    """One backlog's issues as the rows of its next export."""

    project: str
    rng: np.random.Generator
    rows: list[dict] = field(default_factory=list)
    next_number: int = 1


def jira_date(value: datetime | None) -> str:
    """Jira Cloud's export format, e.g. 06/Jan/26 9:29 AM."""
    if value is None:
        return ""
    return value.strftime("%d/%b/%y ") + value.strftime("%I:%M %p").lstrip("0")


def _words(rng: np.random.Generator, count: int) -> str:
    return " ".join(rng.choice(VOCABULARY, count, p=_WEIGHTS))


def _description(rng: np.random.Generator) -> str:
    """A few hundred characters of wiki markup: a story, context and acceptance criteria."""
    story = f"As a {rng.choice(['user', 'admin', 'guest'])} I want to {_words(rng, 8)} so that {_words(rng, 6)}."
    context = f"h3. Context\n{_words(rng, 18)}."
    criteria = "\n".join(f"* {_words(rng, 5)}" for _ in range(int(rng.integers(2, 5))))
    return f"{story}\n\n{context}\n\nh3. Acceptance criteria\n{criteria}"


def _new_issue(state: BacklogState, when: datetime, like: dict | None = None) -> dict:
    rng = state.rng
    number = state.next_number
    state.next_number += 1
    if like is not None:  # a re-filed issue: the same text, a word changed
        summary, description = like["Summary"] + " again", like["Description"]
    else:
        summary = f"{rng.choice(VERBS).capitalize()} {_words(rng, 3)} for {_words(rng, 1)}"
        description = _description(rng) if rng.random() < 0.85 else ""
    return {
        "Summary": summary,
        "Issue key": f"{state.project}-{number}",
        "Issue id": str(100000 + number),
        "Issue Type": "Bug" if rng.random() < 0.2 else "Story",
        "Status": "To Do",
        "Status Category": "To Do",
        "Project key": state.project,
        "Priority": str(rng.choice(["Low", "Medium", "High"], p=[0.3, 0.5, 0.2])),
        "Resolution": "",
        "Assignee": str(rng.choice(PEOPLE)) if rng.random() < 0.5 else "",
        "Reporter": str(rng.choice(PEOPLE)),
        "created": when,
        "updated": when,
        "resolved": None,
        "Sprint": "",
        "labels": list(rng.choice(LABELS, int(rng.integers(0, 3)), replace=False)),
        "Description": description,
        "Custom field (Story point estimate)": str(rng.choice(POINTS)) if rng.random() < 0.6 else "",
        "Custom field (Rank)": f"0|i{int(rng.integers(0, 16**7)):07x}:",
        "Outward issue link (Blocks)": "",
        "Custom field (Team)": f"Team {state.project}",
    }


def new_backlog(index: int, items: int, seed: int) -> BacklogState:
    """A backlog of `items` issues created over the year before the first snapshot."""
    project = "".join(chr(ord("A") + int(d)) for d in f"{index:03d}")
    state = BacklogState(project=f"P{project}", rng=np.random.default_rng([seed, index]))
    for n in range(items):
        created = START - timedelta(days=365) + timedelta(minutes=int(n * 365 * 24 * 60 / items))
        issue = _new_issue(state, created)
        if state.rng.random() < 0.15:
            issue.update(Status="Done", **{"Status Category": "Done", "Resolution": "Done"})
            issue["resolved"] = issue["updated"] = min(created + timedelta(days=10), START - timedelta(hours=1))
        if n > 10 and state.rng.random() < 0.02:
            issue["Outward issue link (Blocks)"] = state.rows[int(state.rng.integers(0, n))]["Issue key"]
        state.rows.append(issue)
    return state


def advance(state: BacklogState, when: datetime) -> None:
    """One day of work on the backlog (see the module docstring for the shares)."""
    rng = state.rng
    open_rows = [r for r in state.rows if r["Status Category"] != "Done"]
    if not open_rows:
        return

    def some(share: float) -> list[dict]:
        count = max(1, round(len(open_rows) * share))
        return [open_rows[i] for i in rng.choice(len(open_rows), min(count, len(open_rows)), replace=False)]

    for issue in some(EDIT_SHARE):
        if rng.random() < 0.5 or not issue["Description"]:
            issue["Description"] = (issue["Description"] + f"\n* {_words(rng, 6)}").strip()
        else:
            issue["Summary"] = f"{issue['Summary']} ({_words(rng, 1)})"
        issue["updated"] = when
    for issue in some(RERANK_SHARE):
        issue["Custom field (Rank)"] = f"0|i{int(rng.integers(0, 16**7)):07x}:"
        issue["updated"] = when
    for issue in some(START_SHARE):
        if issue["Status"] == "To Do":
            issue.update(Status="In Progress", **{"Status Category": "In Progress"})
            issue["Sprint"] = f"{state.project} Sprint {1 + (when - START).days // 14}"
            issue["updated"] = when
    closed = some(CLOSE_SHARE)
    for issue in closed:
        issue.update(Status="Done", Resolution="Done", **{"Status Category": "Done"})
        issue["resolved"] = issue["updated"] = when
    for _ in closed:
        like = open_rows[int(rng.integers(0, len(open_rows)))] if rng.random() < 0.05 else None
        state.rows.append(_new_issue(state, when, like))
    # The export keeps its size: the issues closed longest ago drop out of the filter.
    done = sorted((r for r in state.rows if r["Status Category"] == "Done"), key=lambda r: r["resolved"])
    dropped = {id(r) for r in done[: len(closed)]}
    state.rows = [r for r in state.rows if id(r) not in dropped]


def write_export(state: BacklogState, path: Path) -> int:
    """Write the backlog's current rows as a Jira CSV export; returns the number of rows."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for r in state.rows:
            labels = (r["labels"] + ["", ""])[:2]
            writer.writerow(
                [
                    r["Summary"], r["Issue key"], r["Issue id"], r["Issue Type"], r["Status"],
                    r["Status Category"], r["Project key"], r["Priority"], r["Resolution"], r["Assignee"],
                    r["Reporter"], jira_date(r["created"]), jira_date(r["updated"]), jira_date(r["resolved"]),
                    r["Sprint"], labels[0], labels[1], r["Description"],
                    r["Custom field (Story point estimate)"], r["Custom field (Rank)"],
                    r["Outward issue link (Blocks)"], r["Custom field (Team)"],
                ]
            )
    return len(state.rows)
