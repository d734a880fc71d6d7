"""Negative amounts on rows that count as a sale: a won deal, or an order
counted as a purchase, through the real import."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_core.importing import load_file
from kpi_core.prepare import PreparedTable
from kpi_core.sales import average_deal_size, win_rate, won_value

DEAL_HEADER = "Deal ID,Deal Stage,Amount,Currency,Create Date,Close Date"
ORDER_HEADER = "Order ID,Customer Email,Order Date,Total,Currency,Status"


def load_csv(tmp_path: Path, lines: list[str], table: str) -> PreparedTable:
    path = tmp_path / f"{table}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table=table)


def load_deals(tmp_path: Path) -> PreparedTable:
    return load_csv(
        tmp_path,
        [
            DEAL_HEADER,
            "201,Closed won,1000,EUR,2025-01-05,2025-01-25",
            "202,Closed won,-500,EUR,2025-01-06,2025-01-26",
            "203,Closed lost,300,EUR,2025-01-07,2025-01-27",
            "204,Closed won,200,EUR,2025-01-08,2025-01-28",
        ],
        "deals",
    )


def test_negative_won_deal_named(tmp_path):
    prepared = load_deals(tmp_path)
    [problem] = prepared.problems
    assert problem.column == "Amount"
    assert problem.lines == (3,)
    assert problem.examples == ("-500",)
    assert problem.kind.startswith("a negative amount in a won deal")
    assert "refund or credit note" in problem.kind
    assert problem.row_kept


def test_negative_won_deal_left_out_of_value(tmp_path):
    prepared = load_deals(tmp_path)
    # The deal stays won, with its amount read as empty.
    assert prepared.frame["amount"].to_list() == [1000.0, None, 300.0, 200.0]
    # Won value: 1,000 + 200 = 1,200 EUR, not 1,000 - 500 + 200 = 700.
    value = won_value(prepared.frame)
    assert value.value == pytest.approx(1200.0)
    assert value.excluded == {"won deal without an amount": 1}
    # Average deal size: 1,200 / 2 deals with an amount = 600 EUR.
    size = average_deal_size(prepared.frame)
    assert size.value == pytest.approx(600.0)
    # Win rate: 3 won of 4 closed deals = 75 %.
    assert win_rate(prepared.frame).value == pytest.approx(75.0)


def test_negative_open_or_lost_deal_kept(tmp_path):
    # Guard: only won deals are sales, so a lost deal's -300 stays as written.
    prepared = load_csv(
        tmp_path,
        [
            DEAL_HEADER,
            "201,Closed won,1000,EUR,2025-01-05,2025-01-25",
            "203,Closed lost,-300,EUR,2025-01-07,2025-01-27",
        ],
        "deals",
    )
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [1000.0, -300.0]


def test_negative_paid_order_left_out(tmp_path):
    prepared = load_csv(
        tmp_path,
        [
            ORDER_HEADER,
            "N1,n1@ex.com,2025-01-03,100.00,EUR,paid",
            "N2,n2@ex.com,2025-01-04,200.00,EUR,paid",
            "N4,n4@ex.com,2025-01-06,-50.00,EUR,paid",
        ],
        "orders",
    )
    [problem] = prepared.problems
    assert problem.column == "Total"
    assert problem.lines == (4,)
    assert problem.examples == ("-50.00",)
    assert problem.kind.startswith("a negative amount in an order counted as a")
    assert not problem.row_kept
    # Revenue: 100 + 200 = 300 EUR from 2 purchases, not 250 from 3.
    assert prepared.frame["order_id"].to_list() == ["N1", "N2"]
    assert prepared.frame["amount"].sum() == pytest.approx(300.0)


def test_refunded_order_not_named_again(tmp_path):
    # Guard: a row whose status already marks no purchase is left out for
    # its status and not named a second time for its negative amount.
    prepared = load_csv(
        tmp_path,
        [
            ORDER_HEADER,
            "N1,n1@ex.com,2025-01-03,100.00,EUR,paid",
            "N2,n2@ex.com,2025-01-04,-100.00,EUR,refunded",
        ],
        "orders",
    )
    [problem] = prepared.problems
    assert problem.field == "status"
    assert problem.lines == (3,)
    assert prepared.frame["order_id"].to_list() == ["N1"]
