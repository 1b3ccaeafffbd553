"""Hostile and broken files through the real CLI: each gets a correct result or one
clear line (file, row, column, what was expected), exit code 1 and an unchanged store.

The corpus is `tests/hostile/` (see its README); the huge cases are generated here.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from backlog_health import store
from backlog_health.cli import app

# The whole corpus through both readers and the store: the full suite's job, not the edit loop's.
pytestmark = pytest.mark.slow

HOSTILE = Path(__file__).parent / "hostile"

# The corpus's Jira files read as "any tracker's CSV" through a mapping of their headers.
JIRA_AS_GENERIC = [
    "--map", "key=Issue key", "--map", "summary=Summary", "--map", "status=Status",
    "--map", "story_points=Custom field (Story point estimate)", "--map", "original_estimate=Original estimate",
    "--map", "created=Created", "--map", "updated=Updated", "--map", "assignee=Assignee",
]
GENERIC = [
    "--map", "key=ID", "--map", "summary=Title", "--map", "status=State",
    "--map", "story_points=Points", "--map", "rank=Order", "--map", "created=Created",
]
POINTS = '"Custom field (Story point estimate)"'


def dump(db: Path) -> dict[str, list]:
    """Every row of every table of the store, or None when there is no store file."""
    if not db.exists():
        return {"no store": []}
    con = store.connect(db, read_only=True)
    try:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables order by 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f'select * from "{t}"').fetchall())) for t in tables}
    finally:
        con.close()


def ingest(runner, db: Path, kind: str, path: Path, *extra: str):
    if kind == "jira":
        args = ["ingest", "jira-csv", str(path)]
    elif kind == "csv":
        args = ["ingest", "csv", str(path), *JIRA_AS_GENERIC]
    else:
        args = ["ingest", "csv", str(path), *GENERIC]
    return runner.invoke(app, [*args, "--db", str(db), *extra])


@pytest.fixture
def seeded(runner, tmp_path) -> Path:
    """A store that already holds one snapshot, so "unchanged" means something."""
    db = tmp_path / "store.duckdb"
    result = ingest(runner, db, "jira", HOSTILE / "valid.csv")
    assert result.exit_code == 0, result.output
    return db


def assert_one_line_error(result, file_name: str, *fragments: str) -> str:
    assert result.exit_code == 1, result.output
    # CliRunner turns an unhandled exception into exit code 1 too: that must not be what happened.
    assert not isinstance(result.exception, Exception), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {file_name}"), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert result.stdout == ""
    return lines[0]


REFUSED = [
    # (file, readers, fragments every message must contain)
    ("empty.csv", "jira csv", ["is empty"]),
    ("blank-lines-only.csv", "jira csv", ["is empty"]),
    ("header-only.csv", "jira csv", ["has a header but no"]),
    ("binary-garbage.csv", "jira csv", ["is not a text file"]),
    ("binary-no-nul.csv", "jira csv", ["is not a text file"]),
    ("truncated.csv", "jira csv", ["row 3:", "14 values", "16 columns", "cut short"]),
    ("truncated-in-quotes.csv", "jira csv", ["row 2:", "never closed", "line 2"]),
    ("unbalanced-quotes.csv", "jira csv", ["row 3:", "line 4", "balanced double quotes"]),
    ("extra-values.csv", "jira csv", ["row 3:", "17 values", "16 columns"]),
    ("mixed-encoding.csv", "jira csv", ["byte 0xe9 on line 3", "UTF-8"]),
    ("mixed-latin1-first.csv", "jira csv", ["UTF-8 text on line 3", "Windows-1252/Latin-1", "mixes encodings"]),
    ("duplicate-keys.csv", "jira csv", ['row 5, column "Issue key"', "SR-2", "rows 3 and 5", "unique"]),
    ("missing-key.csv", "jira csv", ['row 3, column "Issue key"', "empty cell"]),
    ("dates-junk.csv", "jira csv", ['row 3, column "Created"', '"yesterday"', "06/Jan/26 9:29 AM"]),
    ("dates-impossible.csv", "jira csv", ['row 3, column "Updated"', '"2026-13-45"', "2026-01-06T09:29"]),
    ("dates-out-of-range.csv", "jira csv", ['row 3, column "Created"', "between 1900 and 2200", '"0001-01-01"']),
    ("dates-ambiguous.csv", "jira csv", ['row 2, column "Created"', "day/month or month/day"]),
    ("points-nan.csv", "jira csv", [f"row 3, column {POINTS}", '"NaN"']),
    ("points-junk.csv", "jira csv", [f"row 3, column {POINTS}", "like 3 or 0.5", '"three"']),
    ("formula-points.csv", "jira csv", [f"row 3, column {POINTS}", '"=1+1"']),
    ("rank-junk.csv", "jira", ['row 3, column "Custom field (Rank)"', "0|i0001b:", '"top priority!"']),
    ("rank-numbers-junk.csv", "jira", ['row 4, column "Custom field (Rank)"', "a number", '"n/a"']),
    ("not-jira.csv", "jira", ["not a Jira CSV export", '"Issue key"']),
    ("generic-rank-junk.csv", "generic", ['row 4, column "Order"', "a number", '"soon"']),
    ("generic-duplicate-keys.csv", "generic", ['row 3, column "ID"', "WEB-1", "rows 2 and 3"]),
    ("generic-truncated.csv", "generic", ["row 3:", "2 values", "6 columns", "cut short"]),
]


@pytest.mark.parametrize(
    ("name", "kind", "fragments"),
    [pytest.param(n, k, f, id=f"{k}-{n}") for n, kinds, f in REFUSED for k in kinds.split()],
)
def test_refused_with_one_line_and_the_store_unchanged(runner, seeded, name, kind, fragments):
    before = dump(seeded)
    result = ingest(runner, seeded, kind, HOSTILE / name)
    assert_one_line_error(result, name, *fragments)
    assert dump(seeded) == before


def test_a_refused_file_creates_no_store(runner, tmp_path):
    db = tmp_path / "new.duckdb"
    result = ingest(runner, db, "jira", HOSTILE / "binary-garbage.csv")
    assert_one_line_error(result, "binary-garbage.csv")
    assert not db.exists()


def test_one_hostile_file_among_good_ones_writes_nothing(runner, seeded):
    before = dump(seeded)
    result = runner.invoke(app, ["ingest", "jira-csv", str(HOSTILE / "latin1.csv"),
                                 str(HOSTILE / "truncated.csv"), "--db", str(seeded)])
    assert_one_line_error(result, "truncated.csv", "row 3:")
    assert dump(seeded) == before


def stored(db: Path, name: str) -> dict[str, dict]:
    """The rows of the snapshot read from file `name`, by key."""
    con = store.connect(db, read_only=True)
    try:
        frame = con.execute(
            "select i.* from items i join snapshots s on s.id = i.snapshot_id where s.source_name = ?", [name]
        ).df()
    finally:
        con.close()
    return {row["key"]: row for row in frame.to_dict("records")}


def ingest_ok(runner, db: Path, kind: str, name: str) -> dict[str, dict]:
    result = ingest(runner, db, kind, HOSTILE / name)
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "snapshot 2 of backlog" in result.stdout
    return stored(db, name)


# Numbers that read fine but cannot be estimates are kept (as given, in custom_fields),
# counted as missing, and named in one warning line: one odd value refuses nothing.
SET_ASIDE = [
    ("points-negative.csv", "jira csv", "SR-2", "story_points", "Custom field (Story point estimate)", "-3", "below 0"),
    ("points-huge.csv", "jira csv", "SR-2", "story_points", "Custom field (Story point estimate)", "1e12",
     "above 1,000 story points"),
    ("estimate-huge.csv", "jira csv", "SR-2", "original_estimate_seconds", "Original estimate", "99999999999999",
     "above 100,000 hours"),
    ("generic-points-negative.csv", "generic", "WEB-1", "story_points", "Points", "-1", "below 0"),
]


@pytest.mark.parametrize(
    ("name", "kind", "key", "column", "header", "given", "why"),
    [pytest.param(n, k, *rest, id=f"{k}-{n}") for n, kinds, *rest in SET_ASIDE for k in kinds.split()],
)
def test_implausible_numbers_are_set_aside_with_one_warning(runner, seeded, name, kind, key, column, header, given, why):
    result = ingest(runner, seeded, kind, HOSTILE / name)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f'warning: {name}: 1 value in "{header}" {why} kept as given but not counted as estimates: {key}'
    ]
    item = stored(seeded, name)[key]
    assert pd.isna(item[column])
    assert dict(item["custom_fields"])[header] == given


@pytest.mark.parametrize("kind", ["jira", "csv"])
def test_latin1_windows_1252_is_read_as_such(runner, seeded, kind):
    items = ingest_ok(runner, seeded, kind, "latin1.csv")
    assert items["SR-1"]["summary"] == "Café für Müller"
    assert items["SR-1"]["assignee"] == "José Peña"
    assert items["SR-2"]["summary"] == "Price in €, 5 ¢"


def test_generic_latin1(runner, seeded):
    items = ingest_ok(runner, seeded, "generic", "generic-latin1.csv")
    assert items["WEB-1"]["summary"] == "Crème brûlée"


@pytest.mark.parametrize("kind", ["jira", "csv"])
@pytest.mark.parametrize("name", ["utf16.csv", "utf16-no-bom.csv"])
def test_utf16_with_or_without_byte_order_mark(runner, seeded, kind, name):
    items = ingest_ok(runner, seeded, kind, name)
    assert items["SR-1"]["summary"] == "Ünïcödé 日本語 ticket"
    assert items["SR-2"]["summary"] == "Emoji 🚀 launch"


def test_bom_crlf_and_blank_lines_before_the_header(runner, seeded):
    items = ingest_ok(runner, seeded, "jira", "utf8-bom-crlf.csv")
    assert list(items) == ["SR-1"] and items["SR-1"]["summary"] == "Naïve résumé"


@pytest.mark.parametrize("kind", ["jira", "csv"])
def test_semicolon_separated_file_from_a_european_spreadsheet(runner, seeded, kind):
    items = ingest_ok(runner, seeded, kind, "semicolons.csv")
    assert sorted(items) == ["SR-1", "SR-2"]
    assert items["SR-1"]["summary"] == "Semicolon separated"
    assert items["SR-2"]["story_points"] == 2.0


@pytest.mark.parametrize("kind", ["jira", "csv"])
def test_unambiguous_dates_in_other_formats_are_read(runner, seeded, kind):
    items = ingest_ok(runner, seeded, kind, "dates-other-formats.csv")
    assert items["SR-1"]["created"] == datetime(2026, 1, 6, 9, 29)
    assert items["SR-1"]["updated"] == datetime(2026, 1, 27, 16, 24)
    assert items["SR-2"]["created"] == datetime(2026, 1, 7, 10, 0)
    assert items["SR-2"]["updated"] == datetime(2026, 1, 20, 11, 0)
    assert items["SR-3"]["created"] == datetime(2026, 1, 8)
    assert items["SR-3"]["updated"] == datetime(2026, 1, 21, 9, 0)


def test_numeric_dates_read_in_the_order_the_file_proves(runner, seeded):
    items = ingest_ok(runner, seeded, "jira", "dates-day-first.csv")
    assert items["SR-1"]["created"] == datetime(2026, 2, 16, 15, 26)
    assert items["SR-1"]["updated"] == datetime(2026, 4, 3, 10, 0)


def test_numeric_ranks_of_an_old_jira_sort_as_numbers(runner, seeded):
    items = ingest_ok(runner, seeded, "jira", "rank-numbers.csv")
    # As strings "100" < "30" < "4"; as numbers 4 < 30 < 100.
    assert [items[k]["rank_position"] for k in ("SR-2", "SR-1", "SR-3")] == [1, 2, 3]


@pytest.mark.parametrize("kind", ["jira", "csv"])
def test_decimal_comma_and_the_largest_allowed_points(runner, seeded, kind):
    items = ingest_ok(runner, seeded, kind, "points-decimal-comma.csv")
    assert items["SR-1"]["story_points"] == 0.5
    assert items["SR-2"]["story_points"] == 1000.0


@pytest.mark.parametrize("kind", ["jira", "csv"])
def test_formulas_are_stored_as_text_and_neutralised_on_csv_export(runner, seeded, kind):
    items = ingest_ok(runner, seeded, kind, "formulas.csv")
    assert items["SR-1"]["summary"] == '=HYPERLINK("http://evil.example","click")'
    assert items["SR-1"]["assignee"] == "@SUM(A1:A9)"
    assert items["SR-2"]["summary"] == "+cmd|' /C calc'!A0"
    assert items["SR-3"]["summary"] == "-2+3"
    assert items["SR-3"]["story_points"] == 5.0  # "+5" is a number, not a formula
    exported = runner.invoke(app, ["items", "--backlog", "SR", "--at", "2", "--csv", "--db", str(seeded)])
    assert exported.exit_code == 0, exported.output
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(exported.stdout))}
    assert rows["SR-1"]["summary"] == "'" + items["SR-1"]["summary"]
    assert rows["SR-1"]["assignee"] == "'@SUM(A1:A9)"
    assert rows["SR-2"]["summary"] == "'+cmd|' /C calc'!A0"
    assert rows["SR-3"]["summary"] == "'-2+3"


def test_reingesting_a_hostile_but_valid_file_adds_nothing(runner, seeded):
    ingest_ok(runner, seeded, "jira", "latin1.csv")
    before = dump(seeded)
    again = ingest(runner, seeded, "jira", HOSTILE / "latin1.csv")
    assert again.exit_code == 0 and "already ingested as snapshot 2" in again.stdout
    assert dump(seeded) == before


def test_every_corpus_file_has_a_note_in_the_readme():
    notes = (HOSTILE / "README.md").read_text("utf-8")
    files = sorted(p.name for p in HOSTILE.glob("*.csv"))
    missing = [f for f in files if f"`{f}`" not in notes]
    assert not missing
    tested = {n for n, _, _ in REFUSED}
    source = Path(__file__).read_text("utf-8")
    assert all(f in tested or f'"{f}"' in source for f in files), "a corpus file no test reads"


# --- huge inputs, generated here rather than committed ------------------------------


@pytest.mark.parametrize("kind", ["jira", "csv"])
def test_a_200000_column_header_is_refused(runner, seeded, tmp_path, kind):
    path = tmp_path / "wide.csv"
    header = ["Issue key", "Summary", "Status", *(f"Column {i}" for i in range(200_000))]
    path.write_text(",".join(header) + "\nSR-9,Wide,To Do" + "," * 200_000 + "\n", "utf-8")
    before = dump(seeded)
    result = runner.invoke(app, ["ingest", "jira-csv" if kind == "jira" else "csv", str(path), "--db", str(seeded),
                                 *([] if kind == "jira" else ["--map", "key=Issue key", "--map", "summary=Summary"])])
    assert_one_line_error(result, "wide.csv", "row 1:", "200,003 columns", "at most 10,000")
    assert dump(seeded) == before


def test_a_value_spread_over_many_lines_beyond_the_cap_is_refused(runner, seeded, tmp_path):
    path = tmp_path / "long-value.csv"
    line = "x" * 999 + "\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write('Issue key,Summary,Status,Description\nSR-9,Long,To Do,"')
        handle.writelines(line for _ in range(10_100))
        handle.write('"\n')
    before = dump(seeded)
    result = ingest(runner, seeded, "jira", path)
    assert_one_line_error(result, "long-value.csv", "row 2:", "starting on line 2", "longer than 10,000,000")
    assert dump(seeded) == before


@pytest.fixture(scope="module")
def gigabyte_line(tmp_path_factory) -> Path:
    """A Jira-like file whose second line is 1 GiB long (written, not sparse)."""
    path = tmp_path_factory.mktemp("huge") / "one-gb-line.csv"
    chunk = b"y" * (64 << 20)
    with path.open("wb") as handle:
        handle.write(b"Issue key,Summary,Status,Description\nSR-9,Huge,To Do,")
        for _ in range(16):
            handle.write(chunk)
        handle.write(b"\n")
    yield path
    path.unlink()


# Runs the CLI and, at exit, writes the process's peak resident memory (VmHWM, kB) to a
# file: the kernel's rusage figures would include the forking test process's own memory.
_MEASURED_CLI = """
import atexit, os, re, sys
def _peak():
    status = open("/proc/self/status").read()
    open(os.environ["PEAK_RSS_FILE"], "w").write(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))
