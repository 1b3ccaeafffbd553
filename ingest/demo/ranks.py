"""LexoRank-style ranks, so the demo re-ranks its backlog the way Jira does.

A rank is kept as base-36 digits read as a fraction (no trailing zeros), so a rank strictly
between two others always exists, and plain string order is rank order. It is shown the way
Jira shows it, "0|" + six digits + ":" + any further digits; with a fixed six-digit main part
that rendering sorts exactly like the digits do.
"""

from __future__ import annotations

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
RANK_STEP = 373_261  # spacing of freshly appended ranks
RANK_BASE = int("i00000", 36)


def _midpoint(low: str, high: str | None) -> str:
    """Digits strictly between `low` and `high` (None: above everything)."""
    if high is not None:
        shared = 0
        while shared < len(high) and (low[shared] if shared < len(low) else "0") == high[shared]:
            shared += 1
        if shared:
            return high[:shared] + _midpoint(low[shared:], high[shared:])
    digit_low = _DIGITS.index(low[0]) if low else 0
    digit_high = _DIGITS.index(high[0]) if high is not None else len(_DIGITS)
    if digit_high - digit_low > 1:
        return _DIGITS[(digit_low + digit_high) // 2]
    if high is not None and len(high) > 1:
        return high[:1]
    return _DIGITS[digit_low] + _midpoint(low[1:], None)


def between(low: str, high: str) -> str:
    """A rank strictly between `low` ("" for the very top) and `high`, as short as Jira's."""
    low_main = int(low.ljust(6, "0")[:6], 36) if low else 0
    high_main = int(high.ljust(6, "0")[:6], 36)
    if high_main - low_main >= 2:
        return encode((low_main + high_main) // 2)
    return _midpoint(low, high)


def encode(value: int) -> str:
    """The rank digits of a six-digit base-36 number."""
    digits = []
    for _ in range(6):
        value, rest = divmod(value, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits)).rstrip("0")


def after(rank: str) -> str:
    """A rank one step below `rank` in the backlog, as Jira gives a newly created issue."""
    value = int(rank.ljust(6, "0")[:6], 36) + RANK_STEP
    return encode(value) if value < 36**6 else _midpoint(rank, None)


def render(rank: str) -> str:
    """The rank as Jira exports it, e.g. 0|i0001b:."""
    padded = rank.ljust(6, "0")
    return f"0|{padded[:6]}:{padded[6:]}"
