"""Best guesses for reading a CSV a person hands us: is it a Jira export, and if not,
which of its columns hold which of the generic reader's fields.

The guesses only pre-fill a form; the person confirms or corrects them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from backlog_health.ingest.generic_csv import FIELDS
from backlog_health.ingest.jira_locale import normalize, vocabulary

# Header names each field goes by in trackers' exports, most telling first.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "key": ("key", "issue key", "item key", "id", "issue id", "item id", "ticket id", "ticket", "story id",
            "work item id", "number", "ref", "reference", "issue", "identifier"),
    "summary": ("summary", "title", "name", "subject", "headline", "story", "task"),
    "description": ("description", "details", "body", "notes", "story description", "text", "content"),
    "status": ("status", "state", "workflow state", "stage", "column", "list", "lane"),
    "status_category": ("status category", "state category", "category"),
    "issue_type": ("issue type", "type", "work item type", "item type", "ticket type", "kind"),
    "story_points": ("story points", "story point estimate", "story point", "points", "sp", "estimate",
                     "effort", "size", "estimation", "complexity"),
    "original_estimate": ("original estimate", "original time estimate", "time estimate", "estimated time",
                          "estimated hours", "hours", "time"),
    "assignee": ("assignee", "assigned to", "assigned", "owner", "responsible", "developer"),
    "rank": ("rank", "backlog rank", "backlog order", "backlog priority", "stack rank", "priority order", "order", "position",
             "sort order", "sequence"),
    "sprint": ("sprint", "sprints", "iteration", "iteration path", "cycle", "milestone"),
    "parent": ("parent", "parent key", "parent id", "epic", "epic link", "epic key", "feature"),
    "labels": ("labels", "label", "tags", "tag", "keywords"),
    "created": ("created", "created at", "created on", "created date", "creation date", "date created", "opened"),
    "updated": ("updated", "updated at", "updated on", "last updated", "last modified", "modified", "changed date",
                "date modified"),
    "resolved": ("resolved", "resolved at", "resolution date", "done date", "completed", "completed at",
                 "closed", "closed at", "closed date", "date closed"),
    "duplicates": ("duplicates", "duplicate of", "duplicate"),
    "blocked_by": ("blocked by", "blockers", "depends on", "dependencies"),
}

# Words a header may add to a synonym and still mean the same ("Issue Title", "Created date").
_FILLER = frozenset({
    "the", "of", "a", "an", "issue", "item", "ticket", "task", "work", "story", "card", "field", "custom",
    "date", "time", "at", "on", "current", "value", "text",
})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def header_words(header: str) -> tuple[str, ...]:
    """"Custom field (Story Points)", "story_points", "storyPoints" -> ("story", "points")."""
    text = _CAMEL.sub(" ", header.strip())
    text = re.sub(r"^\s*custom field\s*\((.*)\)\s*$", r"\1", text, flags=re.IGNORECASE)
    return tuple(w for w in _NON_WORD.split(text.lower()) if w)


def _score(words: tuple[str, ...], synonym: str) -> int:
    """2 for the same words, 1 for the synonym's words plus filler only, else 0."""
    wanted = tuple(synonym.split())
    if words == wanted:
        return 2
    if set(wanted) <= set(words) and set(words) - set(wanted) <= _FILLER:
        return 1
    return 0


def guess_mapping(header: Sequence[str]) -> dict[str, str]:
    """Field -> column for the generic CSV reader, each field and each column used once.

    Exact names beat names with extra filler words, and a field's more telling synonyms
    beat its others; remaining ties go to the earlier field (in the reader's field order)
    and the earlier column.
    """
    words = [header_words(h) for h in header]
    options = []
    for field_rank, field in enumerate(FIELDS):
        for synonym_rank, synonym in enumerate(SYNONYMS.get(field, ())):
            for column_rank, column_words in enumerate(words):
                score = _score(column_words, synonym)
                if score:
                    options.append((-score, synonym_rank, field_rank, column_rank, field))
    mapping: dict[str, str] = {}
    taken: set[int] = set()
    for _, _, _, column_rank, field in sorted(options):
        if field in mapping or column_rank in taken:
            continue
        mapping[field] = header[column_rank]
        taken.add(column_rank)
    return {field: mapping[field] for field in FIELDS if field in mapping}


def is_jira_export(header: Sequence[str]) -> bool:
    """True when the header has the columns the Jira reader needs (issue key, summary, and
    status or status category), in any UI language it knows."""
    known = vocabulary().headers
    fields = {known.get(normalize(h)) for h in header}
    return {"key", "summary"} <= fields and bool({"status", "status_category"} & fields)
