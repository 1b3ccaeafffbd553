"""Jira's "Export > CSV (all fields)" files, Cloud or Server/Data Center, any UI language.

Only this module (with `jira_locale` and its tables) knows Jira's header names; what
comes out is a `Snapshot` in the canonical snake_case shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from backlog_health.errors import InputError
from backlog_health.model import LINK_COLUMNS
from backlog_health.ingest.assemble import ReadResult, assemble_snapshot
from backlog_health.ingest.csv_file import CsvTable, read_csv_table
from backlog_health.ingest.dates import DateFormatError, DateReader
from backlog_health.ingest.jira_locale import JiraVocabulary, normalize, vocabulary
from backlog_health.ingest.markup import wiki_to_text
from backlog_health.ingest.values import check_rank, parse_numbers, rank_is_numeric, shown, status_category

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
    """Read a Jira CSV export into a snapshot (every row kept, backlog ranked)."""
    table = read_csv_table(path, name=name, data=data)
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
        source_rows=len(table.rows),
        backlog=backlog,
        taken_at=taken_at,
        path=path if data is None else None,
        numeric_rank=numeric_rank,
        estimate_columns={
            target: _first_header(columns, field) for field, target in estimates.items()
            if any(c.field == field for c in columns)
        },
    )


def _first_header(columns: list[_Column], field: str) -> str:
    """The header a field is read from first (the best of its columns)."""
    return min((c for c in columns if c.field == field), key=lambda c: (c.priority, c.index)).header


def _rows(
    table: CsvTable, columns: list[_Column], vocab: JiraVocabulary
) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    by_field: dict[str, list[_Column]] = {}
    for column in columns:
        if column.field:
            by_field.setdefault(column.field, []).append(column)
    for group in by_field.values():
        group.sort(key=lambda c: (c.priority, c.index))
    date_cells = [
        row[c.index]
        for _, row in table.rows
        for field in DATE_FIELDS
        for c in by_field.get(field, [])
        if c.index < len(row)
    ]
    dates = DateReader(vocab.months, date_cells)
    # Jira ranks are LexoRanks; an export from an old Jira may carry plain numbers instead.
    rank_columns = [c.index for c in by_field.get("rank", [])]
    numeric_rank = rank_is_numeric(
        [next((row[i].strip() for i in rank_columns if i < len(row) and row[i].strip()), "") for _, row in table.rows]
    )
    has_category = "status_category" in by_field

    records: list[dict] = []
    links: list[tuple[str, str, str, str]] = []
    seen: dict[str, int] = {}
    for position, (row_number, row) in enumerate(table.rows, start=1):
        def cell(field: str) -> str | None:
            for column in by_field.get(field, []):
                value = row[column.index].strip() if column.index < len(row) else ""
                if value:
                    return value
            return None

        def cells(field: str) -> list[str]:
            values = []
            for column in sorted(by_field.get(field, []), key=lambda c: c.index):
                value = row[column.index].strip() if column.index < len(row) else ""
                if value:
                    values.append(value)
            return values

        def fail(field: str, expected: str) -> InputError:
            header = by_field[field][0].header
            return InputError(table.name, expected, row=row_number, column=header)

        key = cell("key")
        if key is None:
            raise fail("key", "expected an issue key like PROJ-123, got an empty cell")
        if key in seen:
            raise fail(
                "key", f"issue key {shown(key, quoted=False)} appears twice (rows {seen[key]} and {row_number}); expected unique keys"
            )
        seen[key] = row_number
        summary = cell("summary")
        if summary is None:
            raise fail("summary", f"expected a summary for {shown(key, quoted=False)}, got an empty cell")

        record: dict = {"row_number": position, "key": key, "summary": summary}
        for field in ("issue_id", "project_key", "issue_type", "status", "resolution",
                      "assignee", "reporter", "priority", "rank"):
            record[field] = cell(field)
        try:
            check_rank(record["rank"], numeric=numeric_rank, lexorank=True)
        except ValueError as error:
            raise fail("rank", str(error)) from None
        for field in LIST_FIELDS:
            record[field] = cells(field)
        for field in DATE_FIELDS:
            try:
                record[field] = dates.parse(cell(field))
            except DateFormatError as error:
                raise fail(field, str(error)) from None
        record["description_raw"] = _description(row, by_field)
        record["description_text"] = wiki_to_text(record["description_raw"])
        parse_numbers(record, cell, fail)
        issue_type = normalize(record["issue_type"] or "")
        record["is_subtask"] = issue_type in vocab.subtask_types
        record["is_epic"] = issue_type in vocab.epic_types
        record["status_category"] = status_category(
            cell("status_category") if has_category else None,
            record["status"],
            resolved=record["resolved"],
            resolution=record["resolution"],
            vocab=vocab,
        )
        record["_parent_key"] = cell("parent_key")
        record["_parent_id"] = cell("parent_id")
        record["_epic_link"] = cell("epic_link") or cell("parent_link")
        record["custom_fields"] = _custom_fields(row, columns)
        for column in columns:
            if column.link_type and column.index < len(row) and row[column.index].strip():
                for target in row[column.index].replace(",", " ").split():
                    links.append((key, target, column.link_type, column.direction))
        records.append(record)

    ids = {r["issue_id"]: r["key"] for r in records if r["issue_id"]}
    for record in records:
        record["parent_key"] = (
            record.pop("_parent_key")
            or ids.get(record.pop("_parent_id") or "")
            or record.pop("_epic_link")
        )
        record.pop("_parent_id", None)
        record.pop("_epic_link", None)
    items = pd.DataFrame.from_records(records)
    link_frame = pd.DataFrame(links, columns=list(LINK_COLUMNS)).drop_duplicates(ignore_index=True)
    return items, link_frame, numeric_rank


def _description(row: list[str], by_field: dict[str, list[_Column]]) -> str | None:
    for column in by_field.get("description", []):
        if column.index < len(row) and row[column.index].strip():
            return row[column.index].replace("\r\n", "\n").strip()
    return None


def _custom_fields(row: list[str], columns: Iterable[_Column]) -> dict[str, str]:
    fields: dict[str, list[str]] = {}
    for column in columns:
        if column.custom is None or column.index >= len(row):
            continue
        value = row[column.index].strip()
        if value:
            fields.setdefault(column.custom, []).append(value)
    return {name: "; ".join(values) for name, values in fields.items()}
