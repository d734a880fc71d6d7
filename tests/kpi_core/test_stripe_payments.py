"""Stripe's payments export (Dashboard, Payments, Export) loads as orders,
with "Created (UTC)" as the order date and without the payments that were
not captured, while its subscriptions export and deals with a "Created
Date" keep their table type."""

from __future__ import annotations

import json

import pytest

from kpi_core.__main__ import main
from kpi_core.clv import clv
from kpi_core.importing import load_file, preview_file

HEADER = (
    "id,Description,Seller Message,Created (UTC),Amount,Amount Refunded,"
    "Currency,Converted Amount,Converted Amount Refunded,Fee,Tax,"
    "Converted Currency,Mode,Status,Statement Descriptor,Customer ID,"
    "Customer Description,Customer Email,Captured,Card ID,Card Last4,"
    "Card Brand,Card Funding"
)
# Five payments of two customers, charged in USD and converted to EUR at
# 0.92. ch_3 failed, ch_4 was refunded in full and ch_5 refunded 40 of 200.
# Purchases: ch_1 100 + ch_2 50 + ch_5 (200 - 40) 160 = 310 USD in 3
# purchases, so 310 / 3 = 103.33 USD per purchase. Both customers bought
# within a year, so the frequency is 3 purchases / 2 customers = 1.5 a year.
# CLV over 2 years: 310 / 3 x 1.5 x 2 = 310 USD.
ROWS = [
    "ch_1,Order 1,Payment complete.,2025-01-10 09:15:00,100.00,0.00,usd,92.00,"
    "0.00,3.20,0.00,eur,Live,Paid,SHOP,cus_A,Anna,anna@example.com,true,"
    "card_1,4242,Visa,credit",
    "ch_2,Order 2,Payment complete.,2025-02-03 14:00:00,50.00,0.00,usd,46.00,"
    "0.00,1.75,0.00,eur,Live,Paid,SHOP,cus_A,Anna,anna@example.com,true,"
    "card_1,4242,Visa,credit",
    "ch_3,Order 3,Your card was declined.,2025-02-04 10:00:00,80.00,0.00,usd,"
    "73.60,0.00,0.00,0.00,eur,Live,Failed,SHOP,cus_B,Ben,ben@example.com,"
    "false,card_2,0002,Visa,debit",
    "ch_4,Order 4,Payment complete.,2025-03-01 11:30:00,60.00,60.00,usd,55.20,"
    "55.20,2.04,0.00,eur,Live,Refunded,SHOP,cus_B,Ben,ben@example.com,true,"
    "card_2,0002,Visa,debit",
    "ch_5,Order 5,Payment complete.,2025-03-20 16:45:00,200.00,40.00,usd,"
    "184.00,36.80,6.10,0.00,eur,Live,Paid,SHOP,cus_B,Ben,ben@example.com,true,"
    "card_2,0002,Visa,debit",
]


