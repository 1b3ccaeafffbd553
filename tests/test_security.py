"""Hostile text in a backlog: SQL-looking names, keys, summaries and filters are stored and
queried verbatim; no SQL in the code is built from variables (a static check, itself tested on
planted violations); user text is escaped in the HTML report and on every page; CSV exports
neutralize formulas; uploads are capped; the dashboard listens on the loopback address.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import tomllib
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from backlog_health import store
from backlog_health.cli import app
from backlog_health.output import csv_ready
from backlog_health.rules import Rules
from backlog_health.dashboard import export
from backlog_health.dashboard import retro as retro_view
from backlog_health.dashboard.data import metrics_of, refinement
from backlog_health.dashboard.fmt import md
from tests.conftest import REPO, store_state

ENTRY = REPO / "dashboard" / "app.py"
SQL_BACKLOG = "x'; drop table items; --"
SQL_FILTER = '" or 1=1 --'
SQL_KEY = "SQL-2'); drop table snapshots; --"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HTML_BACKLOG = "<img src=x onerror=alert(2)>"
FORMULAS = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1)"]
MAPPING = ["--map", "key=ID", "--map", "summary=Title", "--map", "description=Body", "--map", "rank=Order",
           "--map", "duplicates=Dup"]


def hostile_rows(prefix: str, shift: int = 0) -> list[list[str]]:
    """Items whose text is hostile; `shift` reorders them (a second snapshot with churn)."""
    body = "As a shopper I want the checkout button to work so that I can pay. Acceptance criteria: it works."
    summaries = [
        SQL_FILTER, f"{SCRIPT} checkout button broken", f"{IMG} checkout button broken", *FORMULAS,
        "Robert'); DROP TABLE items;--", "plain item", "another plain item",
    ]
    rows = []
    for number, summary in enumerate(summaries, start=1):
        key = SQL_KEY if number == 2 and prefix == "SQL" else f"{prefix}-{number}"
        rows.append([key, summary, body if number in (2, 3) else f"text {number}", str((number + shift) % 10), ""])
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["ID", "Title", "Body", "Order", "Dup"])
        writer.writerows(rows)
    return path


def invoke(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    """Two snapshots each of a backlog named like SQL and of one named like HTML."""
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "store.duckdb"
    runner = CliRunner()
    for backlog, prefix in ((SQL_BACKLOG, "SQL"), (HTML_BACKLOG, "WEB")):
        for index, shift in enumerate((0, 3)):
            source = write_csv(folder / f"{prefix}{index}.csv", hostile_rows(prefix, shift))
            result = invoke(runner, "ingest", "csv", source, *MAPPING, "--backlog", backlog,
                            "--taken-at", f"2026-03-0{index + 1}T09:00", "--db", db, "-q")
            assert result.exit_code == 0, result.output
    return db


# --- SQL-looking input -------------------------------------------------------------------------


def test_sql_looking_names_keys_and_summaries_are_stored_verbatim(runner, hostile_db):
    listing = json.loads(invoke(runner, "snapshots", "--json", "--db", hostile_db).stdout)
    assert sorted({s["backlog"] for s in listing}) == sorted([SQL_BACKLOG, HTML_BACKLOG])
    assert [s["rows"] for s in listing] == [10, 10, 10, 10]
    result = invoke(runner, "items", "--backlog", SQL_BACKLOG, "--json", "--db", hostile_db)
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    expected = hostile_rows("SQL", 3)
    assert sorted((i["key"], i["summary"]) for i in items) == sorted((r[0], r[1]) for r in expected)
    assert {i["key"] for i in items} >= {SQL_KEY}
    # every table is still there, with every row
    state = store_state(hostile_db)
    assert len(state["snapshots"]) == 4 and len(state["items"]) == 40


@pytest.mark.parametrize("name", [SQL_FILTER, "x' or '1'='1", "%", "_", "*"])
def test_a_sql_looking_backlog_filter_matches_nothing_but_itself(runner, hostile_db, name):
    result = invoke(runner, "items", "--backlog", name, "--json", "--db", hostile_db)
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(f'error: no backlog named "{name}"'), result.stderr
    snapshots = json.loads(invoke(runner, "snapshots", "--backlog", name, "--json", "--db", hostile_db).stdout)
    assert snapshots == []


def test_metrics_and_duplicate_decisions_with_sql_looking_names(runner, hostile_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(hostile_db.read_bytes())
    figures = json.loads(invoke(runner, "metrics", "--backlog", SQL_BACKLOG, "--json", "--db", db).stdout)
    assert figures["backlog"] == SQL_BACKLOG and figures["backlog_items"] == 10
    assert figures["churn"]["common_items"] == 10
    result = invoke(runner, "duplicates", "dismiss", SQL_KEY, "SQL-3", "--backlog", SQL_BACKLOG, "--db", db)
    assert result.exit_code == 0, result.output
    con = store.connect(db, read_only=True)
    try:
        assert store.duplicate_decisions(con, SQL_BACKLOG).values.tolist()[0][:3] == sorted([SQL_KEY, "SQL-3"]) + ["dismissed"]
        assert store.duplicate_decisions(con, SQL_FILTER).empty
        assert store.duplicate_decisions(con, HTML_BACKLOG).empty
    finally:
        con.close()


@pytest.mark.slow
def test_the_dashboard_filters_by_sql_looking_names(monkeypatch, hostile_db):
    at = open_app(monkeypatch, hostile_db)
    at.selectbox(key="global.backlog").set_value(SQL_BACKLOG).run()
    assert not at.exception and not at.error
    at.switch_page("app_pages/readiness.py").run()
    assert not at.exception and not at.error
    keys = list(at.get_by_key("readiness.table").dataframe[0].value["key"])
    assert SQL_KEY in keys and all(k.startswith("SQL") for k in keys)


# --- no SQL built from variables: a static check -----------------------------------------------

# Calls that run SQL (or a DuckDB relation's SQL expression), and the position of that argument.
QUERY_CALLS = {
    "execute": 0, "executemany": 0, "sql": 0, "query": 0, "filter": 0, "project": 0, "order": 0, "select": 0,
    "first_row": 1, "frame": 1, "_insert": 1,
}
# Functions that take a query (or a query file's name) as a parameter and hand it on: their
# parameter is trusted here because every call of them is checked as a query call.
WRAPPERS = {
    "first_row": "query", "frame": "query", "_insert": "query",
    # the Store's forwarders to DuckDB's connection (backlog_health.store.connection.Store)
    "execute": "query", "executemany": "query", "sql": "query",
}
# Names bound to SQL that is not a literal, each with the reason it is safe.
ALLOWED = {
    ("migrate", "text"): "the text of a migration file shipped in the package",
    ("frame", "columns"): "column names the caller picked from the constant ITEM_COLUMNS",
    ("_export_table", "statement"): "COPY of a package .sql file's query, partitioned by column names from the "
    "constant PARTITIONS; the values and the target path are bound parameters",
    ("open_parquet_folder", "view"): "a view over read_parquet (views take no parameters): the folder path as a "
    "quoted string literal, column names and types from the package's own migrations",
    ("open_parquet_folder", "probe"): "select from a relation named in the constant PARTITIONS, quoted",
    ("run_sql", "spark_sql"): "the caller's SQL (figures.sql) parsed by sqlglot, each $parameter replaced by a "
    "literal node in the tree (sqlglot quotes it), then written in Spark's dialect: values never pasted as text",
    ("run", "query"): "figures.sql of the package with the rules' own checks written by sqlglot as expressions "
    "(field names quoted identifiers, labels and custom field names string literals); values are bound parameters",
}


def unsafe_queries(source: str, filename: str) -> list[str]:
    """Where `source` runs SQL that is neither a literal, a `sql("name")` file, nor a name bound
    only to those: f-strings, `%`, `+` and `.format` on variables are reported."""
    tree = ast.parse(source, filename)
    module = _Scope("<module>", set(), _module_level(tree), None)
    scopes = [module] + [
        _Scope(node.name, {a.arg for a in node.args.args + node.args.kwonlyargs + node.args.posonlyargs},
               list(ast.walk(node)), module)
        for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    problems = []
    for scope in scopes:
        for node in scope.nodes:
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Attribute):
                called = node.func.attr
            elif isinstance(node.func, ast.Name) and node.func.id != "sql":
                called = node.func.id
            else:
                continue
            position = QUERY_CALLS.get(called)
            if position is None or len(node.args) <= position:
                continue
            query = node.args[position]
            if not scope.safe(query):
                problems.append(f"{filename}:{node.lineno}: {called}() runs SQL built from {ast.unparse(query)!r}")
    return sorted(set(problems))


class _Scope:
    """A function (or the module): its parameters and what its names are bound to."""

    def __init__(self, name: str, params: set[str], nodes: list[ast.AST], outer: _Scope | None) -> None:
        self.name, self.params, self.nodes, self.outer = name, params, nodes, outer
        self.bindings: dict[str, list[ast.expr]] = {}
        for node in nodes:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.bindings.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                self.bindings.setdefault(node.target.id, []).append(node.value)

    def trusted_parameter(self, expr: ast.expr) -> bool:
        return isinstance(expr, ast.Name) and WRAPPERS.get(self.name) == expr.id and expr.id in self.params

    def safe(self, expr: ast.expr, seen: frozenset = frozenset()) -> bool:
        if isinstance(expr, ast.Starred):
            return self.safe(expr.value, seen)
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, str)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "sql":
            # queries.sql("name"): a .sql file of the package, chosen by a literal name
            return len(expr.args) == 1 and (
                isinstance(expr.args[0], ast.Constant) or self.trusted_parameter(expr.args[0])
            )
        if isinstance(expr, ast.Name):
            if (self.name, expr.id) in ALLOWED or self.trusted_parameter(expr):
                return True
            if expr.id in seen or expr.id in self.params:
                return False
            if expr.id not in self.bindings:
                return self.outer is not None and self.outer.safe(expr, seen)
            return all(self.safe(value, seen | {expr.id}) for value in self.bindings[expr.id])
        return False  # f-strings, %, +, .format(...), any other call


def _module_level(tree: ast.Module) -> list[ast.AST]:
    """Nodes outside any function."""
    nodes = []
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        nodes.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return nodes


def python_files() -> list[Path]:
    return sorted(p for folder in ("backlog_health", "ingest", "dashboard") for p in (REPO / folder).rglob("*.py"))


def test_no_sql_in_the_code_is_built_from_variables():
    problems = [p for path in python_files() for p in unsafe_queries(path.read_text("utf-8"), str(path.relative_to(REPO)))]
    assert problems == []
    # and the check did look at the store's queries
    source = "".join(p.read_text("utf-8") for p in (REPO / "backlog_health" / "store").glob("*.py"))
    assert source.count('sql("') >= 10


PLANTED = {
    "f-string": 'def f(con, backlog):\n    con.execute(f"select * from snapshots where backlog = \'{backlog}\'")\n',
    "format": 'def f(con, key):\n    con.execute("select * from items where key = \'{}\'".format(key))\n',
    "percent": 'def f(con, key):\n    con.sql("select * from items where key = \'%s\'" % key)\n',
    "concatenation": 'def f(con, key):\n    first_row(con, "select * from items where key = \'" + key + "\'")\n',
    "through a name": 'def f(con, key):\n    query = f"delete from items where key = \'{key}\'"\n    con.execute(query)\n',
    "a parameter": "def f(con, query):\n    return con.execute(query).fetchall()\n",
    "a sql file chosen by a caller's variable": "def f(con, name):\n    con.execute(sql(name))\n",
    "module level": 'import duckdb\nTABLE = input()\nduckdb.sql("select * from " + TABLE)\n',
}


@pytest.mark.parametrize("kind", PLANTED)
def test_the_static_check_finds_a_planted_violation(kind):
    problems = unsafe_queries(PLANTED[kind], "planted.py")
    assert len(problems) == 1, problems


def test_the_static_check_accepts_bound_parameters():
    source = textwrap.dedent('''
        QUERY = "select * from items where key = $key"
        def f(con, key):
            con.execute("select * from items where key = $key", {"key": key})
            con.execute(sql("snapshot_items"), {"snapshot_id": 1})
            query = sql("list_snapshots")
            con.sql(query, params={"backlog": key})
            con.execute(QUERY, {"key": key})
            first_row(con, "select count(*) from snapshots")
        def first_row(con, query, params=None):
            return con.execute(query, params or {}).fetchall()
    ''')
    assert unsafe_queries(source, "sample.py") == []


# --- HTML: user text is text -------------------------------------------------------------------


def open_app(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv(store.DB_ENV, str(db))
    monkeypatch.delenv("BACKLOG_HEALTH_RULES", raising=False)
    monkeypatch.delenv("BACKLOG_HEALTH_UPLOAD_MB", raising=False)
    at = AppTest.from_file(str(ENTRY), default_timeout=180)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _html_elements(at: AppTest) -> list[str]:
    """The text of every element that Streamlit would render as raw HTML."""
    found = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(proto, "allow_html", False):
            found.append(getattr(proto, "body", ""))
        if type(node).__name__ == "Html":
            found.append(node.proto.body)
    return found


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


PAGES = ["overview", "readiness", "estimates", "duplicates", "churn", "retro"]


def hostile_jira_export() -> bytes:
    """A Jira export (recognised by the Upload page) whose project, keys and summaries are HTML."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Status Category", "Description"])
    for number, (_, summary, body, *_) in enumerate(hostile_rows("WEB"), start=1):
        writer.writerow([summary, f"WEB-{number}", 1000 + number, "Story", "To Do", "To Do", body])
    return out.getvalue().encode()


