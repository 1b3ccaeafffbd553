"""The sprint retro's report and CSV export built from the demo store's retro metrics."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from backlog_health import store
from backlog_health.metrics.report import stored_metrics
from backlog_health.metrics.retro import planning_readiness, refinement_changes
from backlog_health.rules import Rules
from backlog_health.dashboard import export
from backlog_health.dashboard import retro as retro_view


def test_retro_report_and_csv_zip(demo_copy):
    con = store.connect(demo_copy)
    try:
        previous_id, current_id, later_id = list(store.list_snapshots(con, "CHECKOUT")["id"])[-3:]
        previous, current, later = (store.load_snapshot(con, i, with_raw=False) for i in (previous_id, current_id, later_id))
        now = datetime(2026, 11, 1)
        s_metrics = stored_metrics(con, current.snapshot_id, Rules(), now, previous_id=previous.snapshot_id)
        p_metrics = stored_metrics(con, previous.snapshot_id, Rules(), now, previous_id=None)
    finally:
        con.close()
    sprint = later.items["sprints"].map(lambda s: s[-1] if len(s) else None).dropna().iloc[0]
    retro = retro_view.Retro(
        title="CHECKOUT <b>retro</b>",
        compared="snapshot a against b",
        current=s_metrics,
        previous=p_metrics,
        changes=refinement_changes(current, previous, Rules()),
        planning=planning_readiness(current, later, sprint, Rules()),
    )
    html = export.html_report(f"Sprint retro: {retro.title}", "sub", retro_view.sections(retro), now)
    assert "CHECKOUT &lt;b&gt;retro&lt;/b&gt;" in html and "<b>retro</b>" not in html
    for caption, frame in retro_view.table_list(retro):
        assert export.html.escape(caption) in html
        if "key" in frame:
            assert all(key in html for key in frame["key"])
    counts = retro_view.counts(retro)
    assert counts["re-ranked"] == len(retro.changes.re_ranked)
    archive = zipfile.ZipFile(io.BytesIO(export.csv_zip(retro_view.table_list(retro))))
    assert len(archive.namelist()) == len(retro_view.table_list(retro))
