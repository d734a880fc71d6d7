import csv
import statistics
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import polars as pl
import pytest

from kpi_core.business_hours import WorkingTime
from kpi_core.errors import InvalidSettingError, MissingColumnError
from kpi_core.mapping import detect_table, guess_mapping
from kpi_core.period import Period
from kpi_core.service import (
    resolution_breakdown,
    resolution_hours,
    resolution_series,
    service_kpis,
)

DT = datetime
SCHEMA = {
    "ticket_id": pl.String,
    "created_at": pl.Datetime("us"),
    "solved_at": pl.Datetime("us"),
    "status": pl.String,
    "agent": pl.String,
    "channel": pl.String,
    "reopens": pl.Int64,
}
# Business hours, Mon-Fri 09:00-17:00 in Berlin with German holidays:
# t1 Fri 16:00 to Mon 10:00 = 1 + 1 = 2 (calendar 66);
# t2 created before opening, 07:00 to 11:00 = 2 (calendar 4);
# t3 reopened once, measured to its final solve: Tue 09:00 to Wed 12:00
#    = 8 + 3 = 11 (calendar 27);
# t7 Mon 3 Feb 09:00 to 13:00 = 4 (calendar 4).
# t4 is open, t6 has a solve date but waits on the customer again (open),
# and t5 was solved before it was created.
SAMPLE = [
    ("t1", DT(2025, 1, 10, 16), DT(2025, 1, 13, 10), "Solved", "ana", "email", 0),
    ("t2", DT(2025, 1, 13, 7), DT(2025, 1, 13, 11), "Closed", "ben", "phone", 0),
    ("t3", DT(2025, 1, 14, 9), DT(2025, 1, 15, 12), "Solved", "ana", "email", 1),
    ("t4", DT(2025, 1, 15, 10), None, "Open", "ben", "chat", 0),
    ("t5", DT(2025, 1, 16, 12), DT(2025, 1, 16, 10), "Solved", "ben", "email", 0),
    ("t6", DT(2025, 1, 20, 9), DT(2025, 1, 21, 9), "Pending", "ana", "chat", 1),
    ("t7", DT(2025, 2, 3, 9), DT(2025, 2, 3, 13), "Solved", None, "phone", 0),
]
SAMPLE_EXCLUDED = {"open ticket": 2, "ticket solved before it was created": 1}


def tickets(rows=SAMPLE) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def test_resolution_hours_business_mean():
    result = resolution_hours(tickets())
    assert result.value == pytest.approx((2 + 2 + 11 + 4) / 4)
    assert result.n == 4
    assert result.unit == "hours"


def test_resolution_hours_business_median():
    # Sorted 2, 2, 4, 11.
    assert resolution_hours(tickets()).extra == {"median": pytest.approx((2 + 4) / 2)}


def test_resolution_hours_excluded_counts():
    assert resolution_hours(tickets()).excluded == SAMPLE_EXCLUDED


def test_resolution_hours_calendar_variant():
    result = resolution_hours(tickets(), variant="calendar")
    assert result.value == pytest.approx((66 + 4 + 27 + 4) / 4)
    assert result.extra["median"] == pytest.approx((4 + 27) / 2)
    assert result.variant == "calendar hours (Europe/Berlin)"


def test_resolution_hours_variant_names_schedule():
    expected = "business hours (Mon-Fri 09:00-17:00 Europe/Berlin, holidays DE)"
    assert resolution_hours(tickets()).variant == expected


def test_resolution_hours_formula():
    formula = resolution_hours(tickets()).formula
    assert formula.startswith("19.0 business hours / 4 solved tickets = 4.8 hours")


def test_resolution_hours_period_by_solve_date():
    # Solved 13 to 14 January: t1 and t2, 2 hours each.
    result = resolution_hours(tickets(), Period(date(2025, 1, 13), date(2025, 1, 14)))
    assert result.value == pytest.approx((2 + 2) / 2)
    assert result.n == 2


