"""Times a header or a cell marks as UTC are placed on the day they had in
Berlin, as ticket times with a zone already were."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kpi_core.importing import load_file
from kpi_core.nps import net_promoter_score
from kpi_core.period import Period

# A 10 at 23:30 UTC on 31 March is 01:30 on 1 April in Berlin (summer
# time), and a 0 at 22:30 UTC on 30 June is 00:30 on 1 July.
TYPEFORM = b"""Response ID,How likely are you to recommend us?,Submit Date (UTC)
r1,10,2025-03-31 23:30:00
r2,9,2025-04-10 12:00:00
r3,0,2025-06-30 22:30:00
r4,6,2025-05-02 08:00:00
"""
Q2 = Period(date(2025, 4, 1), date(2025, 6, 30))


def _responses(data: bytes = TYPEFORM):
    return load_file("typeform.csv", data, table="nps")


def test_utc_header_times_in_berlin():
    prepared = _responses()
    assert prepared.frame["responded_at"].to_list() == [
        datetime(2025, 4, 1, 1, 30),
        datetime(2025, 4, 10, 14, 0),
        datetime(2025, 7, 1, 0, 30),
        datetime(2025, 5, 2, 10, 0),
    ]
    assert prepared.detected["Submit Date (UTC)"].endswith(
        "4 times in UTC, as the header says, converted to Europe/Berlin"
    )


def test_utc_header_period_days():
    result = net_promoter_score(_responses().frame, Q2)
    # Q2 contains r1 (10), r2 (9) and r4 (6): 2 promoters, 1 detractor of 3.
    assert result.n == 3
    assert result.value == pytest.approx((2 - 1) / 3 * 100)


def test_zoned_cells_in_berlin():
    zoned = b"Response ID,Score,Submit Date\nr1,10,2025-03-31T23:30:00Z\n"
    prepared = load_file("typeform.csv", zoned, table="nps")
    assert prepared.frame["responded_at"][0] == datetime(2025, 4, 1, 1, 30)


def test_dates_without_time_stay():
    days = b"Response ID,Score,Submit Date (UTC)\nr1,10,2025-03-31\n"
    prepared = load_file("typeform.csv", days, table="nps")
    assert prepared.frame["responded_at"][0] == datetime(2025, 3, 31)


def test_utc_offset_header_not_utc():
    # "(UTC+02:00)" names an offset, not UTC, so the times stay as written.
    offset = TYPEFORM.replace(b"Submit Date (UTC)", b"Submit Date (UTC+02:00)")
    prepared = _responses(offset)
    assert prepared.frame["responded_at"][0] == datetime(2025, 3, 31, 23, 30)


def test_unix_seconds_in_berlin():
    # 1743463800 is 23:30 UTC on 31 March 2025, 01:30 on 1 April in Berlin.
    unix = b"Response ID,Score,Submit Date\nr1,10,1743463800\nr2,9,1743500000\n"
    prepared = load_file("typeform.csv", unix, table="nps")
    assert prepared.frame["responded_at"][0] == datetime(2025, 4, 1, 1, 30)
    assert prepared.detected["Submit Date"].endswith(
        "2 times in UTC, as Unix times are, converted to Europe/Berlin"
    )


def test_utc_header_with_comma_is_utc():
    # A comma after "UTC" is no offset.
    comma = TYPEFORM.replace(b"Submit Date (UTC)", b"Submit Date (UTC, 24h)")
    prepared = _responses(comma)
    assert prepared.frame["responded_at"][0] == datetime(2025, 4, 1, 1, 30)


@pytest.mark.parametrize(
    "header",
    [
        b"submitted_at_utc",
        b"submittedAtUtc",
        b"Submit Date (UTC+00:00)",
        b"Submit Date (GMT)",
        b"Submit Date (Coordinated Universal Time)",
        b"UTC Timestamp",
        b"Submit Date (UTC) Date",
        b"GMT Date",
    ],
)
def test_other_utc_headers_converted(header):
    prepared = _responses(TYPEFORM.replace(b"Submit Date (UTC)", header))
    assert prepared.frame["responded_at"][0] == datetime(2025, 4, 1, 1, 30)


@pytest.mark.parametrize(
    "header",
    [
        # Windows' label of London time, which keeps summer time.
        b"Submit Date (UTC+00:00) Dublin, Edinburgh, Lisbon, London",
        b"Submit Date (GMT Standard Time)",
        b"Submit Date (GMT/BST)",
        b"Submit Date (UTC+00:30)",
        b"Submit Date (local time, not UTC)",
        b"Submit Date, not converted to UTC",
        # UK time named by its place, with summer time.
        b"Submit Date GMT London",
        b"Submit Date (GMT - London)",
        b"Submit Date (UTC Europe/London)",
    ],
)
def test_zone_labels_not_utc(header):
    prepared = _responses(TYPEFORM.replace(b"Submit Date (UTC)", header))
    assert prepared.frame["responded_at"][0] == datetime(2025, 3, 31, 23, 30)


def test_one_zoned_cell_among_many():
    # 500 plain times and one with a zone: the plain ones stay as written,
    # the zoned one moves from 23:30 UTC to 01:30 in Berlin.
    rows = [f"r{n},9,2025-05-02 08:00:00" for n in range(500)]
    rows.append("z,10,2025-03-31 23:30:00+00:00")
    data = ("Response ID,Score,Submit Date\n" + "\n".join(rows) + "\n").encode()
    prepared = load_file("typeform.csv", data, table="nps")
    times = prepared.frame["responded_at"]
    assert times[0] == datetime(2025, 5, 2, 8, 0)
    assert times[-1] == datetime(2025, 4, 1, 1, 30)
