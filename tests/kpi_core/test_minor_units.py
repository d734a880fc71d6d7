"""Amounts in cents, as the Stripe API writes them, are read in major units."""

from __future__ import annotations

import pytest

from kpi_core.importing import load_file
from kpi_core.minor_units import names_minor_units
from kpi_core.subscriptions import arr

API_HEADER = (
    "id,customer,status,created,start_date,canceled_at,ended_at,"
    "plan.interval,plan.amount,quantity,currency"
)
# 1704067200 is 2024-01-01 00:00 UTC and 1706745600 is 2024-02-01 00:00 UTC.
API_ROWS = [
    "sub_1,cus_1,active,1704067200,1704067200,,,month,1900,1,eur",
    "sub_2,cus_2,active,1706745600,1706745600,,,year,49000,1,eur",
]


def _load(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_file(path.name, path.read_bytes())


def test_stripe_api_amounts_divided(tmp_path):
    table = _load(tmp_path, "subs.csv", [API_HEADER, *API_ROWS])
    assert table.frame["amount"].to_list() == [19.0, 490.0]
    assert table.detected["plan.amount"].endswith("amounts in cents, divided by 100")


def test_stripe_api_arr_in_major_units(tmp_path):
    table = _load(tmp_path, "subs.csv", [API_HEADER, *API_ROWS])
    result = arr(table.frame)
    # 1900 cents a month = 19.00 EUR x 12 = 228.00; 49000 cents a year =
    # 490.00 EUR. ARR = 228.00 + 490.00 = 718.00, not 71,800.
    assert result.value == pytest.approx(718.0)
    assert result.unit == "EUR"


def test_zero_decimal_currency_kept(tmp_path):
    rows = [
        "sub_1,cus_1,active,1704067200,1704067200,,,month,1900,1,jpy",
        "sub_2,cus_2,active,1704067200,1704067200,,,month,1900,1,eur",
        "sub_3,cus_3,active,1704067200,1704067200,,,month,500,1,KRW",
    ]
    table = _load(tmp_path, "subs.csv", [API_HEADER, *rows])
    # 1900 JPY is 1,900 yen and 500 KRW is 500 won (no smaller unit);
    # 1900 EUR cents are 19.00 EUR.
    assert table.frame["amount"].to_list() == [1900.0, 19.0, 500.0]
    note = table.detected["plan.amount"]
    assert "except 2 rows in JPY, KRW" in note


def test_three_decimal_currency_divided_by_1000(tmp_path):
    rows = [
        "sub_1,cus_1,active,1704067200,1704067200,,,month,5120,1,kwd",
        "sub_2,cus_2,active,1704067200,1704067200,,,month,12500,1,BHD",
        "sub_3,cus_3,active,1704067200,1704067200,,,month,5120,1,eur",
        "sub_4,cus_4,active,1704067200,1704067200,,,month,700,1,jpy",
    ]
    table = _load(tmp_path, "subs.csv", [API_HEADER, *rows])
    # Stripe writes dinars in thousandths: 5120 / 1000 = 5.12 KWD and
    # 12500 / 1000 = 12.5 BHD; 5120 EUR cents / 100 = 51.20 EUR; 700 JPY
    # stays 700 yen.
    assert table.frame["amount"].to_list() == pytest.approx([5.12, 12.5, 51.2, 700.0])
    note = table.detected["plan.amount"]
    assert "except 1 row in JPY, a zero-decimal currency" in note
    assert note.endswith(
        "except 1 row in JPY, a zero-decimal currency, kept as they are; except "
        "2 rows in BHD, KWD, a three-decimal currency, divided by 1,000"
    )


def test_only_zero_decimal_rows_not_called_cents(tmp_path):
    rows = [
        "sub_1,cus_1,active,1704067200,1704067200,,,month,1900,1,jpy",
        "sub_2,cus_2,active,1704067200,1704067200,,,month,700,1,jpy",
    ]
    table = _load(tmp_path, "subs.csv", [API_HEADER, *rows])
    # No row is divided by 100, so the note does not say so.
    assert table.frame["amount"].to_list() == [1900.0, 700.0]
    assert table.detected["plan.amount"].endswith(
        "amounts in the smallest currency unit: 2 rows in JPY, a zero-decimal "
        "currency, kept as they are"
    )


def test_cents_header_without_currency(tmp_path):
    lines = [
        "Order ID,Customer ID,Order date,Amount (cents)",
        "1,c1,2024-03-01,12345",
        "2,c2,2024-03-02,99",
    ]
    table = _load(tmp_path, "orders.csv", lines)
    assert table.table == "orders"
    # 12345 / 100 = 123.45 and 99 / 100 = 0.99.
    assert table.frame["amount"].to_list() == pytest.approx([123.45, 0.99])
    assert table.detected["Amount (cents)"].endswith(
        "divided by 100 (no currency column, so a currency with cents is assumed)"
    )


def test_dashboard_amount_unchanged(tmp_path):
    lines = [
        "id,Customer ID,Status,Start Date (UTC),Ended At (UTC),Amount,Currency,"
        "Interval,Quantity",
        "sub_1,cus_1,active,2024-01-01 00:00,,19.00,eur,month,1",
        "sub_2,cus_2,active,2024-02-01 00:00,,490.00,eur,year,1",
    ]
    table = _load(tmp_path, "stripe.csv", lines)
    assert table.frame["amount"].to_list() == [19.0, 490.0]
    assert "divided" not in table.detected.get("Amount", "")
    # 19.00 x 12 + 490.00 = 718.00, as for the API form above.
    assert arr(table.frame).value == pytest.approx(718.0)


@pytest.mark.parametrize(
    "header",
    [
        "plan.amount",
        "price.unit_amount",
        "unit_amount",
        "items.data.price.unit_amount",
        "amount_cents",
        "Amount (cents)",
        "Betrag in Cent",
    ],
)
def test_minor_unit_headers(header):
    assert names_minor_units(header)


@pytest.mark.parametrize(
    "header", ["Amount", "amount", "Unit amount", "Plan amount", "Price", "Percent"]
)
def test_major_unit_headers(header):
    assert not names_minor_units(header)


def test_plan_currency_is_currency(tmp_path):
    lines = [
        "id,customer,status,start_date,canceled_at,plan.amount,plan.currency,"
        "plan.interval,quantity",
        "sub_1,cus_1,active,1704067200,,1900,jpy,month,1",
        "sub_2,cus_2,active,1704067200,,5125,kwd,month,1",
        "sub_3,cus_3,active,1704067200,,2500,usd,month,1",
        "sub_4,cus_4,active,1704067200,,1000,eur,month,1",
        "sub_5,cus_5,active,1704067200,,12000,bhd,year,1",
        "sub_6,cus_6,active,1704067200,,50000,KRW,month,1",
    ]
    table = _load(tmp_path, "subs.csv", lines)

    assert table.mapping.columns["currency"] == "plan.currency"
    assert table.mapping.columns["plan"] is None
    # 1900 JPY and 50000 KRW are kept, 5125 / 1000 = 5.125 KWD and
    # 12000 / 1000 = 12 BHD, 2500 / 100 = 25 USD and 1000 / 100 = 10 EUR.
    assert table.frame["amount"].to_list() == pytest.approx(
        [1900.0, 5.125, 25.0, 10.0, 12.0, 50000.0]
    )

    rates = {
        "EUR": 1.0,
        "JPY": 0.006,
        "KWD": 3.0,
        "USD": 0.9,
        "BHD": 2.4,
        "KRW": 0.0007,
    }
    result = arr(table.frame, currency="EUR", fx=rates)
    # EUR a month: 1900 x 0.006 = 11.40; 5.125 x 3 = 15.375; 25 x 0.9 =
    # 22.50; 10; 12 / 12 x 2.4 = 2.40; 50000 x 0.0007 = 35. The sum 96.675
    # x 12 = 1,160.10 EUR.
    assert result.value == pytest.approx(1160.10)
