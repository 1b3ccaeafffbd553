"""The Portfolio page through streamlit's AppTest, from the entry file: both demo backlogs, worst
ready share first, with the figures `api.portfolio` computes; choosing a row opens the backlog's
Overview; with one backlog the page is not offered."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from backlog_health import api
from backlog_health.cli import app
from backlog_health.rules import Rules
from tests.conftest import JIRA_CSV, REPO

ENTRY = REPO / "dashboard" / "app.py"
PAGE = "app_pages/portfolio.py"


def open_portfolio(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("BACKLOG_HEALTH_DB", str(db))
    monkeypatch.delenv("BACKLOG_HEALTH_RULES", raising=False)
    at = AppTest.from_file(str(ENTRY), default_timeout=180)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def portfolio(db: Path, every_snapshot: bool = False) -> list[dict]:
    with api.open_store(db, read_only=True) as con:
        return api.portfolio(con, Rules(), every_snapshot=every_snapshot)


def test_both_backlogs_worst_first_with_the_library_figures(monkeypatch, demo_db):
    at = open_portfolio(monkeypatch, demo_db)
    assert at.title[0].value == "Portfolio"
    shown = at.get_by_key("portfolio_table").dataframe[0].value
    expected = portfolio(demo_db)
    assert list(shown["backlog"]) == [e["backlog"] for e in expected] == ["MOBILE", "CHECKOUT"]
    ratios = [e["readiness"]["ratio"] for e in expected]
    assert ratios == sorted(ratios)
    for row, e in zip(shown.to_dict("records"), expected):
        r, c = e["readiness"], e["estimate_coverage"]
        assert row["ready_ratio"] == r["ratio"] and row["ready"] == f"{r['ready']} of {r['total']}"
        assert (row["coverage_near"], row["coverage_long"], row["coverage_all"]) == (
            c["near_term"], c["long_term"], c["all"])
        assert row["backlog_items"] == e["backlog_items"]
        assert row["linked_duplicates"] == e["duplicates"]["linked"] and row["stale"] == e["growth"]["stale"]
        assert row["taken_at"].isoformat() == e["snapshot"]["taken_at"]
        trend = [x["readiness"]["ratio"] for x in portfolio(demo_db, every_snapshot=True) if x["backlog"] == e["backlog"]]
        assert list(row["readiness_trend"]) == trend and len(trend) == 13


def test_choosing_a_backlog_opens_its_overview(monkeypatch, demo_db):
    at = open_portfolio(monkeypatch, demo_db)
    assert at.sidebar.selectbox(key="global.backlog").value == "CHECKOUT"  # the sidebar's first backlog
    # AppTest has no clicks on a table: the row selection is set as the browser would set it
    at.session_state["portfolio.rows"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Backlog health: MOBILE"
    assert at.sidebar.selectbox(key="global.backlog").value == "MOBILE"
    at.switch_page(PAGE)  # back on the Portfolio, the old choice does not bounce it away
    at.run()
    assert at.title[0].value == "Portfolio" and not at.exception


def test_with_one_backlog_the_page_is_not_offered(monkeypatch, tmp_path, runner):
    db = tmp_path / "one.duckdb"
    result = runner.invoke(app, ["ingest", "jira-csv", str(JIRA_CSV / "cloud-minimal.csv"), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("BACKLOG_HEALTH_DB", str(db))
    at = AppTest.from_file(str(ENTRY), default_timeout=180)
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)
