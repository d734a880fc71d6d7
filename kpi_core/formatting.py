"""Text for KPI values on cards and in charts."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal

# The text of a table cell whose value does not exist.
MISSING = "-"
# File lines named in a message before the rest are only counted.
LINES_SHOWN = 10

# 400 digits cover the 309 integer digits of the largest float (about
# 1.8e308) plus up to 91 decimals, so quantize never runs out of digits.
_CONTEXT = Context(prec=400, rounding=ROUND_HALF_UP)
# A float's digits beyond the 15th are noise of the arithmetic that made it.
_SIGNIFICANT = Context(prec=15, rounding=ROUND_HALF_UP)


def format_number(
    value: float, decimals: int = 0, *, sign: bool = False, scale: int = 0
) -> str:
    """Format ``value`` with thousands separators and ``decimals`` decimals,
    rounded half away from zero as a person rounds by hand.

    The rounding starts from the float's shortest repr, so 5.25 reads "5.3",
    -5.25 reads "-5.3" and 2.675 (stored as 2.67499...) reads "2.68" at two
    decimals. Python's own format would round the first two half to even
    and the third down. A value that rounds to zero never gets a minus
    sign. ``sign`` adds "+" to values that are not negative, and ``scale``
    divides by a power of ten first (6 for millions). Infinity and NaN are
    written as Python writes them.
    """
    spec = f"{'+' if sign else ''},.{decimals}f"
    if not math.isfinite(value):
        return format(value, spec)
    # A ratio such as 345 / 1200 x 100 comes out as 28.749999999999996, so
    # the float is cut to 15 significant digits, the most a float keeps
    # exactly, before it is rounded: 28.75 then reads "28.8". Whole numbers
    # are exact and keep every digit.
    text = repr(float(value))
    if float(value).is_integer():
        exact = Decimal(text)
    else:
        exact = _SIGNIFICANT.create_decimal(text)
    exact = exact.scaleb(-scale)
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), context=_CONTEXT)
    if rounded.is_zero():
        rounded = rounded.copy_abs()
    return format(rounded, spec)


def format_share(percent: float) -> str:
    """Format a share in percent for a message, without the "%" sign.

    A share is whole, as in "49", unless rounding would hide that it is
    neither 0 nor 100. Then it gets one decimal ("0.2", "99.8"), or reads
    "under 0.1" or "over 99.9" where one decimal still rounds to 0.0 or
    100.0.
    """
    whole = format_number(percent, 0)
    if not 0 < percent < 100 or whole not in ("0", "100"):
        return whole
    tenth = format_number(percent, 1)
    if tenth == "0.0":
        return "under 0.1"
    if tenth == "100.0":
        return "over 99.9"
    return tenth


_PLAIN_UNITS = {"percent": "%", "score": "", "days": "days", "hours": "h", "count": ""}


def format_value(value: float, unit: str) -> str:
    """Format a KPI value for a card: percentages and durations to one
    decimal, money whole. Money below 100 keeps its cents ("11.65 EUR"),
    where a whole unit would be off by up to 5 %. From 1,000,000 on, money
    is shown in millions, billions or trillions with one decimal and no
    space before the letter ("310.2M EUR", "2.5B EUR", "188.0T CHF"), so it
    fits one of five cards in a row on a 1400-pixel-wide window. From
    1,000 trillion on, where an amount is most likely a typo, it is shown
    in Excel's scientific notation ("3.3E+19 EUR")."""
    if unit in _PLAIN_UNITS:
        suffix = _PLAIN_UNITS[unit]
        decimals = {"score": 0, "count": 2}.get(unit, 1)
        text = format_number(value, decimals)
        return f"{text} {suffix}" if suffix else text
    if abs(value) >= 1_000_000 and math.isfinite(value):
        return f"{_large_money(value)} {unit}"
    with_cents = format_number(value, 2)
    # 99.996 rounds to 100.00, which is shown whole like other amounts.
    if abs(float(with_cents.replace(",", ""))) < 100:
        return f"{with_cents} {unit}"
    return f"{format_number(value)} {unit}"


# Powers of ten and their letters for money from a million on, largest
# first, in the short scale of English: B is 10^9 and T 10^12.
_MONEY_SCALES = ((12, "T"), (9, "B"), (6, "M"))


