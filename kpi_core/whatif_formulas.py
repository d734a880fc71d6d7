"""The What if projection written out step by step, with the numbers filled in."""

from __future__ import annotations

import math
from collections.abc import Sequence

from kpi_core.clv import MAX_LIFESPAN_YEARS
from kpi_core.formatting import format_inputs, format_number
from kpi_core.goal_metrics import MONTH_DAYS
from kpi_core.whatif import (
    BASES,
    HORIZON_MONTHS,
    LEVERS,
    Levers,
    ProjectionSteps,
    kept_share_sum,
    monthly_churn,
    projection_steps,
)


def projection_formulas(levers: Levers, unit: str) -> dict[str, str]:
    """Write each calculation of ``project`` with the levers' numbers filled in.

    Keys are those of ``FIGURES``, and each value has one line per step.
    Money results from 100 on are whole units. Other numbers have 2
    decimals, or more where the written numbers would not give the result,
    so each line checks by hand. A step's result is written as the next
    step uses it. A figure that cannot be computed names the missing inputs
    or the input that is 0. ``unit`` is the currency written after amounts.
    """
    steps = projection_steps(levers)
    return {
        "won_revenue": _won_revenue_formula(levers, steps, unit),
        "arr": _arr_formula(levers, steps, unit),
        "clv": _clv_formula(levers, steps, unit),
        "cac": _cac_formula(levers, steps, unit),
        "clv_to_cac": _clv_to_cac_formula(steps, unit),
        "payback_months": _payback_formula(levers, steps, unit),
    }


def _won_revenue_formula(levers: Levers, steps: ProjectionSteps, unit: str) -> str:
    names = ("leads_per_month", "close_rate", "sales_cycle_days", "average_deal_size")
    missing = _missing_inputs(levers, names)
    if missing:
        return missing
    revenue = steps.projection.won_revenue
    won, selling, size = format_inputs(
        (steps.won_per_month, steps.selling_months, levers.average_deal_size),
        lambda won, months, size: won * months * size,
        revenue,
        _money_decimals(revenue),
    )
    return "\n".join(
        [
            _won_deals_line(levers, steps, won),
            _selling_months_line(levers, steps, selling),
            f"won revenue = {won} won deals a month x {selling} selling months x "
            f"{_with_unit(size, unit)} deal size = {_money(revenue, unit)}",
        ]
    )


def _arr_formula(levers: Levers, steps: ProjectionSteps, unit: str) -> str:
    names = ["active_customers", "churn_rate", "arpa"]
    if levers.deals_are_subscribers:
        names += ["leads_per_month", "close_rate", "sales_cycle_days"]
    else:
        names.append("new_subscribers_per_month")
    missing = _missing_inputs(levers, names)
    if missing:
        return missing
    retained, new, arpa = format_inputs(
        (steps.retained, steps.new_kept, levers.arpa),
        lambda kept, new, arpa: (kept + new) * arpa * 12,
        steps.projection.arr,
        _money_decimals(steps.projection.arr),
    )
    active, churn = format_inputs(
        (levers.active_customers, levers.churn_rate),
        lambda active, churn: active * (1 - churn / 100),
        steps.retained,
        _decimals(retained),
    )
    per_month, kept_sum = format_inputs(
        (steps.new_per_month, steps.kept_share_sum),
        lambda per_month, kept_sum: per_month * kept_sum,
        steps.new_kept,
        _decimals(new),
    )
    lines = [
        f"customers kept = {active} paying now x (1 - {churn} % annual churn) = "
        f"{retained}"
    ]
    if levers.deals_are_subscribers:
        kept_lines, selling = _kept_sum_lines(levers, steps, kept_sum, True)
        lines += [
            _won_deals_line(levers, steps, per_month),
            _selling_months_line(levers, steps, selling),
            *kept_lines,
            f"new subscribers kept = {per_month} won deals a month x {kept_sum} "
            f"= {new}, because won deals become subscribers",
        ]
    else:
        kept_lines, _ = _kept_sum_lines(levers, steps, kept_sum, False)
        lines += [
            *kept_lines,
            f"new subscribers kept = {per_month} a month x {kept_sum} = {new}; "
            "won deals are not counted as subscribers",
        ]
    lines.append(
        f"ARR = ({retained} + {new}) customers x {_with_unit(arpa, unit)} ARPA x 12 "
        f"= {_money(steps.projection.arr, unit)}"
    )
    return "\n".join(lines)


