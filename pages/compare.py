"""Before-and-after page: each KPI in the months before a date against the
same number of days after it, with the difference and its significance."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import streamlit as st

from kpi_core import charts
from kpi_core.business_hours import WorkingTime
from kpi_core.compare import SIGNIFICANCE, before_after, not_compared
from kpi_core.compare_periods import comparison_windows, data_range, default_pivot
from kpi_core.errors import InputError
from kpi_core.formatting import MISSING, format_change, format_number, format_value
from kpi_core.page_workbooks import comparison_workbook
from kpi_core.period import EARLIEST_DAY, LATEST_DAY, Period
from kpi_core.report_tables import source_rows
from kpi_core.sales_tables import chart_gap, sales_series
from kpi_core.table_names import TableNames
from kpi_core.window_cuts import shortened_windows_note
from pages.ui.currencies import is_money_metric, page_tables_with
from pages.ui.downloads import XLSX_MIME, chart_downloads, show_chart
from pages.ui.markdown_escape import escape_markdown
from pages.ui.navigation import data_page_hint, data_page_link, require_app_entry
from pages.ui.share_link import share_controls
from pages.ui.shared_views import for_viewer, view_widget_options
from pages.ui.table_sources import show_table_sources
from pages.ui.url_params import check_url_dates, check_url_number
from pages.ui.working_time import page_working_time, working_time_caption

# The ticket message log is read by the follow-ups per ticket, as on the
# Service page.
TABLE_TYPES = (
    "deals",
    "tickets",
    "ticket_messages",
    "nps",
    "subscriptions",
    "email_events",
)
_COMPARED = (
    "This page compares deals, tickets, NPS responses, subscriptions and list "
    "events; orders and marketing spend are not compared here."
)
_RATE_LINES = {
    "close_rate": "Close rate (by creation)",
    "win_rate": "Win rate (by close)",
}


def render() -> None:
    st.title("Before and after")
    st.write(
        "Each KPI in the months before a date, such as the day a new CRM went "
        "live, against the same number of days after it, and whether the "
        "change is statistically significant."
    )
    loaded = page_tables_with(TABLE_TYPES, ())
    tables, cache_key, money_note = loaded.tables, loaded.key, loaded.money_note
    if not tables:
        st.info(
            f"No deals, tickets or other tables this page compares yet. {_COMPARED} "
            + data_page_hint(
                "Upload them on the Data page.",
                "Ask the sender of this link to upload them.",
            )
        )
        data_page_link()
        return
    try:
        first, last = data_range(tables)
    except InputError as error:
        message = str(error)
        st.error(escape_markdown(f"{message[:1].upper()}{message[1:]}. {_COMPARED}"))
        return
    pivot, months = _controls(first, last, default_pivot(tables))
    share_controls("compare", "Before and after")
    working = page_working_time()
    try:
        before, after = comparison_windows(tables, pivot, months)
        counted = working if isinstance(working, WorkingTime) else WorkingTime()
        names = _table_names(loaded.entries)
        table = _compare(f"{cache_key}|{names}", pivot, months, counted, tables, names)
    except InputError as error:
        st.error(escape_markdown(str(error)))
        return
    shows_hours = "resolution_hours" in table["kpi"].to_list()
    if not isinstance(working, WorkingTime):
        # Hours counted in another working time than the one set would mislead.
        table = table.filter(pl.col("kpi") != "resolution_hours")
    days = (after.end - after.start).days + 1
    show_table_sources(*loaded.entries.values())
    st.subheader(
        f"Before: {before.label()}. After: {after.label()}. {days:,} days each.",
        anchor=False,
    )
    shortened = shortened_windows_note(tables, pivot, months)
    if shortened:
        st.warning(escape_markdown(shortened))
    if (table["days"] < days).any():
        st.caption(
            "The rows of a table that covers fewer days compare fewer days, "
            "as their note says."
        )
    if money_note:
        st.warning(escape_markdown(money_note))
        # The money rows have no values then, and the note gives the reason.
        money_keys = [key for key in table["kpi"].to_list() if is_money_metric(key)]
        table = table.with_columns(
            note=pl.when(pl.col("kpi").is_in(money_keys))
            .then(pl.lit(money_note))
            .otherwise(pl.col("note"))
        )
    _render_table(table)
    left_out = not_compared(tables, counted, names)
    if left_out:
        listed = "; ".join(f"{label}: {why}" for label, why in left_out.items())
        st.caption(escape_markdown(f"Not compared: {listed}."))
    if shows_hours:
        st.caption(escape_markdown(working_time_caption(working)))
    sources = source_rows(
        {kind: (entry.name, entry.rows) for kind, entry in loaded.entries.items()}
    )
    workbook = comparison_workbook(
        table,
        (before, after),
        pivot=pivot,
        months=months,
        working_label=working_time_caption(working),
        shortened=shortened,
        left_out=left_out,
        sources=sources,
        currency=loaded.currency,
        fx=loaded.rates,
    )
    st.download_button(
        "Download this comparison (Excel)",
        workbook,
        file_name=f"before-and-after-{pivot.isoformat()}.xlsx",
        mime=XLSX_MIME,
        # Not "compare_...": a shared view restores the widgets of that name.
        key="excel_compare",
        on_click="ignore",
    )
    if "deals" in tables:
        _render_chart(tables["deals"], before, after, pivot)


def _controls(first: date, last: date, default: date) -> tuple[date, int]:
    """Show the date and window pickers. The date defaults to ``default``,
    kept inside the days the picker allows.

    Both settings define the view, so a shared view fixes them as it fixes the
    period. A link's date outside the data is kept, and ``comparison_windows``
    then reports it.
    """
    earliest = first + timedelta(days=1)
    # Streamlit replaces a value outside min_value and max_value by the
    # default without a message, so the bounds take in the date of a link.
    # A date outside the days a period can cover is left out, so the widget
    # ignores it and check_url_dates warns, as on the other pages.
    requested = _requested_date()
    if requested is not None and not EARLIEST_DAY <= requested <= LATEST_DAY:
        requested = None
    pivot = st.sidebar.date_input(
        "Compare around",
        min_value=min(earliest, requested or earliest),
        max_value=max(last, requested or last),
        help="The first day of the after window, such as the day a change took effect.",
        **view_widget_options("compare_date", value=min(max(default, earliest), last)),
    )
    months = st.sidebar.number_input(
        "Window (months)",
        min_value=1,
        max_value=36,
        step=1,
        help="Length of each window. Where the data starts later or ends "
        "sooner, both shrink to the days it covers, so they stay equal.",
        **view_widget_options("compare_months", value=6),
    )
    check_url_dates("compare_date", pivot, EARLIEST_DAY, LATEST_DAY)
    check_url_number("compare_months", months, low=1, high=36)
    return pivot, int(months)


def _requested_date() -> date | None:
    """Return the compare date that a link requests: the URL parameter, or the
    widget state that a shared view sets."""
    state = st.session_state.get("compare_date")
    if isinstance(state, date):
        return state
    try:
        return date.fromisoformat(st.query_params.get("compare_date", ""))
    except ValueError:
        return None


@st.cache_data(max_entries=32, show_spinner="Comparing the windows...")
def _compare(
    cache_key: str,
    pivot: date,
    months: int,
    working: WorkingTime,
    _tables: dict[str, pl.DataFrame],
    _names: TableNames,
) -> pl.DataFrame:
    del cache_key
    return before_after(_tables, pivot, months, working, _names)


def _table_names(entries: dict) -> TableNames:
    """Return the names that the follow-ups' warnings give the tickets, the
    message log and the tickets' reply column, as on the Service page."""
    tickets = entries.get("tickets")
    return TableNames(
        tables={table_type: entry.name for table_type, entry in entries.items()},
        ticket_columns=dict(tickets.mapping) if tickets is not None else {},
    )


