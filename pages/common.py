"""Streamlit helpers shared by the pages: workspace, caching, period picker,
KPI cards.

Nothing here computes a KPI; it only connects widgets to ``kpi_core``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import altair as alt
import polars as pl
import streamlit as st

from kpi_core.charts import charts_archive
from kpi_core.compare import previous_period, same_period_last_year
from kpi_core.errors import InputError
from kpi_core.exporting import safe_csv
from kpi_core.formatting import (
    LOWER_IS_BETTER,
    count_noun,
    format_change,
    format_value,
)
from kpi_core.goal_metrics import METRICS
from kpi_core.importing import FilePreview, preview_file
from kpi_core.mapping import Mapping
from kpi_core.money import DEFAULT_CURRENCY, currency_codes, in_one_currency
from kpi_core.period import GRAINS, QUICK_PERIODS, Period, quick_period
from kpi_core.prepare import PreparedTable, prepare_table
from kpi_core.report_tables import excel_report_bytes
from kpi_core.results import KpiResult
from kpi_core.schema import TABLES
from kpi_core.sharing import SharedView, ViewStore
from kpi_core.workspace import TableEntry, Workspace

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
SAMPLE_FILES = {
    "deals.csv": "deals",
    "stage_history.csv": "stage_history",
    "subscriptions.csv": "subscriptions",
    "orders.csv": "orders",
    "spend.csv": "spend",
    "email_events.csv": "email_events",
    "nps.csv": "nps",
    "tickets.csv": "tickets",
    "ticket_messages.csv": "ticket_messages",
}
_SAMPLE_MARKER = ".sample-loaded"


@st.cache_resource
def workspace() -> Workspace:
    """Open the workspace once per server process, with the demo data on
    first start."""
    store = Workspace()
    marker = store.root / _SAMPLE_MARKER
    if not marker.exists():
        load_sample_data(store)
        marker.touch()
    return store


@st.cache_resource(max_entries=16)
def load_table(table_id: str, version: int) -> pl.DataFrame:
    """Load a stored table; the version in the key drops replaced content.

    The frame is shared between sessions, so callers must not change it in
    place (Polars operations return new frames).
    """
    del version
    return workspace().load(table_id)


# The upload caches share their results between sessions instead of copying
# them on every rerun as st.cache_data would, which unpickles the whole
# preview of a large file each time. Their keys name the content, so the
# bytes are not hashed on every rerun either.
@st.cache_resource(max_entries=4, show_spinner="Reading the file...")
def cached_preview(
    upload_key: str,
    file_name: str,
    _data: bytes,
    sheet: str | None,
    table: str | None,
) -> FilePreview:
    """Read and recognise an upload once per content (``upload_key``), sheet
    and table type, within the upload limit of the server setting."""
    limit = st.get_option("server.maxUploadSize") * 2**20
    return preview_file(file_name, _data, sheet=sheet, table=table, max_bytes=limit)


def load_entry(entry: TableEntry | None) -> pl.DataFrame | None:
    """Load a stored table, or return None when there is no entry."""
    return load_table(entry.id, entry.version) if entry is not None else None


def entries_key(*entries: TableEntry | None) -> str:
    """Return a cache key that changes when any of the tables changes."""
    return "|".join(entry.cache_key if entry else "-" for entry in entries)


def content_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def data_page_link() -> None:
    """Link to the Data page, except in a shared view, which has no Data
    page and would raise StreamlitPageNotFoundError for the link."""
    if shared_view() is None:
        st.page_link("pages/data.py", label="Go to the Data page")


def newest_table(table_type: str) -> TableEntry | None:
    """Pick the table of one type a page should use, letting the user choose
    when the workspace contains several."""
    entries = workspace().list_tables(table_type)
    if (pinned := _pinned_table(table_type, entries)) is not None:
        return pinned
    if not entries:
        return None
    if len(entries) == 1:
        return entries[0]
    labels = {entry.id: _table_label(entry) for entry in entries}
    _warn_unknown_url_table(table_type, entries)
    # The widget state is dropped when the user opens a page without this
    # box, so the choice is also kept apart and is the default on every page.
    # The widget is not bound to the URL, because Streamlit would write the
    # label, which changes when the table is replaced or renamed. The URL
    # gets the table id instead (see ``_remember_table``).
    remembered = _session_table(table_type, entries)
    chosen = st.sidebar.selectbox(
        f"{TABLES[table_type].label} table",
        list(labels),
        index=entries.index(remembered) if remembered else 0,
        format_func=labels.__getitem__,
        key=_table_param(table_type),
    )
    entry = next(entry for entry in entries if entry.id == chosen)
    _remember_table(table_type, entry, entries)
    return entry


def _table_label(entry: TableEntry) -> str:
    return f"{entry.name} ({count_noun(entry.rows, 'row')})"


def _table_param(table_type: str) -> str:
    """Return the widget key and URL parameter of a table choice, such as
    ``table_deals``."""
    return f"table_{table_type}"


def _session_table(table_type: str, entries: list[TableEntry]) -> TableEntry | None:
    """Return the table of this type the user chose last in this session, else
    the one the URL names, or None when neither names a stored table."""
    chosen = st.session_state.get(_TABLE_CHOICES, {}).get(table_type)
    remembered = next((entry for entry in entries if entry.id == chosen), None)
    return remembered or _url_table(table_type, entries)


def _url_table(table_type: str, entries: list[TableEntry]) -> TableEntry | None:
    """Return the table the URL parameter names, or None.

    The parameter contains the table id. Older URLs contain the label
    "name (N rows)" instead, which is matched in full, or by the name alone
    when one table of this type has that name, because replacing a table
    changes its row count.
    """
    value = st.query_params.get(_table_param(table_type))
    if not value:
        return None
    for entry in entries:
        if entry.id == value:
            return entry
    for entry in entries:
        if _table_label(entry) == value:
            return entry
    name = _ROW_COUNT_SUFFIX.sub("", value)
    named = [entry for entry in entries if entry.name == name]
    return named[0] if len(named) == 1 else None


def _warn_unknown_url_table(table_type: str, entries: list[TableEntry]) -> None:
    value = st.query_params.get(_table_param(table_type))
    if not value or _url_table(table_type, entries) is not None:
        return
    st.sidebar.warning(
        f"The {TABLES[table_type].noun} table named in the address "
        f"(“{escape_markdown(value)}”) is not stored any more. The table "
        "chosen below is shown instead."
    )


def _remember_table(
    table_type: str, entry: TableEntry, entries: list[TableEntry]
) -> None:
    """Keep the table chosen for this type for the other pages of the
    session, and in the URL as the table id, so a reload or a bookmark shows
    the same table.

    The newest table is the default and is not kept, so the pages move on
    to a table uploaded later unless the user chose an older one.
    """
    choices = st.session_state.setdefault(_TABLE_CHOICES, {})
    param = _table_param(table_type)
    if entry.id == entries[0].id:
        choices.pop(table_type, None)
        if param in st.query_params:
            del st.query_params[param]
        return
    choices[table_type] = entry.id
    if st.query_params.get(param) != entry.id:
        st.query_params[param] = entry.id


def _pinned_table(
    table_type: str, entries: list[TableEntry], *, stop_if_deleted: bool = True
) -> TableEntry | None:
    """Return the table a shared link was made with, or None outside a shared
    view or when the link pins no table of this type.

    When that table was deleted, stop the page with a message, or with
    ``stop_if_deleted=False`` return None.
    """
    pinned = _pinned_id(table_type)
    if pinned is None:
        return None
    for entry in entries:
        if entry.id == pinned:
            return entry
    if not stop_if_deleted:
        return None
    st.error(
        f"The {TABLES[table_type].noun} table this link shows was deleted. "
        "Ask for a new link."
    )
    st.stop()


def _pinned_id(table_type: str) -> str | None:
    """Return the id of the table of this type a shared link was made with,
    or None outside a shared view or when the link pins none of this type."""
    view = shared_view()
    return view.settings.get(_PINNED, {}).get(table_type) if view else None


def period_picker(frame: pl.DataFrame, date_columns: list[str]) -> Period:
    """Show the period controls in the sidebar and return the chosen period.

    Quick picks count back from the latest date in the data, so an export
    that ends in the past still has a "last 12 full months".
    """
    low, high = _date_range(frame, date_columns)
    choices = [*QUICK_PERIODS, "custom"]
    labels = {**QUICK_PERIODS, "custom": "Custom"}
    choice = st.sidebar.selectbox(
        "Period",
        choices,
        format_func=labels.__getitem__,
        key="period",
        **view_widget_options(),
    )
    if choice != "custom":
        period = quick_period(choice, high)
        if not period.is_all:
            st.sidebar.caption(f"{period.label()}, counted back from {high}")
        return period
    picked = st.sidebar.date_input(
        "From and to",
        value=(low, high),
        min_value=low,
        max_value=high,
        key="dates",
        **view_widget_options(),
    )
    if len(picked) == 2:
        return Period(picked[0], picked[1])
    st.sidebar.info("Pick the last day of the period too.")
    return Period(picked[0], None)


def money_picker(*entries: TableEntry | None) -> tuple[str | None, dict[str, float]]:
    """Show a Currencies section in the sidebar when the stored tables of
    ``entries`` use several currency codes, and return the report currency
    and exchange rates chosen there, or (None, {}) for at most one code.

    A rate is the value of one unit of a currency in the report currency.
    Rates not entered yet are left out (see ``missing_rate_note``). In a
    shared view the inputs show the link's currency and rates, disabled.
    """
    codes = _money_codes(*entries)
    if len(codes) < 2:
        return None, {}
    options = view_widget_options()
    with st.sidebar.expander("Currencies", expanded=True):
        unit = st.selectbox(
            "Report currency",
            codes,
            index=codes.index(DEFAULT_CURRENCY) if DEFAULT_CURRENCY in codes else 0,
            key="currency",
            **options,
        )
        rates = {}
        for code in codes:
            if code == unit:
                continue
            rate = st.number_input(
                f"Value of 1 {code} in {unit}",
                min_value=0.000001,
                value=None,
                format="%.6f",
                key=f"fx_{code}_{unit}",
                **options,
            )
            if rate is not None:
                rates[code] = rate
        if options.get("disabled"):
            st.caption("The currency and rates of the shared link.")
        elif len(rates) < len(codes) - 1:
            st.warning("Enter a rate for each currency to add up the amounts.")
    return unit, rates


def missing_rate_note(
    money: tuple[str | None, dict[str, float]], *entries: TableEntry | None
) -> str | None:
    """Return the text that replaces money figures while ``money`` (from
    ``money_picker``) lacks a rate for a currency of ``entries``, or None."""
    currency, rates = money
    if currency is None:
        return None
    codes = _money_codes(*entries)
    missing = [code for code in codes if code != currency and code not in rates]
    if not missing:
        return None
    needed = " and ".join(f"1 {code}" for code in missing)
    if shared_view() is not None:
        return (
            f"Money figures need the value of {needed} in {currency}, which "
            "this link does not have. Ask for a new link with the rate."
        )
    return (
        f"Money figures need the value of {needed} in {currency}: enter it "
        "under Currencies in the sidebar. The figures without money are shown."
    )


def with_rate_note(
    kpis: dict[str, KpiResult], note: str | None
) -> dict[str, KpiResult]:
    """Return ``kpis`` with ``note`` (from ``missing_rate_note``) as the reason
    of each KPI left out for a missing exchange rate, so its card and its
    explanation name the rate to enter."""
    if note is None:
        return kpis
    return {
        key: replace(result, reason=note) if result.rate_missing else result
        for key, result in kpis.items()
    }


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


@st.cache_resource(max_entries=64)
def _currency_codes(table_id: str, version: int) -> list[str]:
    """Return the currency codes of a stored table, found once per version
    instead of scanning the table on every rerun."""
    return currency_codes(load_table(table_id, version))


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
    entries = {
        table_type: entry
        for table_type in table_types
        if (entry := newest_table(table_type)) is not None
    }
    tables = {
        table_type: load_table(entry.id, entry.version)
        for table_type, entry in entries.items()
    }
    key = entries_key(*entries.values())
    money = money_picker(*entries.values())
    currency, fx = money
    if currency is None:
        return tables, key, None
    rates = tuple(sorted(fx.items()))
    key = f"{key}|{currency}|{rates}"
    note = missing_rate_note(money, *entries.values())
    if note is not None:
        return tables, key, note
    try:
        converted = {
            table_type: _in_one_currency(
                entries[table_type].cache_key, currency, rates, frame
            )
            for table_type, frame in tables.items()
        }
    except InputError as error:
        st.error(escape_markdown(str(error)))
        st.stop()
    return converted, key, None


@st.cache_resource(max_entries=16)
def _in_one_currency(
    cache_key: str,
    currency: str,
    rates: tuple[tuple[str, float], ...],
    _frame: pl.DataFrame,
) -> pl.DataFrame:
    """Convert a stored table once per version, currency and rates; shared
    between sessions like ``load_table``."""
    del cache_key
    return in_one_currency(_frame, currency, dict(rates))


def comparison_picker(period: Period) -> Period | None:
    """Offer to compare the chosen period with the previous one or the same
    period a year earlier; return that period, or None."""
    if period.is_all or period.start is None or period.end is None:
        return None
    labels = {
        "none": "Nothing",
        "previous": "Previous period",
        "last_year": "Same period last year",
    }
    choice = st.sidebar.selectbox(
        "Compare with",
        list(labels),
        format_func=labels.__getitem__,
        key="compare_with",
        **view_widget_options(),
    )
    if choice == "previous":
        return previous_period(period)
    if choice == "last_year":
        return same_period_last_year(period)
    return None


def grain_picker() -> str:
    """Show the time grain of the series in the sidebar and return it, one of
    ``kpi_core.period.GRAINS``."""
    grain = st.sidebar.segmented_control(
        "Group by",
        list(GRAINS),
        default="month",
        key="grain",
        **view_widget_options(),
    )
    return grain or "month"


def kpi_card(
    column, label: str, result: KpiResult, previous: KpiResult | None = None
) -> None:
    """Show one KPI as a metric with n, interval and small-sample note, or
    'Not available' with the reason. With ``previous``, the change against
    the comparison period is shown as the metric's delta."""
    with column:
        if not result.available:
            st.metric(label, "Not available")
            st.caption(escape_markdown(result.reason))
            return
        delta = None
        if previous is not None and previous.available:
            delta = format_change(result.value, previous.value, result.unit)
        st.metric(
            label,
            format_value(result.value, result.unit),
            delta=delta,
            delta_color="inverse" if result.key in LOWER_IS_BETTER else "normal",
            help=escape_markdown(f"{result.value:,.2f} {result.unit}"),
        )
        if previous is not None and not previous.available:
            st.caption("No value in the comparison period.")
        details = []
        if result.n is not None:
            details.append(f"n = {result.n:,}")
        if result.ci95 is not None:
            low, high = (format_value(bound, result.unit) for bound in result.ci95)
            details.append(f"95 % interval {low} to {high}")
        if "median" in result.extra:
            median = format_value(result.extra["median"], result.unit)
            details.append(f"median {median}")
        if details:
            # The unit is the currency code found in the data.
            st.caption(escape_markdown(", ".join(details)))
        if result.small_sample:
            st.caption("Small sample: fewer than 30 observations.")


