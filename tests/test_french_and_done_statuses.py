"""Issue 12, item 4: statuses and types in other languages. A French Jira export reads
through the French locale; a French hand-edited CSV through `ingest csv` warns when no row
is done and takes its done statuses from --done-status or the mapping file; German and
French issue types are recognised."""

from __future__ import annotations


from backlog_health import api, store
from backlog_health.cli import app
from backlog_health.ingest.generic_csv import read_generic_csv
from backlog_health.ingest.jira_csv import read_jira_csv
from tests.conftest import FIXTURES

GENERATED = FIXTURES / "generated"
FR_JIRA = GENERATED / "fr-jira-cloud.csv"
FR_EDITED = GENERATED / "fr-hand-edited.csv"
MAP = ["--map", "key=Référence", "--map", "summary=Titre", "--map", "status=Statut", "--map", "issue_type=Type",
       "--map", "story_points=Points", "--map", "created=Créé le"]
DONE = ["Fait (à livrer)", "Validé", "Annulé"]


def test_a_french_jira_export_reads_through_the_french_locale():
    snapshot = read_jira_csv(FR_JIRA).snapshot
    items = snapshot.items.set_index("key")
    assert len(items) == 40 and snapshot.backlog == "BOUT"
    assert items["status_category"].value_counts().to_dict() == {"To Do": 20, "Done": 14, "In Progress": 6}
    assert list(items.index[items["is_epic"]]) == ["BOUT-1", "BOUT-2", "BOUT-3"]
    assert list(items.index[items["is_subtask"]]) == ["BOUT-10", "BOUT-20", "BOUT-30", "BOUT-40"]
    assert items.loc["BOUT-1", "created"].year == 2025 and items["created"].notna().all()
    assert items.loc["BOUT-1", "sprints"] == ["BOUT Sprint 7", "BOUT Sprint 8"]
    assert items.loc["BOUT-11", "parent_key"] in {"BOUT-1", "BOUT-2", "BOUT-3"}
    assert items["story_points"].notna().sum() > 20 and items["rank"].str.startswith("0|i").all()
    assert ("BOUT-33", "BOUT-7", "Duplicate", "inward") in set(map(tuple, snapshot.links.to_numpy()))
    assert snapshot.warnings == ()


def test_french_months_as_jira_writes_them(tmp_path):
    path = tmp_path / "mois.csv"
    text = FR_JIRA.read_text("utf-8-sig").splitlines()
    header = text[0].split(",")
    values = {"Résumé": "Un", "Clé de ticket": "M-1", "État": "À faire", "Création": "06/févr./26 09:29",
              "Mise à jour": "14/août/25 4:05 PM", "Résolu": "03/déc./25 17:00", "Catégorie d'état": "À faire"}
    row = [values.get(h, "") for h in header]
    path.write_text(",".join(header) + "\n" + ",".join(row) + "\n", "utf-8")
    item = read_jira_csv(path).snapshot.items.iloc[0]
    assert (item["created"].month, item["updated"].month, item["resolved"].month) == (2, 8, 12)
    assert item["updated"].hour == 16


