"""Reading the raw rows of a CSV file a user hands us: encodings, BOMs, quoting, limits.

The file is read line by line with a cap on the line length, so a hostile file (a
1 GB line, a 200,000-column header) is refused after reading at most one capped line,
never loaded whole into memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from backlog_health.errors import InputError

# A Jira text field holds at most 32,767 characters and an export row a few hundred
# columns, so these bounds are far above any real export and far below what hurts.
MAX_LINE_CHARS = 10_000_000
MAX_COLUMNS = 10_000
csv.field_size_limit(MAX_LINE_CHARS)

_LEGACY = "cp1252"  # what spreadsheet programs save "CSV" in on Western Windows
_ESCAPED = re.compile("[\udc80-\udcff]")  # undecodable bytes under surrogateescape


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    # The five bytes cp1252 leaves undefined are read as Latin-1, so no byte is refused.
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("backlog_health_latin1", _latin1_fallback)


@dataclass(frozen=True)
class CsvTable:
    """The header and the non-blank data rows of a CSV file.

    `rows` pairs each row with its spreadsheet row number (the header is row 1).
    """

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


class _Retry(Exception):
    """Read the file again with another encoding or delimiter."""

    def __init__(self, encoding: str | None = None, delimiter: str | None = None) -> None:
        super().__init__()
        self.encoding = encoding
        self.delimiter = delimiter


def read_csv_table(path: str | Path, *, name: str | None = None, data: bytes | None = None) -> CsvTable:
    """Header and non-blank rows of the CSV at `path` (or of `data`, named `name`).

    UTF-8 (with or without BOM) and UTF-16 are read as such; a file that is not UTF-8
    at all is read as Windows-1252/Latin-1, which is how spreadsheet programs save it.
    A header without commas but with semicolons or tabs is read with that separator.
    """
    label = name or Path(path).name
    with _open(path, label, data) as handle:
        raw = handle if handle.seekable() else io.BytesIO(handle.read())  # a pipe: `<(...)` in a shell
        encoding = _encoding(label, raw.read(4096))
        delimiter = ","
        for _ in range(3):
            raw.seek(0)
            try:
                return _read(label, raw, encoding, delimiter)
            except _Retry as retry:
                encoding = retry.encoding or encoding
                delimiter = retry.delimiter or delimiter
    raise AssertionError("unreachable: at most one encoding and one delimiter change")


def _open(path: str | Path, label: str, data: bytes | None) -> BinaryIO:
    if data is not None:
        return io.BytesIO(data)
    try:
        return open(path, "rb")  # closed by the caller's `with`
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None  # as typed: a name alone may hide a typo in the folder
    except IsADirectoryError:
        raise InputError(label, "is a folder, expected a CSV file") from None
    except OSError as error:
        raise InputError(label, f"cannot be read ({error.strerror})") from None


def _encoding(label: str, head: bytes) -> str:
    """The encoding the first bytes show; refuses a file that is plainly not text."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        # UTF-16 without a byte-order mark: mostly Latin text, so most high bytes are zero.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        half = len(head) // 2
        if half >= 2 and odd >= half // 2 and even <= half // 10:
            return "utf-16-le"
        if half >= 2 and even >= half // 2 and odd <= half // 10:
            return "utf-16-be"
        raise InputError(label, "is not a text file; expected a CSV export")
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\v") + head.count(b"\x7f")
    if controls > max(4, len(head) // 20):
        raise InputError(label, "is not a text file; expected a CSV export")
    return "utf-8-sig"


class _Lines:
    """The file's lines, each at most MAX_LINE_CHARS long; counts lines for messages."""

    def __init__(self, label: str, stream: io.TextIOWrapper, encoding: str) -> None:
        self.label = label
        self.stream = stream
        self.encoding = encoding
        self.number = 0
        self.record = 1  # the spreadsheet row being read, for messages
        self.non_ascii = False

    def __iter__(self) -> Iterator[str]:
        while True:
            try:
                line = self.stream.readline(MAX_LINE_CHARS + 1)
            except UnicodeDecodeError:
                name = self.encoding.upper().removesuffix("-SIG").removesuffix("-LE").removesuffix("-BE")
                raise InputError(
                    self.label,
                    f"expected {name} text, found bytes that are not {name} near line {self.number + 1}; "
                    "save the file as CSV UTF-8 and try again",
                ) from None
            if not line:
                return
            self.number += 1
            if len(line) > MAX_LINE_CHARS:
                raise InputError(
                    self.label,
                    f"line {self.number} is longer than {MAX_LINE_CHARS:,} characters; "
                    "expected a CSV export with shorter lines (is this really a CSV file?)",
                    row=self.record,
                )
            if not line.isascii():
                self._check_decoded(line)
            yield line

    def _check_decoded(self, line: str) -> None:
        bad = _ESCAPED.search(line)
        if bad is None:
            self.non_ascii = True
            return
        if self.non_ascii or not _ESCAPED.sub("", line).isascii():
            byte = ord(bad.group()) - 0xDC00
            raise InputError(
                self.label,
                f"expected one encoding, found byte 0x{byte:02x} on line {self.number}, not UTF-8, after UTF-8 "
                "text (the file mixes encodings); save the file as CSV UTF-8 and try again",
            )
        raise _Retry(encoding=_LEGACY)


class _NoUtf8(io.BufferedIOBase):
    """A file read as Windows-1252, passed through unchanged; refused when it also holds
    UTF-8 text (which Windows-1252 would silently turn into "Ã©")."""

    _SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")

    def __init__(self, label: str, raw: BinaryIO) -> None:
        super().__init__()
        self.label = label
        self.raw = raw
        self.lines = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._checked(self.raw.read(size))

    def read1(self, size: int = -1) -> bytes:
        return self._checked(self.raw.read(size))

    def _checked(self, chunk: bytes) -> bytes:
        match = self._SEQUENCE.search(chunk)
        if match:
            line = self.lines + chunk.count(b"\n", 0, match.start()) + 1
            raise InputError(
                self.label,
                f"expected one encoding, found UTF-8 text on line {line} after Windows-1252/Latin-1 bytes "
                "(the file mixes encodings); save the file as CSV UTF-8 and try again",
            )
        self.lines += chunk.count(b"\n")
        return chunk


def _read(label: str, raw: BinaryIO, encoding: str, delimiter: str) -> CsvTable:
    errors = {"utf-8-sig": "surrogateescape", _LEGACY: "backlog_health_latin1"}.get(encoding, "strict")
    source = _NoUtf8(label, raw) if encoding == _LEGACY else raw
    stream = io.TextIOWrapper(source, encoding=encoding, errors=errors, newline="")
    try:
        return _records(label, _Lines(label, stream, encoding), delimiter)
    finally:
        stream.detach()  # the caller closes the file


def _records(label: str, lines: _Lines, delimiter: str) -> CsvTable:
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    record_number = 0  # spreadsheets count records, not lines: the header is row 1
    while True:
        start_line = lines.number + 1
        lines.record = record_number + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise _csv_problem(label, error, record_number + 1, start_line, lines.number) from None
        record_number += 1
        if header is None:
            if any(cell.strip() for cell in record):
                header = _header(label, record, delimiter)
            continue
        if any(cell.strip() for cell in record):
            _check_width(label, record, len(header), record_number)
            rows.append((record_number, record))
    if header is None:
        raise InputError(label, "is empty; expected a CSV export with a header row")
    return CsvTable(label, header, rows)


def _header(label: str, record: list[str], delimiter: str) -> list[str]:
    if len(record) == 1 and delimiter == ",":
        for other in (";", "\t"):
            if other in record[0]:
                raise _Retry(delimiter=other)
    if len(record) > MAX_COLUMNS:
        raise InputError(
            label,
            f"has {len(record):,} columns in its header; expected at most {MAX_COLUMNS:,} "
            "(a Jira export has a few hundred)",
            row=1,
        )
    return [cell.replace("\ufeff", "").strip() for cell in record]


def _check_width(label: str, record: list[str], width: int, row: int) -> None:
    values = f"{len(record)} value{'' if len(record) == 1 else 's'}"
    if len(record) > width and any(cell.strip() for cell in record[width:]):
        raise InputError(
            label, f"has {values} but the header has {width} columns; expected one value per column", row=row
        )
    if len(record) < width:
        raise InputError(
            label,
            f"has {values} but the header has {width} columns; expected one value per column (is the file cut short?)",
            row=row,
        )


def _csv_problem(label: str, error: csv.Error, row: int, start_line: int, line: int) -> InputError:
    text = str(error)
    if "field larger than field limit" in text:
        return InputError(
            label, f"a value starting on line {start_line} is longer than {MAX_LINE_CHARS:,} characters; "
            "expected a CSV export with shorter values", row=row,
        )
    if "unexpected end of data" in text:
        return InputError(
            label, f"a quoted value starting on line {start_line} is never closed; "
            'expected balanced double quotes (is the file cut short?)', row=row,
        )
    return InputError(
        label, f"is not valid CSV on line {line} ({text}); "
        "expected comma-separated values with balanced double quotes", row=row,
    )
