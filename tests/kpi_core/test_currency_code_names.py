"""Currency cells written as "code - name" ("CAD - Canadian Dollar"), codes
with stray punctuation ("EUR?"), and withdrawn codes in amount cells."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kpi_core.currency_column import read_currency_codes
from kpi_core.importing import load_file
from kpi_core.money import convert_amounts
from kpi_core.prepare import PreparedTable


def _orders(tmp_path: Path, header: str, rows: list[str]) -> PreparedTable:
    text = header + "\n" + "".join(f"{row}\n" for row in rows)
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    return load_file("orders.csv", path.read_bytes(), table="orders")


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("CAD - Canadian Dollar", "CAD"),
        ("AUD - Australian Dollars", "AUD"),
        ("NZD – New Zealand Dollar", "NZD"),
        ("CHF - Swiss Franc", "CHF"),
        ("EGP - Egyptian Pound", "EGP"),
        ("SEK - Swedish Krona", "SEK"),
        ("MXN - Mexican Peso", "MXN"),
        ("JPY - Japanese Yen", "JPY"),
        ("PEN - Peruvian Sol", "PEN"),
        ("TOP - Tongan Pa'anga", "TOP"),
        ("eek - Estonian Kroon", "EEK"),
    ],
)
def test_code_dash_name_read(cell, code):
    read = read_currency_codes(pl.Series([cell]))
    assert read.codes.to_list() == [code]
    assert read.unknown.to_list() == [False]


@pytest.mark.parametrize(
    "cell",
    [
        "EUR?",
        "USD!",
        "? EUR",
        "CAD - Euro",
        "EUR - Canadian Dollar",
        "MXN - Canadian Dollar",
        "USD - Japanese Yen",
        "GBP - Swiss Franc",
        "EUR - 5",
        "CAD - Dollar?",
        "CAD - USD Dollar",
    ],
)
def test_code_with_stray_text_unknown(cell):
    read = read_currency_codes(pl.Series([cell]))
    assert read.codes.to_list() == [None]
    assert read.unknown.to_list() == [True]


def test_code_dash_name_import(tmp_path):
    prepared = _orders(
        tmp_path,
        "Order ID,Customer ID,Created at,Total,Currency",
        [
            "1,c1,2025-01-02,100,CAD - Canadian Dollar",
            "2,c2,2025-01-03,250,EUR?",
            "3,c3,2025-01-04,50,CAD - Canadian Dollar",
        ],
    )
    [problem] = prepared.problems
    assert problem.kind == "an unknown currency"
    assert problem.lines == (3,)
    assert problem.examples == ("EUR?",)
    assert prepared.frame["currency"].to_list() == ["CAD", None, "CAD"]
    assert prepared.frame["amount"].to_list() == [100.0, None, 50.0]
    assert prepared.detected["Currency"] == (
        "symbols and names read as ISO codes: CAD - Canadian Dollar as CAD"
    )
    # 100 + 50 = 150 CAD; the EUR? row has no amount.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "CAD"
    assert frame["amount"].sum() == pytest.approx(150.0)


def test_withdrawn_code_in_amount_cells(tmp_path):
    prepared = _orders(
        tmp_path,
        "Order ID,Customer ID,Created at,Total,Currency",
        [
            "1,c1,2025-01-02,EEK 100,EEK",
            "2,c2,2025-01-03,250 EEK,EEK",
            "3,c3,2025-01-04,40,EEK",
        ],
    )
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["EEK", "EEK", "EEK"]
    assert prepared.frame["amount"].to_list() == [100.0, 250.0, 40.0]
    # 100 + 250 + 40 = 390 EEK.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "EEK"
    assert frame["amount"].sum() == pytest.approx(390.0)


@pytest.mark.parametrize("code", ["LTL", "VEF", "KES"])
def test_amount_cell_codes_name_currency(tmp_path, code):
    prepared = _orders(
        tmp_path,
        "Order ID,Customer ID,Created at,Total",
        [f"1,c1,2025-01-02,{code} 1200.50", f"2,c2,2025-01-03,99.50 {code}"],
    )
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == [code, code]
    # 1,200.50 + 99.50 = 1,300.00 in the code's currency.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == code
    assert frame["amount"].sum() == pytest.approx(1300.0)


def test_amount_code_against_column(tmp_path):
    """Guard: a withdrawn code in a cell still has to match the column."""
    prepared = _orders(
        tmp_path,
        "Order ID,Customer ID,Created at,Total,Currency",
        ["1,c1,2025-01-02,LVL 100,EUR", "2,c2,2025-01-03,200,EUR"],
    )
    [problem] = prepared.problems
    assert problem.kind == (
        "an amount in LVL while column 'Currency' says EUR (correct one of them)"
    )
    assert problem.lines == (2,)
    assert prepared.frame["amount"].to_list() == [None, 200.0]


def test_upper_case_word_header_not_currency(tmp_path):
    """Guard: a header such as "DESKTOP REVENUE ALL" names no currency,
    though TOP and ALL are ISO codes, so its amounts take the default."""
    prepared = _orders(
        tmp_path,
        "Order ID,Customer ID,Created at,DESKTOP REVENUE ALL",
        ["1,c1,2025-01-02,100", "2,c2,2025-01-03,200"],
    )
    assert prepared.mapping.columns["amount"] == "DESKTOP REVENUE ALL"
    assert prepared.problems == ()
    assert "currency" not in prepared.frame.columns
