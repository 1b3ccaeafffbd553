"""Snapshots rebuilt from Jira's changelog: on the real recorded changelog, and end to end
against the fake Jira (histories beyond Cloud's 100 paged, statuses mapped to categories,
estimates added and removed, issues created or done between sprint starts)."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from backlog_health import api, store
from backlog_health.ingest.jira_changelog import changes_frame, issues_at
from backlog_health.ingest.jira_fields import discover_fields
from backlog_health.ingest.jira_rest import snapshot_of, status_categories
from backlog_health.metrics.report import metrics_history
from backlog_health.rules import Rules
from tests.fake_jira import FakeJira, Fault
from tests.jira_recordings import POINTS, recorded_site, recording
from tests.test_jira_ingest import ingest

# -- the real recorded changelog (tests/fixtures/jira-rest/get-board-issues.json) -----------

REAL_FIELDS = [
    {"id": "customfield_10020", "name": "Sprint", "schema": {"custom": "com.pyxis.greenhopper.jira:gh-sprint"}},
    {"id": "customfield_10036", "name": "Story Points",
     "schema": {"custom": "com.pyxis.greenhopper.jira:jsw-story-points"}},
    {"id": "customfield_10019", "name": "Rank", "schema": {"custom": "com.pyxis.greenhopper.jira:gh-lexo-rank"}},
    {"id": "summary", "name": "Summary"}, {"id": "status", "name": "Status"},
]


@pytest.fixture(scope="module")
def real():
    issues = recording("get-board-issues.json")["issues"]
    fields = discover_fields(REAL_FIELDS)
    statuses = status_categories([i["fields"]["status"] for i in issues])
    link_types = recording("go-jira-all_issuelinktypes.json")
    return issues, fields, statuses, link_types, changes_frame(issues, fields)


def real_items(real, moment: datetime) -> pd.DataFrame:
    issues, fields, statuses, link_types, changes = real
    past = issues_at(issues, changes, moment, fields, status_categories=statuses, sprints={}, link_types=link_types)
    result = snapshot_of(past, [], fields, source="recording", taken_at=moment, source_kind="jira-backfill")
    return result.snapshot


def test_the_real_changelog_is_read_by_field_id_then_by_name_and_rank_changes_are_left_out(real):
    changes = real[4]
    raw = json.dumps(recording("get-board-issues.json"))
    assert '"toString": "Ranked higher"' in raw  # Jira records a re-rank without its value
    assert "rank" not in set(changes["role"])
    # "Link" and "Parent" carry no fieldId in the recording: matched by their names
    assert {"status", "sprint", "story_points", "link", "parent", "summary", "labels"} <= set(changes["role"])
    kp1 = changes[changes["key"] == "KP-1"]
    assert kp1[kp1["role"] == "story_points"]["field_id"].tolist() == ["customfield_10036"]


def test_the_real_changelog_replays_status_estimate_summary_labels_links_and_sprints(real):
    before = real_items(real, datetime(2021, 1, 1)).items.set_index("key")
    kp1 = before.loc["KP-1"]
    assert (kp1["status"], kp1["status_category"], bool(kp1["is_backlog"])) == ("Backlog", "To Do", True)
    assert pd.isna(kp1["story_points"]) and pd.isna(kp1["original_estimate_seconds"])
    assert kp1["resolution"] is None and kp1["assignee"] is None
    assert before.loc["KP-2", "summary"] == "Test #1"

    later = real_items(real, datetime(2021, 3, 1))
    items = later.items.set_index("key")
    assert (items.loc["KP-1", "status_category"], bool(items.loc["KP-1", "is_backlog"])) == ("Done", False)
    # (later values of points, estimate and assignee are today's: the recording's fields omit them)
    done = real_items(real, datetime(2021, 1, 9, 4, 48, 36)).items.set_index("key").loc["KP-1"]
    assert (done["status"], list(done["labels"])) == ("Done", [])
    assert pd.isna(done["story_points"]) and pd.isna(done["original_estimate_seconds"])
    assert items.loc["KP-2", "summary"] == "New summary test test"
    # the duplicate link added on 2 Feb 2021 and removed in April is there in March
    assert ("KP-1", "KP-2", "Duplicate", "outward") in set(later.links.itertuples(index=False, name=None))

    april = real_items(real, datetime(2021, 4, 8, 1, 37, 30)).items.set_index("key")
    assert list(april.loc["KP-2", "labels"]) == ["blocker", "triaged", "triaged-1", "triaged-2"]
    assert april.loc["KP-13", "parent_key"] is None  # the Parent change is later
    sprint_one = real_items(real, datetime(2021, 4, 30, 12)).items.set_index("key")
    assert list(sprint_one.loc["KP-3", "sprints"]) == ["KP Sprint 1"]


# -- end to end against the fake Jira -------------------------------------------------------

IN_PROGRESS = {"id": "3", "name": "Being worked on", "statusCategory": {"key": "indeterminate"}}
START_776, START_807 = datetime(2016, 5, 19, 20, 56), datetime(2016, 6, 1, 7, 6)  # sprint starts in UTC
START_832 = datetime(2016, 6, 20, 20, 24, 39)  # 20:24:39.161: to the second


def change(hid: int, at: str, field: str, field_id: str | None, before, before_text, after, after_text) -> dict:
    return {"id": str(hid), "created": at, "items": [{"field": field, "fieldtype": "jira", "fieldId": field_id,
            "from": before, "fromString": before_text, "to": after, "toString": after_text}]}


@pytest.fixture
def history_site():
    """The recorded board, its issues created early in 2016, with changelogs."""
    site = recorded_site(extra_backlog=1)
    site.statuses.append(IN_PROGRESS)
    for issue in site.issues:
        issue["fields"]["created"] = "2016-01-04T09:00:00.000+0000"
        issue["changelog"] = {"histories": []}
    log = {i["key"]: i["changelog"]["histories"] for i in site.issues}
    site.issue("KP-100")["fields"]["created"] = "2016-05-25T09:00:00.000+0000"
    log["KP-12"].append(change(1, "2016-05-25T10:00:00.000+0000", "status", "status", "3", "Being worked on",
                               "10000", "Backlog"))
    log["KP-11"].append(change(2, "2016-05-25T10:00:00.000+0000", "Story Points", POINTS, None, None, None, "8"))
    log["KP-5"] += [change(3, "2016-06-10T10:00:00.000+0000", "Story Points", POINTS, None, "5", None, None),
                    change(4, "2016-06-10T10:00:00.000+0000", "timeoriginalestimate", "timeoriginalestimate",
                           "7200", "7200", None, None)]
    log["KP-1"].append(change(5, "2016-04-28T12:00:00.000+0000", "status", "status", "10000", "Backlog",
                              "10002", "Done"))
    log["KP-7"].append(change(6, "2016-06-08T12:00:00.000+0000", "status", "status", "10000", "Backlog",
                              "10002", "Done"))
    log["KP-10"].append(change(7, "2016-05-25T10:00:00.000+0000", "Link", None, None, None, "KP-11",
                               "This issue duplicates KP-11"))
    # 250 histories on KP-9: Cloud embeds the newest 100; the oldest says its first summary
    today = site.issue("KP-9")["fields"]["summary"]
    log["KP-9"].append(change(1000, "2016-05-20T00:00:00.000+0000", "summary", "summary", None, "First title",
                              None, "t1"))
    for n in range(1, 250):
        log["KP-9"].append(change(1000 + n, f"2016-06-10T{n // 60:02d}:{n % 60:02d}:00.000+0000", "summary",
                                  "summary", None, f"t{n}", None, today if n == 249 else f"t{n + 1}"))
    return site


def snapshots_by_time(db: Path) -> dict[datetime, tuple[int, str, pd.DataFrame]]:
    with api.open_store(db, read_only=True) as con:
        listing = api.snapshot_listing(con)
        return {pd.Timestamp(s["taken_at"]).to_pydatetime(): (s["id"], s["source"],
                store.load_snapshot(con, s["id"]).items.set_index("key")) for s in listing}


def test_a_board_backfill_rebuilds_each_sprint_start_from_the_changelogs(tmp_path, history_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(history_site) as fake:
        result = ingest(fake, db, "--board", "4", "--backfill", "3")
        paged = [q for path, q in fake.requests if path == "/rest/api/3/issue/KP-9/changelog"]
    assert result.exit_code == 0, result.output
    assert "rebuilt snapshot" in result.output
    snaps = snapshots_by_time(db)
    assert [snaps[t][1] for t in (START_776, START_807, START_832)] == ["jira-backfill"] * 3
    assert sorted(kind for _, kind, _ in snaps.values()) == ["jira"] + ["jira-backfill"] * 3
    first, second = snaps[START_776][2], snaps[START_807][2]

    # histories beyond the 100 embedded ones were paged (40 per page: 250 in 7 pages)
    assert [int(q["startAt"][0]) for q in paged] == [0, 40, 80, 120, 160, 200, 240]
    assert first.loc["KP-9", "summary"] == "First title" and second.loc["KP-9", "summary"] == "t1"
    # a status changed later, mapped to its category through /status by id
    assert (first.loc["KP-12", "status"], first.loc["KP-12", "status_category"]) == ("Being worked on", "In Progress")
    assert second.loc["KP-12", "status_category"] == "To Do"
    # an estimate added since, and one removed since
    assert pd.isna(first.loc["KP-11", "story_points"]) and second.loc["KP-11", "story_points"] == 8
    assert second.loc["KP-5", "story_points"] == 5 and second.loc["KP-5", "original_estimate_seconds"] == 7200
    assert pd.isna(snaps[START_832][2].loc["KP-5", "story_points"])
    # created after the first sprint start: absent then, present at the next
    assert "KP-100" not in first.index and "KP-100" in second.index
    # done before a sprint start: not a backlog item then; done later: a backlog item then
    assert (first.loc["KP-1", "status_category"], bool(first.loc["KP-1", "is_backlog"])) == ("Done", False)
    assert (second.loc["KP-7", "status_category"], bool(second.loc["KP-7", "is_backlog"])) == ("To Do", True)
    assert pd.isna(second.loc["KP-7", "resolved"])


def test_todays_snapshot_is_the_same_with_or_without_a_backfill(tmp_path, history_site):
    plain, filled = tmp_path / "plain.duckdb", tmp_path / "filled.duckdb"
    with FakeJira(history_site) as fake:
        assert ingest(fake, plain, "--board", "4").exit_code == 0
        assert ingest(fake, filled, "--board", "4", "--backfill", "2").exit_code == 0
    hashes = {}
    for db in (plain, filled):
        with api.open_store(db, read_only=True) as con:
            hashes[db] = [s["content_hash"] for s in api.snapshot_listing(con) if s["source"] == "jira"]
    assert hashes[plain] == hashes[filled] and len(hashes[plain]) == 1


@pytest.mark.slow
def test_a_second_backfill_adds_no_rebuilt_snapshot_and_a_real_one_of_the_same_moment_wins(tmp_path, history_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(history_site) as fake:
        assert ingest(fake, db, "--board", "4", "--backfill", "2").exit_code == 0
        again = ingest(fake, db, "--board", "4", "--backfill", "2")
        assert again.exit_code == 0, again.output
        assert again.output.count("nothing rebuilt") == 2
        kinds = [kind for _, kind, _ in snapshots_by_time(db).values()]
        assert kinds.count("jira-backfill") == 2

        rebuilt_id, _, _ = snapshots_by_time(db)[START_807]
        with api.open_store(db) as con:
            rebuilt = store.load_snapshot(con, rebuilt_id)
            real = dataclasses.replace(rebuilt, source_kind="jira-csv", snapshot_id=None)
            [written] = api.write_snapshots(con, [real])
            assert written.created
            at_807 = [s for s in api.snapshot_listing(con) if pd.Timestamp(s["taken_at"]) == START_807]
            left = [con.execute(f"select count(*) from {table} where snapshot_id = ?", [rebuilt_id]).fetchone()[0]
                    for table in ("item_rows", "links", "sprints", "duplicate_scans")]
        assert [s["source"] for s in at_807] == ["jira-csv"]  # the rebuilt one is gone, with its rows
        assert left == [0, 0, 0, 0]

        third = ingest(fake, db, "--board", "4", "--backfill", "2")
    assert third.exit_code == 0, third.output
    assert snapshots_by_time(db)[START_807][1] == "jira-csv"  # the real one still holds that moment


def test_ranking_churn_is_not_known_across_rebuilt_snapshots(tmp_path, history_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(history_site) as fake:
        assert ingest(fake, db, "--board", "4", "--backfill", "3").exit_code == 0
    with api.open_store(db, read_only=True) as con:
        history = metrics_history(con, "KP", Rules(), datetime(2026, 11, 29))
    assert [p.metrics.source_kind for p in history] == ["jira-backfill"] * 3 + ["jira"]
    assert history[0].metrics.churn is None and history[0].metrics.churn_not_known is None  # the first step
    for point in history[1:]:
        assert point.metrics.churn is None
        assert "not known" in point.metrics.churn_not_known
        assert point.to_dict()["churn_not_known"] == point.metrics.churn_not_known
    # the other trends do move: readiness history has one value per step
    assert [p.metrics.growth.backlog_items for p in history][:2] != [None, None]


def test_a_jql_backfill_steps_back_every_n_days(tmp_path, history_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(history_site) as fake:
        result = ingest(fake, db, "--jql", "project = KP", "--backfill", "2", "--backfill-every", "7")
    assert result.exit_code == 0, result.output
    snaps = sorted(snapshots_by_time(db).items())
    assert [kind for _, (_, kind, _) in snaps] == ["jira-backfill", "jira-backfill", "jira"]
    times = [t for t, _ in snaps]
    assert [(b - a).days for a, b in zip(times, times[1:])] == [7, 7]


@pytest.mark.slow
def test_the_dashboard_shows_a_rebuilt_history_right_after_a_first_live_ingest(tmp_path, monkeypatch, history_site):
    from backlog_health.dashboard.views import TOP_KEPT
    from tests.test_dashboard_app import open_app

    db = tmp_path / "store.duckdb"
    with FakeJira(history_site) as fake:
        assert ingest(fake, db, "--board", "4", "--backfill", "3").exit_code == 0
    at = open_app(monkeypatch, db)
    cards = {m.label: m for m in at.metric}
    assert cards[TOP_KEPT].value == "not known"
    assert "Jira records no rank values" in cards[TOP_KEPT].help
    assert cards["New in the near term"].value == "not known"
    # the other trends have a history at once: one sparkline point per rebuilt step and today
    assert len(cards["Backlog size"].proto.chart_data) == 4
    with api.open_store(db, read_only=True) as con:
        sizes = [p.metrics.growth.backlog_items for p in metrics_history(con, "KP", Rules(), datetime(2026, 11, 29))]
    assert list(cards["Backlog size"].proto.chart_data) == sizes
    assert any("(rebuilt)" in c.value.replace("\\", "") for c in at.caption)  # the step compared with

    at.switch_page("app_pages/churn.py")
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}[TOP_KEPT] == "not known"
    assert any("not known" in i.value for i in at.info)


def test_a_paged_changelog_is_retried_on_429_and_a_failure_writes_nothing(tmp_path, history_site):
    from backlog_health.ingest.jira_rest import read_jira_history
    from tests.test_jira_ingest import cloud_site, stored

    waits: list[float] = []
    faults = [Fault("/issue/KP-9/changelog", 429, {"Retry-After": "3"})]
    with FakeJira(history_site, faults=faults) as fake:
        results = read_jira_history(cloud_site(fake, waits), board=4, backfill=1)
    assert waits == [3.0]
    assert [r.snapshot.source_kind for r in results] == ["jira-backfill", "jira"]

    db = tmp_path / "store.duckdb"
    with FakeJira(history_site, faults=[Fault("/issue/KP-9/changelog", 500, times=9)]) as fake:
        result = ingest(fake, db, "--board", "4", "--backfill", "2")
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "Jira answered HTTP 500 to the changelog of KP-9" in result.output
    assert stored(db) == []  # not even today's snapshot: everything is fetched before anything is written


def test_a_history_by_sprint_takes_each_rebuilt_snapshot_for_the_sprint_it_starts(tmp_path, history_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(history_site) as fake:
        assert ingest(fake, db, "--board", "4", "--backfill", "3").exit_code == 0
    with api.open_store(db, read_only=True) as con:
        steps = metrics_history(con, "KP", Rules(), datetime(2026, 11, 29), by_sprint=True)
    assert [(p.sprint, p.metrics.taken_at) for p in steps] == [
        ("Iteration-12-1", START_776), ("Iteration-12-2", START_807), ("Iteration-13-2", START_832)
    ]


def test_the_retro_reads_rebuilt_snapshots_and_says_re_ranking_is_not_known(tmp_path, history_site):
    from backlog_health.dashboard.retro import counts, table_list
    from backlog_health.metrics.retro import refinement_changes
    from types import SimpleNamespace

    db = tmp_path / "store.duckdb"
    with FakeJira(history_site) as fake:
        assert ingest(fake, db, "--board", "4", "--backfill", "3").exit_code == 0
    first_id, second_id = snapshots_by_time(db)[START_776][0], snapshots_by_time(db)[START_807][0]
    with api.open_store(db, read_only=True) as con:
        first, second = store.load_snapshot(con, first_id), store.load_snapshot(con, second_id)
    changes = refinement_changes(second, first, Rules())
    assert "KP-11" in set(changes.re_estimated["key"])  # points added between the two sprint starts
    assert changes.re_ranked.empty and "not known" in changes.re_ranked_not_known
    retro = SimpleNamespace(changes=changes, planning=None)
    assert "re-ranked" not in counts(retro)
    assert any(caption.startswith("Re-ranked: not known") for caption, _ in table_list(retro))


def test_changes_are_matched_by_field_id_else_by_the_sites_own_field_name():
    fields = discover_fields([
        {"id": "customfield_10200", "name": "Puntos de historia",
         "schema": {"custom": "com.pyxis.greenhopper.jira:jsw-story-points"}},
        {"id": "customfield_10300", "name": "Criterios de aceptación", "schema": {"custom": "textarea"}},
    ])
    issue = {"key": "ES-1", "fields": {"created": "2026-01-01T00:00:00.000+0000"}, "changelog": {"histories": [
        # Data Center: no fieldId, the field's name in the site's language
        change(1, "2026-02-01T00:00:00.000+0000", "Puntos de historia", None, None, "3", None, "5"),
        # a field renamed since: its id still matches
        change(2, "2026-02-02T00:00:00.000+0000", "Old name", "customfield_10300", None, "Dado un carrito", None, "x"),
        change(3, "2026-02-03T00:00:00.000+0000", "Rank", "customfield_99", None, "", None, "Ranked higher"),
    ]}}
    changes = changes_frame([issue], fields)
    assert changes[["role", "field_id"]].values.tolist() == [
        ["story_points", "customfield_10200"], ["custom", "customfield_10300"]
    ]
    [past] = issues_at([issue], changes, datetime(2026, 1, 15), fields, status_categories={}, sprints={},
                       link_types=[])
    assert past["fields"]["customfield_10200"] == 3.0 and past["fields"]["customfield_10300"] == "Dado un carrito"


def test_data_center_embeds_whole_changelogs_so_none_is_paged(tmp_path, history_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(history_site, cloud=False) as fake:
        result = ingest(fake, db, "--board", "4", "--backfill", "3")
        paths = fake.paths()
    assert result.exit_code == 0, result.output
    assert not [p for p in paths if p.endswith("/changelog")]
    assert snapshots_by_time(db)[START_776][2].loc["KP-9", "summary"] == "First title"


def test_the_library_reads_todays_snapshot_alone_without_a_backfill(tmp_path, monkeypatch, history_site):
    """`api.read_jira` is today's snapshot of `api.read_jira_history` (no changelog replay)."""
    from tests.test_jira_ingest import CLOUD_ENV

    for name, value in CLOUD_ENV.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    with FakeJira(history_site) as fake:
        today = api.read_jira(fake.url, board=4)
        history = api.read_jira_history(fake.url, board=4, backfill=2)
    assert today.snapshot.source_kind == "jira" and history[-1].snapshot.source_kind == "jira"
    assert [r.snapshot.source_kind for r in history[:-1]] == ["jira-backfill", "jira-backfill"]
    assert today.snapshot.row_count == history[-1].snapshot.row_count
