"""What-if projections: move the levers of the business and compare the next
12 months with the baseline.

The levers come from the data (``baseline_levers``): leads per month, close
rate, average deal size, sales-cycle length, annual churn rate, revenue per
account (ARPA) and sales and marketing spend per month. A scenario changes
each lever by a percentage. ``project`` turns levers into won revenue, ARR,
CLV, CAC, the CLV : CAC ratio and the CAC payback time. Money is in the
currency of the data, and time in months of ``MONTH_DAYS`` days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import polars as pl

from kpi_core.churn import churn_rate
from kpi_core.errors import InvalidSettingError
from kpi_core.formatting import count_noun, format_number
from kpi_core.goal_metrics import MONTH_DAYS
from kpi_core.marketing_data import spend_in_period
from kpi_core.period import Period
from kpi_core.results import KpiResult
from kpi_core.sales import average_deal_size, close_rate, sales_cycle_days
from kpi_core.subscriptions import (
    average_revenue_per_account,
    monthly_recurring_revenue,
)

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
    ``active_customers`` (paying now) is the base of ARR. It is not a lever,
    so scenarios leave it as it is.
    """

    leads_per_month: float | None = None
    close_rate: float | None = None
    average_deal_size: float | None = None
    sales_cycle_days: float | None = None
    churn_rate: float | None = None
    arpa: float | None = None
    monthly_spend: float | None = None
    active_customers: float | None = None

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
class Scenario:
    """A named set of lever changes in percent, such as {"close_rate": 10}."""

    name: str
    changes: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidSettingError("the scenario has no name; give it one")
        check_changes(self.changes)


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


def baseline_levers(
    tables: Mapping[str, pl.DataFrame], period: Period
) -> tuple[Levers, dict[str, str]]:
    """Read the levers from the data of one bounded period.

    From deals: deals created in the period / months in the period, the
    close rate, the average deal size and the mean sales cycle. From
    subscriptions: the annualised churn rate, ARPA and the paying customers
    at the period end. From spend: the spend in the period / months. Also
    returns a note per lever saying where its value came from or why it is
    missing. Raises InvalidSettingError for a period without a start or end.
    """
    # NOTE: deals created near the period end are often still open, so the
    # close rate of a recent period understates the rate they will reach.
    if period.start is None or period.end is None:
        raise InvalidSettingError(
            "the what-if baseline needs a period with a start and an end"
        )
    months = ((period.end - period.start).days + 1) / MONTH_DAYS
    values: dict[str, float | None] = {}
    notes: dict[str, str] = {}
    for reader in (_deal_levers, _subscription_levers, _spend_levers):
        found = reader(tables, period, months)
        for lever, (value, note) in found.items():
            values[lever] = value
            notes[lever] = note
    return Levers(**values), notes


