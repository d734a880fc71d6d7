"""Find negative amounts on rows that count as a sale: a won deal, or an
order counted as a purchase.

A sale below 0 is most often a refund or credit note typed into the sale's
own row. Counted, it would lower the won value and the deal size, or count
as a purchase that acquires a customer and lowers the average order value,
without any sign of it. So a won deal keeps its outcome and its amount is
read as empty, which the money KPIs leave out and count as a won deal
without an amount. An order is left out, as an order of 0 is, because it
cannot be a purchase. Refunds that the app reads stay as they are: a
refund column is taken off its order, and a status such as "refunded"
leaves its row out before this check.
"""

from __future__ import annotations

import polars as pl

from kpi_core.import_problems import EXAMPLES_SHOWN, LINE, FoundProblem, Problem
from kpi_core.mapping import Mapping
from kpi_core.order_rows import orders_with_amount

NEGATIVE_WON_DEAL = (
    "a negative amount in a won deal (a refund or credit note belongs in "
    "its own row or status)"
)
NEGATIVE_PURCHASE = (
    "a negative amount in an order counted as a purchase (a refund or credit "
    "note belongs in its own row with a refund status, or in a refunded "
    "amount column)"
)


def negative_purchases(
    raw: pl.DataFrame,
    mapping: Mapping,
    columns: list[pl.Series],
    named: list[FoundProblem | None],
) -> FoundProblem | None:
    """Find the orders with an amount below 0 that would count as a
    purchase. Rows already left out (``named``), such as for a status that
    marks no purchase, are not named again."""
    return orders_with_amount(
        raw, mapping, columns, named, lambda amount: amount < 0, NEGATIVE_PURCHASE
    )


def empty_negative_won_amounts(
    mapping: Mapping, frame: pl.DataFrame, raw: pl.DataFrame
) -> tuple[pl.DataFrame, Problem | None]:
    """Read the amounts below 0 of won deals as empty and name their lines.

    ``frame`` is the prepared deals table, whose ``status`` column marks
    which deals are won, and ``raw`` the table as read, for the cell text.
    """
    if mapping.table != "deals" or not {"status", "amount"} <= set(frame.columns):
        return frame, None
    rows = ((frame["status"] == "won") & (frame["amount"] < 0)).fill_null(False)
    if not rows.any():
        return frame, None
    lines = frame[LINE].filter(rows)
    header = mapping.columns["amount"]
    in_raw = raw[LINE].is_in(lines.implode())
    problem = Problem(
        column=header,
        field="amount",
        kind=NEGATIVE_WON_DEAL,
        count=int(rows.sum()),
        lines=tuple(lines.to_list()),
        examples=_examples(raw, header, in_raw),
        row_kept=True,
    )
    amount = pl.when(rows).then(None).otherwise(pl.col("amount")).alias("amount")
    return frame.with_columns(amount), problem


def _examples(raw: pl.DataFrame, header: str, rows: pl.Series) -> tuple[str, ...]:
    cells = raw[header].filter(rows).unique(maintain_order=True)
    return tuple(cells.head(EXAMPLES_SHOWN))
