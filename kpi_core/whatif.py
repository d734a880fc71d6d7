"""What-if projections: move the levers of the business and compare the next
12 months with the baseline.

The levers come from the data (``baseline_levers``): leads per month, close
rate, average deal size, sales-cycle length, annual churn rate, revenue per
account (ARPA) and sales and marketing spend per month. A scenario changes
each lever by a percentage. ``project`` turns levers into won revenue, ARR,
CLV, CAC, the CLV : CAC ratio and the CAC payback time, and
``projection_formulas`` writes each of those calculations out with the
numbers filled in. Money is in the currency of the data, and time in months
of ``MONTH_DAYS`` days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import polars as pl

from kpi_core.churn import churn_rate, churn_series
from kpi_core.clv import MAX_LIFESPAN_YEARS
from kpi_core.errors import InvalidSettingError, InvalidValueError
from kpi_core.formatting import count_noun, format_inputs, format_number
from kpi_core.goal_metrics import MONTH_DAYS
from kpi_core.marketing_data import spend_in_period
from kpi_core.period import Period
from kpi_core.results import KpiResult
from kpi_core.sales import average_deal_size, close_rate, sales_cycle_days
from kpi_core.sales_tables import FIRST_CONTACT
from kpi_core.subscription_data import is_snapshot, prepare_dated
from kpi_core.subscriptions import monthly_recurring_revenue

HORIZON_MONTHS = 12
LEVERS: dict[str, str] = {
    "leads_per_month": "Leads per month",
    "close_rate": "Close rate (%)",
    "average_deal_size": "Average deal size",
    "sales_cycle_days": "Sales cycle (days)",
    "churn_rate": "Annual churn rate (%)",
    "arpa": "Revenue per account per month (ARPA)",
    "monthly_spend": "Sales and marketing spend per month",
}
# Inputs read from the data that no scenario moves.
BASES: dict[str, str] = {
    "active_customers": "Paying customers now",
    "new_subscribers_per_month": "New subscribers per month",
}
# The inputs that are amounts of money, in the currency of their table.
MONEY_INPUTS = ("average_deal_size", "arpa", "monthly_spend")
# The table type each input is read from.
SOURCE_TABLES: dict[str, str] = {
    "leads_per_month": "deals",
    "close_rate": "deals",
    "average_deal_size": "deals",
    "sales_cycle_days": "deals",
    "churn_rate": "subscriptions",
    "arpa": "subscriptions",
    "monthly_spend": "spend",
    "active_customers": "subscriptions",
    "new_subscribers_per_month": "subscriptions",
}
# Rates cannot pass 100 %, however far a scenario moves them.
_PERCENT_LEVERS = ("close_rate", "churn_rate")
FIGURES: dict[str, str] = {
    "won_revenue": "Won revenue in 12 months",
    "arr": "ARR in 12 months",
    "clv": "Customer lifetime value (CLV)",
    "cac": "Customer acquisition cost (CAC)",
    "clv_to_cac": "CLV : CAC",
    "payback_months": "CAC payback (months)",
}
_TABLE_SCHEMA = {
    "figure": pl.String,
    "label": pl.String,
    "baseline": pl.Float64,
    "scenario": pl.Float64,
    "difference": pl.Float64,
    "change_percent": pl.Float64,
}


@dataclass(frozen=True)
class Levers:
    """The inputs of a projection; None where the data cannot give one.

    ``close_rate`` and ``churn_rate`` are in percent, churn per year.
    ``active_customers`` (paying now) is the base of ARR. With
    ``deals_are_subscribers`` every won deal becomes a new subscriber, which
    is right only when the deals and the subscriptions describe the same
    business. Without it the new subscribers are
    ``new_subscribers_per_month``, read from the subscriptions' own starts.
    None of these three is a lever, so scenarios leave them unchanged.
    """

    leads_per_month: float | None = None
    close_rate: float | None = None
    average_deal_size: float | None = None
    sales_cycle_days: float | None = None
    churn_rate: float | None = None
    arpa: float | None = None
    monthly_spend: float | None = None
    active_customers: float | None = None
    new_subscribers_per_month: float | None = None
    deals_are_subscribers: bool = True

    def moved(self, changes: Mapping[str, float]) -> Levers:
        """Return the levers with each one in ``changes`` moved by that many
        percent. Rates stop at 100 %. Raises InvalidSettingError for an
        unknown lever or a change below -100 %."""
        check_changes(changes)
        values = {}
        for name, change in changes.items():
            value = getattr(self, name)
            if value is not None:
                value = value * (1 + change / 100)
                if name in _PERCENT_LEVERS:
                    value = min(value, 100.0)
            values[name] = value
        return replace(self, **values)


@dataclass(frozen=True)
class Projection:
    """The figures of one set of levers; None where an input is missing or
    a denominator is 0."""

    won_revenue: float | None
    arr: float | None
    clv: float | None
    cac: float | None
    clv_to_cac: float | None
    payback_months: float | None


@dataclass(frozen=True)
class _Steps:
    """The intermediate numbers of a projection, shared by ``project`` and
    ``projection_formulas`` so the text shows the numbers the figures use."""

    won_per_month: float | None
    selling_months: float | None
    new_per_month: float | None
    new_subscribers: float | None
    retained: float | None
    customers: float | None
    projection: Projection


@dataclass(frozen=True)
class Scenario:
    """A named set of lever changes in percent, such as {"close_rate": 10}.

    ``inputs`` are the baselines typed on the page because the data lacks
    them, such as {"new_subscribers_per_month": 5}, in the units of
    ``Levers``. ``deals_are_subscribers`` is the page's choice of where new
    subscribers come from, or None for the data's default.
    """

    name: str
    changes: dict[str, float] = field(default_factory=dict)
    inputs: dict[str, float] = field(default_factory=dict)
    deals_are_subscribers: bool | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidSettingError("the scenario has no name; give it one")
        check_changes(self.changes)
        check_inputs(self.inputs)


def check_changes(changes: Mapping[str, float]) -> None:
    """Raise InvalidSettingError for an unknown lever or a change below -100 %."""
    for name, change in changes.items():
        if name not in LEVERS:
            raise InvalidSettingError(
                f"unknown lever {name!r}; use one of {', '.join(LEVERS)}"
            )
        if change < -100:
            raise InvalidSettingError(
                f"{LEVERS[name]} cannot fall by {-change:g} %; give -100 % or more"
            )


def check_inputs(inputs: Mapping[str, float]) -> None:
    """Raise InvalidSettingError for an unknown input or a negative value."""
    known = {**LEVERS, **BASES}
    for name, value in inputs.items():
        if name not in known:
            raise InvalidSettingError(
                f"unknown input {name!r}; use one of {', '.join(known)}"
            )
        if value < 0:
            raise InvalidSettingError(
                f"{known[name]} cannot be {value:g}; give 0 or more"
            )


def baseline_levers(
    tables: Mapping[str, pl.DataFrame],
    period: Period | Mapping[str, Period],
    *,
    with_money: bool = True,
) -> tuple[Levers, dict[str, str]]:
    """Read the levers from the data of bounded periods.

    ``period`` is one period for every table, or a period per table type,
    such as the windows of ``kpi_core.whatif_windows.baseline_windows``.
    From deals: deals created in the period / months in the period, the
    close rate, the average deal size and the mean sales cycle. From
    subscriptions: the annualised churn rate, ARPA and the paying customers
    at the period end, and the customers whose first paid subscription
    started in the period / months. From spend: the spend in the period /
    months. Won deals become subscribers only when there is no
    subscriptions table, because then the typed subscription inputs can
    only describe the business of the deals. Also returns a note per input
    saying how its value was calculated, over which period, or why it is
    missing.

    Without ``with_money`` the ``MONEY_INPUTS`` are left out, for tables
    whose amounts are in currencies without an exchange rate, and the
    inputs that count or time rows are still read. Paying customers are
    those whose MRR is above 0, so they and the new subscribers are left
    out too when the subscriptions alone mix currencies.

    Raises InvalidSettingError for a period without a start or end, or a
    table without a period.
    """
    # NOTE: deals created near the period end are often still open, so the
    # close rate of a recent period understates the rate they will reach.
    if isinstance(period, Period):
        _check_bounded(period)
    values: dict[str, float | None] = {}
    notes: dict[str, str] = {}
    for table_type, reader in _READERS.items():
        if isinstance(period, Period):
            table_period = period
        elif table_type in tables:
            table_period = period.get(table_type, Period())
            _check_bounded(table_period, table_type)
        else:
            # The reader names the missing table and needs no period.
            table_period = Period()
        found = reader(tables, table_period, _days(table_period), with_money)
        for lever, (value, note) in found.items():
            values[lever] = value
            notes[lever] = note
    subscribe = "subscriptions" not in tables
    notes["deals_are_subscribers"] = (
        "there is no subscriptions table, so each won deal counts as a new subscriber"
        if subscribe
        else "the subscriptions table gives the new subscribers, so won deals "
        "are not counted as subscribers"
    )
    return Levers(**values, deals_are_subscribers=subscribe), notes


def _check_bounded(period: Period, table_type: str | None = None) -> None:
    if period.start is None or period.end is None:
        table = "" if table_type is None else f" of the {table_type} table"
        raise InvalidSettingError(
            f"the what-if baseline{table} needs a period with a start and an end"
        )


def _days(period: Period) -> int:
    """Return the days of a bounded period, both ends included, or 0."""
    if period.start is None or period.end is None:
        return 0
    return (period.end - period.start).days + 1


def project(levers: Levers) -> Projection:
    """Project the next ``HORIZON_MONTHS`` months from the levers.

    Won deals per month = leads x close rate. Deals close one sales cycle
    after they are created, so only the months after the first cycle bring
    revenue: won revenue = won deals per month x deal size x (12 - cycle in
    months, at least 0). New subscribers are those won deals with
    ``deals_are_subscribers``, else new subscribers per month x 12. ARR =
    (active customers x (1 - annual churn) + new subscribers) x ARPA x 12,
    where new subscribers do not churn within the horizon. CLV = ARPA /
    monthly churn, where monthly churn = 1 - (1 - annual churn)^(1/12), as
    the Marketing page's subscription CLV divides by the monthly rate. It is
    not available when the lifespan 1 / (12 x monthly churn) years is above
    ``MAX_LIFESPAN_YEARS``. CAC = spend per month / new subscribers per month (won
    deals per month with ``deals_are_subscribers``). CLV : CAC = CLV / CAC.
    Payback = CAC / ARPA, in months, taking the gross margin as 100 %.
    """
    return _steps(levers).projection


def _steps(levers: Levers) -> _Steps:
    won_per_month = _product(levers.leads_per_month, _share(levers.close_rate))
    selling = None
    if levers.sales_cycle_days is not None:
        cycle_months = levers.sales_cycle_days / MONTH_DAYS
        selling = min(max(HORIZON_MONTHS - cycle_months, 0.0), HORIZON_MONTHS)
    won_deals = _product(won_per_month, selling)
    if levers.deals_are_subscribers:
        new_per_month, new_subscribers = won_per_month, won_deals
    else:
        new_per_month = levers.new_subscribers_per_month
        new_subscribers = _product(new_per_month, HORIZON_MONTHS)
    retained = None
    if levers.active_customers is not None and levers.churn_rate is not None:
        retained = levers.active_customers * (1 - _share(levers.churn_rate))
    customers = None
    if retained is not None and new_subscribers is not None:
        customers = retained + new_subscribers
    clv = None
    if _churn_lifespan(levers) is not None:
        clv = _ratio(levers.arpa, _monthly_churn(levers.churn_rate))
    cac = _ratio(levers.monthly_spend, new_per_month)
    projection = Projection(
        won_revenue=_product(won_deals, levers.average_deal_size),
        arr=_product(customers, levers.arpa, 12),
        clv=clv,
        cac=cac,
        clv_to_cac=_ratio(clv, cac),
        payback_months=_ratio(cac, levers.arpa),
    )
    return _Steps(
        won_per_month=won_per_month,
        selling_months=selling,
        new_per_month=new_per_month,
        new_subscribers=new_subscribers,
        retained=retained,
        customers=customers,
        projection=projection,
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
    steps = _steps(levers)
    return {
        "won_revenue": _won_revenue_formula(levers, steps, unit),
        "arr": _arr_formula(levers, steps, unit),
        "clv": _clv_formula(levers, steps, unit),
        "cac": _cac_formula(levers, steps, unit),
        "clv_to_cac": _clv_to_cac_formula(steps, unit),
        "payback_months": _payback_formula(levers, steps, unit),
    }


def scenario_table(levers: Levers, changes: Mapping[str, float]) -> pl.DataFrame:
    """Compare the projection of the baseline levers with the scenario's.

    Columns: figure, label, baseline, scenario, difference (scenario -
    baseline) and change_percent (null where the baseline is 0 or missing).
    """
    before = project(levers)
    after = project(levers.moved(changes))
    rows = [
        (name, label, getattr(before, name), getattr(after, name))
        for name, label in FIGURES.items()
    ]
    table = pl.DataFrame(
        rows, schema=["figure", "label", "baseline", "scenario"], orient="row"
    )
    return table.with_columns(
        difference=pl.col("scenario") - pl.col("baseline"),
        change_percent=pl.when(pl.col("baseline") != 0).then(
            (pl.col("scenario") / pl.col("baseline") - 1) * 100
        ),
    ).cast(_TABLE_SCHEMA)


def sensitivity(
    levers: Levers,
    step: float = 10.0,
    changes: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """Move each lever alone by +step and -step percent, for a tornado chart.

    The levers are first moved by ``changes``, so the bars measure from the
    current scenario. Columns: lever, label, change_percent,
    won_revenue_change and clv_to_cac_change (moved - current, null where a
    figure is missing).
    """
    current = levers.moved(changes or {})
    base = project(current)
    rows = []
    for lever, label in LEVERS.items():
        for change in (step, -step):
            moved = project(current.moved({lever: change}))
            rows.append(
                (
                    lever,
                    label,
                    change,
                    _difference(moved.won_revenue, base.won_revenue),
                    _difference(moved.clv_to_cac, base.clv_to_cac),
                )
            )
    schema = {
        "lever": pl.String,
        "label": pl.String,
        "change_percent": pl.Float64,
        "won_revenue_change": pl.Float64,
        "clv_to_cac_change": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _won_revenue_formula(levers: Levers, steps: _Steps, unit: str) -> str:
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


def _arr_formula(levers: Levers, steps: _Steps, unit: str) -> str:
    names = ["active_customers", "churn_rate", "arpa"]
    if levers.deals_are_subscribers:
        names += ["leads_per_month", "close_rate", "sales_cycle_days"]
    else:
        names.append("new_subscribers_per_month")
    missing = _missing_inputs(levers, names)
    if missing:
        return missing
    retained, new, arpa = format_inputs(
        (steps.retained, steps.new_subscribers, levers.arpa),
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
    lines = [
        f"customers kept = {active} paying now x (1 - {churn} % annual churn) = "
        f"{retained}"
    ]
    if levers.deals_are_subscribers:
        won, selling = format_inputs(
            (steps.won_per_month, steps.selling_months),
            lambda won, months: won * months,
            steps.new_subscribers,
            _decimals(new),
        )
        lines += [
            _won_deals_line(levers, steps, won),
            _selling_months_line(levers, steps, selling),
            f"new subscribers = {won} won deals a month x {selling} selling months "
            f"= {new}, because won deals become subscribers",
        ]
    else:
        (per_month,) = format_inputs(
            (steps.new_per_month,),
            lambda per_month: per_month * HORIZON_MONTHS,
            steps.new_subscribers,
            _decimals(new),
        )
        lines.append(
            f"new subscribers = {per_month} a month x {HORIZON_MONTHS} months = "
            f"{new}; won deals are not counted as subscribers"
        )
    lines.append(
        f"ARR = ({retained} + {new}) customers x {_with_unit(arpa, unit)} ARPA x 12 "
        f"= {_money(steps.projection.arr, unit)}"
    )
    return "\n".join(lines)


def _clv_formula(levers: Levers, steps: _Steps, unit: str) -> str:
    missing = _missing_inputs(levers, ("arpa", "churn_rate"))
    if missing:
        return missing
    if steps.projection.clv is None:
        if not levers.churn_rate:
            return "not available: with an annual churn rate of 0 % no customer leaves"
        years = 1 / (12 * _monthly_churn(levers.churn_rate))
        return (
            f"not available: an annual churn rate of "
            f"{format_number(levers.churn_rate, 2)} % gives a lifespan of "
            f"{format_number(years)} years, above the maximum of "
            f"{MAX_LIFESPAN_YEARS:g} that CLV takes from a churn rate"
        )
    monthly = _monthly_churn(levers.churn_rate) * 100
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
        lambda rate: _monthly_churn(rate) * 100,
        monthly,
        monthly_decimals,
    )
    return (
        f"monthly churn = 1 - (1 - {annual} % annual churn)^(1/12) = "
        f"{shown_monthly} %\n"
        f"CLV = {_with_unit(arpa, unit)} ARPA / {shown_monthly} % monthly churn = "
        f"{_money(steps.projection.clv, unit)}"
    )


def _cac_formula(levers: Levers, steps: _Steps, unit: str) -> str:
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


def _clv_to_cac_formula(steps: _Steps, unit: str) -> str:
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


def _payback_formula(levers: Levers, steps: _Steps, unit: str) -> str:
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
        f"ARPA = {_number(figures.payback_months)} months, with the gross margin "
        "taken as 100 %"
    )


def _won_deals_line(levers: Levers, steps: _Steps, won: str) -> str:
    """Write how the won deals a month come about, ending in ``won``, the
    text that the next step shows for them."""
    leads, rate = format_inputs(
        (levers.leads_per_month, levers.close_rate),
        lambda leads, rate: leads * rate / 100,
        steps.won_per_month,
        _decimals(won),
    )
    return f"won deals a month = {leads} leads a month x {rate} % close rate = {won}"


def _selling_months_line(levers: Levers, steps: _Steps, selling: str) -> str:
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
        result = f"{_number(left)}, at least 0, so {selling}"
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


def _number(value: float) -> str:
    return format_number(value, 2)


def _percent(value: float) -> str:
    return f"{format_number(value, 2)} %"


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


_Found = dict[str, tuple[float | None, str]]
# The note of a money input that ``baseline_levers`` leaves out.
_NO_RATE = "left out, because the amounts are in currencies without an exchange rate"


def _deal_levers(
    tables: Mapping[str, pl.DataFrame], period: Period, days: int, with_money: bool
) -> _Found:
    deals = tables.get("deals")
    if deals is None:
        return _missing(
            ("leads_per_month", "close_rate", "average_deal_size", "sales_cycle_days"),
            "there is no deals table",
        )
    label = period.label()
    created = deals.filter(period.contains("created_at")).height
    leads = (None, f"no deals were created in {label}")
    if created:
        per_month = created / (days / MONTH_DAYS)
        leads = (
            per_month,
            f"{count_noun(created, 'deal')} created in {label} / "
            f"{_months_text(days)} = {_number(per_month)} a month",
        )
    size = (None, _NO_RATE)
    if with_money:
        size = _from_kpi(average_deal_size(deals, period), f"won in {label}")
    return {
        "leads_per_month": leads,
        "close_rate": _from_kpi(close_rate(deals, period), f"created in {label}"),
        "average_deal_size": size,
        # The model lets a deal close one cycle after its creation, so the
        # cycle runs from creation here even where deals have a first contact.
        "sales_cycle_days": _from_kpi(
            sales_cycle_days(deals.drop(FIRST_CONTACT, strict=False), period),
            f"won in {label}",
        ),
    }


def _subscription_levers(
    tables: Mapping[str, pl.DataFrame], period: Period, days: int, with_money: bool
) -> _Found:
    subs = tables.get("subscriptions")
    if subs is None:
        return _missing(
            ("churn_rate", "arpa", "active_customers", "new_subscribers_per_month"),
            "there is no subscriptions table",
        )
    try:
        found = _paying_customers(subs, period, days, with_money)
    except InvalidValueError as error:
        if with_money or error.column != "currency":
            raise
        found = _missing(
            ("arpa", "active_customers", "new_subscribers_per_month"),
            "the subscriptions' amounts are in several currencies without an "
            "exchange rate, and paying customers are those whose MRR is above 0",
        )
    return {"churn_rate": _annual_churn(subs, period), **found}


def _paying_customers(
    subs: pl.DataFrame, period: Period, days: int, with_money: bool
) -> _Found:
    """Read ARPA, the paying customers at the period end and the new
    subscribers per month, which all need the monthly charges."""
    snapshot = is_snapshot(subs)
    mrr = monthly_recurring_revenue(subs, period.end)
    paying = mrr.filter(pl.col("mrr") > 0)
    count = count_noun(paying.height, "paying customer")
    when = f"on {period.end}"
    if snapshot:
        when = "not flagged as churned (the list has no dates)"
    arpa = (None, f"no paying customers {when}")
    if not with_money:
        arpa = (None, _NO_RATE)
    elif paying.height:
        total = float(paying["mrr"].sum())
        arpa = (
            total / paying.height,
            f"MRR {_number(total)} of the {count} {when} / {paying.height:,} = "
            f"{_number(total / paying.height)}",
        )
    return {
        "arpa": arpa,
        "active_customers": (float(paying.height), f"{count} {when}"),
        "new_subscribers_per_month": _new_subscribers(subs, period, days),
    }


def _annual_churn(subs: pl.DataFrame, period: Period) -> tuple[float | None, str]:
    churn = churn_rate(subs, period)
    if not churn.available and not is_snapshot(subs):
        return _annual_from_months(subs, period, churn.reason)
    if not churn.available:
        return None, churn.reason
    if is_snapshot(subs):
        # Churned out of all customers of an undated list is no yearly rate.
        return (
            None,
            "the subscriptions are a list without dates, so their churned share "
            f"({format_number(churn.value, 1)} %) has no time base; enter an "
            "annual churn rate",
        )
    if "annualised" not in churn.extra:
        return churn.value, f"{churn.formula}, in {period.label()}"
    annual = churn.extra["annualised"]
    monthly = (1 - (1 - annual / 100) ** (1 / 12)) * 100
    (shown_monthly,) = format_inputs(
        (monthly,), lambda rate: (1 - (1 - rate / 100) ** 12) * 100, annual, 2
    )
    return (
        annual,
        f"{churn.formula} in {period.label()}; annualised from the mean monthly "
        f"rate: 1 - (1 - {shown_monthly} %)^12 = {_percent(annual)} (each month's "
        "rate counts the customers at that month's start, also those who "
        "joined during the window)",
    )


def _annual_from_months(
    subs: pl.DataFrame, period: Period, reason: str
) -> tuple[float | None, str]:
    """Annualise the mean of the monthly churn rates of the period, for a
    window with no customer at its start, such as one that starts on the
    table's first date. Without any monthly rate, return ``reason``."""
    rates = churn_series(subs, period, "month")["churn_rate"].drop_nulls()
    if rates.is_empty():
        return None, reason
    monthly = float(rates.mean())
    annual = (1 - (1 - monthly / 100) ** 12) * 100
    (shown_monthly,) = format_inputs(
        (monthly,), lambda rate: (1 - (1 - rate / 100) ** 12) * 100, annual, 2
    )
    months = count_noun(rates.len(), "month")
    return (
        annual,
        f"no customer was active at the start of {period.label()}, so the mean "
        f"monthly rate of the {months} with customers at their start is used: "
        f"1 - (1 - {shown_monthly} %)^12 = {_percent(annual)}",
    )


