"""What-if page: move the levers of the business and compare the projected
next 12 months with the baseline from the data, with each calculation and
the table and period of each input written out."""

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
from kpi_core.page_workbooks import scenario_workbook
from kpi_core.report_tables import source_rows
from kpi_core.whatif import (
    BASES,
    FIGURES,
    LEVERS,
    MONEY_INPUTS,
    SOURCE_TABLES,
    Levers,
    Scenario,
    scenario_table,
    sensitivity,
)
from kpi_core.whatif_baseline import baseline_levers
from kpi_core.whatif_formulas import projection_formulas
from kpi_core.whatif_windows import (
    baseline_windows,
    disjoint_windows_warning,
    windows_caption,
)
from pages.ui.currencies import (
    PageTables,
    default_currency_note,
    page_tables_with,
    table_currencies_note,
)
from pages.ui.downloads import XLSX_MIME, chart_downloads, show_chart
from pages.ui.markdown_escape import escape_markdown
from pages.ui.navigation import data_page_hint, data_page_link, require_app_entry
from pages.ui.share_link import share_controls
from pages.ui.shared_views import default_unless_set, shared_view
from pages.ui.table_sources import show_table_sources, warn_spend_overlap
from pages.ui.workspace_access import workspace

TABLE_TYPES = ("deals", "subscriptions", "spend")
_BASES = {**LEVERS, **BASES}
_SUBSCRIBERS_KEY = "whatif_deals_are_subscribers"
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
        "against the baseline read from the last 12 full months of each table."
    )
    # ARR, CAC and their ratios set one table's money against another's.
    loaded = page_tables_with(TABLE_TYPES, (), adds_tables=True)
    tables, money_note = loaded.tables, loaded.money_note
    if "deals" not in tables and "subscriptions" not in tables:
        # Either gives levers; the other's baselines can be entered.
        st.info(
            "No deals or subscriptions table yet. "
            + data_page_hint(
                "Upload a deals or subscriptions export on the Data page.",
                "Ask the sender of this link to upload a deals or subscriptions "
                "export.",
            )
        )
        data_page_link()
        return
    windows = baseline_windows(tables, date.today())
    share_controls("whatif", "What if")
    if money_note:
        st.warning(escape_markdown(money_note))
    try:
        levers, notes = baseline_levers(
            tables,
            {name: window.period for name, window in windows.items()},
            with_money=money_note is None,
        )
    except InputError as error:
        st.error(escape_markdown(str(error)))
        return
    show_table_sources(*loaded.all_entries())
    _show_currencies(loaded)
    st.caption(windows_caption(windows))
    if disjoint := disjoint_windows_warning(windows):
        st.warning(disjoint)
    warn_spend_overlap(loaded.spend)
    if money_note:
        # Every figure of the projection needs money, so only the inputs
        # that count or time rows can be shown.
        _render_without_money(levers, _sources(levers, notes, set(), loaded))
        return
    unit = loaded.currency or _money_unit(tables)
    changes, levers, entered = _lever_form(levers, notes, unit)
    _render_projection(levers, changes, unit, entered)
    sources = _sources(levers, notes, entered, loaded)
    _render_formulas(levers, changes, sources, unit)
    _render_sensitivity(levers, changes)
    _scenario_download(levers, changes, unit, sources, windows_caption(windows), loaded)
    _render_scenarios()


def _show_currencies(loaded: PageTables) -> None:
    """Name the currency of each table and the tables read as
    ``DEFAULT_CURRENCY`` because they have no currency column."""
    for note in (
        table_currencies_note(*loaded.all_entries()),
        default_currency_note(*loaded.all_entries()),
    ):
        if note is not None:
            st.caption(escape_markdown(note))


