"""Ticket times written with a zone ("Z", "+01:00") are measured in the
working time zone, like times without one."""

from datetime import date, datetime

import pytest

from kpi_core.business_hours import WorkingTime
from kpi_core.compare_stats import hour_samples
from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.service import resolution_hours

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))

# Berlin is UTC+1 in March and UTC+2 in July. In Berlin time:
# U1 Tue 4 March 09:00-11:00: 2 business hours.
# U2 Tue 4 March 16:00 to Wed 5 March 10:00: 1 + 1 = 2.
# U3 Tue 1 July 09:00-11:00 (summer time): 2.
UTC_TICKETS = b"""\
ticket_id,created_at,solved_at
U1,2025-03-04T08:00:00Z,2025-03-04T10:00:00Z
U2,2025-03-04T15:00:00Z,2025-03-05T09:00:00Z
U3,2025-07-01T07:00:00Z,2025-07-01T09:00:00Z
"""

# V1 and V2 are both 09:00-11:00 in Berlin, written with two offsets; V3
# has no zone, so it is Berlin wall-clock time already.
OFFSET_TICKETS = b"""\
ticket_id,created_at,solved_at
V1,2025-03-04 09:00+01:00,2025-03-04 11:00+01:00
V2,2025-03-04 08:00+00:00,2025-03-04 10:00+00:00
V3,2025-03-04 09:00,2025-03-04 11:00
"""


def _tickets(content: bytes):
    return load_file("tickets.csv", content).frame


def test_utc_times_in_berlin_hours():
    result = resolution_hours(_tickets(UTC_TICKETS), YEAR)
    # (2 + 2 + 2) / 3.
    assert result.value == pytest.approx(2.0)
    assert result.extra["median"] == pytest.approx(2.0)


def test_offsets_and_plain_times_mixed():
    result = resolution_hours(_tickets(OFFSET_TICKETS), YEAR)
    # 2 + 2 + 2 business hours over 3 tickets.
    assert result.value == pytest.approx(2.0)


def test_offsets_in_utc_working_zone():
    working = WorkingTime(timezone="UTC")
    result = resolution_hours(_tickets(OFFSET_TICKETS), YEAR, working)
    # In UTC, V1 and V2 run 08:00-10:00, so 1 business hour each (09-10);
    # V3 is read as 09:00-11:00 UTC: 2. (1 + 1 + 2) / 3 = 1.3333.
    assert result.value == pytest.approx(4 / 3)


def test_utc_calendar_hours_across_clock_change():
    # Saturday 29 March 2025 12:00 UTC to Sunday 30 March 12:00 UTC is 24
    # hours, although Berlin's clock moves from 13:00 to 14:00 (25 hours on
    # the wall clock).
    content = (
        b"ticket_id,created_at,solved_at\n"
        b"W1,2025-03-29T12:00:00Z,2025-03-30T12:00:00Z\n"
    )
    result = resolution_hours(_tickets(content), YEAR, variant="calendar")
    assert result.value == pytest.approx(24.0)


def test_import_note_names_zoned_times():
    prepared = load_file("tickets.csv", UTC_TICKETS)
    assert prepared.detected["created_at"] == (
        "dates year first (ISO), 3 times with a time zone, converted to Europe/Berlin"
    )


def test_before_after_samples_use_zone():
    # The test of Before and after takes each ticket's Berlin business
    # hours: U1 and U2 were solved in March, 2 hours each.
    march = Period(date(2025, 3, 1), date(2025, 3, 31))
    assert hour_samples(_tickets(UTC_TICKETS), march) == [2.0, 2.0]


def test_zoned_ticket_falls_on_local_day():
    # 20:00Z and 23:30Z on 31 March are 22:00 on 31 March and 01:30 on
    # 1 April in Berlin, which is UTC+2 from 30 March. So the ticket is
    # solved in April, 3.5 calendar hours after it was created, like the
    # same ticket written in local time without a zone.
    header = b"ticket_id,created_at,solved_at\n"
    zoned = header + b"T7,2025-03-31T20:00:00Z,2025-03-31T23:30:00Z\n"
    local = header + b"T7,2025-03-31 22:00,2025-04-01 01:30\n"
    april = Period(date(2025, 4, 1), date(2025, 4, 30))
    for content in (zoned, local):
        result = resolution_hours(_tickets(content), april, variant="calendar")
        assert result.value == pytest.approx(3.5)
        assert result.n == 1


def test_german_dates_with_offset_read():
    # Freshdesk in a German account: 09:00 at +02:00 is 07:00 UTC, 08:00 in
    # Berlin in March (winter time); 11:30 at +02:00 is 10:30 in Berlin.
    data = (
        b"Ticket ID,Status,Created time,Resolved time\n"
        b"1,Resolved,07.03.2025 09:00:00+02:00,07.03.2025 11:30:00+02:00\n"
    )
    prepared = load_file("freshdesk.csv", data)
    assert prepared.frame["created_at"][0] == datetime(2025, 3, 7, 8, 0)
    assert prepared.frame["solved_at"][0] == datetime(2025, 3, 7, 10, 30)
    assert prepared.detected["Created time"].startswith("dates day first, 1 time")
