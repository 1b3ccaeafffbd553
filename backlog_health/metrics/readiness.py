"""Definition of Ready: which backlog items pass which checks, and the near term's readiness."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from backlog_health.backlog import backlog_items
from backlog_health.text_facts import has_acceptance_criteria, is_acceptance_field
from backlog_health.metrics.frames import is_estimated, ratio
from backlog_health.metrics.near_term import NearTerm, estimate_or_median
from backlog_health.rules import Rules


@lru_cache(maxsize=200_000)  # a backlog's history repeats the same texts snapshot after snapshot
def word_count(text: str) -> int:
    """Words = whitespace-separated tokens of the plain-text description."""
    return len(text.split())


def blockers(items: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """(key, blocker) pairs: `key` is blocked by `blocker`, as either side of a Blocks link says."""
    blocks = links[links["link_type"] == "Blocks"]
    inward = blocks[blocks["direction"] == "inward"]  # from_key is blocked by to_key
    outward = blocks[blocks["direction"] == "outward"]  # from_key blocks to_key
    pairs = pd.concat(
        [
            pd.DataFrame({"key": inward["from_key"], "blocker": inward["to_key"]}),
            pd.DataFrame({"key": outward["to_key"], "blocker": outward["from_key"]}),
        ],
        ignore_index=True,
    )
    return pairs.drop_duplicates(ignore_index=True)


def readiness_checks(items: pd.DataFrame, links: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """One row per backlog item (rank order, indexed by key): a boolean column per
    enabled check and `ready` (every enabled check passes)."""
    backlog = backlog_items(items)
    checks = pd.DataFrame(index=pd.Index(backlog["key"].to_numpy(dtype=object), name="key", dtype=object))
    text = [t if isinstance(t, str) else "" for t in backlog["description_text"]]
    if rules.described:
        checks["described"] = [word_count(t) >= rules.min_words for t in text]
    if rules.acceptance_criteria:
        fields = set(rules.acceptance_criteria_fields)
        checks["acceptance_criteria"] = [
            has_acceptance_criteria(t) or _any_filled(f, fields)
            for t, f in zip(text, backlog["custom_fields"])
        ]
    if rules.estimated:
        checks["estimated"] = is_estimated(backlog).to_numpy()
    if rules.assigned:
        checks["assigned"] = backlog["assignee"].fillna("").astype(str).str.strip().ne("").to_numpy()
    if rules.sized:
        parents = set(items.loc[items["is_subtask"].astype(bool), "parent_key"].dropna())
        points = pd.to_numeric(backlog["story_points"], errors="coerce")
        # An unestimated item cannot be judged too big: the `estimated` check covers it.
        fits = points.isna() | (points <= rules.max_points) | backlog["key"].isin(parents)
        checks["sized"] = fits.to_numpy()
    if rules.unblocked:
        open_keys = set(items.loc[items["status_category"] != "Done", "key"])
        pairs = blockers(items, links)
        blocked = set(pairs.loc[pairs["blocker"].isin(open_keys), "key"])
        checks["unblocked"] = (~backlog["key"].isin(blocked)).to_numpy()
    for check in rules.custom_checks:
        if check.label is not None:
            checks[check.name] = [check.label in list(labels) for labels in backlog["labels"]]
        else:
            checks[check.name] = [_filled(v) for v in _field_values(backlog, check.field)]
    checks = checks.astype(bool)
    checks["ready"] = checks[list(rules.enabled_checks)].all(axis=1) if rules.enabled_checks else True
    return checks


def _any_filled(fields: object, names: set[str]) -> bool:
    """A custom field named in the rules, or named like acceptance criteria in one of the
    table's languages, is filled in."""
    if not fields or not isinstance(fields, dict):
        return False
    return any(
        str(value or "").strip() and (name in names or is_acceptance_field(name)) for name, value in fields.items()
    )


def _filled(value: object) -> bool:
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return bool(str(value).strip())


def _field_values(backlog: pd.DataFrame, field: str) -> list[object]:
    """A stored column's values, else the custom field of that name."""
    if field in backlog.columns:
        return list(backlog[field])
    return [f.get(field) if isinstance(f, dict) else None for f in backlog["custom_fields"]]


@dataclass(frozen=True)
class Readiness:
    """Readiness of the near term."""

    ready: int
    total: int
    ratio: float | None
    failing: dict[str, int]  # check -> near-term items failing it
    ready_sprints_ahead: float | None
    ready_points_ahead: float


def readiness(
    checks: pd.DataFrame, backlog: pd.DataFrame, near: NearTerm, velocity: float | None, rules: Rules
) -> Readiness:
    """Ready near-term items / near-term items; failures per check; and how many sprints
    of work are ready from the top: points of the consecutive ready items from the top of
    `backlog` (the items the near term is taken from; an unestimated one counting as the
    median estimate) / velocity."""
    near_checks = checks.loc[list(near.keys)]
    ready = int(near_checks["ready"].sum())
    failing = {name: int((~near_checks[name].astype(bool)).sum()) for name in rules.enabled_checks}
    points = estimate_or_median(backlog).to_numpy()
    ready_flags = checks["ready"].reindex(backlog["key"].to_numpy()).fillna(False).to_numpy(dtype=bool)
    ahead = 0.0
    for flag, estimate in zip(ready_flags, points):
        if not flag:
            break
        ahead += float(estimate)
    sprints_ahead = ahead / velocity if velocity else None
    return Readiness(ready, near.size, ratio(ready, near.size), failing, sprints_ahead, ahead)