def _render_without_money(levers: Levers, sources: dict[str, str]) -> None:
    """Show the inputs that are not amounts of money, with their sources,
    while an exchange rate is missing."""
    st.subheader("Inputs without money")
    names = [name for name in _BASES if name not in MONEY_INPUTS]
    display_table = pl.DataFrame(
        {
            "Input": [_BASES[name] for name in names],
            "Baseline": [_input_value(levers, name, "") for name in names],
        },
        schema={"Input": pl.String, "Baseline": pl.String},
    )
    st.dataframe(display_table, hide_index=True)
    st.caption(
        "The levers, the projected figures and the scenario download need "
        "every amount in one currency, so they appear once the rate is entered."
    )
    with st.expander("Where each input comes from"):
        for name in names:
            st.text(f"{_BASES[name]}: {sources[name]}")


def _lever_form(
    levers: Levers, notes: dict[str, str], unit: str
) -> tuple[dict[str, float], Levers, set[str]]:
    """Show a slider per lever, an input for each baseline the data lacks and
    the choice whether won deals become subscribers, applied together on
    submit. Returns the changes, the levers with the entered baselines and
    that choice, and the names of the entered baselines."""
    entered: dict[str, float | None] = {}
    # A form applies its widgets on submit, so this is the choice in use.
    subscribers = st.session_state.get(_SUBSCRIBERS_KEY, levers.deals_are_subscribers)
    with st.form("whatif_levers"):
        st.subheader("Levers")
        for name, label in _BASES.items():
            baseline = getattr(levers, name)
            if name == "new_subscribers_per_month" and subscribers:
                continue
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
                    escape_markdown(f"{label} (baseline {baseline_text})"),
                    min_value=-50,
                    max_value=50,
                    step=5,
                    format="%d %%",
                    help=escape_markdown(notes.get(name, "")) or None,
                    **default_unless_set(f"whatif_{name}", value=0),
                )
        st.toggle(
            "Won deals become subscribers",
            help=(
                "On: each won deal counts as a new subscriber in ARR and CAC, "
                "which is right only when the deals and the subscriptions "
                "describe the same business. Off: the new subscribers per "
                "month come from the subscriptions' own starts in the baseline "
                "period. Off unless there is no subscriptions table."
            ),
            **default_unless_set(_SUBSCRIBERS_KEY, value=levers.deals_are_subscribers),
        )
        st.form_submit_button("Apply")
    changes = {
        name: float(st.session_state.get(f"whatif_{name}", 0))
        for name in LEVERS
        if st.session_state.get(f"whatif_{name}")
    }
    known = {name: value for name, value in entered.items() if value is not None}
    levers = replace(levers, **known, deals_are_subscribers=bool(subscribers))
    return changes, levers, set(known)


def _render_projection(
    levers: Levers, changes: dict[str, float], unit: str, entered: set[str]
) -> None:
    """Show the scenario's figures and name the source of the new
    subscribers: the won deals, the number ``entered`` on the page, or the
    subscriptions table."""
    st.subheader("Next 12 months")
    table = scenario_table(levers, changes)
    row = st.columns(3)
    for column, figure in zip(row, ("won_revenue", "arr", "clv_to_cac"), strict=True):
        values = table.row(by_predicate=pl.col("figure") == figure, named=True)
        delta = None
        if values["difference"] is not None:
            # The change of the shown figures, so that it checks by hand.
            shown_change = _as_shown(values["scenario"], figure) - _as_shown(
                values["baseline"], figure
            )
            delta = _figure(shown_change, figure, unit, signed=True)
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
    if levers.deals_are_subscribers:
        subscribers = "ARR and CAC count each won deal as a new subscriber."
    elif "new_subscribers_per_month" in entered:
        subscribers = (
            "ARR and CAC take the new subscribers per month entered above, not "
            "the won deals."
        )
    else:
        subscribers = (
            "ARR and CAC take the new subscribers from the subscriptions table, "
            "not from the won deals."
        )
    st.caption(
        "A dash means an input is missing: enter it above. Money is in "
        f"{escape_markdown(unit)}. "
        f"{subscribers} CLV and payback take the gross margin as 100 %."
    )


