"""Live Jira ingest against a local server answering like Jira, from real recorded responses."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from backlog_health import store
from backlog_health.cli import app
from backlog_health.metrics.report import stored_metrics
from backlog_health.rules import Rules
from backlog_health.ingest.adf import adf_to_text
from backlog_health.ingest.jira_connection import JiraAccessError, JiraCredentials, JiraSite, retry_wait
from backlog_health.ingest.jira_fields import discover_fields
from backlog_health.ingest.jira_issues import parse_time, sprint_objects
from backlog_health.ingest.jira_rest import read_jira
from tests.fake_jira import EMAIL, PAT, TOKEN, FakeJira, Fault
from tests.jira_recordings import POINTS, RANK, SPRINT, recorded_site

CLOUD_ENV = {"JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": TOKEN, "JIRA_PAT": None, "JIRA_SERVER": None}
DC_ENV = {"JIRA_EMAIL": None, "JIRA_API_TOKEN": None, "JIRA_PAT": PAT, "JIRA_SERVER": None}
SECRETS = (TOKEN, PAT)


def ingest(fake: FakeJira, db: Path, *args: str, env: dict | None = None):
    env = env if env is not None else (CLOUD_ENV if fake.cloud else DC_ENV)
    return CliRunner().invoke(app, ["ingest", "jira", "--server", fake.url, "--db", str(db), *args], env=env)


def cloud_site(fake: FakeJira, waits: list[float] | None = None) -> JiraSite:
    return JiraSite(fake.url, JiraCredentials("cloud", EMAIL, TOKEN), sleep=(waits if waits is not None else []).append)


def stored(db: Path) -> list[tuple]:
    """Every snapshot row and item count: the store's content, to compare before/after."""
    if not db.exists():
        return []
    con = store.connect(db, read_only=True)
    try:
        return con.execute(
            "select s.id, s.backlog, s.content_hash, count(i.key) from snapshots s "
            "left join items i on i.snapshot_id = s.id group by all order by s.id"
        ).fetchall()
    finally:
        con.close()


def load_latest(db: Path):
    con = store.connect(db, read_only=True)
    try:
        latest = int(store.list_snapshots(con)["id"].max())
        return store.load_snapshot(con, latest), latest
    finally:
        con.close()


# -- a Cloud board ------------------------------------------------------------------------


@pytest.fixture
def board_site():
    return recorded_site(extra_backlog=7)