@pytest.mark.slow
@pytest.mark.parametrize("page", [*PAGES, "upload"])
def test_every_page_shows_html_in_user_text_as_text(monkeypatch, hostile_db, page):
    at = open_app(monkeypatch, hostile_db)
    at.selectbox(key="global.backlog").set_value(HTML_BACKLOG).run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    if page == "upload":
        at.file_uploader(key="upload.files").set_value(("<img src=x onerror=alert(3)>.csv", hostile_jira_export(),
                                                        "text/csv")).run()
        assert at.metric  # the upload was analysed
        assert any(md("<img src=x onerror=alert(3)>.csv") in h.value for h in at.subheader)
    assert not at.exception and not at.error, [e.value for e in at.error]
    # no element renders raw HTML with user text in it
    assert not [body for body in _html_elements(at) if "onerror" in body or "<script" in body]
    # where user text goes through Markdown, its markup is escaped (shown as typed)
    markdown = [e.value for kind in (at.markdown, at.title, at.header, at.subheader, at.caption) for e in kind]
    raw = [text for text in markdown if re.search(r"(?<!\\)<(img|script)", text)]  # a tag not escaped
    assert raw == [], raw
    if page == "overview":
        assert at.title[0].value == "Backlog health: " + md(HTML_BACKLOG)
    if page == "duplicates":  # the decision cards show the summaries through Markdown
        shown = " ".join(m.value for m in at.markdown)
        assert md(SCRIPT) in shown and md(IMG) in shown, shown


