"""Issue 12 on the dashboard: reading warnings as notices on Upload and, for stored
snapshots, on the Overview; the Upload form's done statuses (AppTest)."""

from __future__ import annotations


from backlog_health import api
from backlog_health.ingest.jira_csv import read_jira_csv
from tests.test_dashboard_app import assert_clean, metrics, open_app
from tests.test_implausible_estimates import ODD_VALUES, chosen_keys, export_with
from tests.test_french_and_done_statuses import DONE, FR_EDITED


def fields(at) -> dict:
    return {s.key.rsplit(".", 1)[1]: s for s in at.selectbox if s.key and s.key.startswith("upload.map.")}


def test_upload_shows_a_notice_for_implausible_estimates(monkeypatch, tmp_path):
    path = export_with(dict(zip(chosen_keys(), ODD_VALUES)), tmp_path / "h6.csv")
    at = open_app(monkeypatch, tmp_path / "none.duckdb", "upload")
    at.file_uploader(key="upload.files").set_value(("h6.csv", path.read_bytes(), "text/csv")).run()
    assert_clean(at)
    assert not at.error
    notices = [w.value for w in at.warning]
    assert len(notices) == 1 and "15 values in" in notices[0] and "and 12 more" in notices[0]


def test_upload_done_statuses_field_and_the_nothing_done_notice(monkeypatch, tmp_path):
    at = open_app(monkeypatch, tmp_path / "none.duckdb", "upload")
    at.file_uploader(key="upload.files").set_value(("fr.csv", FR_EDITED.read_bytes(), "text/csv")).run()
    chosen = fields(at)
    chosen["key"].set_value("Référence")
    chosen["summary"].set_value("Titre")
    chosen["status"].set_value("Statut")
    chosen["issue_type"].set_value("Type")
    at.run()
    assert_clean(at)
    notices = [w.value for w in at.warning]
    assert len(notices) == 1 and "no row is done" in notices[0] and "Fait (à livrer)" in notices[0].replace("\\", "")
    before = int(metrics(at)["Backlog size"][0].replace(",", ""))

    done = next(m for m in at.multiselect if m.key and m.key.startswith("upload.done."))
    assert set(DONE) <= set(done.options) and "En cours" in done.options
    done.set_value(DONE).run()
    assert_clean(at)
    assert not at.warning
    after = int(metrics(at)["Backlog size"][0].replace(",", ""))
    edited = FR_EDITED.read_text("utf-8").splitlines()[1:]
    open_rows = [r for r in edited if r.split(";")[2] not in DONE and r.split(";")[3] != "Sous-tâche"]
    assert before > after == len(open_rows)


def test_the_overview_shows_the_warnings_stored_with_the_snapshot(monkeypatch, tmp_path):
    path = export_with(dict(zip(chosen_keys(), ODD_VALUES)), tmp_path / "h6.csv")
    db = tmp_path / "s.duckdb"
    with api.open_store(db) as con:
        api.write_snapshots(con, [read_jira_csv(path)])
    at = open_app(monkeypatch, db)
    notices = [w.value for w in at.warning]
    assert len(notices) == 1 and notices[0].startswith("When this snapshot was read: h6")
    assert "15 values in" in notices[0]
