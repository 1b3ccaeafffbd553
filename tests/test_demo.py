"""The demo history: deterministic, well-formed, and showing what backlog health is about."""

from __future__ import annotations

import difflib
import re
from datetime import timedelta
from itertools import combinations, pairwise

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backlog_health.model import (
    ITEM_COLUMNS,
    LINK_COLUMNS,
    SPRINT_COLUMNS,
    STATUS_CATEGORIES,
    Snapshot,
)
from backlog_health.store import connect, list_snapshots, snapshot_items
from backlog_health.api import load_demo
from backlog_health.ingest.demo import demo_snapshots
from backlog_health.ingest.demo.tables import teams
from backlog_health.ingest.demo.timeline import SPRINT_COUNT
from backlog_health.ingest.markup import wiki_to_text

FIBONACCI = {1, 2, 3, 5, 8, 13}
LEXORANK = re.compile(r"^0\|[0-9a-z]{6}:[0-9a-z]*$")
WIKI_MARKER = re.compile(r"^(h[1-6]\.|[*#]+)\s", re.MULTILINE)


@pytest.fixture(scope="module")
def snapshots() -> list[Snapshot]:
    return demo_snapshots()


def by_backlog(snapshots: list[Snapshot]) -> dict[str, list[Snapshot]]:
    grouped: dict[str, list[Snapshot]] = {}
    for snapshot in snapshots:
        grouped.setdefault(snapshot.backlog, []).append(snapshot)
    return grouped


def ranked(snapshot: Snapshot) -> pd.DataFrame:
    items = snapshot.items
    return items[items["is_backlog"]].sort_values("rank_position")


def text(value: object) -> str:
    return value if isinstance(value, str) else ""


def similar(a: object, b: object, threshold: float) -> bool:
    """difflib's similarity ratio reaches `threshold` (cheap upper bounds checked first)."""
    matcher = difflib.SequenceMatcher(None, text(a).lower(), text(b).lower())
    return (
        matcher.real_quick_ratio() >= threshold
        and matcher.quick_ratio() >= threshold
        and matcher.ratio() >= threshold
    )


# --- determinism and shape ---


@pytest.mark.slow
def test_same_seed_gives_identical_content(snapshots):
    again = demo_snapshots(7)
    assert [(s.backlog, s.taken_at, s.content_hash()) for s in again] == [
        (s.backlog, s.taken_at, s.content_hash()) for s in snapshots
    ]


@pytest.mark.slow
def test_another_seed_gives_another_history(snapshots):
    other = demo_snapshots(8)
    assert {s.content_hash() for s in other}.isdisjoint({s.content_hash() for s in snapshots})


def test_two_backlogs_with_a_snapshot_per_sprint_boundary(snapshots):
    grouped = by_backlog(snapshots)
    assert len(grouped) == 2
    for backlog_snapshots in grouped.values():
        assert len(backlog_snapshots) >= 12
        gaps = {b.taken_at - a.taken_at for a, b in pairwise(backlog_snapshots)}
        assert gaps == {timedelta(days=14)}
        assert all(s.taken_at.weekday() == 0 for s in backlog_snapshots)  # Monday mornings
    assert [(s.backlog, s.taken_at) for s in snapshots] == sorted((s.backlog, s.taken_at) for s in snapshots)


def test_snapshot_frames_have_the_canonical_columns(snapshots):
    for snapshot in snapshots:
        assert snapshot.source_kind == "demo"
        assert snapshot.source_name == "demo (seed 7)"
        assert 250 <= snapshot.row_count <= 400
        assert tuple(snapshot.items.columns) == ITEM_COLUMNS
        assert tuple(snapshot.links.columns) == LINK_COLUMNS
        assert tuple(snapshot.sprints.columns) == SPRINT_COLUMNS
        assert list(snapshot.items["row_number"]) == list(range(1, snapshot.row_count + 1))
        assert snapshot.items["key"].is_unique


