"""Any tracker's CSV through a column mapping."""

from __future__ import annotations

from datetime import datetime

import pytest

from backlog_health.errors import InputError
from backlog_health.ingest.generic_csv import parse_map_options, read_generic_csv, read_mapping_file

MAPPING = {
    "key": "ID",
    "summary": "Title",
    "status": "State",
    "story_points": "Points",
    "rank": "Priority",
    "duplicates": "Duplicate of",
    "blocked_by": "Blocked by",
    "labels": "Tags",
    "sprint": "Iterations",
    "created": "Opened",
    "issue_type": "Kind",
    "parent": "Parent",
}

CSV = """ID,Title,State,Points,Priority,Duplicate of,Blocked by,Tags,Iterations,Opened,Kind,Parent
WEB-1,Login page,Open,3,2,,,ui;auth,S1;S2,2026-01-05,Story,
WEB-2,Sign-in page,Open,,1,WEB-1,WEB-3,ui,,2026-01-06,Story,
WEB-3,Old thing,Closed,5,3,,,,S1,2026-01-02,Story,
WEB-4,Unranked,In Progress,2,,,,,,2026-01-07,Task,
WEB-5,Part of login,Open,1,0,,,,,2026-01-07,Sub-task,WEB-1
"""


def write(tmp_path, text: str, name: str = "tracker.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_mapped_columns_land_in_the_canonical_shape(tmp_path):
    snapshot = read_generic_csv(write(tmp_path, CSV), MAPPING).snapshot
    items = snapshot.items.set_index("key")
    assert snapshot.backlog == "WEB" and snapshot.source_kind == "csv"
    # Closed counts as Done without a status category; In Progress is recognised.
    assert items.loc["WEB-3", "status_category"] == "Done"
    assert items.loc["WEB-4", "status_category"] == "In Progress"
    # Numeric rank: lower first; unranked after ranked; done and sub-tasks not ranked.
    assert items.loc["WEB-2", "rank_position"] == 1
    assert items.loc["WEB-1", "rank_position"] == 2
    assert items.loc["WEB-4", "rank_position"] == 3
    assert items["rank_position"].isna().sum() == 2
    assert list(items.loc["WEB-1", "labels"]) == ["ui", "auth"]
    assert list(items.loc["WEB-1", "sprints"]) == ["S1", "S2"]
    assert items.loc["WEB-5", "parent_key"] == "WEB-1" and items.loc["WEB-5", "is_subtask"]
    links = set(map(tuple, snapshot.links.values))
    assert ("WEB-2", "WEB-1", "Duplicate", "outward") in links
    assert ("WEB-2", "WEB-3", "Blocks", "inward") in links


def test_numeric_ranks_sort_as_numbers_not_strings(tmp_path):
    text = "ID,Title,Priority\n" + "".join(f"T-{i},Item {i},{r}\n" for i, r in enumerate([10, 9, 100, 2]))
    snapshot = read_generic_csv(write(tmp_path, text), {"key": "ID", "summary": "Title", "rank": "Priority"}).snapshot
    order = snapshot.items.sort_values("rank_position")["key"].tolist()
    assert order == ["T-3", "T-1", "T-0", "T-2"]


def test_junk_in_a_numeric_rank_column_is_an_error(tmp_path):
    text = "ID,Title,Priority\nT-1,A,1\nT-2,B,2\nT-3,C,soon\n"
    with pytest.raises(InputError, match=r'row 4, column "Priority": expected a number'):
        read_generic_csv(write(tmp_path, text), {"key": "ID", "summary": "Title", "rank": "Priority"})


def test_durations_are_read_as_seconds(tmp_path):
    text = "ID,Title,Estimate\nT-1,A,1d 4h\nT-2,B,3600\n"
    snapshot = read_generic_csv(
        write(tmp_path, text), {"key": "ID", "summary": "Title", "original_estimate": "Estimate"}
    ).snapshot
    assert list(snapshot.items["original_estimate_seconds"]) == [12 * 3600, 3600]


def test_mapping_errors_name_the_problem(tmp_path):
    path = write(tmp_path, CSV)
    with pytest.raises(InputError, match='tracker.csv: no column "Name" in the file; its columns are "ID"'):
        read_generic_csv(path, {"key": "ID", "summary": "Name"})
    with pytest.raises(InputError, match="the mapping needs summary"):
        read_generic_csv(path, {"key": "ID"})
    with pytest.raises(InputError, match="unknown field"):
        read_generic_csv(path, {"key": "ID", "summary": "Title", "colour": "State"})


def test_map_options_and_mapping_files(tmp_path):
    assert parse_map_options(["key=ID", "summary = Title "]) == {"key": "ID", "summary": "Title"}
    with pytest.raises(ValueError, match="FIELD=COLUMN"):
        parse_map_options(["key"])
    toml = tmp_path / "map.toml"
    toml.write_text('[columns]\nkey = "ID"\nsummary = "Title"\n')
    assert read_mapping_file(toml) == {"key": "ID", "summary": "Title"}
    toml.write_text("columns = 3\n")
    with pytest.raises(InputError, match=r"\[columns\] table"):
        read_mapping_file(toml)


def test_keys_without_a_project_prefix_take_the_file_name(tmp_path):
    path = write(tmp_path, "ID,Title\n1,A\n2,B\n", "team-board.csv")
    snapshot = read_generic_csv(path, {"key": "ID", "summary": "Title"}).snapshot
    assert snapshot.backlog == "team-board"


def test_rows_are_numbered_from_one_in_file_order(tmp_path):
    items = read_generic_csv(write(tmp_path, CSV), MAPPING).snapshot.items
    assert items.set_index("key")["row_number"].to_dict() == {"WEB-1": 1, "WEB-2": 2, "WEB-3": 3, "WEB-4": 4, "WEB-5": 5}


def test_numeric_dates_follow_the_order_another_row_proves(tmp_path):
    # 16/02 can only be day/month, so 03/04 is the 3rd of April.
    text = "ID,Title,State,Opened\nA-1,One,Open,16/02/2017 15:26\nA-2,Two,Open,03/04/2017 10:00\n"
    items = read_generic_csv(write(tmp_path, text), {"key": "ID", "summary": "Title", "status": "State",
                                                   "created": "Opened"}).snapshot.items
    created = items.set_index("key")["created"]
    assert created["A-2"].to_pydatetime().replace(tzinfo=None) == datetime(2017, 4, 3, 10, 0)


def test_a_duplicate_key_is_named_unquoted_with_both_rows(tmp_path):
    path = write(tmp_path, "ID,Title,State\nA-1,One,Open\nA-1,Two,Open\n")
    with pytest.raises(InputError) as error:
        read_generic_csv(path, {"key": "ID", "summary": "Title", "status": "State"})
    assert str(error.value) == (
        'tracker.csv, row 3, column "ID": key A-1 appears twice (rows 2 and 3); expected unique keys'
    )


def test_a_missing_column_lists_the_first_twenty_columns(tmp_path):
    header = [f"C{i}" for i in range(1, 21)]
    mapping = {"key": "C1", "summary": "C2", "status": "Nope"}
    with pytest.raises(InputError) as error:
        read_generic_csv(write(tmp_path, ",".join(header) + "\n" + ",".join("x" * 20) + "\n"), mapping)
    assert str(error.value).endswith('"C19", "C20"')  # exactly twenty: nothing left out
    with pytest.raises(InputError, match=r'"C20" \.\.\.$'):
        read_generic_csv(write(tmp_path, ",".join([*header, "C21"]) + "\n" + ",".join("x" * 21) + "\n"), mapping)



@pytest.mark.parametrize("option", ["key", "=ID", "key=", " = "])
def test_a_malformed_map_option_is_refused(option):
    with pytest.raises(ValueError, match="--map expects FIELD=COLUMN"):
        parse_map_options([option])


def test_a_bad_date_names_row_and_column(tmp_path):
    path = write(tmp_path, "ID,Title,State,Opened\nA-1,One,Open,2016-13-45\n")
    with pytest.raises(InputError, match=r'tracker.csv, row 2, column "Opened": expected a date'):
        read_generic_csv(path, {"key": "ID", "summary": "Title", "status": "State", "created": "Opened"})
