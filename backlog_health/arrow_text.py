"""Python's own string rules on Arrow columns, exactly: RE2 (Arrow's and DuckDB's regular
expressions) knows only ASCII whitespace, while `str.strip`, `str.split` and `re`'s `\\s` know
Unicode's. The readers and the text facts keep Python's answers while working a column at a time."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Python's str.isspace() characters (also `re`'s \s), as the inside of an RE2 character class.
PYTHON_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"

Strings = pa.Array | pa.ChunkedArray


def strip(column: Strings) -> Strings:
    """`str.strip()` of each cell (nulls stay null)."""
    return pc.replace_substring_regex(column, rf"^[{PYTHON_SPACE}]+|[{PYTHON_SPACE}]+$", "")


def has_edge_space(column: Strings) -> bool:
    """Whether some cell starts or ends with whitespace (`strip` would change it)."""
    column = _one_chunk(column)
    offsets = np.frombuffer(column.buffers()[1], np.int32)[column.offset : column.offset + len(column) + 1]
    data = column.buffers()[2]
    if data is None or offsets[-1] == offsets[0]:
        return False
    raw = np.frombuffer(data, np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    if not (_MAY_START_SPACE[raw[starts[filled]]].any() or _MAY_END_SPACE[raw[ends[filled] - 1]].any()):
        return False
    return bool(pc.any(pc.match_substring_regex(column, rf"^[{PYTHON_SPACE}]|[{PYTHON_SPACE}]$")).as_py())


def word_counts(column: Strings) -> pa.Array:
    """`len(text.split())` of each cell, as int32 (0 for a null).

    An ASCII text is counted on its bytes (a word starts at a non-space byte after a space
    or at the start); any other goes through Python, whose whitespace is Unicode's.
    """
    column = _one_chunk(column)
    offsets = np.frombuffer(column.buffers()[1], np.int32)[column.offset : column.offset + len(column) + 1]
    data = column.buffers()[2]
    raw = np.frombuffer(data, np.uint8)[offsets[0] : offsets[-1]] if data is not None else np.zeros(0, np.uint8)
    bounds = (offsets - offsets[0]).astype(np.int64)
    space = _IS_ASCII_SPACE[raw]
    starts = ~space
    starts[1:] &= space[:-1]
    cells = bounds[:-1][bounds[:-1] < len(raw)]
    starts[cells] = ~space[cells]  # each cell starts afresh
    words = np.flatnonzero(starts)
    counts = (np.searchsorted(words, bounds[1:]) - np.searchsorted(words, bounds[:-1])).astype(np.int32)
    others = np.flatnonzero(pc.invert(pc.fill_null(pc.string_is_ascii(column), True)).to_numpy(zero_copy_only=False))
    if len(others):
        counts[others] = [len(text.split()) for text in column.take(pa.array(others)).to_pylist()]
    return pa.array(counts)


_IS_ASCII_SPACE = np.zeros(256, dtype=bool)
_IS_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True  # str.isspace() of the ASCII characters


# The first and last bytes a whitespace character can have in UTF-8 (see PYTHON_SPACE).
_MAY_START_SPACE = _IS_ASCII_SPACE.copy()
_MAY_START_SPACE[[0xC2, 0xE1, 0xE2, 0xE3]] = True
_MAY_END_SPACE = _IS_ASCII_SPACE.copy()
_MAY_END_SPACE[[*range(0x80, 0x8B), 0x9F, 0xA0, 0xA8, 0xA9, 0xAF]] = True


def _one_chunk(column: Strings) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = pa.concat_arrays(column.chunks) if column.num_chunks else pa.array([], column.type)
    return column.cast(pa.string()) if column.type != pa.string() else column


def empty_as_null(column: Strings) -> pa.Array:
    """Each cell, an empty string as null (the strings themselves are not copied)."""
    column = _one_chunk(column)
    empty = pc.fill_null(pc.equal(pc.binary_length(column), 0), False)
    if not pc.any(empty).as_py():
        return column
    if column.offset:
        column = pa.concat_arrays([pa.array([], column.type), column])  # a copy that starts at 0
    kept = pc.and_(pc.is_valid(column), pc.invert(empty)).to_numpy(zero_copy_only=False)
    validity = pa.array(kept).buffers()[1]
    return pa.Array.from_buffers(column.type, len(column), [validity, *column.buffers()[1:]])
