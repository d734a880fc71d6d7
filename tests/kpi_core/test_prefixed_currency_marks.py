"""Dollar marks with a country prefix ("US$", "C$") and the Swiss "Fr." in
amount cells, through the real import."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kpi_core.importing import load_file
from kpi_core.prepare import PreparedTable
from kpi_core.values import parse_numbers

ORDER_HEADER = "Order ID,Customer Email,Order Date,Total,Status"


def load_orders(tmp_path: Path, totals: list[str]) -> PreparedTable:
    lines = [ORDER_HEADER]
    for number, total in enumerate(totals, start=1):
        lines.append(f'A{number},x{number}@ex.com,2025-01-0{number},"{total}",paid')
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table="orders")


# (cell, currency, amount). Each file contains the cell twice, so the column
# has one currency. 1,234.50 and 1'234.50 are 1234.5 with a decimal point.
PREFIXED_CASES = [
    ("US$ 1,234.50", "USD", 1234.5),
    ("US$1,234.50", "USD", 1234.5),
    ("1,234.50 US$", "USD", 1234.5),
    ("C$ 99.00", "CAD", 99.0),
    ("CA$99.00", "CAD", 99.0),
    ("A$ 50", "AUD", 50.0),
    ("AU$50", "AUD", 50.0),
    ("NZ$ 12.50", "NZD", 12.5),
    ("HK$ 1,234.50", "HKD", 1234.5),
    ("S$ 20", "SGD", 20.0),
    ("SG$ 20", "SGD", 20.0),
    ("R$ 1.234,50", "BRL", 1234.5),
    ("MX$ 300", "MXN", 300.0),
    ("Fr. 1'234.50", "CHF", 1234.5),
    ("Fr.1'234.50", "CHF", 1234.5),
    ("1'234.50 Fr.", "CHF", 1234.5),
    ("SFr. 1'234.50", "CHF", 1234.5),
    ("Fr. 50.-", "CHF", 50.0),
]


@pytest.mark.parametrize(("cell", "code", "amount"), PREFIXED_CASES)
def test_prefixed_mark_reads_amount(tmp_path, cell, code, amount):
    prepared = load_orders(tmp_path, [cell, cell])
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [amount, amount]
    assert prepared.frame["currency"].to_list() == [code, code]


def test_prefixed_mark_note_names_code(tmp_path):
    prepared = load_orders(tmp_path, ["US$ 10", "US$ 20"])
    assert prepared.detected["Total"] == "decimal point, currency from cells (USD)"


def test_prefixed_marks_mixed_currencies(tmp_path):
    prepared = load_orders(tmp_path, ["US$ 100.00", "C$ 50.00", "Fr. 20.50"])
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD", "CAD", "CHF"]
    assert prepared.frame["amount"].to_list() == [100.0, 50.0, 20.5]


# Cells that read today and must read the same, and cells that a prefix
# rule must not take for a currency.
UNCHANGED_CASES = [
    ("$1,234.50", 1234.5),
    ("€1.234,50", 1234.5),
    ("CHF 1'234.50", 1234.5),
    ("1234.5 USD", 1234.5),
    ("AR$ 100", None),
    ("Frs. 100", None),
    ("Fr 100", None),
]


@pytest.mark.parametrize(("cell", "amount"), UNCHANGED_CASES)
def test_other_marks_read_as_before(cell, amount):
    parsed = parse_numbers(pl.Series("Total", [cell]))
    assert parsed.to_list() == [amount]
