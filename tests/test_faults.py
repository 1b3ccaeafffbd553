"""Faults, each provoked for real: an ingest killed with SIGKILL mid-write, two ingests and
the dashboard at once, a store of an older release, a file at the store path that is not a
store (or a damaged one), a full disk, a read-only location. Each ends in one clear line (or
a clean page) and a store that holds exactly what it held before.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from backlog_health import store
from backlog_health.cli import app
from backlog_health.errors import StoreError
from tests.conftest import JIRA_CSV, REPO, store_state
from tests.test_store import shipped_migrations

# Faults provoked for real (killed processes, full disks, locks): the whole suite only.
pytestmark = pytest.mark.fault

ENTRY = REPO / "dashboard" / "app.py"
EXPORT = JIRA_CSV / "cloud-2026-en.csv"  # backlog CR+SR, 311 rows
GENERIC = ["--map", "key=ID", "--map", "summary=Title", "--map", "description=Body", "--map", "status=State",
           "--map", "rank=Order"]


# --- helpers -----------------------------------------------------------------------------------


def cli_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "backlog_health.cli", *map(str, args)]


def run_cli(*args: str | Path, **options) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop(store.DB_ENV, None)
    return subprocess.run(cli_command(*args), cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
                          check=False, **options)


def start_cli(*args: str | Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop(store.DB_ENV, None)
    return subprocess.Popen(cli_command(*args), cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def big_csv(path: Path, rows: int, prefix: str, open_items: int = 200) -> Path:
    """A generic CSV of `rows` items, all but the first `open_items` done: a large snapshot to
    write whose few backlog items are quick to compare for duplicates."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["ID", "Title", "Body", "State", "Order"])
        for i in range(rows):
            writer.writerow([
                f"{prefix}-{i + 1}", f"{prefix.lower()} item {i} of a large backlog", f"lorem ipsum {i} " * 4,
                "To Do" if i < open_items else "Done", i + 1,
            ])
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The single line a failed command printed, after checking it is one line and no traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def metrics_json(db: Path, backlog: str) -> dict:
    result = CliRunner().invoke(app, ["metrics", "--backlog", backlog, "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    figures.pop("data_age_days")  # measured against the clock
    return figures


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory) -> Path:
    """A store holding one real Jira export (backlog CR+SR) and one small generic CSV (SMALL)."""
    folder = tmp_path_factory.mktemp("seeded")
    db = folder / "store.duckdb"
    runner = CliRunner()
    small = big_csv(folder / "small.csv", 300, "SMALL", open_items=150)
    for args in (["jira-csv", str(EXPORT)], ["csv", str(small), *GENERIC]):
        result = runner.invoke(app, ["ingest", *args, "--db", str(db), "-q"])
        assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def seeded(seeded_template: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded store."""
    db = tmp_path / "store.duckdb"
    shutil.copy(seeded_template, db)
    return db


def scan_rows(db: Path) -> tuple[int, int]:
    """Rows of the duplicate search tables, written in the snapshot's transaction too."""
    con = store.connect(db, read_only=True)
    try:
        return (con.execute("select count(*) from duplicate_scans").fetchone()[0],
                con.execute("select count(*) from duplicate_candidates").fetchone()[0])
    finally:
        con.close()


def snapshot_rows(db: Path) -> dict[str, int]:
    """Rows stored per backlog."""
    con = store.connect(db, read_only=True)
    try:
        return dict(con.execute("select backlog, row_count from snapshots order by backlog").fetchall())
    finally:
        con.close()


# --- killed mid-ingest -------------------------------------------------------------------------


def test_an_ingest_killed_while_writing_leaves_no_partial_snapshot_and_can_be_rerun(seeded, tmp_path):
    before, scans = store_state(seeded), scan_rows(seeded)
    figures = {name: metrics_json(seeded, name) for name in ("CR+SR", "SMALL")}
    big = big_csv(tmp_path / "big.csv", 100_000, "BIG")
    wal = Path(f"{seeded}.wal")
    assert not wal.exists()
    size = seeded.stat().st_size
    job = start_cli("ingest", "csv", big, *GENERIC, "--db", seeded, "-q")
    # The write is under way once the store file or its write-ahead log grows (reading the CSV
    # and comparing its open items for duplicates come first and touch neither).
    deadline = time.monotonic() + 300
    while not (seeded.stat().st_size > size or (wal.exists() and wal.stat().st_size > 0)):
        assert job.poll() is None, f"the ingest ended before it could be killed: {job.communicate()}"
        assert time.monotonic() < deadline, "the ingest never started writing"
        time.sleep(0.002)
    job.send_signal(signal.SIGKILL)
    job.communicate()
    assert job.returncode == -signal.SIGKILL
    # Reopened: every earlier snapshot exactly as it was (rows, links, sprints, metrics), no
    # trace of the killed one.
    assert store_state(seeded) == before and scan_rows(seeded) == scans
    assert {name: metrics_json(seeded, name) for name in figures} == figures
    # The same ingest then succeeds, whole.
    again = run_cli("ingest", "csv", big, *GENERIC, "--db", seeded, "-q")
    assert again.returncode == 0, again.stderr
    assert "100000 rows, 200 backlog items" in again.stdout
    assert snapshot_rows(seeded) == {"BIG": 100_000, "CR+SR": 311, "SMALL": 300}
    after = store_state(seeded)
    assert [row for row in after["items"] if row[0] in {s[0] for s in before["snapshots"]}] == before["items"]


def test_an_ingest_killed_right_after_it_reported_success_keeps_its_snapshot(seeded, tmp_path):
    """Once a snapshot is reported stored it is durable, even if the process dies while it
    folds the write-ahead log into the store file on the way out."""
    before = store_state(seeded)
    big = big_csv(tmp_path / "big.csv", 100_000, "BIG")
    job = start_cli("ingest", "csv", big, *GENERIC, "--db", seeded, "-q")
    line = job.stdout.readline()
    job.send_signal(signal.SIGKILL)
    job.communicate()
    assert "snapshot 3 of backlog BIG" in line, line
    assert snapshot_rows(seeded) == {"BIG": 100_000, "CR+SR": 311, "SMALL": 300}
    after = store_state(seeded)
    assert after["snapshots"][:2] == before["snapshots"]
    assert len(after["items"]) == len(before["items"]) + 100_000


# --- two ingests and the dashboard at once -----------------------------------------------------


def test_two_ingests_at_once_both_land_while_the_dashboard_keeps_answering(seeded, tmp_path, monkeypatch):
    before = store_state(seeded)
    monkeypatch.setenv(store.DB_ENV, str(seeded))
    monkeypatch.delenv("BACKLOG_HEALTH_RULES", raising=False)
    at = AppTest.from_file(str(ENTRY), default_timeout=180)
    at.run()
    assert not at.exception and not at.error
    first = big_csv(tmp_path / "alpha.csv", 20_000, "ALPHA")
    second = big_csv(tmp_path / "beta.csv", 20_000, "BETA")
    jobs = [start_cli("ingest", "csv", path, *GENERIC, "--db", seeded) for path in (first, second)]
    reruns = 0
    while any(job.poll() is None for job in jobs):
        at.run()  # the real app: each rerun reads the store, or shows the data it last read
        assert not at.exception, [e.message for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        assert set(at.selectbox(key="global.backlog").options) >= {"CR+SR", "SMALL"}
        reruns += 1
    results = [job.communicate() + (job.returncode,) for job in jobs]
    for out, err, code in results:
        assert code == 0, err
        assert "snapshot" in out and "Traceback" not in err
    assert reruns > 0
    assert snapshot_rows(seeded) == {"ALPHA": 20_000, "BETA": 20_000, "CR+SR": 311, "SMALL": 300}
    after = store_state(seeded)
    assert after["snapshots"][:2] == before["snapshots"]
    assert len(after["items"]) == len(before["items"]) + 40_000
    at.run()
    assert not at.exception and not at.error
    assert set(at.selectbox(key="global.backlog").options) == {"ALPHA", "BETA", "CR+SR", "SMALL"}


HOLD = """
import sys
from backlog_health import store
con = store.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()
con.close()
"""


def test_an_ingest_waits_for_a_busy_store_with_a_note_and_gives_up_after_a_bound(seeded, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(seeded)], cwd=REPO, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        notes = []
        with pytest.raises(StoreError) as refused:  # the bound: a writer gives up after `wait_seconds`
            store.connect(seeded, wait_seconds=1, waiting=notes.append)
        assert str(refused.value) == (
            f"{seeded}: the store is still in use by another process after waiting 1 s (another ingest "
            "writing to it); try again when it finishes"
        )
        assert notes == [f"{seeded}: in use by another process; waiting up to 1 s for it to finish"]
        small = big_csv(tmp_path / "later.csv", 50, "LATER")
        job = start_cli("ingest", "csv", small, *GENERIC, "--db", seeded)
        note = job.stderr.readline()
        assert "in use by another process; waiting up to 30 s" in note, note
        holder.stdin.write("done\n")
        holder.stdin.flush()
        out, err = job.communicate(timeout=120)
        assert job.returncode == 0, err
        assert "snapshot 3 of backlog LATER" in out
    finally:
        if holder.poll() is None:
            holder.stdin.close()
            holder.wait(timeout=60)
    assert snapshot_rows(seeded)["LATER"] == 50


# --- a store of the previous schema version ----------------------------------------------------


@pytest.fixture
def previous_version_store(tmp_path: Path) -> Path:
    """A store written by the previous release (one migration short), holding the real export."""
    db = tmp_path / "old.duckdb"
    previous = store.migrations()[-1][0] - 1
    con = store.connect(db, migrations_folder=shipped_migrations(tmp_path, up_to=previous))
    try:
        from backlog_health.ingest.jira_csv import read_jira_csv

        store.write_snapshot(con, read_jira_csv(EXPORT).snapshot, scan_duplicates=False)
        assert store.schema_version(con) == previous
    finally:
        con.close()
    return db


def test_a_store_of_the_previous_version_migrates_on_the_cli(previous_version_store):
    result = run_cli("snapshots", "--json", "--db", previous_version_store)
    assert result.returncode == 0, result.stderr
    assert [(s["backlog"], s["rows"]) for s in json.loads(result.stdout)] == [("CR+SR", 311)]
    con = store.connect(previous_version_store, read_only=True)
    try:
        assert store.schema_version(con) == store.migrations()[-1][0]
    finally:
        con.close()
    assert metrics_json(previous_version_store, "CR+SR")["backlog_items"] == 252


def test_a_store_of_the_previous_version_migrates_in_the_dashboard(previous_version_store, monkeypatch):
    monkeypatch.setenv(store.DB_ENV, str(previous_version_store))
    monkeypatch.delenv("BACKLOG_HEALTH_RULES", raising=False)
    at = AppTest.from_file(str(ENTRY), default_timeout=180)
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="global.backlog").options == ["CR+SR"]
    assert {m.label: m.value for m in at.metric}["Backlog size"] == "252"


# --- a file at the store path that is not a (whole) store --------------------------------------


def _not_a_store(kind: str, folder: Path, demo_db: Path) -> Path:
    path = folder / "store.duckdb"
    if kind == "random bytes":
        path.write_bytes(os.urandom(300_000))
    elif kind == "a text file":
        path.write_text("ID,Title\nA-1,a CSV saved under the store's name\n")
    elif kind == "an empty file":
        path.write_bytes(b"")
    else:  # a real store cut short, as by a failed copy
        real = Path(shutil.copy(demo_db, folder / "real.duckdb"))
        data = real.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        real.unlink()
    return path


KINDS = ["random bytes", "a text file", "an empty file", "a truncated store"]
COMMANDS = [
    ["snapshots"],
    ["items", "--backlog", "CHECKOUT"],
    ["metrics", "--backlog", "CHECKOUT"],
    ["duplicates", "--backlog", "CHECKOUT"],
    ["duplicates", "dismiss", "CHECKOUT-1", "CHECKOUT-2", "--backlog", "CHECKOUT"],
    ["ingest", "jira-csv", str(EXPORT)],
    ["demo"],
]


@pytest.fixture(scope="module", params=KINDS)
def bad_store(request, tmp_path_factory, demo_db) -> tuple[str, Path]:
    return request.param, _not_a_store(request.param, tmp_path_factory.mktemp("bad"), demo_db)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_file_that_is_not_a_whole_store_is_one_line_and_never_touched(bad_store, command, runner):
    kind, path = bad_store
    files = sorted(p.name for p in path.parent.iterdir())
    before = digest(path)
    result = runner.invoke(app, [*command, "--db", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), (result.exception, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    line = lines[0]
    assert str(path) in line
    expected = "the store file is damaged" if kind == "a truncated store" else "is not a backlog-health store"
    assert expected in line and "left untouched" in line, line
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == files  # no write-ahead log or other file


@pytest.mark.parametrize("page", ["overview", "readiness", "retro", "upload"])
def test_the_dashboard_shows_one_error_for_a_file_that_is_not_a_whole_store(bad_store, page, monkeypatch):
    kind, path = bad_store
    before = digest(path)
    monkeypatch.setenv(store.DB_ENV, str(path))
    monkeypatch.delenv("BACKLOG_HEALTH_RULES", raising=False)
    at = AppTest.from_file(str(ENTRY), default_timeout=180)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.error) == 1, [e.value for e in at.error]
    assert ("damaged" if kind == "a truncated store" else "not a backlog-health store") in at.error[0].value
    assert digest(path) == before


# --- a full disk -------------------------------------------------------------------------------


def _limit_file_size(limit: int):
    def limit_in_child() -> None:
        # Writing past RLIMIT_FSIZE fails with EFBIG, as a full disk fails with ENOSPC; without
        # ignoring SIGXFSZ the kernel would kill the process instead.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_in_child


def test_a_full_disk_is_one_line_and_the_store_keeps_what_it_had(seeded, tmp_path):
    before = store_state(seeded)
    big = big_csv(tmp_path / "big.csv", 60_000, "BIG")
    limit = seeded.stat().st_size + 64 * 1024
    result = run_cli("ingest", "csv", big, *GENERIC, "--db", seeded, preexec_fn=_limit_file_size(limit))
    line = one_error_line(result)
    assert "the disk is full" in line and str(seeded) in line, line
    assert store_state(seeded) == before  # still opens, and holds exactly what it held
    # with room again, the same ingest goes through
    again = run_cli("ingest", "csv", big, *GENERIC, "--db", seeded, "-q")
    assert again.returncode == 0, again.stderr
    assert snapshot_rows(seeded)["BIG"] == 60_000


# The Upload page saving a file on a full disk, in a process of its own (the file size limit
# must not reach the test runner's own files).
SAVE_ON_A_FULL_DISK = """
import json, resource, signal, sys
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner
at = AppTest.from_file(sys.argv[1], default_timeout=180)
at.run()
at.switch_page("app_pages/upload.py").run()
with open(sys.argv[2], "rb") as file:
    at.file_uploader(key="upload.files").set_value(("big.csv", file.read(), "text/csv")).run()
ready = {"exception": [e.message for e in at.exception], "error": [e.value for e in at.error]}
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), resource.RLIM_INFINITY))
at.button(key="upload.save").click().run()
print(json.dumps({"ready": ready, "exception": [e.message for e in at.exception], "error": [e.value for e in at.error]}))
"""


def test_the_dashboard_reports_a_full_disk_when_saving_an_upload(seeded, tmp_path):
    before = store_state(seeded)
    big = big_jira_csv(tmp_path / "big.csv", 20_000)
    env = {**os.environ, store.DB_ENV: str(seeded)}
    env.pop("BACKLOG_HEALTH_RULES", None)
    limit = 64 * 1024  # no file may grow past 64 kB: the snapshot's log cannot be written
    result = subprocess.run([sys.executable, "-c", SAVE_ON_A_FULL_DISK, str(ENTRY), str(big), str(limit)],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["ready"] == {"exception": [], "error": []}
    assert not shown["exception"], shown
    assert len(shown["error"]) == 1 and "the disk is full" in shown["error"][0], shown
    assert store_state(seeded) == before


def big_jira_csv(path: Path, rows: int) -> Path:
    """A minimal Jira export of `rows` issues (all but 100 done)."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Status Category",
                         "Description"])
        for i in range(rows):
            done = i >= 100
            writer.writerow([f"jira item {i}", f"JB-{i + 1}", 10_000 + i, "Story", "Done" if done else "To Do",
                             "Done" if done else "To Do", f"lorem ipsum {i} " * 4])
    return path


# --- a read-only location ----------------------------------------------------------------------

# Runs the CLI as an unprivileged user (we run as root, whom file modes do not stop). The
# interpreter may live where that user cannot read, so everything the command needs is
# loaded first, as root: by reading the export once, and by running the same command on a
# copy of the store; then privileges are dropped for good and the command runs for real.
AS_NOBODY = """
import contextlib, io, os, shutil, sys, tempfile
from backlog_health import cli
from backlog_health.ingest.jira_csv import read_jira_csv
warm, db, export, args = sys.argv[1] == "warm", sys.argv[2], sys.argv[3], sys.argv[4:]
read_jira_csv(export)
if warm:
    copy = os.path.join(tempfile.mkdtemp(), "store.duckdb")
    shutil.copy(db, copy)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            cli.app([copy if a == db else a for a in args], standalone_mode=False)
        except BaseException:
            pass
    shutil.rmtree(os.path.dirname(copy))
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
sys.argv = ["backlog-health", *args]
cli.main()
"""


@pytest.fixture
def read_only_store(seeded: Path):
    """A copy of the seeded store in a folder the command may read but not write."""
    folder = Path(tempfile.mkdtemp(prefix="backlog-health-read-only-"))
    try:
        db = folder / "store.duckdb"
        shutil.copy(seeded, db)
        shutil.copy(EXPORT, folder / "export.csv")
        for path in (db, folder / "export.csv"):
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        folder.chmod(0o755 if os.geteuid() == 0 else 0o555)
        yield db
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def run_read_only(db: Path, *args: str | Path, warm: bool = False) -> subprocess.CompletedProcess:
    """Run the CLI as a user who may read `db` and its folder but not write them (`warm`: run
    the command on a copy first, as root, so that it finds every module it loads)."""
    if os.geteuid() != 0:  # file modes already stop us
        return run_cli(*args)
    env = {**os.environ}
    env.pop(store.DB_ENV, None)
    command = [sys.executable, "-c", AS_NOBODY, "warm" if warm else "cold", str(db), str(db.parent / "export.csv"),
               *map(str, args)]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize(
    "command",
    [["ingest", "jira-csv", "{folder}/export.csv", "--backlog", "OTHER"], ["demo"],
     ["duplicates", "dismiss", "SR-1", "SR-2", "--backlog", "CR+SR"]],
    ids=["ingest", "demo", "dismiss"],
)
def test_a_read_only_location_is_one_line_and_the_store_is_unchanged(read_only_store, command):
    before_state = store_state(read_only_store)
    before = digest(read_only_store)
    files = sorted(p.name for p in read_only_store.parent.iterdir())
    args = [part.format(folder=read_only_store.parent) for part in command]
    line = one_error_line(run_read_only(read_only_store, *args, "--db", read_only_store))
    assert "read-only for this user" in line and str(read_only_store) in line, line
    assert digest(read_only_store) == before
    assert sorted(p.name for p in read_only_store.parent.iterdir()) == files
    assert store_state(read_only_store) == before_state


def test_a_read_only_store_can_still_be_read(read_only_store):
    before = digest(read_only_store)
    listing = run_read_only(read_only_store, "snapshots", "--json", "--db", read_only_store, warm=True)
    assert listing.returncode == 0, listing.stderr
    assert sorted((s["backlog"], s["rows"]) for s in json.loads(listing.stdout)) == [("CR+SR", 311), ("SMALL", 300)]
    figures = run_read_only(read_only_store, "metrics", "--backlog", "CR+SR", "--json", "--db", read_only_store,
                            warm=True)
    assert figures.returncode == 0, figures.stderr
    assert json.loads(figures.stdout)["backlog_items"] == 252
    assert digest(read_only_store) == before


def test_a_new_store_in_a_read_only_folder_is_one_line(read_only_store):
    target = read_only_store.parent / "new" / "store.duckdb"
    line = one_error_line(run_read_only(read_only_store, "ingest", "jira-csv", read_only_store.parent / "export.csv",
                                        "--db", target))
    assert "cannot create its folder" in line and str(target) in line, line
    assert not target.parent.exists()
