"""Quotes, a trailing full stop and footnote asterisks around a code in a
currency column, which leave the code as it is, against "?" and "!"."""

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
    "cell", ["EUR.", "'EUR'", "EUR *", "EUR*", "EUR**", "„EUR“", "'EUR.'", "eur ."]
)
def test_marked_code_read(tmp_path, cell):
    prepared = _orders(tmp_path, [("100", "EUR"), ("250", cell), ("50", "EUR")])
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["EUR", "EUR", "EUR"]
    assert prepared.frame["amount"].to_list() == [100.0, 250.0, 50.0]
    assert prepared.detected["Currency"] == (
        f"symbols and names read as ISO codes: {cell} as EUR"
    )
    # 100 + 250 + 50 = 400 EUR.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "EUR"
    assert frame["amount"].sum() == pytest.approx(400.0)


def test_marked_name_read(tmp_path):
    prepared = _orders(tmp_path, [("100", "'Euro'"), ("30", "US-Dollar.")])
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["EUR", "USD"]
    assert prepared.frame["amount"].to_list() == [100.0, 30.0]


@pytest.mark.parametrize("cell", ["EUR?", "USD!", "'EUR?'", "EUR?*", "*", "'.'"])
def test_doubtful_code_unknown(tmp_path, cell):
    """Guard: a question or exclamation mark still makes the code unknown."""
    prepared = _orders(tmp_path, [("100", "EUR"), ("250", cell)])
    [problem] = prepared.problems
    assert problem.kind == "an unknown currency"
    assert problem.lines == (3,)
    assert problem.examples == (cell,)
    # Only the EUR row keeps its amount: 100 EUR.
    assert prepared.frame["amount"].to_list() == [100.0, None]
