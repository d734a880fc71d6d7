"""Readable headers and value kinds of the columns of the KPI tables.

The pages and the Excel report both take their headers from ``COLUMNS``, so
a table reads the same in both. A label may contain ``{unit}``, the currency
of the money columns. The kind selects the number format of the column in
the Excel report and never changes a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Value kinds. A percent value is in percent units (48.2 means 48.2 %), as
# the KPIs, the pages and the JSON report give it.
PERCENT = "percent"
MONEY = "money"
DAYS = "days"
HOURS = "hours"
COUNT = "count"
SCORE = "score"
DATE = "date"
TEXT = "text"
P_VALUE = "p_value"

# A parenthesised part of a label that names the unit, dropped when the
# unit is not known.
_UNIT_PART = re.compile(r"\s*\([^()]*\{unit\}[^()]*\)")


@dataclass(frozen=True)
class Column:
    """The header of a column and the kind of its values."""

    label: str
    kind: str


COLUMNS: dict[str, Column] = {
    # Tables by period
    "period_start": Column("Period start", DATE),
    "period_end": Column("Period end", DATE),
    "partial": Column("Partial period", TEXT),
    # Sales
    "close_rate": Column("Close rate (%)", PERCENT),
    "close_rate_low": Column("Close rate, 95 % low", PERCENT),
    "close_rate_high": Column("Close rate, 95 % high", PERCENT),
    "win_rate": Column("Win rate (%)", PERCENT),
    "win_rate_low": Column("Win rate, 95 % low", PERCENT),
    "win_rate_high": Column("Win rate, 95 % high", PERCENT),
    "created": Column("Deals created", COUNT),
    "won_of_created": Column("Of these won", COUNT),
    "decided": Column("Won or lost", COUNT),
    "won": Column("Won", COUNT),
    "won_value": Column("Won value ({unit})", MONEY),
    "average_deal_size": Column("Average won deal ({unit})", MONEY),
    "cycle_mean_days": Column("Cycle, mean days", DAYS),
    "cycle_median_days": Column("Cycle, median days", DAYS),
    "stage": Column("Stage", TEXT),
    "status": Column("Status", TEXT),
    "deals": Column("Deals", COUNT),
    "value": Column("Value ({unit})", MONEY),
    "without_amount": Column("Deals without amount", COUNT),
    "owner": Column("Owner", TEXT),
    # Marketing
    "campaign": Column("Campaign", TEXT),
    "revenue": Column("Revenue ({unit})", MONEY),
    "roi_percent": Column("ROI (%)", PERCENT),
    "channel": Column("Channel", TEXT),
    "spend": Column("Spend ({unit})", MONEY),
    "new_customers": Column("New customers", COUNT),
    "cac": Column("CAC ({unit} per new customer)", MONEY),
    # The ARR bridge is the only KPI table with these columns.
    "step": Column("Step", TEXT),
    "amount": Column("Amount ({unit} per year)", MONEY),
    "signed_amount": Column("Signed amount ({unit} per year)", MONEY),
    "customers": Column("Customers", COUNT),
    "arr": Column("ARR ({unit} per year)", MONEY),
    "contacts_at_start": Column("Contacts at start", COUNT),
    "new_subscribers": Column("New subscribers", COUNT),
    "unsubscribes": Column("Unsubscribes", COUNT),
    "cleaned": Column("Cleaned", COUNT),
    "growth_rate": Column("Growth (%)", PERCENT),
    # Service
    "customers_at_start": Column("Customers at start", COUNT),
    "churned": Column("Churned", COUNT),
    "joined_and_left": Column("Joined and left", COUNT),
    "reactivations": Column("Came back", COUNT),
    "mrr_at_start": Column("MRR at start", MONEY),
    "mrr_lost": Column("MRR lost", MONEY),
    "churn_rate": Column("Churn (%)", PERCENT),
    "nps": Column("NPS", SCORE),
    "score": Column("Score", COUNT),
    "count": Column("Responses", COUNT),
    "share": Column("Share (%)", PERCENT),
    "bucket": Column("Group", TEXT),
    "agent": Column("Agent", TEXT),
    "tickets": Column("Tickets", COUNT),
    "mean_hours": Column("Mean hours", HOURS),
    "median_hours": Column("Median hours", HOURS),
    "replies": Column("Agent replies", COUNT),
    "mean_replies": Column("Mean agent replies", COUNT),
    "share_one_reply": Column("Solved with one reply (%)", PERCENT),
    "category": Column("Category", TEXT),
    "priority": Column("Priority", TEXT),
}


def column_label(column: str, unit: str | None = None) -> str:
    """Return the header of ``column``, with ``unit`` (a currency code) in
    place of ``{unit}``.

    Without a unit the parenthesised unit part is left out, as in "Won
    value". A column missing from ``COLUMNS`` is written with spaces for
    underscores and a capital first letter, so "deal_type" reads "Deal type".
    """
    known = COLUMNS.get(column)
    if known is None:
        text = column.replace("_", " ")
        return text[:1].upper() + text[1:]
    if unit is None:
        return _UNIT_PART.sub("", known.label)
    return known.label.replace("{unit}", unit)


def column_kind(column: str) -> str | None:
    """Return the value kind of ``column``, or None for a column missing
    from ``COLUMNS``."""
    known = COLUMNS.get(column)
    return None if known is None else known.kind
