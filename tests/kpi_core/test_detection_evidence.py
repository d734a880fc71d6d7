"""Table detection and mapping guesses that need more than a header: number
columns are not guessed as labels, and a file is not taken for subscriptions
on a customer id, plan and churn flag alone."""

from pathlib import Path

import pytest

from kpi_core.column_kinds import number_columns
from kpi_core.errors import MissingColumnError
from kpi_core.importing import load_file, preview_file
from kpi_core.mapping import describe_table_types

# The UCI bank marketing layout: "campaign" counts the calls to a client.
BANK = """\
"age";"job";"marital";"day";"month";"duration";"campaign";"pdays";"y"
30;"unemployed";"married";19;"oct";79;1;-1;"no"
33;"services";"married";11;"may";220;3;339;"no"
35;"management";"single";16;"apr";185;12;330;"yes"
"""

# RavenStack's churn event log: one row per churn, not per subscription.
CHURN_EVENTS = """\
churn_event_id,account_id,churn_date,reason_code,refund_amount_usd,\
preceding_upgrade_flag,preceding_downgrade_flag,is_reactivation,feedback_text
C-1,A-1,2024-03-02,pricing,0.0,False,False,False,too expensive
C-2,A-2,2024-05-11,features,25.5,True,False,False,
C-3,A-3,2024-07-19,support,0.0,False,True,True,slow answers
"""

# RavenStack's accounts: plan, seats and a churn flag, but no subscription
# dates and no monthly charge.
ACCOUNTS = """\
account_id,account_name,industry,country,signup_date,referral_source,\
plan_tier,seats,is_trial,churn_flag
A-1,Company_0,EdTech,US,2023-02-01,organic,Basic,5,False,False
A-2,Company_1,FinTech,DE,2023-04-17,ads,Pro,12,False,True
A-3,Company_2,HealthTech,FR,2024-01-09,partner,Enterprise,40,True,False
"""


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_number_column_not_guessed_as_source(tmp_path):
    path = _write(tmp_path, "bank.csv", BANK)
    preview = preview_file(path.name, path.read_bytes(), table="deals")
    assert preview.mapping.columns["source"] is None
    assert "campaign" not in preview.mapping.used_columns().values()


def test_number_column_not_guessed_as_campaign(tmp_path):
    path = _write(tmp_path, "bank.csv", BANK)
    for table in ("orders", "spend"):
        preview = preview_file(path.name, path.read_bytes(), table=table)
        assert preview.mapping.columns["campaign"] is None, table


def test_text_campaign_still_guessed(tmp_path):
    content = BANK.replace(";1;-1;", ';"Spring";-1;').replace(";3;339;", ';"Fall";339;')
    content = content.replace(";12;330;", ';"Spring";330;')
    path = _write(tmp_path, "bank.csv", content)
    preview = preview_file(path.name, path.read_bytes(), table="deals")
    assert preview.mapping.columns["source"] == "campaign"


def test_number_id_header_still_label(tmp_path):
    # An exact alias that names an id column keeps its numbers: plan ids are
    # labels of plans.
    content = """\
subscriptions.id,subscriptions.customer_id,subscriptions.started_at,\
subscriptions.plan_id,subscriptions.mrr
1,10,2024-01-01,7,50
2,11,2024-02-01,8,90
"""
    path = _write(tmp_path, "plans.csv", content)
    preview = preview_file(path.name, path.read_bytes())
    assert preview.table == "subscriptions"
    assert preview.mapping.columns["plan"] == "subscriptions.plan_id"


def test_number_columns_reads_values(tmp_path):
    content = """\
a,b,c,d,e
1,x,2.5,,-3
,y,"0,25",,+4
12,3,7.,,.5
"""
    path = _write(tmp_path, "mixed.csv", content)
    raw = preview_file(path.name, path.read_bytes()).raw
    # b mixes text and a number, and d has no filled cell.
    assert number_columns(raw.frame, ["a", "b", "c", "d", "e"]) == ["a", "c", "e"]


def test_churn_events_not_subscriptions(tmp_path):
    path = _write(tmp_path, "ravenstack_churn_events.csv", CHURN_EVENTS)
    assert preview_file(path.name, path.read_bytes()).table is None


def test_accounts_not_subscriptions(tmp_path):
    path = _write(tmp_path, "ravenstack_accounts.csv", ACCOUNTS)
    assert preview_file(path.name, path.read_bytes()).table is None


