import csv

import pytest

from kpi_core.errors import MissingColumnError
from kpi_core.mapping import (
    detect_table,
    guess_mapping,
    header_signature,
    is_id_header,
    require_complete,
)
from kpi_core.schema import TABLES

MAVEN = [
    "opportunity_id",
    "sales_agent",
    "product",
    "account",
    "deal_stage",
    "engage_date",
    "close_date",
    "close_value",
]
HUBSPOT = [
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Amount",
    "Close Date",
    "Create Date",
    "Deal owner",
    "Pipeline",
    "Deal Type",
    "Associated Company",
]
PIPEDRIVE = [
    "Deal - ID",
    "Deal - Title",
    "Deal - Value",
    "Deal - Currency",
    "Deal - Stage",
    "Deal - Status",
    "Deal - Owner",
    "Deal - Deal created",
    "Deal - Deal closed on",
    "Deal - Organization",
    "Deal - Last stage change",
]
SALESFORCE = [
    "Opportunity Name",
    "Account Name",
    "Stage",
    "Amount",
    "Probability (%)",
    "Close Date",
    "Created Date",
    "Type",
    "Lead Source",
    "Opportunity Owner",
]
GERMAN = [
    "Deal-ID",
    "Verantwortlicher",
    "Phase",
    "Erstellt am",
    "Abschlussdatum",
    "Betrag",
    "Währung",
]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param(
            MAVEN,
            {
                "deal_id": "opportunity_id",
                "owner": "sales_agent",
                "stage": "deal_stage",
                "created_at": "engage_date",
                "closed_at": "close_date",
                "amount": "close_value",
                "product": "product",
                "account": "account",
            },
            id="maven",
        ),
        pytest.param(
            HUBSPOT,
            {
                "deal_id": "Record ID",
                "owner": "Deal owner",
                "stage": "Deal Stage",
                "created_at": "Create Date",
                "closed_at": "Close Date",
                "amount": "Amount",
                "account": "Associated Company",
                "deal_type": "Deal Type",
                "pipeline": "Pipeline",
            },
            id="hubspot",
        ),
        pytest.param(
            PIPEDRIVE,
            {
                "deal_id": "Deal - ID",
                "owner": "Deal - Owner",
                "stage": "Deal - Stage",
                "status": "Deal - Status",
                "created_at": "Deal - Deal created",
                "closed_at": "Deal - Deal closed on",
                "amount": "Deal - Value",
                "currency": "Deal - Currency",
                "account": "Deal - Organization",
            },
            id="pipedrive",
        ),
        pytest.param(
            SALESFORCE,
            {
                "owner": "Opportunity Owner",
                "stage": "Stage",
                "created_at": "Created Date",
                "closed_at": "Close Date",
                "amount": "Amount",
                "account": "Account Name",
                "deal_type": "Type",
                "source": "Lead Source",
            },
            id="salesforce",
        ),
        pytest.param(
            GERMAN,
            {
                "deal_id": "Deal-ID",
                "owner": "Verantwortlicher",
                "stage": "Phase",
                "created_at": "Erstellt am",
                "closed_at": "Abschlussdatum",
                "amount": "Betrag",
                "currency": "Währung",
            },
            id="german",
        ),
    ],
)
def test_guess_mapping_deal_exports(headers, expected):
    mapping = guess_mapping(headers, "deals")
    for field_name, column in expected.items():
        assert mapping.columns[field_name] == column, field_name


def test_guess_mapping_uses_each_column_once():
    mapping = guess_mapping(PIPEDRIVE, "deals")
    used = [c for c in mapping.columns.values() if c]
    assert len(used) == len(set(used))


def test_guess_mapping_exact_beats_partial():
    mapping = guess_mapping(PIPEDRIVE, "deals")
    assert mapping.columns["stage"] == "Deal - Stage"
    assert mapping.confidence["stage"] == 1.0


def test_detect_table_maven_is_deals():
    table, _ = detect_table(MAVEN)
    assert table == "deals"


def test_detect_table_unknown_headers():
    table, scores = detect_table(["foo", "bar", "baz"])
    assert table is None
    assert set(scores) >= {"deals", "stage_history"}


def test_salesforce_report_without_id_is_complete():
    # Without an id column each row is one deal.
    mapping = guess_mapping(SALESFORCE, "deals")
    assert mapping.missing_required == []
    assert mapping.columns["deal_id"] is None


def test_salesforce_flags_need_yes_no_values():
    headers = [*SALESFORCE, "Won", "Closed"]
    by_header = guess_mapping(headers, "deals")
    assert by_header.columns["won"] is None
    assert by_header.columns["closed"] is None
    with_values = guess_mapping(headers, "deals", ["Won", "Closed"])
    assert with_values.columns["won"] == "Won"
    assert with_values.columns["closed"] == "Closed"


