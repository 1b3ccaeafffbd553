"""Dates as trackers export them: Jira's `06/Jan/26 9:29 AM` in any UI language,
ISO 8601, year-first dates (2026/01/06), month names first (Jan 6, 2026), and the
numeric dates a spreadsheet leaves behind after re-saving."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from backlog_health.ingest.jira_locale import normalize
from backlog_health.ingest.values import shown

JIRA_EXAMPLE = "06/Jan/26 9:29 AM"

_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?\s?m\.?)?)?"
_JIRA = re.compile(r"^(\d{1,2})[/\- ]([^\W\d_]+)\.?[/\- ](\d{2}|\d{4})" + _TIME + r"$", re.IGNORECASE)
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})" + _TIME + r"$", re.IGNORECASE)
_YEAR_FIRST = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})" + _TIME + r"$", re.IGNORECASE)
_MONTH_FIRST = re.compile(r"^([^\W\d_]+)\.? (\d{1,2}),? (\d{4})" + _TIME + r"$", re.IGNORECASE)
# Outside these years a date is a typo or junk, not a backlog item's date.
FIRST_YEAR, LAST_YEAR = 1900, 2200


class DateFormatError(ValueError):
    """A date cell matched none of the accepted formats (message says what was expected)."""


def _year(text: str) -> int:
    year = int(text)
    # Jira writes two-digit years; 69 and above are 19xx as in strptime's %y.
    return year + (2000 if year < 69 else 1900) if len(text) == 2 else year


def _clock(hour: str | None, minute: str | None, second: str | None, meridiem: str | None):
    if hour is None:
        return 0, 0, 0
    h, m, s = int(hour), int(minute), int(second or 0)
    if meridiem:
        pm = meridiem.lower().startswith("p")
        if not 1 <= h <= 12:
            raise DateFormatError(f"hour {h} with {meridiem}")
        h = (h % 12) + (12 if pm else 0)
    return h, m, s


class DateReader:
    """Parses the date cells of one file.

    Numeric dates like 16/02/2017 are read day-first or month-first according to
    the whole file: whichever order some cell proves (a part above 12); when no cell
    decides it, they are refused rather than guessed.
    """

    def __init__(self, months: Mapping[str, int], samples: Iterable[str] = ()) -> None:
        self.months = months
        self.day_first: bool | None = None
        self._decide_order(samples)

    def _decide_order(self, samples: Iterable[str]) -> None:
        day_first = month_first = False
        for text in samples:
            match = _NUMERIC.match(text.strip())
            if match:
                first, second = int(match.group(1)), int(match.group(2))
                day_first |= first > 12
                month_first |= second > 12
        if day_first != month_first:
            self.day_first = day_first

    def parse(self, text: str | None) -> datetime | None:
        """The datetime in `text` (None for a blank cell); DateFormatError if unreadable."""
        if text is None or not text.strip():
            return None
        value = text.strip()
        try:
            parsed = self._parse(value)
        except (ValueError, OverflowError) as error:
            if isinstance(error, DateFormatError) and str(error).startswith("expected"):
                raise
            raise DateFormatError(
                f'expected a date like {JIRA_EXAMPLE} or 2026-01-06T09:29, got {shown(value)}'
            ) from None
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            raise DateFormatError(f'expected a date between {FIRST_YEAR} and {LAST_YEAR}, got {shown(value)}')
        return parsed

    def _month(self, name: str) -> int:
        """A month by its name or abbreviation in any known language ("Jan", "January")."""
        key = normalize(name).rstrip(".")
        month = self.months.get(key)
        if month is None and len(key) > 3:
            month = self.months.get(key[:4]) or self.months.get(key[:3])
        if month is None:
            raise ValueError(name)
        return month

    def _parse(self, value: str) -> datetime:
        match = _JIRA.match(value)
        if match:
            hour, minute, second = _clock(*match.group(4, 5, 6, 7))
            return datetime(
                _year(match.group(3)), self._month(match.group(2)), int(match.group(1)), hour, minute, second
            )
        match = _MONTH_FIRST.match(value)
        if match:
            hour, minute, second = _clock(*match.group(4, 5, 6, 7))
            return datetime(int(match.group(3)), self._month(match.group(1)), int(match.group(2)), hour, minute, second)
        match = _YEAR_FIRST.match(value)
        if match:
            hour, minute, second = _clock(*match.group(4, 5, 6, 7))
            return datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)), hour, minute, second)
        match = _NUMERIC.match(value)
        if match:
            if self.day_first is None:
                raise DateFormatError(
                    f'expected an unambiguous date, got {shown(value)}: no date in the file tells '
                    "whether it is day/month or month/day; export again from Jira or use ISO dates"
                )
            first, second = int(match.group(1)), int(match.group(2))
            day, month = (first, second) if self.day_first else (second, first)
            hour, minute, second_ = _clock(*match.group(4, 5, 6, 7))
            return datetime(_year(match.group(3)), month, day, hour, minute, second_)
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            # Stored times are wall-clock times as exported; drop the offset after
            # converting to UTC so mixed inputs stay comparable.
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed
