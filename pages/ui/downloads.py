"""Downloads offered on the pages: the Excel report, and the charts drawn
in a run as SVG and PNG files."""

from __future__ import annotations

from datetime import date

import altair as alt
import streamlit as st

from kpi_core.charts import charts_archive
from kpi_core.kpis import KpiSettings
from kpi_core.report_tables import excel_report_bytes
from kpi_core.spend_tables import combine_spend
from pages.ui.table_choice import report_entries, spend_entries
from pages.ui.workspace_access import load_table

# The session state key of the charts drawn in this run. ``mark_app_entry``
# empties the list at the start of every run.
CHARTS_KEY = "_charts"


def excel_download(settings: KpiSettings, grain: str) -> None:
    """Offer the Excel report of every page with the page's ``settings``:
    period, report currency and rates, and the variants, working time and
    lifespan chosen on it. The workbook is built only when the user clicks."""
    # Streamlit calls ``build`` outside the script run, where the session
    # state and the URL are empty, so the tables are chosen here.
    entries = report_entries()
    spend = spend_entries()

    def build() -> bytes:
        tables = {
            table_type: load_table(entry.id, entry.version)
            for table_type, entry in entries.items()
        }
        sources = {
            table_type: (entry.name, entry.rows)
            for table_type, entry in entries.items()
        }
        if spend:
            tables["spend"] = combine_spend(
                {entry.name: load_table(entry.id, entry.version) for entry in spend}
            )
            names = ", ".join(entry.name for entry in spend)
            sources["spend"] = (names, sum(entry.rows for entry in spend))
        return excel_report_bytes(tables, settings, grain, sources=sources)

    st.sidebar.download_button(
        "Download Excel report",
        build,
        file_name=f"crm-kpis-{date.today().isoformat()}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="excel",
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
    )
