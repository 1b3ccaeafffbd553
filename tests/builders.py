"""Small inline snapshots for metric tests: a few rows with hand-computable answers."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from backlog_health.backlog import assign_rank_positions
from backlog_health.model import ITEM_COLUMNS, LINK_COLUMNS, SPRINT_SCHEMA, Snapshot
from backlog_health.rules import CustomCheck, Rules

DEFAULTS = {
    "issue_type": "Story",
    "is_subtask": False,
    "is_epic": False,
    "status": "To Do",
    "status_category": "To Do",
    "story_points": None,
    "original_estimate_seconds": None,
    "assignee": None,
    "description_raw": None,
    "description_text": None,
    "labels": [],
    "components": [],
    "fix_versions": [],
    "sprints": [],
    "custom_fields": {},
    "parent_key": None,
    "created": None,
    "updated": None,
    "resolved": None,
    "rank": None,
}


def items(rows: list[dict]) -> pd.DataFrame:
    """Rows in file order; `rank` defaults to the row order (so position = row order)."""
    records = []
    for number, row in enumerate(rows, start=1):
        record = {**DEFAULTS, "rank": f"0|{number:06d}:", **row, "row_number": number}
        record.setdefault("summary", f"Item {record['key']}")
        if record["status_category"] == "Done" and record["status"] == "To Do":
            record["status"] = "Done"
        records.append(record)
    frame = pd.DataFrame.from_records(records).reindex(columns=list(ITEM_COLUMNS))
    return assign_rank_positions(frame)


def snapshot(
    rows: list[dict],
    links: list[tuple[str, str, str, str]] = (),
    sprints: list[dict] = (),
    taken_at: datetime = datetime(2026, 3, 2, 9, 0),
    backlog: str = "T",
    snapshot_id: int | None = None,
) -> Snapshot:
    return Snapshot(
        backlog=backlog,
        taken_at=taken_at,
        source_kind="test",
        source_name="inline",
        items=items(rows),
        links=pd.DataFrame(list(links), columns=list(LINK_COLUMNS)),
        sprints=pd.DataFrame(list(sprints)).reindex(columns=list(SPRINT_SCHEMA.names)),
        snapshot_id=snapshot_id,
    )


def ranked(keys: str | list[str], **common) -> list[dict]:
    """Backlog rows in the given rank order: ranked("ABC") or ranked(["A-1", "A-2"])."""
    return [{"key": k, **common} for k in keys]


# Rules that take every path of figures.sql: count mode with started work back in, the rules'
# own checks (a label, a stored column, a custom field) and other thresholds.
ODD_RULES = Rules(
    near_term_mode="count",
    near_term_count=7,
    near_term_include_started=True,
    min_words=25,
    max_points=5,
    stale_days=30,
    old_days=90,
    custom_checks=(
        CustomCheck("has_ux_label", label="ux"),
        CustomCheck("has_due_date", field="due"),
        CustomCheck("has_components", field="components"),
        CustomCheck("team_named", field="Team"),
    ),
)
