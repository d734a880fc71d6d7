"""A "code - name" cell in a currency column is read only when the name is
a name of that code's currency."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    "cell",
    [
        "USD - Canadian Dollar",
        "SEK - Danish Krone",
        "TOP - Priority",
        "ALL - All regions",
        "EUR - Dollar",
        "CAD - USD Dollar",
        "PEN - Ballpoint",
        "GBP - Egyptian Pound",
    ],
)
def test_code_with_other_name_unknown(tmp_path, cell):
    prepared = _orders(tmp_path, [("100", "EUR"), ("250", cell), ("40", "EUR")])
    [problem] = prepared.problems
    assert problem.kind == "an unknown currency"
    assert problem.lines == (3,)
    assert problem.examples == (cell,)
    assert prepared.frame["currency"].to_list() == ["EUR", None, "EUR"]
    assert prepared.frame["amount"].to_list() == [100.0, None, 40.0]
    # 100 + 40 = 140 EUR; the row of the unknown currency has no amount.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "EUR"
    assert frame["amount"].sum() == pytest.approx(140.0)


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("EUR - Euro", "EUR"),
        ("CHF - Schweizer Franken", "CHF"),
        ("USD - US-Dollar", "USD"),
        ("usd - us  dollar", "USD"),
        ("GBP - Pfund Sterling", "GBP"),
        ("SEK - Schwedische Krone", "SEK"),
        ("JPY - Yen", "JPY"),
        ("ZAR - South African Rand", "ZAR"),
        ("ALL - Lek", "ALL"),
        ("TOP - Pa’anga", "TOP"),
        ("VES - Bolivar Soberano", "VES"),
        ("AUD - Australian Dollars", "AUD"),
    ],
)
def test_code_with_own_name_read(tmp_path, cell, code):
    """Guard: the ISO 4217 name, a German name of a common code and an
    English plural still name the code."""
    prepared = _orders(tmp_path, [("100", cell), ("250", cell)])
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == [code, code]
    assert prepared.detected["Currency"] == (
        f"symbols and names read as ISO codes: {' '.join(cell.split())} as {code}"
    )
    # 100 + 250 = 350 in the code's currency.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == code
    assert frame["amount"].sum() == pytest.approx(350.0)