def _write(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _load_payments(tmp_path, rows: list[str] = ROWS):
    path = _write(tmp_path, "payments.csv", [HEADER, *rows])
    return load_file(path.name, path.read_bytes())


def test_payments_export_maps_as_orders(tmp_path):
    prepared = _load_payments(tmp_path)
    assert prepared.table == "orders"
    columns = prepared.mapping.columns
    assert columns["ordered_at"] == "Created (UTC)"
    # The charge's own amount and currency, not the converted ones.
    assert columns["amount"] == "Amount"
    assert columns["currency"] == "Currency"
    assert columns["refunded"] == "Amount Refunded"
    assert columns["customer_id"] == "Customer ID"
    assert columns["status"] == "Status"


def test_payments_purchases_net_of_refunds(tmp_path):
    prepared = _load_payments(tmp_path)
    amounts = dict(prepared.frame.select("order_id", "amount").iter_rows())
    assert amounts == {"ch_1": 100.0, "ch_2": 50.0, "ch_5": 160.0}
    assert prepared.frame["currency"].unique().to_list() == ["USD"]
    # The failed and the fully refunded payment are left out for their
    # status, and not named again for the refund.
    [problem] = prepared.problems
    assert problem.column == "Status"
    assert problem.lines == (4, 5)


def test_payments_clv_by_hand(tmp_path):
    orders = _load_payments(tmp_path).frame
    result = clv(orders, lifespan_years=2)
    assert result.status == "ok"
    assert result.unit == "USD"
    assert result.n == 2
    assert result.extra["average_purchase_value"] == pytest.approx(310 / 3)
    assert result.extra["purchase_frequency"] == pytest.approx(1.5)
    assert result.value == pytest.approx(310.0)


def test_payments_report_cli(tmp_path, capsys):
    path = _write(tmp_path, "payments.csv", [HEADER, *ROWS])
    assert main(["report", str(path), "--lifespan-years", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    [source] = report["inputs"]
    assert source["table"] == "orders"
    assert source["rows_used"] == 3
    assert report["kpis"]["clv"]["value"] == pytest.approx(310.0)
    assert report["kpis"]["campaign_revenue"]["total"] == pytest.approx(310.0)


# ch_6 reads paid but was only authorised, never captured, so no money was
# taken. ch_7 has an empty "Captured" cell and counts.
UNCAPTURED = [
    "ch_6,Order 6,Payment complete.,2025-03-25 12:00:00,70.00,0.00,usd,64.40,"
    "0.00,0.00,0.00,eur,Live,Paid,SHOP,cus_A,Anna,anna@example.com,false,"
    "card_1,4242,Visa,credit",
    "ch_7,Order 7,Payment complete.,2025-03-28 12:00:00,30.00,0.00,usd,27.60,"
    "0.00,1.17,0.00,eur,Live,Paid,SHOP,cus_B,Ben,ben@example.com,,"
    "card_2,0002,Visa,debit",
]


def test_uncaptured_payment_left_out(tmp_path):
    prepared = _load_payments(tmp_path, [*ROWS, *UNCAPTURED])
    assert prepared.mapping.columns["captured"] == "Captured"
    assert prepared.frame["order_id"].to_list() == ["ch_1", "ch_2", "ch_5", "ch_7"]
    problems = {problem.field: problem for problem in prepared.problems}
    assert set(problems) == {"status", "captured"}
    assert problems["captured"].lines == (7,)
    # ch_3 failed and was not captured either, and is named only once.
    assert problems["status"].lines == (4, 5)


def test_uncaptured_payment_warned(tmp_path, capsys):
    path = _write(tmp_path, "payments.csv", [HEADER, *ROWS, *UNCAPTURED])
    assert main(["report", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (
        "payments.csv: 1 row with a payment that was authorised but not "
        "captured (no purchase) in column 'Captured' (line 7; for example "
        "'false'); this row is left out"
    ) in report["warnings"]


# Header sets of the Stripe subscriptions exports in the subscription tests,
# with and without a start column, and one cut down to an interval.
SUBSCRIPTION_HEADERS = {
    "with-start": (
        "id,Customer ID,Customer Email,Status,Created (UTC),Start (UTC),"
        "Canceled At (UTC),Ended At (UTC),Plan,Quantity,Amount,Interval",
        "sub_1,cus_1,a@example.com,active,2025-01-10 00:00,2025-01-10 00:00,,,"
        "Pro,1,50,month",
    ),
    "created-only": (
        "id,Customer ID,Customer Email,Status,Created (UTC),Canceled At (UTC),"
        "Plan,Quantity,Amount,Interval",
        "sub_1,cus_1,a@example.com,active,2025-01-10 09:30,,Pro,3,49.00,month",
    ),
    "interval-only": (
        "id,Customer ID,Created (UTC),Interval,Amount",
        "sub_1,cus_1,2025-01-10 09:30,month,49.00",
    ),
}


@pytest.mark.parametrize(
    "header,row",
    list(SUBSCRIPTION_HEADERS.values()),
    ids=list(SUBSCRIPTION_HEADERS),
)
def test_subscriptions_export_stays_subscriptions(tmp_path, header, row):
    # Guard: "Created (UTC)" is an order date, but no evidence of orders.
    path = _write(tmp_path, "subscriptions.csv", [header, row])
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "subscriptions"


@pytest.mark.parametrize(
    "header,row",
    [
        (
            "Opportunity Name,Stage,Amount,Close Date,Created Date",
            "Acme,Closed Won,1000,2025-02-01,2025-01-05",
        ),
        (
            "Record ID,Deal Name,Deal Stage,Amount,Close Date,Created Date",
            "1,Acme,closedwon,1000,2025-02-01,2025-01-05",
        ),
    ],
    ids=["salesforce", "hubspot"],
)
def test_created_date_deals_stay_deals(tmp_path, header, row):
    # Guard: the orders date takes "Created (UTC)", not any "Created".
    path = _write(tmp_path, "deals.csv", [header, row])
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "deals"
    assert prepared.mapping.columns["created_at"] == "Created Date"


def test_bare_created_no_order_date(tmp_path):
    # Guard: only the header with its "(UTC)" is Stripe's payment date.
    lines = ["Order ID,Customer,Created,Total", "1001,c1,2025-01-10,80.00"]
    path = _write(tmp_path, "orders.csv", lines)
    preview = preview_file(path.name, path.read_bytes(), table="orders")
    assert preview.mapping.columns["ordered_at"] is None
