"""Jira's "Export > CSV (all fields)" files, Cloud or Server/Data Center, any UI language.

Only this module (with `jira_locale` and its tables) knows Jira's header names; what
comes out is a `Snapshot` in the canonical snake_case shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from backlog_health.errors import InputError
from backlog_health.model import LINK_COLUMNS
from backlog_health.ingest.assemble import ReadResult, assemble_snapshot
from backlog_health.ingest.csv_columns import CsvColumns, read_csv_columns
from backlog_health.ingest.csv_file import CsvTable, read_csv_table
from backlog_health.ingest.dates import DateFormatError, DateReader
from backlog_health.ingest.jira_locale import JiraVocabulary, normalize, vocabulary
from backlog_health.ingest.markup import wiki_to_text
from backlog_health.ingest.values import (
    GIVEN,
    NUMERIC_FIELDS,
    check_rank,
    rank_is_numeric,
    shown,
    status_category,
)

LIST_FIELDS = ("labels", "components", "fix_versions", "sprints")
DATE_FIELDS = ("created", "updated", "resolved", "due")
# Fields mapped onto canonical columns; everything else of interest goes to custom_fields.
REQUIRED = ("key", "summary")


@dataclass(frozen=True)
class _Column:
    index: int
    header: str
    field: str | None = None  # canonical field
    custom: str | None = None  # custom field name
    link_type: str | None = None
    direction: str | None = None
    priority: int = 0


def _classify(header: list[str], vocab: JiraVocabulary) -> list[_Column]:
    columns = []
    for index, name in enumerate(header):
        key = normalize(name)
        if key in vocab.headers:
            columns.append(
                _Column(index, name, field=vocab.headers[key], priority=vocab.header_priority[key])
            )
            continue
        link = _link_column(key, name, vocab)
        if link:
            columns.append(_Column(index, name, link_type=link[0], direction=link[1]))
            continue
        for prefix in vocab.custom_field_prefixes:
            if key.startswith(prefix) and name.endswith(")"):
                columns.append(_Column(index, name, custom=name.strip()[len(prefix) : -1].strip()))
                break
    return columns


def _link_column(key: str, name: str, vocab: JiraVocabulary) -> tuple[str, str] | None:
    for direction, prefixes in (
        ("inward", vocab.inward_link_prefixes),
        ("outward", vocab.outward_link_prefixes),
    ):
        for prefix in prefixes:
            if key.startswith(prefix) and key.endswith(")"):
                raw = name.strip()[len(prefix) : -1].strip()
                return vocab.link_types.get(normalize(raw), raw), direction
    return None


def _missing_message(columns: list[_Column], vocab: JiraVocabulary) -> str | None:
    present = {c.field for c in columns if c.field}
    missing = [f for f in REQUIRED if f not in present]
    if "status" not in present and "status_category" not in present:
        missing.append("status")
    if not missing:
        return None
    labels = {"key": "Issue key", "summary": "Summary", "status": "Status or Status Category"}
    names = ", ".join(f'"{labels[f]}"' for f in missing)
    if len(missing) == 3:
        return (
            f"not a Jira CSV export: none of the columns {names} was found; export with Jira's "
            "Export > CSV (all fields), or map another tracker's columns with `backlog-health ingest csv`"
        )
    return (
        f"missing column(s) {names}; expected Jira's Export > CSV (all fields) in English, Spanish or French, "
        "or map another tracker's (or language's) columns with `backlog-health ingest csv`"
    )


def read_jira_csv(
    path: str | Path,
    *,
    backlog: str | None = None,
    taken_at: datetime | None = None,
    name: str | None = None,
    data: bytes | None = None,
) -> ReadResult:
    """Read a Jira CSV export into a snapshot (every row kept, backlog ranked).

    A plain UTF-8 file is read column-wise by DuckDB; any other file, and any file with
    a problem to report, is read by the row reader, which names the row.
    """
    columnar = read_csv_columns(path, name=name) if data is None else None
    if columnar is not None:
        try:
            return _snapshot(columnar, path=path, backlog=backlog, taken_at=taken_at)
        except (InputError, _RowNeeded):
            pass
    return _snapshot(read_csv_table(path, name=name, data=data), path=path if data is None else None,
                     backlog=backlog, taken_at=taken_at)


class _RowNeeded(Exception):
    """A problem was found in a table read without spreadsheet row numbers."""


def _snapshot(
    table: CsvTable | CsvColumns, *, path: str | Path | None, backlog: str | None, taken_at: datetime | None
) -> ReadResult:
    vocab = vocabulary()
    columns = _classify(table.header, vocab)
    problem = _missing_message(columns, vocab)
    if problem:
        raise InputError(table.name, problem)
    items, links, numeric_rank = _rows(table, columns, vocab)
    if items.empty:
        raise InputError(table.name, "has a header but no issues; expected at least one row")
    estimates = {"story_points": "story_points", "original_estimate": "original_estimate_seconds"}
    return assemble_snapshot(
        items,
        links,
        source_kind="jira-csv",
        source_name=table.name,
        source_rows=_count(table),
        backlog=backlog,
        taken_at=taken_at,
        path=path,
        numeric_rank=numeric_rank,
        estimate_columns={
            target: _first_header(columns, field) for field, target in estimates.items()
            if any(c.field == field for c in columns)
        },
    )


def _count(table: CsvTable | CsvColumns) -> int:
    return table.count if isinstance(table, CsvColumns) else len(table.rows)


def _first_header(columns: list[_Column], field: str) -> str:
    """The header a field is read from first (the best of its columns)."""
    return min((c for c in columns if c.field == field), key=lambda c: (c.priority, c.index)).header


def _rows(
    table: CsvTable | CsvColumns, columns: list[_Column], vocab: JiraVocabulary
) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """The items and links of the table, computed a column at a time.

    Each conversion (dates, numbers, markup, status categories) runs once per distinct
    value of its column: exports repeat statuses, people, dates and texts a lot. The
    first bad cell in row order is reported, as a row-by-row reader would.
    """
    by_field: dict[str, list[_Column]] = {}
    for column in columns:
        if column.field:
            by_field.setdefault(column.field, []).append(column)
    for group in by_field.values():
        group.sort(key=lambda c: (c.priority, c.index))
    cells = _Cells(table)

    def cell(field: str) -> list[str | None]:
        return cells.first([c.index for c in by_field.get(field, [])])

    def fail(field: str, position: int, expected: str) -> InputError:
        return InputError(table.name, expected, row=table.rows[position][0], column=by_field[field][0].header)

    problems: list[tuple[int, int, Callable[[], InputError]]] = []  # (position, check order, error)

    keys = cell("key")
    if None in keys:
        at = keys.index(None)
        problems.append((at, 0, lambda at=at: fail("key", at, "expected an issue key like PROJ-123, got an empty cell")))
    duplicated = pd.Series(keys, dtype=object).duplicated() & pd.Series(keys, dtype=object).notna()
    if duplicated.any():
        dup = int(duplicated.to_numpy().argmax())
        first = keys.index(keys[dup])
        problems.append((dup, 1, lambda: fail(
            "key", dup, f"issue key {shown(keys[dup], quoted=False)} appears twice "
            f"(rows {table.rows[first][0]} and {table.rows[dup][0]}); expected unique keys",
        )))
    summaries = cell("summary")
    if None in summaries:
        at = summaries.index(None)
        problems.append((at, 2, lambda at=at: fail(
            "summary", at, f"expected a summary for {shown(keys[at] or '', quoted=False)}, got an empty cell"
        )))

    record: dict[str, list] = {"row_number": list(range(1, cells.count + 1)), "key": keys, "summary": summaries}
    for field in ("issue_id", "project_key", "issue_type", "status", "resolution",
                  "assignee", "reporter", "priority", "rank"):
        record[field] = cell(field)
    # Jira ranks are LexoRanks; an export from an old Jira may carry plain numbers instead.
    ranks = pa.array(record["rank"], type=pa.string())
    # A LexoRank (RE2's ASCII \d: a match here is a match for `check_rank` too) is no number:
    # only the other cells need Python's float() and rank check.
    lexorank = pc.fill_null(pc.match_substring_regex(ranks, _LEXORANK_ASCII), False).to_numpy(zero_copy_only=False)
    others = [None if known else rank for rank, known in zip(record["rank"], lexorank)]
    filled = sum(rank is not None for rank in record["rank"])
    # Most cells are numbers only if LexoRanks are not half of them.
    numeric_rank = int(lexorank.sum()) * 2 < filled and rank_is_numeric([rank or "" for rank in record["rank"]])
    _check_each(record["rank"] if numeric_rank else others,
                lambda v: check_rank(v, numeric=numeric_rank, lexorank=True),
                lambda at, message: problems.append((at, 3, lambda: fail("rank", at, message))))
    for field in LIST_FIELDS:
        record[field] = cells.lists(sorted(c.index for c in by_field.get(field, [])))
    dates = DateReader(vocab.months, cells.values([c.index for f in DATE_FIELDS for c in by_field.get(f, [])]))
    for order, field in enumerate(DATE_FIELDS, start=4):
        record[field] = _parse_dates(
            cell(field), dates,
            lambda at, message, field=field, order=order: problems.append(
                (at, order, lambda: fail(field, at, message))
            ),
        )
    description = cells.first([c.index for c in by_field.get("description", [])])
    record["description_raw"] = [None if d is None else d.replace("\r\n", "\n").strip() for d in description]
    record["description_text"] = _map_distinct(record["description_raw"], wiki_to_text)
    for order, (field, target, parse) in enumerate(NUMERIC_FIELDS, start=8):
        given = cell(field)
        record[target] = _convert_each(
            given, parse, ValueError,
            lambda at, message, field=field, order=order: problems.append(
                (at, order, lambda: fail(field, at, message))
            ),
        )
        record[f"{target}{GIVEN}"] = given
    if problems:
        if isinstance(table, CsvColumns):
            raise _RowNeeded  # the row reader reads it again and names the spreadsheet row
        raise min(problems, key=lambda p: p[:2])[2]()

    issue_types = _map_distinct(record["issue_type"], lambda t: normalize(t or ""))
    record["is_subtask"] = [t in vocab.subtask_types for t in issue_types]
    record["is_epic"] = [t in vocab.epic_types for t in issue_types]
    categories = cell("status_category") if "status_category" in by_field else [None] * len(keys)
    combos = list(zip(categories, record["status"], record["resolved"].notna().tolist(), record["resolution"]))
    record["status_category"] = _map_distinct(combos, lambda c: status_category(
        c[0], c[1], resolved=True if c[2] else None, resolution=c[3], vocab=vocab
    ))
    record["custom_fields"] = _custom_fields(cells, columns)
    ids = {i: k for i, k in zip(record["issue_id"], keys) if i}
    epic_links = [e or p for e, p in zip(cell("epic_link"), cell("parent_link"))]
    record["parent_key"] = [
        parent or ids.get(parent_id or "") or epic
        for parent, parent_id, epic in zip(cell("parent_key"), cell("parent_id"), epic_links)
    ]
    items = pd.DataFrame(record)
    return items, _links(cells, columns, keys), numeric_rank


class _Cells:
    """The table's cells a column at a time, stripped, an empty cell as None."""

    def __init__(self, table: CsvTable | CsvColumns) -> None:
        self._table = table
        if isinstance(table, CsvColumns):
            self.count = table.count
        else:
            self.count = len(table.rows)
            # Rows are at least as wide as the header (the reader refuses shorter ones).
            self._rows = list(zip(*(row for _, row in table.rows))) or [()] * len(table.header)
        self._stripped: dict[int, list[str | None]] = {}

    def column(self, index: int) -> list[str | None]:
        if index not in self._stripped:
            cells = self._table.column(index) if isinstance(self._table, CsvColumns) else self._rows[index]
            self._stripped[index] = [v.strip() or None for v in cells]
        return self._stripped[index]

    def first(self, indexes: list[int]) -> list[str | None]:
        """Per row, the first non-empty of the columns at `indexes` (in that order)."""
        if not indexes:
            return [None] * self.count
        result = self.column(indexes[0])
        for index in indexes[1:]:
            result = [a if a is not None else b for a, b in zip(result, self.column(index))]
        return result

    def lists(self, indexes: list[int]) -> list[list[str]]:
        """Per row, the non-empty values of the columns at `indexes`."""
        if not indexes:
            return [[] for _ in range(self.count)]
        return [[v for v in values if v is not None] for values in zip(*(self.column(i) for i in indexes))]

    def values(self, indexes: list[int]) -> list[str]:
        """Every non-empty cell of the columns at `indexes`."""
        return [v for i in indexes for v in self.column(i) if v is not None]


