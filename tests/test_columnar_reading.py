"""The column-wise reading of Jira CSV exports gives exactly what the row reader gives.

`read_jira_csv` reads a plain UTF-8 export with DuckDB (`csv_columns`) and falls back to
the row reader (`csv_file`) for anything else; both must produce the same snapshot.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backlog_health.ingest import jira_csv, markup
from backlog_health.ingest.csv_columns import read_csv_columns
from backlog_health.ingest.csv_file import read_csv_table
from backlog_health.ingest.dates import DateFormatError, DateReader
from backlog_health.ingest.jira_locale import vocabulary

FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE = Path(__file__).parent / "hostile"
REAL = sorted((FIXTURES / "jira-csv").glob("*.csv")) + [FIXTURES / "generated" / "fr-jira-cloud.csv"]


def _by_rows(path: Path, monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as patch:
        patch.setattr(jira_csv, "read_csv_columns", lambda *args, **kwargs: None)
        return jira_csv.read_jira_csv(path)


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_exports_are_read_column_wise_into_the_same_snapshot(path, monkeypatch):
    assert read_csv_columns(path) is not None  # the fast path is the one taken
    columnar = jira_csv.read_jira_csv(path)
    rows = _by_rows(path, monkeypatch)
    assert columnar.snapshot.content_hash() == rows.snapshot.content_hash()
    assert columnar.snapshot.source_rows == rows.snapshot.source_rows
    assert columnar.warnings == rows.warnings


@pytest.mark.parametrize("path", sorted(HOSTILE.glob("*.csv")) + REAL, ids=lambda p: p.name)
def test_the_cells_read_column_wise_are_the_row_readers_cells(path):
    columns = read_csv_columns(path)
    if columns is None:
        return  # left to the row reader
    table = read_csv_table(path)
    assert columns.header == table.header
    assert columns.count == len(table.rows)
    for index in range(len(table.header)):
        assert columns.column(index) == [row[index] for _, row in table.rows]


@pytest.mark.parametrize(
    "name", ["latin1.csv", "utf16.csv", "semicolons.csv", "unbalanced-quotes.csv", "extra-values.csv", "truncated.csv"]
)
def test_files_the_row_reader_must_judge_are_left_to_it(name):
    assert read_csv_columns(HOSTILE / name) is None


def test_strict_quoting_is_left_to_the_row_reader(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('Issue key,Summary,Status\n"A-1"x,Fix,To Do\n', encoding="utf-8")
    assert read_csv_columns(path) is None


@pytest.mark.parametrize(
    "value",
    ["06/Jan/26 0:29 AM", "06/Jan/26 13:00 PM", "31/Feb/26 1:00 AM", "6/jan/26 9:29 pm", "06/Jan/26 9:60 AM",
     "00/Jan/26 9:00 AM", "06/JAN/26 12:05 AM", "06/Jan/26 12:05 PM", "06/Sep/69 1:00 AM", "06/Sep/68 1:00 AM",
     "06/ene/26 9:05 AM", "2026-01-06T09:29", "29/Feb/24 1:00 AM", "29/Feb/26 1:00 AM", "31/Apr/26 1:00 PM",
     "30/Apr/26 12:00 AM", "1/Dec/00 11:59 pM", "09/Mar/99 09:07 Am", "6/Jan/26  9:29 AM", "6/Jan/2026 9:29 AM"],
)
def test_vectorised_dates_read_as_the_date_reader_does(value):
    reader = DateReader(vocabulary().months)
    refused: list[str] = []
    parsed = jira_csv._parse_dates([None, value], reader, lambda at, message: refused.append((at, message)))
    try:
        expected = reader.parse(value)
    except DateFormatError as error:
        assert refused == [(1, str(error))]
    else:
        assert refused == [] and parsed.iloc[1].to_pydatetime() == expected


@pytest.mark.parametrize(
    "ranks",
    [["0|i0001b:", "\u0660|i0002b:", "1|hzzzzz:"], ["3", "1.5", "0|i0001b:"], ["0|i0001b:", "0|i0002b:", "12"]],
    ids=["lexoranks-unicode-digit", "mostly-numbers", "mostly-lexoranks"],
)
def test_ranks_read_column_wise_as_the_row_reader_reads_them(ranks, tmp_path, monkeypatch):
    path = tmp_path / "ranks.csv"
    lines = ["Issue key,Summary,Status,Rank"] + [f"A-{n},Item {n},To Do,{rank}" for n, rank in enumerate(ranks)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_csv_columns(path) is not None

    def outcome(read):
        try:
            return read().snapshot.content_hash()
        except Exception as error:  # noqa: BLE001 - the same refusal either way
            return str(error)

    assert outcome(lambda: jira_csv.read_jira_csv(path)) == outcome(lambda: _by_rows(path, monkeypatch))


def _every_pattern(wiki: str) -> str:
    text = wiki.replace("\r\n", "\n").replace("\r", "\n")
    for pattern, replacement in markup._SUBSTITUTIONS:
        text = pattern.sub(replacement, text)
    return text.strip()


_MARKUP = st.lists(
    st.sampled_from(
        list("ab h1.bq-*_+^~?!|[]{}\\\n\t #") + ["{code}", "{{", "}}", "h3. ", "----", "[~x]", "[a|http://b]",
                                                "!img.png!", "??", "bq. ", "\r\n", " \n", "\n ", "  ", "* ", "# "]
    ),
    max_size=40,
).map("".join)


@pytest.mark.property
@settings(max_examples=3000, deadline=None)
@given(_MARKUP)
def test_markup_skips_only_patterns_that_cannot_match(wiki):
    assert markup._convert(wiki) == _every_pattern(wiki)