def kpi_row(
    labels: dict[str, str],
    kpis: dict[str, KpiResult],
    previous: dict[str, KpiResult],
) -> None:
    """Show one card per KPI key in ``labels``, side by side. A KPI whose
    table was never imported is shown as not available with that reason."""
    for column, (key, label) in zip(
        st.columns(len(labels)), labels.items(), strict=True
    ):
        if key in kpis:
            kpi_card(column, label, kpis[key], previous.get(key))
            continue
        with column:
            st.metric(label, "Not available")
            st.caption("No table for this KPI has been imported.")


def explain(
    result: KpiResult,
    label: str,
    rows: pl.DataFrame | None = None,
) -> None:
    """Show how a KPI was calculated, which rows were left out, and offer
    the rows behind it as a CSV download."""
    if result.available:
        st.markdown(f"**{label}**: {escape_markdown(result.variant)}")
        st.text(result.formula)
    else:
        st.markdown(f"**{label}**: not available")
        st.text(result.reason)
    for reason, count in result.excluded.items():
        left_out = count_noun(count, "row")
        st.text(f"{left_out} left out of {label.lower()}: {reason}")
    if rows is not None and rows.height:
        st.download_button(
            f"Rows behind {label.lower()} ({rows.height:,}, CSV)",
            lambda: safe_csv(rows),
            file_name=f"{result.key}-rows.csv",
            mime="text/csv",
            key=f"rows:{result.key}",
        )