def _map_distinct(values: list, convert: Callable) -> list:
    """`convert` applied to each distinct value once."""
    converted = {value: convert(value) for value in dict.fromkeys(values)}
    return [converted[value] for value in values]


def _convert_each(
    values: list[str | None], convert: Callable, error: type[Exception], problem: Callable[[int, str], None]
) -> list:
    """`convert` of each value (None stays None); the first value it refuses goes to `problem`."""
    converted: dict[str, object] = {}
    for value in dict.fromkeys(values):
        if value is None:
            continue
        try:
            converted[value] = convert(value)
        except error as failure:
            problem(values.index(value), str(failure))
            return [None] * len(values)
    return [None if value is None else converted[value] for value in values]


_LEXORANK_ASCII = r"^[0-9]\|[0-9a-z]+(?::[0-9a-z]*)?$"

# Jira Cloud's English export format, parsed in one vectorised call; every other cell
# (other languages and formats, and anything this pattern lets through but pandas
# refuses, e.g. 31/Feb or 13:00 PM) goes through `DateReader`, which explains a refusal.
_JIRA_ENGLISH = r"^\d{1,2}/(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/\d{2} \d{1,2}:\d{2} [AaPp][Mm]$"


def _parse_dates(values: list[str | None], reader: DateReader, problem: Callable[[int, str], None]) -> pd.Series:
    """The dates in `values` as datetime64 (NaT for an empty cell)."""
    cells = pa.array(values, type=pa.string())
    jira = pc.fill_null(pc.match_substring_regex(cells, _JIRA_ENGLISH), False).to_numpy(zero_copy_only=False)
    fast = pd.to_datetime(pd.Series(values, dtype=object).where(jira), format="%d/%b/%y %I:%M %p", errors="coerce")
    done = fast.notna().to_numpy()
    rest = [None if parsed else value for value, parsed in zip(values, done)]
    slow = pd.to_datetime(pd.Series(_convert_each(rest, reader.parse, DateFormatError, problem), dtype=object))
    return fast.where(done, slow).astype("datetime64[ns]")


