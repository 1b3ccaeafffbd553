"""The agenda as Markdown: pastes into Confluence, Jira, Slack or a pull request (pure text)."""

from __future__ import annotations

from backlog_health.metrics.agenda import Agenda, AgendaItem


def agenda_markdown(agenda: Agenda) -> str:
    """The agenda's five sections as Markdown tables and lists, links where the site is known."""
    title = f"# Refinement agenda: {agenda.backlog}, snapshot {agenda.snapshot_id} ({agenda.taken_at[:10]})"
    parts = [title, _not_ready(agenda), _next_up(agenda), _duplicates(agenda), _rank_changes(agenda), _stale(agenda)]
    return "\n\n".join(parts) + "\n"


def _cell(value: object) -> str:
    """A table cell: "-" for nothing, pipes and line breaks escaped."""
    if value is None or value == "":
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _link(key: str, url: str | None) -> str:
    return f"[{key}]({url})" if url else key


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _items_table(entries: tuple[AgendaItem, ...]) -> str:
    lines = ["| Rank | Item | Summary | Status | Assignee | Points | Why not ready |", "|---:|---|---|---|---|---:|---|"]
    lines += [
        f"| {_cell(e.rank_position)} | {_link(e.key, e.url)} | {_cell(e.summary)} | {_cell(e.status)} | "
        f"{_cell(e.assignee)} | {_cell(e.story_points)} | {_cell('; '.join(e.reasons))} |"
        for e in entries
    ]
    return "\n".join(lines)


def _not_ready(agenda: Agenda) -> str:
    heading = f"## 1. Not ready in the near term ({len(agenda.not_ready)} of {agenda.near_term_size})"
    if not agenda.not_ready:
        return f"{heading}\n\nEvery near-term item is ready."
    return f"{heading}\n\nFix these first, top of the ranking first.\n\n{_items_table(agenda.not_ready)}"


def _next_up(agenda: Agenda) -> str:
    heading = f"## 2. Next up: would enter the near term next ({_plural(len(agenda.next_up), 'item')} to refine)"
    if not agenda.next_up:
        return f"{heading}\n\nThe items next in line are ready."
    return f"{heading}\n\nUnestimated items first.\n\n{_items_table(agenda.next_up)}"


def _duplicates(agenda: Agenda) -> str:
    heading = f"## 3. Duplicates to resolve ({_plural(len(agenda.duplicates), 'pair')})"
    if not agenda.duplicates:
        return f"{heading}\n\nNo open duplicates."
    lines = []
    for pair in agenda.duplicates:
        why = f"{pair.score:.0%} similar" if pair.kind == "candidate" else "linked as duplicates, both still open"
        lines.append(f'- {_link(pair.key_a, pair.url_a)} "{_cell(pair.summary_a)}" and '
                     f'{_link(pair.key_b, pair.url_b)} "{_cell(pair.summary_b)}": {why}')
    return f"{heading}\n\n" + "\n".join(lines)


def _rank_changes(agenda: Agenda) -> str:
    heading = f"## 4. Ranking to confirm ({_plural(len(agenda.rank_changes), 'item')} entered the near term)"
    if agenda.previous_id is None:
        return f"{heading}\n\nFirst snapshot: ingest another export to see what entered the near term."
    if not agenda.rank_changes:
        return f"{heading}\n\nNo item entered the near term since snapshot {agenda.previous_id}."
    lines = ["| Item | Summary | Was | Now | Ready |", "|---|---|---:|---:|---|"]
    for change in agenda.rank_changes:
        was = "new" if change.previous_position is None else str(change.previous_position)
        ready = "yes" if change.ready else "no: " + "; ".join(change.reasons)
        lines.append(f"| {_link(change.key, change.url)} | {_cell(change.summary)} | {was} | "
                     f"{change.rank_position} | {_cell(ready)} |")
    return f"{heading}\n\nSince snapshot {agenda.previous_id}.\n\n" + "\n".join(lines)


def _stale(agenda: Agenda) -> str:
    shown = len(agenda.stale)
    count = f"{shown} oldest of {agenda.stale_total}" if shown < agenda.stale_total else str(shown)
    heading = f"## 5. Stale: deletion candidates ({count} not updated for {agenda.stale_days} days)"
    if not agenda.stale:
        return f"{heading}\n\nNo stale long-term items."
    lines = ["| Rank | Item | Summary | Last updated | Days idle |", "|---:|---|---|---|---:|"]
    lines += [
        f"| {_cell(s.rank_position)} | {_link(s.key, s.url)} | {_cell(s.summary)} | {_cell(s.updated)} | {s.idle_days} |"
        for s in agenda.stale
    ]
    return f"{heading}\n\n" + "\n".join(lines)
