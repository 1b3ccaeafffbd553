"""A CSV table's cells a column at a time, as Arrow arrays, and the conversions the readers
run once per distinct value of a column (exports repeat statuses, people, dates and texts).

Cells are stripped as Python's `str.strip()` strips them and an empty cell is null, whichever
reader read the file: the column reader's Arrow table or the row reader's rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from backlog_health.arrow_text import empty_as_null, has_edge_space, strip
from backlog_health.ingest.csv_columns import CsvColumns
from backlog_health.ingest.csv_file import CsvTable


class Cells:
    """The table's cells a column at a time, stripped, an empty cell as null."""

    def __init__(self, table: CsvTable | CsvColumns) -> None:
        if isinstance(table, CsvColumns):
            self._columns = [table.table.column(i) for i in range(table.table.num_columns)]
            self.count = table.count
        else:
            self.count = len(table.rows)
            # Rows are at least as wide as the header (the reader refuses shorter ones).
            cells = list(zip(*(row for _, row in table.rows))) or [()] * len(table.header)
            self._columns = [pa.array(column, pa.string()) for column in cells[: len(table.header)]]
        self._stripped: dict[int, pa.Array] = {}

    def column(self, index: int) -> pa.Array:
        if index not in self._stripped:
            cells = self._columns[index]
            cells = pa.concat_arrays(cells.chunks) if isinstance(cells, pa.ChunkedArray) else cells
            cells = cells.cast(pa.string()) if cells.type != pa.string() else cells
            if has_edge_space(cells):
                cells = strip(cells)
            self._stripped[index] = empty_as_null(cells)
        return self._stripped[index]

    def first(self, indexes: list[int]) -> pa.Array:
        """Per row, the first non-empty of the columns at `indexes` (in that order)."""
        if not indexes:
            return pa.nulls(self.count, pa.string())
        if len(indexes) == 1:
            return self.column(indexes[0])
        return pc.coalesce(*(self.column(index) for index in indexes))

    def lists(self, indexes: list[int]) -> pa.ListArray:
        """Per row, the non-empty values of the columns at `indexes`, in that order."""
        if not indexes:
            return pa.ListArray.from_arrays(pa.array(np.zeros(self.count + 1, np.int32)), pa.array([], pa.string()))
        columns = [self.column(index) for index in indexes]
        filled = np.stack([c.is_valid().to_numpy(zero_copy_only=False) for c in columns], axis=1)
        # Position of each cell in the columns laid end to end, taken row by row.
        position = np.arange(len(columns))[None, :] * self.count + np.arange(self.count)[:, None]
        offsets = np.concatenate([[0], np.cumsum(filled.sum(axis=1))]).astype(np.int32)
        values = pa.concat_arrays(columns).take(pa.array(position[filled]))
        return pa.ListArray.from_arrays(pa.array(offsets), values)

    def matching(self, indexes: list[int], pattern: str) -> list[str]:
        """The non-empty cells of the columns at `indexes` that match the RE2 `pattern`."""
        found = []
        for index in indexes:
            column = self.column(index)
            found += pc.array_filter(column, pc.fill_null(pc.match_substring_regex(column, pattern), False)).to_pylist()
        return found


def first_position(column: pa.Array, value: str) -> int:
    """The row of the first cell equal to `value`."""
    return pc.index(column, pa.scalar(value, column.type)).as_py()


def map_distinct(column: pa.Array, convert: Callable[[str | None], object], type_: pa.DataType) -> pa.Array:
    """`convert` applied to each distinct value (null included) once."""
    values = column.to_pylist()  # Python's hashing of the values beat Arrow's plus a take
    converted = {value: convert(value) for value in dict.fromkeys(values)}
    return pa.array([converted[value] for value in values], type_)


def convert_each(
    column: pa.Array,
    convert: Callable[[str], object],
    error: type[Exception],
    problem: Callable[[int, str], None],
) -> list:
    """`convert` of each cell, run once per distinct value in order of first appearance
    (null stays None); the first value it refuses goes to `problem` with its row, and the
    cells come back as None. Python objects: a frame built from them infers its types as
    from any list of values."""
    converted: dict[str, object] = {}
    for value in pc.drop_null(pc.unique(column)).to_pylist():
        try:
            converted[value] = convert(value)
        except error as failure:
            problem(first_position(column, value), str(failure))
            return [None] * len(column)
    if not converted:
        return [None] * len(column)
    return [None if value is None else converted[value] for value in column.to_pylist()]


def map_distinct_rows(columns: list[pa.Array], convert: Callable[..., object], type_: pa.DataType) -> pa.Array:
    """`convert(*values)` of each distinct combination of the columns' values, once."""
    codes = np.zeros(len(columns[0]), np.int64)
    for column in columns:
        encoded = pc.dictionary_encode(column).combine_chunks() if isinstance(column, pa.ChunkedArray) \
            else pc.dictionary_encode(column)
        size = len(encoded.dictionary) + 1
        index = pc.fill_null(encoded.indices, size - 1).to_numpy(zero_copy_only=False).astype(np.int64)
        codes = np.unique(codes * size + index, return_inverse=True)[1].reshape(-1)
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    rows = zip(*(column.take(pa.array(first)).to_pylist() for column in columns))
    return pa.array([convert(*row) for row in rows], type_).take(pa.array(inverse.reshape(-1)))
