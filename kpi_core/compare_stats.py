"""Significance tests of a before-and-after difference and the samples they rank."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import polars as pl

from kpi_core.business_hours import WorkingTime
from kpi_core.exact_tests import poisson_counts_p
from kpi_core.followups import counted_tickets
from kpi_core.money import convert_amounts
from kpi_core.period import Period
from kpi_core.results import KpiResult
from kpi_core.sales_tables import WON, cycle_days
from kpi_core.service import DEFAULT_WORKING, resolution_rows

_NORMAL = NormalDist()


def count_test_p(
    before: int, after: int, before_days: int = 1, after_days: int = 1
) -> float | None:
    """Return the exact two-sided p-value that the rates of two counts differ.

    ``before`` events happened in ``before_days`` days and ``after`` in
    ``after_days``, equal by default as in the windows ``before_after``
    compares. Given the total n, the before count is Binomial(n,
    before_days / (before_days + after_days)) when the rate did not change,
    and the p-value sums the probabilities of all outcomes no more likely
    than the observed one (``exact_tests.poisson_counts_p``). No rows on
    either side gives None.
    """
    return poisson_counts_p(before, before_days, after, after_days)


def nps_test_p(before: KpiResult, after: KpiResult) -> float:
    """Return the two-sided p-value that two NPS results differ.

    z = (NPS after - NPS before) / sqrt(se before^2 + se after^2), where se
    = sqrt((p + d - (p - d)^2) / n) x 100 for promoter share p and detractor
    share d. When both standard errors are 0, equal scores give 1.0 and
    different scores 0.0.
    """
    spread = math.hypot(_nps_standard_error(before), _nps_standard_error(after))
    if spread == 0:
        return 1.0 if before.value == after.value else 0.0
    return _two_sided_p((after.value - before.value) / spread)


def _nps_standard_error(result: KpiResult) -> float:
    n = result.n
    promoters = result.extra["promoters"] / n
    detractors = result.extra["detractors"] / n
    variance = promoters + detractors - (promoters - detractors) ** 2
    return math.sqrt(max(variance, 0.0) / n) * 100


def _two_sided_p(z: float) -> float:
    return 2 * (1 - _NORMAL.cdf(abs(z)))


def _cycle_samples(deals: pl.DataFrame, period: Period) -> list[float]:
    """Days from first contact, else creation, to close of the won deals
    closed in the period, as ``kpi_core.sales.sales_cycle_days`` counts them."""
    won = deals.filter(WON & period.contains("closed_at"))
    days = won.select(cycle_days(won.columns)).to_series().drop_nulls()
    return days.filter(days >= 0).cast(pl.Float64).to_list()


def _amount_samples(deals: pl.DataFrame, period: Period) -> list[float]:
    """Amounts of the won deals closed in the period, in one currency."""
    won = deals.filter(WON & period.contains("closed_at"))
    converted, _unit, _without_code = convert_amounts(won, None, None)
    return converted["amount"].drop_nulls().cast(pl.Float64).to_list()


def hour_samples(
    tickets: pl.DataFrame, period: Period, working: WorkingTime = DEFAULT_WORKING
) -> list[float]:
    """Business hours to resolution of the tickets solved in the period, as
    ``kpi_core.service.resolution_hours`` measures them with ``working``."""
    hours = resolution_rows(tickets, period, working)["business_hours"]
    return hours.drop_nulls().to_list()


@dataclass(frozen=True)
class SampleInputs:
    """What the single values of a KPI depend on besides its rows: the
    working time of the hours to resolution, and the ticket message log of
    the follow-ups, or None."""

    working: WorkingTime
    messages: pl.DataFrame | None


def kpi_samples(
    key: str, frame: pl.DataFrame, period: Period, inputs: SampleInputs
) -> list[float]:
    """Return the single values of the KPI ``key`` in the period, for the
    Mann-Whitney U test."""
    if key == "sales_cycle_days":
        return _cycle_samples(frame, period)
    if key == "average_deal_size":
        return _amount_samples(frame, period)
    if key == "followups_per_ticket":
        return reply_samples(frame, period, inputs.messages)
    return hour_samples(frame, period, inputs.working)


def reply_samples(
    tickets: pl.DataFrame, period: Period, messages: pl.DataFrame | None = None
) -> list[float]:
    """Agent replies of each ticket solved in the period, from the message
    log where it contains the ticket, else from the replies column, as
    ``kpi_core.followups.followups_per_ticket`` counts them."""
    counted = counted_tickets(tickets, period, messages)
    if counted is None:
        return []
    return counted["replies"].cast(pl.Float64).to_list()