def _large_money(value: float) -> str:
    """Write an amount of at least 1,000,000 in the largest of
    ``_MONEY_SCALES`` where it rounds to at least 1.0 ("999,960,000" is
    "1.0B", not "1,000.0M"), or past 999.9T in scientific notation."""
    for exponent, letter in _MONEY_SCALES:
        text = format_number(value, 1, scale=exponent)
        size = abs(float(text.replace(",", "")))
        if size >= 1000 and letter == "T":
            return format(Decimal(repr(float(value))), ".1E")
        if size >= 1:
            return f"{text}{letter}"
    return f"{format_number(value, 1, scale=6)}M"


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
    going from 10 % to 12 % reads "+2.0 pp". A change that rounds to zero
    has no sign ("0.0 days"), because "+0.0" would call a small fall a rise
    (``is_no_change`` tells such a text).
    """
    change = current - previous
    if math.isfinite(change):
        # Subtracting the shortest reprs gives 10.35 - 10.1 = 0.25, which
        # rounds to "+0.3" as by hand. Float subtraction gives 0.24999...
        exact = Decimal(repr(float(current))) - Decimal(repr(float(previous)))
        change = float(exact)
    if unit == "percent":
        text = f"{format_number(change, 1)} pp"
    else:
        text = format_value(change, unit)
    if text.startswith("-") or is_no_change(text):
        return text
    return f"+{text}"


def is_no_change(text: str) -> bool:
    """Tell whether a change written by ``format_change`` rounds to zero."""
    figure = text.split(" ")[0]
    return not any(digit in figure for digit in "123456789")


def line_list(lines: Sequence[int], shown: int = LINES_SHOWN) -> str:
    """List the first ``shown`` file lines and count the rest, as in
    "3, 5, 9 and 12 more". ``lines`` may be a list or a Polars Series."""
    listed = ", ".join(str(line) for line in lines[:shown])
    if len(lines) > shown:
        listed += f" and {len(lines) - shown:,} more"
    return listed


def and_list(names: Sequence[str]) -> str:
    """Join names as in "deals, tickets and NPS survey responses"."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def short_and_list(names: Sequence[str], shown: int = 5) -> str:
    """Join names as ``and_list`` does, or, past ``shown`` names, the first
    ``shown`` and a count of the rest, as in "a, b, c, d, e and 2,995 more",
    so a message about hundreds of files stays short."""
    if len(names) <= shown:
        return and_list(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown:,} more"


def count_noun(number: int, singular: str, plural: str | None = None) -> str:
    """Return a count with its noun in the right number, as in "1 row",
    "2,500 rows" or "1 reply". ``plural`` defaults to ``singular`` + "s"."""
    noun = singular if number == 1 else (plural or f"{singular}s")
    return f"{number:,} {noun}"


# The maximum number of decimals ``format_inputs`` adds to a formula's inputs.
_MAX_EXTRA_DECIMALS = 6


def format_inputs(
    inputs: Sequence[float],
    compute: Callable[..., float],
    result: float,
    result_decimals: int,
    decimals: int = 2,
) -> list[str]:
    """Format the inputs of a formula so that its written arithmetic checks.

    Each input gets ``decimals`` decimals, or more where the inputs rounded
    to ``decimals`` would not give ``result``: ``compute`` of the shown
    numbers must round to the same text as ``result`` at ``result_decimals``.
    33.7462 x 2.5 = 84.37 is written "33.746 x 2.50", because 33.75 x 2.5
    rounds to 84.38. Zeros past ``decimals`` are dropped, so 1.0 stays
    "1.00" beside "33.746".
    """
    target = format_number(result, result_decimals)
    for places in range(decimals, decimals + _MAX_EXTRA_DECIMALS + 1):
        shown = [
            _without_extra_zeros(format_number(value, places), decimals)
            for value in inputs
        ]
        figures = [float(text.replace(",", "")) for text in shown]
        try:
            computed = compute(*figures)
        except ZeroDivisionError:
            # A divisor rounded to 0 at these decimals; more decimals follow.
            continue
        if format_number(computed, result_decimals) == target:
            return shown
    # NOTE: a result this close to a rounding boundary keeps the most precise
    # inputs, whose arithmetic may still differ in the last shown decimal.
    return shown


def _without_extra_zeros(text: str, decimals: int) -> str:
    """Drop trailing zeros of ``text`` past ``decimals`` decimals."""
    if "." not in text:
        return text
    whole, fraction = text.split(".")
    fraction = fraction[:decimals] + fraction[decimals:].rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole
