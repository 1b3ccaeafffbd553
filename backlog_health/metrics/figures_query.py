"""figures.sql's text and bound parameters, and running it, without pandas: what the figures
of `metrics --json` need (`figures.py` shapes the same results into frames)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from backlog_health.rules import CustomCheck, Rules

# The steps of figures.sql a caller may read, besides `final` (one row per snapshot).
STEPS = ("item_checks", "velocity_sprints", "known_duplicates", "open_blockers", "final")
# Not a step of figures.sql but its chain read by sql/figures_summary.sql in one pass: each
# snapshot's `final` row with its near rows, velocity sprints and known pairs as lists.
SUMMARY = "summary"


# The file's last statement reads `final`; the other steps are read by ending the same CTE
# chain with `select * from <step>` instead.
_FINAL_SELECT = "\nselect * from final\n"


@lru_cache(maxsize=2)
def _text(name: str = "figures") -> str:
    return resources.files(__package__).joinpath("sql", f"{name}.sql").read_text("utf-8")


@lru_cache(maxsize=64)
def figures_sql(custom_checks: tuple[CustomCheck, ...] = (), step: str = "final") -> str:
    """figures.sql in DuckDB's dialect with the rules' own checks as columns of
    `custom_checks` (each named as its check), reading `step` (see STEPS, and SUMMARY)."""
    if step not in (*STEPS, SUMMARY):
        raise ValueError(f"not a step of figures.sql: {step}")
    tail = _text("figures_summary") if step == SUMMARY else None
    if custom_checks:  # the file's tree, rewritten with sqlglot (slower to import and parse)
        from backlog_health.metrics.custom_checks_sql import with_custom_checks

        return with_custom_checks(_text(), custom_checks, step, tail)
    chain, found, _ = _text().rpartition(_FINAL_SELECT)
    if not found:
        raise ValueError(f"figures.sql must end with {_FINAL_SELECT.strip()!r}")
    if tail is not None:
        return chain + "\n" + tail
    return _text() if step == "final" else chain + _FINAL_SELECT.replace("final", step)


def parameters(
    rules: Rules,
    *,
    backlog: str | None = None,
    snapshot_id: int | None = None,
    latest_only: bool = False,
    velocity: float | None = None,
) -> dict[str, Any]:
    """The bound parameters of figures.sql: which snapshots, and the rules."""
    return {
        "backlog": backlog,
        "snapshot_id": snapshot_id,
        "latest_only": latest_only,
        "mode": rules.near_term_mode,
        "count": rules.near_term_count,
        "sprints": float(rules.near_term_sprints),
        "window": rules.velocity_sprints,
        "velocity": None if velocity is None else float(velocity),
        "planned": rules.near_term_planned,
        "include_started": rules.near_term_include_started,
        **{f"check_{name}": bool(getattr(rules, name)) for name in
           ("described", "acceptance_criteria", "estimated", "assigned", "sized", "unblocked")},
        "min_words": rules.min_words,
        "acceptance_fields": list(rules.acceptance_criteria_fields),
        "max_points": float(rules.max_points),
        "stale_days": rules.stale_days,
        "old_days": rules.old_days,
    }


def run(con: Any, rules: Rules, step: str = "final", **choose: Any) -> Any:
    """figures.sql's `step` run on a DuckDB connection (or a store) holding its relations: the
    executed cursor, read with `.df()` or, without pandas, `.fetchall()`."""
    query = figures_sql(rules.custom_checks, step)
    return con.execute(query, parameters(rules, **choose))
