"""Apply the rules of one table type once its columns are parsed: ticket
close times as solve times, anonymous survey customers, and the status and
calendar days of deals.
"""

from __future__ import annotations

import polars as pl

from kpi_core.business_hours import ZONE_FLAG
from kpi_core.deal_outcomes import DEAL_FLAGS, flagged_statuses, stage_from_status

# Customer ids of survey responses that name no customer.
_ANONYMOUS = ["anonymous", "anonym"]


def apply_table_rules(
    table: str, frame: pl.DataFrame, label_statuses: pl.Series | None
) -> pl.DataFrame:
    """Apply the rules of one table type after parsing. ``label_statuses``
    are the deals' statuses from ``classify_deal_labels``, row by row."""
    if table == "tickets":
        return _solved_or_closed(frame)
    if table == "nps" and "customer_id" in frame.columns:
        # Microsoft Forms writes "anonymous" as the email of every anonymous
        # response, which would make them all one customer.
        placeholder = pl.col("customer_id").str.to_lowercase().is_in(_ANONYMOUS)
        return frame.with_columns(
            pl.when(placeholder)
            .then(None)
            .otherwise(pl.col("customer_id"))
            .alias("customer_id")
        )
    if table != "deals":
        return frame
    missing = {
        "closed_at": pl.Date,
        "amount": pl.Float64,
        "owner": pl.String,
    }
    frame = frame.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in missing.items()
        if name not in frame.columns
    )
    closed = pl.col("closed_at")
    if "lost_at" in frame.columns:
        # Pipedrive writes a won time and a lost time; either closes the deal.
        closed = pl.coalesce("closed_at", "lost_at")
    # Deal KPIs count calendar days, so a time of day is dropped here.
    days = [pl.col("created_at").cast(pl.Date), closed.cast(pl.Date).alias("closed_at")]
    if "first_contact_at" in frame.columns:
        days.append(pl.col("first_contact_at").cast(pl.Date))
    frame = frame.with_columns(flagged_statuses(frame, label_statuses), *days)
    return stage_from_status(frame).drop(DEAL_FLAGS, strict=False)


def _solved_or_closed(frame: pl.DataFrame) -> pl.DataFrame:
    """Take the close time of a ticket without a solve time as its solve,
    with its time zone flag. Freshdesk writes "Resolved time" and "Closed
    time", and a ticket closed without being resolved has only the second."""
    if "closed_at" not in frame.columns:
        return frame
    if "solved_at" not in frame.columns:
        return frame.rename(
            {
                "closed_at": "solved_at",
                "closed_at" + ZONE_FLAG: "solved_at" + ZONE_FLAG,
            },
            strict=False,
        )
    fallback = pl.col("solved_at").is_null() & pl.col("closed_at").is_not_null()
    columns = [
        pl.when(fallback).then("closed_at").otherwise("solved_at").alias("solved_at")
    ]
    solved_flag, closed_flag = "solved_at" + ZONE_FLAG, "closed_at" + ZONE_FLAG
    if closed_flag in frame.columns:
        solved = pl.col(solved_flag) if solved_flag in frame.columns else pl.lit(False)
        columns.append(
            pl.when(fallback).then(closed_flag).otherwise(solved).alias(solved_flag)
        )
    return frame.with_columns(columns).drop("closed_at", closed_flag, strict=False)
