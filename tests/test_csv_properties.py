"""Property tests: random Jira-like CSV files through the real readers and the store.

Every file is either stored exactly (its rows, keys, summaries, points and dates) or
refused with a domain error, and then the store is exactly as before; a file that has a
problem the readers promise to catch (duplicate keys, junk dates, points or ranks...) is
always refused; storing the same file twice adds nothing. Examples are derandomized so
CI sees the same files every run.
"""

from __future__ import annotations

import codecs
import csv
import io
import string
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from backlog_health import store
from backlog_health.errors import BacklogHealthError, InputError
from backlog_health.ingest.generic_csv import read_generic_csv
from backlog_health.ingest.jira_csv import read_jira_csv
from tests.conftest import JIRA_CSV

# Hypothesis properties of the CSV readers: the whole suite runs them, `make test-fast` does not.
pytestmark = pytest.mark.property

# Real Jira Cloud headers, read off a real export so they stay the real spelling.
with (JIRA_CSV / "cloud-2026-en.csv").open(encoding="utf-8-sig", newline="") as _handle:
    REAL_HEADERS = set(next(csv.reader(_handle)))

DATE_COLUMNS = ("Created", "Updated", "Resolved", "Due date")
POINTS = "Custom field (Story point estimate)"
ESTIMATE = "Original estimate"
RANK = "Custom field (Rank)"
# Columns that may repeat in an export (values collected in column order).
REPEATABLE = ("Sprint", "Labels", "Comment", "Watchers", "Inward issue link (Blocks)",
              "Outward issue link (Duplicate)", "Inward issue link (Relates)")
SINGLE = ("Issue id", "Issue Type", "Status Category", "Project key", "Assignee", "Description", POINTS,
          ESTIMATE, RANK, "Parent", "Parent key", "Priority", "Votes", "Status Category Changed",
          "Custom field (Start date)", "Σ Time Spent", *DATE_COLUMNS)
assert set(REPEATABLE + SINGLE) <= REAL_HEADERS, set(REPEATABLE + SINGLE) - REAL_HEADERS
# The generic reader, given the same file, maps these fields to these headers.
GENERIC_FIELDS = {"status": "Status", "status_category": "Status Category", "issue_type": "Issue Type",
                  "description": "Description", "story_points": POINTS, "original_estimate": ESTIMATE,
                  "assignee": "Assignee", "rank": RANK, "created": "Created", "updated": "Updated",
                  "resolved": "Resolved", "sprint": "Sprint", "labels": "Labels", "parent": "Parent key"}

JUNK_DATES = ["soon", "2026-13-45", "not a date", "32/Jan/26 9:00 AM", "0001-01-01", "1767691740"]
JUNK_POINTS = ["three", "NaN", "inf", "=1+1", "?"]
JUNK_ESTIMATES = ["forever", "3 parsecs"]
# Readable but implausible: stored without the estimate (kept as given, with a warning), not refused.
IMPLAUSIBLE_POINTS = ["-1", "1001", "1e9"]
IMPLAUSIBLE_ESTIMATES = ["-5", "1e20"]
JUNK_RANKS = ["top", "n/a", "high!", "0|I00X:", "rank 1"]

TEXT = st.text(
    st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from(['"', ",", ";", "\n", "\r", " ", "\t", "'", "\u2028"]),
    max_size=25,
)


@dataclass
class Cell:
    """One generated cell: its text and whether a reader must refuse it."""

    text: str
    junk: bool = False
    value: object = None  # the value a reader must store, when it is checked


@dataclass
class Example:
    header: list[str]
    rows: list[list[Cell]]
    date_format: str
    encoding: str
    newline: str
    kind: str  # "jira" or "csv"
    quote_all: bool = False

    def data(self) -> bytes:
        buffer = io.StringIO()
        # The csv module quotes a value holding a line end of its own terminator only:
        # a lone "\r" in a "\n" file must be quoted by hand, as spreadsheets do.
        bare_cr = self.newline == "\n" and any("\r" in c.text for row in self.rows for c in row)
        quoting = csv.QUOTE_ALL if self.quote_all or bare_cr else csv.QUOTE_MINIMAL
        writer = csv.writer(buffer, lineterminator=self.newline, quoting=quoting)
        writer.writerow(self.header)
        writer.writerows([[c.text for c in row] for row in self.rows])
        text = buffer.getvalue()
        if self.encoding == "utf-16":
            return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
        return text.encode(self.encoding)

    def mapping(self) -> dict[str, str]:
        present = {f: h for f, h in GENERIC_FIELDS.items() if h in self.header}
        return {"key": "Issue key", "summary": "Summary", **present}

    def checked(self) -> set[str]:
        """Columns whose bad values the chosen reader must refuse."""
        if self.kind == "jira":
            return {POINTS, ESTIMATE, RANK, *DATE_COLUMNS}
        return {self.mapping()[f] for f in ("story_points", "original_estimate", "created", "updated", "resolved")
                if f in self.mapping()}

    def nonblank_rows(self) -> list[list[Cell]]:
        return [row for row in self.rows if any(c.text.strip() for c in row)]

    def problem(self) -> str | None:
        """Why the reader must refuse this file, or None when it must store it."""
        rows = self.nonblank_rows()
        if not rows:
            return "no rows"
        at = {name: i for i, name in enumerate(self.header)}
        keys = [row[at["Issue key"]].text.strip() for row in rows]
        if "" in keys:
            return "empty key"
        if len(set(keys)) < len(keys):
            return "duplicate key"
        if any(not row[at["Summary"]].text.strip() for row in rows):
            return "empty summary"
        checked = self.checked()
        for row in rows:
            for name, cell in zip(self.header, row, strict=True):
                if cell.junk and name in checked:
                    return f"junk in {name}"
        return None


def _base36(draw) -> str:
    return draw(st.text(string.digits + string.ascii_lowercase, min_size=1, max_size=8))


@st.composite
def cells(draw, name: str, date_format: str, key_pool: list[str]) -> Cell:
    """A value for column `name`: mostly valid, sometimes junk the readers must refuse."""
    junk = draw(st.integers(0, 14)) == 0
    if name in DATE_COLUMNS:
        if junk:
            return Cell(draw(st.sampled_from(JUNK_DATES)), junk=True)
        if draw(st.booleans()):
            return Cell("")
        moment = draw(st.datetimes(datetime(2000, 1, 1), datetime(2030, 12, 31))).replace(second=0, microsecond=0)
        text = moment.strftime("%d/%b/%y %I:%M %p") if date_format == "jira" else moment.strftime("%Y-%m-%dT%H:%M")
        return Cell(text, value=moment)
    if name == POINTS:
        if junk:
            text = draw(st.sampled_from(JUNK_POINTS + IMPLAUSIBLE_POINTS))
            return Cell(text, junk=text not in IMPLAUSIBLE_POINTS)
        choice = draw(st.sampled_from(["empty", "int", "decimal", "comma"]))
        if choice == "empty":
            return Cell("")
        if choice == "int":
            number = draw(st.integers(0, 1000))
            return Cell(str(number), value=float(number))
        number = draw(st.integers(0, 99_999)) / 100
        return Cell(f"{number}".replace(".", "," if choice == "comma" else "."), value=number)
    if name == ESTIMATE:
        if junk:
            text = draw(st.sampled_from(JUNK_ESTIMATES + IMPLAUSIBLE_ESTIMATES))
            return Cell(text, junk=text not in IMPLAUSIBLE_ESTIMATES)
        return Cell(draw(st.sampled_from(["", "3600", "28800", "1d 4h", "2w"])))
    if name == RANK:
        if junk:
            return Cell(draw(st.sampled_from(JUNK_RANKS)), junk=True)
        return Cell(draw(st.sampled_from(["", f"0|{_base36(draw)}:", f"1|{_base36(draw)}"])))
    if name == "Issue Type":
        return Cell(draw(st.sampled_from(["Story", "Bug", "Task", "Sub-task", "Epic", ""])))
    if name == "Status Category":
        return Cell(draw(st.sampled_from(["To Do", "In Progress", "Done", ""])))
    if name in ("Parent key", "Inward issue link (Blocks)", "Outward issue link (Duplicate)",
                "Inward issue link (Relates)"):
        return Cell(draw(st.sampled_from(["", *key_pool[:5]])))
    if name in ("Issue id", "Parent", "Votes"):
        return Cell(draw(st.sampled_from(["", "10001", "10002", "7"])))
    return Cell(draw(TEXT))


@st.composite
def examples(draw) -> Example:
    status_headers = draw(st.sampled_from([["Status"], ["Status Category"], ["Status", "Status Category"]]))
    optional = [h for h in SINGLE if h != "Status Category"]
    header = ["Issue key", "Summary", *status_headers]
    header += draw(st.lists(st.sampled_from(optional), unique=True, max_size=8))
    header += draw(st.lists(st.sampled_from(REPEATABLE), max_size=4))
    header = draw(st.permutations(header))
    date_format = draw(st.sampled_from(["jira", "iso"]))
    key_pool = [f"SR-{n}" for n in draw(st.lists(st.integers(1, 999), min_size=8, max_size=8, unique=True))]
    n_rows = draw(st.integers(0, 6) if draw(st.integers(0, 9)) == 0 else st.integers(1, 6))
    keys = key_pool[:n_rows]
    if n_rows >= 2 and draw(st.integers(0, 5)) == 0:
        keys[draw(st.integers(1, n_rows - 1))] = keys[0]  # a duplicate key
    if n_rows and draw(st.integers(0, 15)) == 0:
        keys[draw(st.integers(0, n_rows - 1))] = draw(st.sampled_from(["", "  "]))
    rows = []
    for key in keys:
        row = []
        for name in header:
            if name == "Issue key":
                row.append(Cell(key))
            elif name == "Summary":
                blank = draw(st.integers(0, 15)) == 0  # sometimes empty: must be refused
                summary = draw(TEXT) if blank else draw(st.sampled_from("aZé日-1")) + draw(TEXT)
                row.append(Cell(summary))
            elif name == "Status":
                row.append(Cell(draw(st.sampled_from(["To Do", "In Progress", "Done", "Backlog", "Closed"]))))
            else:
                row.append(draw(cells(name, date_format, key_pool)))
        rows.append(row)
    return Example(
        header=list(header),
        rows=rows,
        date_format=date_format,
        encoding=draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])),
        newline=draw(st.sampled_from(["\r\n", "\n"])),
        kind=draw(st.sampled_from(["jira", "csv"])),
        quote_all=draw(st.booleans()),
    )


