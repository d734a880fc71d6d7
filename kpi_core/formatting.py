"""Text for KPI values on cards and in charts."""

from __future__ import annotations

# The text of a table cell whose value does not exist.
MISSING = "-"

_PLAIN_UNITS = {"percent": "%", "score": "", "days": "days", "hours": "h", "count": ""}


def format_value(value: float, unit: str) -> str:
    """Format a KPI value for a card: percentages and durations to one
    decimal, money whole. From 1,000,000 on, money is shown in millions with
    one decimal and no space before the M ("310.2M EUR"), so it fits one of
    five cards in a row on a 1400-pixel-wide window."""
    if unit in _PLAIN_UNITS:
        suffix = _PLAIN_UNITS[unit]
        decimals = {"score": 0, "count": 2}.get(unit, 1)
        text = f"{value:,.{decimals}f}"
        return f"{text} {suffix}" if suffix else text
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.1f}M {unit}"
    return f"{value:,.0f} {unit}"


# KPIs where a fall is an improvement, so the change is coloured the other way.
LOWER_IS_BETTER = frozenset(
    {
        "sales_cycle_days",
        "cac",
        "churn_rate",
        "resolution_hours",
        "followups_per_ticket",
    }
)


def format_change(current: float, previous: float, unit: str) -> str:
    """Format the change from ``previous`` to ``current`` with its sign.

    Rates change in percentage points ("pp"), not percent, so a close rate
    going from 10 % to 12 % reads "+2.0 pp".
    """
    change = current - previous
    if unit == "percent":
        return f"{change:+,.1f} pp"
    text = format_value(change, unit)
    return text if text.startswith("-") else f"+{text}"


def count_noun(number: int, singular: str, plural: str | None = None) -> str:
    """Return a count with its noun in the right number, as in "1 row",
    "2,500 rows" or "1 reply". ``plural`` defaults to ``singular`` + "s"."""
    noun = singular if number == 1 else (plural or f"{singular}s")
    return f"{number:,} {noun}"
