"""The demo's story tables: people, epics, stories, bugs, tasks and rhythm of each team.

They live as data in `data/` (one TOML file per team for the settings and short lists, CSV
files for the long tables) so the story can be edited without touching the simulation; this
module reads them once into frozen dataclasses. Order matters: the simulation draws from
these sequences with a seeded random generator, so reordering rows changes the history.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Bug", "Duplicate", "Epic", "Report", "Story", "Task", "Team", "follow_up_phrases", "teams"]

_PACKAGE = "backlog_health.ingest.demo"


@dataclass(frozen=True)
class Epic:
    """An epic; stories name it by summary in the tables and by position in the simulation."""

    summary: str
    component: str
    description: str
    criteria: tuple[str, ...]  # acceptance criteria its stories may share
    label: str | None = None  # a label most of its stories get


@dataclass(frozen=True)
class Story:
    """"As a <role>, I want to <goal> so that <benefit>." under epic number `epic`."""

    epic: int
    component: str
    role: str
    goal: str
    benefit: str


@dataclass(frozen=True)
class Bug:
    """A bug report: its description lists the steps, the expected and the actual result."""

    component: str
    summary: str
    steps: tuple[str, ...]  # steps to reproduce
    expected: str  # the expected result


@dataclass(frozen=True)
class Task:
    """Technical work: a summary and why it is needed, sometimes with a deadline."""

    component: str
    summary: str
    why: str
    due: datetime | None = None


@dataclass(frozen=True)
class Report:
    """One of the two reports of a planted duplicate."""

    summary: str
    description: str  # Jira wiki markup


@dataclass(frozen=True)
class Duplicate:
    """Two reports of the same thing, written by different people."""

    issue_type: str
    epic: int
    component: str
    first: Report
    second: Report
    linked: bool = False  # someone noticed: a "Duplicate" link joins them
    arrives: int | None = None  # the second report is filed during this sprint
    closed: int | None = None  # the second report is closed as a duplicate during this sprint


@dataclass(frozen=True)
class CustomField:
    """A custom field drawn per item from `choices` (repeats weight the draw)."""

    name: str
    choices: tuple[str, ...]
    issue_types: tuple[str, ...] | None = None  # None: every issue type


@dataclass(frozen=True)
class Team:
    """Everything that makes one demo backlog different from the other."""

    key: str
    team_field: str
    id_offset: int
    initial_open: int
    arrivals: tuple[int, int]
    product_owner: str
    developers: tuple[str, ...]
    reporters: tuple[str, ...]
    labels: tuple[str, ...]
    subtasks: tuple[str, ...]
    subtask_count: tuple[int, int]
    velocity: tuple[int, ...]  # points the team finishes, per sprint
    grooming: tuple[float, ...]  # refinement effort, 0..1, per sprint
    releases: tuple[str, ...]  # the fix version planned in, per sprint
    cleanup: tuple[int, int]  # (sprint, items): stale items closed as Won't Do
    criteria: tuple[str, ...]
    task_criteria: tuple[str, ...]
    contexts: tuple[str, ...]
    bug_notes: tuple[str, ...]
    custom_fields: tuple[CustomField, ...]  # besides Team
    epics: tuple[Epic, ...]
    reshuffles: tuple[tuple[int, tuple[int, ...]], ...]  # (sprint, epics the product owner pulls to the top)
    duplicates: tuple[Duplicate, ...]
    stories: tuple[Story, ...]
    bugs: tuple[Bug, ...]
    tasks: tuple[Task, ...]

    def release(self, sprint: int) -> str:
        """The fix version work planned into `sprint` gets."""
        return self.releases[sprint - 1]

    def reshuffled_epics(self, sprint: int) -> tuple[int, ...] | None:
        """The epics pulled to the top during `sprint`, if the plan changes then."""
        return next((epics for at, epics in self.reshuffles if at == sprint), None)


@cache
def teams() -> tuple[Team, ...]:
    """The demo's teams, in the order `data/teams.toml` lists them."""
    return tuple(_team(name) for name in _toml("teams.toml")["teams"])


@cache
def follow_up_phrases() -> tuple[str, ...]:
    return tuple(_toml("teams.toml")["follow_up_phrases"])


def _text(name: str) -> str:
    return resources.files(_PACKAGE).joinpath("data", name).read_text(encoding="utf-8")


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads(_text(name))


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_text(name), newline="")))


def _team(name: str) -> Team:
    table = _toml(f"{name}.toml")
    epics = tuple(
        Epic(e["summary"], e["component"], e["description"], tuple(e["criteria"]), e.get("label"))
        for e in table["epics"]
    )
    epic_number = {epic.summary: n for n, epic in enumerate(epics)}

    def epic_of(summary: str, where: str) -> int:
        if summary not in epic_number:
            raise ValueError(f"{where}: no epic called {summary!r} in {name}.toml")
        return epic_number[summary]

    stories = tuple(
        Story(epic_of(r["epic"], f"{name}_stories.csv"), r["component"], r["role"], r["goal"], r["benefit"])
        for r in _rows(f"{name}_stories.csv")
    )
    bugs = tuple(
        Bug(r["component"], r["summary"], tuple(r["steps"].split("; ")), r["expected"])
        for r in _rows(f"{name}_bugs.csv")
    )
    tasks = tuple(
        Task(r["component"], r["summary"], r["why"], datetime.fromisoformat(r["due"]) if r["due"] else None)
        for r in _rows(f"{name}_tasks.csv")
    )
    duplicates = tuple(
        Duplicate(
            issue_type=d["issue_type"],
            epic=epic_of(d["epic"], f"{name}.toml, duplicates"),
            component=d["component"],
            first=Report(**d["first"]),
            second=Report(**d["second"]),
            linked=d.get("linked", False),
            arrives=d.get("arrives"),
            closed=d.get("closed"),
        )
        for d in table.get("duplicates", [])
    )
    return Team(
        key=table["key"],
        team_field=table["team_field"],
        id_offset=table["id_offset"],
        initial_open=table["initial_open"],
        arrivals=tuple(table["arrivals"]),
        product_owner=table["product_owner"],
        developers=tuple(table["developers"]),
        reporters=tuple(table["reporters"]),
        labels=tuple(table["labels"]),
        subtasks=tuple(table["subtasks"]),
        subtask_count=tuple(table["subtask_count"]),
        velocity=tuple(table["velocity"]),
        grooming=tuple(table["grooming"]),
        releases=tuple(table["releases"]),
        cleanup=(table["cleanup"]["sprint"], table["cleanup"]["items"]),
        criteria=tuple(table["criteria"]),
        task_criteria=tuple(table["task_criteria"]),
        contexts=tuple(table["contexts"]),
        bug_notes=tuple(table["bug_notes"]),
        custom_fields=tuple(
            CustomField(f["name"], tuple(f["choices"]), tuple(f["issue_types"]) if "issue_types" in f else None)
            for f in table.get("custom_fields", [])
        ),
        epics=epics,
        reshuffles=tuple(
            (r["sprint"], tuple(epic_of(e, f"{name}.toml, reshuffles") for e in r["epics"]))
            for r in table.get("reshuffles", [])
        ),
        duplicates=duplicates,
        stories=stories,
        bugs=bugs,
        tasks=tasks,
    )
