"""Placeholders such as "k. A." in a number column are empty cells, not
invalid numbers, while real invalid numbers are still reported."""

from __future__ import annotations

from kpi_core.importing import load_file

HEADER = "Record ID,Deal Stage,Create Date,Close Date,Amount,Deal owner"
AMOUNTS = ["k.A.", "k. A.", "\u2014", "\u2013", "n.a.", "12,3,4", "abc", "100"]


def test_placeholder_amounts_read_empty(tmp_path):
    rows = [
        f'{number},Closed won,2025-01-05,2025-02-01,"{amount}",Anna'
        for number, amount in enumerate(AMOUNTS, start=1)
    ]
    path = tmp_path / "deals.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    deals = load_file(path.name, path.read_bytes(), table="deals")

    # Only "12,3,4" on line 7 and "abc" on line 8 are invalid numbers.
    [problem] = deals.problems
    assert problem.describe() == (
        "2 rows with an invalid number in column 'Amount' (lines 7, 8; for "
        "example '12,3,4', 'abc')"
    )
    assert deals.frame["amount"].to_list() == [None] * 7 + [100.0]