# Markdown that Streamlit would turn into code, emphasis, links, images,
# maths, headings, tables, strike-through or HTML. "&" is escaped only where
# it starts an entity such as "&lt;", and ":" only before a letter, where it
# starts a colour directive such as ":red[". The "/" of ":material/home:" is
# escaped because a backslash before ":" does not stop Streamlit's icons.
# ">" is left alone, because "\>" shows its backslash inside an autolink,
# and it only matters at the start of a line.
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]<$|~#:]|&(?=#?\w+;)|(?<=:material)/")
# Emoji shortcodes such as ":smile:", ":+1:" and ":100:". Streamlit replaces
# them after the escapes are resolved, so a backslash does not stop them. An
# invisible word joiner after the first colon does.
_SHORTCODE = re.compile(r":(?:[\w-]*[A-Za-z][\w-]*|\+1|-1|100|1234):")
_WORD_JOINER = "\u2060"
_LIST_OR_RULE = re.compile(r"^(\s*)([-+=>])")
_NUMBERED_ITEM = re.compile(r"^(\s*)(\d+)([.)])")


def escape_markdown(text: str) -> str:
    """Escape user text (names, file names, cell values, error messages that
    quote them) for st.markdown, st.caption, alerts and widget labels, so it
    shows as typed and never becomes an image, HTML, a formula or formatting.

    Line breaks become spaces because the callers show one-line text. An "_"
    between two letters or digits stays as it is, because it cannot start
    emphasis there, so "sales_pipeline" is unchanged.
    """
    # NOTE: GFM still turns bare URLs and email addresses into clickable
    # links (opened in a new tab, never fetched), because Streamlit finds
    # them after the escapes are resolved.
    flat = re.sub(r"\r\n|\r|\n", " ", text)
    shortcodes = {match.start() for match in _SHORTCODE.finditer(flat)}
    escaped = _MARKDOWN_SYNTAX.sub(
        lambda match: _escaped(flat, match, shortcodes), flat
    )
    escaped = _LIST_OR_RULE.sub(r"\1\\\2", escaped)
    return _NUMBERED_ITEM.sub(r"\1\2\\\3", escaped)


