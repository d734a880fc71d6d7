"""ISO codes that are also words ("MAD", "JOD", "PEN") beside a number
written as money, with thousands groups or two or three decimals: read as
the currency. Beside other numbers ("TOP 50") they stay invalid, as
test_word_codes_in_cells.py checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_core.errors import InputError
from kpi_core.importing import load_file
from kpi_core.money import convert_amounts
from kpi_core.prepare import PreparedTable


def _orders(tmp_path: Path, rows: list[str], currency: bool = False) -> PreparedTable:
    header = "Order ID,Customer ID,Created at,Total" + (",Currency" if currency else "")
    lines = [header]
    for number, row in enumerate(rows, start=1):
        lines.append(f"{number},c{number},2025-01-{number:02d},{row}")
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_file("orders.csv", path.read_bytes(), table="orders")


def test_word_code_money_column_read(tmp_path):
    prepared = _orders(tmp_path, ['"MAD 12,500.00"', '"MAD 10,000.00"'])
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["MAD", "MAD"]
    # 12,500.00 + 10,000.00 = 22,500 dirham.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "MAD"
    assert frame["amount"].sum() == pytest.approx(22500.0)


def test_word_code_mixed_currencies_named(tmp_path):
    prepared = _orders(tmp_path, ['"JOD 1,200.000"', "EUR 500"])
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["JOD", "EUR"]
    # 1,200.000 is 1200 dinar with three decimals, not 1.2.
    assert prepared.frame["amount"].to_list() == [1200.0, 500.0]
    with pytest.raises(InputError, match=r"several currencies \(EUR, JOD\)"):
        convert_amounts(prepared.frame)


def test_word_code_with_currency_column(tmp_path):
    rows = ['"PEN 1,200.00",PEN', '"PEN 1,200.00",PEN']
    prepared = _orders(tmp_path, rows, currency=True)
    assert prepared.problems == ()
    # 1,200.00 + 1,200.00 = 2,400 sol.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "PEN"
    assert frame["amount"].sum() == pytest.approx(2400.0)


def test_word_code_confirmed_by_column(tmp_path):
    """A word code beside a plain number is read when the row's currency
    column names the same code, and not when it names another one."""
    rows = ["PEN 1200,PEN", "PEN 300,EUR", "TOP 50,PEN", "100,PEN"]
    prepared = _orders(tmp_path, rows, currency=True)
    [problem] = prepared.problems
    assert problem.kind == "an invalid number"
    assert problem.lines == (3, 4)
    assert problem.examples == ("PEN 300", "TOP 50")
    assert prepared.frame["amount"].to_list() == [1200.0, None, None, 100.0]
    # 1200 + 100 = 1,300 sol; "PEN 300" beside EUR and "TOP 50" are no
    # amounts.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "PEN"
    assert frame["amount"].sum() == pytest.approx(1300.0)


@pytest.mark.parametrize(
    ("cell", "code", "amount"),
    [
        ('"12.500,00 MAD"', "MAD", 12500.0),
        ("JOD 1200.000", "JOD", 1200.0),
        ("PEN 99.90", "PEN", 99.9),
        ("BOB 1 250", "BOB", 1250.0),
        ('"ALL 1,250"', "ALL", 1250.0),
        ("SOS 40.5", None, None),
    ],
)
def test_word_code_money_shapes(tmp_path, cell, code, amount):
    """A word code is read beside thousands groups or two or three
    decimals, and not beside one decimal ("SOS 40.5")."""
    prepared = _orders(tmp_path, ["EUR 100", cell])
    assert prepared.frame["amount"].to_list() == [100.0, amount]
    if code is None:
        [problem] = prepared.problems
        assert problem.kind == "an invalid number"
        assert problem.lines == (3,)
    else:
        assert prepared.frame["currency"].to_list() == ["EUR", code]


@pytest.mark.parametrize("cell", ["TOP 50", "TOP 2.5", "CUP 10", "8 ALL", "TOP 9"])
def test_word_code_plain_number_invalid(tmp_path, cell):
    """Guard: a word code beside a number with neither thousands groups nor
    two or three decimals stays an invalid number."""
    prepared = _orders(tmp_path, ["100", "200", cell])
    [problem] = prepared.problems
    assert problem.kind == "an invalid number"
    assert problem.lines == (4,)
    assert problem.examples == (cell,)
    # 100 + 200 = 300 in the default EUR; the word cell is no amount.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "EUR"
    assert frame["amount"].sum() == pytest.approx(300.0)


def test_word_code_score_stays_invalid(tmp_path):
    """Guard: NPS scores beside a word code stay invalid whole numbers."""
    path = tmp_path / "nps.csv"
    path.write_text(
        "Response ID,Submitted at,NPS score\n"
        "1,2025-01-02,TOP 9\n2,2025-01-03,8 ALL\n3,2025-01-04,10\n",
        encoding="utf-8",
    )
    prepared = load_file("nps.csv", path.read_bytes(), table="nps")
    [problem] = prepared.problems
    assert problem.kind == "an invalid whole number"
    assert prepared.frame["score"].to_list() == [None, None, 10]