@pytest.mark.slow
def test_the_retro_html_report_escapes_user_text(hostile_db):
    path = str(hostile_db)
    con = store.connect(hostile_db, read_only=True)
    try:
        listing = store.list_snapshots(con, HTML_BACKLOG)
    finally:
        con.close()
    previous_id, current_id = (int(i) for i in listing["id"])
    version = (0,)
    now = datetime(2026, 3, 10)
    current = metrics_of.__wrapped__(path, version, current_id, previous_id, Rules(), now)
    previous = metrics_of.__wrapped__(path, version, previous_id, None, Rules(), now)
    changes = refinement.__wrapped__(path, version, current_id, previous_id, Rules(), now)
    retro = retro_view.Retro(f"{HTML_BACKLOG}, snapshots", f"{SCRIPT} compared", current, previous, changes, None)
    report = export.html_report(f"Sprint retro: {retro.title}", retro.compared, retro_view.sections(retro), now)
    assert "<img src=x" not in report and "<script>alert" not in report
    assert "&lt;img src=x onerror=alert(2)&gt;" in report  # the backlog name, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    movers = pd.DataFrame([{"summary": m.summary} for m in current.churn.movers])
    assert movers["summary"].str.contains("<img src=x onerror=alert\\(1\\)>").any()  # hostile text reached it