def _escaped(text: str, match: re.Match[str], shortcodes: set[int]) -> str:
    at, found = match.start(), match.group(0)
    if found == ":" and at in shortcodes:
        return ":" + _WORD_JOINER
    if found == ":" and not text[at + 1 : at + 2].isalpha():
        return found
    inside_word = 0 < at < len(text) - 1 and (
        text[at - 1].isalnum() and text[at + 1].isalnum()
    )
    if found == "_" and inside_word:
        return found
    return "\\" + found


@st.cache_resource(max_entries=4, show_spinner="Checking the values...")
def cached_prepare(
    upload_key: str,
    mapping_items: tuple[tuple[str, str | None], ...],
    order_items: tuple[tuple[str, str], ...],
    _preview: FilePreview,
) -> PreparedTable:
    """Parse an upload with the user's mapping, once per upload and choice.

    ``upload_key`` identifies the content, sheet and table type of
    ``_preview``, which is left out of the hash.
    """
    mapping = Mapping(_preview.mapping.table, dict(mapping_items))
    return prepare_table(_preview.raw, mapping, dict(order_items))


def load_sample_data(store: Workspace) -> None:
    """Import the built-in demo files into the workspace, marked as samples."""
    for file_name, table_type in SAMPLE_FILES.items():
        path = SAMPLE_DIR / file_name
        preview = preview_file(file_name, path.read_bytes(), table=table_type)
        prepared: PreparedTable = prepare_table(preview.raw, preview.mapping)
        store.save(
            prepared.frame,
            name=f"Sample {table_type.replace('_', ' ')}",
            table_type=table_type,
            source_file=f"sample_data/{file_name}",
            mapping=prepared.mapping,
            is_sample=True,
        )