def _render_table(table: pl.DataFrame) -> None:
    """Show the comparison, with a warning under it for each significant
    difference that its note qualifies."""
    rows = [
        {
            "KPI": row["label"],
            "Before": _value(row["before"], row["unit"]),
            "After": _value(row["after"], row["unit"]),
            "95 % interval before": _interval(row, "before"),
            "95 % interval after": _interval(row, "after"),
            "n before": row["n_before"],
            "n after": row["n_after"],
            "Days each": row["days"],
            "Difference": _difference(row),
            "Relative change": _relative(row["before"], row["after"], row["unit"]),
            "p-value": row["p_value"],
            "Significant": _verdict(row["significant"]),
            "Test": row["test"] or "none",
            "Note": row["note"],
        }
        for row in table.iter_rows(named=True)
    ]
    st.dataframe(
        pl.DataFrame(rows, infer_schema_length=None),
        hide_index=True,
        column_config={"p-value": st.column_config.NumberColumn(format="%.3f")},
        placeholder=MISSING,
    )
    st.caption(
        f"Significant means p < {SIGNIFICANCE:g}: a difference this large would "
        "be rare if nothing had changed. Small samples rarely reach it."
    )
    # The Note column sits at the right edge of a wide table, so a note that
    # qualifies a significant difference is repeated where it is seen.
    for row in rows:
        if row["Note"] and row["Significant"] == _verdict(True):
            st.warning(
                escape_markdown(
                    f"{row['KPI']} is marked significant, but {row['Note']}."
                )
            )


