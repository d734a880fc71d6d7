"""The currency of a money goal's target against the money of its table.

A money goal keeps the currency its target was set in (``Goal.currency``).
In a table of another currency the same number is a different target. So
the target is converted with the user's exchange rates, or the goal cannot
be measured until a rate or a new target is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from kpi_core.formatting import format_value
from kpi_core.goal_metrics import METRICS, TABLE_LABELS
from kpi_core.money import DEFAULT_CURRENCY, currency_codes
from kpi_core.reuse import reuse_last_result

if TYPE_CHECKING:
    from kpi_core.goals import Goal


@dataclass(frozen=True)
class TargetCurrency:
    """The relation of a goal's target to the currency of its table's money.

    ``factor`` converts the goal's absolute target into ``unit``, the
    table's currency. It is None when no exchange rate links the two
    currencies, and ``reason`` then gives what to do. ``note`` names the rate
    used or the currency assumed for a goal saved without one.
    """

    unit: str
    factor: float | None = 1.0
    reason: str = ""
    note: str = ""


def is_money(metric_key: str) -> bool:
    """Return True for a metric measured in money (``METRICS`` leaves its
    unit empty because the currency comes from the data)."""
    return METRICS[metric_key].unit == ""


def table_currency(frame: pl.DataFrame) -> str | None:
    """Return the currency of the frame's amounts: the only code of its
    currency column, EUR when no row names one (as ``kpi_core.money`` reads
    such amounts), or None when the rows name several currencies."""
    codes, _ = _codes(frame)
    if not codes:
        return DEFAULT_CURRENCY
    if len(codes) == 1:
        return codes[0]
    return None


def target_currency(
    goal: Goal, table: pl.DataFrame, fx: Mapping[str, float] | None = None
) -> TargetCurrency | None:
    """Relate a money goal's target to the currency of its ``table``.

    ``fx`` maps currency codes to the value of one unit in a common report
    currency, which maps to 1.0. A target in currency G is converted into
    the table's currency T by fx[G] / fx[T]. Returns None for a metric
    without money. When the table's rows name several currencies, the
    amounts cannot be added or averaged, so ``factor`` is None and
    ``reason`` names the currencies: the caller converts the table into one
    currency first (``kpi_core.money.in_one_currency``). A relative target
    is a percentage of a baseline in the table's currency and needs no rate.
    """
    if not is_money(goal.metric):
        return None
    unit = table_currency(table)
    if unit is None:
        return _several_currencies(goal, table)
    if goal.target_kind == "relative" or goal.currency == unit:
        return TargetCurrency(unit)
    table_label = TABLE_LABELS.get(METRICS[goal.metric].table, "")
    if not goal.currency:
        # Goals saved before goals kept their currency have none. Recording
        # the currency of their first evaluation would write to the
        # workspace from a read-only page, and that evaluation may already
        # see a replaced table. So the table's currency is assumed, and the
        # card states it until the goal is saved again.
        note = (
            "This goal was saved before goals kept the currency of their "
            f"target, so its target is taken to be in {unit}, the currency of "
            f"the {table_label} table. Edit and save the goal to confirm its "
            "currency."
        )
        return TargetCurrency(unit, note=note)

    rates = {code.strip().upper(): rate for code, rate in (fx or {}).items()}
    target_text = format_value(goal.target, goal.currency)
    if goal.currency in rates and unit in rates:
        factor = rates[goal.currency] / rates[unit]
        note = (
            f"The target of {target_text} is converted at 1 {goal.currency} = "
            f"{factor:.6g} {unit}, from the exchange rates given."
        )
        return TargetCurrency(unit, factor=factor, note=note)
    reason = (
        f"the target of {target_text} was set in {goal.currency}, but the "
        f"amounts of the {table_label} table are in {unit}, so the two cannot "
        f"be compared; give an exchange rate between {goal.currency} and "
        f"{unit}, or edit the goal and give its target in {unit}"
    )
    return TargetCurrency(goal.currency, factor=None, reason=reason)


def _several_currencies(goal: Goal, table: pl.DataFrame) -> TargetCurrency:
    codes, _ = _codes(table)
    table_label = TABLE_LABELS.get(METRICS[goal.metric].table, "")
    reason = (
        f"the amounts of the {table_label} table are in several currencies "
        f"({', '.join(codes)}), so they cannot be added up without exchange "
        "rates; choose a report currency and give a rate for each of the "
        "other currencies"
    )
    return TargetCurrency(goal.currency, factor=None, reason=reason)


@reuse_last_result
def _codes(frame: pl.DataFrame) -> tuple[list[str], dict[str, int]]:
    """Return the currency codes of ``frame``, found once per frame: the Goals
    page asks for them for every money goal and the form on each rerun, and
    a million rows took about 0.06 s."""
    return currency_codes(frame), {}
