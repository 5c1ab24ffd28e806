"""Date parsing (cleaners/dates.py): ISO and written dates to UTC, implausible years refused."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from cleaners.dates import parse_date


def test_iso_and_written_dates_in_several_languages_become_utc():
    assert parse_date("2024-03-14T08:00:00+02:00") == datetime(2024, 3, 14, 6, 0, tzinfo=UTC)
    assert parse_date("2024-03-14") == datetime(2024, 3, 14, tzinfo=UTC)
    assert parse_date("3 April 2023") == datetime(2023, 4, 3, tzinfo=UTC)
    assert parse_date("14. März 2024") == datetime(2024, 3, 14, tzinfo=UTC)
    assert parse_date("04/05/2021") == datetime(2021, 5, 4, tzinfo=UTC)  # day first outside ISO


def test_implausible_years_only_for_guessed_dates():
    assert parse_date("1887-06-01") is None
    assert parse_date("1887-06-01", plausible=False) == datetime(1887, 6, 1, tzinfo=UTC)
    assert parse_date("2190-01-01") is None


def test_junk_is_none():
    for value in (None, "", "not a date at all", "x" * 200, "2024-13-45"):
        assert parse_date(value) is None


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)))
def test_an_iso_string_round_trips(dt):
    assert parse_date(dt.isoformat()) == dt.replace(tzinfo=UTC)


@given(st.text(max_size=60))
def test_never_raises(text):
    out = parse_date(text)
    assert out is None or out.tzinfo is UTC


def test_precision_says_whether_a_time_of_day_was_given():
    from cleaners.dates import precision

    assert precision("2024-03-14") == "date" and precision("3 April 2023") == "date"
    assert precision("2024-03-14T08:00:00Z") == "datetime" and precision("May 3, 2019 at 14:05") == "datetime"
    assert precision("04.05.2021") == "date" and precision(None) is None
