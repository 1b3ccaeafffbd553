"""Jira's "Export > CSV (all fields)" files, Cloud or Server/Data Center, any UI language.

Only this module (with `jira_locale` and its tables) knows Jira's header names; what
comes out is a `Snapshot` in the canonical snake_case shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from backlog_health.errors import InputError
from backlog_health.model import LINK_COLUMNS
from backlog_health.ingest.assemble import ReadResult, assemble_snapshot
from backlog_health.ingest.cell_columns import Cells, convert_each, first_position, map_distinct, map_distinct_rows
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
    cells = Cells(table)

    def cell(field: str) -> pa.Array:
        return cells.first([c.index for c in by_field.get(field, [])])

    def fail(field: str, position: int, expected: str) -> InputError:
        return InputError(table.name, expected, row=table.rows[position][0], column=by_field[field][0].header)

    problems: list[tuple[int, int, Callable[[], InputError]]] = []  # (position, check order, error)

    keys = cell("key")
    if keys.null_count:
        at = first_position(pc.is_null(keys), True)
        problems.append((at, 0, lambda at=at: fail("key", at, "expected an issue key like PROJ-123, got an empty cell")))
    if len(pc.unique(keys)) < len(keys) - keys.null_count + (1 if keys.null_count else 0):
        key_list = keys.to_pylist()
        duplicated = pd.Series(key_list, dtype=object).duplicated() & pd.Series(key_list, dtype=object).notna()
        dup = int(duplicated.to_numpy().argmax())
        first = key_list.index(key_list[dup])
        problems.append((dup, 1, lambda: fail(
            "key", dup, f"issue key {shown(key_list[dup], quoted=False)} appears twice "
            f"(rows {table.rows[first][0]} and {table.rows[dup][0]}); expected unique keys",
        )))
    summaries = cell("summary")
    if summaries.null_count:
        at = first_position(pc.is_null(summaries), True)
        problems.append((at, 2, lambda at=at: fail(
            "summary", at, f"expected a summary for {shown(keys[at].as_py() or '', quoted=False)}, got an empty cell"
        )))

    record: dict[str, pa.Array] = {"key": keys, "summary": summaries}
    for field in ("issue_id", "project_key", "issue_type", "status", "resolution",
                  "assignee", "reporter", "priority", "rank"):
        record[field] = cell(field)
    numeric_rank = _check_ranks(record["rank"], lambda at, message: problems.append(
        (at, 3, lambda: fail("rank", at, message))
    ))
    lists = {field: cells.lists(sorted(c.index for c in by_field.get(field, []))) for field in LIST_FIELDS}
    date_columns = [c.index for f in DATE_FIELDS for c in by_field.get(f, [])]
    dates = DateReader(vocab.months, cells.matching(date_columns, _NUMERIC_DATE))
    parsed: dict[str, pd.Series] = {}
    for order, field in enumerate(DATE_FIELDS, start=4):
        parsed[field] = _parse_dates(
            cell(field), dates,
            lambda at, message, field=field, order=order: problems.append(
                (at, order, lambda: fail(field, at, message))
            ),
        )
    description = cells.first([c.index for c in by_field.get("description", [])])
    # A stripped cell with its line ends made "\n" is still stripped: no second strip.
    record["description_raw"] = (
        pc.replace_substring(description, "\r\n", "\n") if pc.any(pc.match_substring(description, "\r")).as_py()
        else description
    )
    record["description_text"] = map_distinct(record["description_raw"], wiki_to_text, pa.string())
    numbers: dict[str, list] = {}
    for order, (field, target, parse) in enumerate(NUMERIC_FIELDS, start=8):
        given = cell(field)
        numbers[target] = convert_each(
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

    issue_types = map_distinct(record["issue_type"], lambda t: normalize(t or ""), pa.string())
    record["is_subtask"] = pc.is_in(issue_types, pa.array(sorted(vocab.subtask_types), pa.string()))
    record["is_epic"] = pc.is_in(issue_types, pa.array(sorted(vocab.epic_types), pa.string()))
    categories = cell("status_category")
    resolved = pa.array(parsed["resolved"].notna().to_numpy())
    record["status_category"] = map_distinct_rows(
        [categories, record["status"], resolved, record["resolution"]],
        lambda category, status, done, resolution: status_category(
            category, status, resolved=True if done else None, resolution=resolution, vocab=vocab
        ),
        pa.string(),
    )
    record["parent_key"] = _parent_keys(cell("parent_key"), cell("parent_id"), record["issue_id"], keys,
                                        pc.coalesce(cell("epic_link"), cell("parent_link")))
    items = pa.table(record).to_pandas()
    items.insert(0, "row_number", np.arange(1, cells.count + 1))
    for field, values in lists.items():
        items[field] = pd.Series(values.to_pylist(), index=items.index, dtype=object)
    for field, values in parsed.items():
        items[field] = values.to_numpy()
    for target, values in numbers.items():  # inferred as from a list, as every reader's numbers are
        items[target] = pd.Series(values, index=items.index)
    items["custom_fields"] = _custom_fields(cells, columns)
    return items, _links(cells, columns, keys), numeric_rank


def _check_ranks(ranks: pa.Array, problem: Callable[[int, str], None]) -> bool:
    """Whether the ranks are numbers (old Jiras) rather than LexoRanks; the first cell
    of the other kind goes to `problem`."""
    # A LexoRank (RE2's ASCII \d: a match here is a match for `check_rank` too) is no number:
    # only the other cells need Python's float() and rank check.
    lexorank = pc.fill_null(pc.match_substring_regex(ranks, _LEXORANK_ASCII), False)
    lexoranks = pc.sum(lexorank).as_py() or 0
    filled = len(ranks) - ranks.null_count
    # Most cells are numbers only if LexoRanks are not half of them.
    numeric = lexoranks * 2 < filled and rank_is_numeric([rank or "" for rank in ranks.to_pylist()])
    checked = ranks if numeric else pc.if_else(lexorank, pa.scalar(None, pa.string()), ranks)
    convert_each(checked, lambda v: check_rank(v, numeric=numeric, lexorank=True), ValueError, problem)
    return numeric


def _parent_keys(parents: pa.Array, parent_ids: pa.Array, issue_ids: pa.Array, keys: pa.Array,
                 epics: pa.Array) -> pa.Array:
    """The parent's key as given, else the key of the issue whose id is the parent id, else the epic."""
    # By the last row with each issue id, as a mapping from id to key built in row order.
    reversed_ids = issue_ids[::-1]
    by_id = pc.index_in(parent_ids, reversed_ids, skip_nulls=True)
    found = pc.subtract(pa.scalar(len(keys) - 1, pa.int64()), pc.cast(by_id, pa.int64()))
    return pc.coalesce(parents, keys.take(found), epics)


