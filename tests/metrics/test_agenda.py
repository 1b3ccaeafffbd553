"""The refinement agenda: inline rows with hand-computed sections and reasons."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from backlog_health.metrics.agenda import agenda, issue_url, next_up_keys
from backlog_health.metrics.near_term import near_term
from backlog_health.metrics.agenda_markdown import agenda_markdown
from backlog_health.metrics.report import snapshot_metrics
from backlog_health.rules import CustomCheck, Rules
from tests.builders import snapshot

NOW = datetime(2026, 3, 2, 9, 0)
READY = {
    "description_text": "Acceptance criteria: one two three four five six seven eight nine ten",
    "story_points": 3, "assignee": "Ann", "updated": datetime(2026, 3, 1),
}
RULES = Rules(near_term_mode="count", near_term_count=3, near_term_planned=False)

CURRENT = [
    {"key": "A", **READY},
    {"key": "B", **READY},  # blocked by X, which is in progress
    {"key": "C", **READY, "description_text": "one two three four five six seven eight nine ten",
     "assignee": None, "story_points": 13},
    {"key": "D", **READY},
    {"key": "E", **READY, "story_points": None},
    {"key": "F", **READY, "assignee": None},
    {"key": "X", **READY, "status": "In Progress", "status_category": "In Progress"},
    {"key": "G", **READY, "updated": datetime(2025, 1, 1)},
    {"key": "H", **READY, "updated": datetime(2025, 6, 1)},
]
LINKS = [("B", "X", "Blocks", "inward"), ("D", "E", "Duplicate", "outward")]
PREVIOUS_ORDER = ["A", "D", "B", "E", "F", "C", "X", "G", "H"]


def build(rules: Rules = RULES, rows: list[dict] = CURRENT, links=LINKS, previous: bool = True, **kwargs):
    current = snapshot(rows, links, snapshot_id=2)
    before = None
    if previous:
        by_key = {row["key"]: row for row in rows}
        before = snapshot([by_key[k] for k in PREVIOUS_ORDER], links, taken_at=datetime(2026, 2, 16),
                          snapshot_id=1)
    candidates = pd.DataFrame({"key_a": ["A"], "key_b": ["F"], "score": [0.8123]})
    metrics = snapshot_metrics(current, before, rules, NOW, candidates=candidates)
    return agenda(current, before, metrics, rules, **kwargs)


def test_not_ready_is_the_failing_near_term_in_rank_order_with_reasons():
    result = build()
    assert [(i.key, i.rank_position, i.failing, i.reasons) for i in result.not_ready] == [
        ("B", 2, ("unblocked",), ("blocked by X (In Progress)",)),
        ("C", 3, ("acceptance_criteria", "assigned", "sized"),
         ("no acceptance criteria", "unassigned", "13 points and no sub-tasks")),
    ]
    c = result.not_ready[1]
    assert (c.summary, c.status, c.assignee, c.story_points, c.url) == ("Item C", "To Do", None, 13.0, None)


def test_next_up_is_the_next_n_failing_items_unestimated_first():
    result = build()
    assert [(i.key, i.reasons) for i in result.next_up] == [("E", ("no estimate",)), ("F", ("unassigned",))]


def test_duplicates_list_candidates_then_linked_pairs():
    result = build()
    assert [(d.key_a, d.key_b, d.kind, d.score) for d in result.duplicates] == [
        ("A", "F", "candidate", 0.8123), ("D", "E", "linked", None),
    ]


def test_rank_changes_are_items_that_entered_the_near_term():
    result = build()
    # The previous near term was A, D, B: only C entered (from position 6).
    assert [(c.key, c.previous_position, c.rank_position, c.ready) for c in result.rank_changes] == [
        ("C", 6, 3, False),
    ]
    assert build(previous=False).rank_changes == ()


def test_stale_is_long_term_items_idle_for_stale_days_oldest_first():
    result = build()
    assert [(s.key, s.updated, s.idle_days) for s in result.stale] == [
        ("G", "2025-01-01", 425), ("H", "2025-06-01", 274),
    ]
    assert result.stale_total == 2
    assert [s.key for s in build(stale_limit=1).stale] == ["G"] and build(stale_limit=1).stale_total == 2


def test_json_has_exactly_the_five_sections():
    d = build().to_dict()
    assert list(d) == ["not_ready", "next_up", "duplicates", "rank_changes", "stale"]
    assert d["not_ready"][0] == {
        "key": "B", "rank_position": 2, "summary": "Item B", "status": "To Do", "assignee": "Ann",
        "story_points": 3.0, "failing": ["unblocked"], "reasons": ["blocked by X (In Progress)"], "url": None,
    }


def test_reasons_for_descriptions_and_custom_checks():
    rows = [
        {"key": "A", **READY, "description_text": None},
        {"key": "B", **READY, "description_text": "Acceptance criteria: short"},
        {"key": "C", **READY, "custom_fields": {}},
    ]
    rules = Rules(near_term_mode="count", near_term_count=3,
                  custom_checks=(CustomCheck("ux", label="ux-ready"), CustomCheck("team", field="Team")))
    result = build(rules, rows, links=[], previous=False)
    reasons = {i.key: i.reasons for i in result.not_ready}
    assert reasons["A"] == ("no description", "no acceptance criteria", 'no "ux-ready" label', '"Team" is empty')
    assert reasons["B"][0] == "description of 3 words (needs 10)"


def test_a_done_blocker_does_not_block_and_several_open_ones_are_named():
    rows = [{"key": "A", **READY}, {"key": "Y", **READY, "status_category": "Done"},
            {"key": "Z", **READY, "status": "Selected"}]
    links = [("A", "Y", "Blocks", "inward"), ("Z", "A", "Blocks", "outward")]
    result = build(Rules(near_term_mode="count", near_term_count=1), rows, links, previous=False)
    assert result.not_ready[0].reasons == ("blocked by Z (Selected)",)


def test_links_when_the_site_is_known():
    result = build(site="https://shop.atlassian.net/")
    assert result.not_ready[0].url == "https://shop.atlassian.net/browse/B"
    assert result.duplicates[0].url_b == "https://shop.atlassian.net/browse/F"
    assert issue_url(None, "B") is None
    assert "[B](https://shop.atlassian.net/browse/B)" in agenda_markdown(result)


def test_next_up_in_points_mode_is_one_sprint_of_capacity():
    current = snapshot([{"key": k, **READY, "story_points": p} for k, p in zip("ABCDEF", [3, 3, 2, 2, 5, 1])])
    rules = Rules(near_term_mode="points", near_term_sprints=1, near_term_planned=False)
    near = near_term(current.items, rules, 5.0)
    assert near.keys == ("A", "B")  # 3 < 5, so B crosses the line and is included
    # One more sprint (10 points): before C 6, before D 8 (< 10: D is in and reaches 10), before E 10: out.
    assert next_up_keys(current.items, near, rules) == ["C", "D"]


def test_next_up_in_count_mode_is_the_next_n():
    current = snapshot([{"key": k, **READY} for k in "ABCDEFG"])
    near = near_term(current.items, RULES, None)
    assert next_up_keys(current.items, near, RULES) == ["D", "E", "F"]


def test_markdown_sections_and_cells():
    text = agenda_markdown(build())
    assert text.startswith("# Refinement agenda: T, snapshot 2 (2026-03-02)\n")
    assert "## 1. Not ready in the near term (2 of 3)" in text
    assert "| 3 | C | Item C | To Do | - | 13 | no acceptance criteria; unassigned; 13 points and no sub-tasks |" in text
    assert "## 2. Next up: would enter the near term next (2 items to refine)" in text
    assert '- A "Item A" and F "Item F": 81% similar' in text
    assert '- D "Item D" and E "Item E": linked as duplicates, both still open' in text
    assert "| C | Item C | 6 | 3 | no: no acceptance criteria; unassigned; 13 points and no sub-tasks |" in text
    assert "## 5. Stale: deletion candidates (2 not updated for 90 days)" in text
    assert "| 8 | G | Item G | 2025-01-01 | 425 |" in text


def test_markdown_of_a_first_snapshot_says_what_to_do():
    text = agenda_markdown(build(previous=False))
    assert "First snapshot: ingest another export to see what entered the near term." in text


def test_started_work_is_no_deletion_candidate():
    """A stale item already under way is not listed as stale long-term work."""
    from datetime import datetime

    from backlog_health.metrics.agenda import agenda
    from backlog_health.metrics.report import snapshot_metrics
    from backlog_health.rules import Rules
    from tests.builders import snapshot

    old = datetime(2025, 1, 1)
    rows = [
        {"key": "A-1", "story_points": 3, "assignee": "x", "updated": old},
        {"key": "A-2", "status": "In Progress", "status_category": "In Progress", "updated": old},
        {"key": "A-3", "updated": old},
    ]
    current = snapshot(rows, taken_at=datetime(2026, 1, 1))
    rules = Rules().with_near_term_count(1)
    found = agenda(current, None, snapshot_metrics(current, None, rules, datetime(2026, 1, 1)), rules)
    assert [item.key for item in found.stale] == ["A-3"]
