"""Dollar marks with a country prefix ("US$", "C$") and the Swiss "Fr." as
the cells of a currency column, through the real import."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kpi_core.currency_column import read_currency_codes
from kpi_core.importing import load_file
from kpi_core.prepare import PreparedTable


def _orders(tmp_path: Path, rows: list[tuple[str, str]]) -> PreparedTable:
    lines = ["Order ID,Customer ID,Created at,Total,Currency"]
    for number, (total, currency) in enumerate(rows, start=1):
        lines.append(f'{number},c{number},2025-01-{number:02d},"{total}","{currency}"')
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_file("orders.csv", path.read_bytes(), table="orders")


def test_prefixed_marks_read_as_codes(tmp_path):
    rows = [("100", "US$"), ("200", "C$"), ("300", "A$"), ("40", "Fr."), ("5", "SFr.")]
    prepared = _orders(tmp_path, rows)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD", "CAD", "AUD", "CHF", "CHF"]
    assert prepared.frame["amount"].to_list() == [100.0, 200.0, 300.0, 40.0, 5.0]
    assert prepared.detected["Currency"] == (
        "symbols and names read as ISO codes: US$ as USD, C$ as CAD, A$ as AUD, "
        "Fr. as CHF, SFr. as CHF"
    )


def test_prefixed_mark_agrees_with_amounts(tmp_path):
    # "$ 50.00" is written for CAD too, and "C$ 20.00" names CAD, so both
    # fit a row whose currency cell is "C$": 50 + 20 = 70 CAD.
    prepared = _orders(tmp_path, [("$ 50.00", "C$"), ("C$ 20.00", "C$")])
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["CAD", "CAD"]
    assert prepared.frame["amount"].sum() == 70.0


def test_prefixed_mark_mismatch_named(tmp_path):
    # "US$ 10.00" names USD in a row whose currency cell "C$" is CAD.
    prepared = _orders(tmp_path, [("US$ 10.00", "C$"), ("20.00", "C$")])
    [problem] = prepared.problems
    assert problem.kind == (
        "an amount in USD while column 'Currency' says CAD (correct one of them)"
    )
    assert problem.lines == (2,)
    assert prepared.frame["amount"].to_list() == [None, 20.0]


# (cell, code): marks around a prefixed mark and a code beside its mark.
MARKED_CASES = [
    ("'C$'", "CAD"),
    ("Fr. *", "CHF"),
    ("'Fr.'", "CHF"),
    ("CAD (C$)", "CAD"),
    ("CHF SFr.", "CHF"),
]


@pytest.mark.parametrize(("cell", "code"), MARKED_CASES)
def test_marked_prefixed_mark_read(cell, code):
    read = read_currency_codes(pl.Series([cell]))
    assert read.codes.to_list() == [code]
    assert read.unknown.to_list() == [False]
    assert read.note == f"symbols and names read as ISO codes: {cell} as {code}"


# Guard: cells that a prefixed mark rule must leave as they were. "Fr"
# without its full stop and "fr." in lower case are no mark of the amount
# cells, so they stay words of several francs.
SHARED_CASES = ["Fr", "fr.", "Franken"]


@pytest.mark.parametrize("cell", SHARED_CASES)
def test_franc_words_stay_shared(cell):
    read = read_currency_codes(pl.Series([cell]))
    assert read.codes.to_list() == [None]
    assert read.shared.to_list() == [True]


# Guard: "AR$" is no mark of PREFIXED_MARKS, and a mark of another
# currency beside a code contradicts it.
UNKNOWN_CASES = ["AR$", "USD (C$)", "C$ CHF"]


@pytest.mark.parametrize("cell", UNKNOWN_CASES)
def test_other_dollar_cells_unknown(cell):
    read = read_currency_codes(pl.Series([cell]))
    assert read.codes.to_list() == [None]
    assert read.unknown.to_list() == [True]
