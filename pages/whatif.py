"""What-if page: move the levers of the business and compare the projected
next 12 months with the baseline from the data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import streamlit as st

from kpi_core import charts
from kpi_core.errors import InputError
from kpi_core.goal_store import ScenarioStore
from kpi_core.period import Period, quick_period
from kpi_core.whatif import (
    LEVERS,
    Levers,
    Scenario,
    baseline_levers,
    scenario_table,
    sensitivity,
)
from pages.common import (
    chart_downloads,
    data_page_link,
    escape_markdown,
    page_tables,
    require_app_entry,
    share_controls,
    shared_view,
    show_chart,
    workspace,
)

TABLE_TYPES = ("deals", "subscriptions", "spend")
_BASES = {**LEVERS, "active_customers": "Paying customers now"}
_RATIOS = ("clv_to_cac", "payback_months")


def render() -> None:
    st.title("What if")
    st.write(
        "Move the levers of the business and see what the next 12 months bring, "
        "against the baseline read from the last 12 full months of your data."
    )
    tables, _cache_key = page_tables(TABLE_TYPES)
    if "deals" not in tables:
        st.info("No deals table yet. Upload a deals export on the Data page.")
        data_page_link()
        return
    period = _baseline_period(tables["deals"])
    share_controls("whatif", "What if")
    try:
        levers, notes = baseline_levers(tables, period)
    except InputError as error:
        st.error(escape_markdown(str(error)))
        return
    st.caption(f"Baseline from {period.label()}.")
    changes, levers = _lever_form(levers, notes)
    _render_projection(levers, changes)
    _render_sensitivity(levers)
    _render_scenarios()


def _baseline_period(deals: pl.DataFrame) -> Period:
    latest = deals["created_at"].cast(pl.Date).max() or date.today()
    return quick_period("last_12_months", latest)


def _lever_form(
    levers: Levers, notes: dict[str, str]
) -> tuple[dict[str, float], Levers]:
    """Show a slider per lever and an input for each baseline the data lacks,
    applied together on submit. Returns the changes and the levers with the
    entered baselines."""
    entered: dict[str, float | None] = {}
    with st.form("whatif_levers"):
        st.subheader("Levers")
        for name, label in _BASES.items():
            baseline = getattr(levers, name)
            if baseline is None:
                entered[name] = st.number_input(
                    escape_markdown(
                        f"{label}: not in the data ({notes.get(name, '')}); "
                        "enter a value"
                    ),
                    min_value=0.0,
                    value=None,
                    key=f"whatif_base_{name}",
                )
            if name in LEVERS:
                st.slider(
                    f"{label} (baseline {_plain(baseline)})",
                    min_value=-50,
                    max_value=50,
                    value=0,
                    step=5,
                    format="%d %%",
                    key=f"whatif_{name}",
                    help=notes.get(name),
                )
        st.form_submit_button("Apply")
    changes = {
        name: float(st.session_state.get(f"whatif_{name}", 0))
        for name in LEVERS
        if st.session_state.get(f"whatif_{name}")
    }
    known = {name: value for name, value in entered.items() if value is not None}
    return changes, replace(levers, **known)


def _render_projection(levers: Levers, changes: dict[str, float]) -> None:
    st.subheader("Next 12 months")
    table = scenario_table(levers, changes)
    row = st.columns(3)
    for column, figure in zip(row, ("won_revenue", "arr", "clv_to_cac"), strict=True):
        values = table.row(by_predicate=pl.col("figure") == figure, named=True)
        delta = None
        if values["difference"] is not None:
            delta = _figure(values["difference"], figure, signed=True)
        column.metric(values["label"], _figure(values["scenario"], figure), delta)
    display_table = pl.DataFrame(
        [
            {
                "Figure": row["label"],
                "Baseline": _figure(row["baseline"], row["figure"]),
                "Scenario": _figure(row["scenario"], row["figure"]),
                "Change (%)": row["change_percent"],
            }
            for row in table.iter_rows(named=True)
        ],
        schema={
            "Figure": pl.String,
            "Baseline": pl.String,
            "Scenario": pl.String,
            "Change (%)": pl.Float64,
        },
    )
    st.dataframe(
        display_table,
        hide_index=True,
        column_config={"Change (%)": st.column_config.NumberColumn(format="%+.1f")},
    )
    st.caption(
        "A dash means an input is missing: enter it above. Money is in the "
        "currency of the data. CLV and payback take the gross margin as 100 %."
    )


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


def _figure(value: float | None, figure: str, signed: bool = False) -> str:
    if value is None:
        return "–"
    sign = "+" if signed else ""
    if figure in _RATIOS:
        return f"{value:{sign},.1f}"
    return f"{value:{sign},.0f}"


def _plain(value: float | None) -> str:
    return "not in the data" if value is None else f"{value:,.1f}"


require_app_entry("pages/whatif.py")
render()
chart_downloads("whatif")