# --- CSV exports -------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", [*FORMULAS, "\tcmd", "\rcmd", "=1+1", "+", "-", "@"])
def test_a_cell_that_would_run_as_a_formula_is_neutralized(cell):
    frame = pd.DataFrame({"summary": [cell, "plain"], "labels": [[cell], []]})
    ready = csv_ready(frame)
    assert ready["summary"].tolist() == ["'" + cell, "plain"]
    assert ready["labels"].tolist() == ["'" + cell, ""]
    exported = list(csv.reader(io.StringIO(export.csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert exported[1][0] == "'" + cell


def test_the_cli_csv_export_neutralizes_formulas(runner, hostile_db):
    result = invoke(runner, "items", "--backlog", HTML_BACKLOG, "--csv", "--db", hostile_db)
    assert result.exit_code == 0, result.output
    rows = {row["key"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    summaries = {row["summary"] for row in rows.values()}
    assert {"'" + formula for formula in FORMULAS} <= summaries
    assert not [s for s in summaries if s[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert f"{SCRIPT} checkout button broken" in summaries  # text that is not a formula is untouched


# --- uploads are capped ------------------------------------------------------------------------


def test_an_upload_over_the_cap_is_refused_with_one_message(monkeypatch, hostile_db):
    monkeypatch.setenv("BACKLOG_HEALTH_UPLOAD_MB", "1")
    monkeypatch.setenv(store.DB_ENV, str(hostile_db))
    at = AppTest.from_file(str(ENTRY), default_timeout=180)
    at.run()
    at.switch_page("app_pages/upload.py").run()
    big = "ID,Title\n" + "".join(f"BIG-{i},{'x' * 40}\n" for i in range(30_000))
    assert len(big) > 1024 * 1024
    at.file_uploader(key="upload.files").set_value(("big.csv", big.encode(), "text/csv")).run()
    assert not at.exception
    assert len(at.error) == 1 and "above the upload limit of 1 MB" in at.error[0].value
    assert not at.metric  # nothing was analysed
    small = "ID,Title\n" + "".join(f"S-{i},item {i}\n" for i in range(10))
    at.file_uploader(key="upload.files").set_value(("small.csv", small.encode(), "text/csv")).run()
    assert not at.exception and not any("upload limit" in e.value for e in at.error)


# --- the dashboard listens on the loopback address ---------------------------------------------


def test_the_dashboard_command_binds_loopback_by_default(runner, monkeypatch, tmp_path):
    seen = {}

    def become(path, command, env):  # os.execve: the command replaces the process
        seen["command"], seen["env"] = command, env
        raise SystemExit(0)

    monkeypatch.setattr(os, "execve", become)
    result = invoke(runner, "dashboard", "--db", tmp_path / "s.duckdb", "--upload-mb", "5")
    assert result.exit_code == 0, result.output
    command = seen["command"]
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert seen["env"]["BACKLOG_HEALTH_UPLOAD_MB"] == "5"  # the page's cap
    invoke(runner, "dashboard", "--db", tmp_path / "s.duckdb", "--host", "0.0.0.0")
    assert seen["command"][seen["command"].index("--server.address") + 1] == "0.0.0.0"  # only when asked


def test_make_run_uses_the_default_address():
    makefile = (REPO / "Makefile").read_text()
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "backlog-health dashboard" in run_recipe
    assert "--host" not in run_recipe and "server.address" not in run_recipe
    config = REPO / ".streamlit" / "config.toml"  # only client options (the hidden Deploy button)
    assert not config.exists() or "server" not in tomllib.loads(config.read_text())  # nothing overrides the address


def _listening(port: int) -> list[str]:
    """Local addresses listening on `port` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":  # 0A: LISTEN
                found.append(address)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1 as /proc writes them


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs /proc/net/tcp")
@pytest.mark.slow
def test_the_started_dashboard_listens_on_loopback_only(hostile_db):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ}
    env.pop(store.DB_ENV, None)
    server = subprocess.Popen(
        [sys.executable, "-m", "backlog_health.cli", "dashboard", "--db", str(hostile_db), "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, "the dashboard exited"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                assert time.monotonic() < deadline, "the dashboard did not start"
                time.sleep(0.3)
        addresses = _listening(port)
        assert addresses and set(addresses) <= LOOPBACK, addresses
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def test_a_carriage_return_inside_a_cell_stays_in_its_cell(runner, tmp_path):
    from tests.builders import snapshot

    db = tmp_path / "s.duckdb"
    con = store.connect(db)
    try:
        store.write_snapshot(con, snapshot([{"key": "CR-1", "summary": "first\rsecond"}, {"key": "CR-2"}]),
                             scan_duplicates=False)
    finally:
        con.close()
    result = invoke(runner, "items", "--csv", "--db", db)
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert [row[:3] for row in rows[1:]] == [["CR-1", "1", "first\rsecond"], ["CR-2", "2", "Item CR-2"]]
    frame = pd.DataFrame({"summary": ["first\rsecond", "=1"]})
    exported = list(csv.reader(io.StringIO(export.csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert exported == [["summary"], ["first\rsecond"], ["'=1"]]


# --- optional sign-in --------------------------------------------------------------------------

OIDC = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "not-a-real-secret"}
CLIENT = {"client_id": "backlog-health", "client_secret": "not-a-real-secret",
          "server_metadata_url": "https://login.example.invalid/.well-known/openid-configuration"}


@pytest.mark.parametrize(
    ("auth", "buttons"),
    [({**OIDC, **CLIENT}, ["Log in"]), ({**OIDC, "google": CLIENT, "okta": CLIENT}, ["Log in with google", "Log in with okta"])],
    ids=["one provider", "named providers"],
)
def test_with_sign_in_configured_nothing_shows_before_a_login(monkeypatch, hostile_db, auth, buttons):
    monkeypatch.setenv(store.DB_ENV, str(hostile_db))
    monkeypatch.delenv("BACKLOG_HEALTH_RULES", raising=False)
    at = AppTest.from_file(str(ENTRY), default_timeout=180)
    at.secrets["auth"] = auth
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert [b.label for b in at.button] == buttons
    assert not at.metric and not at.dataframe and not at.selectbox and not at.file_uploader
    assert at.title[0].value == "Backlog health"


def test_an_unreadable_secrets_file_keeps_the_app_closed(monkeypatch, tmp_path):
    from backlog_health.dashboard import auth

    broken = tmp_path / "secrets.toml"
    broken.write_text("[auth\nclient_id = ")

    class Unreadable:
        def get(self, name):
            raise FileNotFoundError("secrets.toml: invalid TOML")

    class Stopped(Exception):
        pass

    shown = []
    monkeypatch.setattr(auth.st, "secrets", Unreadable())
    monkeypatch.setattr(auth.config, "get_option", lambda name: [str(broken)])
    monkeypatch.setattr(auth.st, "error", shown.append)
    monkeypatch.setattr(auth.st, "stop", lambda: (_ for _ in ()).throw(Stopped()))
    with pytest.raises(Stopped):
        auth.providers()
    assert shown and "sign-in cannot be checked" in shown[0]
    broken.unlink()  # no secrets file at all: sign-in is simply off
    assert auth.providers() == []
