"""Numbers that read fine but cannot be estimates (story points used as ordering numbers,
a pasted id in the estimate column): kept as given, not counted.

A reader refuses only what it cannot read. A value outside a plausible range is stored as
missing in its estimate column, so velocity, estimate sums and the points-mode near term
never see it, and kept as written in the item's `custom_fields` under its column's name;
one warning line per column names a few of the items.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from backlog_health.ingest.values import GIVEN, MAX_ESTIMATE_HOURS, MAX_POINTS

SHOWN_KEYS = 3  # keys named in a warning before "and N more"


@dataclass(frozen=True)
class Plausible:
    """The range of values an estimate column can hold, and how to name its unit."""

    low: float
    high: float
    high_text: str  # "1,000 story points"


PLAUSIBLE: dict[str, Plausible] = {
    "story_points": Plausible(0, MAX_POINTS, f"{MAX_POINTS:,} story points"),
    "original_estimate_seconds": Plausible(0, MAX_ESTIMATE_HOURS * 3600, f"{MAX_ESTIMATE_HOURS:,} hours"),
}


def set_aside_implausible(
    items: pd.DataFrame, columns: dict[str, str], source: str
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """`items` with each implausible estimate moved to `custom_fields[columns[target]]`
    (as given when the reader kept the cell, `<target>_given`), and one warning per column.

    `columns` names each estimate column as the source does ("Custom field (Story point
    estimate)"); a column it does not name is not checked.
    """
    items = items.copy()
    warnings: list[str] = []
    for target, label in columns.items():
        if target not in items:
            continue
        rule = PLAUSIBLE[target]
        values = pd.to_numeric(items[target], errors="coerce").astype("float64")
        low, high = values < rule.low, values > rule.high
        odd = low | high
        if odd.any():
            rows = np.flatnonzero(odd.to_numpy())
            texts = items[f"{target}{GIVEN}"].iloc[rows] if f"{target}{GIVEN}" in items else None
            fields = items["custom_fields"].tolist()
            for n, row in enumerate(rows):  # the odd rows only
                text = texts.iat[n] if texts is not None else None
                kept = fields[row] if isinstance(fields[row], dict) else {}
                fields[row] = {**kept, label: str(text) if isinstance(text, str) else _number_text(values.iat[row])}
            items["custom_fields"] = fields
            items[target] = values.where(~odd)
            warnings.append(_warning(source, label, items.loc[odd, "key"].tolist(), low.any(), high.any(), rule))
    items = items.drop(columns=[c for c in items.columns if str(c).endswith(GIVEN)])
    return items, tuple(warnings)


def _number_text(value: float) -> str:
    return "" if pd.isna(value) else f"{value:g}"


def _warning(source: str, label: str, keys: list[str], low: bool, high: bool, rule: Plausible) -> str:
    count = len(keys)
    values = "value" if count == 1 else "values"
    if low and high:
        where = f"below 0 or above {rule.high_text}"
    elif low:
        where = "below 0"
    else:
        where = f"above {rule.high_text}"
    named = ", ".join(keys[:SHOWN_KEYS]) + (f" and {count - SHOWN_KEYS} more" if count > SHOWN_KEYS else "")
    return f'{source}: {count} {values} in "{label}" {where} kept as given but not counted as estimates: {named}'
