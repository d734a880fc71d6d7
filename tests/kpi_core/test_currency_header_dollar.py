"""A "$" in the currency column beside a money header that names a dollar
currency, such as "Amount (CAD)", is read as that currency."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_core.importing import load_file
from kpi_core.money import convert_amounts
from kpi_core.prepare import PreparedTable


def _orders(tmp_path: Path, header: str, rows: list[str]) -> PreparedTable:
    text = f"Order ID,Customer ID,Created at,{header},Currency\n"
    text += "".join(f"{row}\n" for row in rows)
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    return load_file("orders.csv", path.read_bytes(), table="orders")


def test_dollar_cells_take_cad_header(tmp_path):
    prepared = _orders(
        tmp_path,
        "Amount (CAD)",
        [
            "1,c1,2025-01-02,100,$",
            "2,c2,2025-01-03,$250,$",
            "3,c3,2025-01-04,50,CAD",
        ],
    )
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["CAD", "CAD", "CAD"]
    assert prepared.frame["amount"].to_list() == [100.0, 250.0, 50.0]
    assert prepared.detected["Currency"] == (
        "symbols and names read as ISO codes: $ as CAD; a $ is read as CAD "
        "because header 'Amount (CAD)' names CAD"
    )
    # 100 + 250 + 50 = 400 CAD, with no exchange rate asked for.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "CAD"
    assert frame["amount"].sum() == pytest.approx(400.0)


def test_dollar_cells_take_german_aud_header(tmp_path):
    prepared = _orders(
        tmp_path,
        "Umsatz in AUD",
        ["1,c1,2025-01-02,10,$", "2,c2,2025-01-03,32.5,$"],
    )
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["AUD", "AUD"]
    # 10 + 32.5 = 42.5 AUD.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "AUD"
    assert frame["amount"].sum() == pytest.approx(42.5)


def test_dollar_cells_against_eur_header(tmp_path):
    """Guard: "$" beside a header in euros stays a mismatch."""
    prepared = _orders(
        tmp_path,
        "Amount (EUR)",
        ["1,c1,2025-01-02,100,$", "2,c2,2025-01-03,250,EUR"],
    )
    [problem] = prepared.problems
    assert problem.kind == (
        "an amount in EUR by its header while column 'Currency' says USD "
        "(correct one of them)"
    )
    assert problem.lines == (2,)
    assert prepared.frame["currency"].to_list() == ["USD", "EUR"]
    assert prepared.frame["amount"].to_list() == [None, 250.0]


def test_dollar_cells_without_header_currency(tmp_path):
    """Guard: without a currency in the header, "$" is still read as USD."""
    prepared = _orders(
        tmp_path, "Amount", ["1,c1,2025-01-02,100,$", "2,c2,2025-01-03,250,$"]
    )
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD", "USD"]
    assert prepared.detected["Currency"] == (
        "symbols and names read as ISO codes: $ as USD; if a $ is CAD, AUD or "
        "another dollar, write its ISO code"
    )
