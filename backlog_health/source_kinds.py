"""Kinds of snapshot source that tell how far a snapshot can be compared (no imports: the
metrics of a stored snapshot read them without the model's pandas)."""

from __future__ import annotations

# Sources whose snapshots are rebuilt from history rather than observed: their ranking is
# today's (Jira's changelog has no rank values), and a real snapshot of the same moment wins.
REBUILT_SOURCE_KINDS = ("jira-backfill",)


def is_rebuilt(source_kind: str | None) -> bool:
    """Whether a snapshot of this source kind was rebuilt from history (see REBUILT_SOURCE_KINDS)."""
    return source_kind in REBUILT_SOURCE_KINDS


def ranking_not_known(*source_kinds: str | None) -> str | None:
    """Why a change of ranking between snapshots of these kinds cannot be measured, or None."""
    if any(is_rebuilt(kind) for kind in source_kinds):
        return "not known: a snapshot rebuilt from Jira's changelog keeps today's order (Jira records no rank values)"
    return None