_LEXORANK_ASCII = r"^[0-9]\|[0-9a-z]+(?::[0-9a-z]*)?$"
# Cells that may be numeric dates (see DateReader): only they tell day-first from month-first.
_NUMERIC_DATE = r"^\p{Nd}{1,2}[/.\-]\p{Nd}{1,2}[/.\-]"  # Python's \d: any decimal digit

# Jira Cloud's English export format, read a column at a time; every other cell (other
# languages and formats, and anything this pattern lets through that is no date, e.g. 31/Feb
# or 13:00 PM) goes through `DateReader`, which explains a refusal.
_JIRA_ENGLISH = (
    r"^(?P<day>\d{1,2})/(?P<month>(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))/(?P<year>\d{2}) "
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}) (?P<meridiem>[AaPp])[Mm]$"
)
_MONTHS = pa.array(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])


def _parse_dates(
    values: pa.Array | list[str | None], reader: DateReader, problem: Callable[[int, str], None]
) -> pd.Series:
    """The dates in `values` as datetime64 (NaT for an empty cell)."""
    cells = values if isinstance(values, pa.Array) else pa.array(values, pa.string())
    fast = _jira_english_dates(cells)
    done = ~np.isnat(fast)
    rest = pc.if_else(pa.array(done), pa.scalar(None, pa.string()), cells)
    slow = pd.to_datetime(pd.Series(convert_each(rest, reader.parse, DateFormatError, problem), dtype=object))
    return pd.Series(fast).where(done, slow).astype("datetime64[ns]")


