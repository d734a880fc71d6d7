"""What-if model: the levers, scenarios and the projection of the next 12 months.

The levers are leads per month, close rate, average deal size, sales-cycle
length, annual churn rate, revenue per account (ARPA) and sales and marketing
spend per month, read from the data by
``kpi_core.whatif_baseline.baseline_levers``. A scenario changes each lever
by a percentage. ``project`` turns levers into won revenue, ARR, CLV, CAC, the
CLV : CAC ratio and the CAC payback time, and
``kpi_core.whatif_formulas.projection_formulas`` writes each of those
calculations out with the numbers filled in. Money is in the currency of the
data, and time in months of ``MONTH_DAYS`` days.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import polars as pl

from kpi_core.clv import MAX_LIFESPAN_YEARS
from kpi_core.errors import InvalidSettingError
from kpi_core.goal_metrics import MONTH_DAYS

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
class ProjectionSteps:
    """The intermediate numbers of a projection, shared by ``project`` and
    ``projection_formulas`` so the text shows the numbers the figures use."""

    won_per_month: float | None
    selling_months: float | None
    new_per_month: float | None
    new_subscribers: float | None
    monthly_churn: float | None
    kept_share_sum: float | None
    new_kept: float | None
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


def project(levers: Levers) -> Projection:
    """Project the next ``HORIZON_MONTHS`` months from the levers.

    Won deals per month = leads x close rate. Deals close one sales cycle
    after they are created, so only the months after the first cycle bring
    revenue: won revenue = won deals per month x deal size x (12 - cycle in
    months, at least 0). New subscribers per month are those won deals with
    ``deals_are_subscribers``, else ``new_subscribers_per_month``. ARR =
    (active customers x (1 - annual churn) + new subscribers per month x S)
    x ARPA x 12, where S is ``kept_share_sum``: new subscribers churn at the
    monthly rate from the month they join, as the active customers do over
    all 12 months. CLV = ARPA /
    monthly churn, where monthly churn = 1 - (1 - annual churn)^(1/12), as
    the Marketing page's subscription CLV divides by the monthly rate. It is
    not available when the lifespan 1 / (12 x monthly churn) years is above
    ``MAX_LIFESPAN_YEARS``. CAC = spend per month / new subscribers per month (won
    deals per month with ``deals_are_subscribers``). CLV : CAC = CLV / CAC.
    Payback = CAC / ARPA, in months, taking the gross margin as 100 %.
    """
    return projection_steps(levers).projection


def projection_steps(levers: Levers) -> ProjectionSteps:
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
    monthly = kept_sum = None
    if levers.churn_rate is not None:
        monthly = monthly_churn(levers.churn_rate)
        joining = HORIZON_MONTHS
        if levers.deals_are_subscribers:
            joining = selling
        if joining is not None:
            kept_sum = kept_share_sum(joining, monthly)
    if levers.active_customers is not None and levers.churn_rate is not None:
        retained = levers.active_customers * (1 - _share(levers.churn_rate))
    new_kept = _product(new_per_month, kept_sum)
    customers = None
    if retained is not None and new_kept is not None:
        customers = retained + new_kept
    clv = None
    if _churn_lifespan(levers) is not None:
        clv = _ratio(levers.arpa, monthly_churn(levers.churn_rate))
    cac = _ratio(levers.monthly_spend, new_per_month)
    projection = Projection(
        won_revenue=_product(won_deals, levers.average_deal_size),
        arr=_product(customers, levers.arpa, 12),
        clv=clv,
        cac=cac,
        clv_to_cac=_ratio(clv, cac),
        payback_months=_ratio(cac, levers.arpa),
    )
    return ProjectionSteps(
        won_per_month=won_per_month,
        selling_months=selling,
        new_per_month=new_per_month,
        new_subscribers=new_subscribers,
        monthly_churn=monthly,
        kept_share_sum=kept_sum,
        new_kept=new_kept,
        retained=retained,
        customers=customers,
        projection=projection,
    )


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
    years = 1 / (12 * monthly_churn(levers.churn_rate))
    return years if years <= MAX_LIFESPAN_YEARS else None


def monthly_churn(annual_percent: float) -> float:
    """Return the monthly churn, as a share, that compounds to the annual
    rate in percent: 1 - (1 - annual)^(1/12)."""
    return 1 - (1 - min(annual_percent, 100.0) / 100) ** (1 / 12)


def kept_share_sum(joining_months: float, monthly: float) -> float:
    """Return S, the new subscribers of one month's intake still paying at
    the end of the horizon, added up over the months in which they join.

    Every month's new subscribers join at its start and churn at the
    ``monthly`` share in that month and each later one, so those of month k
    (1 to 12) keep (1 - m)^(13 - k). Today's customers, who count as joining
    at the start of month 1, keep (1 - m)^12 = 1 - annual churn in the same
    way. ``joining_months`` are the last months of the horizon: 12, or the
    selling months after the first sales cycle when won deals become
    subscribers. Its fraction is the part of the month in which that cycle
    ends, whose intake joins at the month's start too. With n whole months
    and fraction f, S = (1 - m)^1 + ... + (1 - m)^n + f x (1 - m)^(n + 1),
    which is ``joining_months`` when m is 0.
    """
    whole = math.floor(joining_months)
    fraction = joining_months - whole
    kept = 1 - monthly
    total = sum(kept**months for months in range(1, whole + 1))
    return total + fraction * kept ** (whole + 1)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _difference(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before