def test_resolution_hours_period_counts_open_created():
    # t4 (created 15 Jan) and t6 (created 20 Jan) are open.
    result = resolution_hours(tickets(), Period(date(2025, 1, 15), date(2025, 1, 31)))
    assert result.excluded["open ticket"] == 2


def test_resolution_hours_period_skips_old_open():
    result = resolution_hours(tickets(), Period(date(2025, 2, 1), date(2025, 2, 28)))
    assert "open ticket" not in result.excluded


def test_resolution_hours_duplicate_rows_final_solve():
    # t3 listed again with its first solve (Tue 12:00): the final solve on
    # Wednesday 12:00 is kept, 11 business hours.
    first_solve = ("t3", DT(2025, 1, 14, 9), DT(2025, 1, 14, 12), "Solved", "ana",
                   "email", 0)  # fmt: skip
    result = resolution_hours(tickets([first_solve, SAMPLE[2]]))
    assert result.value == pytest.approx(11)
    assert result.excluded == {"earlier solve of a ticket listed again": 1}


def test_resolution_hours_helpdesk_business_minutes():
    # t1 carries 90 business minutes from the helpdesk, which replace the
    # computed 2 hours; t2 has none and is computed (2 hours).
    frame = tickets(SAMPLE[:2]).with_columns(
        pl.Series("business_minutes", [90.0, None], dtype=pl.Float64)
    )
    result = resolution_hours(frame)
    assert result.value == pytest.approx((90 / 60 + 2) / 2)
    assert "helpdesk" in result.variant


def test_resolution_hours_calendar_ignores_business_minutes():
    frame = tickets(SAMPLE[:1]).with_columns(
        pl.Series("business_minutes", [90.0], dtype=pl.Float64)
    )
    assert resolution_hours(frame, variant="calendar").value == pytest.approx(66)


def test_resolution_hours_bavarian_holiday():
    # Fri 3 Jan 16:00 to Tue 7 Jan 10:00 2025; 6 January is a holiday in
    # Bavaria only.
    row = ("t1", DT(2025, 1, 3, 16), DT(2025, 1, 7, 10), "Solved", "ana", "email", 0)
    frame = tickets([row])
    bavaria = resolution_hours(frame, working=WorkingTime(holidays="DE-BY"))
    assert bavaria.value == pytest.approx(1 + 1)
    assert resolution_hours(frame).value == pytest.approx(1 + 8 + 1)


def test_resolution_hours_across_spring_dst():
    # Fri 28 Mar 16:00 to Mon 31 Mar 10:00 2025: the clocks skip an hour on
    # Sunday, which only the calendar variant counts.
    row = ("t1", DT(2025, 3, 28, 16), DT(2025, 3, 31, 10), "Solved", "ana", "email", 0)
    frame = tickets([row])
    assert resolution_hours(frame).value == pytest.approx(1 + 1)
    assert resolution_hours(frame, variant="calendar").value == pytest.approx(66 - 1)


def test_resolution_hours_creation_date_only():
    # A creation date without time is midnight, so Monday counts from 09:00.
    frame = pl.DataFrame(
        {
            "created_at": [date(2025, 1, 13)],
            "solved_at": [DT(2025, 1, 14, 10)],
        }
    )
    assert resolution_hours(frame).value == pytest.approx(8 + 1)


def test_resolution_hours_without_status_column():
    frame = tickets().drop("status")
    # Without a status, t6 counts as solved (Mon 20 Jan 09:00 to Tue 09:00 = 8
    # hours) and only t4, without a solve date, is open.
    result = resolution_hours(frame)
    assert result.value == pytest.approx((2 + 2 + 11 + 8 + 4) / 5)
    assert result.excluded["open ticket"] == 1


def test_resolution_hours_missing_creation_date():
    rows = [*SAMPLE[:2], ("t8", None, DT(2025, 1, 13, 12), "Solved", "ana", "web", 0)]
    result = resolution_hours(tickets(rows))
    assert result.excluded == {"solved ticket without a creation date": 1}
    assert result.n == 2


