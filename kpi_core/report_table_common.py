"""Helpers of the report's sheet tables: error notes, money units, partial periods."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date

import polars as pl

from kpi_core.errors import InputError
from kpi_core.excel_report import ReportTable
from kpi_core.kpis import KpiSettings
from kpi_core.money import DEFAULT_CURRENCY, currency_codes
from kpi_core.partial_periods import (
    PartialPeriod,
    blank_empty_buckets,
    partial_periods,
    table_span,
    with_partial_column,
)
from kpi_core.period import Period
from kpi_core.results import KpiResult, is_missing_rate

Tables = dict[str, pl.DataFrame]


def guarded(build: Callable[[], ReportTable]) -> ReportTable:
    """Return ``build()``, or its error as the table's note, so one table
    the data cannot give leaves the rest of the report intact."""
    try:
        return build()
    except InputError as error:
        # A missing rate's detail names the rate. Other errors name the file and row.
        reason = error.detail if is_missing_rate(error) else str(error)
        return ReportTable(note=sentence(f"Not available: {reason}"))


def with_partial(
    table: ReportTable,
    partials: Mapping[date, PartialPeriod],
    *,
    stock: bool = False,
) -> ReportTable:
    """Add the column "Partial period" to a table by period when some of
    its periods are partial (see ``kpi_core.partial_periods``). Its cells
    name the days such a period covers, as in "2026-10-01 to 2026-11-30
    only", so they read without a note. The figures of a period with no
    days in the data are left blank, because they are unknown, unless they
    are a ``stock`` such as ARR, which stays after the last dated change."""
    if table.frame is None or not partials:
        return table
    frame = table.frame if stock else blank_empty_buckets(table.frame, partials)
    return replace(table, frame=with_partial_column(frame, partials))


def series_partials(
    series: pl.DataFrame,
    grain: str,
    period: Period,
    frame: pl.DataFrame,
    table_type: str,
) -> dict[date, PartialPeriod]:
    """Return the partial periods of ``series``, whose data is ``frame``."""
    span = table_span(frame, table_type)
    return partial_periods(series["period_start"], grain, period, span)


def sentence(text: str) -> str:
    """Return ``text`` with a capital first letter and a final full stop."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else f"{text}."


def _money_unit(frame: pl.DataFrame, settings: KpiSettings) -> str:
    """Return the currency of the money figures of ``frame``: the report
    currency, else the only currency of its amounts, else EUR, as
    ``kpi_core.money.convert_amounts`` picks it."""
    if settings.currency and settings.currency.strip():
        return settings.currency.strip().upper()
    codes = currency_codes(frame)
    return codes[0] if len(codes) == 1 else DEFAULT_CURRENCY


def unit_of(result: KpiResult | None, frame: pl.DataFrame, settings) -> str:
    if result is not None and result.available and result.unit:
        return result.unit
    return _money_unit(frame, settings)


def blank_money_note(result: KpiResult | None, subject: str) -> str | None:
    """Return why the money figures named by ``subject`` are blank when
    ``result`` lacks an exchange rate, else None."""
    if result is None or not result.rate_missing:
        return None
    verb = "are" if subject.endswith("s") else "is"
    return f"{subject} {verb} blank. {sentence(result.reason)}"