def _sources(
    levers: Levers,
    notes: dict[str, str],
    entered: set[str],
    loaded: PageTables,
) -> dict[str, str]:
    """Say where each input comes from: the table it was read from, with how
    it was calculated, that it was entered on this page, or why the data
    cannot give it."""
    sources = {}
    for name in _BASES:
        note = notes.get(name, "")
        table_type = SOURCE_TABLES[name]
        entry = loaded.entries.get(table_type)
        table = "the data"
        if entry is not None:
            table = f"the {entry.table_type} table “{entry.name}”"
        if table_type == "spend" and loaded.spend:
            names = " and ".join(f"“{entry.name}”" for entry in loaded.spend)
            noun = "table" if len(loaded.spend) == 1 else "tables, added up,"
            table = f"the spend {noun} {names}"
        if name in entered:
            sources[name] = f"entered here; not in {table}: {note}"
        elif getattr(levers, name) is None:
            sources[name] = f"not in {table}: {note}"
        else:
            sources[name] = f"from {table}: {note}"
    return sources


def _render_formulas(
    levers: Levers, changes: dict[str, float], sources: dict[str, str], unit: str
) -> None:
    """Write out each input with its source and each figure's calculation,
    for the baseline and, once a lever moved, for the scenario."""
    scenario = levers.moved(changes)
    with st.expander("How is this calculated, and where each input comes from"):
        st.markdown("**Inputs**")
        for name, label in _BASES.items():
            line = f"{label}: {_input_value(levers, name, unit)}, {sources[name]}"
            if name in changes:
                moved = _input_value(scenario, name, unit)
                change = format_number(changes[name], 0, sign=True)
                line += f"\nScenario: {change} % = {moved}"
                baseline = getattr(levers, name)
                if baseline is not None and getattr(scenario, name) < baseline * (
                    1 + changes[name] / 100
                ):
                    # Levers.moved stops a rate at 100 %.
                    unlimited = format_number(baseline * (1 + changes[name] / 100), 2)
                    line += f" ({unlimited} %, but a rate stops at 100 %)"
            if name == "new_subscribers_per_month" and levers.deals_are_subscribers:
                line += "\nNot used, because won deals become subscribers."
            st.text(line)
        baseline = projection_formulas(levers, unit)
        moved = projection_formulas(scenario, unit)
        for figure, label in FIGURES.items():
            st.markdown(f"**{label}**")
            if not changes:
                st.text(baseline[figure])
                continue
            st.text(f"Baseline:\n{baseline[figure]}")
            st.text(f"Scenario:\n{moved[figure]}")


def _input_value(levers: Levers, name: str, unit: str) -> str:
    value = getattr(levers, name)
    if value is None:
        return "missing"
    if name in _MONEY:
        return f"{format_number(value, 2)} {unit}"
    if name in ("close_rate", "churn_rate"):
        return f"{format_number(value, 2)} %"
    if name == "active_customers" and float(value).is_integer():
        return format_number(value)
    return format_number(value, 2)


def _change_text(percent: float | None) -> str:
    """Write a change in percent with its sign, or the table's dash for a
    missing input, which Streamlit would show as "None"."""
    return "–" if percent is None else format_number(percent, 1, sign=True)


def _render_sensitivity(levers: Levers, changes: dict[str, float]) -> None:
    st.subheader("Which lever matters most")
    table = sensitivity(levers, changes=changes)
    left, right = st.columns(2)
    for column, name, title in (
        (left, "won_revenue_change", "Change in won revenue"),
        (right, "clv_to_cac_change", "Change in CLV : CAC"),
    ):
        if table[name].drop_nulls().is_empty():
            column.info(f"{title}: not available until every input is known.")
            continue
        show_chart(column, charts.sensitivity_bars(table, name, title))
    start = "the current levers (the baseline with the changes above)"
    if not changes:
        start = "the baseline levers"
    st.caption(
        f"Each lever moved alone by 10 % up and down from {start}, the others "
        "unchanged. A bar is the change against the figure of those levers."
    )


