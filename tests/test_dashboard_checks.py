"""The Definition of Ready switched check by check from the sidebar (Readiness and Upload), and
started work listed apart: AppTest from the entry file, figures against the metric functions."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from backlog_health.ingest.jira_csv import read_jira_csv
from backlog_health.metrics.report import snapshot_metrics
from backlog_health.rules import BUILTIN_CHECKS, Rules
from backlog_health.similarity import candidate_pairs
from tests.conftest import JIRA_CSV
from tests.test_dashboard_app import assert_clean, history, metrics, open_app, pct, table


def sidebar_text(at) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def test_each_readiness_check_switches_off_and_the_figures_follow(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "readiness")
    assert [at.toggle(key=f"global.check.{name}").value for name in BUILTIN_CHECKS] == [True] * len(BUILTIN_CHECKS)
    assert "acceptance criteria" in sidebar_text(at)
    at.toggle(key="global.check.acceptance_criteria").set_value(False)
    at.toggle(key="global.check.assigned").set_value(False).run()
    assert_clean(at)
    rules = replace(Rules(), acceptance_criteria=False, assigned=False)
    m = history(demo_db, rules)[-1].metrics
    shown = table(at, "readiness.table")
    assert "acceptance_criteria" not in shown.columns and "assigned" not in shown.columns
    assert list(shown["key"]) == list(m.near_term.keys)
    assert list(shown["ready"] == "✓") == list(m.checks.loc[list(m.near_term.keys), "ready"])
    text = sidebar_text(at)
    assert "acceptance criteria" not in text and "assigned" not in text and "estimated" in text
    at.switch_page("app_pages/overview.py").run()
    assert metrics(at)["Ready share of the near term"][0] == pct(m.readiness.ratio)
    assert m.readiness.ratio != history(demo_db)[-1].metrics.readiness.ratio  # the switch changed a figure


def test_every_check_off_says_every_item_is_ready(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "readiness")
    for name in BUILTIN_CHECKS:
        at.toggle(key=f"global.check.{name}").set_value(False)
    at.run()
    assert_clean(at)
    assert "every check is off" in sidebar_text(at)
    assert set(table(at, "readiness.table")["ready"]) == {"✓"}


def test_readiness_lists_started_work_apart(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "readiness")
    m = history(demo_db)[-1].metrics
    assert m.near_term.started  # the demo has work under way near the top
    started = table(at, "readiness.started")
    assert list(started["key"]) == list(m.near_term.started)
    assert not set(started["key"]) & set(table(at, "readiness.table")["key"])
    assert any("Started work (not scored)" in h.value for h in at.subheader)


def test_upload_switches_checks_and_lists_started_work(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "upload")
    data = (JIRA_CSV / "cloud-es.csv").read_bytes()
    at.file_uploader(key="upload.files").set_value(("cloud-es.csv", data, "text/csv")).run()
    assert_clean(at)
    snapshot = read_jira_csv("cloud-es.csv", data=data, name="cloud-es.csv").snapshot

    def expected(rules: Rules):
        return snapshot_metrics(snapshot, None, rules, datetime.now(), find_candidates=candidate_pairs)

    m = expected(Rules())
    assert list(table(at, "upload.readiness.started")["key"]) == list(m.near_term.started)
    assert list(table(at, "upload.readiness.table")["key"]) == list(m.near_term.keys)
    at.toggle(key="global.check.described").set_value(False).run()
    assert_clean(at)
    off = expected(replace(Rules(), described=False))
    assert "described" not in table(at, "upload.readiness.table").columns
    assert metrics(at)["Ready share of the near term"][0] == pct(off.readiness.ratio)
