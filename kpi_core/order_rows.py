"""Find the order rows that are no purchase: a status that marks none, a
payment not captured, a full refund, an amount of 0, or a further line item
of the order above. A partial refund is taken off the order's amount.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from kpi_core.formatting import count_noun
from kpi_core.import_problems import EXAMPLES_SHOWN, LINE, FoundProblem, Problem
from kpi_core.mapping import Mapping
from kpi_core.order_status import no_purchase_rows, status_note
from kpi_core.subscription_data import FALSE_FLAGS


def orders_without_purchase(
    raw: pl.DataFrame,
    mapping: Mapping,
    columns: list[pl.Series],
    detected: dict[str, str],
) -> FoundProblem | None:
    """Find the orders whose status marks no completed purchase, such as a
    void or open invoice, which no KPI may count as revenue or a customer.
    ``detected`` gets a note on the status column that names the labels
    read each way."""
    status_column = mapping.columns.get("status")
    if mapping.table != "orders" or not status_column:
        return None
    status = next(column for column in columns if column.name == "status")
    rows = no_purchase_rows(status, status_column)
    if note := status_note(status, rows):
        detected[status_column] = note
    if not rows.any():
        return None
    problem = Problem(
        column=status_column,
        field="status",
        kind="a status that marks no completed purchase",
        count=int(rows.sum()),
        lines=tuple(raw[LINE].filter(rows).to_list()),
        examples=tuple(
            status.filter(rows).unique(maintain_order=True).head(EXAMPLES_SHOWN)
        ),
    )
    return FoundProblem(problem, rows, None)


def orders_not_captured(
    raw: pl.DataFrame,
    mapping: Mapping,
    columns: list[pl.Series],
    unpaid: FoundProblem | None,
) -> FoundProblem | None:
    """Find the card payments that were authorised but not captured, as
    Stripe's "Captured" false marks them. Such a payment took no money, so
    it is no purchase. An empty cell counts as captured. Rows already left
    out for their status (``unpaid``), such as failed payments, are not
    named again."""
    header = mapping.columns.get("captured")
    if mapping.table != "orders" or not header:
        return None
    captured = next(column for column in columns if column.name == "captured")
    rows = captured.str.to_lowercase().is_in(list(FALSE_FLAGS)).fill_null(False)
    if unpaid is not None:
        rows = rows & ~unpaid.rows
    if not rows.any():
        return None
    problem = Problem(
        column=header,
        field="captured",
        kind="a payment that was authorised but not captured (no purchase)",
        count=int(rows.sum()),
        lines=tuple(raw[LINE].filter(rows).to_list()),
        examples=tuple(
            raw[header].filter(rows).unique(maintain_order=True).head(EXAMPLES_SHOWN)
        ),
    )
    return FoundProblem(problem, rows, None)


def net_of_refunds(
    raw: pl.DataFrame,
    mapping: Mapping,
    columns: list[pl.Series],
    detected: dict[str, str],
    named: list[FoundProblem | None],
) -> tuple[list[pl.Series], FoundProblem | None]:
    """Take the refunded part off each order's amount, as Shopify's
    "Refunded Amount" or Stripe's "Amount Refunded" give it, and find the
    orders refunded in full, which are no purchase.

    A partly refunded order keeps a status such as "partially refunded",
    which reads as paid, so without this its whole total counted as
    revenue. Refunds written as negative numbers count by their size. Rows
    already left out (``named``), such as for their status, are not named
    again.
    """
    header = mapping.columns.get("refunded")
    if mapping.table != "orders" or not header:
        return columns, None
    parsed = {column.name: column for column in columns}
    if "amount" not in parsed:
        return columns, None
    left_out = pl.repeat(False, raw.height, eager=True)
    for item in named:
        if item is not None:
            left_out = left_out | item.rows
    frame = pl.DataFrame(
        {"amount": parsed["amount"], "refunded": parsed["refunded"], "out": left_out}
    )
    refund = pl.col("refunded").abs().fill_null(0.0)
    paid_back = (pl.col("amount") > 0) & (refund > 0) & ~pl.col("out")
    marks = frame.select(
        net=pl.when(paid_back)
        .then(pl.max_horizontal(pl.col("amount") - refund, pl.lit(0.0)))
        .otherwise(pl.col("amount")),
        full=(paid_back & (refund >= pl.col("amount"))).fill_null(False),
        part=(paid_back & (refund < pl.col("amount"))).fill_null(False),
    )
    partly = int(marks["part"].sum())
    if partly:
        their = "its" if partly == 1 else "their"
        note = (
            f"{count_noun(partly, 'partly refunded order')} counted at {their} "
            "total less the refund"
        )
        detected[header] = f"{detected[header]}, {note}" if header in detected else note
    columns = [
        marks["net"].alias("amount") if c.name == "amount" else c for c in columns
    ]
    full = marks["full"]
    if not full.any():
        return columns, None
    problem = Problem(
        column=header,
        field="refunded",
        kind="a refund of the order's whole value",
        count=int(full.sum()),
        lines=tuple(raw[LINE].filter(full).to_list()),
        examples=tuple(
            raw[header].filter(full).unique(maintain_order=True).head(EXAMPLES_SHOWN)
        ),
    )
    return columns, FoundProblem(problem, full, None)


def orders_of_no_value(
    raw: pl.DataFrame,
    mapping: Mapping,
    columns: list[pl.Series],
    named: list[FoundProblem | None],
) -> FoundProblem | None:
    """Find the orders of an amount of 0, such as a Stripe invoice of a free
    trial or one with a 100 % coupon, which are no purchase.

    Kept, such an invoice would lower the average purchase value, raise the
    purchases a year and acquire a customer who never paid, as a
    subscription that charges nothing does not. Rows already left out for
    their status or a full refund (``named``) are not named again. An empty
    amount is not 0, so its order stays.
    """
    return orders_with_amount(
        raw, mapping, columns, named, lambda amount: amount == 0,
        "an amount of 0 (no purchase)",
    )  # fmt: skip


def orders_with_amount(
    raw: pl.DataFrame,
    mapping: Mapping,
    columns: list[pl.Series],
    named: list[FoundProblem | None],
    matches: Callable[[pl.Series], pl.Series],
    kind: str,
) -> FoundProblem | None:
    """Name the orders whose parsed amount ``matches``, as ``kind``, and
    leave their rows out. Rows already left out (``named``) are not named
    again, and an empty amount matches nothing."""
    if mapping.table != "orders":
        return None
    amount = next((column for column in columns if column.name == "amount"), None)
    if amount is None:
        return None
    rows = matches(amount).fill_null(False)
    for item in named:
        if item is not None:
            rows = rows & ~item.rows
    if not rows.any():
        return None
    header = mapping.columns["amount"]
    problem = Problem(
        column=header,
        field="amount",
        kind=kind,
        count=int(rows.sum()),
        lines=tuple(raw[LINE].filter(rows).to_list()),
        examples=tuple(
            raw[header].filter(rows).unique(maintain_order=True).head(EXAMPLES_SHOWN)
        ),
    )
    return FoundProblem(problem, rows, None)


def further_line_items(
    raw: pl.DataFrame, mapping: Mapping, columns: list[pl.Series]
) -> FoundProblem | None:
    """Find the rows that continue the order above them, as Shopify writes
    one row per line item with the total and status on the first only.

    Such a row has no amount, no status (when one is mapped) and no order id
    or the one above, with the customer and order time of the row above.
    Kept, it would count as a purchase of its own: a voided order would
    still acquire its customer, because only its first row is marked voided.
    """
    if mapping.table != "orders":
        return None
    parsed = {column.name: column for column in columns}
    if "amount" not in parsed:
        return None
    frame = pl.DataFrame(
        [parsed[name] for name in ("order_id", "customer_id", "ordered_at", "status",
                                   "amount") if name in parsed]
    )  # fmt: skip
    continues = pl.col("amount").is_null()
    if "status" in frame.columns:
        continues &= pl.col("status").is_null()
    if "order_id" in frame.columns:
        order = pl.col("order_id")
        continues &= order.is_null() | (order == order.shift(1))
    for name in ("customer_id", "ordered_at"):
        if name in frame.columns:
            continues &= pl.col(name) == pl.col(name).shift(1)
    rows = frame.select(continues.fill_null(False)).to_series()
    if not rows.any():
        return None
    problem = Problem(
        column="",
        field="amount",
        kind=(
            "no amount or status under an order of the same customer and time, "
            "read as further line items of that order, whose first row gives its "
            "total"
        ),
        count=int(rows.sum()),
        lines=tuple(raw[LINE].filter(rows).to_list()),
        examples=(),
    )
    return FoundProblem(problem, rows, None)
