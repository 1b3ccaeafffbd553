"""The dashboard's downloads and charts: escaped user text, offline HTML, formula-safe CSV."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import pytest

from backlog_health.dashboard import charts, export, palette, tables
from backlog_health.dashboard.export import Section

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_report_escapes_every_user_text_and_inlines_plotly_once():
    figure = charts.movers_chart(
        pd.DataFrame({"key": ["K-1"], "summary": [EVIL], "previous_position": [9], "position": [1], "moved_up": [8]})
    )
    html = export.html_report(
        f"Retro {EVIL}",
        f"subtitle {EVIL}",
        [
            Section(
                f"Heading {EVIL}",
                notes=[f"note {EVIL}"],
                figures=[(f"label {EVIL}", f"value {EVIL}")],
                charts=[figure, charts.failing_checks({"described": 2}, 5)],
                tables=[(f"caption {EVIL}", pd.DataFrame({f"col {EVIL}": [EVIL]}))],
            )
        ],
        datetime(2026, 1, 1, 12, 0),
    )
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html
    # plotly.js is embedded once (offline), and no script is fetched from a network
    assert html.count("plotly.js v") == 1
    assert not re.findall(r"<script[^>]*\bsrc=", html)
    assert html.count('class="plotly-graph-div"') == 2


def test_html_report_of_empty_tables():
    html = export.html_report("t", "s", [Section("h", tables=[("none here", pd.DataFrame())])], datetime(2026, 1, 1))
    assert "none</p>" in html


def test_csv_exports_neutralize_formulas():
    frame = pd.DataFrame({"summary": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "plain"], "n": [1, 2, 3, 4, 5]})
    text = export.csv_bytes(frame).decode("utf-8-sig")
    for cell in ["'=HYPERLINK", "'+1", "'-2", "'@SUM(A1)"]:
        assert cell in text
    assert "\nplain," in text.replace("\r\n", "\n")
    archive = zipfile.ZipFile(io.BytesIO(export.csv_zip([("Became ready", frame), ("Became ready", frame)])))
    assert archive.namelist() == ["became-ready.csv", "became-ready_.csv"]
    assert "'=HYPERLINK" in archive.read("became-ready.csv").decode("utf-8-sig")


@pytest.mark.parametrize("text", ["../../etc/passwd", "a/b\\c", "", "Sprint 12: ready?"])
def test_file_names_are_safe(text):
    name = export.file_name(text)
    assert name and all(c.isalnum() or c == "-" for c in name)


def every_chart() -> list[go.Figure]:
    labels = ["a", "b"]
    items = pd.DataFrame({"key": ["K-1", "K-2", "K-3"], "summary": [EVIL, "two", "three"], "story_points": [3.0, 13.0, None]})
    movers = pd.DataFrame({"key": ["K-1"], "summary": [EVIL], "previous_position": [9], "position": [1], "moved_up": [8]})
    planning = pd.DataFrame({"key": ["K-1", "K-2"], "summary": [EVIL, "x"], "story_points": [3.0, None],
                             "ready_at_planning": [True, False], "failing": ["", "assigned"]})
    return [
        charts.readiness_trend(labels, [1, 2], [3, 4]),
        charts.failing_checks({"described": 1, "estimated": 3}, 4),
        charts.coverage_trend(labels, [0.5, None], [0.1, 0.2]),
        charts.size_distribution(items, {"K-1"}, 8),
        charts.churn_trend(labels, [None, 0.9], [None, -0.2]),
        charts.top_n_flow(labels, [None, 2], [None, 1], [None, 1]),
        charts.movers_chart(movers),
        charts.duplicates_trend(labels, [1, 0], [2, 3]),
        charts.planning_readiness_chart(planning, "Sprint <1>"),
        charts.refinement_summary({"became ready": 2, "stopped being ready": 1}),
    ]


def test_every_chart_has_a_title_and_escapes_hover_text():
    for figure in every_chart():
        assert isinstance(figure, go.Figure)
        assert figure.layout.title.text
        dumped = figure.to_json()
        assert "<script>" not in dumped and "<img" not in dumped


def test_ready_and_not_ready_colours_are_the_same_everywhere():
    readiness = charts.readiness_trend(["a"], [1], [2])
    assert [t.marker.color for t in readiness.data] == [palette.READY, palette.NOT_READY]
    failing = charts.failing_checks({"described": 1}, 2)
    assert failing.data[0].marker.color == palette.NOT_READY
    planning = charts.planning_readiness_chart(
        pd.DataFrame({"key": ["A", "B"], "summary": ["a", "b"], "story_points": [1.0, 2.0],
                      "ready_at_planning": [True, False], "failing": ["", "sized"]}), "S")
    assert [t.marker.color for t in planning.data] == [palette.READY, palette.NOT_READY]
    assert palette.READY not in palette.SERIES and palette.NOT_READY not in palette.SERIES


def test_size_distribution_marks_items_too_big_for_a_sprint():
    items = pd.DataFrame({"key": ["A", "B", "C"], "summary": ["a", "b", "c"], "story_points": [3.0, 8.0, 13.0]})
    figure = charts.size_distribution(items, {"A"}, 8)
    assert list(figure.data[0].x) == ["3", "8", "13"]
    assert figure.layout.shapes[0].x0 == 1.5  # between 8 and 13


def test_tables_pairs_side_by_side_and_empty_results_without_columns():
    items = pd.DataFrame({"key": ["A", "B"], "summary": ["sa", "sb"], "status": ["To Do", "Done"], "rank_position": [1, 2]})
    pairs = tables.pairs(pd.DataFrame({"key_a": ["A"], "key_b": ["B"], "score": [0.91234]}), items)
    assert pairs.iloc[0].tolist() == ["A", "sa", "To Do", 1, "B", "sb", "Done", 2, 0.912]
    assert tables.pairs(pd.DataFrame(), items).empty


def test_the_retro_chart_shows_a_not_ready_unestimated_item():
    planning = charts.planning_readiness_chart(
        pd.DataFrame({"key": ["A", "B", "C"], "summary": ["a", "b", "c"], "story_points": [2.0, 4.0, None],
                      "ready_at_planning": [True, True, False], "failing": ["", "", "estimated"]}), "S")
    not_ready = planning.data[1]
    assert list(not_ready.y) == ["C"] and list(not_ready.text) == ["unestimated"]
    assert list(not_ready.x) == [3.0]  # drawn at the median estimate, not as an invisible 0
    assert list(not_ready.marker.pattern.shape) == ["/"]


def test_top_n_table_shows_previous_positions_and_arrows():
    now = pd.DataFrame({"rank_position": [1, 2, 3, 4], "key": ["A", "B", "C", "D"], "summary": list("abcd")})
    before = pd.DataFrame({"rank_position": [1, 2, 3], "key": ["B", "A", "C"], "summary": list("bac")})
    table = tables.top_n_table(now, before, 4)
    assert list(table.columns) == ["Now", "Item", "Summary", "Before", "Move"]
    assert list(table["Before"]) == ["2", "1", "3", "-"]
    assert list(table["Move"]) == ["↑ 1", "↓ 1", "=", "new"]
    assert list(tables.top_n_table(now, None, 2)["Move"]) == ["-", "-"]
