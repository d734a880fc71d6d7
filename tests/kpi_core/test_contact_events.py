"""An ActiveCampaign contacts export read as email-list events."""

from datetime import date as D

from kpi_core.email_list import list_growth_rate
from kpi_core.importing import load_file, preview_file
from kpi_core.period import Period

HEADER = "Email,First Name,Last Name,Tags,Date Created,Date Updated,Status\n"
CONTACTS = HEADER + (
    "a@x.de,Anna,A,,2025-01-05 10:00:00,2025-01-05 10:00:00,Active\n"
    "b@x.de,Ben,B,,2025-01-20 10:00:00,2025-03-02 09:00:00,Unsubscribed\n"
    "c@x.de,Cem,C,,2025-02-03 10:00:00,2025-02-03 10:00:00,Active\n"
    "d@x.de,Dora,D,,2025-02-10 10:00:00,2025-04-11 08:00:00,Bounced\n"
    "e@x.de,Eva,E,,2025-03-15 10:00:00,2025-03-15 10:00:00,Unconfirmed\n"
)
FEB_MAR = Period(D(2025, 2, 1), D(2025, 3, 31))


def test_contacts_become_list_events():
    preview = preview_file("contacts.csv", CONTACTS.encode())
    assert preview.table == "email_events"
    # Four joined contacts subscribe; b unsubscribes and d bounces.
    assert preview.raw.frame.height == 6
    note = preview.raw.info.notes[-1]
    assert "5 contacts was turned into 6 list events" in note
    assert "1 unconfirmed contact never joined the list and is left out" in note

    table = load_file("contacts.csv", CONTACTS.encode())
    result = list_growth_rate(table.frame, FEB_MAR)
    # On the list on 1 Feb: a and b. New in Feb-Mar: c and d (e never
    # confirmed). Left: b on 2 Mar; d's bounce on 11 Apr is after the period.
    # (2 - 1 - 0) / 2 x 100 = 50 %.
    assert result.extra["contacts_at_start"] == 2
    assert result.extra["new_subscribers"] == 2
    assert result.extra["unsubscribes"] == 1
    assert result.extra["cleaned"] == 0
    assert result.value == 50.0


def test_bounce_is_a_cleaned_event():
    table = load_file("contacts.csv", CONTACTS.encode())
    result = list_growth_rate(table.frame, Period(D(2025, 4, 1), D(2025, 4, 30)))
    # On the list on 1 Apr: a, c and d. d bounces on 11 Apr.
    # (0 - 0 - 1) / 3 x 100 = -33.3 %.
    assert result.extra["contacts_at_start"] == 3
    assert result.extra["cleaned"] == 1
    assert result.value == (0 - 0 - 1) / 3 * 100


def test_german_dates_are_parsed_and_named():
    text = (
        "Email,Date Created,Date Updated,Status\n"
        "a@x.de,05.01.2025,05.01.2025,Active\n"
        "b@x.de,20.01.2025,02.03.2025,Unsubscribed\n"
        "c@x.de,31.02.2025,03.02.2025,Active\n"
    )
    table = load_file("contacts.csv", text.encode())
    # 31.02. is no date: c's subscribe (line 4) keeps an empty date, which
    # is named with its line.
    dates = table.frame.sort("occurred_at")["occurred_at"].dt.date().to_list()
    assert dates == [None, D(2025, 1, 5), D(2025, 1, 20), D(2025, 3, 2)]
    problem = next(p for p in table.problems if p.field == "occurred_at")
    assert problem.lines == (4,)
    assert problem.examples == ("31.02.2025",)


def test_removals_without_date_updated():
    text = (
        "Email,Date Created,Status\n"
        "a@x.de,2025-01-05,Active\n"
        "b@x.de,2025-01-20,Unsubscribed\n"
    )
    preview = preview_file("contacts.csv", text.encode())
    warning = preview.raw.info.notes[-1]
    assert warning.startswith("warning: the file has no 'Date Updated' column")
    assert "1 unsubscribed or bounced contact cannot be dated" in warning
    table = load_file("contacts.csv", text.encode())
    # Two subscribes and b's unsubscribe, whose date is empty.
    assert table.frame["event"].to_list() == ["subscribe", "subscribe", "unsubscribe"]
    assert table.frame["occurred_at"].null_count() == 1


def test_other_status_values_are_not_contacts():
    text = (
        "Email,Date Created,Status,Amount\n"
        "a@x.de,2025-01-05,won,100\n"
        "b@x.de,2025-01-20,Active,200\n"
    )
    preview = preview_file("file.csv", text.encode())
    assert preview.table != "email_events"
    assert "Status" in preview.headers


def test_customer_list_stays_subscriptions():
    text = (
        "Customer ID,Email,Name,Created,Status,Plan,Monthly Charges\n"
        "c1,a@x.de,A,2025-01-05,Active,Pro,50\n"
        "c2,b@x.de,B,2025-02-05,Active,Basic,20\n"
    )
    # Every status reads "Active", but the file is a complete customer list.
    assert preview_file("customers.csv", text.encode()).table == "subscriptions"


def test_contacts_without_status_named():
    text = (
        "Email,Date Created,Date Updated,Status\n"
        "a@x.de,2025-01-05,2025-01-05,Active\n"
        "b@x.de,2025-01-06,2025-01-06,\n"
        "c@x.de,2025-01-07,2025-01-07,\n"
    )
    preview = preview_file("contacts.csv", text.encode())
    assert preview.raw.frame.height == 1
    assert preview.raw.info.notes[-1].endswith(
        "2 contacts without a status are left out, because the status tells "
        "whether a contact joined."
    )
