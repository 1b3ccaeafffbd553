"""Issue 12, item 1: a number that cannot be an estimate (story points used as ordering
numbers, 1503 ... 2105) no longer refuses the export: it is kept as given in
`custom_fields`, counted as missing, and named in one warning line per column, in the CLI,
the store and the dashboard."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from backlog_health import api, store
from backlog_health.cli import app
from backlog_health.ingest.generic_csv import read_generic_csv
from backlog_health.ingest.jira_csv import read_jira_csv
from backlog_health.metrics.report import snapshot_metrics
from backlog_health.rules import Rules
from tests.conftest import JIRA_CSV

SOURCE = JIRA_CSV / "cloud-es.csv"  # real Spanish Cloud export: velocity and points mode
NOW = datetime(2026, 6, 1)
ODD_VALUES = [f"{1503 + 43 * n}.0" for n in range(15)]  # 1503.0 ... 2105.0


def _table() -> tuple[list[str], list[list[str]], int]:
    rows = list(csv.reader(io.StringIO(SOURCE.read_text("utf-8-sig"))))
    header = rows[0]
    column = header.index("Campo personalizado (Estimación de puntos de historia)")
    return header, rows[1:], column


def chosen_keys() -> list[str]:
    """Done items of the velocity sprint and the top of the backlog: both metrics would move."""
    items = read_jira_csv(SOURCE).snapshot.items
    done = items[(items["status_category"] == "Done") & items["story_points"].notna()]["key"].tolist()[:7]
    top = items[items["is_backlog"]].sort_values("rank_position")["key"].tolist()[:8]
    return done + top


def export_with(cells: dict[str, str], path: Path) -> Path:
    """cloud-es.csv with the story points of some keys replaced (and the file's second,
    less preferred story points column blanked for them, so the value compared is this one)."""
    header, rows, column = _table()
    key, other = header.index("Clave de incidencia"), header.index("Campo personalizado (Puntos de Historia)")
    for row in rows:
        if row[key] in cells:
            row[column], row[other] = cells[row[key]], ""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    path.write_text(buffer.getvalue(), "utf-8")
    return path


def test_ordering_numbers_are_kept_as_given_and_counted_as_missing(tmp_path):
    keys = chosen_keys()
    odd = read_jira_csv(export_with(dict(zip(keys, ODD_VALUES)), tmp_path / "h6.csv"))
    blank = read_jira_csv(export_with(dict.fromkeys(keys, ""), tmp_path / "blank.csv"))

    header = _table()[0][_table()[2]]
    items = odd.snapshot.items.set_index("key")
    assert items.loc[keys, "story_points"].isna().all()
    assert [items.loc[k, "custom_fields"][header] for k in keys] == ODD_VALUES
    assert odd.warnings == (
        f'h6.csv: 15 values in "{header}" above 1,000 story points kept as given but not counted as '
        f"estimates: {', '.join(odd.snapshot.items.query('key in @keys')['key'].tolist()[:3])} and 12 more",
    )
    assert blank.warnings == ()

    rules = Rules()
    with_odd = snapshot_metrics(odd.snapshot, None, rules, NOW)
    without = snapshot_metrics(blank.snapshot, None, rules, NOW)
    original = snapshot_metrics(read_jira_csv(SOURCE).snapshot, None, rules, NOW)
    assert with_odd.velocity == without.velocity
    assert with_odd.velocity.points < 1000  # the odd values never reach the sum
    assert with_odd.near_term.rule()["mode"] == "points"
    assert with_odd.near_term == without.near_term
    assert original.velocity != with_odd.velocity  # the chosen rows do carry velocity


def test_negative_and_huge_estimates_warn_once_per_column(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(
        "ID,Title,Points,Estimate\nA-1,One,-3,1d\nA-2,Two,5,99999999999\nA-3,Three,1e12,2h\nA-4,Four,2,\n", "utf-8"
    )
    result = read_generic_csv(path, {"key": "ID", "summary": "Title", "story_points": "Points",
                                     "original_estimate": "Estimate"})
    items = result.snapshot.items.set_index("key")
    assert items["story_points"].tolist()[1::2] == [5.0, 2.0] and items["story_points"].isna().sum() == 2
    assert items.loc["A-1", "custom_fields"] == {"Points": "-3"}
    assert items.loc["A-2", "custom_fields"] == {"Estimate": "99999999999"}
    assert items.loc["A-1", "original_estimate_seconds"] == 8 * 3600
    assert result.warnings == (
        'odd.csv: 2 values in "Points" below 0 or above 1,000 story points kept as given but not counted as '
        "estimates: A-1, A-3",
        'odd.csv: 1 value in "Estimate" above 100,000 hours kept as given but not counted as estimates: A-2',
    )


def test_the_cli_warns_on_stderr_stores_the_warning_and_quiet_silences_it(runner, tmp_path):
    keys = chosen_keys()
    path = export_with(dict(zip(keys, ODD_VALUES)), tmp_path / "h6.csv")
    db = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["ingest", "jira-csv", str(path), "--db", str(db)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "15 values in" in warnings[0] and "and 12 more" in warnings[0]
    assert "warning" not in result.stdout
    with api.open_store(db, read_only=True) as con:
        snapshot_id = int(store.list_snapshots(con)["id"].iloc[0])
        assert api.snapshot_warnings(con, snapshot_id) == (warnings[0].removeprefix("warning: "),)

    quiet = runner.invoke(app, ["ingest", "jira-csv", str(path), "--db", str(tmp_path / "q.duckdb"), "--quiet"])
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr


def test_a_clean_export_stores_no_warning(tmp_path):
    with api.open_store(tmp_path / "s.duckdb") as con:
        written = api.write_snapshots(con, [read_jira_csv(SOURCE)])
        assert api.snapshot_warnings(con, written[0].snapshot_id) == ()


def test_live_jira_sets_aside_the_same_values():
    from backlog_health.ingest.jira_fields import JiraFields
    from backlog_health.ingest.jira_rest import snapshot_of

    fields = JiraFields(story_points=("customfield_10016",), names={"customfield_10016": "Story point estimate"})
    issues = [
        {"key": f"H6-{n}", "id": str(n), "fields": {"summary": f"Item {n}", "customfield_10016": points,
                                                    "status": {"name": "To Do", "statusCategory": {"key": "new"}}}}
        for n, points in ((1, 2105.0), (2, 3.0), (3, 1503.0))
    ]
    result = snapshot_of(issues, [], fields, source="jira board 1", taken_at=NOW)
    items = result.snapshot.items.set_index("key")
    assert items["story_points"].tolist()[1] == 3.0 and items["story_points"].isna().sum() == 2
    assert items.loc["H6-1", "custom_fields"]["Story point estimate"] == "2105"
    assert result.warnings == (
        'jira board 1: 2 values in "Story point estimate" above 1,000 story points kept as given but not '
        "counted as estimates: H6-1, H6-3",
    )