def _date_range(frame: pl.DataFrame, columns: list[str]) -> tuple[date, date]:
    values = pl.concat([frame[c].cast(pl.Date) for c in columns]).drop_nulls()
    if values.is_empty():
        today = date.today()
        return today, today
    return values.min(), values.max()


# Widget keys that make up a view; upload and table-management widgets are
# left out because a shared view is read-only.
_VIEW_KEY = re.compile(
    r"^(period|dates|grain|segment|currency|fx_\w+|table_\w+|service_\w+|goals_\w+"
    r"|whatif_\w+|compare_\w+)$"
)


# View settings that several pages share. A shared view sets them on every
# run and shows their widgets disabled, so every page of the view uses the
# link's period, grouping, comparison, currency and exchange rates.
_FIXED_KEY = re.compile(r"^(period|dates|grain|compare_with|currency|fx_\w+)$")


def shared_view() -> SharedView | None:
    """Return the view named by ``?view=`` in the URL, or None for the normal
    editable app. An unknown or revoked link stops the page with a message."""
    token = _view_token()
    if not token:
        return None
    try:
        return ViewStore(workspace().root).get(token)
    except InputError as error:
        st.error(escape_markdown(str(error)))
        st.stop()


def _view_token() -> str | None:
    # A session that opened a shared link stays read-only, also after the
    # sidebar navigation drops ``view`` from the URL.
    return st.query_params.get(_VIEW_PARAM) or st.session_state.get(_APPLIED_VIEW)