def test_rows_are_well_formed(snapshots):
    for snapshot in snapshots:
        items = snapshot.items
        assert set(items["status_category"]) <= set(STATUS_CATEGORIES)
        assert (items["is_subtask"] == (items["issue_type"] == "Sub-task")).all()
        assert (items["is_epic"] == (items["issue_type"] == "Epic")).all()
        assert items["key"].str.fullmatch(rf"{snapshot.backlog}-\d+").all()
        assert set(items["story_points"].dropna()) <= FIBONACCI
        for column in ("labels", "components", "fix_versions", "sprints"):
            assert items[column].map(lambda v: isinstance(v, list)).all(), column
        assert items["custom_fields"].map(lambda v: v is None or isinstance(v, dict)).all()
        assert (items["created"] <= items["updated"]).all()
        assert (items["updated"] <= snapshot.taken_at).all()
        done = items["status_category"] == "Done"
        assert items.loc[done & ~items["is_epic"], "resolved"].notna().all()
        assert items.loc[~done, "resolved"].isna().all()


def test_parents_follow_jira_hierarchy(snapshots):
    for snapshot in snapshots:
        items = snapshot.items
        types = dict(zip(items["key"], items["issue_type"], strict=True))
        subtasks = items[items["is_subtask"]]
        assert subtasks["parent_key"].notna().all()
        assert {types[k] for k in subtasks["parent_key"] if k in types} <= {"Story"}
        stories = items[items["issue_type"] == "Story"]
        assert {types.get(k) for k in stories["parent_key"]} == {"Epic"}


def test_some_items_carry_custom_fields(snapshots):
    for snapshot in snapshots:
        fields = snapshot.items["custom_fields"]
        assert fields.map(lambda f: f is not None and "Team" in f).any()
        assert fields.isna().any()


def test_description_text_is_the_raw_text_without_markup(snapshots):
    for snapshot in snapshots:
        items = snapshot.items
        assert (items["description_raw"].isna() == items["description_text"].isna()).all()
        described = items.dropna(subset=["description_raw"])
        for raw, plain in zip(described["description_raw"], described["description_text"], strict=True):
            assert not WIKI_MARKER.search(plain)
            assert WIKI_MARKER.sub("", raw).replace(" ", "") == plain.replace(" ", "")
        with_criteria = described["description_raw"].str.contains("h3. Acceptance criteria", regex=False)
        assert with_criteria.any() and not with_criteria.all()


def test_description_text_is_the_jira_ingests_text_with_blank_lines_kept(snapshots):
    # The demo keeps paragraph breaks that `wiki_to_text` collapses into one line end.
    for snapshot in snapshots:
        described = snapshot.items.dropna(subset=["description_raw"])
        for raw, plain in zip(described["description_raw"], described["description_text"], strict=True):
            assert wiki_to_text(raw) == re.sub(r"\n{2,}", "\n", plain)


# --- the story tables ---


def test_story_tables_fit_the_calendar_and_name_known_epics():
    for team in teams():
        assert len(team.velocity) == len(team.grooming) == len(team.releases) == SPRINT_COUNT
        assert all(0 <= effort <= 1 for effort in team.grooming)
        sprints = [sprint for sprint, _ in team.reshuffles] + [team.cleanup[0]]
        sprints += [d.arrives or 1 for d in team.duplicates] + [d.closed or 1 for d in team.duplicates]
        assert all(1 <= sprint <= SPRINT_COUNT for sprint in sprints)
        epics = range(len(team.epics))
        assert all(s.epic in epics for s in team.stories) and all(d.epic in epics for d in team.duplicates)
        assert {e.label for e in team.epics if e.label} <= set(team.labels)
        assert team.stories and team.bugs and team.tasks and all(b.steps for b in team.bugs)


# --- ranks ---


def test_rank_positions_number_the_backlog_in_rank_string_order(snapshots):
    for snapshot in snapshots:
        items = snapshot.items
        backlog = items[items["is_backlog"]]
        assert sorted(backlog["rank_position"]) == list(range(1, len(backlog) + 1))
        assert items.loc[~items["is_backlog"], "rank_position"].isna().all()
        assert backlog.sort_values("rank")["rank_position"].tolist() == list(range(1, len(backlog) + 1))
        assert items["rank"].map(lambda r: bool(LEXORANK.match(r))).all()