def _check_each(values: list[str | None], check: Callable[[str], None], problem: Callable[[int, str], None]) -> None:
    for value in dict.fromkeys(values):
        if value is None:
            continue
        try:
            check(value)
        except ValueError as failure:
            problem(values.index(value), str(failure))
            return


def _custom_fields(cells: _Cells, columns: Iterable[_Column]) -> list[dict[str, str]]:
    custom = [c for c in columns if c.custom is not None]
    fields: list[dict[str, list[str]]] = [{} for _ in range(cells.count)]
    for column in custom:
        for row, value in enumerate(cells.column(column.index)):
            if value is not None:
                fields[row].setdefault(column.custom, []).append(value)
    return [{name: "; ".join(values) for name, values in row.items()} for row in fields]


def _links(cells: _Cells, columns: list[_Column], keys: list[str | None]) -> pd.DataFrame:
    found: list[tuple[int, int, int, tuple[str, str, str, str]]] = []
    for order, column in enumerate(columns):
        if not column.link_type:
            continue
        for row, value in enumerate(cells.column(column.index)):
            if value is not None:
                for n, target in enumerate(value.replace(",", " ").split()):
                    found.append((row, order, n, (keys[row], target, column.link_type, column.direction)))
    found.sort(key=lambda f: f[:3])
    links = [f[3] for f in found]
    return pd.DataFrame(links, columns=list(LINK_COLUMNS)).drop_duplicates(ignore_index=True)
