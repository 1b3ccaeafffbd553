"""Reading a TOML file a user hands us (rules, column mappings) with one-line errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from backlog_health.errors import InputError


def read_toml(path: str | Path, label: str, what: str) -> dict[str, Any]:
    """The parsed file; InputError named `label` if it is missing (`no such <what>`) or not TOML."""
    try:
        return tomllib.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(label, f"no such {what}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(label, f"is not valid TOML ({error})") from None
