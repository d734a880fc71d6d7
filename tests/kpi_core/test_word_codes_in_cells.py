"""ISO codes that are also words ("TOP", "ALL") beside a number in a cell:
an invalid number as before, not a currency."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_core.importing import load_file
from kpi_core.money import convert_amounts
from kpi_core.prepare import PreparedTable


def _load(tmp_path: Path, table: str, header: str, rows: list[str]) -> PreparedTable:
    text = header + "\n" + "".join(f"{row}\n" for row in rows)
    path = tmp_path / f"{table}.csv"
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table=table)


def _orders(tmp_path: Path, totals: list[str]) -> PreparedTable:
    rows = [
        f"{number},c{number},2025-01-{number:02d},{total}"
        for number, total in enumerate(totals, start=1)
    ]
    return _load(tmp_path, "orders", "Order ID,Customer ID,Created at,Total", rows)


def test_word_code_amount_invalid(tmp_path):
    prepared = _orders(tmp_path, ["100"] * 9 + ["TOP 50"])
    [problem] = prepared.problems
    assert problem.kind == "an invalid number"
    assert problem.lines == (11,)
    assert problem.examples == ("TOP 50",)
    assert "currency" not in prepared.frame.columns
    # Nine orders of 100 = 900 in the default currency EUR; "TOP 50" is
    # no amount.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "EUR"
    assert frame["amount"].drop_nulls().len() == 9
    assert frame["amount"].sum() == pytest.approx(900.0)


@pytest.mark.parametrize("cell", ["ALL -", "ALL 0", "CUP 10", "5 SOS", "STD 8"])
def test_word_code_cells_invalid(tmp_path, cell):
    prepared = _orders(tmp_path, ["100", "200", cell])
    [problem] = prepared.problems
    assert problem.kind == "an invalid number"
    assert problem.lines == (4,)
    assert problem.examples == (cell,)
    # The plain amounts 100 and 200 stay, the word cell is empty.
    assert prepared.frame["amount"].to_list() == [100.0, 200.0, None]


def test_word_code_score_invalid(tmp_path):
    prepared = _load(
        tmp_path,
        "nps",
        "Response ID,Submitted at,NPS score",
        ["1,2025-01-02,TOP 9", "2,2025-01-03,8 ALL", "3,2025-01-04,10"],
    )
    [problem] = prepared.problems
    assert problem.kind == "an invalid whole number"
    assert problem.lines == (2, 3)
    assert prepared.frame["score"].to_list() == [None, None, 10]


@pytest.mark.parametrize("code", ["TRY", "EEK", "LTL", "KES"])
def test_common_and_withdrawn_codes_read(tmp_path, code):
    """Guard: the word rule leaves common codes (TRY is also a word) and
    withdrawn codes readable."""
    prepared = _orders(tmp_path, [f"{code} 100", f"250 {code}"])
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == [code, code]
    # 100 + 250 = 350 in the code's currency.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == code
    assert frame["amount"].sum() == pytest.approx(350.0)


def test_word_code_currency_column_read(tmp_path):
    """Guard: in a mapped currency column a bare word code is a currency,
    because every cell there is expected to name one."""
    prepared = _load(
        tmp_path,
        "orders",
        "Order ID,Customer ID,Created at,Total,Currency",
        ["1,c1,2025-01-02,100,ALL", "2,c2,2025-01-03,250,ALL"],
    )
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["ALL", "ALL"]
    # 100 + 250 = 350 lek.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "ALL"
    assert frame["amount"].sum() == pytest.approx(350.0)
