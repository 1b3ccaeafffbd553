"""Cell parsers: dates, markup, numbers."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backlog_health.ingest.dates import DateFormatError, DateReader
from backlog_health.ingest.jira_locale import vocabulary
from backlog_health.ingest.markup import wiki_to_text
from backlog_health.ingest.values import check_rank, parse_points, parse_seconds, rank_is_numeric, shown, status_category

MONTHS = vocabulary().months


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06/Jan/26 9:29 AM", datetime(2026, 1, 6, 9, 29)),
        ("06/Jan/26 12:05 AM", datetime(2026, 1, 6, 0, 5)),
        ("06/Jan/26 12:05 PM", datetime(2026, 1, 6, 12, 5)),
        ("29/ago/25 4:07 PM", datetime(2025, 8, 29, 16, 7)),
        ("02/dic/25 9:00 a. m.", datetime(2025, 12, 2, 9, 0)),
        ("2026-01-06T09:29:00", datetime(2026, 1, 6, 9, 29)),
        ("2026-01-06T09:29:00+02:00", datetime(2026, 1, 6, 7, 29)),
        ("2026-01-06", datetime(2026, 1, 6)),
    ],
)
def test_jira_and_iso_dates(text, expected):
    assert DateReader(MONTHS).parse(text) == expected


def test_numeric_dates_follow_the_order_the_file_proves():
    assert DateReader(MONTHS, ["16/02/2017 15:26"]).parse("03/04/2017 10:00") == datetime(2017, 4, 3, 10)
    assert DateReader(MONTHS, ["02/16/2017 15:26"]).parse("03/04/2017 10:00") == datetime(2017, 3, 4, 10)
    with pytest.raises(DateFormatError, match="day/month or month/day"):
        DateReader(MONTHS, ["03/04/2017"]).parse("03/04/2017")


@pytest.mark.parametrize("text", ["2016-13-45", "31/Foo/25 9:00 AM", "yesterday", "06/Jan/26 13:00 PM"])
def test_unreadable_dates_say_what_was_expected(text):
    with pytest.raises(DateFormatError, match="expected a date like 06/Jan/26 9:29 AM"):
        DateReader(MONTHS).parse(text)


@pytest.mark.property
@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2068, 12, 31)))
def test_jira_format_round_trips(moment):
    moment = moment.replace(second=0, microsecond=0)
    text = moment.strftime("%d/%b/%y %I:%M %p")
    assert DateReader(MONTHS).parse(text) == moment


def test_wiki_markup_becomes_plain_text():
    wiki = (
        "h2. Acceptance Criteria\n* *Given* a user {{foo}}\n* When [the link|http://x.com] is clicked\n"
        "{code:java}int x = 1;{code}\n||a||b||\n|1|2|\n{color:red}red{color} -struck- +under+ !shot.png|thumbnail!"
    )
    assert wiki_to_text(wiki) == (
        "Acceptance Criteria\nGiven a user foo\nWhen the link is clicked\nint x = 1;\na b\n1 2\nred\nstruck under"
    )
    assert wiki_to_text("well-known e-mail, 3-5 days") == "well-known e-mail, 3-5 days"
    assert wiki_to_text(None) is None


def test_points_and_seconds():
    assert parse_points("0") == 0.0 and parse_points("2,5") == 2.5 and parse_points(None) is None
    assert parse_points("-3") == -3.0  # readable: judged plausible or not later (see implausible)
    assert parse_seconds("28800") == 28800 and parse_seconds("1w 1d") == 48 * 3600
    with pytest.raises(ValueError, match="seconds"):
        parse_seconds("a while")


def test_any_finite_number_of_points_is_read_and_only_what_is_not_a_number_refused():
    assert parse_points("1000") == 1000.0 and parse_points("2105.0") == 2105.0 and parse_points("-0.5") == -0.5
    for text in ("nan", "inf", "three", "=1+1"):
        with pytest.raises(ValueError, match="like 3 or 0.5"):
            parse_points(text)


def test_durations_count_minutes_and_seconds():
    assert parse_seconds("30m") == 1800 and parse_seconds("45s") == 45
    assert parse_seconds("1h 30m 15s") == 5415 and parse_seconds("2d") == 16 * 3600
    assert parse_seconds("0") == 0 and parse_seconds("-1") == -1
    for text in ("nan", "inf"):
        with pytest.raises(ValueError, match="estimate in seconds"):
            parse_seconds(text)


def test_shown_cuts_only_what_is_longer_than_the_limit():
    assert shown("x" * 60) == '"' + "x" * 60 + '"'
    assert shown("x" * 61) == '"' + "x" * 60 + '..."'
    assert shown("a\nb\tc", quoted=False) == "a\\nb\\tc"


VOCAB = vocabulary()


@pytest.mark.parametrize(
    ("category", "status", "resolved", "resolution", "expected"),
    [
        (None, "Waiting", datetime(2026, 1, 2), None, "Done"),  # resolved, no resolution name
        (None, "Waiting", None, "Fixed", "Done"),  # a resolution, no date
        (None, "Waiting", None, None, "To Do"),
        ("To Do", "Waiting", datetime(2026, 1, 2), "Fixed", "To Do"),  # the tracker's category wins
        (None, "In Progress", None, None, "In Progress"),
    ],
)
def test_status_category_of_an_unknown_status(category, status, resolved, resolution, expected):
    assert status_category(category, status, resolved=resolved, resolution=resolution, vocab=VOCAB) == expected


def test_rank_cells_of_each_kind():
    check_rank("0|i0001b:", numeric=False, lexorank=True)
    check_rank("12.5", numeric=True)
    check_rank("anything", numeric=False)  # a generic CSV's rank need not be a LexoRank
    with pytest.raises(ValueError, match="Jira rank like"):
        check_rank("junk", numeric=False, lexorank=True)
    with pytest.raises(ValueError, match="a number"):
        check_rank("junk", numeric=True, lexorank=True)


def test_any_readable_estimate_is_read_and_words_left_over_refused():
    # A huge estimate is read; whether it is plausible is judged for the column (see implausible).
    assert parse_seconds(str(100_000 * 3600 + 1)) == 360_000_001
    with pytest.raises(ValueError, match="a duration like"):
        parse_seconds("1d and a bit")  # a duration with words left over


def test_ranks_are_numeric_when_more_than_half_are_numbers():
    assert rank_is_numeric(["1", "2", "x", ""])
    assert not rank_is_numeric(["1", "x"])  # half is not more than half
    assert not rank_is_numeric(["", ""])
