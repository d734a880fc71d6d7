"""Downloads offered on the pages: the Excel report, and the charts drawn
in a run as SVG and PNG files.

Every download button here passes ``on_click="ignore"``. In Streamlit 1.67
a button whose data is a callable (a deferred download) gets a new file id
in every run, and a run that ends without drawing the button drops the id
of the run before. The click's own rerun could interrupt a run before it
drew the button, so the server dropped the id the browser had just sent
and the click delivered no file ("MediaFileStorageError: Deferred file ...
not found").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import date

import altair as alt
import streamlit as st

from kpi_core.charts import charts_archive
from kpi_core.kpis import KpiSettings
from kpi_core.report_tables import excel_report_bytes
from kpi_core.spend_tables import combine_spend
from kpi_core.workspace import TableEntry
from pages.ui.table_choice import report_entries, spend_entries
from pages.ui.workspace_access import load_with_currency

# The session state key of the charts drawn in this run. ``mark_app_entry``
# empties the list at the start of every run.
CHARTS_KEY = "_charts"

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The number of built Excel reports the server process keeps, for the runs
# after a click. A workbook contains aggregates: about 40 KB for the sample
# data and also for the benchmark data set with 200,000 deals.
_KEPT_REPORTS = 8


class BuiltReports:
    """The Excel reports built in this server process, newest last, by the
    key of their inputs (see ``report_key``). It is shared by all sessions,
    so it is guarded by a lock."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._reports: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            report = self._reports.get(key)
            if report is not None:
                self._reports.move_to_end(key)
            return report

    def put(self, key: str, report: bytes) -> None:
        with self._lock:
            self._reports[key] = report
            self._reports.move_to_end(key)
            while len(self._reports) > self._capacity:
                self._reports.popitem(last=False)


@st.cache_resource
def built_reports() -> BuiltReports:
    """Return the Excel reports of this server process."""
    return BuiltReports(_KEPT_REPORTS)


def report_key(
    entries: dict[str, TableEntry],
    spend: list[TableEntry],
    settings: KpiSettings,
    grain: str,
) -> str:
    """Return a key that changes when any input of the Excel report changes.

    The inputs are the stored tables with their versions and names, the
    settings, the grain and the day. The day is in the key because the
    figures of open deals and partial periods count up to today.

    Two equal settings can have different keys when their dictionaries list
    the same items in another order, which only costs a rebuild.
    """
    tables = sorted(
        (table_type, entry.cache_key, entry.name)
        for table_type, entry in entries.items()
    )
    spent = sorted((entry.cache_key, entry.name) for entry in spend)
    return repr((date.today().isoformat(), grain, tables, spent, settings))


def excel_download(settings: KpiSettings, grain: str) -> None:
    """Offer the Excel report of every page with the page's ``settings``:
    period, report currency and rates, and the variants, working time and
    lifespan chosen on it.

    The workbook is built on the first click for these inputs and kept (see
    ``BuiltReports``), so a run does not build it. Later runs offer the
    built bytes, whose file id is a hash of the content, so the id stays
    valid across reruns.
    """
    # Streamlit calls ``build`` outside the script run, where the session
    # state and the URL are empty, so the tables are chosen here.
    entries = report_entries()
    spend = spend_entries()
    key = report_key(entries, spend, settings, grain)
    reports = built_reports()

    def build() -> bytes:
        cached = reports.get(key)
        if cached is not None:
            return cached
        # The Data page stores amounts in EUR without a code, so the report
        # currency converts them from EUR.
        tables = {
            table_type: load_with_currency(entry)
            for table_type, entry in entries.items()
        }
        sources = {
            table_type: (entry.name, entry.rows)
            for table_type, entry in entries.items()
        }
        if spend:
            tables["spend"] = combine_spend(
                {entry.name: load_with_currency(entry) for entry in spend}
            )
            names = ", ".join(entry.name for entry in spend)
            sources["spend"] = (names, sum(entry.rows for entry in spend))
        report_settings = replace(
            settings,
            table_names={
                table_type: entry.name for table_type, entry in entries.items()
            },
        )
        if "tickets" in entries:
            columns = dict(entries["tickets"].mapping)
            report_settings = replace(report_settings, ticket_columns=columns)
        report = excel_report_bytes(tables, report_settings, grain, sources=sources)
        reports.put(key, report)
        return report

    # NOTE: until the first click for these inputs the download is deferred,
    # so a run that ends without drawing the button, such as one a widget
    # change interrupts, can still drop the file id the browser shows.
    built = reports.get(key)
    st.sidebar.download_button(
        "Download Excel report",
        build if built is None else built,
        file_name=f"crm-kpis-{date.today().isoformat()}.xlsx",
        mime=XLSX_MIME,
        key="excel",
        on_click="ignore",
    )


def show_chart(where, chart: alt.TopLevelMixin, **options) -> None:
    """Draw an Altair chart in ``where`` (st or a column) and keep it for the
    page's chart download."""
    where.altair_chart(chart, **options)
    st.session_state.setdefault(CHARTS_KEY, []).append(chart)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def chart_downloads(page: str) -> None:
    """Offer every chart drawn in this run as SVG and PNG files in a zip."""
    drawn = list(st.session_state.get(CHARTS_KEY, []))
    if not drawn:
        return
    st.download_button(
        f"Download the {_count(len(drawn), 'chart')} (SVG and PNG, zip)",
        lambda: charts_archive(drawn),
        file_name=f"{page}-charts.zip",
        mime="application/zip",
        key="charts_zip",
        on_click="ignore",
    )
