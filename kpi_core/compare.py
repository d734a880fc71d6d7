"""Compare each KPI in two equal windows around a date and test the difference.

Rates (close rate, win rate, churn rate) use Fisher's exact test.
Durations, deal sizes and follow-ups per ticket use the Mann-Whitney U test
on the single deals or tickets. Counts use the exact conditional test of
two Poisson counts, and the NPS a z-test on the difference of two scores
(see ``exact_tests`` for the two exact tests). A p-value below 0.05 is
significant. A table that starts later or ends sooner than the windows is
missing data, not a count of 0. Its KPIs are compared over windows
shortened equally to the days it covers, and have no value on a side it
does not reach. The windows and the period helpers are in
``compare_periods``, the tests and their samples in ``compare_stats``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from kpi_core.business_hours import WorkingTime
from kpi_core.compare_periods import (
    ONE_DAY,
    comparison_windows,
    data_range,
    table_coverage,
)
from kpi_core.compare_stats import SampleInputs, count_test_p, kpi_samples, nps_test_p
from kpi_core.errors import EmptyDataError, InputError
from kpi_core.exact_tests import fisher_exact_p
from kpi_core.goal_metrics import (
    METRICS,
    TABLE_LABELS,
    Metric,
    goal_metric,
    measure,
    missing_inputs,
)
from kpi_core.period import Period
from kpi_core.recorded_spans import recorded_span
from kpi_core.results import KpiResult
from kpi_core.sales_tables import OPEN_COHORT_SHARE
from kpi_core.service import DEFAULT_WORKING
from kpi_core.stats import mann_whitney_p
from kpi_core.table_names import TableNames

SIGNIFICANCE = 0.05
PROPORTION_TEST = "Fisher's exact test"
RANK_TEST = "Mann-Whitney U"
COUNT_TEST = "exact Poisson test"
NPS_TEST = "z-test of two NPS"
# KPI keys in the order of the table, with the test each difference gets.
# Names of the KPI date columns in the note on a late first date.
_ANCHOR_LABELS = {
    "closed_at": "close dates",
    "created_at": "creation dates",
    "solved_at": "solve dates",
    "started_at": "start dates",
    "responded_at": "response dates",
    "occurred_at": "list event dates",
}
COMPARED = {
    "new_deals": COUNT_TEST,
    "close_rate": PROPORTION_TEST,
    "win_rate": PROPORTION_TEST,
    "won_deals": COUNT_TEST,
    "average_deal_size": RANK_TEST,
    "sales_cycle_days": RANK_TEST,
    "tickets": COUNT_TEST,
    "resolution_hours": RANK_TEST,
    "followups_per_ticket": RANK_TEST,
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
    "before_low": pl.Float64,
    "before_high": pl.Float64,
    "after_low": pl.Float64,
    "after_high": pl.Float64,
    "n_before": pl.Int64,
    "n_after": pl.Int64,
    "days": pl.Int64,
    "difference": pl.Float64,
    "test": pl.String,
    "p_value": pl.Float64,
    "significant": pl.Boolean,
    "note": pl.String,
}
# KPIs of what is on hand at a window's start (the customers active, the
# contacts on the list), so rows dated before the window count for them too.
_STOCKS = frozenset({"churn_rate", "list_growth_rate"})


@dataclass(frozen=True)
class _Side:
    """A KPI in one window: the value, its n and the result behind it."""

    value: float | None
    n: int | None
    unit: str
    result: KpiResult | None
    reason: str = ""


@dataclass(frozen=True)
class _Windows:
    """The windows one table's KPIs are compared over. A side is None when
    the table records nothing on that side of the date, and ``note`` names
    windows shortened to the days the table covers."""

    before: Period | None
    after: Period | None
    note: str = ""


def before_after(
    tables: Mapping[str, pl.DataFrame] | pl.DataFrame,
    pivot_date: date,
    months: int = 6,
    working: WorkingTime = DEFAULT_WORKING,
    names: TableNames | None = None,
) -> pl.DataFrame:
    """Compare every KPI the tables support before and after ``pivot_date``.

    ``tables`` maps table types to canonical frames, or is a deals frame.
    The windows come from ``comparison_windows``. One row per KPI whose
    table and columns are present, with the columns kpi, label, unit,
    before, after, n_before, n_after, days (the length of each of the row's
    windows), difference (after - before), test, p_value, significant
    (p < 0.05) and note. A side without a value has a null value, and the
    note gives the reason.

    The KPIs of a table whose recorded dates (see ``table_coverage``) start
    or end inside the windows are compared over both windows shortened
    equally to the days it covers, and the note names them. When it covers
    no day on one side of the date, that side has no value. A side where
    the KPI's table has no rows dated in the window (by any of its date
    columns) has no value either, so a count there is null, not 0. For the
    churn rate and the list growth, which start from the customers or
    contacts on hand at the window's start, rows dated before the window
    count too. A KPI without a test (list growth) has a null p-value. The
    follow-ups per ticket count each ticket's replies from a ticket message
    log in ``tables`` where it contains the ticket, as the Service page
    does, and their warnings, naming the tables by ``names``, go into the
    note. before_low, before_high, after_low and after_high give each
    side's 95 % interval where its KPI has one, such as the rates. The time
    to resolution counts the working hours of ``working``. Each row is
    computed on its own, so an input error in one KPI, such as mixed
    currencies, fills that row's note and leaves the other rows intact.
    """
    if isinstance(tables, pl.DataFrame):
        tables = {"deals": tables}
    before, after = comparison_windows(tables, pivot_date, months)
    windows = {
        table_type: _table_windows(table_type, frame, before, after)
        for table_type, frame in tables.items()
    }
    rows = []
    for key, test in COMPARED.items():
        metric = goal_metric(key, working, tables, names)
        if missing_inputs(metric, (), tables) is not None:
            continue
        table = metric.table
        row = _compare(metric, test, tables[table], windows[table], working, tables)
        late = _late_anchor_note(metric, tables[table], windows[table])
        # A side without a value already gives its reason.
        if late and row.get("before") is not None:
            row["note"] = "; ".join(note for note in (row["note"], late) if note)
        rows.append(row)
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


def not_compared(
    tables: Mapping[str, pl.DataFrame],
    working: WorkingTime = DEFAULT_WORKING,
    names: TableNames | None = None,
) -> dict[str, str]:
    """Return the label and reason of each KPI that ``before_after`` leaves
    out although its table is there, because a column it needs is not, or
    because its rows cannot be measured at all (follow-ups with a message
    log that contains none of the tickets and no replies column)."""
    left_out = {}
    for key in COMPARED:
        metric = goal_metric(key, working, tables, names)
        if metric.table in tables:
            reason = missing_inputs(metric, (), tables)
            if reason:
                left_out[metric.label] = reason
    return left_out


def _late_anchor_note(metric: Metric, frame: pl.DataFrame, windows: _Windows) -> str:
    """Warn when the before window starts before the first recorded date of
    the KPI's own date column, such as deals created from October but none
    closed before March. The days before it may lie before the export began
    to record that column, so the difference may not be a real change."""
    if windows.before is None or windows.after is None:
        return ""
    anchored = recorded_span(frame, [metric.date_column], until=date.today())
    if anchored is None or anchored[0] <= windows.before.start:
        return ""
    first = anchored[0]
    label = _ANCHOR_LABELS.get(metric.date_column, f"{metric.date_column!r} dates")
    return (
        f"the first of the {label} is {first}, after the before window starts, "
        f"so its days before {first} count no row; if the export starts "
        "recording them then, compare from a later date"
    )


def _table_windows(
    table_type: str, frame: pl.DataFrame, before: Period, after: Period
) -> _Windows:
    """Shorten the windows equally to the days the table covers on both
    sides of the date, as ``comparison_windows`` does for all tables."""
    span = table_coverage(table_type, frame)
    if span is None:
        return _Windows(None, None)
    first, last = span
    pivot = after.start
    full = (after.end - pivot).days + 1
    days = min(full, (last - pivot).days + 1, (pivot - first).days)
    if days >= full:
        return _Windows(before, after)
    if days <= 0:
        # Equal windows would be empty, so a side keeps its window only when
        # the table covers a day of it, and the other has no value.
        covers_before = first <= before.end and last >= before.start
        covers_after = first <= after.end and last >= after.start
        return _Windows(
            before if covers_before else None, after if covers_after else None
        )
    shorter_before = Period(pivot - days * ONE_DAY, pivot - ONE_DAY)
    shorter_after = Period(pivot, pivot + (days - 1) * ONE_DAY)
    table = TABLE_LABELS.get(table_type, table_type)
    note = (
        f"the {table} table covers only {first} to {last}, so this row compares "
        f"{shorter_before.label()} with {shorter_after.label()}"
    )
    return _Windows(shorter_before, shorter_after, note)


def _compare(
    metric: Metric,
    test: str,
    frame: pl.DataFrame,
    windows: _Windows,
    working: WorkingTime,
    tables: Mapping[str, pl.DataFrame],
) -> dict[str, object]:
    row: dict[str, object] = {"kpi": metric.key, "label": metric.label, "test": test}
    periods = (windows.before, windows.after)
    try:
        first, second = (_side(metric, frame, period) for period in periods)
        samples = SampleInputs(working, tables.get("ticket_messages"))
        p_value = _p_value(metric, test, frame, (first, second), periods, samples)
    except InputError as error:
        return {**row, "note": str(error)}
    difference = None
    if first.value is not None and second.value is not None:
        difference = second.value - first.value
    days = None
    if windows.before is not None and windows.after is not None:
        days = (windows.after.end - windows.after.start).days + 1
    notes = [windows.note] if windows.note else []
    notes += [
        f"{name}: {side.reason}"
        for name, side in (("before", first), ("after", second))
        if side.reason
    ]
    notes += _warning_notes(first, second)
    if metric.key == "close_rate":
        notes += _open_deals_notes(frame, periods)
    before_low, before_high = _interval(first)
    after_low, after_high = _interval(second)
    return {
        **row,
        "unit": first.unit or second.unit,
        "before": first.value,
        "after": second.value,
        "before_low": before_low,
        "before_high": before_high,
        "after_low": after_low,
        "after_high": after_high,
        "n_before": first.n,
        "n_after": second.n,
        "days": days,
        "difference": difference,
        "p_value": p_value,
        "significant": None if p_value is None else p_value < SIGNIFICANCE,
        "note": "; ".join(notes),
    }


def _warning_notes(first: _Side, second: _Side) -> list[str]:
    """Return the KPI's warnings on each side, such as dates read without a
    time of day or the table each ticket's replies came from. A warning of
    both sides, which usually describes the whole table, is named once
    without a side."""
    before, after = (
        [] if side.result is None else list(side.result.warnings)
        for side in (first, second)
    )
    shared = [warning for warning in before if warning in after]
    notes = shared + [f"before: {w}" for w in before if w not in shared]
    notes += [f"after: {w}" for w in after if w not in shared]
    return [note.removesuffix(".") for note in notes]


def _open_deals_notes(
    deals: pl.DataFrame, periods: tuple[Period | None, Period | None]
) -> list[str]:
    """Name a window whose created deals are still open by at least
    ``OPEN_COHORT_SHARE`` percent, because its close rate can still rise."""
    if "status" not in deals.columns:
        return []
    notes = []
    for name, period in zip(("before", "after"), periods, strict=True):
        if period is None:
            continue
        created = deals.filter(period.contains("created_at"))
        still_open = int((created["status"] == "open").sum())
        if created.height and still_open / created.height * 100 >= OPEN_COHORT_SHARE:
            verb = "is" if still_open == 1 else "are"
            notes.append(
                f"{name}: {still_open:,} of the {created.height:,} deals created "
                f"{verb} still open ({still_open / created.height * 100:.1f} %), "
                "so its close rate can still rise"
            )
    return notes


def _interval(side: _Side) -> tuple[float | None, float | None]:
    """Return the 95 % interval of a side's KPI, or (None, None) for a count
    or a KPI without one."""
    if side.result is None or side.result.ci95 is None:
        return None, None
    low, high = side.result.ci95
    return float(low), float(high)


def _side(metric: Metric, frame: pl.DataFrame, period: Period | None) -> _Side:
    if period is None or not _has_rows(metric, frame, period):
        return _Side(None, None, metric.unit, None, _no_rows_reason(metric, frame))
    if metric.kpi is None:
        counted = measure(metric, frame, period)
        return _Side(counted.value, counted.n, counted.unit, None)
    result = metric.kpi(frame, period)
    if not result.available:
        return _Side(None, None, result.unit, result, result.reason)
    return _Side(float(result.value), result.n, result.unit, result)


def _has_rows(metric: Metric, frame: pl.DataFrame, period: Period) -> bool:
    """Return whether the KPI's table has rows for the window: rows dated in
    it, or for a stock (``_STOCKS``) rows dated up to its end."""
    if metric.key not in _STOCKS:
        return _rows_in(metric.table, frame, period) > 0
    dated = pl.col(metric.date_column).cast(pl.Date) <= period.end
    return not frame.filter(dated).is_empty()


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
    periods: tuple[Period | None, Period | None],
    samples: SampleInputs,
) -> float | None:
    first, second = sides
    if not test or first.value is None or second.value is None:
        return None
    if test == COUNT_TEST:
        before, after = periods
        return count_test_p(first.n, second.n, _days(before), _days(after))
    if test == PROPORTION_TEST:
        earlier, later = first.result, second.result
        return fisher_exact_p(
            int(later.numerator),
            int(later.denominator),
            int(earlier.numerator),
            int(earlier.denominator),
        )
    if test == NPS_TEST:
        return nps_test_p(first.result, second.result)
    values = [kpi_samples(metric.key, frame, period, samples) for period in periods]
    if not values[0] or not values[1]:
        return None
    return mann_whitney_p(values[0], values[1])


def _days(period: Period) -> int:
    return (period.end - period.start).days + 1
