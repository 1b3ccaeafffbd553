"""The backlog a team has before its first sprint: epics, a ranked list of open work that
gets less ready further down, recently finished work, planted duplicates and blockers.

The steps run in a fixed order because each draws from the history's seeded generator.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from backlog_health.ingest.demo import ranks
from backlog_health.ingest.demo.issue import Issue
from backlog_health.ingest.demo.simulation import History
from backlog_health.ingest.demo.timeline import snapshot_time


def populate(history: History) -> None:
    """Fill `history` with the team's backlog as the first export finds it."""
    now = snapshot_time(0)
    epics = _epics(history)
    open_items = _open_work(history, now)
    finished = _recent_work(history, open_items, now)
    _plant_duplicates(history, open_items, now)
    _rank_and_number(history, epics + open_items + finished, open_items, finished)
    _break_down(history, open_items, finished)

    # Some work depends on other work.
    for _ in range(6):
        history.add_block(now - timedelta(days=history.rng.randint(5, 60)), open_items[4:90])
    for dup, first, second in history.duplicates:
        if dup.linked and first is not None and second is not None:
            history.links.append((second, first, "Duplicate"))
    history.update_epics(now)


def _epics(history: History) -> list[Issue]:
    rng, team = history.rng, history.team
    for table in team.epics:
        created = datetime(2025, 1, 13, 9) + timedelta(days=rng.randint(0, 300), minutes=rng.randint(0, 480))
        epic = Issue(
            issue_type="Epic",
            summary=table.summary,
            created=created,
            reporter=team.product_owner,
            priority="Medium",
            components=[table.component],
            story=table.description,
            level=1,
            custom={"Team": team.team_field},
            status="To Do",
        )
        history.author.epics.append(epic)
    return list(history.author.epics)


def _open_work(history: History, now: datetime) -> list[Issue]:
    """Open work, best first. Older ideas sink to the bottom; the top was touched recently."""
    rng, team = history.rng, history.team
    open_items: list[Issue] = []
    count = team.initial_open
    while len(open_items) < count:
        depth = len(open_items) / count
        age = history.days_ago(3, 60 + 420 * depth)
        kind = rng.choices(("Story", "Bug", "Task"), (60, 24, 16))[0]
        issue = history.author.new_item(kind, now - age)
        if issue is None:
            continue
        if issue.parent is not None:
            issue.created = max(issue.created, issue.parent.created + timedelta(days=rng.randint(1, 20)))
        open_items.append(issue)

    for position, issue in enumerate(open_items, start=1):
        depth = position / count
        if position <= 20:
            levels, estimated, assigned = (12, 28, 60), 0.7, 0.5
        elif position <= 50:
            levels, estimated, assigned = (20, 45, 35), 0.45, 0.2
        else:
            levels, estimated, assigned = (45, 45, 10), 0.1, 0.04
        issue.level = rng.choices((0, 1, 2), levels)[0]
        if issue.size is not None and rng.random() < estimated:
            issue.points = float(issue.size)
        if rng.random() < assigned:
            issue.assignee = rng.choice(team.developers)
        if issue.level or issue.points is not None:
            recent = now - history.days_ago(1, 15 + 200 * depth)
            issue.updated = max(issue.created + timedelta(hours=2), recent)
        else:
            issue.updated = issue.created + timedelta(minutes=rng.randint(5, 60 * 24 * 3))
        issue.updated = min(issue.updated, now - timedelta(hours=20))

    # Planted: big estimated stories nobody has broken down, and near-term items left to rot.
    stories = [i for i in open_items if i.issue_type == "Story"]
    for position in (8, 24, 41, 77):
        big = stories[min(position, len(stories) - 1)]
        big.size, big.points, big.level = 13, 13.0, max(big.level, 1)
    for position in (5, 16, 27):
        stale = open_items[position]
        stale.level, stale.points, stale.assignee = 1, None, None
        stale.created = now - timedelta(days=rng.randint(230, 320))
        if stale.parent is not None:
            stale.created = max(stale.created, stale.parent.created + timedelta(days=1))
        stale.updated = stale.created + timedelta(days=rng.randint(20, 60))
    return open_items


