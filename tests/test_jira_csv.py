"""The Jira CSV reader on the real exports: facts read off the files by hand."""

from __future__ import annotations

import csv
from datetime import datetime

import pandas as pd
import pytest

from backlog_health.errors import InputError
from backlog_health.ingest.jira_csv import read_jira_csv
from tests.conftest import JIRA_CSV


def read(name: str, **kwargs):
    return read_jira_csv(JIRA_CSV / name, **kwargs).snapshot


def item(snapshot, key: str) -> dict:
    rows = snapshot.items[snapshot.items["key"] == key]
    assert len(rows) == 1, key
    return rows.iloc[0].to_dict()


def raw_rows(name: str) -> tuple[list[str], list[list[str]]]:
    with open(JIRA_CSV / name, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, [row for row in reader if any(cell.strip() for cell in row)]


@pytest.mark.parametrize(
    ("name", "rows", "backlog_items", "backlog"),
    [
        ("cloud-2026-en.csv", 311, 252, "CR+SR"),
        ("server-2018-en.csv", 90, 61, "INNT+JWP"),
        ("cloud-es.csv", 136, 80, "ADN1"),
        ("cloud-minimal.csv", 5, 0, "SCRUM"),
        ("bad-excel-resaved.csv", 1, 1, "A"),
    ],
)
def test_every_real_export_reads_with_its_counts(name, rows, backlog_items, backlog):
    snapshot = read(name)
    assert snapshot.row_count == rows
    assert snapshot.backlog_item_count == backlog_items
    assert snapshot.backlog == backlog
    positions = sorted(snapshot.items["rank_position"].dropna().astype(int))
    assert positions == list(range(1, backlog_items + 1))


def test_backlog_items_are_open_non_subtask_non_epic_rows():
    snapshot = read("cloud-2026-en.csv")
    items = snapshot.items
    # 311 rows: 44 sub-tasks and 15 epics are not backlog items; no row is Done.
    assert items["is_subtask"].sum() == 44
    assert items["is_epic"].sum() == 15
    assert (items["status_category"] != "Done").all()
    assert snapshot.backlog_item_count == 311 - 44 - 15


def test_cloud_rank_order_is_lexorank_string_order():
    snapshot = read("cloud-2026-en.csv")
    backlog = snapshot.items[snapshot.items["is_backlog"]].sort_values("rank_position")
    ranks = list(backlog["rank"])
    assert ranks == sorted(ranks)
    assert list(backlog["key"][:3]) == ["CR-306", "CR-308", "CR-309"]
    assert list(backlog["key"][-2:]) == ["SR-1519", "SR-1520"]


def test_cloud_fields_story_points_estimates_dates_and_sprints():
    snapshot = read("cloud-2026-en.csv")
    assert item(snapshot, "SR-1479")["story_points"] == 2.0
    assert item(snapshot, "CR-342")["story_points"] == 1.0
    assert snapshot.items["story_points"].notna().sum() == 2
    assert item(snapshot, "CR-98")["original_estimate_seconds"] == 331200
    first = item(snapshot, "SR-1517")
    assert first["created"] == datetime(2026, 1, 6, 9, 29)
    assert first["updated"] == datetime(2026, 1, 27, 16, 24)
    assert first["status"] == "Todo" and first["status_category"] == "In Progress"
    assert first["assignee"] == "Person 10"
    # Repeated Sprint columns become one list, in column order (carry-over history).
    assert list(item(snapshot, "CR-171")["sprints"]) == ["Feb 2022 Sprint", "April 2022 SPrint"]
    assert list(item(snapshot, "SR-68")["labels"]) == ["duplicates", "requests", "schdedule"]


def test_cloud_parent_key_and_subtasks():
    snapshot = read("cloud-2026-en.csv")
    subtask = item(snapshot, "CR-171")
    assert subtask["is_subtask"] and subtask["parent_key"] == "CR-92"
    assert not subtask["is_backlog"]
    assert item(snapshot, "SR-68")["parent_key"] == "SR-97"


def test_cloud_parent_id_resolves_to_the_parent_key_without_the_parent_key_column(tmp_path):
    # The real Cloud export: a sub-task's `Parent` holds the parent's issue id (CR-342: 12044,
    # the `Issue id` of CR-335). Without the `Parent key` column, the key comes from that id.
    header, rows = raw_rows("cloud-2026-en.csv")
    key, issue_id = header.index("Issue key"), header.index("Issue id")
    parent, parent_key = header.index("Parent"), header.index("Parent key")
    by_key = {row[key]: row for row in rows}
    assert by_key["CR-342"][parent] == by_key["CR-335"][issue_id] == "12044"
    path = tmp_path / "no-parent-key.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for row in [header, *rows]:
            writer.writerow(row[:parent_key] + row[parent_key + 1 :])
    without = read_jira_csv(path).snapshot
    subtask = item(without, "CR-342")
    assert subtask["is_subtask"] and subtask["parent_key"] == "CR-335"
    assert item(without, "SR-68")["parent_key"] == "SR-97"  # a Bug under an epic, by id 10268
    # Every row whose parent is in the file gets the key the export's own `Parent key` names;
    # a parent outside the file (CR-171's 10204) cannot be resolved from its id.
    ids = {row[issue_id] for row in rows}
    inside = [row[key] for row in rows if row[parent] in ids]
    assert len(inside) == 58
    resolved = without.items.set_index("key")["parent_key"]
    assert resolved[inside].tolist() == [by_key[k][parent_key] for k in inside]
    assert pd.isna(resolved["CR-171"])


def test_cloud_open_duplicate_links():
    snapshot = read("cloud-2026-en.csv")
    links = snapshot.links
    duplicates = links[links["link_type"] == "Duplicate"]
    assert set(map(tuple, duplicates[["from_key", "to_key", "direction"]].values)) == {
        ("SR-68", "SR-142", "inward"),
        ("SR-68", "SR-211", "inward"),
        ("SR-363", "SR-81", "outward"),
        ("SR-81", "SR-363", "inward"),
        ("SR-425", "SR-416", "outward"),
        ("SR-416", "SR-425", "inward"),
        ("SR-234", "SR-194", "inward"),
        ("CR-237", "SR-213", "inward"),
    }
    backlog = set(snapshot.items.loc[snapshot.items["is_backlog"], "key"])
    open_pairs = {
        frozenset((a, b)) for a, b in duplicates[["from_key", "to_key"]].values if a in backlog and b in backlog
    }
    assert open_pairs == {frozenset(("SR-363", "SR-81")), frozenset(("SR-425", "SR-416"))}
    blocks = links[links["link_type"] == "Blocks"]
    assert len(blocks) == 2


def test_cloud_custom_fields_keep_unmapped_columns_but_not_mapped_ones():
    snapshot = read("cloud-2026-en.csv")
    fields = item(snapshot, "SR-1517")["custom_fields"]
    assert "Rank" not in fields and "Story point estimate" not in fields
    header, rows = raw_rows("cloud-2026-en.csv")
    development = header.index("Custom field (Development)")
    expected = {r[header.index("Issue key")]: r[development] for r in rows if r[development]}
    got = {
        row["key"]: row["custom_fields"]["Development"]
        for _, row in snapshot.items.iterrows()
        if "Development" in row["custom_fields"]
    }
    assert got == expected and expected


def test_descriptions_keep_raw_markup_and_plain_text():
    snapshot = read("cloud-2026-en.csv")
    header, rows = raw_rows("cloud-2026-en.csv")
    described = snapshot.items[snapshot.items["description_raw"].notna()]
    assert len(described) == sum(1 for r in rows if r[header.index("Description")].strip())
    markup = described[described["description_raw"].str.contains(r"\*[A-Z][^*]+\*|h2\.")]
    assert not markup.empty
    for _, row in markup.iterrows():
        assert "h2." not in row["description_text"]
    multi_line = described[described["description_raw"].str.contains("\n")]
    assert not multi_line.empty


def test_server_export_story_points_epic_links_estimates_and_carry_over():
    snapshot = read("server-2018-en.csv")
    story = item(snapshot, "JWP-13")
    assert story["story_points"] == 5.0
    assert story["parent_key"] == "JWP-99"  # Custom field (Epic Link)
    assert story["original_estimate_seconds"] == 144000
    assert list(story["sprints"]) == ["JwProgra Sprint 1", "JwProgra Sprint 2", "JwProgra Sprint 3"]
    assert item(snapshot, "JWP-10")["story_points"] == 2.0
    # No Status Category column: categories come from status names.
    assert set(snapshot.items["status_category"]) == {"To Do", "In Progress"}
    assert snapshot.items["is_epic"].sum() == 29
    backlog = snapshot.items[snapshot.items["is_backlog"]].sort_values("rank_position")
    assert list(backlog["rank"]) == sorted(backlog["rank"])
    assert backlog["key"].iloc[0] == "INNT-3"


def test_spanish_export_headers_months_and_categories():
    snapshot = read("cloud-es.csv")
    first = item(snapshot, "ADN1-145")
    assert first["summary"] == "[BE] Crear Simulación"
    assert first["created"] == datetime(2025, 10, 2, 14, 15)
    assert first["parent_key"] == "ADN1-60"  # Clave principal
    assert list(first["labels"]) == ["tecnica"]
    assert list(first["sprints"]) == ["ADN1 Sprint 3"]
    counts = snapshot.items["status_category"].value_counts().to_dict()
    assert counts == {"To Do": 61, "Done": 44, "In Progress": 31}
    assert snapshot.items["is_subtask"].sum() == 7 and snapshot.items["is_epic"].sum() == 9
    assert snapshot.items["story_points"].notna().sum() == 63
    header, rows = raw_rows("cloud-es.csv")
    months = [r[header.index("Creada")] for r in rows if "/ago/" in r[header.index("Creada")]]
    assert months, "the export has August dates written 'ago'"
    august = snapshot.items[snapshot.items["created"].map(lambda d: d.month == 8)]
    assert len(august) == len(months)


def test_minimal_export_has_no_backlog_items_all_done():
    snapshot = read("cloud-minimal.csv")
    assert set(snapshot.items["status_category"]) == {"Done"}
    assert item(snapshot, "SCRUM-5")["resolved"] == datetime(2025, 10, 25, 12, 55)


def test_excel_resaved_file_gives_the_one_real_row_with_day_first_dates():
    snapshot = read("bad-excel-resaved.csv")
    only = item(snapshot, "A-3367")
    assert only["created"] == datetime(2017, 2, 16, 15, 26)
    assert only["issue_type"] == "Bug" and only["status_category"] == "To Do"
    assert only["rank_position"] == 1


def test_taken_at_defaults_to_newest_updated_and_says_so():
    result = read_jira_csv(JIRA_CSV / "cloud-2026-en.csv")
    assert result.snapshot.taken_at == datetime(2026, 1, 27, 16, 24)
    assert "newest" in result.taken_at_note
    given = read_jira_csv(JIRA_CSV / "cloud-2026-en.csv", taken_at=datetime(2026, 2, 1))
    assert given.snapshot.taken_at == datetime(2026, 2, 1) and given.taken_at_note is None


def test_crlf_and_bom_variants_read_the_same(tmp_path):
    original = (JIRA_CSV / "cloud-minimal.csv").read_bytes()
    text = original.decode("utf-8-sig")
    variant = tmp_path / "variant.csv"
    variant.write_bytes(b"\xef\xbb\xbf" + text.replace("\r\n", "\n").replace("\n", "\r\n").encode())
    a = read_jira_csv(JIRA_CSV / "cloud-minimal.csv").snapshot
    b = read_jira_csv(variant).snapshot
    assert a.content_hash() == b.content_hash()


def write(tmp_path, text: str, name: str = "export.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_not_a_jira_export_names_the_file_and_the_missing_columns(tmp_path):
    path = write(tmp_path, "Name,Price\nApple,3\n", "prices.csv")
    with pytest.raises(InputError) as error:
        read_jira_csv(path)
    message = str(error.value)
    assert message.startswith("prices.csv: not a Jira CSV export")
    assert '"Issue key"' in message and '"Summary"' in message


def test_missing_status_column_is_named(tmp_path):
    path = write(tmp_path, "Summary,Issue key\nA thing,AB-1\n")
    with pytest.raises(InputError, match=r'export.csv: missing column\(s\) "Status or Status Category"'):
        read_jira_csv(path)


def test_bad_date_names_row_column_and_expected_format(tmp_path):
    path = write(
        tmp_path,
        "Summary,Issue key,Status,Created\nOne,AB-1,To Do,06/Jan/26 9:29 AM\nTwo,AB-2,To Do,2016-13-45\n",
        "cloud.csv",
    )
    with pytest.raises(InputError) as error:
        read_jira_csv(path)
    assert str(error.value) == (
        'cloud.csv, row 3, column "Created": expected a date like 06/Jan/26 9:29 AM '
        'or 2026-01-06T09:29, got "2016-13-45"'
    )


def test_duplicate_issue_keys_are_refused(tmp_path):
    path = write(tmp_path, "Summary,Issue key,Status\nOne,AB-1,To Do\nTwo,AB-1,To Do\n")
    with pytest.raises(InputError, match=r'row 3, column "Issue key": issue key AB-1 appears twice'):
        read_jira_csv(path)


def test_bad_story_points_are_refused(tmp_path):
    path = write(tmp_path, "Summary,Issue key,Status,Custom field (Story Points)\nOne,AB-1,To Do,lots\n")
    with pytest.raises(InputError, match=r'row 2, column "Custom field \(Story Points\)": expected a number'):
        read_jira_csv(path)


def test_ambiguous_numeric_dates_are_refused_not_guessed(tmp_path):
    path = write(tmp_path, "Summary,Issue key,Status,Created\nOne,AB-1,To Do,01/02/2017 10:00\n")
    with pytest.raises(InputError, match="day/month or month/day"):
        read_jira_csv(path)


def test_header_only_and_empty_files(tmp_path):
    with pytest.raises(InputError, match="has a header but no issues"):
        read_jira_csv(write(tmp_path, "Summary,Issue key,Status\n"))
    with pytest.raises(InputError, match="is empty"):
        read_jira_csv(write(tmp_path, "", "empty.csv"))


def test_headers_match_ignoring_case_and_new_locale_words(tmp_path):
    # Server and Cloud spell some headers differently; case and spacing must not matter.
    path = write(
        tmp_path,
        "SUMMARY,Issue  Key,status,ORIGINAL ESTIMATE,Custom field (Story point estimate),Sprint,Sprint\n"
        "One,AB-1,In Progress,3600,3,S1,S2\n",
    )
    snapshot = read_jira_csv(path).snapshot
    row = snapshot.items.iloc[0]
    assert row["original_estimate_seconds"] == 3600 and row["story_points"] == 3.0
    assert list(row["sprints"]) == ["S1", "S2"] and row["status_category"] == "In Progress"


def test_rows_are_numbered_from_one_in_file_order():
    header, rows = raw_rows("cloud-2026-en.csv")
    snapshot = read("cloud-2026-en.csv")
    numbered = snapshot.items.set_index("key")["row_number"]
    keys = [row[header.index("Issue key")] for row in rows]
    assert numbered[keys].tolist() == list(range(1, len(rows) + 1))


def test_every_link_comes_from_an_issue_link_column():
    header, rows = raw_rows("cloud-2026-en.csv")
    key = header.index("Issue key")
    link_columns = [i for i, name in enumerate(header) if name.startswith(("Inward issue link (", "Outward issue link ("))]
    expected = {
        (row[key], target, header[i].split("(", 1)[1].rstrip(")"), header[i].split()[0].lower())
        for row in rows
        for i in link_columns
        for target in row[i].replace(",", " ").split()
    }
    links = read("cloud-2026-en.csv").links
    assert set(map(tuple, links[["from_key", "to_key", "link_type", "direction"]].values)) == expected
    assert len(links) == len(expected) > 10


def test_only_custom_field_headers_become_custom_fields(tmp_path):
    path = write(
        tmp_path,
        "Summary,Issue key,Status,Custom field (Team),Notes (internal)\nOne,AB-1,To Do,Blue,x\nTwo,AB-2,To Do,,y\n",
    )
    fields = read_jira_csv(path).snapshot.items.set_index("key")["custom_fields"]
    assert fields["AB-1"] == {"Team": "Blue"} and fields["AB-2"] == {}


def test_numeric_ranks_next_to_an_empty_rank_custom_field_sort_as_numbers(tmp_path):
    # An old Jira's export: the "Custom field (Rank)" column is there but empty, "Rank" holds numbers.
    path = write(
        tmp_path,
        "Summary,Issue key,Status,Custom field (Rank),Rank\n"
        "One,AB-1,To Do,,10\nTwo,AB-2,To Do,,2\nThree,AB-3,To Do,,1\n",
    )
    positions = read_jira_csv(path).snapshot.items.set_index("key")["rank_position"]
    assert positions.to_dict() == {"AB-1": 3, "AB-2": 2, "AB-3": 1}


def test_a_rank_that_is_not_a_lexorank_names_row_and_column(tmp_path):
    path = write(tmp_path, "Summary,Issue key,Status,Rank\nOne,AB-1,To Do,0|i0001:\nTwo,AB-2,To Do,junk\n")
    with pytest.raises(InputError, match=r'row 3, column "Rank": expected a Jira rank like 0\|i0001b:, got "junk"'):
        read_jira_csv(path)


def test_an_empty_summary_names_the_issue_key_unquoted(tmp_path):
    path = write(tmp_path, "Summary,Issue key,Status\n,AB-1,To Do\n", "cloud.csv")
    with pytest.raises(InputError) as error:
        read_jira_csv(path)
    assert str(error.value) == 'cloud.csv, row 2, column "Summary": expected a summary for AB-1, got an empty cell'



def test_the_rank_custom_field_wins_over_a_plain_rank_column_wherever_it_stands(tmp_path):
    path = write(
        tmp_path,
        "Rank,Summary,Issue key,Status,Custom field (Rank)\n"
        "0|a:,One,AB-1,To Do,0|z:\n0|z:,Two,AB-2,To Do,0|a:\n",
    )
    items = read_jira_csv(path).snapshot.items.set_index("key")
    assert items["rank"].to_dict() == {"AB-1": "0|z:", "AB-2": "0|a:"}
    assert items["rank_position"].to_dict() == {"AB-1": 2, "AB-2": 1}
