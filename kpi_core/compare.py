"""Before and after a date: each KPI the tables support, in two windows of
equal length, with the difference and a test of whether it is significant.

Rates (close rate, win rate, churn rate) use the pooled two-proportion
z-test. Durations and deal sizes use the Mann-Whitney U test on the single
deals or tickets. Counts use the test of two Poisson counts over equal
time, and the NPS a z-test on the difference of two scores. A p-value
below 0.05 is significant. A KPI whose table has no rows in a window has no
value there, because a table that starts later or ends sooner is missing
data, not reporting 0. Also the period helpers ``previous_period`` and
``same_period_last_year``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

import polars as pl

from kpi_core.business_hours import WorkingTime, business_hours_between, wall_clock
from kpi_core.errors import EmptyDataError, InputError, InvalidSettingError
from kpi_core.goal_metrics import (
    METRICS,
    TABLE_LABELS,
    Metric,
    measure,
    missing_inputs,
)
from kpi_core.goals import deadline_after
from kpi_core.money import convert_amounts
from kpi_core.period import Period
from kpi_core.results import KpiResult
from kpi_core.sales_tables import WON, cycle_days
from kpi_core.stats import mann_whitney_p, two_proportion_test
from kpi_core.tickets import solved_tickets

SIGNIFICANCE = 0.05
PROPORTION_TEST = "two-proportion z-test"
RANK_TEST = "Mann-Whitney U"
COUNT_TEST = "Poisson count test"
NPS_TEST = "z-test of two NPS"
# KPI keys in the order of the table, with the test each difference gets.
COMPARED = {
    "new_deals": COUNT_TEST,
    "close_rate": PROPORTION_TEST,
    "win_rate": PROPORTION_TEST,
    "won_deals": COUNT_TEST,
    "average_deal_size": RANK_TEST,
    "sales_cycle_days": RANK_TEST,
    "tickets": COUNT_TEST,
    "resolution_hours": RANK_TEST,
    "followups_per_ticket": "",
    "nps": NPS_TEST,
    "churn_rate": PROPORTION_TEST,
    "new_subscribers": COUNT_TEST,
    "list_growth_rate": "",
}
_SCHEMA = {
    "kpi": pl.String,
    "label": pl.String,
    "unit": pl.String,
    "before": pl.Float64,
    "after": pl.Float64,
    "n_before": pl.Int64,
    "n_after": pl.Int64,
    "difference": pl.Float64,
    "test": pl.String,
    "p_value": pl.Float64,
    "significant": pl.Boolean,
    "note": pl.String,
}
_DAY = timedelta(days=1)
_NORMAL = NormalDist()


@dataclass(frozen=True)
class _Side:
    """A KPI in one window: the value, its n and the result behind it."""

    value: float | None
    n: int | None
    unit: str
    result: KpiResult | None
    reason: str = ""


def before_after(
    tables: Mapping[str, pl.DataFrame] | pl.DataFrame,
    pivot_date: date,
    months: int = 6,
) -> pl.DataFrame:
    """Compare every KPI the tables support before and after ``pivot_date``.

    ``tables`` maps table types to canonical frames, or is a deals frame.
    The windows come from ``comparison_windows``. One row per KPI whose
    table and columns are present, with the columns kpi, label, unit,
    before, after, n_before, n_after, difference (after - before), test,
    p_value, significant (p < 0.05) and note. A side without a value has a
    null value, and the note gives the reason. A side where the KPI's table
    has no rows dated in the window (by any of its date columns) has no
    value either, so a count there is null, not 0. A KPI without a test (list
    growth, follow-ups) has a null p-value. Each row is computed on its own,
    so an input error in one KPI, such as mixed currencies, fills that row's
    note and leaves the other rows intact.
    """
    if isinstance(tables, pl.DataFrame):
        tables = {"deals": tables}
    before, after = comparison_windows(tables, pivot_date, months)
    rows = [
        _compare(METRICS[key], test, tables[METRICS[key].table], before, after)
        for key, test in COMPARED.items()
        if missing_inputs(METRICS[key], (), tables) is None
    ]
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


def comparison_windows(
    tables: Mapping[str, pl.DataFrame], pivot_date: date, months: int = 6
) -> tuple[Period, Period]:
    """Return the before and after windows around ``pivot_date``.

    The after window starts on the date and runs ``months`` calendar months.
    The before window has the same number of days and ends the day before.
    Where the data (the anchor dates of the tables) ends sooner on either
    side, both windows shrink to the shorter side, so they stay equal.
    Raises InvalidSettingError for fewer than 1 month or a date outside the
    data, and EmptyDataError when the tables contain no dates.
    """
    if months < 1:
        raise InvalidSettingError(f"invalid window of {months} months; give 1 or more")
    first, last = data_range(tables)
    full = (deadline_after(pivot_date, months) - pivot_date).days + 1
    days = min(full, (last - pivot_date).days + 1, (pivot_date - first).days)
    if days <= 0:
        raise InvalidSettingError(
            f"the date {pivot_date} leaves no data on one side; pick a date after "
            f"{first} and up to {last}"
        )
    before = Period(pivot_date - days * _DAY, pivot_date - _DAY)
    return before, Period(pivot_date, pivot_date + (days - 1) * _DAY)


def default_pivot(tables: Mapping[str, pl.DataFrame]) -> date:
    """Return the date to compare around by default: the middle of the deals'
    dates when the deals table has any, else the middle of the dates of the
    table with the most rows. Raises EmptyDataError when no table contains
    dates."""
    ranked = sorted(
        tables, key=lambda name: (name != "deals", -tables[name].height, name)
    )
    for table_type in ranked:
        with contextlib.suppress(EmptyDataError):
            first, last = data_range({table_type: tables[table_type]})
            return first + timedelta(days=(last - first).days // 2)
    raise EmptyDataError("the tables contain no dates to compare before and after")


def previous_period(period: Period) -> Period:
    """Return the period just before ``period``, ending the day before it starts.

    A period of whole calendar months (from the first of a month to the last
    day of a month) goes back the same number of whole months, so Q3 gives
    Q2 and March gives February. Any other period goes back the same number
    of days. Raises InvalidSettingError for an open period.
    """
    _require_bounds(period, "previous period")
    months = _whole_months(period)
    if months is not None:
        index = period.start.year * 12 + period.start.month - 1 - months
        first = date(index // 12, index % 12 + 1, 1)
        return Period(first, period.start - _DAY)
    days = (period.end - period.start).days + 1
    return Period(period.start - days * _DAY, period.start - _DAY)


def same_period_last_year(period: Period) -> Period:
    """Return the same days one year earlier; 29 February becomes the 28th.
    Raises InvalidSettingError for an open period."""
    _require_bounds(period, "same period last year")
    return Period(_year_before(period.start), _year_before(period.end))


def count_test_p(before: int, after: int) -> float | None:
    """Return the two-sided p-value that two counts over equal time differ.

    Given the total, the after count is binomial with p = 1/2 when the rate
    did not change. The normal approximation gives z = (after - before) /
    sqrt(after + before). No rows on either side gives None.
    """
    if before + after == 0:
        return None
    return _two_sided_p((after - before) / math.sqrt(before + after))


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


def overlap_range(tables: Mapping[str, pl.DataFrame]) -> tuple[date, date] | None:
    """Return the days that every table with dates covers: the latest first
    date to the earliest last date. None when the tables do not overlap."""
    ranges = []
    for table_type, frame in tables.items():
        with contextlib.suppress(EmptyDataError):
            ranges.append(data_range({table_type: frame}))
    if not ranges:
        return None
    first = max(low for low, _high in ranges)
    last = min(high for _low, high in ranges)
    return (first, last) if first < last else None


def data_range(tables: Mapping[str, pl.DataFrame]) -> tuple[date, date]:
    """Return the first and last anchor date of the goal metrics in the tables
    (for deals, creation and close dates). Raises EmptyDataError when the
    tables contain no dates."""
    columns = [
        tables[metric.table][metric.date_column].cast(pl.Date)
        for metric in METRICS.values()
        if metric.table in tables and metric.date_column in tables[metric.table].columns
    ]
    dates = pl.concat(columns).drop_nulls() if columns else pl.Series([], dtype=pl.Date)
    if dates.is_empty():
        raise EmptyDataError("the tables contain no dates to compare before and after")
    return dates.min(), dates.max()


def _compare(
    metric: Metric, test: str, frame: pl.DataFrame, before: Period, after: Period
) -> dict[str, object]:
    row: dict[str, object] = {"kpi": metric.key, "label": metric.label, "test": test}
    try:
        first, second = (_side(metric, frame, period) for period in (before, after))
        p_value = _p_value(metric, test, frame, (first, second), (before, after))
    except InputError as error:
        return {**row, "note": str(error)}
    difference = None
    if first.value is not None and second.value is not None:
        difference = second.value - first.value
    notes = [
        f"{name}: {side.reason}"
        for name, side in (("before", first), ("after", second))
        if side.reason
    ]
    return {
        **row,
        "unit": first.unit or second.unit,
        "before": first.value,
        "after": second.value,
        "n_before": first.n,
        "n_after": second.n,
        "difference": difference,
        "p_value": p_value,
        "significant": None if p_value is None else p_value < SIGNIFICANCE,
        "note": "; ".join(notes),
    }


def _side(metric: Metric, frame: pl.DataFrame, period: Period) -> _Side:
    if _rows_in(metric.table, frame, period) == 0:
        return _Side(None, None, metric.unit, None, _no_rows_reason(metric, frame))
    if metric.kpi is None:
        counted = measure(metric, frame, period)
        return _Side(counted.value, counted.n, counted.unit, None)
    result = metric.kpi(frame, period)
    if not result.available:
        return _Side(None, None, result.unit, result, result.reason)
    return _Side(float(result.value), result.n, result.unit, result)


def _rows_in(table_type: str, frame: pl.DataFrame, period: Period) -> int:
    """Count the rows with any of the table's anchor dates in the period."""
    columns = {
        metric.date_column
        for metric in METRICS.values()
        if metric.table == table_type and metric.date_column in frame.columns
    }
    if not columns:
        return 0
    inside = pl.any_horizontal([period.contains(column) for column in columns])
    return frame.filter(inside).height