def test_flag_not_guessed_from_part_of_header():
    headers = ["Record ID", "Deal Stage", "Create Date", 'Date entered "Closed won"']
    mapping = guess_mapping(headers, "deals", headers)
    assert mapping.columns["closed"] is None
    assert mapping.columns["won"] is None


def test_require_complete_names_missing_field():
    mapping = guess_mapping([h for h in SALESFORCE if h != "Stage"], "deals")
    with pytest.raises(MissingColumnError) as caught:
        require_complete(mapping, "report.csv")
    message = str(caught.value)
    assert message.startswith("report.csv: no column found for Stage")
    assert "choose it in the column mapping" in message


def test_with_choice_overrides_guess():
    mapping = guess_mapping(SALESFORCE, "deals").with_choice(
        "deal_id", "Opportunity Name"
    )
    assert mapping.columns["deal_id"] == "Opportunity Name"
    assert mapping.missing_required == []


def test_header_signature_ignores_order_and_case():
    assert header_signature(["A b", "C"]) == header_signature(["c", "a B"])
    assert header_signature(["A"]) != header_signature(["B"])


def test_earlier_alias_wins_over_file_order():
    # Zendesk has both; the schema lists "Ticket type" before "Category [list]"
    # or the other way round, and that order must decide, not the file's.
    headers = ["Id", "Created at", "Category [list]", "Ticket type"]
    mapping = guess_mapping(headers, "tickets")
    reversed_mapping = guess_mapping(list(reversed(headers)), "tickets")
    assert mapping.columns["category"] == reversed_mapping.columns["category"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("churn_event_id", True),
        ("customerID", True),
        ("Kunden-ID", True),
        ("Record ID", True),
        ("Churn", False),
        ("paid", False),
        ("Idea", False),
    ],
    ids=["snake case", "camel case", "german", "words", "flag", "ends in id", "starts"],
)
def test_is_id_header(header, expected):
    assert is_id_header(header) is expected


def test_id_header_not_partial_flag():
    mapping = guess_mapping(["account_id", "churn_event_id"], "subscriptions")
    assert mapping.columns["churned"] is None


def test_snapshot_mapping_needs_monthly_charge():
    mapping = guess_mapping(["customerID", "Churn", "refund_amount"], "subscriptions")
    assert mapping.is_snapshot
    assert mapping.missing_required == ["monthly_charge"]


def test_dated_subscriptions_need_no_charge():
    mapping = guess_mapping(["customer_id", "start_date"], "subscriptions")
    assert mapping.missing_required == []


def test_require_complete_snapshot_message():
    mapping = guess_mapping(["account_id"], "subscriptions")
    with pytest.raises(MissingColumnError, match="Monthly charge .*Churned"):
        require_complete(mapping, "list.csv")


def _headers(path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_ravenstack_churn_events_not_snapshot(datasets_dir):
    path = datasets_dir / "ravenstack-saas" / "ravenstack_churn_events.csv"
    mapping = guess_mapping(_headers(path), "subscriptions")
    assert mapping.columns["churned"] != "churn_event_id"
    with pytest.raises(MissingColumnError, match="Monthly charge"):
        require_complete(mapping, path.name)


def test_telco_snapshot_mapping_complete(datasets_dir):
    path = datasets_dir / "ibm-telco-churn" / "Telco-Customer-Churn.csv"
    mapping = guess_mapping(_headers(path), "subscriptions")
    assert mapping.missing_required == []
    assert mapping.columns["churned"] == "Churn"
    assert mapping.columns["monthly_charge"] == "MonthlyCharges"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        # No customer column: orders cannot be imported, spend can.
        (["Date", "Channel", "Amount", "Currency"], "spend"),
        (["Day", "Campaign", "Cost", "Currency code"], "spend"),
        # Real order exports keep coming out as orders.
        (["Date", "Customer", "Amount"], "orders"),
        (["Order ID", "Date", "Amount", "Currency", "Channel"], "orders"),
        (["Bestellnummer", "Kunde", "Datum", "Betrag"], "orders"),
    ],
)
def test_detect_table_spend_or_orders(headers, expected):
    assert detect_table(headers)[0] == expected


def test_detect_table_real_spend_and_orders(datasets_dir):
    folder = datasets_dir / "needful-things-ecommerce"
    for name, expected in (("marketing_spend.csv", "spend"), ("orders.csv", "orders")):
        with (folder / name).open(encoding="utf-8") as handle:
            headers = next(csv.reader(handle))
        assert detect_table(headers)[0] == expected, name


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("deals", "a deals table"),
        ("stage_history", "a deal stage history table"),
        ("tickets", "a support tickets table"),
        ("ticket_messages", "a ticket messages table"),
        ("nps", "an NPS survey responses table"),
        ("subscriptions", "a subscriptions table"),
        ("orders", "an orders table"),
        ("spend", "a marketing spend table"),
        ("email_events", "an email list events table"),
    ],
)
def test_table_name_with_article(table, expected):
    assert TABLES[table].a_table == expected


