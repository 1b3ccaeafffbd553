"""The metrics' queries, one `.sql` file each, always run with bound parameters."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def sql(name: str) -> str:
    """The text of `backlog_health/metrics/sql/<name>.sql`."""
    return resources.files(__package__).joinpath(f"{name}.sql").read_text("utf-8")