def _render_chart(
    deals: pl.DataFrame, before: Period, after: Period, pivot: date
) -> None:
    # The chart draws rates only, so amounts that may still be in several
    # currencies (a missing exchange rate) are left out, not added up.
    rates_only = deals.with_columns(pl.lit(None, pl.Float64).alias("amount"))
    window = Period(before.start, after.end)
    series = sales_series(rates_only, window, "month")
    if series.is_empty():
        return
    gaps = [chart_gap(deals, window, series, c) for c in ("close_rate", "win_rate")]
    reasons = for_viewer(" ".join(reason for reason in gaps if reason))
    if all(gaps):
        st.info(f"The chart of close rate and win rate is not shown. {reasons}")
        return
    show_chart(
        st,
        charts.rates_around_date(
            series,
            {
                "close_rate": "Close rate (by creation)",
                "win_rate": "Win rate (by close)",
            },
            "Close rate and win rate by month, the compared date marked",
            pivot.isoformat(),
        ),
    )
    if reasons:
        st.caption(reasons)


def _value(value: float | None, unit: str | None) -> str:
    if value is None:
        return "no data"
    if unit == "count":
        return format_number(value, _count_decimals(value))
    return format_value(value, unit or "")


def _interval(row: dict, side: str) -> str | None:
    """Format one side's 95 % interval, or None for a KPI without one."""
    low, high = row[f"{side}_low"], row[f"{side}_high"]
    if low is None or high is None:
        return None
    return f"{_value(low, row['unit'])} to {_value(high, row['unit'])}"


def _difference(row: dict) -> str:
    """Format after - before with its sign; rates change in percentage points."""
    if row["difference"] is None:
        return "–"
    if row["unit"] == "count":
        decimals = max(_count_decimals(row["before"]), _count_decimals(row["after"]))
        return format_number(row["difference"], decimals, sign=True)
    return format_change(row["after"], row["before"], row["unit"] or "")


def _count_decimals(value: float | None) -> int:
    """Counts read whole, and ratios of counts (follow-ups per ticket) with
    two decimals."""
    return 0 if value is None or float(value).is_integer() else 2


def _relative(before: float | None, after: float | None, unit: str | None) -> str:
    """Format (after - before) / |before| in percent, or a dash when either
    is missing or before is zero, and for a score such as NPS, which runs
    from -100 to 100 and so has no meaningful share of change. A fall from
    a negative value (an ROI of -10 % to -20 %) is a negative change."""
    if before is None or after is None or before == 0 or unit == "score":
        return "–"
    share = (after - before) / abs(before) * 100
    return format_change(share, 0.0, "percent").removesuffix(" pp") + " %"


def _verdict(significant: bool | None) -> str:
    if significant is None:
        return "no test"
    return "yes" if significant else "no"


require_app_entry("pages/compare.py")
render()
chart_downloads("compare")