def test_top_20_order_changes_and_some_items_jump(snapshots):
    for backlog_snapshots in by_backlog(snapshots).values():
        changed, jumps_up, jumps_down = 0, [], []
        for before, after in pairwise(backlog_snapshots):
            order_before, order_after = ranked(before)["key"], ranked(after)["key"]
            changed += order_before.head(20).tolist() != order_after.head(20).tolist()
            jumps_up.append(len(set(order_before.iloc[40:]) & set(order_after.head(20))))
            jumps_down.append(len(set(order_before.head(20)) & set(order_after.iloc[40:])))
        transitions = len(backlog_snapshots) - 1
        assert changed == transitions
        assert sum(n > 0 for n in jumps_up) >= transitions / 2, jumps_up  # routine re-ranking
        assert max(jumps_up) >= 5, jumps_up  # at least one big reshuffle
        assert sum(jumps_down) > 0, jumps_down


# --- duplicates and links ---


def test_duplicate_links_join_near_identical_items(snapshots):
    for backlog_snapshots in by_backlog(snapshots).values():
        linked = 0
        for snapshot in backlog_snapshots:
            summaries = dict(zip(snapshot.items["key"], snapshot.items["summary"], strict=True))
            duplicates = snapshot.links[snapshot.links["link_type"] == "Duplicate"]
            for source, target in zip(duplicates["from_key"], duplicates["to_key"], strict=True):
                if target in summaries:
                    assert similar(summaries[source], summaries[target], 0.7)
                    linked += 1
        assert linked > 0


@pytest.mark.slow
def test_backlogs_hold_unlinked_near_duplicates(snapshots):
    for backlog_snapshots in by_backlog(snapshots).values():
        snapshot = backlog_snapshots[-1]
        backlog = ranked(snapshot)
        rows = list(zip(backlog["key"], backlog["summary"], backlog["description_text"], strict=True))
        pairs = set()
        for (key_a, summary_a, text_a), (key_b, summary_b, text_b) in combinations(rows, 2):
            if similar(summary_a, summary_b, 0.7) and similar(text_a, text_b, 0.8):
                pairs.add(frozenset((key_a, key_b)))
        assert len(pairs) >= 4
        linked = {
            frozenset(pair)
            for pair in zip(snapshot.links["from_key"], snapshot.links["to_key"], strict=True)
        }
        assert pairs - linked, "some duplicates should be left for the metric to find"


def test_blocks_links_are_recorded_on_both_items(snapshots):
    for snapshot in snapshots:
        links = snapshot.links
        blocks = links[links["link_type"] == "Blocks"]
        assert len(blocks) > 0
        keys = set(snapshot.items["key"])
        rows = set(zip(links["from_key"], links["to_key"], links["link_type"], links["direction"], strict=True))
        for source, target, link_type, direction in rows:
            assert source in keys
            if target in keys:
                mirror = "inward" if direction == "outward" else "outward"
                assert (target, source, link_type, mirror) in rows


# --- readiness and estimates ---


def is_ready(items: pd.DataFrame) -> pd.Series:
    criteria = items["description_text"].map(lambda t: "Acceptance criteria" in text(t))
    return items["story_points"].notna() & items["assignee"].notna() & criteria


def test_the_near_term_has_readiness_gaps(snapshots):
    for snapshot in snapshots:
        top = ranked(snapshot).head(20)
        lacking = top["story_points"].isna() | top["assignee"].isna()
        assert lacking.any() and not lacking.all()


def test_readiness_improves_in_some_sprints_and_slips_in_others(snapshots):
    for backlog_snapshots in by_backlog(snapshots).values():
        ready = [int(is_ready(ranked(s).head(20)).sum()) for s in backlog_snapshots]
        changes = [b - a for a, b in pairwise(ready)]
        assert max(changes) > 0 and min(changes) < 0, ready


