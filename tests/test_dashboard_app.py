"""Every dashboard page through streamlit's AppTest, from the entry file, on the demo store and
on an empty store: the numbers and rows shown must be what the metric functions compute for
the same store (read independently here with `metrics_history` / `stored_metrics`)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from backlog_health import store
from backlog_health.errors import BacklogHealthError
from backlog_health.metrics.report import (
    metrics_history,
    snapshot_metrics,
    stored_metrics,
)
from backlog_health.metrics.retro import planning_readiness, refinement_changes
from backlog_health.rules import Rules
from backlog_health.similarity import candidate_pairs
from backlog_health.dashboard.export import file_name
from backlog_health.ingest.jira_csv import read_jira_csv
from tests.conftest import JIRA_CSV, REPO

ENTRY = REPO / "dashboard" / "app.py"
TIMEOUT = 180
BACKLOG = "CHECKOUT"  # the first demo backlog: the one the sidebar starts on
TICK, CROSS = "✓", "✗"
PAGES = ["overview", "agenda", "readiness", "estimates", "duplicates", "churn", "retro", "upload"]


# --- fixtures and helpers ----------------------------------------------------------------------


# demo_db (the shared demo store, read only) and demo_copy (a private copy) come from conftest.


def open_app(monkeypatch, db: Path, page: str = "overview") -> AppTest:
    monkeypatch.setenv("BACKLOG_HEALTH_DB", str(db))
    monkeypatch.delenv("BACKLOG_HEALTH_RULES", raising=False)
    monkeypatch.delenv("BACKLOG_HEALTH_UPLOAD_MB", raising=False)
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


DEFAULT_RULES = Rules()


def history(db: Path, rules: Rules = DEFAULT_RULES, by_sprint: bool = False, backlog: str = BACKLOG):
    con = store.connect(db, read_only=True)
    try:
        return metrics_history(con, backlog, rules, datetime.now(), by_sprint=by_sprint, find_candidates=candidate_pairs)
    finally:
        con.close()


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def pp(now: float | None, before: float | None) -> str:
    return "" if now is None or before is None else f"{(now - before) * 100:+.0f} pp"


def table(at: AppTest, key: str) -> pd.DataFrame:
    return at.get_by_key(key).dataframe[0].value


def pair_list(frame: pd.DataFrame) -> list[tuple[str, str]]:
    return [tuple(p) for p in frame[["key_a", "key_b"]].itertuples(index=False, name=None)]


# --- pages on the demo store -------------------------------------------------------------------


def test_overview_cards_equal_the_metrics(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db)
    steps = history(demo_db)
    now, before = steps[-1].metrics, steps[-2].metrics
    shown = metrics(at)
    assert shown["Ready share of the near term"] == (pct(now.readiness.ratio), pp(now.readiness.ratio, before.readiness.ratio))
    sprints_now, sprints_before = now.readiness.ready_sprints_ahead, before.readiness.ready_sprints_ahead
    assert shown["Ready sprints ahead"] == (f"{sprints_now:.1f}", f"{sprints_now - sprints_before:+.1f}")
    assert shown["Estimated, near term"] == (pct(now.coverage.near_term), pp(now.coverage.near_term, before.coverage.near_term))
    assert shown["Estimated, long term"] == (pct(now.coverage.long_term), pp(now.coverage.long_term, before.coverage.long_term))
    candidates, candidates_before = len(now.candidate_duplicates), len(before.candidate_duplicates)
    assert shown["Open duplicate candidates"] == (str(candidates), f"{candidates - candidates_before:+d}")
    assert shown["Top of the order kept"] == (f"{now.churn.rbo:.2f}", f"{now.churn.rbo - before.churn.rbo:+.2f}")
    assert shown["New in the near term"] == (
        f"{now.churn.entered_top_n} of {now.churn.top_n}", f"{now.churn.completed_from_top_n} finished")
    size, size_before = now.growth.backlog_items, before.growth.backlog_items
    assert shown["Backlog size"] == (str(size), f"{size - size_before:+d}")
    assert shown["Added"][0] == str(now.growth.added)
    assert shown["Stale items"][0] == str(now.growth.stale)
    # one trend value per step of the default range (every snapshot)
    assert len(at.sidebar.select_slider[0].options) == len(steps)


def sparklines(at: AppTest) -> dict[str, list[float]]:
    return {m.label: list(m.proto.chart_data) for m in at.metric}


def chart(at: AppTest, key: str) -> dict:
    """The plotly figure (as JSON) of the chart with this widget key."""
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, key
    return json.loads(found[0].proto.spec)


def growth_from_rows(db: Path, snapshot_id: int, previous_id: int) -> tuple[int, int, int, float]:
    """Added, finished, removed and median age of a snapshot, straight from the stored rows."""
    con = store.connect(db, read_only=True)
    try:
        now, before = (store.load_snapshot(con, i, with_raw=False) for i in (snapshot_id, previous_id))
    finally:
        con.close()
    backlog = set(now.items.loc[now.items["is_backlog"], "key"])
    was = set(before.items.loc[before.items["is_backlog"], "key"])
    done = set(now.items.loc[now.items["status_category"] == "Done", "key"])
    created = pd.to_datetime(now.items.loc[now.items["is_backlog"], "created"])
    age = ((pd.Timestamp(now.taken_at) - created).dt.total_seconds() / 86400).median()
    return len(backlog - was), len(was & done), len(was - backlog - done), float(age)


def test_overview_growth_and_age_equal_the_stored_rows(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db)
    steps = history(demo_db)
    now, before = steps[-1].metrics, steps[-2].metrics
    added, finished, removed, age = growth_from_rows(demo_db, now.snapshot_id, before.snapshot_id)
    assert (now.growth.added, now.growth.finished, now.growth.removed) == (added, finished, removed)
    assert finished != removed  # so a page that swapped the two would show
    shown = metrics(at)
    assert shown["Added"][0] == str(added)
    assert shown["Finished"][0] == str(finished)
    assert shown["Removed"][0] == str(removed)
    assert shown["Median age (days)"][0] == f"{age:,.0f}"
    assert shown["Stale items"][0] == str(now.growth.stale)


def test_overview_sparklines_are_the_trend_of_every_step(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db)
    window = [p.metrics for p in history(demo_db)]
    lines = sparklines(at)
    assert lines["Ready share of the near term"] == pytest.approx(
        [100 * m.readiness.ratio for m in window if m.readiness.ratio is not None]
    )
    assert lines["Ready sprints ahead"] == pytest.approx(
        [m.readiness.ready_sprints_ahead for m in window if m.readiness.ready_sprints_ahead is not None]
    )
    assert lines["Estimated, long term"] == pytest.approx([100 * m.coverage.long_term for m in window])
    assert lines["Top of the order kept"] == pytest.approx([m.churn.rbo for m in window if m.churn is not None])
    assert lines["Backlog size"] == [float(m.growth.backlog_items) for m in window]
    assert lines["Open duplicate candidates"] == [float(len(m.candidate_duplicates)) for m in window]


@pytest.mark.slow
def test_overview_follows_the_backlog_the_step_and_the_range(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db)
    at.selectbox(key="global.backlog").set_value("MOBILE").run()
    assert_clean(at)
    mobile = history(demo_db, backlog="MOBILE")
    assert metrics(at)["Backlog size"][0] == str(mobile[-1].metrics.growth.backlog_items)

    at.radio(key="global.step").set_value("Sprints").run()
    by_sprint = history(demo_db, backlog="MOBILE", by_sprint=True)
    slider = at.select_slider(key="global.range.MOBILE.Sprints")
    assert slider.options == [p.sprint for p in by_sprint]
    assert metrics(at)["Ready share of the near term"][0] == pct(by_sprint[-1].metrics.readiness.ratio)

    # ending the range earlier describes that step, against the one before it
    slider.set_value((by_sprint[0].sprint, by_sprint[4].sprint)).run()
    now, before = by_sprint[4].metrics, by_sprint[3].metrics
    assert metrics(at)["Backlog size"] == (
        str(now.growth.backlog_items), f"{now.growth.backlog_items - before.growth.backlog_items:+d}"
    )


def test_readiness_table_ticks_equal_the_checks(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "readiness")
    m = history(demo_db)[-1].metrics
    shown = table(at, "readiness.table")
    assert list(shown["key"]) == list(m.near_term.keys)
    for check in m.checks.columns:
        expected = [TICK if v else CROSS for v in m.checks.loc[list(m.near_term.keys), check]]
        assert list(shown[check]) == expected, check
    worst = max(m.readiness.failing.values())
    names = [n.replace("_", " ") for n, v in m.readiness.failing.items() if v == worst]
    sentence = next(md.value for md in at.markdown if "The check that fails most" in md.value)
    assert all(name.replace(" ", "\\ ") in sentence or name in sentence for name in names)
    assert f"failed by {worst} of {m.near_term.size}" in sentence

    at.toggle(key="readiness.not_ready").set_value(True).run()
    not_ready = [k for k in m.near_term.keys if not m.checks.loc[k, "ready"]]
    assert list(table(at, "readiness.table")["key"]) == not_ready
    assert set(table(at, "readiness.table")["ready"]) <= {CROSS}


def test_the_near_term_rule_changes_live_from_the_sidebar(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "readiness")
    at.radio(key="global.near_mode").set_value("count")
    at.number_input(key="global.near_count").set_value(5)
    at.run()
    assert_clean(at)
    with_planned = history(demo_db, replace(Rules(), near_term_mode="count", near_term_count=5))[-1].metrics
    assert list(table(at, "readiness.table")["key"]) == list(with_planned.near_term.keys)
    at.checkbox(key="global.near_planned").uncheck().run()
    m = history(demo_db, Rules().with_near_term_count(5))[-1].metrics
    assert list(table(at, "readiness.table")["key"]) == list(m.near_term.keys)
    assert len(m.near_term.keys) == 5
    # The demo's planned items below the top 5 are all under way (started work is never near
    # term), so `planned` adds none here; tests/metrics/test_started_work.py checks it inline.
    assert set(m.near_term.keys) <= set(with_planned.near_term.keys)
    at.switch_page("app_pages/overview.py").run()
    assert metrics(at)["Ready share of the near term"][0] == pct(m.readiness.ratio)


def test_estimates_page_equals_coverage_and_checks(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "estimates")
    m = history(demo_db)[-1].metrics
    shown = metrics(at)
    assert shown["Estimated, near term"][0] == pct(m.coverage.near_term)
    assert shown["Estimated, long term"][0] == pct(m.coverage.long_term)
    assert shown["Estimated, whole backlog"][0] == pct(m.coverage.all)
    unestimated = [k for k in m.near_term.keys if not m.checks.loc[k, "estimated"]]
    if unestimated:
        assert list(table(at, "estimates.unestimated")["key"]) == unestimated
    too_big = list(m.checks.index[~m.checks["sized"]])
    assert too_big, "the demo plants oversized items"
    assert list(table(at, "estimates.too_big")["key"]) == too_big


def test_duplicates_tables_equal_the_metric_and_the_threshold_slider(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "duplicates")
    m = history(demo_db)[-1].metrics
    assert pair_list(table(at, "duplicates.linked")) == pair_list(m.linked_duplicates)
    if len(m.candidate_duplicates):
        assert pair_list(table(at, "duplicates.candidates")) == pair_list(m.candidate_duplicates)

    at.slider(key="duplicates.threshold").set_value(0.3).run()
    assert_clean(at)
    con = store.connect(demo_db, read_only=True)
    try:
        lower = stored_metrics(con, m.snapshot_id, replace(Rules(), duplicate_threshold=0.3), datetime.now(),
                               previous_id=None, find_candidates=candidate_pairs)
    finally:
        con.close()
    assert len(lower.candidate_duplicates) > len(m.candidate_duplicates)
    shown = table(at, "duplicates.candidates")
    assert pair_list(shown) == pair_list(lower.candidate_duplicates)
    assert list(shown["score"]) == [round(s, 3) for s in lower.candidate_duplicates["score"]]
    # each pair side by side with summary, status and rank
    assert {"summary_a", "status_a", "rank_a", "summary_b", "status_b", "rank_b"} <= set(shown.columns)


@pytest.mark.slow
def test_dismissed_pairs_never_return_and_confirmed_pairs_are_linked(monkeypatch, demo_copy):
    at = open_app(monkeypatch, demo_copy, "duplicates")
    at.slider(key="duplicates.threshold").set_value(0.3).run()
    first, second = pair_list(table(at, "duplicates.candidates"))[:2]
    at.button(key=f"duplicates.dismissed.{first[0]}.{first[1]}").click().run()
    assert_clean(at)
    at.button(key=f"duplicates.confirmed.{second[0]}.{second[1]}").click().run()
    assert_clean(at)

    con = store.connect(demo_copy, read_only=True)
    try:
        decisions = store.duplicate_decisions(con, BACKLOG)
    finally:
        con.close()
    assert set(zip(decisions["key_a"], decisions["key_b"], decisions["decision"])) == {
        (*first, "dismissed"), (*second, "confirmed")
    }
    assert first not in pair_list(table(at, "duplicates.candidates"))
    assert second not in pair_list(table(at, "duplicates.candidates"))
    assert second in pair_list(table(at, "duplicates.linked"))
    # a new session (fresh caches of the new store version) agrees, at any threshold
    again = open_app(monkeypatch, demo_copy, "duplicates")
    again.slider(key="duplicates.threshold").set_value(0.1).run()
    assert first not in pair_list(table(again, "duplicates.candidates"))


def test_ranking_churn_page_equals_the_churn_metric(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "churn")
    steps = history(demo_db)
    m = steps[-1].metrics
    shown = metrics(at)
    assert shown["Top of the order kept"][0] == f"{m.churn.rbo:.2f}"
    assert shown["Whole order kept"][0] == f"{m.churn.kendall_tau:.2f}"
    assert shown["Mean move (places)"][0] == f"{m.churn.mean_abs_displacement:,.1f}"
    assert shown["New in the top N"] == (f"{m.churn.entered_top_n} of {m.churn.top_n}",
                                         f"{m.churn.completed_from_top_n} finished")
    movers = table(at, "churn.movers")
    assert list(movers["key"]) == [mover.key for mover in m.churn.movers]
    assert list(movers["moved_up"]) == [mover.moved_up for mover in m.churn.movers]
    assert m.churn.entered
    assert list(table(at, "churn.entered")["key"]) == list(m.churn.entered)
    top = table(at, "churn.top")
    before = steps[-2].metrics
    assert list(top.columns) == ["Now", "Item", "Summary", "Before", "Move"]
    assert list(top["Item"]) == list(m.checks.index[: len(top)])
    positions = {k: i for i, k in enumerate(before.checks.index, start=1)}
    assert list(top["Before"]) == [str(positions[k]) if k in positions else "-" for k in top["Item"]]
    # The trend and the flow chart plot every step's churn (the first step has none).
    churns = [p.metrics.churn for p in steps]
    trend = {t["name"]: t["y"] for t in chart(at, "churn.trend")["data"]}
    assert trend["Top of the order kept (RBO)"] == pytest.approx([None if c is None else c.rbo for c in churns])
    assert trend["Whole order kept (Kendall tau)"] == pytest.approx([None if c is None else c.kendall_tau for c in churns])
    flow = {t["name"]: t["y"] for t in chart(at, "churn.flow")["data"]}
    assert flow["entered"] == [None if c is None else c.entered_top_n for c in churns]
    assert flow["pushed out (still open)"] == [None if c is None else -c.left_top_n for c in churns]
    assert flow["completed"] == [None if c is None else -c.completed_from_top_n for c in churns]


def test_ranking_churn_page_lists_the_items_that_left_the_top(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "churn")
    steps = history(demo_db)
    # The latest step on the demo with items pushed out of the top N.
    end = max(i for i, p in enumerate(steps) if p.metrics.churn is not None and p.metrics.churn.left)
    m = steps[end].metrics
    slider = at.select_slider(key=f"global.range.{BACKLOG}.Snapshots")
    slider.set_value((slider.options[0], slider.options[end])).run()
    assert_clean(at)
    assert metrics(at)["Mean move (places)"][0] == f"{m.churn.mean_abs_displacement:,.1f}"
    assert list(table(at, "churn.left")["key"]) == list(m.churn.left)
    assert list(table(at, "churn.entered")["key"]) == list(m.churn.entered)


def retro_counts(at: AppTest) -> dict[str, str]:
    return {label: value for label, (value, _) in metrics(at).items()}


def test_sprint_retro_equals_the_retro_metrics(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "retro")
    sprints = history(demo_db, by_sprint=True)
    current, previous = sprints[-1].metrics, sprints[-2].metrics
    con = store.connect(demo_db, read_only=True)
    try:
        s = store.load_snapshot(con, current.snapshot_id, with_raw=False)
        p = store.load_snapshot(con, previous.snapshot_id, with_raw=False)
        listing = store.list_snapshots(con, BACKLOG)
        later_id = int(listing[listing["taken_at"] > s.taken_at].sort_values("taken_at")["id"].iloc[0])
        later = store.load_snapshot(con, later_id, with_raw=False)
        s_open = stored_metrics(con, s.snapshot_id, Rules(), datetime.now(), previous_id=None,
                                find_candidates=candidate_pairs).candidate_duplicates
        p_open = stored_metrics(con, p.snapshot_id, Rules(), datetime.now(), previous_id=None,
                                find_candidates=candidate_pairs).candidate_duplicates
    finally:
        con.close()
    changes = refinement_changes(s, p, Rules(), current_candidates=s_open, previous_candidates=p_open)
    planned = planning_readiness(s, later, sprints[-1].sprint, Rules())
    shown = retro_counts(at)
    assert shown["Became ready"] == str(len(changes.became_ready))
    assert shown["Stopped being ready"] == str(len(changes.stopped_being_ready))
    assert shown["Re-estimated"] == str(len(changes.re_estimated))
    assert shown["Re-ranked"] == str(len(changes.re_ranked))
    assert shown["New duplicates"] == str(len(changes.new_duplicates))
    assert shown["Newly stale"] == str(len(changes.newly_stale))
    assert shown["Ready at planning"] == pct(planned.ratio)
    assert next(m for m in at.metric if m.label == "Ready at planning").help == f"{planned.ready} of {planned.total} items"
    planning_key = "retro.table." + file_name(f"Work that entered {planned.sprint}: ready at planning?")
    assert list(table(at, planning_key)["key"]) == list(planned.items["key"])
    if len(changes.re_ranked):
        re_ranked_key = "retro.table." + file_name("Re-ranked (the fewest moves that explain the new order)")
        assert list(table(at, re_ranked_key)["key"]) == list(changes.re_ranked["key"])
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download the report (HTML)", "Download the tables (CSV, zipped)"]


@pytest.mark.slow
def test_retro_of_any_two_snapshots(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "retro")
    at.radio(key="retro.mode").set_value("Two snapshots").run()
    options = at.selectbox(key="retro.from").options
    at.selectbox(key="retro.from").set_value(options[2]).run()
    assert_clean(at)
    con = store.connect(demo_db, read_only=True)
    try:
        ids = list(store.list_snapshots(con, BACKLOG)["id"])
        s = store.load_snapshot(con, ids[-1], with_raw=False)
        p = store.load_snapshot(con, ids[2], with_raw=False)
    finally:
        con.close()
    changes = refinement_changes(s, p, Rules())
    shown = retro_counts(at)
    assert shown["Became ready"] == str(len(changes.became_ready))
    assert shown["Re-ranked"] == str(len(changes.re_ranked))
    assert shown["Re-estimated"] == str(len(changes.re_estimated))
    # a "from" after the "to" is refused politely
    at.selectbox(key="retro.from").set_value(options[-1]).run()
    assert_clean(at)
    assert any("taken before" in w.value for w in at.warning)


# --- Upload ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_upload_a_jira_export_analyse_it_and_save_it(monkeypatch, demo_copy):
    at = open_app(monkeypatch, demo_copy, "upload")
    data = (JIRA_CSV / "cloud-2026-en.csv").read_bytes()
    at.file_uploader(key="upload.files").set_value(("cloud-2026-en.csv", data, "text/csv")).run()
    assert_clean(at)
    assert not at.error
    expected = snapshot_metrics(
        read_jira_csv("cloud-2026-en.csv", data=data, name="cloud-2026-en.csv").snapshot, None, Rules(),
        datetime.now(), find_candidates=candidate_pairs,
    )
    shown = metrics(at)
    assert shown["Backlog size"][0] == f"{expected.growth.backlog_items:,}"
    assert shown["Ready share of the near term"][0] == pct(expected.readiness.ratio)
    assert shown["Estimated, near term"][0] == pct(expected.coverage.near_term)
    assert list(table(at, "upload.readiness.table")["key"]) == list(expected.near_term.keys)
    summary = table(at, "upload.summary")
    assert summary.loc[0, "read as"] == "Jira export"

    at.button(key="upload.save").click().run()
    assert_clean(at)
    assert any("saved as snapshot" in s.value for s in at.success)
    con = store.connect(demo_copy, read_only=True)
    try:
        assert expected.backlog in set(store.list_backlogs(con)["backlog"])
    finally:
        con.close()
    assert expected.backlog in at.selectbox(key="global.backlog").options


def test_upload_two_generic_csvs_maps_columns_and_gives_churn(monkeypatch, tmp_path):
    first = b"Ticket ID,Name,State,Order,Points,Updated\nB-1,=HYPERLINK(1),Open,1,3,2026-01-05\nB-2,Two,Open,2,,2026-01-05\nB-3,Three,Open,3,5,2026-01-05\n"
    second = b"Ticket ID,Name,State,Order,Points,Updated\nB-1,=HYPERLINK(1),Open,3,3,2026-01-19\nB-2,Two,Open,1,2,2026-01-19\nB-3,Three,Open,2,5,2026-01-19\n"
    at = open_app(monkeypatch, tmp_path / "none.duckdb", "upload")
    at.file_uploader(key="upload.files").set_value([("b1.csv", first, "text/csv"), ("b2.csv", second, "text/csv")]).run()
    assert_clean(at)
    assert not at.error
    digest_keys = [s.key for s in at.selectbox if s.key and s.key.startswith("upload.map.")]
    guessed = {k.rsplit(".", 1)[1]: at.selectbox(key=k).value for k in digest_keys}
    assert guessed["key"] == "Ticket ID" and guessed["summary"] == "Name" and guessed["rank"] == "Order"
    assert guessed["story_points"] == "Points" and guessed["status"] == "State"
    shown = metrics(at)
    assert shown["Backlog size"][0] == "3"
    assert shown["Top of the order kept"][0] != "n/a"  # two dated files: churn between them
    assert list(table(at, "upload.churn.movers")["key"])  # the ranking changed


def duplicated_key_export() -> bytes:
    """A real export with its first issue repeated: the reader refuses duplicate keys."""
    rows = list(csv.reader(io.StringIO((JIRA_CSV / "cloud-minimal.csv").read_text("utf-8-sig"))))
    out = io.StringIO()
    csv.writer(out).writerows([rows[0], rows[1], *rows[1:]])
    return out.getvalue().encode()


@pytest.mark.parametrize(
    ("name", "data"),
    [("dupes.csv", duplicated_key_export()), ("garbage.csv", b"\x00\x01\x02 not text"), ("empty.csv", b"")],
)
def test_upload_errors_are_one_clear_message(monkeypatch, demo_db, name, data):
    with pytest.raises(BacklogHealthError) as raised:
        read_jira_csv(name, data=data, name=name)
    at = open_app(monkeypatch, demo_db, "upload")
    at.file_uploader(key="upload.files").set_value((name, data, "text/csv")).run()
    assert_clean(at)
    assert [e.value for e in at.error] == [str(raised.value)]
    assert not at.metric


def test_upload_of_a_csv_whose_key_column_cannot_be_guessed(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "upload")
    at.file_uploader(key="upload.files").set_value(("odd.csv", b"Foo,Bar\n1,2\n", "text/csv")).run()
    assert_clean(at)
    assert [e.value for e in at.error] == ["odd.csv: choose the columns that hold the key and the summary of each item."]
    fields = {s.key.rsplit(".", 1)[1]: s for s in at.selectbox if s.key and s.key.startswith("upload.map.")}
    fields["key"].set_value("Foo")
    fields["summary"].set_value("Bar")
    at.run()
    assert_clean(at)
    assert not at.error
    assert metrics(at)["Backlog size"][0] == "1"


def test_upload_size_cap(monkeypatch, demo_db):
    monkeypatch.setenv("BACKLOG_HEALTH_UPLOAD_MB", "1")
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
    monkeypatch.setenv("BACKLOG_HEALTH_DB", str(demo_db))
    at.run()
    at.switch_page("app_pages/upload.py").run()
    uploader = at.file_uploader(key="upload.files")
    assert "up to 1 MB" in uploader.label
    at.file_uploader(key="upload.files").set_value(("big.csv", b"a,b\n" + b"x,y\n" * 400_000, "text/csv")).run()
    assert_clean(at)
    assert len(at.error) == 1 and "above the upload limit of 1 MB" in at.error[0].value


# --- the empty store ---------------------------------------------------------------------------


# The fast tier opens each page on a missing store; the whole suite on an empty one too.
@pytest.mark.parametrize("kind", ["missing", pytest.param("empty", marks=pytest.mark.slow)])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_an_empty_store(monkeypatch, tmp_path, kind, page):
    db = tmp_path / "store.duckdb"
    if kind == "empty":
        store.connect(db).close()
    at = open_app(monkeypatch, db, page)
    assert not at.error
    if page == "upload":
        assert at.file_uploader(key="upload.files") is not None
        return
    assert at.title[0].value == "Backlog health"
    assert "backlog-health ingest jira-csv export.csv" in [c.value for c in at.code]
    assert at.button(key="first_run.demo").label == "Load demo data"
    assert not at.metric


@pytest.fixture(scope="module")
def export_db(tmp_path_factory) -> Path:
    """Real Jira exports: one snapshot per backlog, sprint names but no sprint dates."""
    path = tmp_path_factory.mktemp("exports") / "exports.duckdb"
    con = store.connect(path)
    try:
        for name in ("cloud-2026-en.csv", "cloud-minimal.csv"):
            store.write_snapshot(con, read_jira_csv(JIRA_CSV / name).snapshot)
    finally:
        con.close()
    return path


# The fast tier steps by snapshot; the whole suite by sprint too.
@pytest.mark.parametrize("step", ["Snapshots", pytest.param("Sprints", marks=pytest.mark.slow)])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_a_store_of_single_exports(monkeypatch, export_db, page, step):
    at = open_app(monkeypatch, export_db)
    at.radio(key="global.step").set_value(step).run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert_clean(at)
    assert not at.error
    backlog = at.selectbox(key="global.backlog").value
    if page == "overview":
        m = history(export_db, backlog=backlog, by_sprint=step == "Sprints")[-1].metrics
        assert metrics(at)["Backlog size"] == (f"{m.growth.backlog_items:,}", "")
        assert metrics(at)["Top of the order kept"][0] == "n/a"


@pytest.mark.slow
def test_load_demo_button_fills_the_empty_store(monkeypatch, tmp_path):
    db = tmp_path / "store.duckdb"
    at = open_app(monkeypatch, db)
    at.button(key="first_run.demo").click().run()
    assert_clean(at)
    assert at.selectbox(key="global.backlog").options == ["CHECKOUT", "MOBILE"]
    assert metrics(at)["Backlog size"][0] == str(history(db)[-1].metrics.growth.backlog_items)


def test_a_store_that_is_not_a_store_is_one_message(monkeypatch, tmp_path):
    db = tmp_path / "notes.duckdb"
    db.write_text("not a database")
    at = open_app(monkeypatch, db)
    assert len(at.error) == 1 and "not a backlog-health store" in at.error[0].value


# --- one writer process: ingest jobs while the app is open -------------------------------------


def ingest(db: Path, *files: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "backlog_health.cli", "ingest", "jira-csv", *map(str, files), "--db", str(db), "--quiet"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)


@pytest.mark.slow
def test_an_ingest_job_writes_while_the_app_is_open(monkeypatch, demo_copy):
    at = open_app(monkeypatch, demo_copy)
    job = ingest(demo_copy, JIRA_CSV / "cloud-2026-en.csv")
    # rerun the app while the job runs: each rerun either reads or shows the last data it had
    while job.poll() is None:
        at.run()
        assert_clean(at)
        assert not at.error
        time.sleep(0.2)
    out, err = job.communicate()
    assert job.returncode == 0, err
    assert "snapshot" in out
    at.run()
    assert_clean(at)
    assert "CR+SR" in at.selectbox(key="global.backlog").options
    # and the app's own read connections are closed between reruns: a second job writes too
    again = ingest(demo_copy, JIRA_CSV / "server-2018-en.csv")
    assert again.wait(timeout=300) == 0, again.communicate()[1]


HOLD_THE_STORE = """
import sys, time
from backlog_health import store
con = store.connect(sys.argv[1])
store.record_duplicate_decision(con, "CHECKOUT", "CHECKOUT-1", "CHECKOUT-2", "dismissed")
con.execute("checkpoint")
print("locked", flush=True)
sys.stdin.readline()  # hold the store until the test says so
con.close()
"""


@pytest.mark.slow
def test_while_another_process_holds_the_store_the_app_shows_the_last_data(monkeypatch, demo_copy):
    at = open_app(monkeypatch, demo_copy)
    for page in PAGES[1:-1]:  # visit every page once: their loads are cached for this version
        at.switch_page(f"app_pages/{page}.py").run()
    at.switch_page("app_pages/overview.py").run()
    before = metrics(at)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_STORE, str(demo_copy)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        at.run()  # the store changed and is locked: the reads wait, give up, and fall back
        assert_clean(at)
        assert not at.error
        assert any("Showing the last data read" in w.value for w in at.sidebar.warning)
        assert metrics(at) == before
        for page in PAGES[1:-1]:  # every page renders from the cache of that version
            at.switch_page(f"app_pages/{page}.py").run()
            assert_clean(at)
            assert not at.error, page
            assert at.sidebar.warning, page
    finally:
        holder.stdin.write("done\n")
        holder.stdin.close()
        assert holder.wait(timeout=60) == 0
    at.switch_page("app_pages/overview.py").run()
    assert_clean(at)
    assert not at.sidebar.warning  # the writer is gone: fresh data again


# --- the agenda --------------------------------------------------------------------------------


def test_agenda_page_shows_the_agenda_of_the_latest_snapshot(monkeypatch, demo_db):
    from backlog_health import api
    from backlog_health.metrics.agenda_markdown import agenda_markdown

    at = open_app(monkeypatch, demo_db, "agenda")
    con = store.connect(demo_db, read_only=True)
    try:
        expected = api.agenda(con, BACKLOG, rules=DEFAULT_RULES)
    finally:
        con.close()
    assert at.title[0].value == "Refinement agenda"
    headings = [s.value for s in at.subheader]
    assert headings[0] == f"1. Not ready in the near term ({len(expected.not_ready)} of {expected.near_term_size})"
    not_ready = table(at, "agenda_not_ready")
    assert list(not_ready["Item"]) == [i.key for i in expected.not_ready]
    assert list(not_ready["Why not ready"]) == ["; ".join(i.reasons) for i in expected.not_ready]
    assert "Link" not in not_ready  # no site known for the demo
    assert list(table(at, "agenda_stale")["Item"]) == [s.key for s in expected.stale]
    # the Markdown to copy is the CLI's, and the download carries it
    assert at.code[0].value == agenda_markdown(expected).rstrip("\n")
    assert at.get("download_button")[0].proto.label == "Download agenda (.md)"


def test_agenda_is_first_in_the_navigation_and_linked_from_the_overview(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db)
    links = at.get("page_link")
    assert any(link.proto.page.endswith("agenda") or "agenda" in link.proto.page for link in links)
    assert (REPO / "dashboard" / "app.py").read_text().index('"agenda"') < (
        REPO / "dashboard" / "app.py").read_text().index('"overview"')


def test_overview_explains_the_ready_share_and_ready_sprints_by_their_items(monkeypatch, demo_db):
    from backlog_health import api
    from backlog_health.metrics import explain

    at = open_app(monkeypatch, demo_db)
    steps = history(demo_db)
    now, before = steps[-1].metrics, steps[-2].metrics
    con = store.connect(demo_db, read_only=True)
    try:
        agenda = api.agenda(con, BACKLOG, rules=DEFAULT_RULES)
    finally:
        con.close()
    reasons = {i.key: i.reasons for i in agenda.not_ready + agenda.next_up}
    shown = [m.value.replace("\\", "") for m in at.markdown]
    change = explain.ready_share_change(now, before, reasons)
    sprints = explain.ready_sprints_reason(now, reasons)
    assert "entered the near term not ready" in change and "counting stops at rank" in sprints
    assert f"- {change[0].upper()}{change[1:]}" in shown
    assert f"- {sprints[0].upper()}{sprints[1:]}" in shown
    entered = [k for k in now.near_term.keys if k not in before.near_term.keys and not now.checks.loc[k, "ready"]]
    assert entered and all(key in change for key in entered[:5])
    first = str(now.checks.index[~now.checks["ready"]][0])
    assert f"{first}, not ready ({'; '.join(reasons[first])})" in sprints


def test_overview_of_a_single_snapshot_says_to_ingest_another(monkeypatch, export_db):
    at = open_app(monkeypatch, export_db)
    assert any("ingest another export of this backlog" in i.value for i in at.info)


def test_retro_explains_the_ready_share_change(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "retro")
    shown = " ".join(m.value.replace("\\", "") for m in at.markdown)
    assert "Ready share " in shown and " pp: " in shown


def test_tables_show_human_headers(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "churn")
    movers = at.get_by_key("churn.movers").dataframe[0]
    config = json.loads(movers.proto.columns)
    assert config["previous_position"]["label"] == "Was at"
    assert config["moved_up"]["label"] == "Moved up (places)"
    assert config["key"]["label"] == "Item"
    at = open_app(monkeypatch, demo_db, "readiness")
    config = json.loads(at.get_by_key("readiness.table").dataframe[0].proto.columns)
    assert (config["rank"]["label"], config["described"]["label"], config["acceptance_criteria"]["label"]) == (
        "Rank", "Described", "AC")


def test_duplicate_cards_show_both_descriptions_and_plurals(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "duplicates")
    m = history(demo_db)[-1].metrics
    con = store.connect(demo_db, read_only=True)
    try:
        items = store.snapshot_items(con, m.snapshot_id).set_index("key")
    finally:
        con.close()
    key_a, key_b = m.candidate_duplicates[["key_a", "key_b"]].iloc[0]
    captions = [c.value.replace("\\", "") for c in at.caption]
    for key in (key_a, key_b):
        text = items.loc[key, "description_text"].strip()
        assert any(c.startswith(text[:60].replace("\\", "")) for c in captions), key
    linked = len(m.linked_duplicates)
    assert any(s.value.endswith(f"({linked} pair{'s' if linked != 1 else ''})") for s in at.subheader)