def test_require_complete_orders_article():
    mapping = guess_mapping(["Date", "Channel", "Amount", "Currency"], "orders")
    with pytest.raises(MissingColumnError) as caught:
        require_complete(mapping, "spend.csv")
    assert "of an orders table;" in str(caught.value)


def test_bare_closed_header_by_values():
    # Salesforce writes "Closed" as a true/false flag, others as a date: the
    # values, given as ``flag_headers``, decide.
    headers = ["Deal ID", "Stage", "Created", "Closed", "Amount", "Currency"]
    as_flag = guess_mapping(headers, "deals", ["Closed"])
    assert as_flag.columns["closed"] == "Closed"
    assert as_flag.columns["closed_at"] is None
    as_date = guess_mapping(headers, "deals")
    assert as_date.columns["created_at"] == "Created"
    assert as_date.columns["closed_at"] == "Closed"
    assert as_date.columns["closed"] is None


@pytest.mark.parametrize("header", ["Closed date", "Date closed", "Close date"])
def test_close_date_header_variants(header):
    mapping = guess_mapping(["Deal ID", "Stage", "Created", header], "deals")
    assert mapping.columns["closed_at"] == header


def test_salesforce_flags_not_close_date():
    # A Salesforce opportunity report has the date in "Close Date" and the
    # true/false flags "Won" and "Closed".
    headers = [*SALESFORCE, "Won", "Closed"]
    mapping = guess_mapping(headers, "deals")
    assert mapping.columns["closed_at"] == "Close Date"
    assert "Won" not in mapping.used_columns().values()
    assert mapping.columns["lost_at"] is None


# Table types of the real data sets, which alias changes must not alter.
REAL_TABLE_TYPES = {
    "ibm-telco-churn/Telco-Customer-Churn.csv": "subscriptions",
    "maven-crm-sales/accounts.csv": None,
    "maven-crm-sales/products.csv": None,
    "maven-crm-sales/sales_pipeline.csv": "deals",
    "maven-crm-sales/sales_teams.csv": None,
    "needful-things-ecommerce/marketing_spend.csv": "spend",
    "needful-things-ecommerce/orders.csv": "orders",
    "needful-things-ecommerce/reviews.csv": "nps",
    # Neither has a start, end, cancel date, monthly charge or interval.
    "ravenstack-saas/ravenstack_accounts.csv": None,
    "ravenstack-saas/ravenstack_churn_events.csv": None,
    "ravenstack-saas/ravenstack_subscriptions.csv": "subscriptions",
    "ravenstack-saas/ravenstack_support_tickets.csv": "tickets",
    "support-tickets-synthetic/customer_support_tickets.csv": "tickets",
    "uci-bank-marketing/bank.csv": None,
}


def test_detect_table_real_data_sets(datasets_dir):
    for name, expected in REAL_TABLE_TYPES.items():
        headers = _headers(datasets_dir / name)
        assert detect_table(headers)[0] == expected, name


def test_recurring_total_not_subscription_amount():
    headers = ["subscription_id", "account_id", "start_date", "seats", "arr_amount"]
    mapping = guess_mapping(headers, "subscriptions")
    # "arr_amount" contains the alias "amount", but an annual total read as
    # the price per interval, times the seats, would inflate the ARR.
    assert mapping.columns["amount"] is None
    assert mapping.columns["quantity"] == "seats"


def test_plain_amount_still_partial_match():
    mapping = guess_mapping(["Customer", "Start", "Plan Amount"], "subscriptions")
    assert mapping.columns["amount"] == "Plan Amount"


def test_partial_match_skips_time_headers():
    # HubSpot's stage columns name the pipeline inside a date header.
    headers = [
        "Record ID",
        "Deal Stage",
        "Create Date",
        "Close Date",
        'Date entered "Appointment Scheduled (Sales Pipeline)"',
        'Time in "Closed won (Sales Pipeline)"',
        'Eintrittsdatum "Qualified (Vertriebspipeline)"',
        'Kumulierte Zeit in "Termin vereinbart (Vertriebspipeline)"',
    ]
    mapping = guess_mapping(headers, "deals")
    assert mapping.columns["pipeline"] is None


def test_partial_match_still_takes_pipeline_name():
    mapping = guess_mapping(["Record ID", "Deal Stage", "Sales Pipeline"], "deals")
    assert mapping.columns["pipeline"] == "Sales Pipeline"