def _apply_view_settings(*, entering_page: bool) -> None:
    """Write a shared view's settings into the widget state before any widget
    is drawn.

    Streamlit drops the state of widgets that a page does not draw, so the
    settings are written again. The ``_FIXED_KEY`` ones are written on every
    run. The others (variants, segment, page controls) are written when the
    viewer opens a page, and the viewer may change them on that page.
    """
    token = _view_token()
    if not token:
        return
    # The sidebar navigation drops the parameter from the URL. Writing it
    # back keeps every page of the view read-only after a reload, and in a
    # bookmark or a forwarded address.
    if _VIEW_PARAM not in st.query_params:
        st.query_params[_VIEW_PARAM] = token
    try:
        view = ViewStore(workspace().root).get(token)
    except InputError:
        return  # shared_view() stops the page with the message.
    first_run = st.session_state.get(_APPLIED_VIEW) != token
    for key, value in view.settings.items():
        if key == _PINNED:
            continue
        if first_run or entering_page or _FIXED_KEY.match(key):
            st.session_state[key] = _decode(value)
    st.session_state[_APPLIED_VIEW] = token


def view_widget_options() -> dict:
    """Return the keyword arguments for the widget of a ``_FIXED_KEY``
    setting: bound to the URL, or in a shared view disabled and unbound, so
    neither the widget nor a changed URL can alter the link's setting."""
    if shared_view() is None:
        return {"bind": "query-params"}
    return {"disabled": True, "bind": None}


