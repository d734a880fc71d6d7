from datetime import date

import polars as pl
import pytest

from kpi_core.email_list import (
    email_events_from_audience,
    list_growth_rate,
    list_growth_series,
)
from kpi_core.errors import InvalidSettingError, MissingColumnError
from kpi_core.period import Period

D = date
SCHEMA = {"email": pl.String, "event": pl.String, "occurred_at": pl.Date}
JANUARY = Period(D(2025, 1, 1), D(2025, 1, 31))


def events(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def list_of_5000() -> pl.DataFrame:
    """5,000 contacts before 2025, then 500 new and 50 unsubscribed in January."""
    listed = [(f"old{i}@example.com", "subscribe", D(2024, 6, 1)) for i in range(5000)]
    joined = [(f"new{i}@example.com", "subscribe", D(2025, 1, 10)) for i in range(500)]
    left = [(f"old{i}@example.com", "unsubscribe", D(2025, 1, 20)) for i in range(50)]
    return events(listed + joined + left)


def test_list_growth_500_new_50_left():
    result = list_growth_rate(list_of_5000(), JANUARY)
    assert result.value == pytest.approx((500 - 50) / 5000 * 100)
    assert result.formula == "(500 - 50) / 5,000 x 100 = 9.0 %"
    assert result.n == 5000
    assert result.unit == "percent"


def test_list_growth_counts_beside():
    result = list_growth_rate(list_of_5000(), JANUARY)
    assert result.extra == {
        "new_subscribers": 500,
        "unsubscribes": 50,
        "cleaned": 0,
        "contacts_at_start": 5000,
        "contacts_at_end": 5000 + 500 - 50,
    }


def test_list_growth_resubscribe_counts_new():
    rows = [
        ("a@x.org", "subscribe", D(2024, 1, 1)),
        ("b@x.org", "subscribe", D(2024, 1, 1)),
        ("a@x.org", "unsubscribe", D(2025, 1, 5)),
        ("a@x.org", "subscribe", D(2025, 1, 25)),
    ]
    result = list_growth_rate(events(rows), JANUARY)
    assert result.extra["new_subscribers"] == 1
    assert result.extra["unsubscribes"] == 1
    assert result.value == pytest.approx((1 - 1) / 2 * 100)


def test_list_growth_resubscribe_after_earlier_leave():
    rows = [
        ("a@x.org", "subscribe", D(2024, 1, 1)),
        ("a@x.org", "unsubscribe", D(2024, 6, 1)),
        ("b@x.org", "subscribe", D(2024, 1, 1)),
        ("a@x.org", "Subscribed", D(2025, 1, 25)),
    ]
    result = list_growth_rate(events(rows), JANUARY)
    # Only b is on the list on 1 January; a comes back.
    assert result.value == pytest.approx(1 / 1 * 100)


CLEANING = [
    ("a@x.org", "subscribe", D(2024, 1, 1)),
    ("b@x.org", "subscribe", D(2024, 1, 1)),
    ("c@x.org", "subscribe", D(2024, 1, 1)),
    ("d@x.org", "subscribe", D(2024, 1, 1)),
    ("e@x.org", "subscribe", D(2025, 1, 3)),
    ("f@x.org", "subscribe", D(2025, 1, 4)),
    ("g@x.org", "subscribe", D(2025, 1, 5)),
    ("a@x.org", "unsubscribe", D(2025, 1, 6)),
    ("b@x.org", "bounce", D(2025, 1, 7)),
]


def test_list_growth_cleaned_removed_by_default():
    result = list_growth_rate(events(CLEANING), JANUARY)
    assert result.value == pytest.approx((3 - 1 - 1) / 4 * 100)
    assert result.formula == "(3 - 1 - 1) / 4 x 100 = 25.0 %"
    assert result.variant == "with_cleaned"


def test_list_growth_unsubscribes_only_variant():
    result = list_growth_rate(events(CLEANING), JANUARY, variant="unsubscribes_only")
    assert result.value == pytest.approx((3 - 1) / 4 * 100)
    assert result.extra["contacts_at_end"] == 4 + 3 - 1 - 1


def test_list_growth_removal_first_means_listed_before():
    rows = [
        ("a@x.org", "subscribe", D(2025, 1, 3)),
        ("z@x.org", "unsubscribe", D(2025, 1, 9)),
    ]
    result = list_growth_rate(events(rows), JANUARY)
    # z must have been on the list to leave it.
    assert result.extra["contacts_at_start"] == 1
    assert result.value == pytest.approx((1 - 1) / 1 * 100)


def test_list_growth_repeats_and_gaps_counted():
    rows = [
        ("a@x.org", "subscribe", D(2024, 1, 1)),
        ("a@x.org", "subscribe", D(2025, 1, 2)),
        ("b@x.org", "subscribe", None),
        ("c@x.org", "opened", D(2025, 1, 2)),
        (None, "subscribe", D(2025, 1, 2)),
    ]
    result = list_growth_rate(events(rows), JANUARY)
    assert result.excluded == {
        "event repeats the address's current state": 1,
        "no event date": 1,
        "event other than subscribe, unsubscribe or cleaned": 1,
        "no email address": 1,
    }
    assert result.value == 0.0


def test_list_growth_address_case_ignored():
    rows = [
        ("A@X.org", "subscribe", D(2024, 1, 1)),
        ("a@x.org ", "unsubscribe", D(2025, 1, 2)),
    ]
    assert list_growth_rate(events(rows), JANUARY).value == pytest.approx(-100.0)


def test_list_growth_no_contacts_at_start():
    rows = [("a@x.org", "subscribe", D(2025, 1, 3))]
    result = list_growth_rate(events(rows), JANUARY)
    assert result.status == "not_available"
    assert result.reason == "no contacts were on the list at the start of this period"


def test_list_growth_empty_log():
    result = list_growth_rate(events([]), JANUARY)
    assert result.status == "not_available"


def test_list_growth_unknown_variant():
    with pytest.raises(InvalidSettingError, match="'net'"):
        list_growth_rate(events(CLEANING), JANUARY, variant="net")


def test_list_growth_needs_event_column():
    with pytest.raises(MissingColumnError, match="event"):
        list_growth_rate(events(CLEANING).drop("event"), JANUARY)


def test_list_growth_series_carries_size():
    series = list_growth_series(
        events(CLEANING), Period(D(2024, 12, 1), D(2025, 2, 28))
    )
    assert series["period_start"].to_list() == [
        D(2024, 12, 1),
        D(2025, 1, 1),
        D(2025, 2, 1),
    ]
    assert series["contacts_at_start"].to_list() == [4, 4, 5]
    assert series["new_subscribers"].to_list() == [0, 3, 0]
    assert series["growth_rate"].to_list() == pytest.approx(
        [0.0, (3 - 1 - 1) / 4 * 100, 0.0]
    )


def test_list_growth_series_all_data_first_bucket():
    series = list_growth_series(events(CLEANING))
    # No address is on the list before the first event, so January 2024 has no rate.
    assert series["growth_rate"][0] is None
    assert series["period_end"][-1] == D(2025, 1, 7)


def test_series_all_data_first_rate_empty():
    # x's first event is its unsubscribe, so it counts before the log starts;
    # over all data that is no base for the first month's rate.
    rows = [
        ("x@example.com", "unsubscribe", D(2025, 1, 5)),
        ("y@example.com", "subscribe", D(2025, 1, 6)),
        ("z@example.com", "subscribe", D(2025, 2, 7)),
    ]
    series = list_growth_series(events(rows))
    assert series["contacts_at_start"].to_list() == [1, 1]
    assert series["growth_rate"][0] is None
    # February starts with y: (1 - 0 - 0) / 1 x 100 = 100 %.
    assert series["growth_rate"][1] == pytest.approx(100.0)


def test_list_growth_series_empty_log():
    assert list_growth_series(events([])).is_empty()


AUDIENCE = pl.DataFrame(
    {
        "Email Address": ["p@x.org", "q@x.org", "r@x.org", "s@x.org"],
        "OPTIN_TIME": ["2023-01-02 10:00:00", "", None, None],
        "CONFIRM_TIME": [None, "2023-02-02 10:00:00", None, None],
        "LAST_CHANGED": [
            "2023-01-02 10:00:00",
            "2024-01-01 00:00:00",
            "2024-02-01 11:00:00",
            "2023-03-03 08:00:00",
        ],
        "UNSUB_TIME": [None, "2024-01-01 09:00:00", None, None],
        "CLEAN_TIME": [None, None, "2024-02-01 10:00:00", None],
        "list_status": ["subscribed", "unsubscribed", "cleaned", "subscribed"],
    }
)


def test_audience_to_events():
    log = email_events_from_audience(AUDIENCE)
    assert log.rows() == [
        ("p@x.org", "subscribe", D(2023, 1, 2)),
        ("q@x.org", "subscribe", D(2023, 2, 2)),
        ("s@x.org", "subscribe", D(2023, 3, 3)),
        ("q@x.org", "unsubscribe", D(2024, 1, 1)),
        ("r@x.org", "cleaned", D(2024, 2, 1)),
    ]


def test_audience_status_from_times():
    log = email_events_from_audience(AUDIENCE.drop("list_status"))
    assert log.filter(pl.col("event") != "subscribe")["event"].to_list() == [
        "unsubscribe",
        "cleaned",
    ]


def test_audience_feeds_list_growth():
    result = list_growth_rate(
        email_events_from_audience(AUDIENCE), Period(D(2024, 1, 1), D(2024, 12, 31))
    )
    # On the list at the start: p, q, s and r (removed later, so listed before).
    assert result.value == pytest.approx((0 - 1 - 1) / 4 * 100)


def test_audience_needs_email_column():
    with pytest.raises(MissingColumnError, match="Email Address"):
        email_events_from_audience(AUDIENCE.drop("Email Address"))


def test_list_growth_event_labels_trimmed():
    rows = [
        ("a@x.org", " Subscribe ", D(2024, 1, 1)),
        ("b@x.org", "OPT-IN", D(2024, 1, 1)),
        ("a@x.org", "Hard Bounce", D(2025, 1, 4)),
        ("b@x.org", None, D(2025, 1, 5)),
        ("c@x.org", "sign-up ", D(2025, 1, 6)),
    ]
    result = list_growth_rate(events(rows), JANUARY)
    assert result.extra["contacts_at_start"] == 2
    assert result.extra["new_subscribers"] == 1
    assert result.extra["cleaned"] == 1
    assert result.excluded == {"event other than subscribe, unsubscribe or cleaned": 1}


def test_list_growth_contacts_at_start_per_address():
    rows = [
        # a joins, leaves and rejoins before the period: on the list.
        ("a@x.org", "subscribe", D(2024, 1, 1)),
        ("a@x.org", "unsubscribe", D(2024, 5, 1)),
        ("a@x.org", "subscribe", D(2024, 9, 1)),
        ("a@x.org", "unsubscribe", D(2025, 1, 9)),
        # b leaves before the period: not on the list.
        ("b@x.org", "subscribe", D(2024, 1, 1)),
        ("b@x.org", "cleaned", D(2024, 12, 31)),
        # c first appears leaving in the period, so it was on the list.
        ("c@x.org", "unsubscribe", D(2025, 1, 2)),
        # d first joins in the period.
        ("d@x.org", "subscribe", D(2025, 1, 1)),
    ]
    result = list_growth_rate(events(rows), JANUARY)
    assert result.extra["contacts_at_start"] == 2
    assert result.extra["unsubscribes"] == 2
    assert result.extra["new_subscribers"] == 1


def test_list_growth_series_weeks_from_midweek():
    rows = [
        ("a@x.org", "subscribe", D(2024, 12, 1)),
        ("b@x.org", "subscribe", D(2025, 1, 1)),
        ("c@x.org", "subscribe", D(2025, 1, 5)),
        ("d@x.org", "subscribe", D(2025, 1, 6)),
        ("a@x.org", "unsubscribe", D(2025, 1, 12)),
    ]
    # 1 January 2025 is a Wednesday, so the first week is 1-5 January.
    series = list_growth_series(
        events(rows), Period(D(2025, 1, 1), D(2025, 1, 14)), grain="week"
    )
    assert series["period_start"].to_list() == [
        D(2025, 1, 1),
        D(2025, 1, 6),
        D(2025, 1, 13),
    ]
    assert series["new_subscribers"].to_list() == [2, 1, 0]
    assert series["unsubscribes"].to_list() == [0, 1, 0]
    assert series["contacts_at_start"].to_list() == [1, 3, 3]


def test_list_growth_other_frame_not_reused():
    first = list_growth_rate(events(CLEANING), JANUARY)
    fewer = events(CLEANING[:4] + CLEANING[7:])
    second = list_growth_rate(fewer, JANUARY)
    assert first.extra["new_subscribers"] == 3
    assert second.extra["new_subscribers"] == 0
    assert list_growth_series(fewer, JANUARY)["new_subscribers"].to_list() == [0]


def test_list_growth_warns_about_a_status_column():
    # A contacts export mapped as events: 6 "Active", 2 "Unsubscribed" and
    # 2 "Bounced" rows. Only the 4 removals read as events, so 6 of 10 rows
    # (60 %) are left out and the rate counts removals without subscribes.
    rows = [(f"a{i}@example.com", "Active", D(2024, 12, 1)) for i in range(6)]
    rows += [(f"u{i}@example.com", "Unsubscribed", D(2024, 12, 1)) for i in range(2)]
    rows += [(f"b{i}@example.com", "Bounced", D(2025, 1, 5)) for i in range(2)]
    result = list_growth_rate(events(rows), JANUARY)
    # The two bounced addresses count at the start of January only because
    # their first event, on 5 January, is a removal.
    assert result.warnings == (
        "2 contacts of the 2 on the list at the start count there only because "
        "their first event, an unsubscribe or a cleaning, comes later, such as "
        "contacts imported without an opt-in date; the rate may be too high or "
        "too low.",
        "6 of 10 rows (60 %) have an event the app does not read as a subscribe "
        "or removal: 'Active'. A contacts export with one status per contact is "
        "not an event log. Map a column whose values name events, or upload the "
        "audience export of the mailing tool.",
    )


def test_list_growth_no_warning_for_few_unknown_events():
    # 1 unknown label among the 5,551 rows is far below a tenth.
    log = pl.concat(
        [list_of_5000(), events([("x@example.com", "opened", D(2025, 1, 3))])]
    )
    result = list_growth_rate(log, JANUARY)
    assert result.warnings == ()
    assert result.value == pytest.approx((500 - 50) / 5000 * 100)


def test_list_growth_over_all_data_not_available():
    # x was imported without an opt-in date, so its first event is its
    # unsubscribe. Over all data it would be the whole list at the start.
    rows = [
        ("x@example.com", "unsubscribe", D(2025, 1, 5)),
        ("y@example.com", "subscribe", D(2025, 1, 6)),
        ("z@example.com", "subscribe", D(2025, 1, 7)),
    ]
    result = list_growth_rate(events(rows))
    assert result.status == "not_available"
    assert result.reason.startswith("the list has no start before its first event")


def test_list_growth_names_one_assumed_contact():
    # y joined in December. x has no subscribe, and its first event is its
    # unsubscribe on 5 January, so x counts at the start of January.
    rows = [
        ("y@example.com", "subscribe", D(2024, 12, 1)),
        ("x@example.com", "unsubscribe", D(2025, 1, 5)),
    ]
    result = list_growth_rate(events(rows), JANUARY)
    assert result.warnings == (
        "1 contact of the 2 on the list at the start counts there only because "
        "its first event, an unsubscribe or a cleaning, comes later, such as "
        "contacts imported without an opt-in date; the rate may be too high or "
        "too low.",
    )


def test_repeats_counted_in_their_period():
    rows = [
        ("a@x.de", "subscribe", D(2024, 12, 5)),
        # A second subscribe of a in January changes nothing.
        ("a@x.de", "subscribe", D(2025, 1, 10)),
        ("b@x.de", "subscribe", D(2024, 12, 7)),
        ("c@x.de", "subscribe", D(2025, 2, 5)),
        # A second subscribe of c in February.
        ("c@x.de", "subscribe", D(2025, 2, 6)),
    ]
    reason = "event repeats the address's current state"
    january = list_growth_rate(events(rows), JANUARY)
    assert january.excluded == {reason: 1}
    february = list_growth_rate(events(rows), Period(D(2025, 2, 1), D(2025, 2, 28)))
    assert february.excluded == {reason: 1}
    december = list_growth_rate(events(rows), Period(D(2024, 12, 6), D(2024, 12, 31)))
    assert december.excluded == {}