atexit.register(_peak)
from backlog_health.cli import main

sys.argv[0] = "backlog-health"
main()
"""


def run_measured(args: list[str], tmp_path: Path) -> tuple[int, str, str, int]:
    """Run the CLI in a subprocess: exit code, stdout, stderr and its peak RSS in MiB."""
    peak_file = tmp_path / "peak-rss"
    process = subprocess.run(
        [sys.executable, "-c", _MEASURED_CLI, *args],
        capture_output=True, text=True, env={**os.environ, "PEAK_RSS_FILE": str(peak_file)}, check=False,
    )
    return process.returncode, process.stdout, process.stderr, int(peak_file.read_text()) // 1024


@pytest.mark.slow  # writes and reads a 1 GB line in a subprocess
@pytest.mark.parametrize("kind", ["jira", "csv"])
def test_a_one_gigabyte_line_is_refused_early(seeded, gigabyte_line, kind, tmp_path):
    before = dump(seeded)
    command = ["ingest", "jira-csv"] if kind == "jira" else ["ingest", "csv"]
    mapping = [] if kind == "jira" else ["--map", "key=Issue key", "--map", "summary=Summary"]
    code, stdout, stderr, peak_mib = run_measured([*command, str(gigabyte_line), *mapping, "--db", str(seeded)], tmp_path)
    assert code == 1, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].startswith("error: one-gb-line.csv, row 2:"), lines[0]
    assert "line 2 is longer than 10,000,000 characters" in lines[0]
    assert stdout == ""
    # Far below the line's 1,024 MiB: the line was never read whole (the figure is in the README).
    assert peak_mib < 400, peak_mib
    print(f"\npeak RSS of `ingest {kind}` refusing a 1 GiB line: {peak_mib} MiB")
    assert dump(seeded) == before


def test_snapshots_json_still_lists_only_the_seed_after_refusals(runner, seeded):
    for name, _, _ in REFUSED[:5]:
        ingest(runner, seeded, "jira", HOSTILE / name)
    listing = json.loads(runner.invoke(app, ["snapshots", "--json", "--db", str(seeded)]).stdout)
    assert [s["source_name"] for s in listing] == ["valid.csv"]


def test_generic_numeric_order_sorts_as_numbers(runner, seeded):
    items = ingest_ok(runner, seeded, "generic", "generic-valid.csv")
    assert items["WEB-2"]["rank_position"] == 1 and items["WEB-1"]["rank_position"] == 2
    assert items["WEB-1"]["story_points"] == 3.0 and items["WEB-1"]["created"] == datetime(2026, 1, 6)


def test_a_pipe_is_read_like_a_file(runner, seeded):
    # `backlog-health ingest jira-csv <(curl ...)`: the shell hands over /dev/fd/N, which cannot seek.
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as writer:
        writer.write((HOSTILE / "latin1.csv").read_bytes())
    try:
        result = runner.invoke(app, ["ingest", "jira-csv", f"/dev/fd/{read_end}", "--db", str(seeded)])
    finally:
        os.close(read_end)
    assert result.exit_code == 0, result.output
    assert stored(seeded, str(read_end))["SR-1"]["summary"] == "Café für Müller"


@pytest.mark.parametrize("kind", ["jira", "csv"])
def test_a_junk_cell_with_line_ends_and_megabytes_is_shown_short_on_one_line(runner, seeded, tmp_path, kind):
    path = tmp_path / "junk-cell.csv"
    junk = "12\r\n=cmd|calc\n" + "z" * 1_000_000
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["Issue key", "Summary", "Status", "Custom field (Story point estimate)",
                                       "Created", "Updated", "Original estimate", "Assignee"],
                                      ["SR-9", "Junk", "To Do", junk, "", "", "", ""]])
    before = dump(seeded)
    line = assert_one_line_error(ingest(runner, seeded, kind, path), "junk-cell.csv",
                                 f"row 2, column {POINTS}", '"12\\r\\n=cmd|calc\\nzzz')
    assert len(line) < 300
    assert dump(seeded) == before