def share_controls(page: str, title: str) -> None:
    """Offer a link to the current view in the sidebar, or note that this is
    a read-only shared view."""
    view = shared_view()
    if view is not None:
        st.sidebar.info(f"Read-only view shared on {view.created_at[:10]}.")
        return
    if not editor_unlocked() or not st.sidebar.button("Share this view", key="share"):
        return
    settings = {
        key: _encode(value)
        for key, value in st.session_state.items()
        if isinstance(key, str) and _VIEW_KEY.match(key)
    }
    # The link keeps showing these tables, and reports it when one is deleted.
    settings[_PINNED] = {
        table_type: entry.id
        for table_type in TABLES
        if (entry := chosen_table(table_type)) is not None
    }
    created = ViewStore(workspace().root).create(page, title, settings)
    st.sidebar.success("Anyone with this link sees this view, read-only:")
    st.sidebar.code(_link(page, created.token), language=None)


def _link(page: str, token: str) -> str:
    base = (st.context.url or "http://localhost:8501/").split("?")[0]
    root = base.rsplit("/", 1)[0] if base.count("/") > 2 else base.rstrip("/")
    return f"{root}/{page}?view={token}"


def _encode(value):
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    return value


def _decode(value):
    if isinstance(value, dict) and set(value) == {"date"}:
        return date.fromisoformat(value["date"])
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    return value


def excel_download(
    period: Period,
    grain: str,
    money: tuple[str | None, dict[str, float]] = (None, {}),
) -> None:
    """Offer the Excel report of every page for the current period, in the
    report currency and rates of ``money`` (see ``money_picker``); it is
    built only when the user clicks."""
    # Streamlit calls ``build`` outside the script run, where the session
    # state and the URL are empty, so the tables are chosen here.
    entries = report_entries()

    def build() -> bytes:
        tables = {
            table_type: load_table(entry.id, entry.version)
            for table_type, entry in entries.items()
        }
        sources = {
            table_type: (entry.name, entry.rows)
            for table_type, entry in entries.items()
        }
        return excel_report_bytes(tables, period, grain, *money, sources=sources)

    st.sidebar.download_button(
        "Download Excel report",
        build,
        file_name=f"crm-kpis-{date.today().isoformat()}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="excel",
    )


def report_entries() -> dict[str, TableEntry]:
    """Return the table in use of each type, as ``chosen_table`` picks it,
    leaving out the types without a table and the tables a shared link
    shows but that were deleted since."""
    stored: dict[str, list[TableEntry]] = {}
    for entry in workspace().list_tables():
        stored.setdefault(entry.table_type, []).append(entry)
    return {
        table_type: entry
        for table_type in TABLES
        if (
            entry := _chosen_entry(
                table_type, stored.get(table_type, []), stop_if_deleted=False
            )
        )
        is not None
    }


def chosen_table(table_type: str, *, stop_if_deleted: bool = True) -> TableEntry | None:
    """Return the table of one type in use, without drawing a widget: in a
    shared view the table the link was made with (see ``_pinned_table``),
    else the user's choice in this session or the one the URL names, else
    the newest."""
    entries = workspace().list_tables(table_type)
    return _chosen_entry(table_type, entries, stop_if_deleted=stop_if_deleted)