def _kept_sum_lines(
    levers: Levers, steps: ProjectionSteps, kept_sum: str, from_deals: bool
) -> tuple[list[str], str]:
    """Write how the monthly churn m and the sum S of ``kept_share_sum`` come
    about, ending in ``kept_sum``, the text the next step shows for S.

    Returns the lines and the text of the joining months: the selling months
    when won deals become subscribers, else the 12 months of the horizon.
    """
    joining = steps.selling_months if from_deals else float(HORIZON_MONTHS)
    intake = "won deals" if from_deals else "new subscribers"
    if not levers.churn_rate:
        months = kept_sum if from_deals else f"{HORIZON_MONTHS}"
        return [
            f"S = {kept_sum}, the {months} months in which {intake} join, "
            "because at 0 % annual churn no new subscriber leaves"
        ], months
    monthly_percent = steps.monthly_churn * 100
    if from_deals:
        shown_monthly, months = format_inputs(
            (monthly_percent, joining),
            lambda churn, months: kept_share_sum(months, churn / 100),
            steps.kept_share_sum,
            _decimals(kept_sum),
        )
    else:
        (shown_monthly,) = format_inputs(
            (monthly_percent,),
            lambda churn: kept_share_sum(HORIZON_MONTHS, churn / 100),
            steps.kept_share_sum,
            _decimals(kept_sum),
        )
        months = f"{HORIZON_MONTHS}"
    whole = math.floor(float(months.replace(",", "")))
    fraction = _fraction_text(months)
    if not whole and not fraction:
        return [
            f"S = {kept_sum}, because {months} selling months leave no month in "
            "which a won deal becomes a subscriber"
        ], months
    (annual,) = format_inputs(
        (levers.churn_rate,),
        lambda rate: monthly_churn(rate) * 100,
        monthly_percent,
        _decimals(shown_monthly),
    )
    kept = f"(1 - {shown_monthly} %)"
    terms, numbers = [], []
    if fraction:
        terms.append(f"{fraction} x (1 - m)^{whole + 1}")
        numbers.append(f"{fraction} x {kept}^{whole + 1}")
    if whole:
        terms.append(_powers_text(whole))
        numbers.append(f"{kept} x (1 - {kept}^{whole}) / {shown_monthly} %")
    rule = (
        f"S = {' + '.join(terms)}, because each month's {intake} join at its "
        "start and those of month k keep (1 - m)^(13 - k) to the end of month 12"
    )
    if fraction:
        rule += (
            f"; month {HORIZON_MONTHS - whole} counts the {fraction} of its won "
            "deals that close after the first sales cycle"
        )
    return [
        f"monthly churn m = 1 - (1 - {annual} % annual churn)^(1/12) = "
        f"{shown_monthly} %",
        rule,
        f"S = {' + '.join(numbers)} = {kept_sum}",
    ], months


def _powers_text(whole: int) -> str:
    """Write (1 - m)^whole + ... + (1 - m)^1, the shares kept by the intakes
    of the last ``whole`` months."""
    if whole == 1:
        return "(1 - m)^1"
    if whole == 2:
        return "(1 - m)^2 + (1 - m)^1"
    return f"(1 - m)^{whole} + ... + (1 - m)^1"


def _fraction_text(months: str) -> str:
    """Return the decimals of ``months`` as a share, such as "0.0144" for
    "11.0144", or "" for whole months."""
    decimals = months.partition(".")[2].rstrip("0")
    return f"0.{decimals}" if decimals else ""


def _clv_formula(levers: Levers, steps: ProjectionSteps, unit: str) -> str:
    missing = _missing_inputs(levers, ("arpa", "churn_rate"))
    if missing:
        return missing
    if steps.projection.clv is None:
        if not levers.churn_rate:
            return "not available: with an annual churn rate of 0 % no customer leaves"
        years = 1 / (12 * monthly_churn(levers.churn_rate))
        return (
            f"not available: an annual churn rate of "
            f"{format_number(levers.churn_rate, 2)} % gives a lifespan of "
            f"{format_number(years)} years, above the maximum of "
            f"{MAX_LIFESPAN_YEARS:g} that CLV takes from a churn rate"
        )
    monthly = monthly_churn(levers.churn_rate) * 100
    arpa, shown_monthly = format_inputs(
        (levers.arpa, monthly),
        lambda arpa, churn: arpa / (churn / 100),
        steps.projection.clv,
        _money_decimals(steps.projection.clv),
    )
    # The annual rate gets the decimals that give the shown monthly rate.
    monthly_decimals = len(shown_monthly.partition(".")[2])
    (annual,) = format_inputs(
        (levers.churn_rate,),
        lambda rate: monthly_churn(rate) * 100,
        monthly,
        monthly_decimals,
    )
    return (
        f"monthly churn = 1 - (1 - {annual} % annual churn)^(1/12) = "
        f"{shown_monthly} %\n"
        f"CLV = {_with_unit(arpa, unit)} ARPA / {shown_monthly} % monthly churn = "
        f"{_money(steps.projection.clv, unit)}"
    )


