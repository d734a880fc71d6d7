import csv
from datetime import date, datetime, time, timedelta

import holidays
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_core.business_hours import (
    WorkingTime,
    business_hours_between,
    calendar_hours_between,
    holiday_dates,
    parse_holidays,
    parse_working_days,
    parse_working_hours,
)
from kpi_core.errors import InvalidSettingError

DT = datetime
OFFICE = WorkingTime()  # Mon-Fri 09:00-17:00 Europe/Berlin, German holidays
NO_HOLIDAYS = WorkingTime(holidays=None)
BAVARIA = WorkingTime(holidays="DE-BY")
ROUND_THE_CLOCK = WorkingTime(
    start=time(0), end=time(0), weekdays=frozenset(range(7)), holidays=None
)
# A window that contains the 02:00-03:00 DST change in Europe/Berlin.
NIGHT_SHIFT = WorkingTime(
    start=time(1), end=time(5), weekdays=frozenset(range(7)), holidays=None
)


def hours(start, end, working: WorkingTime = OFFICE) -> float | None:
    frame = pl.DataFrame({"start": [start], "end": [end]})
    expression = business_hours_between(pl.col("start"), pl.col("end"), working)
    return frame.select(expression).item()


def calendar(start, end, timezone: str = "Europe/Berlin") -> float | None:
    frame = pl.DataFrame({"start": [start], "end": [end]})
    return frame.select(
        calendar_hours_between(pl.col("start"), pl.col("end"), timezone)
    ).item()


def test_business_hours_across_weekend():
    # Friday 16:00-17:00 plus Monday 09:00-10:00.
    assert hours(DT(2025, 1, 10, 16), DT(2025, 1, 13, 10)) == pytest.approx(1 + 1)


def test_business_hours_same_day():
    assert hours(DT(2025, 1, 13, 10), DT(2025, 1, 13, 10, 45)) == pytest.approx(0.75)


def test_business_hours_several_full_days():
    # Monday 12:00 to Thursday 12:00: 5 + 8 + 8 + 3 hours.
    result = hours(DT(2025, 1, 13, 12), DT(2025, 1, 16, 12))
    assert result == pytest.approx(5 + 8 + 8 + 3)


def test_business_hours_german_unity_day():
    # Thursday 2 October 2025 16:00 to Monday 10:00; Friday 3 October is a
    # national holiday, so only Thursday 16-17 and Monday 9-10 count.
    start, end = DT(2025, 10, 2, 16), DT(2025, 10, 6, 10)
    assert hours(start, end) == pytest.approx(1 + 1)
    assert hours(start, end, NO_HOLIDAYS) == pytest.approx(1 + 8 + 1)


def test_business_hours_epiphany_bavaria_only():
    # Friday 3 January 2025 16:00 to Tuesday 10:00. Monday 6 January
    # (Heilige Drei Könige) is a holiday in Bavaria but not nationally.
    start, end = DT(2025, 1, 3, 16), DT(2025, 1, 7, 10)
    assert hours(start, end, BAVARIA) == pytest.approx(1 + 1)
    assert hours(start, end, OFFICE) == pytest.approx(1 + 8 + 1)


def test_business_hours_start_on_holiday():
    # Created on the holiday itself: the clock starts on Monday at 09:00.
    assert hours(DT(2025, 10, 3, 11), DT(2025, 10, 6, 12)) == pytest.approx(3)


def test_business_hours_created_before_opening():
    assert hours(DT(2025, 1, 13, 7), DT(2025, 1, 13, 11)) == pytest.approx(2)


def test_business_hours_created_after_closing():
    # Monday 18:00 to Tuesday 09:30: only the half hour on Tuesday counts.
    assert hours(DT(2025, 1, 13, 18), DT(2025, 1, 14, 9, 30)) == pytest.approx(0.5)


def test_business_hours_created_on_saturday():
    assert hours(DT(2025, 1, 11, 10), DT(2025, 1, 13, 10)) == pytest.approx(1)


def test_business_hours_entirely_outside_window():
    assert hours(DT(2025, 1, 13, 18), DT(2025, 1, 13, 23)) == pytest.approx(0)


def test_business_hours_dates_read_as_midnight():
    # A date without a time is midnight, so a whole working day lies between.
    assert hours(date(2025, 1, 13), date(2025, 1, 14)) == pytest.approx(8)


def test_business_hours_end_before_start():
    assert hours(DT(2025, 1, 14, 10), DT(2025, 1, 13, 10)) is None


def test_business_hours_null_side():
    assert hours(None, DT(2025, 1, 13, 10)) is None


def test_business_hours_spring_dst_weekend():
    # DST starts on Sunday 30 March 2025, outside the office window.
    start, end = DT(2025, 3, 28, 16), DT(2025, 3, 31, 10)
    assert hours(start, end) == pytest.approx(1 + 1)
    # 66 wall-clock hours, one of which the clocks skip.
    assert calendar(start, end) == pytest.approx(66 - 1)