def test_a_cloud_board_is_stored_with_its_sprints_backlog_ranks_points_and_links(tmp_path, board_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(board_site) as fake:
        result = ingest(fake, db, "--board", "4")
    assert result.exit_code == 0, result.output
    snap, _ = load_latest(db)
    items = snap.items.set_index("key")

    # every issue of the active, future and closed sprints and the backlog, plus listed sub-tasks
    expected = {i["key"] for i in board_site.issues}
    assert set(items.index) == expected
    # more than one page of backlog (5 per page on this server)
    assert fake.paths().count("/rest/agile/1.0/board/4/backlog") == -(-len(board_site.backlog_issues()) // 5) > 1

    # backlog order is LexoRank order, not the order Jira sent the issues in
    backlog = snap.items[snap.items["is_backlog"]].sort_values("rank_position")
    assert list(backlog["rank"]) == sorted(backlog["rank"])
    assert list(backlog["rank_position"]) == list(range(1, len(backlog) + 1))
    assert backlog["key"].iloc[0] == "KP-10"  # ranked first though served after the active sprint

    for issue in board_site.issues:
        assert items.loc[issue["key"], "rank"] == issue["fields"][RANK]
        points, stored_points = issue["fields"][POINTS], items.loc[issue["key"], "story_points"]
        assert stored_points == points if points is not None else pd.isna(stored_points)

    sprints = snap.sprints.set_index("name")
    assert set(sprints["state"]) == {"closed", "active", "future"}
    assert list(snap.sprints["name"][:3]) == ["Iteration-10", "Iteration-12-1", "Iteration-12-2"]
    assert sprints.loc["Iteration-10", "complete_date"] == datetime(2016, 4, 28, 12, 8, 48, 543000)  # UTC
    assert list(items.loc["KP-3", "sprints"]) == ["Iteration-12-2", "Iteration-13-2"]

    links = {tuple(r) for r in snap.links[["from_key", "to_key", "link_type", "direction"]].itertuples(index=False)}
    assert ("KP-10", "KP-11", "Duplicate", "outward") in links
    assert ("KP-8", "KP-9", "Blocks", "inward") in links  # the site names the type "Blocker"

    assert items.loc["KP-3", "description_text"].startswith("As a shopper I want to save my cart")
    assert '"type":"doc"' in items.loc["KP-3", "description_raw"]  # ADF kept raw
    assert dict(items.loc["KP-3", "custom_fields"])["Acceptance Criteria"] == "The cart survives a new session."
    assert items.loc["KP-13", "parent_key"] == "KP-3" and items.loc["KP-13", "is_subtask"]
    assert items.loc["KP-9", "parent_key"] == "KP-17"  # from the epic link field
    assert snap.source_kind == "jira" and snap.backlog == "KP"
    assert TOKEN not in snap.source_name and EMAIL not in snap.source_name


def test_metrics_of_a_board_snapshot_use_closed_sprints_and_planned_items(tmp_path, board_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(board_site) as fake:
        assert ingest(fake, db, "--board", "4").exit_code == 0
    con = store.connect(db, read_only=True)
    try:
        snapshot_id = int(store.list_snapshots(con)["id"].max())
        metrics = stored_metrics(con, snapshot_id, Rules(), now=datetime(2026, 11, 23))
    finally:
        con.close()
    # done points per closed sprint, by the last sprint of each done item: 5, 8, 3
    assert metrics.velocity.sprints == ("Iteration-10", "Iteration-12-1", "Iteration-12-2")
    assert metrics.velocity.points == pytest.approx((5 + 8 + 3) / 3)
    # KP-4 sits in the active sprint below the points line: near term because it is planned
    assert {"KP-10", "KP-3", "KP-4"} <= set(metrics.near_term.keys)
    linked = {frozenset(pair) for pair in metrics.linked_duplicates[["key_a", "key_b"]].itertuples(index=False)}
    assert frozenset({"KP-10", "KP-11"}) in linked
    # KP-8 is blocked by the open KP-9
    assert not metrics.checks.loc["KP-8", "unblocked"] and metrics.checks.loc["KP-9", "unblocked"]


def test_a_jql_query_on_cloud_pages_with_next_page_tokens(tmp_path, board_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(board_site, search_page=4) as fake:
        result = ingest(fake, db, "--jql", "project = KP ORDER BY Rank")
    assert result.exit_code == 0, result.output
    searches = [(p, q) for p, q in fake.requests if p.endswith("/search/jql")]
    assert all(p == "/rest/api/3/search/jql" for p, _ in searches)
    assert len(searches) == -(-len(board_site.issues) // 4) > 2
    assert "nextPageToken" not in searches[0][1]
    assert all("nextPageToken" in q for _, q in searches[1:])
    assert not any(p.endswith("/search") for p in fake.paths())  # the removed endpoint is never used
    snap, _ = load_latest(db)
    assert set(snap.items["key"]) == {i["key"] for i in board_site.issues}
    assert snap.source_name.endswith("jql: project = KP ORDER BY Rank")


def test_fields_are_found_by_schema_and_name_whatever_their_ids(board_site):
    renamed = {RANK: "customfield_90001", POINTS: "customfield_12310293", SPRINT: "customfield_90003"}
    for issue in board_site.issues:
        for old, new in renamed.items():
            issue["fields"][new] = issue["fields"].pop(old)
    for f in board_site.fields:
        if f["id"] in renamed:
            f["id"] = f["key"] = renamed[f["id"]]
    board_site.fields = [f for f in board_site.fields if f["id"] != "customfield_12310293"] + [
        {"id": "customfield_12310293", "name": "Story point estimate", "custom": True,
         "schema": {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points", "customId": 12310293}}
    ]
    with FakeJira(board_site) as fake:
        snap = read_jira(cloud_site(fake), board=4).snapshot
    items = snap.items.set_index("key")
    assert items.loc["KP-8", "story_points"] == 13.0
    assert items.loc["KP-10", "rank"] == "0|i00003:"
    assert list(items.loc["KP-4", "sprints"]) == ["Iteration-13-2"]


def test_a_field_override_names_the_field_for_odd_sites(tmp_path, board_site):
    for issue in board_site.issues:
        issue["fields"]["customfield_55555"] = 1.0  # a second number field the site uses for points
    board_site.fields.append({"id": "customfield_55555", "name": "Effort", "custom": True,
                              "schema": {"type": "number"}})
    db = tmp_path / "store.duckdb"
    with FakeJira(board_site) as fake:
        result = ingest(fake, db, "--board", "4", "--field", "story_points=customfield_55555")
        assert result.exit_code == 0, result.output
        snap, _ = load_latest(db)
        assert set(snap.items.loc[snap.items["is_backlog"], "story_points"]) == {1.0}
        bad = ingest(fake, db, "--board", "4", "--field", "story_points=customfield_404")
        unknown = ingest(fake, db, "--board", "4", "--field", "velocity=customfield_55555")
    assert bad.exit_code == 1 and "customfield_404" in bad.output and "no field with that id" in bad.output
    assert unknown.exit_code == 1 and 'unknown role "velocity"' in unknown.output


def test_a_kanban_board_without_sprints_or_backlog_takes_the_board_issues(board_site):
    board_site.board["type"] = "kanban"
    with FakeJira(board_site, faults=[Fault("/serverInfo", 429, {"Retry-After": "1"})]) as fake:
        waits: list[float] = []
        snap = read_jira(cloud_site(fake, waits), board=4).snapshot
    assert waits == [1.0]  # rate limited on the very first request, then fine
    assert "/rest/agile/1.0/board/4/issue" in fake.paths()
    assert set(snap.items["key"]) == {i["key"] for i in board_site.issues}


def test_a_site_hiding_server_info_is_taken_by_its_credentials(board_site):
    with FakeJira(board_site, faults=[Fault("/serverInfo", 404, times=9)]) as fake:
        site = cloud_site(fake)
        snap = read_jira(site, jql="project = KP").snapshot
    assert site.cloud and "/rest/api/3/search/jql" in fake.paths()
    assert len(snap.items) == len(board_site.issues)


# -- Data Center ----------------------------------------------------------------------------


def test_data_center_pages_search_with_start_at_and_a_bearer_token(tmp_path, board_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(board_site, cloud=False, search_page=3) as fake:
        result = ingest(fake, db, "--jql", "project = KP")
    assert result.exit_code == 0, result.output
    searches = [q for p, q in fake.requests if p == "/rest/api/2/search"]
    assert [int(q["startAt"][0]) for q in searches] == list(range(0, len(board_site.issues), 3))
    assert not any("search/jql" in p for p in fake.paths())
    snap, _ = load_latest(db)
    items = snap.items.set_index("key")
    assert len(items) == len(board_site.issues)
    # API v2 serves wiki text, not ADF
    assert items.loc["KP-3", "description_raw"].startswith("As a shopper")
    assert items.loc["KP-3", "description_text"].startswith("As a shopper")


def test_a_data_center_board_works_through_the_agile_api(tmp_path, board_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(board_site, cloud=False) as fake:
        result = ingest(fake, db, "--board", "4")
    assert result.exit_code == 0, result.output
    snap, _ = load_latest(db)
    assert set(snap.items["key"]) == {i["key"] for i in board_site.issues}


# -- rate limits and failures --------------------------------------------------------------


def test_429_and_503_honour_retry_after_then_back_off(board_site):
    waits: list[float] = []
    faults = [
        Fault("/board/4/backlog", 429, {"Retry-After": "7"}),
        Fault("/board/4/sprint/832/issue", 503, {}, times=2),
    ]
    with FakeJira(board_site, faults=faults) as fake:
        snap = read_jira(cloud_site(fake, waits), board=4).snapshot
    assert sorted(waits) == [2.0, 4.0, 7.0]  # Retry-After as told; 503 without it: 2 s, then 4 s
    assert set(snap.items["key"]) == {i["key"] for i in board_site.issues}


def test_retry_after_as_an_http_date_and_a_bounded_wait():
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 25 <= retry_wait(format_datetime(later, usegmt=True), 1) <= 30
    assert retry_wait("5", 3) == 5.0
    assert retry_wait(None, 1) == 2.0 and retry_wait(None, 3) == 8.0
    assert retry_wait("3600", 1) is None  # longer than the job waits


def test_a_rate_limit_that_never_ends_stops_with_one_line(tmp_path, board_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(board_site, faults=[Fault("/field", 429, {"Retry-After": "0"}, times=99)]) as fake:
        result = ingest(fake, db, "--board", "4")
    assert result.exit_code == 1
    assert "still answered HTTP 429 after 6 attempts" in result.output
    assert not db.exists()


@pytest.mark.parametrize(
    ("status", "board", "expected"),
    [
        (401, "4", "Jira rejected the credentials (HTTP 401)"),
        (403, "4", "no permission to read board 4 (HTTP 403)"),
        (None, "77", "no such board 77 (HTTP 404)"),
    ],
)
def test_refusals_give_one_clear_line_and_write_nothing(tmp_path, board_site, status, board, expected):
    db = tmp_path / "store.duckdb"
    faults = [Fault("/field" if status == 401 else "/board/4", status, times=9)] if status else []
    with FakeJira(board_site, faults=faults) as fake:
        result = ingest(fake, db, "--board", board)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in result.output
    assert not db.exists()


def test_wrong_credentials_are_a_401_line(tmp_path, board_site):
    with FakeJira(board_site) as fake:
        result = ingest(fake, tmp_path / "s.duckdb", "--board", "4",
                        env={**CLOUD_ENV, "JIRA_API_TOKEN": "not-the-token"})
    assert result.exit_code == 1 and "HTTP 401" in result.output and "not-the-token" not in result.output


def test_a_run_failing_half_way_writes_nothing(tmp_path, board_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(board_site) as fake:
        assert ingest(fake, db, "--board", "4").exit_code == 0
        before = stored(db)
        board_site.issue("KP-5")["fields"]["summary"] = "changed, so a new snapshot would be written"
        fake.faults.append(Fault("/board/4/backlog", 500, times=1))
        fake.agile_page = 3
        result = ingest(fake, db, "--board", "4")
    assert result.exit_code == 1 and "HTTP 500" in result.output
    assert stored(db) == before


def test_missing_credentials_and_server_are_explained(tmp_path, board_site):
    runner = CliRunner()
    empty = {"JIRA_EMAIL": None, "JIRA_API_TOKEN": None, "JIRA_PAT": None, "JIRA_SERVER": None}
    no_creds = runner.invoke(app, ["ingest", "jira", "--server", "https://x.example", "--board", "1",
                                   "--db", str(tmp_path / "s.duckdb")], env=empty)
    assert no_creds.exit_code == 1 and "JIRA_EMAIL and JIRA_API_TOKEN" in no_creds.output
    no_server = runner.invoke(app, ["ingest", "jira", "--board", "1", "--db", str(tmp_path / "s.duckdb")],
                              env={**empty, "JIRA_PAT": PAT})
    assert no_server.exit_code == 1 and "JIRA_SERVER" in no_server.output
    both = runner.invoke(app, ["ingest", "jira", "--server", "https://x.example", "--board", "1", "--jql", "x"],
                         env={**empty, "JIRA_PAT": PAT})
    assert both.exit_code == 2 and "exactly one of --board ID or --jql QUERY" in both.output
    with FakeJira(board_site) as fake:  # JIRA_SERVER replaces --server
        via_env = runner.invoke(app, ["ingest", "jira", "--board", "4", "--db", str(tmp_path / "e.duckdb")],
                                env={**CLOUD_ENV, "JIRA_SERVER": fake.url})
    assert via_env.exit_code == 0, via_env.output


# -- scheduling: --if-changed --------------------------------------------------------------


def test_if_changed_skips_an_unchanged_backlog_and_plain_runs_record_every_observation(tmp_path, board_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(board_site) as fake:
        assert ingest(fake, db, "--board", "4").exit_code == 0
        skipped = ingest(fake, db, "--board", "4", "--if-changed")
        assert skipped.exit_code == 0 and "unchanged since snapshot 1" in skipped.output
        assert len(stored(db)) == 1
        assert ingest(fake, db, "--board", "4").exit_code == 0  # a scheduled run records the observation
        assert len(stored(db)) == 2
        board_site.issue("KP-5")["fields"]["summary"] = "Reworded story"
        assert ingest(fake, db, "--board", "4", "--if-changed").exit_code == 0
        assert len(stored(db)) == 3
        board_site.issue("KP-5")["fields"]["summary"] = "New summary test"  # back to the first state
        assert ingest(fake, db, "--board", "4", "--if-changed").exit_code == 0
    rows = stored(db)
    assert len(rows) == 4 and rows[3][2] == rows[0][2]  # A, A, B, A: the return to A is recorded


# -- secrets ----------------------------------------------------------------------------------


def test_tokens_reach_no_output_log_error_or_stored_row(tmp_path, board_site, caplog):
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "store.duckdb"
    outputs = []
    with FakeJira(board_site, faults=[Fault("/board/4/backlog", 429, {"Retry-After": "0"})]) as fake:
        outputs.append(ingest(fake, db, "--board", "4").output)
        outputs.append(ingest(fake, db, "--jql", "project = KP").output)
        fake.faults.append(Fault("/board/4", 403, times=1))
        outputs.append(ingest(fake, db, "--board", "4").output)
        outputs.append(ingest(fake, db, "--board", "4", env={**CLOUD_ENV, "JIRA_API_TOKEN": TOKEN + "x"}).output)
    with FakeJira(board_site, cloud=False) as fake:
        outputs.append(ingest(fake, db, "--board", "4").output)
        outputs.append(ingest(fake, db, "--board", "4", env={**DC_ENV, "JIRA_PAT": PAT + "x"}).output)
        try:
            JiraSite(fake.url, JiraCredentials("data-center", None, PAT + "y"))
        except JiraAccessError as error:
            outputs.append(str(error) + repr(error))
    text = "\n".join(outputs + [r.getMessage() for r in caplog.records] + [repr(r.args) for r in caplog.records])
    assert "HTTP 401" in text and "HTTP 403" in text  # the failures did happen
    for secret in SECRETS:
        assert secret not in text
        assert secret.encode() not in db.read_bytes()
    credentials = JiraCredentials("cloud", EMAIL, TOKEN)
    assert TOKEN not in repr(credentials) and TOKEN not in str(credentials)


def test_credentials_in_the_server_url_are_refused_without_echoing_them(tmp_path):
    result = CliRunner().invoke(
        app, ["ingest", "jira", "--server", f"https://{EMAIL}:{TOKEN}@example.atlassian.net", "--board", "1",
              "--db", str(tmp_path / "s.duckdb")], env=CLOUD_ENV)
    assert result.exit_code == 1 and "must not carry a user name or password" in result.output
    assert TOKEN not in result.output


# -- pieces -----------------------------------------------------------------------------------


def test_adf_becomes_plain_text_with_blocks_on_lines():
    doc = {"type": "doc", "version": 1, "content": [
        {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Story"}]},
        {"type": "paragraph", "content": [
            {"type": "text", "text": "As a "}, {"type": "text", "text": "buyer", "marks": [{"type": "strong"}]},
            {"type": "hardBreak"}, {"type": "mention", "attrs": {"id": "a1", "text": "@Person 02"}}]},
        {"type": "bulletList", "content": [
            {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "AC: one"}]}]},
            {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "two"}]}]}]},
        {"type": "codeBlock", "content": [{"type": "text", "text": "x = 1"}]},
    ]}
    assert adf_to_text(doc) == "Story\nAs a buyer\n@Person 02\nAC: one\ntwo\nx = 1"


def test_api_times_are_stored_as_utc_and_legacy_sprint_strings_are_read():
    assert parse_time("2015-12-02T07:39:15.000-0800") == datetime(2015, 12, 2, 15, 39, 15)
    assert parse_time("2016-04-28T05:08:48.543-07:00") == datetime(2016, 4, 28, 12, 8, 48, 543000)
    assert parse_time("not a time") is None
    legacy = ("com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=12,rapidViewId=3,state=CLOSED,"
              "name=Sprint 7, hardening,startDate=2026-01-05T09:00:00.000Z,endDate=<null>,sequence=12]")
    fields = discover_fields([{"id": "customfield_1", "name": "Sprint",
                               "schema": {"custom": "com.pyxis.greenhopper.jira:gh-sprint"}}])
    [sprint] = sprint_objects({"customfield_1": [legacy]}, fields)
    assert sprint["name"] == "Sprint 7, hardening" and sprint["state"] == "CLOSED" and sprint["endDate"] is None