def _no_rows_reason(metric: Metric, frame: pl.DataFrame) -> str:
    table = TABLE_LABELS.get(metric.table, metric.table)
    reason = f"no data, because the {table} table has no rows in this window"
    with contextlib.suppress(EmptyDataError):
        first, last = data_range({metric.table: frame})
        reason += f" (its dates run from {first} to {last})"
    return reason


def _p_value(
    metric: Metric,
    test: str,
    frame: pl.DataFrame,
    sides: tuple[_Side, _Side],
    periods: tuple[Period, Period],
) -> float | None:
    first, second = sides
    if not test or first.value is None or second.value is None:
        return None
    if test == COUNT_TEST:
        return count_test_p(first.n, second.n)
    if test == PROPORTION_TEST:
        earlier, later = first.result, second.result
        _z, p_value = two_proportion_test(
            int(later.numerator),
            int(later.denominator),
            int(earlier.numerator),
            int(earlier.denominator),
        )
        return p_value
    if test == NPS_TEST:
        return nps_test_p(first.result, second.result)
    samples = _SAMPLES[metric.key]
    values = [samples(frame, period) for period in periods]
    if not values[0] or not values[1]:
        return None
    return mann_whitney_p(values[0], values[1])


def _cycle_samples(deals: pl.DataFrame, period: Period) -> list[float]:
    """Days from creation to close of the won deals closed in the period, as
    ``kpi_core.sales.sales_cycle_days`` counts them."""
    won = deals.filter(WON & period.contains("closed_at"))
    days = won.select(cycle_days()).to_series().drop_nulls()
    return days.filter(days >= 0).cast(pl.Float64).to_list()