def _new_subscribers(
    subs: pl.DataFrame, period: Period, days: int
) -> tuple[float | None, str]:
    if is_snapshot(subs):
        return (
            None,
            "the subscriptions are a list without dates, so their starts are unknown",
        )
    prepared = prepare_dated(subs).frame
    firsts = (
        prepared.filter(pl.col("mrr") > 0)
        .group_by("customer_key")
        .agg(pl.col("started_at").min())
    )
    started = firsts.filter(period.contains("started_at")).height
    per_month = started / (days / MONTH_DAYS)
    customers = count_noun(started, "customer")
    return (
        per_month,
        f"{customers} whose first paid subscription started in {period.label()} / "
        f"{_months_text(days)} = {_number(per_month)} a month",
    )


def _spend_levers(
    tables: Mapping[str, pl.DataFrame], period: Period, days: int, with_money: bool
) -> _Found:
    spend = tables.get("spend")
    if spend is None:
        return _missing(("monthly_spend",), "there is no marketing spend table")
    if not with_money:
        return _missing(("monthly_spend",), _NO_RATE)
    rows = spend_in_period(spend, period, None, None)
    if rows.frame.is_empty():
        return {"monthly_spend": (None, f"no spend recorded in {period.label()}")}
    total = float(rows.frame["amount"].sum())
    per_month = total / (days / MONTH_DAYS)
    note = (
        f"{_number(total)} {rows.unit} spent in {period.label()} / "
        f"{_months_text(days)} = {_number(per_month)} {rows.unit} a month"
    )
    return {"monthly_spend": (per_month, note)}


