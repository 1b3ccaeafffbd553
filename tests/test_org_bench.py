"""The organisation benchmark runs end to end at a tiny size and reports every figure."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from backlog_health import store
from bench import org_scale
from bench.org_files import START, advance, new_backlog, write_export
from backlog_health.ingest.jira_csv import read_jira_csv

# Runs the organisation benchmark: the whole suite only.
pytestmark = pytest.mark.slow

FIELDS = {
    "machine", "item_rows", "ingest_rows_per_second", "read_csv_rows_per_second", "ingest_vs_read_csv_median_backlog",
    "store_mb_per_million_rows", "metrics_one_snapshot_seconds", "metrics_history_seconds", "ingest_peak_rss_mb",
    "ingest_seconds_per_snapshot_median", "scan_seconds_per_snapshot_median",
}


def test_quick_run_reports_every_figure(tmp_path, capsys):
    report_file = tmp_path / "report.json"
    org_scale.main(["--quick", "--json", str(report_file), "--folder", str(tmp_path)])
    report = json.loads(report_file.read_text())
    assert FIELDS <= set(report)
    sizes = org_scale.QUICK
    assert report["item_rows"] == sizes["backlogs"] * sizes["items"] * sizes["snapshots"]
    assert all(report[name] > 0 for name in FIELDS - {"machine"})
    printed = capsys.readouterr().out
    for label in ("rows/s", "read_csv", "per million item rows", "history", "peak memory"):
        assert label in printed


def test_generated_exports_read_as_jira_csv_and_change_a_little_each_day(tmp_path):
    state = new_backlog(0, 300, seed=1)
    paths = []
    for day in range(3):
        if day:
            advance(state, START + timedelta(days=day))
        paths.append(tmp_path / f"{day}.csv")
        assert write_export(state, paths[-1]) == 300
    snapshots = [read_jira_csv(p, backlog="B", taken_at=START + timedelta(days=i)).snapshot for i, p in enumerate(paths)]
    first, second = (s.items.set_index("key") for s in snapshots[:2])
    assert first["description_text"].notna().mean() > 0.5
    assert first["description_text"].str.len().median() > 200
    common = first.index.intersection(second.index)
    fields = ["summary", "description_text", "status", "rank"]
    changed = (first.loc[common, fields].fillna("") != second.loc[common, fields].fillna("")).any(axis=1)
    assert 0 < changed.mean() < 0.2  # a few percent of the items change, most do not
    con = store.connect(tmp_path / "s.duckdb")
    for snapshot in snapshots:
        store.write_snapshot(con, snapshot, scan_duplicates=False)
    versions, rows = con.execute("select (select count(*) from item_versions), (select count(*) from items)").fetchall()[0]
    con.close()
    assert rows == 900 and versions < 400  # unchanged items are stored once
