"""Any tracker's CSV export, read through a column mapping the user gives."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from backlog_health.errors import InputError
from backlog_health.model import LINK_COLUMNS
from backlog_health.toml_file import read_toml
from backlog_health.ingest.assemble import ReadResult, assemble_snapshot
from backlog_health.ingest.csv_file import read_csv_table
from backlog_health.ingest.dates import DateFormatError, DateReader
from backlog_health.ingest.jira_locale import JiraVocabulary, normalize, vocabulary
from backlog_health.ingest.markup import wiki_to_text
from backlog_health.ingest.values import check_rank, parse_numbers, rank_is_numeric, shown, status_category

REQUIRED_FIELDS = ("key", "summary")
OPTIONAL_FIELDS = (
    "description", "status", "status_category", "issue_type", "story_points",
    "original_estimate", "assignee", "rank", "sprint", "parent", "labels",
    "created", "updated", "resolved", "duplicates", "blocked_by",
)
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
LIST_FIELDS = ("sprint", "labels", "duplicates", "blocked_by")
DATE_FIELDS = ("created", "updated", "resolved")
_SEPARATORS = re.compile(r"\s*[;,|]\s*")


def parse_map_options(options: list[str]) -> dict[str, str]:
    """`["key=ID", "summary=Title"]` as a mapping; ValueError names a malformed one."""
    mapping: dict[str, str] = {}
    for option in options:
        field, sep, column = option.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise ValueError(f'--map expects FIELD=COLUMN, got "{option}"')
        mapping[field.strip()] = column.strip()
    return mapping


@dataclass(frozen=True)
class CsvMapping:
    """A mapping file's content: field -> column header, and the statuses that mean done."""

    columns: dict[str, str]
    done_statuses: tuple[str, ...] = ()


def read_mapping(path: str | Path) -> CsvMapping:
    """A TOML mapping file: a `[columns]` table of field = "column header", and optionally
    `done_statuses = ["Fait (à livrer)", "Validé"]`."""
    name = Path(path).name
    table = read_toml(path, name, "mapping file")
    columns = table.get("columns")
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise InputError(name, 'expected a [columns] table of field = "column header" lines')
    done = table.get("done_statuses", [])
    if not isinstance(done, list) or not all(isinstance(v, str) and v.strip() for v in done):
        raise InputError(name, 'expected done_statuses = ["Done", "Closed"], a list of status names')
    return CsvMapping(dict(columns), tuple(done))


def read_mapping_file(path: str | Path) -> dict[str, str]:
    """The `[columns]` table of a TOML mapping file (see `read_mapping`)."""
    return read_mapping(path).columns


def validate_mapping(mapping: dict[str, str], header: list[str], file: str) -> None:
    """Every field known, the required ones present, every column in the file."""
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise InputError(
            file, f"unknown field(s) {', '.join(unknown)} in the mapping; expected some of {', '.join(FIELDS)}"
        )
    missing = [f for f in REQUIRED_FIELDS if f not in mapping]
    if missing:
        raise InputError(file, f"the mapping needs {' and '.join(missing)} (e.g. --map key=ID)")
    absent = [shown(c) for c in mapping.values() if c not in header]
    if absent:
        columns = ", ".join(shown(h) for h in header[:20]) + (" ..." if len(header) > 20 else "")
        raise InputError(file, f"no column {', '.join(absent)} in the file; its columns are {columns}")