def read(kind: str, data: bytes, mapping: dict[str, str]):
    if kind == "jira":
        return read_jira_csv("export.csv", name="export.csv", data=data, taken_at=datetime(2026, 1, 1))
    return read_generic_csv("export.csv", mapping, name="export.csv", data=data, taken_at=datetime(2026, 1, 1))


def dump(con) -> dict[str, list]:
    tables = [r[0] for r in con.execute("select table_name from information_schema.tables order by 1").fetchall()]
    return {t: sorted(map(repr, con.execute(f'select * from "{t}"').fetchall())) for t in tables}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    """One store for all examples: each must leave the others' snapshots intact."""
    connection = store.connect(tmp_path_factory.mktemp("props") / "store.duckdb")
    yield connection
    connection.close()


def ingest(con, kind: str, data: bytes, mapping: dict[str, str]):
    """Read and store like the CLI does; only domain errors may escape. Returns the
    snapshot id, or the error with the store checked unchanged."""
    before = dump(con)
    try:
        snapshot = read(kind, data, mapping).snapshot
        written = store.write_snapshot(con, snapshot)
    except BacklogHealthError as error:
        assert dump(con) == before, "a refused file changed the store"
        return None, error
    # Idempotent: the same file again adds nothing and names the same snapshot.
    after = dump(con)
    again = store.write_snapshot(con, read(kind, data, mapping).snapshot)
    assert not again.created and again.snapshot_id == written.snapshot_id
    assert dump(con) == after
    return written.snapshot_id, None


PROPERTY_SETTINGS = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(example=examples())
def test_random_exports_are_stored_exactly_or_refused_cleanly(con, example):
    snapshot_id, error = ingest(con, example.kind, example.data(), example.mapping())
    problem = example.problem()
    event(f"{example.kind}: {problem or 'stored'}")
    if problem is not None:
        assert error is not None, f"expected a refusal ({problem})"
        assert isinstance(error, InputError) and str(error).startswith("export.csv")
        assert "\n" not in str(error) and len(str(error)) < 400, str(error)
        if problem not in ("no rows",):
            assert error.row is not None and error.row >= 2, str(error)
        return
    assert error is None, f"a valid file was refused: {error}"
    stored = con.execute(
        "select key, summary, story_points, created from items where snapshot_id = ? order by row_number",
        [snapshot_id],
    ).fetchall()
    at = {name: i for i, name in enumerate(example.header)}
    rows = example.nonblank_rows()
    assert [r[0] for r in stored] == [row[at["Issue key"]].text.strip() for row in rows]
    assert [r[1] for r in stored] == [row[at["Summary"]].text.strip() for row in rows]
    if POINTS in at:
        assert [r[2] for r in stored] == [row[at[POINTS]].value for row in rows]
    if "Created" in at:
        assert [r[3] for r in stored] == [row[at["Created"]].value for row in rows]
    (count,) = con.execute("select row_count from snapshots where id = ?", [snapshot_id]).fetchone()
    assert count == len(rows)


@st.composite
def mangled(draw):
    """A generated file with bytes cut, inserted or replaced: broken in random ways."""
    example = draw(examples())
    data = bytearray(example.data())
    body = data.find(b"\n") + 1  # mostly break the rows, sometimes the header
    for _ in range(draw(st.integers(1, 2))):
        position = draw(st.integers(0 if draw(st.integers(0, 3)) == 0 else min(body, len(data)), len(data)))
        action = draw(st.sampled_from(["truncate", "insert", "quote", "replace"]))
        if action == "truncate":
            del data[position:]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == "quote":
            data[position:position] = b'"'
        elif position < len(data):
            data[position] = draw(st.integers(0, 255))
    return example, bytes(data)


@PROPERTY_SETTINGS
@given(case=mangled())
def test_mangled_files_never_escape_as_tracebacks(con, case):
    example, data = case
    snapshot_id, error = ingest(con, example.kind, data, example.mapping())
    event("refused: " + str(error).split(": ", 1)[1][:30] if error is not None else "stored")
    if error is not None:
        assert str(error).startswith("export.csv") and "\n" not in str(error)
        return
    (count,) = con.execute("select count(*) from items where snapshot_id = ?", [snapshot_id]).fetchone()
    assert count == read(example.kind, data, example.mapping()).snapshot.row_count


def test_the_header_pool_is_real():
    # The strategies only use headers a real Jira Cloud export carries.
    assert {"Issue key", "Summary", "Status", POINTS, RANK} <= REAL_HEADERS
    assert Path(JIRA_CSV / "cloud-2026-en.csv").exists()
