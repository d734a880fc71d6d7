"""Which segments a breakdown chart draws, and the caption that names them."""

from __future__ import annotations

import csv
from datetime import date

import polars as pl
import pytest

from kpi_core import charts
from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.sales import sales_breakdown

OWNERS = ("owner", "owners")


def _owners(count: int = 30) -> pl.DataFrame:
    """Owners o01 to o30: win rate 2 x the number (2 to 60 %), won value
    100 x the number and 10 + the number won or lost deals."""
    numbers = range(1, count + 1)
    return pl.DataFrame(
        {
            "owner": [f"o{n:02d}" for n in numbers],
            "win_rate": [2.0 * n for n in numbers],
            "won_value": [100.0 * n for n in numbers],
            "decided": [10 + n for n in numbers],
        }
    )


def _rows(chart) -> list[dict]:
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


def test_both_ends_keeps_lowest_rates():
    chart = charts.breakdown_bars(
        _owners(), "owner", "win_rate", "Win rate", "%", keep=charts.BOTH_ENDS
    )
    drawn = [row["owner"] for row in _rows(chart)]
    # 25 bars: the 13 highest (o30 to o18, 60 to 36 %) and the 12 lowest
    # (o12 to o01, 24 to 2 %). So o13 to o17 (26 to 34 %) are left out.
    assert drawn == [f"o{n:02d}" for n in [*range(30, 17, -1), *range(12, 0, -1)]]
    assert "o01" in drawn


def test_both_ends_colours_two_groups():
    chart = charts.breakdown_bars(
        _owners(), "owner", "win_rate", "Win rate", "%", keep=charts.BOTH_ENDS
    )
    groups = [row["shown_as"] for row in _rows(chart)]
    assert groups == ["13 highest"] * 13 + ["12 lowest"] * 12
    colour = chart.to_dict()["encoding"]["color"]
    assert colour["field"] == "shown_as"
    assert colour["scale"]["range"] == [charts.BLUE, charts.LOWEST_COLOUR]


def test_both_ends_note():
    note = charts.breakdown_note(
        _owners(), "owner", "win_rate", "Win rate", OWNERS, keep=charts.BOTH_ENDS
    )
    assert note == "Win rate shows the 13 highest and the 12 lowest of 30 owners."


def test_largest_keeps_highest_totals():
    chart = charts.breakdown_bars(_owners(), "owner", "won_value", "Won value", "EUR")
    drawn = [row["owner"] for row in _rows(chart)]
    # 100 x 30 down to 100 x 6: o01 to o05 are left out.
    assert drawn == [f"o{n:02d}" for n in range(30, 5, -1)]
    assert "color" not in chart.to_dict()["encoding"]


def test_largest_note():
    note = charts.breakdown_note(_owners(), "owner", "won_value", "Won value", OWNERS)
    assert note == "Won value shows the 25 of 30 owners with the highest values."


def test_small_table_drawn_whole():
    table = _owners(25).with_columns(
        pl.when(pl.col("owner") == "o03")
        .then(None)
        .otherwise("win_rate")
        .alias("win_rate")
    )
    chart = charts.breakdown_bars(
        table, "owner", "win_rate", "Win rate", "%", keep=charts.BOTH_ENDS
    )
    drawn = [row["owner"] for row in _rows(chart)]
    # All 25 rows; o03 without a rate comes last.
    assert len(drawn) == 25
    assert drawn[-1] == "o03"
    note = charts.breakdown_note(
        table, "owner", "win_rate", "Win rate", OWNERS, keep=charts.BOTH_ENDS
    )
    assert note is None


def test_rows_without_value_named():
    # o01 to o04 have no win rate, so 26 owners are ranked: the 13 highest
    # (o30 to o18) and the 12 lowest of the rest (o16 to o05).
    table = _owners().with_columns(
        pl.when(pl.col("decided") <= 14)
        .then(None)
        .otherwise("win_rate")
        .alias("win_rate")
    )
    chart = charts.breakdown_bars(
        table, "owner", "win_rate", "Win rate", "%", keep=charts.BOTH_ENDS
    )
    drawn = [row["owner"] for row in _rows(chart)]
    assert drawn == [f"o{n:02d}" for n in [*range(30, 17, -1), *range(16, 4, -1)]]
    note = charts.breakdown_note(
        table, "owner", "win_rate", "Win rate", OWNERS, keep=charts.BOTH_ENDS
    )
    assert note == (
        "Win rate shows the 13 highest and the 12 lowest of 26 owners with a value."
    )


def test_rows_without_value_all_fit():
    # o01 to o06 have no value: the other 24 fit into 25 bars.
    table = _owners().with_columns(
        pl.when(pl.col("decided") <= 16)
        .then(None)
        .otherwise("win_rate")
        .alias("win_rate")
    )
    note = charts.breakdown_note(
        table, "owner", "win_rate", "Win rate", OWNERS, keep=charts.BOTH_ENDS
    )
    assert note == "Win rate shows all 24 owners with a value."


