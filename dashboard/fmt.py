"""How numbers are written on the pages (and in the tests that read them back)."""

from __future__ import annotations

import math

MISSING = "n/a"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(value: float | None) -> str:
    """0.444 -> "44%"."""
    return MISSING if _missing(value) else f"{value:.0%}"


def num(value: float | None, digits: int = 1) -> str:
    """A number with `digits` decimals; whole numbers for digits=0."""
    return MISSING if _missing(value) else f"{value:,.{digits}f}"


def count(value: int | None) -> str:
    return MISSING if value is None else f"{value:,}"


def delta_pp(now: float | None, before: float | None) -> str | None:
    """Change of a share in percentage points: "+12 pp"; None when either is unknown."""
    if _missing(now) or _missing(before):
        return None
    return f"{(now - before) * 100:+.0f} pp"


def delta_num(now: float | None, before: float | None, digits: int = 1) -> str | None:
    if _missing(now) or _missing(before):
        return None
    return f"{now - before:+,.{digits}f}"


def delta_count(now: int | None, before: int | None) -> str | None:
    if now is None or before is None:
        return None
    return f"{now - before:+,}"


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:")


def md(text: object) -> str:
    """User text made literal inside Markdown (no links, images, emphasis or HTML from it)."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in str(text))


def unchanged(delta: str | None) -> bool:
    """True for a delta that says "no change" ("+0 pp", "+0.0", "+0")."""
    if delta is None:
        return False
    number = delta.replace("pp", "").replace(",", "").strip()
    try:
        return float(number) == 0
    except ValueError:
        return False


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """"1 linked pair", "2 linked pairs"."""
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"
