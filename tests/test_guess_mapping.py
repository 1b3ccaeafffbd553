"""Column-mapping guesses for the Upload page, and recognizing a Jira export."""

from __future__ import annotations

import pytest

from backlog_health.ingest.csv_file import read_csv_table
from backlog_health.ingest.generic_csv import FIELDS, read_generic_csv, validate_mapping
from backlog_health.ingest.guess_mapping import guess_mapping, header_words, is_jira_export
from tests.conftest import JIRA_CSV


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("Story Points", ("story", "points")),
        ("storyPoints", ("story", "points")),
        ("story_points", ("story", "points")),
        ("Custom field (Story Points)", ("story", "points")),
        ("  Assigned-To ", ("assigned", "to")),
    ],
)
def test_header_words(header, words):
    assert header_words(header) == words


def test_azure_devops_like_header():
    header = ["ID", "Work Item Type", "Title", "State", "Story Points", "Assigned To", "Iteration Path",
              "Tags", "Created Date", "Changed Date", "Parent", "Backlog Priority", "Created By"]
    assert guess_mapping(header) == {
        "key": "ID", "summary": "Title", "status": "State", "issue_type": "Work Item Type",
        "story_points": "Story Points", "assignee": "Assigned To", "rank": "Backlog Priority",
        "sprint": "Iteration Path", "parent": "Parent", "labels": "Tags", "created": "Created Date",
        "updated": "Changed Date",
    }


def test_trello_like_header_and_synonyms():
    header = ["Card ID", "Card Name", "List", "Labels", "Due", "Description", "Estimate"]
    mapping = guess_mapping(header)
    assert mapping["summary"] == "Card Name"
    assert mapping["status"] == "List"
    assert mapping["labels"] == "Labels"
    assert mapping["description"] == "Description"
    assert mapping["story_points"] == "Estimate"
    assert mapping["key"] == "Card ID"


def test_each_column_and_field_used_once_and_exact_names_win():
    header = ["Key", "ID", "Summary", "Title", "Points", "Estimate"]
    mapping = guess_mapping(header)
    assert mapping["key"] == "Key" and mapping["summary"] == "Summary"
    assert mapping["story_points"] == "Points"
    assert len(set(mapping.values())) == len(mapping)
    assert set(mapping) <= set(FIELDS)


def test_unrelated_words_are_not_guessed():
    # "Created by" is a person, not a date; "Priority" is not the rank order.
    assert guess_mapping(["Created by", "Priority", "Foo"]) == {}


def test_guess_reads_a_generic_file(tmp_path):
    path = tmp_path / "board.csv"
    path.write_text("Ticket ID,Name,State,Order,Points\nB-1,First,Open,2,3\nB-2,Second,Done,1,5\nB-3,Third,Open,3,\n")
    header = read_csv_table(path).header
    mapping = guess_mapping(header)
    validate_mapping(mapping, header, path.name)
    snapshot = read_generic_csv(path, mapping).snapshot
    backlog = snapshot.items[snapshot.items["is_backlog"]].sort_values("rank_position")
    assert list(backlog["key"]) == ["B-1", "B-3"]  # B-2 is done; order 2 before 3


@pytest.mark.parametrize("name", ["cloud-2026-en.csv", "server-2018-en.csv", "cloud-es.csv", "cloud-minimal.csv"])
def test_real_jira_exports_are_recognized(name):
    assert is_jira_export(read_csv_table(JIRA_CSV / name).header)


@pytest.mark.parametrize(
    "header",
    [["ID", "Title", "State"], ["Key", "Summary", "Status"], ["Issue key", "Summary"], []],
)
def test_other_headers_are_not_jira_exports(header):
    assert not is_jira_export(header)
