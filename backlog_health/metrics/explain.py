"""Why a headline figure moved: the items behind a change, in one sentence each.

Works on two `SnapshotMetrics` (their near terms and readiness checks), so it follows
whatever the near term and the checks say; `reasons` (key -> reasons in words, e.g. from
the agenda) names a blocker where known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from backlog_health.metrics.report import SnapshotMetrics

# What a check failing now, having passed before, means in words.
_LOST = {
    "described": "description shortened",
    "acceptance_criteria": "acceptance criteria removed",
    "estimated": "estimate removed",
    "assigned": "unassigned",
    "sized": "grew too big",
    "unblocked": "now blocked",
}
# What a failing check means, when no reason in words is known.
_FAILS = {
    "described": "too short a description",
    "acceptance_criteria": "no acceptance criteria",
    "estimated": "no estimate",
    "assigned": "unassigned",
    "sized": "too big and not split",
    "unblocked": "blocked",
}
LISTED = 5  # keys named per group before "and N more"

Reasons = Mapping[str, Sequence[str]]


def _names(parts: list[str]) -> str:
    shown = parts[:LISTED]
    more = len(parts) - len(shown)
    text = ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    return text if more <= 0 else f"{', '.join(shown)} and {more} more"


def _positions(m: SnapshotMetrics) -> dict[str, int]:
    """Rank positions: the checks frame lists backlog items in rank order."""
    return {key: i for i, key in enumerate(m.checks.index, start=1)}


def _failing(m: SnapshotMetrics, key: str) -> list[str]:
    row = m.checks.loc[key]
    return [name for name in m.checks.columns if name != "ready" and not bool(row[name])]


def _why(m: SnapshotMetrics, key: str, reasons: Reasons | None) -> str:
    if reasons and key in reasons and reasons[key]:
        return "; ".join(reasons[key])
    return "; ".join(_FAILS.get(name, f"fails {name}") for name in _failing(m, key))


def _ready(m: SnapshotMetrics, key: str) -> bool:
    return bool(m.checks.loc[key, "ready"])


def ready_share_change(now: SnapshotMetrics, before: SnapshotMetrics | None, reasons: Reasons | None = None) -> str | None:
    """"ready share -20 pp: A (156 -> 9) and B (123 -> 5) entered the near term not ready; C
    stopped being ready (estimate removed)"; None without a change to explain."""
    if before is None or now.readiness.ratio is None or before.readiness.ratio is None:
        return None
    change = round((now.readiness.ratio - before.readiness.ratio) * 100)
    near, was_near = now.near_term.keys, set(before.near_term.keys)
    at, was_at = _positions(now), _positions(before)
    entered_not_ready = [f"{k} ({was_at.get(k, 'new')} -> {at[k]})" for k in near
                         if k not in was_near and not _ready(now, k)]
    entered_ready = [k for k in near if k not in was_near and _ready(now, k)]
    stopped, became = [], []
    for key in near:
        if key not in was_near or key not in before.checks.index:
            continue
        if _ready(before, key) and not _ready(now, key):
            lost = [n for n in _failing(now, key) if n in before.checks.columns and bool(before.checks.loc[key, n])]
            words = ", ".join(_LOST.get(n, f"fails {n}") for n in lost) or _why(now, key, reasons)
            stopped.append(f"{key} ({words})")
        elif not _ready(before, key) and _ready(now, key):
            became.append(key)
    left_ready = [k for k in before.near_term.keys if k not in set(near) and _ready(before, k)]
    parts = []
    if entered_not_ready:
        parts.append(f"{_names(entered_not_ready)} entered the near term not ready")
    if stopped:
        parts.append(f"{_names(stopped)} stopped being ready")
    if became:
        parts.append(f"{_names(became)} became ready")
    if entered_ready:
        parts.append(f"{_names(entered_ready)} entered the near term ready")
    if left_ready:
        parts.append(f"{_names(left_ready)} left the near term ready (finished, started or ranked lower)")
    if not parts:
        return None
    return f"ready share {change:+d} pp: " + "; ".join(parts)


def ready_sprints_reason(now: SnapshotMetrics, reasons: Reasons | None = None) -> str | None:
    """"ready sprints ahead 0.0: rank 1 CHECKOUT-71 is blocked by CHECKOUT-12 (In Progress)": the
    first item from the top that is not ready, where counting stops; None when every item is ready."""
    if now.readiness.ready_sprints_ahead is None:
        return None
    not_ready = now.checks.index[~now.checks["ready"].astype(bool)]
    if len(not_ready) == 0:
        return None
    key = str(not_ready[0])
    return (f"ready sprints ahead {now.readiness.ready_sprints_ahead:.1f}: counting stops at rank "
            f"{_positions(now)[key]} {key}, not ready ({_why(now, key, reasons)})")
