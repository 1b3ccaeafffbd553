"""Load the store's `.sql` files: one query each, always run with bound parameters."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def sql(name: str) -> str:
    """The text of `backlog_health/store/sql/<name>.sql`."""
    return resources.files(__package__).joinpath("sql", f"{name}.sql").read_text("utf-8")
