"""Anonymous survey responses name no customer, so "latest per customer"
does not fold them into one."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_core.importing import load_file
from kpi_core.nps import net_promoter_score
from kpi_core.period import Period

ALL_DATA = Period(None, None)
# Three anonymous responses (10, 9, 3) and two by anna, the later one a 6.
FORMS = """Response ID,Email,Score,Submit Date
1,anonymous,10,2026-03-02 10:00
2,Anonymous,9,2026-03-03 10:00
3,anonymous,3,2026-03-04 10:00
4,anna@example.de,10,2026-03-05 10:00
5,anna@example.de,6,2026-03-06 10:00
"""


def _responses():
    return load_file("forms.csv", FORMS.encode(), table="nps").frame


def test_anonymous_latest_per_customer():
    result = net_promoter_score(_responses(), ALL_DATA, "latest_per_customer")
    # Only anna's latest response, a 6, counts: 0 promoters, 1 detractor of 1.
    assert result.n == 1
    assert result.value == pytest.approx(-100.0)
    assert result.excluded["response without a customer id"] == 3
    assert result.excluded["earlier response of the same customer"] == 1


def test_anonymous_all_responses_kept():
    result = net_promoter_score(_responses(), ALL_DATA)
    # 10, 9, 3, 10, 6: 3 promoters and 2 detractors of 5.
    assert result.n == 5
    assert result.value == pytest.approx((3 - 2) / 5 * 100)


def test_forms_completion_time_is_date():
    forms = (
        "ID,Startzeit,Fertigstellungszeit,E-Mail,Name,Score\n"
        "1,2026-03-02 09:58,2026-03-02 10:00,anonymous,,10\n"
        "2,2026-04-03 09:58,2026-04-03 10:00,anonymous,,6\n"
    )
    prepared = load_file("forms.csv", forms.encode(), table="nps")
    assert prepared.mapping.columns["responded_at"] == "Fertigstellungszeit"
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    # Only the 10 of 2 March lies in March.
    assert net_promoter_score(prepared.frame, march).value == pytest.approx(100.0)


def test_survey_with_id_and_submitted_at_is_nps():
    # "id" and "submitted_at" also name a ticket's id and creation time.
    survey = (
        "id,submitted_at,How likely are you to recommend us?\n"
        "1,2025-03-01 10:00:00,10\n2,2025-03-02 11:00:00,9\n"
        "3,2025-03-03 12:00:00,3\n"
    )
    prepared = load_file("survey.csv", survey.encode())
    assert prepared.table == "nps"
    # 2 promoters, 1 detractor of 3.
    result = net_promoter_score(prepared.frame, ALL_DATA)
    assert result.value == pytest.approx((2 - 1) / 3 * 100)


def test_deals_with_likely_column_stay_deals():
    deals = (
        "Record ID,Deal Stage,Create Date,Close Date,Amount,Likely to close (0-10)\n"
        "1,Closed won,2025-03-01,2025-03-10,1000,8\n"
        "2,Closed lost,2025-03-02,2025-03-12,500,3\n"
    )
    assert load_file("deals.csv", deals.encode()).table == "deals"


def test_tickets_with_nps_question_stay_tickets():
    tickets = (
        "Ticket ID,Status,Created at,Solved at,"
        "How likely are you to recommend our support? (0-10)\n"
        "1,Solved,2025-03-01 10:00,2025-03-01 12:00,9\n"
        "2,Solved,2025-03-02 10:00,2025-03-02 15:00,4\n"
    )
    assert load_file("tickets.csv", tickets.encode()).table == "tickets"


def test_survey_with_status_and_tags_is_nps():
    # id, created_at and status also read as a ticket's, but nothing else
    # does: 2 promoters and 1 detractor of 4.
    survey = (
        "id,created_at,updated_at,status,How likely are you to recommend us? "
        "(0-10),tags\n"
        "1,2025-03-01,2025-03-01,completed,10,web\n"
        "2,2025-03-02,2025-03-02,completed,9,web\n"
        "3,2025-03-03,2025-03-03,completed,8,app\n"
        "4,2025-03-04,2025-03-04,completed,3,app\n"
    )
    prepared = load_file("survey.csv", survey.encode())
    assert prepared.table == "nps"
    result = net_promoter_score(prepared.frame, ALL_DATA)
    assert result.value == pytest.approx((2 - 1) / 4 * 100)


def test_survey_with_channel_is_nps():
    # "channel" reads as a ticket's too, but a survey has one as well.
    survey = (
        "id,created_at,channel,How likely are you to recommend us?\n"
        "1,2025-03-01,web,10\n2,2025-03-02,app,9\n3,2025-03-03,web,2\n"
    )
    prepared = load_file("survey.csv", survey.encode())
    assert prepared.table == "nps"


def test_all_anonymous_latest_reason():
    forms = "Response ID,Email,Score,Submit Date\n1,anonymous,10,2026-03-02 10:00\n"
    responses = load_file("forms.csv", forms.encode(), table="nps").frame
    result = net_promoter_score(responses, ALL_DATA, "latest_per_customer")
    assert result.reason.startswith("no response of this period has a customer id")
