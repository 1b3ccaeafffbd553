"""Python's own string rules on Arrow columns, exactly: RE2 (Arrow's and DuckDB's regular
expressions) knows only ASCII whitespace, while `str.strip`, `str.split` and `re`'s `\\s` know
Unicode's. The readers and the text facts keep Python's answers while working a column at a time."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

# Python's str.isspace() characters (also `re`'s \s), as the inside of an RE2 character class.
PYTHON_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
# The same for a text known to be ASCII (no \x{...} escapes: a cheaper class).
ASCII_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f "

Strings = pa.Array | pa.ChunkedArray


def strip(column: Strings) -> Strings:
    """`str.strip()` of each cell (nulls stay null)."""
    return pc.replace_substring_regex(column, rf"^[{PYTHON_SPACE}]+|[{PYTHON_SPACE}]+$", "")


def word_counts(column: Strings) -> Strings:
    """`len(text.split())` of each cell, as int32 (nulls stay null)."""
    return pc.cast(pc.count_substring_regex(column, rf"[^{PYTHON_SPACE}]+"), pa.int32())


def empty_as_null(column: Strings) -> Strings:
    """Each cell, an empty string as null."""
    return pc.if_else(pc.equal(pc.binary_length(column), 0), pa.scalar(None, column.type), column)
