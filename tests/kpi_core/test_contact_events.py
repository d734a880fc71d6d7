"""An ActiveCampaign contacts export read as email-list events."""

from datetime import date as D

import pytest

from kpi_core.email_list import list_growth_rate
from kpi_core.errors import EmptyDataError, InvalidValueError
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
HEADER_SHORT = "Email,Date Created,Date Updated,Status\n"
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


def test_removal_before_creation_on_creation_day():
    text = (
        "Email,Date Created,Date Updated,Status\n"
        "a@x.de,05.01.2025,05.01.2025,Active\n"
        "b@x.de,06.03.2025,20.01.2025,Unsubscribed\n"
        "c@x.de,10.02.2025,10.02.2025,Active\n"
    )
    preview = preview_file("contacts.csv", text.encode())
    assert (
        "1 contact with 'Date Updated' before 'Date Created' is removed on the "
        "creation day" in preview.raw.info.notes[-1]
    )
    table = load_file("contacts.csv", text.encode())
    removal = table.frame.filter(table.frame["event"] == "unsubscribe")
    assert removal["occurred_at"].dt.date().to_list() == [D(2025, 3, 6)]

    result = list_growth_rate(table.frame, FEB_MAR)
    # On the list on 1 Feb: a. New in Feb-Mar: c on 10 Feb and b on 6 Mar,
    # who leaves the same day. (2 - 1 - 0) / 1 x 100 = 100 %.
    assert result.extra["contacts_at_start"] == 1
    assert result.extra["new_subscribers"] == 2
    assert result.extra["unsubscribes"] == 1
    assert result.value == 100.0
    # No contact is on the list on 1 Jan: a joins on 5 Jan and b only in March,
    # so Jan-Mar has no rate.
    jan_mar = list_growth_rate(table.frame, Period(D(2025, 1, 1), D(2025, 3, 31)))
    assert jan_mar.value is None


def test_removal_before_creation_ambiguous_order():
    text = (
        "Email,Date Created,Date Updated,Status\n"
        "a@x.de,01/01/2025,01/01/2025,Active\n"
        "b@x.de,05/06/2025,01/02/2025,Unsubscribed\n"
        "c@x.de,03/02/2025,02/03/2025,Unsubscribed\n"
    )
    table = load_file("contacts.csv", text.encode(), date_order="dmy")
    removals = table.frame.filter(table.frame["event"] == "unsubscribe")
    # b's update is earlier in both orders (1 Feb < 5 Jun, 2 Jan < 6 May), so
    # b leaves on its creation day, 5 Jun. c's is earlier only month-first
    # (3 Feb < 2 Mar), so c keeps its 'Date Updated', 2 Mar day-first.
    assert removals["occurred_at"].dt.date().to_list() == [
        D(2025, 6, 5),
        D(2025, 3, 2),
    ]


def test_contacts_without_created_left_out():
    text = (
        "Email,Date Created,Date Updated,Status\n"
        "a@x.de,2025-01-05,2025-01-05,Active\n"
        "b@x.de,2025-01-10,2025-02-15,Unsubscribed\n"
        "c@x.de,,2025-02-20,Unsubscribed\n"
        "d@x.de,2025-02-03,2025-02-03,Active\n"
    )
    preview = preview_file("contacts.csv", text.encode())
    # a, b and d subscribe; b unsubscribes. c gives no event.
    assert preview.raw.frame.height == 4
    # 1 of 4 contacts is 25 %, above the 10 % that makes it a warning.
    assert preview.raw.info.notes[-1] == (
        "warning: 1 contact without a 'Date Created' is left out, because the "
        "day they joined is unknown. Fill in 'Date Created' or export the "
        "contacts again."
    )

    table = load_file("contacts.csv", text.encode())
    result = list_growth_rate(table.frame, FEB_MAR)
    # On the list on 1 Feb: a and b. New: d. Left: b on 15 Feb.
    # (1 - 1 - 0) / 2 x 100 = 0 %.
    assert result.extra["contacts_at_start"] == 2
    assert result.extra["new_subscribers"] == 1
    assert result.extra["unsubscribes"] == 1
    assert result.value == 0.0


