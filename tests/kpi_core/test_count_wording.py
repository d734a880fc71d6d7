"""Counts of one read in the singular in formulas, notes and messages."""

import io
import zipfile
from datetime import date

import polars as pl
import pytest

from kpi_core.errors import MissingColumnError
from kpi_core.importing import load_file, preview_file
from kpi_core.marketing import cac, new_customers_from_subscriptions
from kpi_core.period import Period
from kpi_core.sales import (
    average_deal_size,
    close_rate,
    sales_cycle_days,
    upsell_rate,
    won_value,
)
from kpi_core.whatif_baseline import baseline_levers

D = date
YEAR = Period(D(2025, 1, 1), D(2025, 12, 31))
ONE_DEAL = pl.DataFrame(
    {
        "deal_id": ["1"],
        "account": ["Acme"],
        "deal_type": ["Upsell"],
        "status": ["won"],
        "created_at": [D(2025, 1, 9)],
        "closed_at": [D(2025, 1, 10)],
        "amount": [10.0],
    }
)


def test_sales_formulas_one_deal():
    assert close_rate(ONE_DEAL).formula == "1 won / 1 deal x 100 = 100.00 %"
    assert won_value(ONE_DEAL).formula == "sum of 1 won deal amount = 10.00 EUR"
    assert average_deal_size(ONE_DEAL).formula == ("10.00 EUR / 1 won deal = 10.00 EUR")
    # Created 2025-01-09, closed 2025-01-10: 1 day.
    assert sales_cycle_days(ONE_DEAL).formula == (
        "1 day / 1 deal = 1.0 days (median 1 day), measured from creation to close"
    )
    assert upsell_rate(ONE_DEAL).formula == (
        "1 customer with an upsell / 1 active customer x 100 = 100.00 %"
    )


def test_won_value_one_deal_without_amount():
    result = won_value(ONE_DEAL.with_columns(amount=pl.lit(None, pl.Float64)))
    assert result.reason == "the deal won in this period has no amount"


def test_whatif_notes_one_deal_and_customer():
    subscriptions = pl.DataFrame(
        {
            "customer_id": ["A"],
            "started_at": [D(2025, 1, 1)],
            "ended_at": [None],
            "amount": [100.0],
            "interval": ["month"],
        },
        schema_overrides={"ended_at": pl.Date},
    )
    _levers, notes = baseline_levers(
        {"deals": ONE_DEAL, "subscriptions": subscriptions}, YEAR
    )
    # 1 x 30.4375 / 365 = 0.083 deals a month.
    assert notes["leads_per_month"] == (
        "1 deal created in 2025-01-01 to 2025-12-31 / "
        "(365 days / 30.4375 days a month) = 0.08 a month"
    )
    assert notes["active_customers"] == "1 paying customer on 2025-12-31"


def test_cac_one_undated_customer():
    customers = new_customers_from_subscriptions(
        pl.DataFrame({"customer_id": ["a"], "churned": ["No"]})
    )
    spend = pl.DataFrame({"spent_at": [D(2025, 1, 1)], "amount": [100.0]})
    result = cac(spend, customers)
    assert result.reason.startswith("the one customer has no acquisition date")


def test_unknown_table_message_uses_labels():
    with pytest.raises(MissingColumnError) as caught:
        load_file("x.csv", b"foo,bar\n1,2\n")
    message = str(caught.value)
    assert "NPS survey responses" in message
    assert "nps survey responses" not in message
    assert "deal stage history" in message


def test_hubspot_one_stage_entry_note():
    data = (
        b'Record ID,Deal Name,"Date entered ""Appointment scheduled (Sales '
        b'Pipeline)""","Date entered ""Closed won (Sales Pipeline)"""\n'
        b"101,Acme,2025-01-02 10:00,\n"
    )
    notes = preview_file("deals.csv", data).raw.info.notes
    assert notes[-1] == (
        "2 HubSpot 'Date entered' columns were turned into 1 stage entry, "
        "one row per deal and stage."
    )


def test_mailchimp_one_member_note():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(
            "subscribed_members_export.csv",
            "Email Address,First Name,OPTIN_TIME\nana@example.com,Ana,2025-01-02\n",
        )
        # A member file without rows: the audience has one member in all.
        zipped.writestr(
            "unsubscribed_members_export.csv", "Email Address,First Name,OPTIN_TIME\n"
        )
    preview = preview_file("audience.zip", archive.getvalue())
    notes = preview.raw.info.notes
    assert preview.table == "email_events"
    assert notes[-1] == (
        "The Mailchimp audience of 1 member was turned into 1 list event "
        "(subscribes, unsubscribes, cleaned)."
    )