def project(levers: Levers) -> Projection:
    """Project the next ``HORIZON_MONTHS`` months from the levers.

    New customers per month = leads x close rate. Deals close one sales
    cycle after they are created, so only the months after the first cycle
    bring revenue: won revenue = new customers per month x deal size x
    (12 - cycle in months, at least 0). ARR = (active customers x (1 -
    annual churn) + the new customers of those months) x ARPA x 12, where
    new customers do not churn within the horizon. CLV = ARPA x 12 / annual
    churn. CAC = spend per month / new customers per month. CLV : CAC = CLV
    / CAC. Payback = CAC / ARPA, in months, taking the gross margin as 100 %.
    """
    per_month = _product(levers.leads_per_month, _share(levers.close_rate))
    selling = None
    if levers.sales_cycle_days is not None:
        cycle_months = levers.sales_cycle_days / MONTH_DAYS
        selling = min(max(HORIZON_MONTHS - cycle_months, 0.0), HORIZON_MONTHS)
    new_customers = _product(per_month, selling)
    retained = None
    if levers.active_customers is not None and levers.churn_rate is not None:
        retained = levers.active_customers * (1 - _share(levers.churn_rate))
    customers = None
    if retained is not None and new_customers is not None:
        customers = retained + new_customers
    clv = _ratio(_product(levers.arpa, 12), _share(levers.churn_rate))
    cac = _ratio(levers.monthly_spend, per_month)
    return Projection(
        won_revenue=_product(new_customers, levers.average_deal_size),
        arr=_product(customers, levers.arpa, 12),
        clv=clv,
        cac=cac,
        clv_to_cac=_ratio(clv, cac),
        payback_months=_ratio(cac, levers.arpa),
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


def sensitivity(levers: Levers, step: float = 10.0) -> pl.DataFrame:
    """Move each lever alone by +step and -step percent, for a tornado chart.

    Columns: lever, label, change_percent, won_revenue_change and
    clv_to_cac_change (scenario - baseline, null where a figure is missing).
    """
    base = project(levers)
    rows = []
    for lever, label in LEVERS.items():
        for change in (step, -step):
            moved = project(levers.moved({lever: change}))
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


_Found = dict[str, tuple[float | None, str]]


def _deal_levers(
    tables: Mapping[str, pl.DataFrame], period: Period, months: float
) -> _Found:
    deals = tables.get("deals")
    if deals is None:
        return _missing(
            ("leads_per_month", "close_rate", "average_deal_size", "sales_cycle_days"),
            "there is no deals table",
        )
    created = deals.filter(period.contains("created_at")).height
    created_text = count_noun(created, "deal")
    leads = (created / months, f"{created_text} created in {period.label()}")
    if not created:
        leads = (None, f"no deals were created in {period.label()}")
    return {
        "leads_per_month": leads,
        "close_rate": _from_kpi(close_rate(deals, period)),
        "average_deal_size": _from_kpi(average_deal_size(deals, period)),
        "sales_cycle_days": _from_kpi(sales_cycle_days(deals, period)),
    }


def _subscription_levers(
    tables: Mapping[str, pl.DataFrame], period: Period, months: float
) -> _Found:
    del months
    subs = tables.get("subscriptions")
    if subs is None:
        return _missing(
            ("churn_rate", "arpa", "active_customers"),
            "there is no subscriptions table",
        )
    churn = churn_rate(subs, period)
    annual = (None, churn.reason)
    if churn.available and churn.variant == "snapshot":
        # Churned out of all customers of an undated list is no yearly rate.
        annual = (
            None,
            "the subscriptions are a list without dates, so their churned share "
            f"({format_number(churn.value, 1)} %) has no time base; enter an "
            "annual churn rate",
        )
    elif churn.available:
        value = churn.extra.get("annualised", churn.value)
        annual = (value, f"churn of {period.label()}, annualised where possible")
    arpa = average_revenue_per_account(subs, period.end)
    arpa_note = f"mean MRR of the paying customers on {period.end}"
    if arpa is None:
        arpa_note = f"no paying customers on {period.end}"
    paying = monthly_recurring_revenue(subs, period.end).height
    return {
        "churn_rate": annual,
        "arpa": (arpa, arpa_note),
        "active_customers": (
            float(paying),
            f"{count_noun(paying, 'customer')} on {period.end}",
        ),
    }


def _spend_levers(
    tables: Mapping[str, pl.DataFrame], period: Period, months: float
) -> _Found:
    spend = tables.get("spend")
    if spend is None:
        return _missing(("monthly_spend",), "there is no marketing spend table")
    rows = spend_in_period(spend, period, None, None)
    if rows.frame.is_empty():
        return {"monthly_spend": (None, f"no spend recorded in {period.label()}")}
    total = float(rows.frame["amount"].sum())
    note = f"{format_number(total, 2)} {rows.unit} spent in {period.label()}"
    return {"monthly_spend": (total / months, note)}


def _from_kpi(result: KpiResult) -> tuple[float | None, str]:
    if not result.available:
        return None, result.reason
    return float(result.value), result.formula


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


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _difference(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before