def _chosen_entry(
    table_type: str, entries: list[TableEntry], *, stop_if_deleted: bool
) -> TableEntry | None:
    if _pinned_id(table_type) is not None:
        return _pinned_table(table_type, entries, stop_if_deleted=stop_if_deleted)
    if not entries:
        return None
    entry = _session_table(table_type, entries) or entries[0]
    _remember_table(table_type, entry, entries)
    return entry


def editor_unlocked() -> bool:
    """Return True when the user may upload, edit and delete.

    Without ``editor_password`` in ``.streamlit/secrets.toml`` the app is an
    open local tool. With it, the sidebar requests the password once per
    session, and shared links stay read-only either way.
    """
    if shared_view() is not None:
        return False
    expected = _editor_password()
    if expected is None or st.session_state.get("_editor"):
        return True
    given = st.sidebar.text_input("Editor password", type="password", key="_password")
    if given and hmac.compare_digest(given.encode(), expected.encode()):
        st.session_state["_editor"] = True
        return True
    if given:
        st.sidebar.error("Wrong password.")
    return False


def _editor_password() -> str | None:
    try:
        value = st.secrets.get("editor_password")
    except FileNotFoundError:
        return None
    return str(value) if value else None


def require_app_entry(page: str) -> None:
    """Hand a page over to app.py when Streamlit ran it on its own, and set
    a shared view's page settings when the viewer opens another page.

    Until the first session of a server process has run app.py, Streamlit
    treats pages/ as an old-style page folder and runs a directly opened URL
    such as /service without app.py, so without its navigation and
    read-only checks. Switching to app.py once fixes that for every session.
    """
    if not st.session_state.get(_APP_RAN):
        params = {**st.query_params.to_dict(), _ENTRY_PAGE: page}
        st.switch_page("app.py", query_params=params)
    if st.session_state.get(_VIEW_PAGE) != page:
        _apply_view_settings(entering_page=True)
        st.session_state[_VIEW_PAGE] = page


def entry_page() -> str | None:
    """Return and forget the page a direct first visit asked for."""
    page = st.query_params.get(_ENTRY_PAGE)
    if page is None:
        return None
    del st.query_params[_ENTRY_PAGE]
    return page if re.fullmatch(r"pages/[a-z]+\.py", page) else None


def mark_app_entry() -> None:
    """Record that app.py's navigation ran in this session, start the run's
    list of charts for the image download, and set a shared view's settings
    before any widget is drawn."""
    st.session_state[_APP_RAN] = True
    st.session_state[_CHARTS] = []
    _apply_view_settings(entering_page=False)


def show_chart(where, chart: alt.TopLevelMixin, **options) -> None:
    """Draw an Altair chart in ``where`` (st or a column) and keep it for the
    page's chart download."""
    where.altair_chart(chart, **options)
    st.session_state.setdefault(_CHARTS, []).append(chart)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def chart_downloads(page: str) -> None:
    """Offer every chart drawn in this run as SVG and PNG files in a zip."""
    drawn = list(st.session_state.get(_CHARTS, []))
    if not drawn:
        return
    st.download_button(
        f"Download the {_count(len(drawn), 'chart')} (SVG and PNG, zip)",
        lambda: charts_archive(drawn),
        file_name=f"{page}-charts.zip",
        mime="application/zip",
        key="charts_zip",
    )


_APP_RAN = "_app_ran"
_PINNED = "pinned_tables"
_CHARTS = "_charts"
_ENTRY_PAGE = "entry"
_TABLE_CHOICES = "_table_choices"
# The row count of a table label, as in "sales_pipeline (8,800 rows)".
_ROW_COUNT_SUFFIX = re.compile(r" \([\d,]+ rows?\)$")
_APPLIED_VIEW = "_applied_view"
_VIEW_PARAM = "view"
_VIEW_PAGE = "_view_page"
