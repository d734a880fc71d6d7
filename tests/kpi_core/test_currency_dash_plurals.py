"""A "code - name" cell in a currency column: letters such as "ł" and "ø"
fold to Latin letters, plurals name the code, and a name the table does
not know is accepted unless the code is also a word or the name names
another currency."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kpi_core.currency_column import read_currency_codes
from kpi_core.importing import load_file
from kpi_core.money import convert_amounts
from kpi_core.prepare import PreparedTable


def _orders(tmp_path: Path, rows: list[tuple[str, str]]) -> PreparedTable:
    lines = ["Order ID,Customer ID,Created at,Total,Currency"]
    for number, (total, currency) in enumerate(rows, start=1):
        lines.append(f"{number},c{number},2025-01-{number:02d},{total},{currency}")
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_file("orders.csv", path.read_bytes(), table="orders")


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("PLN - Polish Złoty", "PLN"),
        ("PLN - POLISH ZŁOTY", "PLN"),
        ("SEK - Swedish Kronor", "SEK"),
        ("DKK - Danish Kroner", "DKK"),
        ("NOK - Norwegian Kroner", "NOK"),
        ("MXN - Mexican Pesos", "MXN"),
        ("BRL - Brazilian Reais", "BRL"),
        ("CHF - Swiss Francs", "CHF"),
        ("GBP - Pounds Sterling", "GBP"),
        ("RON - Romanian Lei", "RON"),
    ],
)
def test_folded_and_plural_names_read(tmp_path, cell, code):
    prepared = _orders(tmp_path, [("100", cell), ("250", cell)])
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == [code, code]
    # 100 + 250 = 350 in the code's currency.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == code
    assert frame["amount"].sum() == pytest.approx(350.0)


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("MXN - Peso mexicano", "MXN"),
        ("BRL - Real", "BRL"),
        ("KRW - Korean Won", "KRW"),
        ("PLN - Złoty", "PLN"),
        ("EUR - Europe", "EUR"),
        ("USD - Dollars", "USD"),
    ],
)
def test_unknown_name_with_code_read(tmp_path, cell, code):
    prepared = _orders(tmp_path, [("100", cell), ("250", cell)])
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == [code, code]
    assert prepared.detected["Currency"] == (
        f"symbols and names read as ISO codes: {cell} as {code}"
    )
    # 100 + 250 = 350 in the code's currency.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == code
    assert frame["amount"].sum() == pytest.approx(350.0)


@pytest.mark.parametrize(
    "cell",
    [
        "TOP - Priority",
        "ALL - All regions",
        "MAD - Madrid",
        "USD - Canadian Dollars",
        "SEK - Danish Kroner",
        "USD - Canadian Dollar account",
        "EUR - Pound",
        "EUR - Kronor",
        "KRW - JPY Won",
    ],
)
def test_word_code_or_other_name_unknown(cell):
    """Guard: a word code with a name the table does not know, and any code
    with another currency's name, stay unknown."""
    read = read_currency_codes(pl.Series([cell]))
    assert read.codes.to_list() == [None]
    assert read.unknown.to_list() == [True]
