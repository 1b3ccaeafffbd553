"""`backlog-health metrics` and `duplicates` end to end on real exports."""

from __future__ import annotations

import json

from backlog_health import store
from backlog_health.cli import app
from backlog_health.metrics.report import stored_metrics
from backlog_health.rules import Rules
from tests.conftest import JIRA_CSV


def run(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


def ingest(runner, db_path, name="cloud-2026-en.csv", *extra):
    result = run(runner, "ingest", "jira-csv", JIRA_CSV / name, "--db", db_path, "-q", *extra)
    assert result.exit_code == 0, result.output


def test_metrics_json_on_the_cloud_export(runner, db_path):
    ingest(runner, db_path)
    data = json.loads(run(runner, "metrics", "--json", "--db", db_path).stdout)
    assert data["backlog"] == "CR+SR" and data["backlog_items"] == 252
    assert data["previous_snapshot"] is None and data["churn"] is None
    # No sprint in the export has finished work: no velocity, count mode with N = 20.
    # CR-261, fourth by rank, is In Progress: listed apart, the near term is the next 20.
    assert data["near_term"] == {"items": 20, "started": 1, "rule": {"mode": "count", "count": 20}}
    # The two Duplicate links whose items are both still open (SR-81/SR-363, SR-416/SR-425).
    assert data["duplicates"]["linked"] == 2
    # Of the top 20 backlog items, only one carries an estimate.
    assert data["estimate_coverage"]["near_term"] == 1 / 20
    assert data["readiness"]["total"] == 20
    assert set(data["readiness"]["failing"]) == {
        "described", "acceptance_criteria", "estimated", "assigned", "sized", "unblocked"
    }


def test_near_term_override_and_human_summary(runner, db_path):
    ingest(runner, db_path)
    data = json.loads(run(runner, "metrics", "--json", "--near-term", "5", "--db", db_path).stdout)
    assert data["near_term"] == {"items": 5, "started": 1, "rule": {"mode": "count", "count": 5}}
    text = run(runner, "metrics", "--db", db_path).stdout
    assert "ready near term    0/20" in text and "2 linked still open" in text


def test_history_compares_each_snapshot_with_the_one_before(runner, db_path, tmp_path):
    ingest(runner, db_path, "cloud-2026-en.csv", "--taken-at", "2026-01-27T17:00")
    # A later export of the same backlog: the same file with two items re-ranked.
    text = (JIRA_CSV / "cloud-2026-en.csv").read_text(encoding="utf-8-sig")
    later = tmp_path / "later.csv"
    later.write_text(text.replace("0|hzzzyt:0004", "0|i00zzz:"), encoding="utf-8")
    result = run(runner, "ingest", "jira-csv", later, "--db", db_path, "--taken-at", "2026-02-10T09:00",
                 "--backlog", "CR+SR")
    assert result.exit_code == 0, result.output
    history = json.loads(run(runner, "metrics", "--history", "--json", "--backlog", "CR+SR",
                              "--db", db_path).stdout)
    assert [h["snapshot"]["id"] for h in history] == [1, 2]
    assert history[0]["churn"] is None
    churn = history[1]["churn"]
    # CR-306 went from first to last: everyone else moved up one place.
    assert churn["movers"][0]["key"] == "CR-306"
    assert churn["movers"][0]["previous_position"] == 1 and churn["movers"][0]["position"] == 252
    assert churn["rbo"] < 1.0 and churn["left_top_n"] == 1 and churn["entered_top_n"] == 1


def test_dismissed_pair_never_comes_back_and_confirmed_counts_as_linked(runner, db_path, tmp_path):
    ingest(runner, db_path)
    # A lower threshold than the default, so that this real export has candidates.
    rules = tmp_path / "rules.toml"
    rules.write_text("[duplicates]\nthreshold = 0.45\n")
    listing = json.loads(run(runner, "duplicates", "--json", "--rules", rules, "--db", db_path).stdout)
    assert listing["candidates"], "the export has look-alike items"
    first = listing["candidates"][0]
    second = listing["candidates"][1]
    result = run(runner, "duplicates", "dismiss", first["key_a"], first["key_b"], "--db", db_path)
    assert result.exit_code == 0 and "dismissed" in result.stdout
    result = run(runner, "duplicates", "confirm", second["key_b"], second["key_a"], "--db", db_path)
    assert result.exit_code == 0
    after = json.loads(run(runner, "duplicates", "--json", "--rules", rules, "--db", db_path).stdout)
    pairs = {(c["key_a"], c["key_b"]) for c in after["candidates"]}
    assert (first["key_a"], first["key_b"]) not in pairs
    assert (second["key_a"], second["key_b"]) not in pairs
    assert len(after["linked"]) == len(listing["linked"]) + 1
    data = json.loads(run(runner, "metrics", "--json", "--rules", rules, "--db", db_path).stdout)
    assert data["duplicates"] == {"linked": 3, "candidates": len(listing["candidates"]) - 2}


def test_dismissing_unknown_keys_is_one_line(runner, db_path):
    ingest(runner, db_path)
    result = run(runner, "duplicates", "dismiss", "SR-1", "NOPE-9", "--db", db_path)
    assert result.exit_code == 1 and "NOPE-9" in result.stderr and "not in the latest snapshot" in result.stderr


def test_top_k_neighbors_json(runner, db_path):
    ingest(runner, db_path)
    data = json.loads(run(runner, "duplicates", "--top-k", "3", "--include-done", "--json", "--db", db_path).stdout)
    assert len(data["neighbors"]) == 311  # every row with --include-done
    for key, near in data["neighbors"].items():
        assert len(near) == 3 and all(n["key"] != key for n in near)
        assert [n["score"] for n in near] == sorted((n["score"] for n in near), reverse=True)


def test_bad_rules_file_is_exit_1(runner, db_path, tmp_path):
    ingest(runner, db_path)
    rules = tmp_path / "r.toml"
    rules.write_text("[ready]\nmin_word = 3\n")
    result = run(runner, "metrics", "--rules", rules, "--db", db_path)
    assert result.exit_code == 1 and 'unknown key "ready.min_word"' in result.stderr


def test_stored_candidates_equal_a_fresh_scan(db_path):
    from backlog_health.similarity import candidate_pairs
    from backlog_health.ingest.jira_csv import read_jira_csv

    con = store.connect(db_path)
    snapshot = read_jira_csv(JIRA_CSV / "cloud-2026-en.csv").snapshot
    snapshot_id = store.write_snapshot(con, snapshot).snapshot_id
    stored = store.stored_candidates(con, snapshot_id, 0.45)
    backlog = snapshot.items[snapshot.items["is_backlog"]]
    fresh = candidate_pairs(list(backlog["key"]), list(backlog["summary"]), list(backlog["description_text"]), 0.45)
    assert len(fresh) > 0
    assert stored[["key_a", "key_b"]].values.tolist() == fresh[["key_a", "key_b"]].values.tolist()
    assert store.stored_candidates(con, snapshot_id, 0.1) is None  # below the scan's floor: not known
    report = stored_metrics(con, snapshot_id, Rules(), now=snapshot.taken_at)
    assert len(report.candidate_duplicates) <= len(stored)
    con.close()
