"""The dashboard's settings, read from the environment on every run.

- `BACKLOG_HEALTH_DB`: the store (the CLI's `dashboard --db` sets it).
- `BACKLOG_HEALTH_RULES`: a rules TOML file (default: the documented defaults).
- `BACKLOG_HEALTH_UPLOAD_MB`: the size cap of one uploaded file, in megabytes (default 50).
"""

from __future__ import annotations

import os
from pathlib import Path

from backlog_health import store
from backlog_health.rules import Rules, load_rules

RULES_ENV = "BACKLOG_HEALTH_RULES"
UPLOAD_ENV = "BACKLOG_HEALTH_UPLOAD_MB"
DEFAULT_UPLOAD_MB = 50

READ_WAIT_SECONDS = 3.0  # a reader gives up quickly and shows the last data it had
WRITE_WAIT_SECONDS = 30.0  # a person's click may wait for an ingest to finish
CACHE_TTL_SECONDS = 3600
CACHE_ENTRIES = 64


def db_path() -> str:
    """The store's path as an absolute string (the cache key of everything read from it)."""
    return str(Path(store.default_db_path()).absolute())


def upload_limit_mb() -> int:
    """The upload cap in megabytes; a missing or malformed value means the default."""
    text = os.environ.get(UPLOAD_ENV, "").strip()
    try:
        value = int(text)
    except ValueError:
        return DEFAULT_UPLOAD_MB
    return value if value > 0 else DEFAULT_UPLOAD_MB


def base_rules() -> Rules:
    """The rules file named by `BACKLOG_HEALTH_RULES`, else the defaults (InputError if bad)."""
    path = os.environ.get(RULES_ENV, "").strip()
    return load_rules(path or None)
