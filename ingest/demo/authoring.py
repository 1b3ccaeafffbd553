"""New work items written from a team's tables: stories, bugs, tasks, follow-ups, duplicates.

Every draw comes from the history's seeded generator, in a fixed order, so the same seed
always writes the same items.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from backlog_health.ingest.demo.issue import Issue
from backlog_health.ingest.demo.tables import Bug, Duplicate, Report, Story, Task, Team, follow_up_phrases

_SIZES = {  # story points the team would give, and how often
    "Story": ((1, 2, 3, 5, 8, 13), (4, 14, 24, 27, 19, 12)),
    "Task": ((1, 2, 3, 5, 8), (14, 26, 30, 20, 10)),
    "Bug": ((1, 2, 3, 5), (30, 32, 24, 14)),
}
_PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
_PRIORITY_WEIGHTS = {"Bug": (8, 27, 43, 20, 2), "Story": (3, 20, 60, 15, 2), "Task": (2, 15, 60, 20, 3)}
_TEAM_FIELD_SINCE = datetime(2025, 9, 1)  # when the Team custom field was introduced


def _article(word: str) -> str:
    return "an" if word[0].lower() in "aeiou" else "a"


def _third_person(goal: str) -> str:
    """"check out my cart" -> "check out their cart", for an acceptance criterion."""
    goal = re.sub(r"\bmy\b", "their", goal)
    goal = re.sub(r"\bI am\b", "they are", goal)
    return re.sub(r"\bI\b", "they", goal)


class Author:
    """Writes a team's new items; each story, bug and task of its tables is used once."""

    def __init__(self, team: Team, rng: random.Random) -> None:
        self.team = team
        self.rng = rng
        self.pools: dict[str, list[Story | Bug | Task]] = {
            "Story": self._shuffled(team.stories),
            "Bug": self._shuffled(team.bugs),
            "Task": self._shuffled(team.tasks),
        }
        self.epics: list[Issue] = []  # the team's epics, as the history creates them
        self.follow_ups: list[Issue] = []  # finished items someone may file a follow-up for

    def _shuffled(self, items: tuple[Story | Bug | Task, ...]) -> list[Story | Bug | Task]:
        pool = list(items)
        self.rng.shuffle(pool)
        return pool

    # -- fields --

    def size(self, issue_type: str) -> int | None:
        if issue_type == "Bug" and self.rng.random() < 0.4:
            return None  # many bugs are fixed without ever being estimated
        return self.rng.choices(*_SIZES[issue_type])[0]

    def priority(self, issue_type: str) -> str:
        return self.rng.choices(_PRIORITIES, _PRIORITY_WEIGHTS[issue_type])[0]

    def custom_fields(self, issue_type: str) -> dict[str, str]:
        """The Team field and the team's other custom fields for an item of `issue_type`."""
        fields = {"Team": self.team.team_field}
        for custom in self.team.custom_fields:
            if custom.issue_types is None or issue_type in custom.issue_types:
                fields[custom.name] = self.rng.choice(custom.choices)
        return fields

    def _custom(self, issue_type: str, created: datetime) -> dict[str, str]:
        # Older items only get the custom fields when they are refined.
        if created < _TEAM_FIELD_SINCE and self.rng.random() < 0.8:
            return {}
        return self.custom_fields(issue_type)

    def reporter(self, issue_type: str) -> str:
        team = self.team
        if issue_type == "Story" or self.rng.random() < 0.35:
            return team.product_owner if self.rng.random() < 0.75 else self.rng.choice(team.reporters)
        return self.rng.choice(team.reporters)

    def _labels(self, issue_type: str, epic: int | None) -> list[str]:
        chosen: list[str] = []
        if issue_type == "Task" and self.rng.random() < 0.5:
            chosen.append("tech-debt")
        if issue_type == "Bug" and self.rng.random() < 0.2:
            chosen.append("regression")
        epic_label = self.team.epics[epic].label if epic is not None else None
        if epic_label is not None and self.rng.random() < 0.7:
            chosen.append(epic_label)
        if self.rng.random() < 0.25:
            extra = self.rng.choice(self.team.labels)
            if extra not in chosen:
                chosen.append(extra)
        return chosen

    # -- items --

    def new_item(self, issue_type: str, created: datetime) -> Issue | None:
        """A fresh item of `issue_type` from the team's pool, or None when the pool is used up."""
        pool = self.pools[issue_type]
        if not pool:
            return None
        entry = pool.pop()
        rng, team = self.rng, self.team
        title, due = None, None
        if isinstance(entry, Story):
            a = _article(entry.role)
            summary = title = entry.goal[0].upper() + entry.goal[1:]
            if rng.random() < 0.15:
                summary = f"As {a} {entry.role}, I want to {entry.goal}"
            story = f"As {a} {entry.role}, I want to {entry.goal} so that {entry.benefit}."
            if rng.random() < 0.55:
                story += "\n\n" + rng.choice(team.contexts)
            bullets = [f"{a.capitalize()} {entry.role} can {_third_person(entry.goal)}"]
            bullets += rng.sample(team.epics[entry.epic].criteria, rng.randint(1, 2))
            bullets.append(rng.choice(team.criteria))
            criteria = "h3. Acceptance criteria\n" + "\n".join(f"* {b}" for b in bullets)
            epic, parent = entry.epic, self.epics[entry.epic]
        elif isinstance(entry, Bug):
            summary = entry.summary
            story = f"{summary}. {rng.choice(team.bug_notes)}"
            step_lines = "\n".join(f"# {s}" for s in entry.steps)
            criteria = (
                f"h3. Steps to reproduce\n{step_lines}\n\nh3. Expected result\n{entry.expected}.\n\n"
                f"h3. Actual result\n{summary}.\n\nh3. Acceptance criteria\n* {entry.expected}\n"
                "* A regression test covers this case"
            )
            epic, parent = None, None
        else:
            summary, due = entry.summary, entry.due
            story = entry.why if rng.random() < 0.6 else f"{entry.why} {rng.choice(team.contexts)}"
            bullets = rng.sample(team.task_criteria, 2)
            criteria = "h3. Acceptance criteria\n" + "\n".join(f"* {b}" for b in bullets)
            epic, parent = None, None
        return Issue(
            issue_type=issue_type,
            summary=summary,
            created=created,
            reporter=self.reporter(issue_type),
            priority=self.priority(issue_type),
            components=[entry.component],
            story=story,
            criteria=criteria,
            size=self.size(issue_type),
            parent=parent,
            labels=self._labels(issue_type, epic),
            custom=self._custom(issue_type, created),
            title=title,
            due=due,
        )

    def follow_up(self, created: datetime) -> Issue | None:
        """A follow-up to a finished item: how backlogs keep growing after a release."""
        if not self.follow_ups:
            return None
        origin = self.follow_ups.pop(self.rng.randrange(len(self.follow_ups)))
        phrase = self.rng.choice(follow_up_phrases())
        return Issue(
            issue_type="Story",
            summary=f"{origin.title}: {phrase}",
            created=created,
            reporter=self.reporter("Story"),
            priority="Medium",
            components=list(origin.components),
            story=f"Follow-up to {origin.key(self.team.key)}. {self.rng.choice(self.team.contexts)}",
            criteria="h3. Acceptance criteria\n* " + self.rng.choice(self.team.criteria),
            size=self.rng.choice((2, 3, 3, 5, 8)),
            parent=origin.parent,
            custom=self._custom("Story", created),
        )

    def arrival(self, created: datetime) -> Issue | None:
        """Whatever gets filed next: mostly stories, often bugs, now and then a follow-up."""
        roll = self.rng.random()
        if roll < 0.32:
            kinds = ["Bug", "Task", "Story"]
        elif roll < 0.47:
            kinds = ["Task", "Story", "Bug"]
        else:
            kinds = ["Story", "Bug", "Task"]
        if self.rng.random() < 0.12:
            issue = self.follow_up(created)
            if issue is not None:
                return issue
        for kind in kinds:
            issue = self.new_item(kind, created)
            if issue is not None:
                return issue
        return self.follow_up(created)

    def planted(self, dup: Duplicate, report: Report, created: datetime) -> Issue:
        """One report of a planted duplicate."""
        return Issue(
            issue_type=dup.issue_type,
            summary=report.summary,
            created=created,
            reporter=self.reporter(dup.issue_type),
            priority="Medium",
            components=[dup.component],
            story=report.description,
            level=1,
            size=self.size(dup.issue_type) if dup.issue_type != "Bug" else 2,
            parent=self.epics[dup.epic] if dup.issue_type == "Story" else None,
            custom=self._custom(dup.issue_type, created),
            updated=created + timedelta(hours=self.rng.randint(1, 30)),
            pinned=True,
        )