def test_resolution_hours_only_open_tickets():
    result = resolution_hours(tickets([SAMPLE[3]]))
    assert not result.available
    assert result.reason == "no solved tickets in this period"
    assert result.excluded == {"open ticket": 1}


def test_resolution_hours_empty_frame():
    result = resolution_hours(tickets([]))
    assert not result.available
    assert result.excluded == {}


def test_resolution_hours_no_solve_column():
    result = resolution_hours(tickets().drop("solved_at"))
    assert not result.available
    # t4 (Open) and t6 (Pending) are open, the other five are marked solved
    # or closed.
    assert result.excluded == {
        "open ticket": 2,
        "solved ticket without a solve date": 5,
    }
    assert "no solve-date column" in result.reason
    assert "5 of 7 tickets are marked solved or closed" in result.reason


def test_resolution_hours_no_creation_column():
    with pytest.raises(MissingColumnError, match="created_at"):
        resolution_hours(tickets().drop("created_at"))


def test_resolution_hours_unknown_variant():
    with pytest.raises(InvalidSettingError, match="business, calendar"):
        resolution_hours(tickets(), variant="wall")


def test_resolution_breakdown_per_agent():
    table = resolution_breakdown(tickets(), segment="agent")
    # ana: t1 2 h and t3 11 h; ben: t2 2 h; no agent: t7 4 h.
    assert table["agent"].to_list() == ["ana", "(none)", "ben"]
    assert table["mean_hours"].to_list() == pytest.approx([(2 + 11) / 2, 4, 2])
    assert table["tickets"].to_list() == [2, 1, 1]


def test_resolution_breakdown_median_column():
    table = resolution_breakdown(tickets(), segment="channel")
    medians = dict(zip(table["channel"], table["median_hours"], strict=True))
    # email: t1 2 and t3 11; phone: t2 2 and t7 4.
    assert medians == pytest.approx({"email": (2 + 11) / 2, "phone": (2 + 4) / 2})


def test_resolution_breakdown_missing_segment():
    with pytest.raises(MissingColumnError, match="category"):
        resolution_breakdown(tickets(), segment="category")


def test_resolution_breakdown_empty_frame():
    assert resolution_breakdown(tickets([]), segment="agent").is_empty()


def test_resolution_series_per_month():
    table = resolution_series(tickets(), grain="month")
    assert table["period_start"].to_list() == [date(2025, 1, 1), date(2025, 2, 1)]
    assert table["mean_hours"].to_list() == pytest.approx([(2 + 2 + 11) / 3, 4])
    assert table["tickets"].to_list() == [3, 1]


def test_resolution_series_calendar_variant():
    table = resolution_series(tickets(), grain="year", variant="calendar")
    assert table["mean_hours"].to_list() == pytest.approx([(66 + 4 + 27 + 4) / 4])


def test_resolution_series_unknown_grain():
    with pytest.raises(InvalidSettingError, match="grain"):
        resolution_series(tickets(), grain="fortnight")


def test_service_kpis_ticket_keys():
    results = service_kpis(tickets=tickets().with_columns(replies=pl.lit(1)))
    assert set(results) == {"resolution_hours", "followups_per_ticket"}


def test_service_kpis_nps_only():
    results = service_kpis(responses=pl.DataFrame({"score": [10, 0, 8]}))
    assert set(results) == {"nps"}
    assert results["nps"].value == pytest.approx((1 - 1) / 3 * 100)


def test_service_kpis_variants_applied():
    responses = pl.DataFrame({"score": [10, 0], "customer_id": ["a", "a"]})
    results = service_kpis(
        tickets=tickets(),
        responses=responses,
        variants={
            "resolution_hours": "calendar",
            "nps": "latest_per_customer",
            "close_rate": "closed",
        },
    )
    assert results["resolution_hours"].value == pytest.approx((66 + 4 + 27 + 4) / 4)
    assert results["nps"].value == pytest.approx(-100)


def test_service_kpis_no_tables():
    assert service_kpis() == {}


def test_service_kpis_followups_without_replies():
    result = service_kpis(tickets=tickets())["followups_per_ticket"]
    assert not result.available


