"""Dollar marks with a country prefix ("C$", "US$") and the Swiss "Fr." in a
money column's header, through the real import."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_core.importing import load_file
from kpi_core.mapping import EXACT
from kpi_core.prepare import PreparedTable
from kpi_core.values import currency_in_header


def load_orders(tmp_path: Path, header: str, totals: list[str]) -> PreparedTable:
    lines = [f"Order ID,Customer Email,Order Date,{header},Status"]
    for number, total in enumerate(totals, start=1):
        lines.append(f'A{number},x{number}@ex.com,2025-01-0{number},"{total}",paid')
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table="orders")


# (header, currency). The cells carry no mark, so the header alone names
# the currency. "1,234.50" is 1234.5 and "99.00" is 99.0 with a decimal point.
HEADER_CASES = [
    ("Total (C$)", "CAD"),
    ("Betrag (A$)", "AUD"),
    ("Amount (US$)", "USD"),
    ("Umsatz (Fr.)", "CHF"),
    ("Umsatz (SFr.)", "CHF"),
    ("Revenue (NZ$)", "NZD"),
    ("Total (HK$)", "HKD"),
]


@pytest.mark.parametrize(("header", "code"), HEADER_CASES)
def test_header_mark_names_currency(tmp_path, header, code):
    prepared = load_orders(tmp_path, header, ["1,234.50", "99.00"])
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [1234.5, 99.0]
    assert prepared.frame["currency"].to_list() == [code, code]
    assert prepared.detected[header] == f"decimal point, currency from header: {code}"


@pytest.mark.parametrize(("header", "code"), HEADER_CASES)
def test_header_mark_maps_exactly(tmp_path, header, code):
    # The mark is a unit in brackets, as "(CAD)" or "($)" is, so the header
    # matches its alias ("Total", "Betrag") exactly and not only in part.
    prepared = load_orders(tmp_path, header, ["10.00"])
    assert prepared.mapping.columns["amount"] == header
    assert prepared.mapping.confidence["amount"] == EXACT


def test_header_mark_agrees_with_cells(tmp_path):
    # "$ 50.00" is written for CAD too, so it is read in the header's CAD,
    # and "C$ 20.00" names CAD itself: both rows are CAD, 50 + 20 = 70.
    prepared = load_orders(tmp_path, "Total (C$)", ["$ 50.00", "C$ 20.00"])
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["CAD", "CAD"]
    assert prepared.frame["amount"].sum() == 70.0


def test_header_mark_rejects_other_currency(tmp_path):
    # "US$ 50.00" names USD under a header that names CAD, which is the
    # mismatch that "US$ 50.00" under "Total (CAD)" gives too.
    prepared = load_orders(tmp_path, "Total (C$)", ["US$ 50.00", "20.00"])
    assert len(prepared.problems) == 1
    problem = prepared.problems[0]
    assert problem.kind == (
        "an amount in USD while the header names CAD (correct the cell or the header)"
    )
    assert problem.lines == (2,)
    assert prepared.frame["amount"].to_list() == [None, 20.0]


# Other places of a unit in a header, read as "(EUR)" and "in €" are.
PLACED_CASES = [
    ("Umsatz [SFr.]", "CHF"),
    ("Umsatz in Fr.", "CHF"),
    ("Betrag in A$", "AUD"),
    ("Revenue C$", "CAD"),
]


@pytest.mark.parametrize(("header", "code"), PLACED_CASES)
def test_header_mark_other_places(header, code):
    assert currency_in_header(header) == code


# Headers that read as before, and headers where a mark must not be read.
UNCHANGED_CASES = [
    ("Total ($)", "USD"),
    ("Revenue $", "USD"),
    ("Amount (CAD)", "CAD"),
    # "Fr." outside brackets may be Friday ("Umsatz Fr.") or "Frau".
    ("Umsatz Fr.", None),
    ("Fr. Umsatz", None),
    # A letter before the mark makes it part of a word, so only the "$" is
    # read, as before.
    ("Total (AR$)", "USD"),
    ("Umsatz (MFr.)", None),
]


@pytest.mark.parametrize(("header", "code"), UNCHANGED_CASES)
def test_other_headers_read_as_before(header, code):
    assert currency_in_header(header) == code