def test_tie_at_cut_named():
    # The 25th and the 26th highest, o06 and o05, both have 600.
    table = _owners().with_columns(
        pl.when(pl.col("owner") == "o05")
        .then(600.0)
        .otherwise("won_value")
        .alias("won_value")
    )
    chart = charts.breakdown_bars(table, "owner", "won_value", "Won value", "EUR")
    drawn = [row["owner"] for row in _rows(chart)]
    # Equal values are ranked by name, so o05 is drawn and o06 is not.
    assert "o05" in drawn
    assert "o06" not in drawn
    note = charts.breakdown_note(table, "owner", "won_value", "Won value", OWNERS)
    assert note == (
        "Won value shows the 25 of 30 owners with the highest values. "
        "Some owners left out have the same value as one drawn."
    )


def test_count_in_tooltip():
    chart = charts.breakdown_bars(
        _owners(),
        "owner",
        "win_rate",
        "Win rate",
        "%",
        keep=charts.BOTH_ENDS,
        count=("decided", "Won or lost deals"),
    )
    tooltip = chart.to_dict()["encoding"]["tooltip"]
    assert {"field": "decided", "type": "quantitative", "title": "Won or lost deals",
            "format": ",d"} in tooltip  # fmt: skip
    by_owner = {row["owner"]: row["decided"] for row in _rows(chart)}
    # o01 has 10 + 1 won or lost deals.
    assert by_owner["o01"] == 11


def test_unknown_cut_rejected():
    with pytest.raises(ValueError, match="unknown segment cut"):
        charts.breakdown_bars(_owners(), "owner", "win_rate", "W", "%", keep="top")


# The Maven sales pipeline, last full quarter 2017-10-01 to 2017-12-31.
Q4_2017 = Period(date(2017, 10, 1), date(2017, 12, 31))


@pytest.fixture(scope="module")
def maven(datasets_dir):
    path = datasets_dir / "maven-crm-sales" / "sales_pipeline.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    deals = load_file(path.name, path.read_bytes(), table="deals").frame
    return rows, deals


def _q4_win_rates(rows: list[dict], column: str) -> dict[str, float]:
    """Win rate per value of ``column`` over the deals won or lost in Q4
    2017, counted with the csv module."""
    counts: dict[str, list[int]] = {}
    for row in rows:
        closed = row["close_date"]
        if row["deal_stage"] in ("Won", "Lost") and "2017-10-01" <= closed <= (
            "2017-12-31"
        ):
            decided_won = counts.setdefault(row[column], [0, 0])
            decided_won[0] += 1
            decided_won[1] += row["deal_stage"] == "Won"
    return {name: won / decided * 100 for name, (decided, won) in counts.items()}


def test_maven_weakest_owners_drawn(maven):
    rows, deals = maven
    rates = _q4_win_rates(rows, "sales_agent")
    table = sales_breakdown(deals, Q4_2017, "owner")
    chart = charts.breakdown_bars(
        table, "owner", "win_rate", "Win rate", "%", keep=charts.BOTH_ENDS
    )
    drawn = {row["owner"]: row["win_rate"] for row in _rows(chart)}
    # By hand: Garret Kinder 16 / 35 = 45.7 %, Donn Cantrell 37 / 73 and
    # Markita Hansen 35 / 69 = 50.7 %, Niesha Huffines 23 / 45 = 51.1 %,
    # Daniell Hammack 27 / 52 = 51.9 %: five of the 12 lowest of 30.
    weakest = sorted(rates, key=rates.__getitem__)[:12]
    assert weakest[:5] == [
        "Garret Kinder",
        "Donn Cantrell",
        "Markita Hansen",
        "Niesha Huffines",
        "Daniell Hammack",
    ]
    for owner in weakest:
        assert drawn[owner] == pytest.approx(rates[owner])
    assert drawn["Garret Kinder"] == pytest.approx(16 / 35 * 100)
    note = charts.breakdown_note(
        table, "owner", "win_rate", "Win rate", OWNERS, keep=charts.BOTH_ENDS
    )
    assert note == "Win rate shows the 13 highest and the 12 lowest of 30 owners."


def test_maven_weakest_account_drawn(maven):
    rows, deals = maven
    rates = _q4_win_rates(rows, "account")
    assert len(rates) == 85
    table = sales_breakdown(deals, Q4_2017, "account")
    chart = charts.breakdown_bars(
        table, "account", "win_rate", "Win rate", "%", keep=charts.BOTH_ENDS
    )
    drawn = {row["account"]: row["win_rate"] for row in _rows(chart)}
    # Xx-zobam: 7 won of 24 = 29.2 %, the lowest of the 85 accounts.
    assert min(rates, key=rates.__getitem__) == "Xx-zobam"
    assert drawn["Xx-zobam"] == pytest.approx(7 / 24 * 100)
    assert len(drawn) == 25

    # Six accounts have 50.0 %, among them Betasoloin 6 / 12 and Toughzap
    # 11 / 22. The 12 lowest end in that group, so the ranking by name
    # draws Toughzap and leaves Betasoloin out.
    assert rates["Betasoloin"] == rates["Toughzap"] == 50.0
    assert "Toughzap" in drawn
    assert "Betasoloin" not in drawn

    note = charts.breakdown_note(
        table,
        "account",
        "win_rate",
        "Win rate",
        ("account", "accounts"),
        keep=charts.BOTH_ENDS,
    )
    # The deals without an account form a row "(none)" without a win rate:
    # 80 open deals of Q4 2017 have no account.
    assert note == (
        "Win rate shows the 13 highest and the 12 lowest of 85 accounts with a "
        "value. Some accounts left out have the same value as one drawn."
    )