def test_few_contacts_without_created_named():
    rows = "".join(
        f"c{n}@x.de,2025-01-{n + 1:02},2025-01-{n + 1:02},Active\n" for n in range(10)
    )
    text = HEADER_SHORT + rows + "x@x.de,,2025-02-01,Active\n"
    preview = preview_file("contacts.csv", text.encode())
    # 1 of 11 contacts is 9.1 %, below 10 %: a sentence, no warning.
    notes = preview.raw.info.notes
    assert not [note for note in notes if note.startswith("warning: ")]
    assert notes[-1].startswith("The ActiveCampaign contacts export of 11 contacts")
    assert notes[-1].endswith(
        "1 contact without a 'Date Created' is left out, because the day they "
        "joined is unknown."
    )
    assert preview.raw.frame.height == 10


def test_revenue_fields_stay_contacts():
    text = (
        "Email,First Name,Date Created,Date Updated,Status,Total Revenue,"
        "Total Orders\n"
        "a@x.de,A,2025-01-05,2025-01-05,Active,120.50,3\n"
        "b@x.de,B,2025-01-06,2025-03-06,Unsubscribed,0,0\n"
        "c@x.de,C,2025-02-06,2025-02-06,Active,40,1\n"
    )
    assert preview_file("contacts.csv", text.encode()).table == "email_events"
    table = load_file("contacts.csv", text.encode())
    result = list_growth_rate(table.frame, Period(D(2025, 2, 1), D(2025, 2, 28)))
    # On the list on 1 Feb: a and b. New in Feb: c; b leaves in March.
    # (1 - 0 - 0) / 2 x 100 = 50 %.
    assert result.extra["contacts_at_start"] == 2
    assert result.extra["new_subscribers"] == 1
    assert result.extra["unsubscribes"] == 0
    assert result.value == 50.0


def test_no_joined_contact_raises():
    text = (
        "Email,Date Created,Date Updated,Status\n"
        "a@x.de,2025-01-05,2025-01-05,Unconfirmed\n"
        "b@x.de,2025-01-06,2025-01-07,Unconfirmed\n"
        "c@x.de,2025-01-06,2025-01-07,\n"
    )
    with pytest.raises(EmptyDataError) as raised:
        load_file("contacts.csv", text.encode())
    message = str(raised.value)
    assert message.startswith(
        "contacts.csv, column 'Status': none of the 3 contacts joined the list "
        "(2 unconfirmed, 1 without a status), so there are no list events."
    )


def test_other_statuses_left_out():
    text = (
        "Email,Date Created,Date Updated,Status\n"
        "a@x.de,2025-01-05,2025-01-05,Active\n"
        "b@x.de,2025-01-06,2025-02-06,Un-subscribed\n"
        "c@x.de,2025-01-07,2025-02-07,Active\n"
        "d@x.de,2025-01-08,2025-02-08,Bounced\n"
        "e@x.de,2025-02-10,2025-02-10,Active\n"
        "f@x.de,2025-02-12,2025-02-12,Active\n"
    )
    # 5 of 6 statuses (83 %) are ActiveCampaign statuses.
    preview = preview_file("contacts.csv", text.encode())
    assert preview.table == "email_events"
    # 1 of 6 contacts is 17 %, so the note is a warning.
    assert preview.raw.info.notes[-1] == (
        "warning: 1 contact with a status other than Active, Unconfirmed, "
        "Unsubscribed or Bounced ('Un-subscribed') is left out. Correct their "
        "status in the file if they joined the list."
    )
    table = load_file("contacts.csv", text.encode())
    result = list_growth_rate(table.frame, Period(D(2025, 2, 1), D(2025, 2, 28)))
    # On the list on 1 Feb: a, c and d (b is left out). New: e and f.
    # d bounces on 8 Feb. (2 - 0 - 1) / 3 x 100 = 33.3 %.
    assert result.extra["contacts_at_start"] == 3
    assert result.extra["new_subscribers"] == 2
    assert result.extra["cleaned"] == 1
    assert result.value == (2 - 0 - 1) / 3 * 100


