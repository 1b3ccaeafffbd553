"""The canonical snapshot shape every source produces and the store persists.

Sources map their own field names onto these snake_case columns once, in `ingest/`;
nothing downstream sees a tracker's header names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import pyarrow as pa

# Which sources' snapshots are rebuilt from history: defined without pandas, for `metrics --json`.
from backlog_health.source_kinds import REBUILT_SOURCE_KINDS, is_rebuilt, ranking_not_known  # noqa: F401

STATUS_CATEGORIES = ("To Do", "In Progress", "Done")

_STR = pa.string()
_LIST = pa.list_(pa.string())

ITEM_SCHEMA = pa.schema(
    [
        ("row_number", pa.int32()),  # 1-based position in the source, data rows only
        ("key", _STR),
        ("issue_id", _STR),
        ("project_key", _STR),
        ("summary", _STR),
        ("description_raw", _STR),
        ("description_text", _STR),
        ("issue_type", _STR),
        ("is_subtask", pa.bool_()),
        ("is_epic", pa.bool_()),
        ("status", _STR),
        ("status_category", _STR),  # one of STATUS_CATEGORIES
        ("resolution", _STR),
        ("story_points", pa.float64()),
        ("original_estimate_seconds", pa.int64()),
        ("assignee", _STR),
        ("reporter", _STR),
        ("priority", _STR),
        ("labels", _LIST),
        ("components", _LIST),
        ("fix_versions", _LIST),
        ("sprints", _LIST),  # every sprint the item was in, oldest first
        ("parent_key", _STR),
        ("created", pa.timestamp("us")),
        ("updated", pa.timestamp("us")),
        ("resolved", pa.timestamp("us")),
        ("due", pa.timestamp("us")),
        ("rank", _STR),
        ("is_backlog", pa.bool_()),
        ("rank_position", pa.int32()),  # 1..n over backlog items, null otherwise
        ("custom_fields", pa.map_(_STR, _STR)),
    ]
)

LINK_SCHEMA = pa.schema(
    [
        ("from_key", _STR),
        ("to_key", _STR),
        ("link_type", _STR),  # e.g. "Duplicate", "Blocks", as the tracker names it
        ("direction", _STR),  # "outward": from_key <verb> to_key; "inward": the reverse
    ]
)

SPRINT_SCHEMA = pa.schema(
    [
        ("name", _STR),
        ("state", _STR),  # "closed", "active", "future", or null when unknown
        ("start_date", pa.timestamp("us")),
        ("end_date", pa.timestamp("us")),
        ("complete_date", pa.timestamp("us")),
    ]
)

# The item columns, written once: the schema above. A new field is added here and in one
# migration of the store (a test checks that the store's `items` has exactly these columns).
ITEM_COLUMNS: tuple[str, ...] = tuple(ITEM_SCHEMA.names)
LIST_COLUMNS: tuple[str, ...] = tuple(f.name for f in ITEM_SCHEMA if pa.types.is_list(f.type))
MAP_COLUMNS: tuple[str, ...] = tuple(f.name for f in ITEM_SCHEMA if pa.types.is_map(f.type))
LINK_COLUMNS: tuple[str, ...] = tuple(LINK_SCHEMA.names)
SPRINT_COLUMNS: tuple[str, ...] = tuple(SPRINT_SCHEMA.names)

# The order in which an item's fields are shown (`items --json/--csv`): what a person reads
# first leads. Every stored column but `row_number` appears once; `parent_key` is shown as
# `parent`. Checked below, so a new column in ITEM_SCHEMA must be given its place here.
ITEM_FIELDS: tuple[str, ...] = (
    "key", "rank_position", "summary", "issue_type", "status", "status_category", "story_points",
    "original_estimate_seconds", "assignee", "reporter", "priority", "parent", "sprints", "labels",
    "components", "fix_versions", "created", "updated", "resolved", "due", "rank", "is_backlog",
    "is_subtask", "is_epic", "resolution", "project_key", "issue_id", "description_text",
    "description_raw", "custom_fields",
)
_SHOWN = {"parent": "parent_key"}
if sorted(_SHOWN.get(f, f) for f in ITEM_FIELDS) != sorted(c for c in ITEM_COLUMNS if c != "row_number"):
    raise AssertionError("model.ITEM_FIELDS must list every ITEM_SCHEMA column but row_number, once")


def item_columns(*names: str) -> tuple[str, ...]:
    """`names`, each checked to be an item column: a list of item columns chosen for one use
    fails on import, not on a page, when the model drops or renames a field."""
    unknown = [name for name in names if name not in ITEM_COLUMNS]
    if unknown:
        raise ValueError(f"not item columns of the model: {', '.join(unknown)}")
    return names


def empty_frame(schema: pa.Schema) -> pd.DataFrame:
    """An empty frame with the columns of `schema`."""
    return schema.empty_table().to_pandas()


def to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """`frame` as an Arrow table with exactly `schema`'s columns and types (missing
    columns become nulls; NaN, NaT and None become nulls)."""
    columns = {}
    for fld in schema:
        if fld.name not in frame:
            columns[fld.name] = pa.nulls(len(frame), type=fld.type)
            continue
        values = frame[fld.name]
        if pa.types.is_map(fld.type):
            if _all_of_type(values, dict):  # what readers produce: Arrow converts it as it is
                columns[fld.name] = pa.array(values, type=fld.type, from_pandas=True)
                continue
            cells = [list(v.items()) if isinstance(v, dict) else None for v in values]
            columns[fld.name] = pa.array(cells, type=fld.type)
        elif pa.types.is_list(fld.type):
            if _all_of_type(values, list):
                columns[fld.name] = pa.array(values, type=fld.type, from_pandas=True)
                continue
            cells = [None if v is None or (isinstance(v, float) and v != v) else list(v) for v in values]
            columns[fld.name] = pa.array(cells, type=fld.type)
        elif pa.types.is_timestamp(fld.type):
            stamps = pd.to_datetime(values)
            columns[fld.name] = pa.array(stamps.dt.as_unit("us"), type=fld.type, from_pandas=True)
        elif pa.types.is_string(fld.type):
            try:
                columns[fld.name] = pa.array(values, type=fld.type, from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # e.g. numbers in a text column
                cells = [None if _is_missing(v) else str(v) for v in values]
                columns[fld.name] = pa.array(cells, type=fld.type)
        else:
            try:
                columns[fld.name] = pa.array(values, type=fld.type, from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                cells = [None if _is_missing(v) else v for v in values]
                columns[fld.name] = pa.array(cells, type=fld.type)
    return pa.table(columns, schema=schema)


def _all_of_type(values: pd.Series, kind: type) -> bool:
    """Whether every cell is exactly a `kind` or None."""
    return values.dtype == object and all(type(v) is kind or v is None for v in values)


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, tuple, dict)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Snapshot:
    """One observation of one backlog at one time, ready to be stored.

    `items` holds every row of the source (done items and sub-tasks too) with
    `is_backlog` and `rank_position` already assigned; `links` and `sprints` may be empty.
    """

    backlog: str
    taken_at: datetime
    source_kind: str  # "jira-csv", "csv", "jira", "jira-backfill", "demo"
    source_name: str
    items: pd.DataFrame
    links: pd.DataFrame = field(default_factory=lambda: empty_frame(LINK_SCHEMA))
    sprints: pd.DataFrame = field(default_factory=lambda: empty_frame(SPRINT_SCHEMA))
    source_rows: int | None = None  # data rows read from the source, blank rows excluded
    snapshot_id: int | None = None  # set once stored
    # What a person should know about how the source was read, one line each (values set
    # aside as implausible, no row done); stored with the snapshot, not part of its content.
    warnings: tuple[str, ...] = ()

    @property
    def row_count(self) -> int:
        return len(self.items)

    @property
    def backlog_item_count(self) -> int:
        return int(self.items["is_backlog"].fillna(False).astype(bool).sum())

    def arrow_tables(self) -> tuple[pa.Table, pa.Table, pa.Table]:
        """Items, links and sprints as Arrow tables of the canonical schemas."""
        return (
            to_arrow(self.items, ITEM_SCHEMA),
            to_arrow(self.links, LINK_SCHEMA),
            to_arrow(self.sprints, SPRINT_SCHEMA),
        )

    def content_hash(self) -> str:
        """A digest of the snapshot's content (items, links, sprints), not of its file.

        Two exports with the same data hash alike even if re-saved; the time of the
        observation is not part of the content.
        """
        return content_hash(self.arrow_tables())


def content_hash(tables: tuple[pa.Table, ...]) -> str:
    """SHA-256 of the tables' Arrow IPC serialization (deterministic for equal data)."""
    digest = hashlib.sha256()
    for table in tables:
        # The stream goes straight into the digest: the serialization is never held whole.
        with pa.ipc.new_stream(pa.PythonFile(_Digesting(digest), mode="w"), table.schema) as writer:
            writer.write_table(table.combine_chunks())
    return digest.hexdigest()


class _Digesting:
    """A write-only file that feeds what is written to a hash."""

    closed = False

    def __init__(self, digest: hashlib._Hash) -> None:
        self.digest = digest

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True
