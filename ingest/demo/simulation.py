"""The simulated life of one backlog, sprint by sprint: planning, arrivals, re-ranking,
refinement, blocked work, clean-ups and the work the team finishes.

`History` holds the state; `population.populate` fills in the backlog before the first sprint,
`run_sprint` moves it through one sprint, and `observation.observe` exports it at a boundary.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from backlog_health.ingest.demo import ranks
from backlog_health.ingest.demo.authoring import Author
from backlog_health.ingest.demo.issue import Issue
from backlog_health.ingest.demo.tables import Duplicate, Team
from backlog_health.ingest.demo.timeline import snapshot_time, sprint_start


class History:
    """One team's backlog: its items, links and sprints, driven by one seeded generator."""

    def __init__(self, team: Team, seed: int) -> None:
        self.team = team
        self.rng = random.Random(f"{seed}/{team.key}")
        self.author = Author(team, self.rng)
        self.issues: list[Issue] = []
        self.links: list[tuple[Issue, Issue, str]] = []  # (from, to, type): from blocks/duplicates to
        self.completed: dict[int, datetime] = {}  # sprint -> when it was closed
        self.bottom = ""
        self.duplicates: list[tuple[Duplicate, Issue | None, Issue | None]] = []
        self.next_number = 0

    # -- helpers --

    def append_rank(self) -> str:
        """A rank below everything ranked so far."""
        self.bottom = ranks.after(self.bottom) if self.bottom else ranks.encode(ranks.RANK_BASE)
        return self.bottom

    def add(self, issue: Issue) -> Issue:
        """File `issue`: ranked at the bottom and given the next key unless it has them."""
        if not issue.rank:
            issue.rank = self.append_rank()
        if issue.updated is None:
            issue.updated = issue.created
        if issue.number == 0:  # new during the history: the next key, now and then with a gap
            self.next_number += 1 + (self.rng.randint(1, 3) if self.rng.random() < 0.15 else 0)
            issue.number = self.next_number
        self.issues.append(issue)
        return issue

    def order(self) -> list[Issue]:
        """Open work in rank order: what `assign_rank_positions` will call the backlog."""
        return sorted((i for i in self.issues if i.is_open_work), key=lambda i: i.rank)

    def _move(self, issue: Issue, position: int) -> None:
        order = [i for i in self.order() if i is not issue]
        position = max(0, min(position, len(order)))
        if position == len(order):
            issue.rank = self.append_rank()
            return
        low = order[position - 1].rank if position else ""
        issue.rank = ranks.between(low, order[position].rank)

    def _work_time(self, sprint: int, first_day: int = 0, last_day: int = 11) -> datetime:
        """A random working moment in `sprint` (Monday..Friday, 09:00..18:00, after planning)."""
        days = [d for d in range(first_day, last_day + 1) if d % 7 < 5]
        day = self.rng.choice(days)
        start = sprint_start(sprint).replace(hour=9, minute=0) + timedelta(days=day)
        moment = start + timedelta(minutes=self.rng.randint(0, 9 * 60 - 1))
        return max(moment, sprint_start(sprint) + timedelta(minutes=90))

    def days_ago(self, low: float, high: float) -> timedelta:
        """A random span of `low` to `high` days, in whole minutes like Jira's timestamps."""
        return timedelta(minutes=self.rng.randint(int(low * 1440), int(high * 1440)))

    def split(self, story: Issue, when: datetime) -> None:
        """Break a story into sub-tasks, as a team does when it plans the work."""
        team = self.team
        names = self.rng.sample(team.subtasks, self.rng.randint(*team.subtask_count))
        for name in names:
            self.add(
                Issue(
                    issue_type="Sub-task",
                    summary=name,
                    created=when,
                    reporter=story.assignee or self.rng.choice(team.developers),
                    priority=story.priority,
                    components=list(story.components),
                    story=None,
                    parent=story,
                    custom=dict(story.custom),
                    estimate_seconds=3600 * self.rng.choice((2, 4, 4, 6, 8, 12, 16)),
                    assignee=self.rng.choice(team.developers) if self.rng.random() < 0.6 else story.assignee,
                    status=story.status if story.status != "Backlog" else "To Do",
                )
            )
            when += timedelta(minutes=self.rng.randint(1, 4))

    def splittable(self, issue: Issue) -> bool:
        """Stories of 2 points or more are worth breaking down into sub-tasks (if not done yet)."""
        return issue.issue_type == "Story" and (issue.points or 0) >= 2 and not self.subtasks(issue)

    def subtasks(self, story: Issue) -> list[Issue]:
        """The sub-tasks of `story`, in creation order."""
        return [i for i in self.issues if i.parent is story and i.issue_type == "Sub-task"]

    def refine(self, issue: Issue, when: datetime, *, assign: float) -> None:
        """Describe, estimate and maybe assign an item, as backlog refinement does."""
        issue.level = 2
        if issue.points is None and issue.size is not None:
            issue.points = float(issue.size)
        if issue.assignee is None and self.rng.random() < assign:
            issue.assignee = self.rng.choice(self.team.developers)
        if not issue.custom:
            issue.custom = self.author.custom_fields(issue.issue_type)
        issue.touch(when)

    def add_block(self, when: datetime, candidates: list[Issue]) -> None:
        """One item among `candidates` starts blocking a lower-ranked one."""
        candidates = [i for i in candidates if i.is_open_work and not i.pinned]
        if len(candidates) < 2:
            return
        blocker, blocked = sorted(self.rng.sample(candidates, 2), key=lambda i: i.rank)
        if any(a is blocker and b is blocked for a, b, _ in self.links):
            return
        self.links.append((blocker, blocked, "Blocks"))
        blocker.touch(when)
        blocked.touch(when)

    def _is_blocked(self, issue: Issue) -> bool:
        return any(b is issue and t == "Blocks" and a.category != "Done" for a, b, t in self.links)

    def update_epics(self, when: datetime) -> None:
        """An epic is in progress once any of its children is."""
        for epic in self.author.epics:
            children = [i for i in self.issues if i.parent is epic]
            started = any(c.category != "To Do" for c in children)
            status = "In Progress" if started else "To Do"
            if status != epic.status:
                epic.status = status
                epic.touch(when)

    # -- one sprint --

    def run_sprint(self, sprint: int) -> None:
        """Sprint `sprint` from planning to the last day, before the export that ends it."""
        rng, team = self.rng, self.team
        start = sprint_start(sprint)
        planning = start + timedelta(minutes=rng.randint(20, 75))
        if sprint > 1:
            self.completed[sprint - 1] = start + timedelta(minutes=rng.randint(3, 15))

        # Planning: unfinished work carries over, then the top of the backlog is pulled in.
        committed = 0.0
        for issue in self.order():
            carried = issue.sprints[-1] == sprint - 1 if issue.sprints else issue.status == "In Progress"
            if carried:
                issue.sprints.append(sprint)
                issue.touch(planning)
                committed += issue.points or 0
        target = team.velocity[sprint - 1] * rng.uniform(1.15, 1.35)
        for issue in self.order():
            if committed >= target:
                break
            if sprint in issue.sprints or issue.pinned or self._is_blocked(issue):
                continue
            if rng.random() < team.grooming[sprint - 1] * 0.7:  # a team that skips refinement plans sloppily too
                self.refine(issue, planning, assign=1.0)
            if issue.points is None and issue.size is not None:
                issue.points = float(issue.size)
            if issue.assignee is None:
                issue.assignee = rng.choice(team.developers)
            issue.sprints.append(sprint)
            issue.status = "To Do"
            issue.fix_versions = [team.release(sprint)]
            issue.touch(planning)
            committed += issue.points if issue.points is not None else 2
            if self.splittable(issue) and rng.random() < (0.4 if issue.points == 13 else 0.9):
                self.split(issue, planning + timedelta(minutes=30))

        # Life during the sprint: new work arrives, the product owner re-ranks, the team refines.
        for _ in range(rng.randint(*team.arrivals)):
            self._arrive(sprint)
        for dup, first, second in list(self.duplicates):
            if dup.arrives == sprint and second is None:
                created = self._work_time(sprint, 1, 8)
                second = self.add(self.author.planted(dup, dup.second, created))
                self._move(second, rng.randint(50, max(51, len(self.order()) - 20)))
                self.duplicates[self.duplicates.index((dup, first, None))] = (dup, first, second)
        self._rerank(sprint)
        reshuffled = team.reshuffled_epics(sprint)
        if reshuffled is not None:
            self._reshuffle(sprint, reshuffled)
        self._groom(sprint)
        if sprint % 3 == 0:
            self.add_block(self._work_time(sprint), self.order()[10:100])
        if sprint == team.cleanup[0]:
            self._clean_up(sprint, team.cleanup[1])
        for dup, _first, second in self.duplicates:
            if dup.closed == sprint and second is not None and second.category != "Done":
                when = self._work_time(sprint, 2, 9)
                second.status, second.resolution, second.resolved = "Closed", "Duplicate", when
                second.touch(when)

        self._work(sprint)
        self.update_epics(snapshot_time(sprint) - timedelta(days=3))

    def _arrive(self, sprint: int) -> None:
        """One new item is filed; urgent bugs jump the queue, some items are ranked by hand."""
        rng = self.rng
        created = self._work_time(sprint)
        issue = self.author.arrival(created)
        if issue is None:
            return
        issue.updated = created
        roll = rng.random()
        if issue.issue_type == "Bug":
            issue.level = rng.choices((0, 1, 2), (25, 50, 25))[0]
        else:
            issue.level = rng.choices((0, 1, 2), (40, 50, 10))[0]
        if issue.size is not None and rng.random() < 0.15:
            issue.points = float(issue.size)
        self.add(issue)
        order = self.order()
        in_sprint = sum(1 for i in order if sprint in i.sprints)
        if issue.issue_type == "Bug" and issue.priority in ("Highest", "High"):
            self._move(issue, rng.randint(1, in_sprint + 6))
            if issue.priority == "Highest" or rng.random() < 0.4:  # scope creep: fixed right away
                issue.sprints.append(sprint)
                issue.status = "To Do"
                issue.assignee = rng.choice(self.team.developers)
                issue.fix_versions = [self.team.release(sprint)]
        elif roll < 0.13:
            self._move(issue, in_sprint + rng.randint(0, 14))  # the product owner's new favourite
        elif roll < 0.45:
            self._move(issue, rng.randint(25, len(order)))
        # else: it stays where Jira puts new issues, at the bottom

    def _rerank(self, sprint: int) -> None:
        """The product owner moves a few items: some from the middle up, some from the top down."""
        rng = self.rng
        for _ in range(rng.randint(2, 5)):
            order = self.order()
            in_sprint = sum(1 for i in order if sprint in i.sprints)
            movable = [i for i in order[in_sprint:] if not i.pinned]
            if rng.random() < 0.6:
                candidates = movable[22:140]
                if candidates:
                    issue = rng.choice(candidates)
                    self._move(issue, in_sprint + rng.randint(0, 15))
                    issue.touch(self._work_time(sprint))
            else:
                candidates = movable[:20]
                if candidates:
                    issue = rng.choice(candidates)
                    self._move(issue, in_sprint + rng.randint(35, 120))
                    issue.touch(self._work_time(sprint))

    def _reshuffle(self, sprint: int, epics: tuple[int, ...]) -> None:
        """A change of plan: whole epics jump to the top, part of the old top sinks."""
        rng = self.rng
        when = self._work_time(sprint, 2, 4)
        order = self.order()
        in_sprint = sum(1 for i in order if sprint in i.sprints)
        old_top = [i for i in order[in_sprint : in_sprint + 20] if not i.pinned]
        pulled = [self.author.epics[e] for e in epics]
        promoted = [i for i in order[in_sprint:] if i.parent is not None and i.parent in pulled and not i.pinned][:14]
        for offset, issue in enumerate(promoted):
            self._move(issue, in_sprint + offset)
            issue.touch(when)
        for issue in rng.sample(old_top, min(6, len(old_top))):
            if issue not in promoted:
                self._move(issue, in_sprint + rng.randint(40, 150))
                issue.touch(when)

    def _groom(self, sprint: int) -> None:
        """Backlog refinement: how much of the near term gets ready depends on the sprint."""
        rng = self.rng
        effort = self.team.grooming[sprint - 1]
        when = self._work_time(sprint, 8, 10)
        upcoming = [i for i in self.order() if sprint not in i.sprints and not i.pinned and i.created < when][:35]
        for position, issue in enumerate(upcoming):
            chance = effort * (1.0 if position < 12 else 0.6 if position < 24 else 0.3)
            if rng.random() < chance:
                self.refine(issue, when, assign=0.55)
                if self.splittable(issue) and issue.points != 13 and rng.random() < 0.85:
                    self.split(issue, when)
            elif rng.random() < chance / 2 and issue.level == 0:
                issue.level = 1
                issue.touch(when)

    def _clean_up(self, sprint: int, count: int) -> None:
        """The product owner closes long-untouched ideas from the bottom of the backlog."""
        when = self._work_time(sprint, 7, 9)
        order = self.order()
        stale = [
            i
            for i in order[60:]
            if not i.pinned and i.level < 2 and i.updated is not None and when - i.updated > timedelta(days=150)
        ]
        for issue in stale[-count:]:
            issue.status, issue.resolution, issue.resolved = "Closed", "Won't Do", when
            issue.touch(when)

    def _work(self, sprint: int) -> None:
        """The team finishes what fits its velocity this sprint; the rest carries over."""
        rng = self.rng
        velocity = max(20, min(34, self.team.velocity[sprint - 1] + rng.randint(-2, 2)))
        items = [i for i in self.order() if sprint in i.sprints]
        finished, done_points = [], 0.0
        for issue in items:
            if rng.random() < 0.07:
                continue  # stuck: waiting for another team
            if issue.points is None:
                if rng.random() < 0.8:
                    finished.append(issue)
            elif done_points + issue.points <= velocity:
                finished.append(issue)
                done_points += issue.points
        if done_points < 20:
            for issue in sorted((i for i in items if i not in finished and i.points), key=lambda i: i.points or 0):
                if done_points + (issue.points or 0) <= 35:
                    finished.append(issue)
                    done_points += issue.points or 0
                if done_points >= 20:
                    break

        end = snapshot_time(sprint) - timedelta(hours=3)
        times = sorted(self._work_time(sprint, 1, 11) for _ in finished)
        for issue, when in zip(sorted(finished, key=lambda i: i.rank), times, strict=True):
            earliest = max(issue.created, sprint_start(sprint)) + timedelta(hours=2)
            when = min(max(when, earliest), end)
            for sub in self.subtasks(issue):
                if sub.category != "Done":
                    sub_when = max(sub.created + timedelta(minutes=30), when - timedelta(hours=rng.randint(1, 30)))
                    sub.status, sub.resolution, sub.resolved = "Done", "Done", min(sub_when, when)
                    sub.touch(sub.resolved)
            issue.status, issue.resolution, issue.resolved = "Done", "Done", when
            issue.level = max(issue.level, 1)
            issue.touch(when)
            if issue.title is not None:
                self.author.follow_ups.append(issue)

        unfinished = [i for i in items if i not in finished]
        for n, issue in enumerate(unfinished):
            if n < 3 or issue.status == "In Progress":
                issue.status = "In Review" if rng.random() < 0.3 else "In Progress"
                issue.touch(self._work_time(sprint, 3, 11))
                subs = self.subtasks(issue)
                for sub in subs[: len(subs) // 2]:
                    if sub.category != "Done":
                        when = max(sub.created + timedelta(hours=1), self._work_time(sprint, 2, 10))
                        sub.status, sub.resolution, sub.resolved = "Done", "Done", when
                        sub.touch(when)
                for sub in subs[len(subs) // 2 :]:
                    if sub.category == "To Do" and rng.random() < 0.5:
                        sub.status = "In Progress"
                        sub.touch(self._work_time(sprint, 3, 11))