ZENDESK = [
    "Id", "Requester", "Requester id", "Assignee", "Group", "Subject", "Tags",
    "Status", "Priority", "Via", "Ticket type", "Created at", "Updated at",
    "Solved at", "Resolution time", "Satisfaction Score", "Reopens", "Replies",
    "First reply time in minutes", "Full resolution time in minutes",
    "Full resolution time in minutes within business hours",
    "Agent wait time in minutes",
]  # fmt: skip
FRESHDESK = [
    "Ticket ID", "Subject", "Status", "Priority", "Source", "Type", "Agent",
    "Group", "Created time", "Due by Time", "Resolved time", "Closed time",
    "First response time (in hrs)", "Resolution time (in hrs)",
    "Agent interactions", "Customer interactions", "Resolution status",
    "Contact ID",
]  # fmt: skip
SALESFORCE_CASE = [
    "Case Number", "Subject", "Status", "Priority", "Case Origin", "Case Reason",
    "Type", "Date/Time Opened", "Date/Time Closed", "Closed", "Case Owner",
    "Account Name",
]  # fmt: skip
HUBSPOT_TICKETS = [
    "Ticket ID", "Ticket name", "Ticket status", "Pipeline", "Priority",
    "Create date", "Close date", "Time to close", "Ticket owner",
]  # fmt: skip
GERMAN_TICKETS = [
    "Ticket-ID", "Erstellt am", "Gelöst am", "Status", "Bearbeiter", "Kanal",
    "Kategorie", "Priorität", "Antworten",
]  # fmt: skip


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param(ZENDESK, {
            "ticket_id": "Id", "created_at": "Created at", "solved_at": "Solved at",
            "agent": "Assignee", "channel": "Via", "category": "Ticket type",
            "replies": "Replies", "reopens": "Reopens", "customer_id": "Requester id",
            "business_minutes": "Full resolution time in minutes within business hours",
        }, id="zendesk"),
        pytest.param(FRESHDESK, {
            "ticket_id": "Ticket ID", "created_at": "Created time",
            "solved_at": "Resolved time", "agent": "Agent", "channel": "Source",
            "category": "Type", "replies": "Agent interactions",
            "customer_id": "Contact ID",
        }, id="freshdesk"),
        pytest.param(SALESFORCE_CASE, {
            "ticket_id": "Case Number", "created_at": "Date/Time Opened",
            "solved_at": "Date/Time Closed", "agent": "Case Owner",
            "channel": "Case Origin", "category": "Case Reason",
        }, id="salesforce"),
        pytest.param(HUBSPOT_TICKETS, {
            "ticket_id": "Ticket ID", "created_at": "Create date",
            "solved_at": "Close date", "status": "Ticket status",
            "agent": "Ticket owner",
        }, id="hubspot"),
        pytest.param(GERMAN_TICKETS, {
            "ticket_id": "Ticket-ID", "created_at": "Erstellt am",
            "solved_at": "Gelöst am", "agent": "Bearbeiter", "channel": "Kanal",
            "category": "Kategorie", "priority": "Priorität", "replies": "Antworten",
        }, id="german"),
    ],
)  # fmt: skip
def test_tickets_mapping_real_headers(headers, expected):
    mapping = guess_mapping(headers, "tickets")
    for field_name, column in expected.items():
        assert mapping.columns[field_name] == column, field_name


def test_tickets_mapping_detects_zendesk():
    assert detect_table(ZENDESK)[0] == "tickets"


