"""A money column whose cells each name their currency and write numbers in
that currency's style ("US$ 100.00" beside "1.234,50 €"), through the real
import."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_core.importing import load_file
from kpi_core.money import convert_amounts
from kpi_core.prepare import PreparedTable

ORDER_HEADER = "Order ID,Customer Email,Order Date,Total,Status"


def load_orders(tmp_path: Path, totals: list[str]) -> PreparedTable:
    lines = [ORDER_HEADER]
    for number, total in enumerate(totals, start=1):
        lines.append(f'A{number},x{number}@ex.com,2025-01-{number:02},"{total}",paid')
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table="orders")


def test_each_cell_read_in_own_style(tmp_path):
    prepared = load_orders(
        tmp_path,
        [
            "US$ 100.00",
            "CHF 1'234.50",
            "€ 99,90",
            "1.234,50 €",
            "C$ 50.00",
            "€1.234,50",
        ],
    )
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == [
        "USD",
        "CHF",
        "EUR",
        "EUR",
        "CAD",
        "EUR",
    ]
    assert prepared.frame["amount"].to_list() == [
        100.0,
        1234.5,
        99.9,
        1234.5,
        50.0,
        1234.5,
    ]
    # Rates into EUR: USD 0.9, CHF 1.05, CAD 0.7.
    # 100 x 0.9 + 1,234.50 x 1.05 + 99.90 + 1,234.50 + 50 x 0.7 + 1,234.50
    # = 90 + 1,296.225 + 99.90 + 1,234.50 + 35 + 1,234.50 = 3,990.125 EUR.
    converted, unit, _ = convert_amounts(
        prepared.frame, "EUR", {"USD": 0.9, "CHF": 1.05, "CAD": 0.7}
    )
    assert unit == "EUR"
    assert converted["amount"].sum() == pytest.approx(3990.125)


def test_per_currency_note(tmp_path):
    prepared = load_orders(tmp_path, ["US$ 100.00", "€ 99,90"])
    note = prepared.detected["Total"]
    assert note.startswith("decimal mark per currency (EUR: comma, USD: point)")


def test_ambiguous_cell_takes_currency_style(tmp_path):
    # "€ 1.234" has a lone dot before three digits. The other euro cell
    # "€ 99,90" writes the decimal comma, so the dot groups thousands: 1234.
    # "US$ 1,234" likewise follows "US$ 5.50", which writes the point: 1234.
    prepared = load_orders(tmp_path, ["€ 99,90", "€ 1.234", "US$ 5.50", "US$ 1,234"])
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [99.9, 1234.0, 5.5, 1234.0]


def test_ambiguous_cell_without_style_named(tmp_path):
    # The only CHF cell "CHF 1.234" gives no style for CHF, so it could be
    # 1.234 or 1,234 and is named. The other cells still read.
    prepared = load_orders(tmp_path, ["€ 99,90", "US$ 5.50", "CHF 1.234"])
    [problem] = prepared.problems
    assert problem.column == "Total"
    assert problem.lines == (4,)
    assert problem.examples == ("CHF 1.234",)
    assert "'CHF 1.234' could be 1.234 or 1,234" in problem.kind
    assert prepared.frame["amount"].to_list() == [99.9, 5.5, None]


def test_decimal_in_wrong_currency_style_kept(tmp_path):
    # A cell that reads one way only keeps that reading, even when other
    # cells of its currency write the other style: "€ 5.50" is 5.5.
    prepared = load_orders(tmp_path, ["€ 99,90", "€ 5.50", "US$ 2.25"])
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [99.9, 5.5, 2.25]


def test_one_currency_column_read_as_before(tmp_path):
    # Guard: one currency, so the column's decimal mark decides as before.
    # The comma has two pieces of evidence ("€ 99,90", "€ 1.234,50") and
    # the point one ("€ 5.50"), so "€ 5.50" is an invalid number.
    prepared = load_orders(tmp_path, ["€ 99,90", "€ 1.234,50", "€ 5.50"])
    assert prepared.frame["amount"].to_list() == [99.9, 1234.5, None]
    [problem] = prepared.problems
    assert problem.lines == (4,)


def test_unmarked_column_read_as_before(tmp_path):
    # Guard: plain numbers keep one mark per column. The point has two
    # pieces of evidence and the comma one, so "99,90" is invalid.
    prepared = load_orders(tmp_path, ["100.00", "5.50", "99,90"])
    assert prepared.frame["amount"].to_list() == [100.0, 5.5, None]
    [problem] = prepared.problems
    assert problem.lines == (4,)