def test_business_hours_autumn_dst_weekend():
    # DST ends on Sunday 26 October 2025: the hour 02:00-03:00 happens twice.
    start, end = DT(2025, 10, 24, 16), DT(2025, 10, 27, 10)
    assert hours(start, end) == pytest.approx(1 + 1)
    assert calendar(start, end) == pytest.approx(66 + 1)


def test_round_the_clock_spring_day():
    # Saturday noon to Sunday noon across the change is 23 real hours.
    start, end = DT(2025, 3, 29, 12), DT(2025, 3, 30, 12)
    assert hours(start, end, ROUND_THE_CLOCK) == pytest.approx(24 - 1)


def test_round_the_clock_autumn_day():
    start, end = DT(2025, 10, 25, 12), DT(2025, 10, 26, 12)
    assert hours(start, end, ROUND_THE_CLOCK) == pytest.approx(24 + 1)


def test_round_the_clock_within_dst_day():
    # 00:00 to 04:00 on 30 March 2025 by the wall clock is 3 real hours.
    start, end = DT(2025, 3, 30, 0), DT(2025, 3, 30, 4)
    assert hours(start, end, ROUND_THE_CLOCK) == pytest.approx(4 - 1)


def test_night_shift_spans_dst_change():
    # 01:00-05:00 every day: Saturday 4 hours, Sunday 30 March only 3.
    start, end = DT(2025, 3, 29, 0), DT(2025, 3, 31, 0)
    assert hours(start, end, NIGHT_SHIFT) == pytest.approx(4 + 3)


def test_night_shift_autumn_change():
    # Sunday 26 October has 5 real hours between 01:00 and 05:00.
    start, end = DT(2025, 10, 25, 0), DT(2025, 10, 27, 0)
    assert hours(start, end, NIGHT_SHIFT) == pytest.approx(4 + 5)


def test_calendar_hours_skipped_wall_time():
    # 02:30 on 30 March 2025 does not exist in Berlin. It is read with the
    # winter offset, as Python's zoneinfo does: 01:30 UTC, one hour after
    # 01:30 winter time (00:30 UTC).
    assert calendar(DT(2025, 3, 30, 1, 30), DT(2025, 3, 30, 2, 30)) == 1


def test_calendar_hours_utc_no_dst():
    start, end = DT(2025, 3, 28, 16), DT(2025, 3, 31, 10)
    assert calendar(start, end, "UTC") == pytest.approx(66)


def test_calendar_hours_end_before_start():
    assert calendar(DT(2025, 1, 2), DT(2025, 1, 1)) is None


def test_calendar_hours_unknown_timezone():
    with pytest.raises(InvalidSettingError, match="Europe/Berlin"):
        calendar_hours_between(pl.col("a"), pl.col("b"), "Mars/Olympus")


def test_business_hours_whole_column():
    frame = pl.DataFrame(
        {
            "start": [DT(2025, 1, 10, 16), DT(2025, 1, 13, 7), None],
            "end": [DT(2025, 1, 13, 10), DT(2025, 1, 13, 11), DT(2025, 1, 13, 11)],
        }
    )
    result = frame.select(
        business_hours_between(pl.col("start"), pl.col("end"), OFFICE)
    ).to_series()
    assert result.to_list() == [2.0, 2.0, None]


def test_business_hours_explicit_years():
    # Holidays are listed only for the years given, so 2025 needs 2025.
    frame = pl.DataFrame({"start": [DT(2025, 10, 2, 16)], "end": [DT(2025, 10, 6, 10)]})
    result = frame.select(
        business_hours_between(pl.col("start"), pl.col("end"), OFFICE, (2025, 2025))
    ).item()
    assert result == pytest.approx(2)


def test_holiday_dates_bavaria_has_epiphany():
    assert date(2025, 1, 6) in holiday_dates("DE-BY", (2025, 2025))


def test_holiday_dates_germany_lacks_epiphany():
    assert date(2025, 1, 6) not in holiday_dates("DE", (2025, 2025))


def test_holiday_dates_none_is_empty():
    assert holiday_dates(None, (2025, 2025)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-17:00", (time(9), time(17))),
        ("8:30 - 16:45", (time(8, 30), time(16, 45))),
        ("00:00-24:00", (time(0), time(0))),
        ("22:00-24:00", (time(22), time(0))),
    ],
    ids=["office", "spaces-and-minutes", "whole-day", "until-midnight"],
)
def test_parse_working_hours_valid(text, expected):
    assert parse_working_hours(text) == expected


