"""Money in several currencies: the report currency and exchange rates in
the sidebar, the tables converted to that currency, and the note shown while
a rate is missing."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import polars as pl
import streamlit as st

from kpi_core.cell_currency import rare_currency_warnings
from kpi_core.errors import InputError
from kpi_core.formatting import and_list
from kpi_core.goal_metrics import METRICS
from kpi_core.import_problems import LINE
from kpi_core.money import (
    DEFAULT_CURRENCY,
    MONEY_COLUMNS,
    PRICE_COLUMNS,
    currency_codes,
    in_one_currency,
    with_default_currency,
)
from kpi_core.results import KpiResult
from kpi_core.schema import TABLES
from kpi_core.spend_tables import combine_spend
from kpi_core.workspace import TableEntry
from pages.ui.markdown_escape import escape_markdown
from pages.ui.navigation import data_page_hint
from pages.ui.shared_views import shared_view, view_widget_options
from pages.ui.table_choice import newest_table, spend_entries
from pages.ui.url_params import check_url_number, check_url_option
from pages.ui.workspace_access import entries_key, load_table, workspace


def page_tables(
    table_types: tuple[str, ...],
) -> tuple[dict[str, pl.DataFrame], str, str | None]:
    """Load the table in use of each type, with money in one currency when
    the data has several (see ``money_picker``).

    Returns the tables, a cache key of their versions and the currency
    choice, and the ``missing_rate_note`` while a rate is missing. Tables
    are then left in their own currencies, so the KPIs without money still
    work, and money KPIs raise InputError for the page to replace by the
    note.
    """
    view = page_tables_with(table_types, ())
    return view.tables, view.key, view.money_note


@dataclass(frozen=True)
class PageTables:
    """The tables a page uses, as ``page_tables_with`` loads them.

    ``tables`` and ``entries`` give the table in use of each type, and
    ``by_id`` and ``stored`` the requested tables that are still stored.
    The spend tables are added up (see ``spend_entries``): ``tables`` has
    their sum under "spend", and ``spend`` lists them, while ``entries``
    has no spend.
    ``currency`` and ``rates`` are the report currency and exchange rates
    chosen under Currencies, or None and {} when the sidebar shows none.
    """

    tables: dict[str, pl.DataFrame]
    entries: dict[str, TableEntry]
    by_id: dict[str, pl.DataFrame]
    stored: dict[str, TableEntry]
    key: str
    money_note: str | None
    currency: str | None = None
    rates: dict[str, float] = field(default_factory=dict)
    spend: tuple[TableEntry, ...] = ()

    def all_entries(self) -> list[TableEntry]:
        """Return the entries of the tables in use, the spend tables too."""
        return [*self.entries.values(), *self.spend]


def page_tables_with(
    table_types: tuple[str, ...],
    table_ids: tuple[str, ...],
    extra_codes: tuple[str, ...] = (),
    *,
    adds_tables: bool = False,
) -> PageTables:
    """Load the table in use of each type and the stored tables of
    ``table_ids``, all with money in one currency as in ``page_tables``.

    An id of a table no longer stored is left out of ``by_id``.
    ``extra_codes`` are currencies to offer under Currencies besides those
    of the tables, such as the currencies of goals' targets.
    ``adds_tables`` is for a page that adds or divides amounts of different
    tables, as What if does. A table without a currency code then counts as
    ``DEFAULT_CURRENCY`` beside the codes of the others, so a table in USD
    beside one read as EUR needs a rate.
    Once a report currency is chosen, the amounts of a table without a
    currency code are converted from ``DEFAULT_CURRENCY`` like any others.
    """
    entries = {
        table_type: entry
        for table_type in table_types
        if table_type != "spend" and (entry := newest_table(table_type)) is not None
    }
    spend = spend_entries() if "spend" in table_types else []
    stored = (
        {entry.id: entry for entry in workspace().list_tables()} if table_ids else {}
    )
    extra = {
        table_id: stored[table_id]
        for table_id in dict.fromkeys(table_ids)
        if table_id in stored
    }
    used = {entry.id: entry for entry in [*entries.values(), *spend, *extra.values()]}
    frames = {
        table_id: load_table(entry.id, entry.version)
        for table_id, entry in used.items()
    }
    key = entries_key(*entries.values(), *spend)
    if extra:
        key += "+" + entries_key(*extra.values())
    read_as_default = _without_codes(*used.values())
    # A table without a code is converted from the default currency once a
    # report currency is chosen, so that currency's rate must be offered.
    money = money_picker(
        *used.values(),
        extra_codes=extra_codes,
        adds_tables=adds_tables or read_as_default,
    )
    currency, fx = money
    note = None
    if currency is not None:
        rates = tuple(sorted(fx.items()))
        key = f"{key}|{currency}|{rates}"
        note = missing_rate_note(money, *used.values(), default_codes=read_as_default)
        if note is None:
            frames = _converted(frames, used, currency, rates)
    tables = {kind: frames[entry.id] for kind, entry in entries.items()}
    if spend:
        tables["spend"] = combine_spend(
            {entry.name: frames[entry.id] for entry in spend}
        )
    return PageTables(
        tables=tables,
        entries=entries,
        by_id={table_id: frames[table_id] for table_id in extra},
        stored=extra,
        key=key,
        money_note=note,
        currency=currency,
        rates=dict(fx),
        spend=tuple(spend),
    )


def _converted(
    frames: dict[str, pl.DataFrame],
    entries: dict[str, TableEntry],
    currency: str,
    rates: tuple[tuple[str, float], ...],
) -> dict[str, pl.DataFrame]:
    try:
        return {
            table_id: _in_one_currency(
                entries[table_id].cache_key, currency, rates, frame
            )
            for table_id, frame in frames.items()
        }
    except InputError as error:
        st.error(escape_markdown(str(error)))
        st.stop()


def money_picker(
    *entries: TableEntry | None,
    extra_codes: tuple[str, ...] = (),
    adds_tables: bool = False,
) -> tuple[str | None, dict[str, float]]:
    """Show a Currencies section in the sidebar when the stored tables of
    ``entries`` and ``extra_codes`` use several currency codes, and return
    the report currency and exchange rates chosen there, or (None, {}) for
    at most one code.

    With ``adds_tables`` (see ``page_tables_with``) a table without a
    currency code counts as ``DEFAULT_CURRENCY``, so a table in USD beside
    one read as EUR shows the section.

    A rate is the value of one unit of a currency in the report currency.
    Rates not entered yet are left out (see ``missing_rate_note``). In a
    shared view the inputs show the link's currency and rates, disabled.
    """
    extra = set(filter(None, extra_codes))
    codes = {*_money_codes(*entries), *extra}
    if (extra or adds_tables) and _without_codes(*entries):
        # Amounts without a currency column are read in the default currency,
        # so a goal target or a table in another one needs a rate against it.
        codes.add(DEFAULT_CURRENCY)
    codes = sorted(codes)
    if len(codes) < 2:
        return None, {}
    options = view_widget_options()
    # The choice lives in the session state only, because Streamlit warns
    # when a shared link sets it there and the widget gets a default index
    # as well. It is set anew each run, since Streamlit drops the value of a
    # widget that the page before did not draw.
    current = st.session_state.get("currency")
    if current not in codes:
        current = DEFAULT_CURRENCY if DEFAULT_CURRENCY in codes else codes[0]
    st.session_state["currency"] = current
    with st.sidebar.expander("Currencies", expanded=True):
        unit = st.selectbox("Report currency", codes, key="currency", **options)
        check_url_option("currency", unit, codes)
        rates = {}
        for code in codes:
            if code == unit:
                continue
            # The codes are cell values of the uploaded currency columns.
            rate = st.number_input(
                escape_markdown(f"Value of 1 {code} in {unit}"),
                min_value=0.000001,
                value=None,
                format="%.6f",
                key=f"fx_{code}_{unit}",
                **options,
            )
            check_url_number(f"fx_{code}_{unit}", rate, low=0.000001)
            if rate is not None:
                rates[code] = rate
        if options.get("disabled"):
            st.caption("The currency and rates of the shared link.")
        elif len(rates) < len(codes) - 1:
            st.warning("Enter a rate for each currency to add up the amounts.")
    return unit, rates


def missing_rate_note(
    money: tuple[str | None, dict[str, float]],
    *entries: TableEntry | None,
    default_codes: bool = False,
) -> str | None:
    """Return the text that replaces money figures while ``money`` (from
    ``money_picker``) lacks a rate for a currency of ``entries``, or None.

    With ``default_codes`` a table without a currency code needs the rate
    of ``DEFAULT_CURRENCY``, for the pages that convert such a table too
    (see ``page_tables_with``).
    """
    currency, rates = money
    if currency is None:
        return None
    codes = _money_codes(*entries)
    if default_codes and _without_codes(*entries):
        codes = sorted({*codes, DEFAULT_CURRENCY})
    missing = [code for code in codes if code != currency and code not in rates]
    if not missing:
        return None
    needed = " and ".join(f"1 {code}" for code in missing)
    rare = [
        note
        for entry in entries
        if entry is not None
        for note in _rare_currency_notes(entry.id, entry.version)
    ]
    typos = f" {' '.join(rare)}" if rare else ""
    if shared_view() is not None:
        return (
            f"Money figures need the value of {needed} in {currency}, which "
            f"this link does not have. Ask for a new link with the rate.{typos}"
        )
    return (
        f"Money figures need the value of {needed} in {currency}: enter it "
        "under Currencies in the sidebar. The figures without money are "
        f"shown.{typos}"
    )


# The reason of a figure left out for a missing exchange rate. The page
# shows the ``missing_rate_note`` itself once, above its sections
# (``show_rate_note``), so the cards and charts point to it.
RATE_NOTE_POINTER = "It needs the exchange rate named at the top of the page."


def show_rate_note(note: str | None) -> None:
    """Show ``note`` (from ``missing_rate_note``) as a warning, once per page
    above the sections whose money figures it replaces."""
    if note is not None:
        st.warning(escape_markdown(note))


def with_rate_note(
    kpis: dict[str, KpiResult], note: str | None
) -> dict[str, KpiResult]:
    """Return ``kpis`` with ``RATE_NOTE_POINTER`` as the reason of each KPI
    left out for a missing exchange rate while ``note`` (from
    ``missing_rate_note``) is shown, so its card and its explanation point
    to the note."""
    if note is None:
        return kpis
    return {
        key: replace(result, reason=RATE_NOTE_POINTER)
        if result.rate_missing
        else result
        for key, result in kpis.items()
    }


def default_currency_note(*entries: TableEntry | None) -> str | None:
    """Name the tables of ``entries`` whose amounts are read in
    ``DEFAULT_CURRENCY`` because they have no currency code, or return None
    when every table with money has one."""
    names = [
        f"'{entry.name}'"
        for entry in entries
        if entry is not None and _without_codes(entry)
    ]
    if not names:
        return None
    listed = and_list(names)
    have = "has" if len(names) == 1 else "have"
    return (
        f"{listed} {have} no currency column, so the amounts are read as "
        f"{DEFAULT_CURRENCY}. "
        + data_page_hint(
            "If they are in another currency, upload the file again on the Data "
            "page and choose its currency there.",
            "If they are in another currency, the sender of this link can set "
            "it on the Data page.",
        )
    )


def table_currencies_note(*entries: TableEntry | None) -> str | None:
    """Name the currencies of each table of ``entries`` that has money, as in
    "Amounts by table: deals “A” in USD, subscriptions “B” in EUR.", or
    return None when they are all in one currency. A table without a
    currency code counts as ``DEFAULT_CURRENCY`` (see
    ``default_currency_note``)."""
    parts = []
    found: set[str] = set()
    for entry in entries:
        if entry is None:
            continue
        codes = _currency_codes(entry.id, entry.version)
        if not codes and _without_codes(entry):
            codes = [DEFAULT_CURRENCY]
        if not codes:
            continue
        found.update(codes)
        noun = TABLES[entry.table_type].noun
        parts.append(f"{noun} “{entry.name}” in {and_list(codes)}")
    if len(found) < 2:
        return None
    return f"Amounts by table: {', '.join(parts)}."


def is_money_metric(key: str) -> bool:
    """Return True for a goal or comparison metric measured in money, whose
    value needs every exchange rate (``METRICS`` leaves its unit empty)."""
    return METRICS[key].unit == ""


def _money_codes(*entries: TableEntry | None) -> list[str]:
    return sorted(
        {
            code
            for entry in entries
            if entry is not None
            for code in _currency_codes(entry.id, entry.version)
        }
    )


def _without_codes(*entries: TableEntry | None) -> bool:
    """Tell whether a table of ``entries`` has a money column mapped but no
    currency code, so its amounts are read in ``DEFAULT_CURRENCY``."""
    return any(
        entry is not None
        and any(entry.mapping.get(column) for column in MONEY_COLUMNS)
        and not _currency_codes(entry.id, entry.version)
        for entry in entries
    )


@st.cache_resource(max_entries=64)
def _currency_codes(table_id: str, version: int) -> list[str]:
    """Return the currency codes of a stored table, found once per version
    instead of scanning the table on every rerun."""
    return currency_codes(load_table(table_id, version))


@st.cache_resource(max_entries=64)
def _rare_currency_notes(table_id: str, version: int) -> list[str]:
    """Return the warnings on amounts of a stored table in a currency that
    is rare in their column, often a typo, with their lines, found once per
    version."""
    frame = load_table(table_id, version)
    if "currency" not in frame.columns or LINE not in frame.columns:
        return []
    mapping = workspace().get(table_id).mapping
    notes = []
    for column in PRICE_COLUMNS:
        if column in frame.columns:
            header = mapping.get(column) or column
            notes += rare_currency_warnings(
                frame[column], frame["currency"], frame[LINE], header
            )
    return notes


@st.cache_resource(max_entries=16)
def _in_one_currency(
    cache_key: str,
    currency: str,
    rates: tuple[tuple[str, float], ...],
    _frame: pl.DataFrame,
) -> pl.DataFrame:
    """Convert a stored table once per version, currency and rates; shared
    between sessions like ``load_table``.

    A table with money but no currency code has its amounts in
    ``DEFAULT_CURRENCY`` (see ``_without_codes``), so they are converted
    from it. Left without a code, they would be taken as already in
    ``currency``.
    """
    del cache_key
    return in_one_currency(with_default_currency(_frame), currency, dict(rates))