def test_other_status_examples_capped():
    rows = "".join(
        f"c{n}@x.de,2025-01-{n + 1:02},2025-01-{n + 1:02},Active\n" for n in range(21)
    )
    odd = "".join(
        f"o{n}@x.de,2025-02-01,2025-02-01,{status}\n"
        for n, status in enumerate(["Pending", "Un-subscribed", "Hold", "Spam"])
    )
    # 21 of 25 statuses (84 %) are ActiveCampaign statuses.
    preview = preview_file("contacts.csv", (HEADER_SHORT + rows + odd).encode())
    assert preview.raw.frame.height == 21
    assert preview.raw.info.notes[-1].startswith(
        "warning: 4 contacts with a status other than Active, Unconfirmed, "
        "Unsubscribed or Bounced ('Pending', 'Un-subscribed', 'Hold') are left out."
    )


def test_mostly_other_statuses_not_contacts():
    text = (
        "Email,Date Created,Date Updated,Status\n"
        "a@x.de,2025-01-05,2025-01-05,Active\n"
        "b@x.de,2025-01-06,2025-02-06,Un-subscribed\n"
        "c@x.de,2025-01-07,2025-02-07,Inactive\n"
    )
    # 1 of 3 statuses (33 %) is below 80 %, so the file keeps its rows.
    preview = preview_file("file.csv", text.encode())
    assert preview.table != "email_events"
    assert "Status" in preview.headers


def test_active_customer_list_with_last_updated():
    text = (
        "Customer ID,Email,Date Created,Last Updated,Status,Plan,Monthly Charges\n"
        "c1,a@x.de,2025-01-05,2025-03-01,Active,Pro,50\n"
        "c2,b@x.de,2025-02-05,2025-03-02,Active,Basic,20\n"
    )
    # Every status reads "Active", which a customer list has too, so the
    # complete customer list wins over a contacts export.
    assert preview_file("customers.csv", text.encode()).table == "subscriptions"


def test_unknown_statuses_beside_unsubscribes_raise():
    text = (
        "Email,First Name,Date Created,Date Updated,Status\n"
        "a@x.de,A,2025-01-01,2025-02-01,Active\n"
        "b@x.de,B,2025-01-02,2025-02-01,Pending\n"
        "c@x.de,C,2025-01-03,2025-02-01,Pending\n"
        "d@x.de,D,2025-01-04,2025-03-01,Unsubscribed\n"
        "e@x.de,E,2025-01-05,2025-02-01,Subscribed\n"
    )
    # 2 of 5 statuses (40 %) are ActiveCampaign ones, but an Unsubscribed
    # contact shows a contacts export, so the statuses are named instead of
    # a missing amount of an orders table.
    with pytest.raises(InvalidValueError) as raised:
        load_file("contacts.csv", text.encode())
    message = str(raised.value)
    assert message.startswith("contacts.csv, column 'Status': the file looks like")
    assert "3 of 5 statuses are not Active, Unconfirmed" in message
    assert "'Pending' (2), 'Subscribed' (1), on lines 3, 4, 6." in message
    # The Data page previews the file with the same words as a warning, so
    # the user can still pick another table type.
    preview = preview_file("contacts.csv", text.encode())
    assert preview.raw.info.notes[-1].startswith("warning: the file looks like")
    with pytest.raises(InvalidValueError):
        preview_file("contacts.csv", text.encode(), table="email_events")


def test_one_unknown_status_without_date_updated():
    text = (
        "Email,Date Created,Status\n"
        "a@x.de,2025-01-05,Active\n"
        "b@x.de,2025-01-06,Active\n"
        "c@x.de,2025-01-07,Active\n"
        "d@x.de,2025-01-08,Unsubscribed\n"
        "e@x.de,2025-01-09,Activ\n"
    )
    # 4 of 5 known (80 %) with an Unsubscribed contact: a contacts export
    # whose mistyped contact e is left out and named.
    preview = preview_file("contacts.csv", text.encode())
    assert preview.table == "email_events"
    assert "1 contact with a status other than" in preview.raw.info.notes[-2]
    table = load_file("contacts.csv", text.encode())
    assert table.frame["event"].to_list() == ["subscribe"] * 4 + ["unsubscribe"]