def _jira_english_dates(cells: pa.Array) -> np.ndarray:
    """The cells written like 06/Jan/26 9:29 AM as datetime64[ns], NaT for any other cell
    and for any that names no real moment (a 31st of February, hour 0 or 13 with AM/PM)."""
    parts = pc.extract_regex(cells, _JIRA_ENGLISH)  # null where the cell does not match
    matched = pc.is_valid(parts)

    def part(name: str, otherwise: str) -> pa.Array:
        return pc.if_else(matched, parts.field(name), otherwise)

    def number(name: str) -> np.ndarray:
        return pc.cast(part(name, "0"), pa.int64()).to_numpy()

    day, year, hour, minute = number("day"), number("year"), number("hour"), number("minute")
    month = pc.fill_null(pc.index_in(pc.utf8_lower(part("month", "jan")), _MONTHS), 0).to_numpy()
    year = year + np.where(year < 69, 2000, 1900)  # strptime's %y
    pm = pc.equal(pc.utf8_lower(part("meridiem", "a")), "p").to_numpy(zero_copy_only=False)
    first = (np.asarray(year - 1970) * 12 + month).astype("datetime64[M]")
    month_days = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    valid = (
        matched.to_numpy(zero_copy_only=False)
        & (day >= 1) & (day <= month_days) & (hour >= 1) & (hour <= 12) & (minute <= 59)
    )
    clock = (hour % 12 + np.where(pm, 12, 0)) * 60 + minute
    moments = first.astype("datetime64[D]").astype("datetime64[m]") + (day - 1) * 1440 + clock
    return np.where(valid, moments.astype("datetime64[ns]"), np.datetime64("NaT", "ns"))


def _custom_fields(cells: Cells, columns: Iterable[_Column]) -> list[dict[str, str]]:
    custom = [c for c in columns if c.custom is not None]
    names = [c.custom for c in custom]
    if len(set(names)) == len(names):  # one column each: a row's names in column order
        values = [cells.column(c.index).to_pylist() for c in custom]
        return [{name: value for name, value in zip(names, row) if value is not None} for row in zip(*values)] \
            if custom else [{} for _ in range(cells.count)]
    fields: list[dict[str, list[str]]] = [{} for _ in range(cells.count)]
    for column in custom:
        for row, value in enumerate(cells.column(column.index).to_pylist()):
            if value is not None:
                fields[row].setdefault(column.custom, []).append(value)
    return [{name: "; ".join(values) for name, values in row.items()} for row in fields]


def _links(cells: Cells, columns: list[_Column], keys: pa.Array) -> pd.DataFrame:
    found: list[tuple[int, int, int, tuple[str, str, str, str]]] = []
    for order, column in enumerate(columns):
        if not column.link_type:
            continue
        values = cells.column(column.index)
        rows = np.flatnonzero(values.is_valid().to_numpy(zero_copy_only=False))
        sources = keys.take(pa.array(rows)).to_pylist()
        for row, source, value in zip(rows.tolist(), sources, values.take(pa.array(rows)).to_pylist()):
            for n, target in enumerate(value.replace(",", " ").split()):
                found.append((row, order, n, (source, target, column.link_type, column.direction)))
    found.sort(key=lambda f: f[:3])
    links = [f[3] for f in found]
    return pd.DataFrame(links, columns=list(LINK_COLUMNS)).drop_duplicates(ignore_index=True)