def read_generic_csv(
    path: str | Path,
    mapping: dict[str, str],
    *,
    backlog: str | None = None,
    taken_at: datetime | None = None,
    name: str | None = None,
    data: bytes | None = None,
    done_statuses: Iterable[str] = (),
) -> ReadResult:
    """Read any tracker's CSV into a snapshot using `mapping` (field -> column header).

    Lists (sprint, labels, duplicates, blocked_by) are split on ";", "," or "|". A rank
    column of numbers sorts numerically (lower = higher priority), else as strings.
    `done_statuses` names statuses that mean done beyond those the locale tables know
    (case and spaces ignored); when no row is done, a warning lists the statuses seen.
    """
    done = frozenset(normalize(s) for s in done_statuses if s.strip())
    table = read_csv_table(path, name=name, data=data)
    validate_mapping(mapping, table.header, table.name)
    index = {field: table.header.index(column) for field, column in mapping.items()}
    vocab = vocabulary()
    dates = DateReader(
        vocab.months,
        (row[index[f]] for _, row in table.rows for f in DATE_FIELDS if f in index and index[f] < len(row)),
    )
    numeric_rank = _rank_is_numeric(table, index)
    records, links, seen = [], [], {}
    for position, (row_number, row) in enumerate(table.rows, start=1):

        def cell(field: str) -> str | None:
            if field not in index or index[field] >= len(row):
                return None
            return row[index[field]].strip() or None

        def fail(field: str, expected: str) -> InputError:
            return InputError(table.name, expected, row=row_number, column=mapping[field])

        key = cell("key")
        if key is None:
            raise fail("key", "expected an item key, got an empty cell")
        if key in seen:
            raise fail("key", f"key {shown(key, quoted=False)} appears twice (rows {seen[key]} and {row_number}); expected unique keys")
        seen[key] = row_number
        summary = cell("summary")
        if summary is None:
            raise fail("summary", f"expected a summary for {shown(key, quoted=False)}, got an empty cell")
        lists = {f: [v for v in _SEPARATORS.split(cell(f) or "") if v] for f in LIST_FIELDS}
        record = {
            "row_number": position,
            "key": key,
            "summary": summary,
            "project_key": None,
            "description_raw": cell("description"),
            "description_text": wiki_to_text(cell("description")),
            "issue_type": cell("issue_type"),
            "status": cell("status"),
            "assignee": cell("assignee"),
            "rank": cell("rank"),
            "parent_key": cell("parent"),
            "labels": lists["labels"],
            "sprints": lists["sprint"],
            "components": [],
            "fix_versions": [],
            "custom_fields": {},
        }
        for field in DATE_FIELDS:
            try:
                record[field] = dates.parse(cell(field))
            except DateFormatError as error:
                raise fail(field, str(error)) from None
        parse_numbers(record, cell, fail)
        try:
            check_rank(record["rank"], numeric=numeric_rank)
        except ValueError as error:
            raise fail("rank", str(error)) from None
        issue_type = normalize(record["issue_type"] or "")
        record["is_subtask"] = issue_type in vocab.subtask_types
        record["is_epic"] = issue_type in vocab.epic_types
        record["status_category"] = "Done" if normalize(record["status"] or "") in done else status_category(
            cell("status_category"), record["status"],
            resolved=record["resolved"], resolution=None, vocab=vocab,
        )
        links += [(key, other, "Duplicate", "outward") for other in lists["duplicates"]]
        links += [(key, other, "Blocks", "inward") for other in lists["blocked_by"]]
        records.append(record)
    if not records:
        raise InputError(table.name, "has a header but no rows; expected at least one item")
    items = pd.DataFrame.from_records(records)
    link_frame = pd.DataFrame(links, columns=list(LINK_COLUMNS)).drop_duplicates(ignore_index=True)
    none_done = _none_done_warning(table.name, items, vocab) if {"status", "status_category"} & set(mapping) else None
    return assemble_snapshot(
        items,
        link_frame,
        source_kind="csv",
        source_name=table.name,
        source_rows=len(table.rows),
        backlog=backlog or _default_backlog_name(table.name, items),
        taken_at=taken_at,
        path=path if data is None else None,
        numeric_rank=numeric_rank,
        estimate_columns={
            target: mapping[field]
            for field, target in (("story_points", "story_points"), ("original_estimate", "original_estimate_seconds"))
            if field in mapping
        },
        warnings=(none_done,) if none_done else (),
    )


SHOWN_STATUSES = 8


def _none_done_warning(file: str, items: pd.DataFrame, vocab: JiraVocabulary) -> str | None:
    """A warning when no row is done and some status is one the locale tables do not know:
    every item would count as open, which an export in another language or with the team's
    own workflow often means, silently. (A file of known open statuses needs no warning.)"""
    if (items["status_category"] == "Done").any():
        return None
    counts = Counter(items["status"].dropna())
    known = vocab.done_statuses | vocab.in_progress_statuses | vocab.to_do_statuses | set(vocab.status_categories)
    if all(normalize(name) in known for name in counts):
        return None
    seen = ", ".join(f"{shown(name)} ({count})" for name, count in counts.most_common(SHOWN_STATUSES))
    more = f" and {len(counts) - SHOWN_STATUSES} more" if len(counts) > SHOWN_STATUSES else ""
    return (
        f"{file}: no row is done, so all {len(items)} item{'' if len(items) == 1 else 's'} count as open; "
        f"statuses seen: {seen}{more}. "
        "If some of them mean done, name them as done statuses (--done-status, done_statuses in the "
        "mapping file, or \"Done statuses\" on the Upload page)"
    )


def _default_backlog_name(file_name: str, items: pd.DataFrame) -> str | None:
    """Keys like ABC-12 name their project; otherwise the file's name without extension."""
    prefixes = items["key"].str.extract(r"^([A-Za-z][A-Za-z0-9_]*)-\d+$")[0]
    if prefixes.notna().all():
        return None  # assemble_snapshot derives it from the keys
    return Path(file_name).stem


def _rank_is_numeric(table, index: dict[str, int]) -> bool:
    """True when most rank cells are numbers: then junk among them is an error, not a string."""
    if "rank" not in index:
        return False
    return rank_is_numeric([row[index["rank"]].strip() for _, row in table.rows if index["rank"] < len(row)])