def _scenario_download(
    levers: Levers,
    changes: dict[str, float],
    unit: str,
    sources: dict[str, str],
    baseline: str,
    loaded: PageTables,
) -> None:
    """Offer the inputs, figures, calculations and lever bars of the
    scenario on the page as an Excel workbook."""
    tables = {kind: (entry.name, entry.rows) for kind, entry in loaded.entries.items()}
    if loaded.spend:
        names = ", ".join(entry.name for entry in loaded.spend)
        tables["spend"] = (names, sum(entry.rows for entry in loaded.spend))
    workbook = scenario_workbook(
        levers,
        changes,
        unit=unit,
        input_sources=sources,
        baseline_label=baseline,
        sources=source_rows(tables),
        currency=loaded.currency,
        fx=loaded.rates,
    )
    st.download_button(
        "Download this scenario (Excel)",
        workbook,
        file_name="what-if.xlsx",
        mime=XLSX_MIME,
        key="excel_whatif",
        on_click="ignore",
    )


def _render_scenarios() -> None:
    st.subheader("Scenarios")
    store = ScenarioStore(workspace().root)
    saved = {scenario.name: scenario for scenario in store.list_scenarios()}
    if saved:
        left, right = st.columns([3, 1])
        name = left.selectbox("Saved scenario", list(saved), key="scenario_pick")
        right.button("Load", key="scenario_load", on_click=_load, args=(saved[name],))
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
            # The baselines typed because the data lacks them, as applied.
            inputs = {
                base: float(value)
                for base in _BASES
                if (value := st.session_state.get(f"whatif_base_{base}")) is not None
            }
            subscribers = st.session_state.get(_SUBSCRIBERS_KEY)
            try:
                store.save(Scenario(name, changes, inputs, subscribers))
            except InputError as error:
                st.error(escape_markdown(str(error)))
            else:
                st.success(f"Saved the scenario “{escape_markdown(name)}”.")


def _load(scenario: Scenario) -> None:
    for lever in LEVERS:
        st.session_state[f"whatif_{lever}"] = int(round(scenario.changes.get(lever, 0)))
    # An input the scenario lacks is cleared, so the page shows its figures.
    for base in _BASES:
        st.session_state[f"whatif_base_{base}"] = scenario.inputs.get(base)
    if scenario.deals_are_subscribers is not None:
        st.session_state[_SUBSCRIBERS_KEY] = scenario.deals_are_subscribers


def _figure(value: float | None, figure: str, unit: str, signed: bool = False) -> str:
    if value is None:
        return "–"
    decimals = _decimals(figure, value)
    if figure in _MONEY:
        return f"{format_number(value, decimals, sign=signed)} {unit}"
    return format_number(value, decimals, sign=signed)


def _decimals(figure: str, value: float) -> int:
    """Return the decimals a figure is shown with: one for ratios, and for
    money the cents below 100, as on the KPI cards."""
    if figure in _RATIOS:
        return 1
    if figure in _MONEY and abs(value) < 100:
        return 2
    return 0


def _as_shown(value: float, figure: str) -> float:
    """Return ``value`` rounded as ``_figure`` shows it."""
    return float(format_number(value, _decimals(figure, value)).replace(",", ""))


def _money_unit(tables: dict[str, pl.DataFrame]) -> str:
    """Return the one currency of the tables' amounts when the sidebar offers
    no report currency. Amounts without a currency column count as
    ``DEFAULT_CURRENCY``, as elsewhere."""
    codes = {code for frame in tables.values() for code in currency_codes(frame)}
    return codes.pop() if len(codes) == 1 else DEFAULT_CURRENCY


def _plain(value: float | None) -> str:
    return "not in the data" if value is None else format_number(value, 1)


require_app_entry("pages/whatif.py")
render()
chart_downloads("whatif")