def _amount_samples(deals: pl.DataFrame, period: Period) -> list[float]:
    """Amounts of the won deals closed in the period, in one currency."""
    won = deals.filter(WON & period.contains("closed_at"))
    converted, _unit, _without_code = convert_amounts(won, None, None)
    return converted["amount"].drop_nulls().cast(pl.Float64).to_list()


def _hour_samples(tickets: pl.DataFrame, period: Period) -> list[float]:
    """Business hours to resolution of the tickets solved in the period, with
    the default schedule, as ``kpi_core.service.resolution_hours`` measures
    them: the helpdesk's own business minutes win where given."""
    # NOTE: this uses the default schedule (Mon-Fri 09:00-17:00 Berlin, German
    # holidays), not the working hours chosen on the service page.
    solved, _excluded = solved_tickets(tickets, period)
    working = WorkingTime()
    hours = business_hours_between(
        wall_clock("created_at", solved.columns, working.timezone),
        wall_clock("solved_at", solved.columns, working.timezone),
        working,
    )
    if "business_minutes" in solved.columns:
        hours = pl.coalesce(pl.col("business_minutes").cast(pl.Float64) / 60, hours)
    return solved.select(hours).to_series().drop_nulls().to_list()


_SAMPLES: dict[str, Callable[[pl.DataFrame, Period], list[float]]] = {
    "sales_cycle_days": _cycle_samples,
    "average_deal_size": _amount_samples,
    "resolution_hours": _hour_samples,
}


def _nps_standard_error(result: KpiResult) -> float:
    n = result.n
    promoters = result.extra["promoters"] / n
    detractors = result.extra["detractors"] / n
    variance = promoters + detractors - (promoters - detractors) ** 2
    return math.sqrt(max(variance, 0.0) / n) * 100


def _require_bounds(period: Period, name: str) -> None:
    if period.start is None or period.end is None:
        raise InvalidSettingError(
            f"the {name} needs a period with a start and an end, not {period.label()}"
        )


def _whole_months(period: Period) -> int | None:
    """Count the calendar months of a period that starts on the first of a
    month and ends on the last day of a month, or return None otherwise."""
    if period.start.day != 1 or (period.end + _DAY).day != 1:
        return None
    end = period.end
    return (end.year - period.start.year) * 12 + end.month - period.start.month + 1


def _year_before(day: date) -> date:
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def _two_sided_p(z: float) -> float:
    return 2 * (1 - _NORMAL.cdf(abs(z)))