def _cac_formula(levers: Levers, steps: ProjectionSteps, unit: str) -> str:
    if levers.deals_are_subscribers:
        names = ("monthly_spend", "leads_per_month", "close_rate")
        customers = "won deals a month"
    else:
        names = ("monthly_spend", "new_subscribers_per_month")
        customers = "new subscribers a month"
    missing = _missing_inputs(levers, names)
    if missing:
        return missing
    if steps.projection.cac is None:
        return f"not available: there are 0 {customers}"
    spend, new = format_inputs(
        (levers.monthly_spend, steps.new_per_month),
        lambda spend, new: spend / new,
        steps.projection.cac,
        _money_decimals(steps.projection.cac),
    )
    line = (
        f"CAC = {_with_unit(spend, unit)} spend a month / {new} {customers} = "
        f"{_money(steps.projection.cac, unit)}"
    )
    if levers.deals_are_subscribers:
        return f"{_won_deals_line(levers, steps, new)}\n{line}"
    return line


def _clv_to_cac_formula(steps: ProjectionSteps, unit: str) -> str:
    figures = steps.projection
    if figures.clv is None or figures.cac is None:
        return _until({"CLV": figures.clv, "CAC": figures.cac})
    if figures.clv_to_cac is None:
        return "not available: CAC is 0"
    clv, cac = format_inputs(
        (figures.clv, figures.cac), lambda clv, cac: clv / cac, figures.clv_to_cac, 2
    )
    return (
        f"CLV : CAC = {_with_unit(clv, unit)} / {_with_unit(cac, unit)} = "
        f"{format_number(figures.clv_to_cac, 2)}"
    )


def _until(inputs: dict[str, float | None]) -> str:
    """Say which of ``inputs`` a figure still needs, as in "not available
    until CLV is known"."""
    missing = [name for name, value in inputs.items() if value is None]
    verb = "is" if len(missing) == 1 else "are"
    return f"not available until {' and '.join(missing)} {verb} known"


def _payback_formula(levers: Levers, steps: ProjectionSteps, unit: str) -> str:
    figures = steps.projection
    if figures.cac is None or levers.arpa is None:
        return _until({"CAC": figures.cac, "ARPA": levers.arpa})
    if figures.payback_months is None:
        return "not available: ARPA is 0"
    cac, arpa = format_inputs(
        (figures.cac, levers.arpa),
        lambda cac, arpa: cac / arpa,
        figures.payback_months,
        2,
    )
    return (
        f"CAC payback = {_with_unit(cac, unit)} CAC / {_with_unit(arpa, unit)} "
        f"ARPA = {format_two_decimals(figures.payback_months)} months, with the "
        "gross margin taken as 100 %"
    )


def _won_deals_line(levers: Levers, steps: ProjectionSteps, won: str) -> str:
    """Write how the won deals a month come about, ending in ``won``, the
    text that the next step shows for them."""
    leads, rate = format_inputs(
        (levers.leads_per_month, levers.close_rate),
        lambda leads, rate: leads * rate / 100,
        steps.won_per_month,
        _decimals(won),
    )
    return f"won deals a month = {leads} leads a month x {rate} % close rate = {won}"


def _selling_months_line(levers: Levers, steps: ProjectionSteps, selling: str) -> str:
    """Write how the selling months come about, ending in ``selling``, the
    text that the next step shows for them."""
    left = HORIZON_MONTHS - levers.sales_cycle_days / MONTH_DAYS
    if left < 0:
        (cycle,) = format_inputs(
            (levers.sales_cycle_days,),
            lambda days: HORIZON_MONTHS - days / MONTH_DAYS,
            left,
            2,
        )
        result = f"{format_two_decimals(left)}, at least 0, so {selling}"
    else:
        (cycle,) = format_inputs(
            (levers.sales_cycle_days,),
            lambda days: HORIZON_MONTHS - days / MONTH_DAYS,
            steps.selling_months,
            _decimals(selling),
        )
        result = selling
    return (
        f"selling months = {HORIZON_MONTHS} - {cycle} days sales cycle / "
        f"{MONTH_DAYS} days a month = {result}"
    )


def _missing_inputs(levers: Levers, names: Sequence[str]) -> str | None:
    labels = [
        {**LEVERS, **BASES}[name] for name in names if getattr(levers, name) is None
    ]
    if not labels:
        return None
    return f"not available until these inputs are known: {', '.join(labels)}"


def format_two_decimals(value: float) -> str:
    return format_number(value, 2)


def _money(value: float, unit: str) -> str:
    return _with_unit(format_number(value, _money_decimals(value)), unit)


def _money_decimals(value: float) -> int:
    """Return the decimals of a money result: whole units from 100 on, as on
    the cards, because cents of a large projection would need long inputs
    for the line to check."""
    return 2 if abs(float(format_number(value, 2).replace(",", ""))) < 100 else 0


def _with_unit(number: str, unit: str) -> str:
    return f"{number} {unit}".rstrip()


def _decimals(number: str) -> int:
    """Return the number of decimals written in ``number``."""
    return len(number.partition(".")[2])