def test_the_long_term_backlog_is_mostly_unestimated(snapshots):
    for snapshot in snapshots:
        backlog = ranked(snapshot)
        near, far = backlog.head(20), backlog.iloc[50:]
        assert far["story_points"].isna().mean() > 0.6
        assert far["story_points"].isna().mean() > near["story_points"].isna().mean()


def test_some_big_items_have_no_subtasks(snapshots):
    for snapshot in snapshots:
        items = snapshot.items
        parents = set(items.loc[items["is_subtask"], "parent_key"])
        backlog = ranked(snapshot)
        big = backlog[backlog["story_points"] > 8]
        assert (~big["key"].isin(parents)).any()
        assert parents & set(backlog["key"])  # others were broken down


def test_some_near_term_items_are_stale(snapshots):
    for backlog_snapshots in by_backlog(snapshots).values():
        stale = [
            ((s.taken_at - ranked(s).head(40)["updated"]) > pd.Timedelta(days=90)).sum()
            for s in backlog_snapshots
        ]
        assert max(stale) > 0


# --- flow between snapshots ---


def test_items_finish_and_arrive_between_snapshots(snapshots):
    for backlog_snapshots in by_backlog(snapshots).values():
        for before, after in pairwise(backlog_snapshots):
            open_before = set(before.items.loc[before.items["status_category"] != "Done", "key"])
            items = after.items
            finished = items[
                items["key"].isin(open_before)
                & (items["status_category"] == "Done")
                & (items["resolved"] > before.taken_at)
            ]
            arrived = ~items["key"].isin(before.items["key"]) & ~items["is_subtask"]
            assert len(finished) > 0
            assert arrived.any()


def test_velocity_is_plausible(snapshots):
    for backlog_snapshots in by_backlog(snapshots).values():
        for before, after in pairwise(backlog_snapshots):
            items = after.items
            done = items[
                (items["resolution"] == "Done") & ~items["is_subtask"] & (items["resolved"] > before.taken_at)
            ]
            assert 20 <= done["story_points"].sum() <= 35


def test_sprints_frame_and_sprint_membership(snapshots):
    for backlog_snapshots in by_backlog(snapshots).values():
        for snapshot in backlog_snapshots[1:]:
            sprints = snapshot.sprints
            assert (sprints["state"] == "active").sum() == 1
            closed = sprints[sprints["state"] == "closed"]
            assert closed["complete_date"].notna().all()
            assert sprints.loc[sprints["state"] == "future", "start_date"].isna().all()
            active = sprints.loc[sprints["state"] == "active", "name"].item()
            items = snapshot.items
            in_active = items[[active in names for names in items["sprints"]]]
            assert (in_active["status_category"] == "Done").any()
            known = set(sprints["name"])
            assert all(set(names) <= known for names in items["sprints"])
        carried = [
            s.items["sprints"].map(len).max() for s in backlog_snapshots
        ]
        assert max(carried) >= 2  # carry-over items list several sprints


# --- loading into a store ---


@pytest.mark.slow
def test_load_demo_creates_every_snapshot_once(tmp_path, snapshots):
    con = connect(tmp_path / "s.duckdb")
    calls: list[tuple[int, int]] = []
    created = load_demo(con, progress=lambda done, total: calls.append((done, total)))
    assert created == len(snapshots)
    assert len(list_snapshots(con)) == len(snapshots)
    assert calls == [(n, len(snapshots)) for n in range(1, len(snapshots) + 1)]

    latest = list_snapshots(con, "MOBILE").iloc[-1]
    assert len(snapshot_items(con, int(latest["id"]))) == snapshots[-1].backlog_item_count

    assert load_demo(con) == 0
    assert len(list_snapshots(con)) == len(snapshots)
    con.close()


@pytest.mark.property
@settings(max_examples=3, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_any_seed_gives_well_formed_snapshots(seed):
    for snapshot in demo_snapshots(seed):
        items = snapshot.items
        assert tuple(items.columns) == ITEM_COLUMNS
        backlog = items[items["is_backlog"]]
        assert backlog.sort_values("rank")["rank_position"].tolist() == list(range(1, len(backlog) + 1))
        assert items["key"].is_unique