def _recent_work(history: History, open_items: list[Issue], now: datetime) -> list[Issue]:
    """The team worked kanban-style before its first sprint: the top four items are under way,
    and this returns what it finished in the last weeks (the export keeps those)."""
    rng = history.rng
    for current in open_items[:4]:
        history.refine(current, now - timedelta(days=rng.randint(2, 10)), assign=1.0)
        current.status = "In Progress"
    finished = []
    for _ in range(18):
        kind = rng.choice(("Story", "Story", "Bug", "Task"))
        resolved = now - history.days_ago(3, 41)
        issue = history.author.new_item(kind, resolved - history.days_ago(15, 120))
        if issue is None:
            continue
        if issue.parent is not None:
            issue.created = max(issue.created, issue.parent.created + timedelta(days=1))
        history.refine(issue, resolved - timedelta(days=rng.randint(1, 9)), assign=1.0)
        issue.status, issue.resolution, issue.resolved = "Done", "Done", resolved
        issue.touch(resolved)
        finished.append(issue)
        if issue.title is not None:
            history.author.follow_ups.append(issue)
    return finished


def _plant_duplicates(history: History, open_items: list[Issue], now: datetime) -> None:
    """Planted duplicates sit in the middle of the backlog, where nobody looks twice."""
    rng = history.rng
    for dup in history.team.duplicates:
        reports: list[Issue | None] = []
        for which, report in enumerate((dup.first, dup.second)):
            if which == 1 and dup.arrives is not None:
                reports.append(None)  # filed later, during sprint `dup.arrives`
                continue
            reports.append(history.author.planted(dup, report, now - timedelta(days=rng.randint(20, 200))))
        for filed in reports:
            if filed is not None:
                open_items.insert(rng.randint(55, len(open_items) - 10), filed)
        history.duplicates.append((dup, reports[0], reports[1]))


def _rank_and_number(history: History, issues: list[Issue], open_items: list[Issue], finished: list[Issue]) -> None:
    """Rank finished work above everything, open work in priority order, then the epics; then
    number all `issues` in creation order, with the gaps real projects have, and file them."""
    for n, issue in enumerate(finished):
        issue.rank = ranks.encode(ranks.RANK_BASE - (n + 1) * ranks.RANK_STEP)
    for issue in open_items:
        issue.rank = history.append_rank()
    for epic in history.author.epics:
        epic.rank = history.append_rank()

    number = 0
    for issue in sorted(issues, key=lambda i: i.created):
        number += 1 + (history.rng.randint(1, 6) if history.rng.random() < 0.3 else 0)
        issue.number = number
        history.add(issue)
    history.next_number = number


def _break_down(history: History, open_items: list[Issue], finished: list[Issue]) -> None:
    """Sub-tasks for near-term stories the team already broke down, and for finished ones."""
    rng = history.rng
    for issue in open_items[:60]:
        # Described work often has a technical breakdown before anyone estimates it.
        sized = issue.points is not None or issue.level == 2
        if sized and issue.issue_type == "Story" and issue.size in (3, 5, 8) and rng.random() < 0.85:
            history.split(issue, _updated(issue))
    for issue in finished:
        if history.splittable(issue):
            history.split(issue, _updated(issue) - timedelta(days=rng.randint(4, 8)))
            for sub in history.subtasks(issue):
                sub.status, sub.resolution = "Done", "Done"
                sub.resolved = _resolved(issue) - timedelta(hours=rng.randint(2, 60))
                sub.touch(sub.resolved)
    for issue in open_items[:4]:
        if issue.issue_type == "Story" and not history.subtasks(issue):
            history.split(issue, _updated(issue))
        for n, sub in enumerate(history.subtasks(issue)):
            sub.status = "Done" if n == 0 else "In Progress" if n == 1 else "To Do"
            if sub.status == "Done":
                sub.resolution, sub.resolved = "Done", issue.updated
                sub.touch(_updated(issue))


def _updated(issue: Issue) -> datetime:
    assert issue.updated is not None  # set for every item before the breakdown
    return issue.updated


def _resolved(issue: Issue) -> datetime:
    assert issue.resolved is not None  # finished items are resolved
    return issue.resolved
