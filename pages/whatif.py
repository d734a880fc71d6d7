"""What-if page: move the levers of the business and compare the projected
next 12 months with the baseline from the data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import streamlit as st

from kpi_core import charts
from kpi_core.errors import InputError
from kpi_core.formatting import format_number
from kpi_core.goal_store import ScenarioStore
from kpi_core.money import DEFAULT_CURRENCY, currency_codes
from kpi_core.period import Period, quick_period
from kpi_core.whatif import (
    LEVERS,
    Levers,
    Scenario,
    baseline_levers,
    scenario_table,
    sensitivity,
)
from pages.ui.currencies import page_tables
from pages.ui.downloads import chart_downloads, show_chart
from pages.ui.markdown_escape import escape_markdown
from pages.ui.navigation import data_page_link, require_app_entry
from pages.ui.period_pickers import latest_date
from pages.ui.share_link import share_controls
from pages.ui.shared_views import default_unless_set, shared_view
from pages.ui.workspace_access import workspace

TABLE_TYPES = ("deals", "subscriptions", "spend")
_BASES = {**LEVERS, "active_customers": "Paying customers now"}
_RATIOS = ("clv_to_cac", "payback_months")
# Figures and levers that are amounts of money, shown with the currency.
_MONEY = (
    "won_revenue",
    "arr",
    "clv",
    "cac",
    "average_deal_size",
    "arpa",
    "monthly_spend",
)


def render() -> None:
    st.title("What if")
    st.write(
        "Move the levers of the business and see what the next 12 months bring, "
        "against the baseline read from the last 12 full months of your data."
    )
    tables, _cache_key, money_note = page_tables(TABLE_TYPES)
    if "deals" not in tables:
        st.info("No deals table yet. Upload a deals export on the Data page.")
        data_page_link()
        return
    period = _baseline_period(tables)
    share_controls("whatif", "What if")
    if money_note:
        # Every projection adds up won amounts, so none can be shown.
        st.warning(money_note)
        return
    try:
        levers, notes = baseline_levers(tables, period)
    except InputError as error:
        st.error(escape_markdown(str(error)))
        return
    st.caption(f"Baseline from {period.label()}.")
    unit = _money_unit(tables)
    changes, levers = _lever_form(levers, notes, unit)
    _render_projection(levers, changes, unit)
    _render_sensitivity(levers)
    _render_scenarios()


def _baseline_period(tables: dict[str, pl.DataFrame]) -> Period:
    """Return the last 12 full months before the latest date of the deals,
    subscriptions and spend, as the "Last 12 full months" of the other pages."""
    latest = latest_date(tables) or date.today()
    return quick_period("last_12_months", latest)


def _lever_form(
    levers: Levers, notes: dict[str, str], unit: str
) -> tuple[dict[str, float], Levers]:
    """Show a slider per lever and an input for each baseline the data lacks,
    applied together on submit. Returns the changes and the levers with the
    entered baselines."""
    entered: dict[str, float | None] = {}
    with st.form("whatif_levers"):
        st.subheader("Levers")
        for name, label in _BASES.items():
            baseline = getattr(levers, name)
            in_unit = f" in {unit}" if name in _MONEY else ""
            baseline_text = _plain(baseline)
            if baseline is not None and name in _MONEY:
                baseline_text = f"{baseline_text} {unit}"
            if baseline is None:
                entered[name] = st.number_input(
                    escape_markdown(
                        f"{label}: not in the data ({notes.get(name, '')}); "
                        f"enter a value{in_unit}"
                    ),
                    min_value=0.0,
                    value=None,
                    key=f"whatif_base_{name}",
                )
            if name in LEVERS:
                st.slider(
                    f"{label} (baseline {baseline_text})",
                    min_value=-50,
                    max_value=50,
                    step=5,
                    format="%d %%",
                    help=notes.get(name),
                    **default_unless_set(f"whatif_{name}", value=0),
                )
        st.form_submit_button("Apply")
    changes = {
        name: float(st.session_state.get(f"whatif_{name}", 0))
        for name in LEVERS
        if st.session_state.get(f"whatif_{name}")
    }
    known = {name: value for name, value in entered.items() if value is not None}
    return changes, replace(levers, **known)


def _render_projection(levers: Levers, changes: dict[str, float], unit: str) -> None:
    st.subheader("Next 12 months")
    table = scenario_table(levers, changes)
    row = st.columns(3)
    for column, figure in zip(row, ("won_revenue", "arr", "clv_to_cac"), strict=True):
        values = table.row(by_predicate=pl.col("figure") == figure, named=True)
        delta = None
        if values["difference"] is not None:
            delta = _figure(values["difference"], figure, unit, signed=True)
        scenario = _figure(values["scenario"], figure, unit)
        column.metric(values["label"], scenario, delta)
    display_table = pl.DataFrame(
        [
            {
                "Figure": row["label"],
                "Baseline": _figure(row["baseline"], row["figure"], unit),
                "Scenario": _figure(row["scenario"], row["figure"], unit),
                "Change (%)": _change_text(row["change_percent"]),
            }
            for row in table.iter_rows(named=True)
        ],
        schema={
            "Figure": pl.String,
            "Baseline": pl.String,
            "Scenario": pl.String,
            "Change (%)": pl.String,
        },
    )
    st.dataframe(display_table, hide_index=True)
    st.caption(
        f"A dash means an input is missing: enter it above. Money is in {unit}. "
        "CLV and payback take the gross margin as 100 %."
    )


def _change_text(percent: float | None) -> str:
    """Write a change in percent with its sign, or the table's dash for a
    missing input, which Streamlit would show as "None"."""
    return "–" if percent is None else format_number(percent, 1, sign=True)


def _render_sensitivity(levers: Levers) -> None:
    st.subheader("Which lever matters most")
    table = sensitivity(levers)
    left, right = st.columns(2)
    for column, name, title in (
        (left, "won_revenue_change", "Change in won revenue"),
        (right, "clv_to_cac_change", "Change in CLV : CAC"),
    ):
        if table[name].drop_nulls().is_empty():
            column.info(f"{title}: not available until every input is known.")
            continue
        show_chart(column, charts.sensitivity_bars(table, name, title))
    st.caption("Each lever moved alone by 10 % up and down, the others unchanged.")


def _render_scenarios() -> None:
    st.subheader("Scenarios")
    store = ScenarioStore(workspace().root)
    saved = {scenario.name: scenario for scenario in store.list_scenarios()}
    if saved:
        left, right = st.columns([3, 1])
        name = left.selectbox("Saved scenario", list(saved), key="scenario_pick")
        right.button(
            "Load", key="scenario_load", on_click=_load, args=(saved[name].changes,)
        )
    if shared_view() is not None:
        return
    with st.form("scenario_save_form", clear_on_submit=True):
        name = st.text_input("Save the current levers as", key="scenario_name")
        if st.form_submit_button("Save scenario"):
            changes = {
                lever: float(st.session_state.get(f"whatif_{lever}", 0))
                for lever in LEVERS
                if st.session_state.get(f"whatif_{lever}")
            }
            try:
                store.save(Scenario(name, changes))
            except InputError as error:
                st.error(escape_markdown(str(error)))
            else:
                st.success(f"Saved the scenario “{escape_markdown(name)}”.")


def _load(changes: dict[str, float]) -> None:
    for lever in LEVERS:
        st.session_state[f"whatif_{lever}"] = int(round(changes.get(lever, 0)))


def _figure(value: float | None, figure: str, unit: str, signed: bool = False) -> str:
    if value is None:
        return "–"
    if figure in _RATIOS:
        return format_number(value, 1, sign=signed)
    if figure in _MONEY:
        return f"{format_number(value, sign=signed)} {unit}"
    return format_number(value, sign=signed)


def _money_unit(tables: dict[str, pl.DataFrame]) -> str:
    """Return the one currency of the tables' amounts, which ``page_tables``
    has converted into the report currency where they had several. Amounts
    without a currency column count as ``DEFAULT_CURRENCY``, as elsewhere."""
    codes = {code for frame in tables.values() for code in currency_codes(frame)}
    return codes.pop() if len(codes) == 1 else DEFAULT_CURRENCY


def _plain(value: float | None) -> str:
    return "not in the data" if value is None else format_number(value, 1)


require_app_entry("pages/whatif.py")
render()
chart_downloads("whatif")