@pytest.mark.parametrize(
    "text",
    ["9-17", "17:00-09:00", "09:00-09:00", "25:00-26:00", "09:61-17:00", ""],
    ids=["no-minutes", "reversed", "empty-window", "hour-25", "minute-61", "blank"],
)
def test_parse_working_hours_invalid(text):
    with pytest.raises(InvalidSettingError, match="09:00-17:00"):
        parse_working_hours(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon-Fri", {0, 1, 2, 3, 4}),
        ("mon,wed,fri", {0, 2, 4}),
        ("Mo-Fr", {0, 1, 2, 3, 4}),
        ("Sat-Mon", {5, 6, 0}),
        ("Sun", {6}),
        ("Mon-Thu, Sat", {0, 1, 2, 3, 5}),
    ],
    ids=["range", "list", "german", "wraps-week", "single", "range-and-day"],
)
def test_parse_working_days_valid(text, expected):
    assert parse_working_days(text) == frozenset(expected)


@pytest.mark.parametrize(
    "text",
    ["Mon-Funday", "", "Mon-Wed-Fri", "1-5"],
    ids=["unknown-name", "blank", "three-part-range", "numbers"],
)
def test_parse_working_days_invalid(text):
    with pytest.raises(InvalidSettingError, match="Mon-Fri"):
        parse_working_days(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("DE", "DE"), ("de-by", "DE-BY"), ("none", None), ("", None), (None, None)],
    ids=["country", "region-lower-case", "none", "blank", "missing"],
)
def test_parse_holidays_valid(text, expected):
    assert parse_holidays(text) == expected


@pytest.mark.parametrize("text", ["XX", "DE-ZZ", "Germany"])
def test_parse_holidays_invalid(text):
    with pytest.raises(InvalidSettingError, match="DE-BY"):
        parse_holidays(text)


def test_working_time_rejects_unknown_timezone():
    with pytest.raises(InvalidSettingError, match="time zone"):
        WorkingTime(timezone="Berlin")


def test_working_time_rejects_reversed_hours():
    with pytest.raises(InvalidSettingError, match="end must come after"):
        WorkingTime(start=time(17), end=time(9))


def test_working_time_rejects_no_weekdays():
    with pytest.raises(InvalidSettingError, match="working days"):
        WorkingTime(weekdays=frozenset())


def test_working_time_rejects_weekday_seven():
    with pytest.raises(InvalidSettingError, match="working days"):
        WorkingTime(weekdays=frozenset({7}))


def test_working_time_rejects_unknown_region():
    with pytest.raises(InvalidSettingError, match="holiday region"):
        WorkingTime(holidays="DE-XX")


def test_working_time_label_default():
    assert OFFICE.label() == "Mon-Fri 09:00-17:00 Europe/Berlin, holidays DE"


def test_working_time_label_whole_day():
    expected = "Mon-Sun 00:00-24:00 Europe/Berlin, no holidays"
    assert ROUND_THE_CLOCK.label() == expected


MOMENTS = st.datetimes(min_value=DT(2024, 1, 1), max_value=DT(2026, 12, 31))
SCHEDULES = st.sampled_from([OFFICE, BAVARIA, ROUND_THE_CLOCK, NIGHT_SHIFT])


@settings(max_examples=60, deadline=None)
@given(pairs=st.lists(st.tuples(MOMENTS, MOMENTS), min_size=1, max_size=40),
       working=SCHEDULES)  # fmt: skip
def test_business_hours_within_calendar_hours(pairs, working):
    ordered = [(min(pair), max(pair)) for pair in pairs]
    frame = pl.DataFrame(
        {"start": [pair[0] for pair in ordered], "end": [pair[1] for pair in ordered]}
    )
    result = frame.select(
        business_hours_between(pl.col("start"), pl.col("end"), working).alias("b"),
        calendar_hours_between(pl.col("start"), pl.col("end")).alias("c"),
    )
    assert result["b"].null_count() == result["c"].null_count()
    result = result.drop_nulls()
    assert (result["b"] >= 0).all()
    assert (result["b"] <= result["c"] + 1e-9).all()


def test_business_hours_ravenstack_tickets(datasets_dir):
    # RavenStack tickets have a submission date without a time (midnight)
    # and a close time on the full hour. Stepping hour by hour and counting
    # the hours that start inside Mon-Fri 09-17 on a non-holiday therefore
    # gives the exact business hours by a separate route.
    path = datasets_dir / "ravenstack-saas" / "ravenstack_support_tickets.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    german = holidays.country_holidays("DE", years=range(2022, 2026))
    expected_total = 0
    for row in rows:
        moment = datetime.fromisoformat(row["submitted_at"])
        end = datetime.fromisoformat(row["closed_at"])
        while moment < end:
            is_working_day = moment.weekday() < 5 and moment.date() not in german
            expected_total += is_working_day and 9 <= moment.hour < 17
            moment += timedelta(hours=1)

    frame = pl.DataFrame(
        {
            "start": [datetime.fromisoformat(row["submitted_at"]) for row in rows],
            "end": [datetime.fromisoformat(row["closed_at"]) for row in rows],
        }
    )
    result = frame.select(
        business_hours_between(pl.col("start"), pl.col("end"), OFFICE)
    ).to_series()
    assert result.null_count() == 0
    assert result.sum() == pytest.approx(expected_total)
