"""Reading the raw rows of a CSV file a user hands us: encodings, BOMs, quoting."""

from __future__ import annotations

import codecs
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from backlog_health.errors import InputError

# Jira descriptions can be long; the csv module's default 128 kB field cap is not enough.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True)
class CsvTable:
    """The header and the non-blank data rows of a CSV file.

    `rows` pairs each row with its spreadsheet row number (the header is row 1).
    """

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


def _decode(name: str, data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            name,
            f"expected UTF-8 text, found byte 0x{data[error.start]:02x} on line {line}; "
            "save the file as CSV UTF-8 and try again",
        ) from None


def read_csv_table(path: str | Path, *, name: str | None = None, data: bytes | None = None) -> CsvTable:
    """Header and non-blank rows of the CSV at `path` (or of `data`, named `name`)."""
    label = name or Path(path).name
    if data is None:
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            raise InputError(label, "no such file") from None
        except IsADirectoryError:
            raise InputError(label, "is a folder, expected a CSV file") from None
        except OSError as error:
            raise InputError(label, f"cannot be read ({error.strerror})") from None
    if not data.strip():
        raise InputError(label, "is empty; expected a CSV export with a header row")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(label, "is not a text file; expected a CSV export")
    text = _decode(label, data)
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader)
        record_number = 1  # spreadsheets count records, not lines: the header is row 1
        for record in reader:
            record_number += 1
            if any(cell.strip() for cell in record):
                rows.append((record_number, record))
    except StopIteration:
        raise InputError(label, "is empty; expected a CSV export with a header row") from None
    except csv.Error as error:
        raise InputError(
            label,
            f"is not valid CSV near line {reader.line_num} ({error}); "
            "expected comma-separated values with balanced quotes",
        ) from None
    return CsvTable(label, [h.replace("\ufeff", "").strip() for h in header], rows)