def read_rows(path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def elapsed_hours(start: datetime, end: datetime) -> float:
    # Aware datetimes of one zone subtract by wall clock in Python, so both
    # are converted to UTC first.
    berlin = ZoneInfo("Europe/Berlin")
    start_utc = start.replace(tzinfo=berlin).astimezone(UTC)
    end_utc = end.replace(tzinfo=berlin).astimezone(UTC)
    return (end_utc - start_utc).total_seconds() / 3600


def test_resolution_hours_ravenstack(datasets_dir):
    # The business hours are counted hour by hour: submitted_at is a date
    # (midnight) and closed_at a full hour, so whole hours are exact.
    path = datasets_dir / "ravenstack-saas" / "ravenstack_support_tickets.csv"
    rows = read_rows(path)
    german = holidays.country_holidays("DE", years=range(2022, 2026))
    business = []
    for row in rows:
        start = datetime.fromisoformat(row["submitted_at"])
        end = datetime.fromisoformat(row["closed_at"])
        hours = 0
        for step in range(int((end - start) / timedelta(hours=1))):
            moment = start + timedelta(hours=step)
            on_working_day = moment.weekday() < 5 and moment.date() not in german
            hours += on_working_day and 9 <= moment.hour < 17
        business.append(hours)

    frame = pl.read_csv(path, try_parse_dates=True).rename(
        {"submitted_at": "created_at", "closed_at": "solved_at"}
    )
    result = resolution_hours(frame)
    assert result.n == len(rows) == 2000
    assert result.value == pytest.approx(statistics.mean(business))
    assert result.extra["median"] == pytest.approx(statistics.median(business))


def test_resolution_hours_ravenstack_calendar(datasets_dir):
    # resolution_time_hours in the file is the wall-clock difference; real
    # elapsed time differs for tickets open across a DST change.
    path = datasets_dir / "ravenstack-saas" / "ravenstack_support_tickets.csv"
    rows = read_rows(path)
    elapsed = [
        elapsed_hours(
            datetime.fromisoformat(row["submitted_at"]),
            datetime.fromisoformat(row["closed_at"]),
        )
        for row in rows
    ]
    wall_clock = [float(row["resolution_time_hours"]) for row in rows]

    frame = pl.read_csv(path, try_parse_dates=True).rename(
        {"submitted_at": "created_at", "closed_at": "solved_at"}
    )
    result = resolution_hours(frame, variant="calendar")
    assert result.value == pytest.approx(statistics.mean(elapsed))
    assert result.value != pytest.approx(statistics.mean(wall_clock), abs=1e-6)


def test_synthetic_tickets_lack_creation_date(datasets_dir):
    # The Kaggle support tickets have no creation time at all; no header
    # may be taken for created_at.
    path = datasets_dir / "support-tickets-synthetic" / "customer_support_tickets.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        headers = next(csv.reader(handle))
    mapping = guess_mapping(headers, "tickets")
    assert mapping.columns["created_at"] is None
    assert mapping.columns["solved_at"] is None


def test_synthetic_tickets_resolution_before_response(datasets_dir):
    # If a user takes "First Response Time" as the start, 1,365 of the 2,769
    # closed tickets end before they start; they are left out and counted.
    path = datasets_dir / "support-tickets-synthetic" / "customer_support_tickets.csv"
    rows = read_rows(path)
    closed = [row for row in rows if row["Ticket Status"] == "Closed"]
    forward = [
        row for row in closed if row["Time to Resolution"] >= row["First Response Time"]
    ]
    expected_mean = statistics.mean(
        elapsed_hours(
            datetime.fromisoformat(row["First Response Time"]),
            datetime.fromisoformat(row["Time to Resolution"]),
        )
        for row in forward
    )

    def timestamp(text: str) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    frame = pl.DataFrame(
        {
            "ticket_id": [row["Ticket ID"] for row in rows],
            "created_at": [timestamp(row["First Response Time"]) for row in rows],
            "solved_at": [timestamp(row["Time to Resolution"]) for row in rows],
            "status": [row["Ticket Status"] for row in rows],
        },
        schema={
            "ticket_id": pl.String,
            "created_at": pl.Datetime("us"),
            "solved_at": pl.Datetime("us"),
            "status": pl.String,
        },
    )
    result = resolution_hours(frame, variant="calendar")
    assert result.excluded["ticket solved before it was created"] == 1365
    assert result.excluded["open ticket"] == len(rows) - len(closed)
    assert result.n == len(forward)
    assert result.value == pytest.approx(expected_mean)
