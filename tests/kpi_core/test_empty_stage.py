"""Deals with an empty stage cell: left out at import when nothing else gives
their outcome, and labelled in the pipeline table and chart when kept."""

from __future__ import annotations

import polars as pl

from kpi_core import charts
from kpi_core.importing import load_file
from kpi_core.sales import sales_kpis
from kpi_core.sales_tables import pipeline_by_stage

# The label of an empty stage in the pipeline table and chart.
NO_STAGE = "(no stage)"

# Deal 2 (line 3) was won, but its Phase cell is empty.
GERMAN_DEALS = b"""\
Deal-ID;Phase;Betrag;Erstellt am;Abgeschlossen am
1;Gewonnen;1.000,00;02.01.2025;10.01.2025
2;;2.000,00;03.01.2025;12.01.2025
3;Verloren;500,00;04.01.2025;15.01.2025
4;Angebot;700,00;05.01.2025;
"""

# Deal 2 has an empty stage but a status; deal 3 has neither (line 4).
STATUS_DEALS = b"""\
Deal ID,Deal Stage,Status,Amount,Create Date,Close Date
1,Proposal,won,1000,2025-01-02,2025-01-10
2,,won,2000,2025-01-03,2025-01-12
3,,,500,2025-01-04,
4,Proposal,open,700,2025-01-05,
"""

# Salesforce-style flags: deal 2 is won by its flag, and deal 3 is open
# because it is not closed. Deal 4 is only "not won", so open or lost, and
# deal 5 has an unreadable Won cell. Nothing gives the outcome of these two.
FLAG_DEALS = b"""\
Opportunity ID,Stage,Won,Closed,Amount,Created Date,Close Date
1,Negotiation,no,no,100,2025-01-02,
2,,yes,,200,2025-01-03,2025-01-12
3,,,no,300,2025-01-04,
4,,no,,400,2025-01-05,
5,,maybe,,500,2025-01-06,
6,Closed Won,yes,yes,600,2025-01-07,2025-01-20
7,Closed Lost,no,yes,700,2025-01-08,2025-01-21
"""


def _pipeline_rows(table: pl.DataFrame) -> dict[tuple[str, str], int]:
    return {
        (row["stage"], row["status"]): row["deals"]
        for row in table.iter_rows(named=True)
    }


def test_empty_stage_deal_left_out():
    prepared = load_file("deals.csv", GERMAN_DEALS)
    assert prepared.rows_read == 4
    assert prepared.rows_used == 3
    assert prepared.frame["deal_id"].to_list() == ["1", "3", "4"]
    [problem] = prepared.problems
    assert not problem.row_kept
    assert problem.lines == (3,)
    assert "'Phase'" in problem.kind
    assert "could be open, won or lost" in problem.kind
    assert "fill in the stage" in problem.kind
    assert problem.describe().endswith("(line 3)")
    assert problem.outcome() == "this row is left out"


def test_empty_stage_not_counted_open():
    prepared = load_file("deals.csv", GERMAN_DEALS)
    kpis = sales_kpis(prepared.frame)
    # Close rate: 1 won (deal 1) of 3 deals created (1, 3 and 4) = 33.3 %.
    # Counted as open, deal 2 would have made it 1 of 4 = 25 %.
    assert kpis["close_rate"].numerator == 1
    assert kpis["close_rate"].denominator == 3
    # Win rate: 1 won of 1 won + 1 lost = 50 %.
    assert kpis["win_rate"].value == 50.0
    pipeline = pipeline_by_stage(prepared.frame)
    # The open pipeline contains deal 4 alone: 700.
    open_value = pipeline.filter(pl.col("status") == "open")["value"].sum()
    assert open_value == 700.0


def test_status_decides_empty_stage():
    prepared = load_file("deals.csv", STATUS_DEALS)
    [problem] = prepared.problems
    assert problem.lines == (4,)
    assert "empty 'Deal Stage' and 'Status' cells" in problem.kind
    statuses = dict(
        zip(prepared.frame["deal_id"], prepared.frame["status"], strict=True)
    )
    assert statuses == {"1": "won", "2": "won", "4": "open"}


def test_flags_decide_empty_stage():
    prepared = load_file("opportunities.csv", FLAG_DEALS)
    statuses = dict(
        zip(prepared.frame["deal_id"], prepared.frame["status"], strict=True)
    )
    assert statuses == {
        "1": "open",
        "2": "won",
        "3": "open",
        "6": "won",
        "7": "lost",
    }
    # Deals 4 and 5 (lines 5 and 6) are named once, under the empty stage,
    # and not also as a Won cell read as empty whose row is kept.
    [problem] = prepared.problems
    assert problem.field == "stage"
    assert problem.lines == (5, 6)
    assert not problem.row_kept


def test_pipeline_names_empty_stage():
    prepared = load_file("deals.csv", STATUS_DEALS)
    pipeline = pipeline_by_stage(prepared.frame)
    assert _pipeline_rows(pipeline) == {
        ("Proposal", "open"): 1,
        ("Proposal", "won"): 1,
        (NO_STAGE, "won"): 1,
    }
    assert pipeline["stage"].null_count() == 0


def test_pipeline_chart_with_null_stage():
    # A table stored before the import left such deals out keeps the null.
    deals = pl.DataFrame(
        {
            "stage": ["Proposal", None, "Won"],
            "status": ["open", "open", "won"],
            "created_at": [None, None, None],
            "amount": [100.0, 200.0, 300.0],
        },
        schema_overrides={"created_at": pl.Date},
    )
    pipeline = pipeline_by_stage(deals)
    assert NO_STAGE in pipeline["stage"].to_list()
    for measure in ("deals", "value"):
        spec = charts.pipeline_bars(pipeline, measure, "Deals").to_dict()
        order = spec["encoding"]["y"]["sort"]
        assert None not in order
        assert NO_STAGE in order


def test_pipeline_chart_null_stage_direct():
    # The chart labels a null stage itself too, for any pipeline frame.
    pipeline = pl.DataFrame(
        {
            "stage": [None, "Won"],
            "status": ["open", "won"],
            "deals": [1, 2],
            "value": [10.0, 20.0],
        }
    )
    spec = charts.pipeline_bars(pipeline, "deals", "Deals").to_dict()
    assert spec["encoding"]["y"]["sort"] == [NO_STAGE, "Won"]