def test_a_french_hand_edited_csv_without_done_statuses_warns_and_lists_them(runner, tmp_path):
    db = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["ingest", "csv", str(FR_EDITED), *MAP, "--db", str(db)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "fr-hand-edited.csv: no row is done, so all 516 items count as open" in warnings[0]
    for status in ["À trier", "Prêt", "En cours", *DONE]:
        assert f'"{status}" (' in warnings[0]
    assert "--done-status" in warnings[0]
    with api.open_store(db, read_only=True) as con:
        listing = store.list_snapshots(con)
        assert api.snapshot_warnings(con, int(listing["id"].iloc[0])) == (warnings[0].removeprefix("warning: "),)


def test_done_statuses_from_the_command_line_or_the_mapping_file(runner, tmp_path):
    flags = [arg for status in DONE for arg in ("--done-status", status)]
    db = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["ingest", "csv", str(FR_EDITED), *MAP, *flags, "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    with api.open_store(db, read_only=True) as con:
        items = store.snapshot_items(con, int(store.list_snapshots(con)["id"].iloc[0]), all_rows=True)
    done = items["status_category"] == "Done"
    assert set(items.loc[done, "status"]) == set(DONE)
    assert done.sum() == items["status"].isin(DONE).sum() > 200
    assert not items.loc[items["status"] == "En cours", "status_category"].eq("Done").any()

    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        'done_statuses = ["fait (À LIVRER)", "Validé", "Annulé"]\n'
        '[columns]\nkey = "Référence"\nsummary = "Titre"\nstatus = "Statut"\n',
        "utf-8",
    )
    other = tmp_path / "m.duckdb"
    result = runner.invoke(app, ["ingest", "csv", str(FR_EDITED), "--mapping", str(mapping), "--db", str(other)])
    assert result.exit_code == 0, result.output
    with api.open_store(other, read_only=True) as con:
        items = store.snapshot_items(con, int(store.list_snapshots(con)["id"].iloc[0]), all_rows=True)
    assert set(items.loc[items["status_category"] == "Done", "status"]) == set(DONE)  # case-insensitive


def test_a_malformed_done_statuses_entry_is_one_line(runner, tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('done_statuses = "Fait"\n[columns]\nkey = "Référence"\nsummary = "Titre"\n', "utf-8")
    result = runner.invoke(app, ["ingest", "csv", str(FR_EDITED), "--mapping", str(mapping),
                                 "--db", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        'error: mapping.toml: expected done_statuses = ["Done", "Closed"], a list of status names'
    ]


def test_a_file_of_known_open_statuses_needs_no_warning(tmp_path):
    path = tmp_path / "open.csv"
    path.write_text("ID,Title,State\nA-1,One,Open\nA-2,Two,In Progress\nA-3,Three,À faire\n", "utf-8")
    result = read_generic_csv(path, {"key": "ID", "summary": "Title", "status": "State"})
    assert result.warnings == ()


def test_french_and_german_issue_types(tmp_path):
    path = tmp_path / "types.csv"
    rows = [("A-1", "Épopée"), ("A-2", "Sous-tâche"), ("A-3", "Récit"), ("A-4", "Tâche"), ("A-5", "Bogue"),
            ("A-6", "Epic"), ("A-7", "Unteraufgabe"), ("A-8", "Aufgabe"), ("A-9", "Fehler"), ("A-10", "Story")]
    path.write_text("ID,Title,Type\n" + "".join(f"{k},Item {k},{t}\n" for k, t in rows), "utf-8")
    items = read_generic_csv(path, {"key": "ID", "summary": "Title", "issue_type": "Type"}).snapshot.items
    by_key = items.set_index("key")
    assert list(by_key.index[by_key["is_epic"]]) == ["A-1", "A-6"]
    assert list(by_key.index[by_key["is_subtask"]]) == ["A-2", "A-7"]
    assert set(items.loc[items["is_backlog"], "key"]) == {"A-3", "A-4", "A-5", "A-8", "A-9", "A-10"}


def test_jira_csv_on_headers_it_does_not_know_suggests_ingest_csv(runner, tmp_path):
    result = runner.invoke(app, ["ingest", "jira-csv", str(FR_EDITED), "--db", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: fr-hand-edited.csv: ")
    assert "backlog-health ingest csv" in lines[0]
    partial = tmp_path / "partial.csv"
    partial.write_text("Issue key,Titre,Statut\nA-1,Un,Fait\n", "utf-8")
    result = runner.invoke(app, ["ingest", "jira-csv", str(partial), "--db", str(tmp_path / "s.duckdb")])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1
    assert 'missing column(s) "Summary"' in lines[0] and "backlog-health ingest csv" in lines[0]
