"""`metrics --json` of a stored snapshot without pandas (metrics/summary.py): the same dict as
`SnapshotMetrics.to_dict()` on every snapshot of the demo and of a real Jira export, under
several rules; the command imports neither pandas nor numpy nor pyarrow, not even to fail."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backlog_health import api, store
from backlog_health.metrics import churn as churn_module
from backlog_health.metrics.changes import Step, snapshot_changes, step_changes
from backlog_health.metrics.churn import churn_of_changes, churn_of_step
from backlog_health.metrics.report import stored_metrics
from backlog_health.metrics.summary import stored_summary
from backlog_health.rules import Rules
from tests import builders
from tests.conftest import JIRA_CSV
from tests.fake_jira import FakeJira
from tests.test_jira_backfill import history_site  # noqa: F401 (a fixture: a Jira site with changelogs)
from tests.test_jira_ingest import ingest

NOW = datetime(2026, 11, 2, 9, 30)
HEAVY = ("pandas", "numpy", "pyarrow", "sqlglot", "scipy", "sklearn")

# Every path of figures.sql (builders.ODD_RULES), and a duplicate threshold above the stored scan's.
ODD_RULES = replace(builders.ODD_RULES, duplicate_threshold=0.5)
POINTS_RULES = Rules(near_term_mode="points", near_term_sprints=1.5, velocity_sprints=2, near_term_planned=False)


def both(con: store.Store, snapshot_id: int, rules: Rules, previous_id: int | None = -1) -> tuple[dict, dict]:
    """(the summary read without pandas, `SnapshotMetrics.to_dict()`) of a stored snapshot."""
    lean = stored_summary(con, snapshot_id, rules, NOW, previous_id=previous_id)
    assert lean is not None, "the snapshot has a stored scan: the summary must not fall back"
    return lean, stored_metrics(con, snapshot_id, rules, NOW, previous_id=previous_id).to_dict()


@pytest.mark.parametrize("rules", [Rules(), ODD_RULES, POINTS_RULES], ids=["default", "odd", "points"])
def test_the_summary_equals_snapshot_metrics_on_every_demo_snapshot(demo_db, rules):
    with api.open_store(demo_db, read_only=True) as con:
        ids = [row["id"] for row in api.snapshot_listing(con)]
        pairs = [both(con, snapshot_id, rules) for snapshot_id in ids]
    for lean, full in pairs:
        assert lean == full
    assert {full["backlog"] for _, full in pairs} == {"CHECKOUT", "MOBILE"}
    assert sum(full["previous_snapshot"] is None for _, full in pairs) == 2  # each backlog's first
    assert all(full["churn"]["movers"] for _, full in pairs if full["previous_snapshot"])
    assert any(full["duplicates"]["candidates"] for _, full in pairs)


def test_the_summary_without_a_comparison_and_against_an_older_snapshot(demo_db):
    with api.open_store(demo_db, read_only=True) as con:
        lean, full = both(con, 13, Rules(), previous_id=None)
        assert lean == full and lean["churn"] is None and lean["growth"]["added"] is None
        lean, full = both(con, 13, Rules(), previous_id=2)
        assert lean == full and lean["previous_snapshot"]["id"] == 2


def reranked(snapshot, days: int = 14):
    """The snapshot two weeks on: its top three backlog items done, the rest re-ranked."""
    items = snapshot.items.copy()
    order = list(items.loc[items["is_backlog"]].sort_values("rank_position").index)
    done, rest = order[:3], order[3:]
    shuffled = rest[1::2][::-1] + rest[::2]
    items.loc[done, "status_category"] = "Done"
    items.loc[done, "is_backlog"] = False
    items["rank_position"] = items["rank_position"].astype("Int64")
    items.loc[done, "rank_position"] = None
    items.loc[shuffled, "rank_position"] = range(1, len(shuffled) + 1)
    return replace(snapshot, items=items, taken_at=snapshot.taken_at + timedelta(days=days))


@pytest.fixture(scope="module")
def cloud_db(tmp_path_factory) -> Path:
    """A real Jira Cloud export stored twice: as exported, then with work done and re-ranked."""
    db = tmp_path_factory.mktemp("cloud") / "store.duckdb"
    first = api.read_jira_csv(JIRA_CSV / "cloud-2026-en.csv").snapshot
    with api.open_store(db) as con:
        api.write_snapshots(con, [first, reranked(first)])
    return db


@pytest.mark.parametrize(
    "rules",
    [Rules(), Rules(near_term_mode="count", near_term_count=4), ODD_RULES, POINTS_RULES],
    ids=["default", "count-4", "odd", "points"],
)
def test_the_summary_equals_snapshot_metrics_on_a_jira_cloud_export(cloud_db, rules):
    with api.open_store(cloud_db, read_only=True) as con:
        (first_lean, first), (lean, full) = both(con, 1, rules), both(con, 2, rules)
    assert first_lean == first and first["previous_snapshot"] is None
    assert lean == full
    assert full["growth"]["finished"] == 3 and full["churn"]["rbo"] < 0.5 and full["churn"]["movers"]
    if rules.near_term_mode == "count":
        assert full["near_term"]["rule"] == {"mode": "count", "count": rules.near_term_count,
                                             **({"include_started": True} if rules.near_term_include_started else {})}


@pytest.mark.parametrize("export", ["cloud-minimal", "server-2018-en", "cloud-es"])
def test_the_summary_equals_snapshot_metrics_on_other_exports(tmp_path, export):
    """cloud-minimal has no backlog item at all (its second snapshot is the same content)."""
    first = api.read_jira_csv(JIRA_CSV / f"{export}.csv").snapshot
    with api.open_store(tmp_path / "store.duckdb") as con:
        api.write_snapshots(con, [first, reranked(first)])
        pairs = [both(con, row["id"], Rules()) for row in api.snapshot_listing(con)]
    assert all(lean == full for lean, full in pairs)
    assert [full["backlog_items"] == 0 for _, full in pairs] == [export == "cloud-minimal"] * len(pairs)


def test_without_a_stored_scan_the_summary_falls_back_to_the_frames(demo_db):
    rules = Rules(duplicate_threshold=0.3)  # below the stored scans' 0.4: candidates are found anew
    with api.open_store(demo_db, read_only=True) as con:
        assert stored_summary(con, 13, rules, NOW) is None
        assert api.metrics_summary(con, "CHECKOUT", 13, rules, now=NOW) == api.snapshot_metrics(
            con, "CHECKOUT", 13, rules, now=NOW
        ).to_dict()


def test_one_step_of_churn_equals_the_histories(demo_db):
    with api.open_store(demo_db, read_only=True) as con:
        steps = [Step(i, i - 1 if i > 1 else None, 10) for i in range(1, 14)]
        history = churn_of_changes(snapshot_changes(con, steps))
        assert [churn_of_step(step_changes(con, step)) for step in steps] == history
    assert history[0] is None and all(history[1:])


@given(st.permutations(range(60)))
def test_inversions_counted_in_python_are_the_pairs_out_of_order(order):
    pairs = sum(order[i] > order[j] for i in range(len(order)) for j in range(i + 1, len(order)))
    assert churn_module._inversion_count(list(order)) == pairs


def test_inversions_of_a_long_order_counted_with_numpy_are_pythons(monkeypatch):
    order = list(range(churn_module.NUMPY_FROM + 500))
    random.Random(3).shuffle(order)
    with_numpy = churn_module._inversion_count(order)
    monkeypatch.setattr(churn_module, "NUMPY_FROM", len(order) + 1)
    assert churn_module._inversion_count(order) == with_numpy


def loaded_modules(*args: str) -> tuple[int, str, set[str]]:
    """(exit code, output, heavy modules imported) of `backlog-health ARGS` in a fresh process."""
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['backlog-health', *{list(args)!r}]\n"
        "try:\n"
        "    runpy.run_module('backlog_health.cli', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    status = exit.code\n"
        f"print('HEAVY', *sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    heavy = done.stderr.rsplit("HEAVY", 1)[1].split()
    return done.returncode, done.stdout + done.stderr, set(heavy)


def test_metrics_json_imports_no_pandas_numpy_or_pyarrow(demo_db):
    status, output, heavy = loaded_modules("metrics", "--db", str(demo_db), "--backlog", "CHECKOUT", "--json")
    assert status == 0 and '"ready_points_ahead"' in output
    assert heavy == set()
    status, output, heavy = loaded_modules("metrics", "--db", str(demo_db), "--backlog", "MOBILE")
    assert status == 0 and "ready near term" in output
    assert heavy == set()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "the store holds several backlogs (CHECKOUT, MOBILE); choose one with --backlog"),
        (("--backlog", "NOPE"), 'no backlog named "NOPE"'),
        (("--backlog", "CHECKOUT", "--at", "999"), "no snapshot 999"),
    ],
)
def test_metrics_errors_import_no_pandas(demo_db, args, message):
    status, output, heavy = loaded_modules("metrics", "--json", "--db", str(demo_db), *args)
    assert status == 1 and message in output and "Traceback" not in output
    assert heavy == set()


def test_the_summary_equals_snapshot_metrics_across_snapshots_rebuilt_from_jiras_changelog(tmp_path, history_site):
    db = tmp_path / "store.duckdb"
    with FakeJira(history_site) as fake:
        assert ingest(fake, db, "--board", "4", "--backfill", "3").exit_code == 0
    with api.open_store(db, read_only=True) as con:
        pairs = [both(con, row["id"], Rules()) for row in api.snapshot_listing(con)]
    assert all(lean == full for lean, full in pairs)
    assert sum("not known" in full.get("churn_not_known", "") for _, full in pairs) == 3