_READERS = {
    "deals": _deal_levers,
    "subscriptions": _subscription_levers,
    "spend": _spend_levers,
}


def _months_text(days: int) -> str:
    return f"({days:,} days / {MONTH_DAYS} days a month)"


def _from_kpi(result: KpiResult, deals: str) -> tuple[float | None, str]:
    if not result.available:
        return None, result.reason
    return float(result.value), f"{result.formula}, over the deals {deals}"


def _missing(levers: tuple[str, ...], reason: str) -> _Found:
    return {lever: (None, reason) for lever in levers}


def _share(percent: float | None) -> float | None:
    return None if percent is None else percent / 100


def _product(*values: float | None) -> float | None:
    result = 1.0
    for value in values:
        if value is None:
            return None
        result *= value
    return result


def _churn_lifespan(levers: Levers) -> float | None:
    """Return the customer lifespan in years that the annual churn rate
    gives, 1 / (12 x monthly churn), or None when there is no rate, it is 0,
    or the lifespan is above ``MAX_LIFESPAN_YEARS``, as on the Marketing
    page's CLV."""
    if not levers.churn_rate or levers.churn_rate <= 0:
        return None
    years = 1 / (12 * _monthly_churn(levers.churn_rate))
    return years if years <= MAX_LIFESPAN_YEARS else None


def _monthly_churn(annual_percent: float) -> float:
    """Return the monthly churn, as a share, that compounds to the annual
    rate in percent: 1 - (1 - annual)^(1/12)."""
    return 1 - (1 - min(annual_percent, 100.0) / 100) ** (1 / 12)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _difference(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before
