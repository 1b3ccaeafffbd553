"""Parsing single cell values shared by the CSV readers; each raises ValueError with
what was expected, which the reader turns into a file/row/column message."""

from __future__ import annotations

import math
import re

from backlog_health.ingest.jira_locale import JiraVocabulary, normalize

_DURATION = re.compile(r"(\d+(?:[.,]\d+)?)\s*([wdhms])", re.IGNORECASE)
# Jira's default working time: 8-hour days, 5-day weeks.
_UNIT_SECONDS = {"w": 5 * 8 * 3600, "d": 8 * 3600, "h": 3600, "m": 60, "s": 1}
# Bounds far above any real estimate; beyond them a number is not an estimate (ordering
# numbers, a pasted id) and would swamp every sum the metrics take, so it is set aside
# (see `implausible`), never refused: one odd value must not refuse a whole export.
MAX_POINTS = 1_000
MAX_ESTIMATE_HOURS = 100_000


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def shown(text: str, limit: int = 60, *, quoted: bool = True) -> str:
    """`text` for a one-line message: line ends and other control characters escaped,
    cut after `limit` characters (a junk cell can be megabytes long), in double quotes."""
    escaped = _CONTROL.sub(lambda m: _ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}"), text[:limit])
    escaped += "..." if len(text) > limit else ""
    return f'"{escaped}"' if quoted else escaped


def parse_points(text: str | None) -> float | None:
    """Story points: any finite number (a decimal comma is accepted); whether it is a
    plausible estimate is judged later, for the whole column (see `implausible`)."""
    if text is None:
        return None
    cleaned = text.replace(",", ".") if "." not in text else text
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f'expected a number of story points like 3 or 0.5, got {shown(text)}') from None
    if not math.isfinite(value):
        raise ValueError(f'expected a number of story points like 3 or 0.5, got {shown(text)}')
    return value


def parse_seconds(text: str | None) -> int | None:
    """An estimate in seconds (Jira's CSV unit), or a duration like "1d 4h"."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        parts = _DURATION.findall(text)
        if not parts or _DURATION.sub("", text).strip():
            raise ValueError(
                f'expected an estimate in seconds like 28800 or a duration like "1d 4h", got {shown(text)}'
            ) from None
        value = sum(float(n.replace(",", ".")) * _UNIT_SECONDS[u.lower()] for n, u in parts)
    if not math.isfinite(value):
        raise ValueError(
            f'expected an estimate in seconds like 28800 or a duration like "1d 4h", got {shown(text)}'
        )
    return round(value)


NUMERIC_FIELDS = (
    ("story_points", "story_points", parse_points),
    ("original_estimate", "original_estimate_seconds", parse_seconds),
)


def parse_numbers(record: dict, cell, fail) -> None:
    """Fill `record`'s story points and estimate from `cell(field)`, keeping each cell as
    given under `<target>_given` (for `implausible`); `fail(field, message)` builds the
    error for a value that is not a number."""
    for field, target, parse in NUMERIC_FIELDS:
        text = cell(field)
        try:
            record[target] = parse(text)
        except ValueError as error:
            raise fail(field, str(error)) from None
        record[f"{target}{GIVEN}"] = text


GIVEN = "_given"  # suffix of a reader's column holding a number's cell as written


def status_category(
    category: str | None,
    status: str | None,
    *,
    resolved: object | None,
    resolution: str | None,
    vocab: JiraVocabulary,
) -> str:
    """"To Do", "In Progress" or "Done": the tracker's category when it names one we
    know, else from the status name; a resolved item without a category is Done."""
    if category:
        known = vocab.status_categories.get(normalize(category))
        if known:
            return known
    name = normalize(status or "")
    if name in vocab.done_statuses:
        return "Done"
    if name in vocab.in_progress_statuses:
        return "In Progress"
    if not category and (resolved is not None or resolution):
        return "Done"
    return "To Do"


# Jira's LexoRank: a bucket digit, "|", base-36 digits, an optional ":" and suffix.
_LEXORANK = re.compile(r"^\d\|[0-9a-z]+(?::[0-9a-z]*)?$")


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def rank_is_numeric(values: list[str]) -> bool:
    """True when most of the non-empty rank cells are numbers (lower = higher priority)."""
    values = [v for v in values if v]
    return bool(values) and sum(_is_number(v) for v in values) * 2 > len(values)


def check_rank(text: str | None, *, numeric: bool, lexorank: bool = False) -> None:
    """A rank cell of the file's kind: a finite number when the column is numeric, a
    LexoRank like 0|i0001b: when `lexorank` (Jira) is asked for; ValueError otherwise."""
    if text is None:
        return
    if numeric and not _is_number(text):
        raise ValueError(f'expected a number (lower = higher priority) like the other ranks, got {shown(text)}')
    if not numeric and lexorank and not _LEXORANK.match(text):
        raise ValueError(f'expected a Jira rank like 0|i0001b:, got {shown(text)}')