def test_unknown_file_message_lists_types(tmp_path):
    path = _write(tmp_path, "ravenstack_churn_events.csv", CHURN_EVENTS)
    with pytest.raises(MissingColumnError) as caught:
        load_file(path.name, path.read_bytes())
    message = str(caught.value)
    assert message.startswith(
        "ravenstack_churn_events.csv: could not tell which kind of table this "
        "is from the columns 'churn_event_id', 'account_id'"
    )
    assert "monthly_charge (for example" not in message
    assert "deals (Stage, Created date)" in message
    assert "support tickets (Ticket ID, Created date)" in message
    assert (
        "subscriptions (Customer ID with Start date, or Customer ID with "
        "Monthly charge and Churned)"
    ) in message
    assert "orders (Customer ID, Order date, Amount)" in message
    assert message.endswith(
        "pick the table type and columns on the Data page of the app"
    )


def test_describe_table_types_names_all():
    text = describe_table_types()
    for noun in (
        "deals",
        "deal stage history",
        "support tickets",
        "ticket messages",
        "NPS survey responses",
        "subscriptions",
        "orders",
        "marketing spend",
        "email list events",
    ):
        assert f"{noun} (" in text, noun


@pytest.mark.parametrize(
    ("name", "content"),
    [
        # A customer list with a monthly charge and churn flag (IBM Telco).
        ("telco.csv", "customerID,tenure,MonthlyCharges,Churn\n7590-V,1,29.85,No\n"),
        # Stripe without a start date column still has the cancel date and
        # the interval.
        (
            "stripe.csv",
            "id,Customer ID,Status,Canceled At (UTC),Plan,Amount,Interval\n"
            "sub_1,cus_1,active,,pro,49.00,month\n",
        ),
        # Dated subscriptions (RavenStack).
        (
            "subs.csv",
            "subscription_id,account_id,start_date,end_date,mrr_amount\n"
            "S1,A1,2024-01-01,,100\n",
        ),
    ],
    ids=["snapshot", "stripe", "dated"],
)
def test_subscriptions_still_detected(tmp_path, name, content):
    path = _write(tmp_path, name, content)
    assert preview_file(path.name, path.read_bytes()).table == "subscriptions"


# The table type of every data set file, written by hand from the data
# sets' descriptions of their files. None marks a file of no table type the
# app reads.
DATASET_TYPES = {
    "ibm-telco-churn/Telco-Customer-Churn.csv": "subscriptions",
    "maven-crm-sales/accounts.csv": None,
    "maven-crm-sales/data_dictionary.csv": None,
    "maven-crm-sales/products.csv": None,
    "maven-crm-sales/sales_pipeline.csv": "deals",
    "maven-crm-sales/sales_teams.csv": None,
    "needful-things-ecommerce/marketing_spend.csv": "spend",
    "needful-things-ecommerce/orders.csv": "orders",
    "needful-things-ecommerce/reviews.csv": "nps",
    "ravenstack-saas/ravenstack_accounts.csv": None,
    "ravenstack-saas/ravenstack_churn_events.csv": None,
    "ravenstack-saas/ravenstack_subscriptions.csv": "subscriptions",
    "ravenstack-saas/ravenstack_support_tickets.csv": "tickets",
    "support-tickets-synthetic/customer_support_tickets.csv": "tickets",
    "uci-bank-marketing/bank-additional-names.txt": None,
    "uci-bank-marketing/bank-additional_excel-mangled.csv": None,
    "uci-bank-marketing/bank-names.txt": None,
    "uci-bank-marketing/bank.csv": None,
}


def test_dataset_file_types(datasets_dir):
    files = sorted(
        path.relative_to(datasets_dir).as_posix()
        for path in datasets_dir.rglob("*")
        if path.is_file() and path.name != "SOURCE.md"
    )
    assert files == sorted(DATASET_TYPES)
    for name in files:
        path = datasets_dir / name
        preview = preview_file(path.name, path.read_bytes())
        assert preview.table == DATASET_TYPES[name], name


def test_bank_as_deals_no_source(datasets_dir):
    path = datasets_dir / "uci-bank-marketing" / "bank.csv"
    preview = preview_file(path.name, path.read_bytes(), table="deals")
    assert preview.mapping.columns["source"] is None
