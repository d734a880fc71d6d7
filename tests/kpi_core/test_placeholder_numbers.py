"""Placeholders such as "k. A." in a number column are empty cells, not
invalid numbers, while real invalid numbers are still reported. Where an
empty cell means something of its own, as one seat for a quantity, or where
a value must be corrected, as an NPS score, placeholders stay reported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.prepare import PreparedTable
from kpi_core.subscriptions import arr

HEADER = "Record ID,Deal Stage,Create Date,Close Date,Amount,Deal owner"
AMOUNTS = ["k.A.", "k. A.", "\u2014", "\u2013", "n.a.", "12,3,4", "abc", "100"]
SUBSCRIPTIONS_HEADER = (
    "Subscription ID,Customer ID,Start date,End date,Price,Quantity,Billing interval"
)
# The ARR on the last day of 2024, when every subscription below runs.
YEAR_2024 = Period(date(2024, 1, 1), date(2024, 12, 31))


def _load(tmp_path: Path, name: str, lines: list[str], table: str) -> PreparedTable:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table=table)


def _deals(tmp_path: Path, amounts: list[str]) -> PreparedTable:
    rows = [
        f'{number},Closed won,2025-01-05,2025-02-01,"{amount}",Anna'
        for number, amount in enumerate(amounts, start=1)
    ]
    return _load(tmp_path, "deals.csv", [HEADER, *rows], "deals")


def test_placeholder_amounts_read_empty(tmp_path):
    deals = _deals(tmp_path, AMOUNTS)

    # Only "12,3,4" on line 7 and "abc" on line 8 are invalid numbers.
    [problem] = deals.problems
    assert problem.describe() == (
        "2 rows with an invalid number in column 'Amount' (lines 7, 8; for "
        "example '12,3,4', 'abc')"
    )
    assert deals.frame["amount"].to_list() == [None] * 7 + [100.0]


@pytest.mark.parametrize(
    "placeholder",
    [
        "k.a.",
        "N.A.",
        "n. a.",
        "K. A.",
        "k.A",
        "keine Angabe",
        "KEINE  ANGABE",
        "nicht angegeben",
        "N / A",
        # "nicht verfügbar" (not available) and "nicht bekannt" (not known).
        "n.v.",
        "N. V.",
        "n.b.",
        "nicht verfügbar",
        "nicht verfuegbar",
        "#NV",
        # Null markers of every column already, kept here as a guard.
        "n/a",
        "N/A",
    ],
)
def test_placeholder_spellings_read_empty(tmp_path, placeholder):
    deals = _deals(tmp_path, [placeholder, "100"])
    assert deals.problems == ()
    assert deals.frame["amount"].to_list() == [None, 100.0]


@pytest.mark.parametrize("amount", ["k.A.x", "n.a.b", "kA", "n/a/b", "--"])
def test_near_placeholders_stay_invalid(tmp_path, amount):
    deals = _deals(tmp_path, [amount, "100"])
    [problem] = deals.problems
    assert problem.kind == "an invalid number"
    assert problem.lines == (2,)
    assert problem.row_kept


def test_placeholder_quantities_leave_rows_out(tmp_path):
    quantities = ["2", "k.A.", "\u2013", "n.a.", "-", "N/A", "1", "", "NULL"]
    rows = [
        f"S{number},C{number},2024-01-01,,100,{quantity},monthly"
        for number, quantity in enumerate(quantities, start=1)
    ]
    subscriptions = _load(
        tmp_path, "subscriptions.csv", [SUBSCRIPTIONS_HEADER, *rows], "subscriptions"
    )

    # An empty quantity means one seat, so a placeholder or a dash is no
    # quantity at all: lines 3 to 7 are left out.
    [problem] = subscriptions.problems
    assert problem.describe() == (
        "5 rows with an invalid number in column 'Quantity' (lines 3, 4, 5, 6, "
        "7; for example 'k.A.', '\u2013', 'n.a.')"
    )
    assert not problem.row_kept
    assert subscriptions.frame["quantity"].to_list() == [2.0, 1.0, None, None]

    # S1 with 2 seats, S7 with 1 and S8 and S9 with an empty quantity, one
    # seat each, at 100 a month: (2 + 1 + 1 + 1) x 100 x 12 = 6,000.
    assert arr(subscriptions.frame, YEAR_2024).value == 6000.0


def test_placeholder_scores_stay_reported(tmp_path):
    scores = ["10", "k.A.", "\u2013", "0", "n.a.", "keine Angabe"]
    rows = [
        f"{number},C{number},{score},2024-01-0{number}"
        for number, score in enumerate(scores, start=1)
    ]
    header = "Response ID,Customer ID,Score,Response date"
    responses = _load(tmp_path, "nps.csv", [header, *rows], "nps")

    [problem] = responses.problems
    assert problem.describe() == (
        "4 rows with an invalid whole number in column 'Score' (lines 3, 4, 6, "
        "7; for example 'k.A.', '\u2013', 'n.a.')"
    )
    assert problem.row_kept
    assert responses.frame["score"].to_list() == [10, None, None, 0, None, None]
