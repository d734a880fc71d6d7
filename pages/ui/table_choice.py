"""The table of each type the pages use: the table a shared link pins, else
the user's choice in this session or the URL, else the newest."""

from __future__ import annotations

import re

import streamlit as st

from kpi_core.formatting import and_list, count_noun
from kpi_core.schema import TABLES
from kpi_core.workspace import TableEntry, name_notes
from pages.ui.markdown_escape import escape_markdown
from pages.ui.shared_views import PINNED_TABLES, shared_view
from pages.ui.workspace_access import workspace

_TABLE_CHOICES = "_table_choices"
# The id and name of the table of each type the session showed last.
_SHOWN_TABLES = "_shown_tables"
# The row count of a table label, as in "sales_pipeline (8,800 rows)".
_ROW_COUNT_SUFFIX = re.compile(r" \([\d,]+ rows?\)$")


def newest_table(table_type: str) -> TableEntry | None:
    """Pick the table of one type a page should use, letting the user choose
    when the workspace contains several, and warn once when the table shown
    before was deleted."""
    entries = workspace().list_tables(table_type)
    if _pinned_id(table_type) is not None:
        return _pinned_table(table_type, entries)
    entry = _table_box(table_type, entries)
    _note_shown_table(table_type, entry, entries)
    return entry


def spend_entries() -> list[TableEntry]:
    """Return the spend tables whose spend the pages add up: those a shared
    link was made with, else every stored spend table of the user's own, or
    the sample tables while there are no others.

    Spend has no table box in the sidebar, because a company with one export
    per ad platform needs the spend of all of them. A shared link of which
    one spend table was deleted gets none.
    """
    entries = workspace().list_tables("spend")
    pinned_ids = _pinned_ids("spend")
    if pinned_ids is not None:
        stored = [entry for entry in entries if entry.id in pinned_ids]
        # Part of the spend would make the acquisition cost too low, so a
        # link missing one of its spend tables shows none
        # (``warn_deleted_tables`` warns about it).
        return stored if len(stored) == len(pinned_ids) else []
    own = [entry for entry in entries if not entry.is_sample]
    return own or entries


def _table_box(table_type: str, entries: list[TableEntry]) -> TableEntry | None:
    """Return the only table of ``entries``, or the one chosen in a sidebar box
    when there are several."""
    if not entries:
        return None
    if len(entries) == 1:
        return entries[0]
    notes = name_notes(entries)
    labels = {entry.id: _table_label(entry, notes.get(entry.id)) for entry in entries}
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
        index=entries.index(remembered or _default_entry(entries)),
        format_func=labels.__getitem__,
        key=_table_param(table_type),
    )
    entry = next(entry for entry in entries if entry.id == chosen)
    _remember_table(table_type, entry, entries)
    return entry


def chosen_table(table_type: str) -> TableEntry | None:
    """Return the table of one type in use, without drawing a widget.

    A shared view uses the table the link was made with (see
    ``_pinned_table``). Otherwise it is the user's choice in this session or
    the one the URL names, else the newest.
    """
    entries = workspace().list_tables(table_type)
    entry = _chosen_entry(table_type, entries)
    if _pinned_id(table_type) is None:
        _note_shown_table(table_type, entry, entries)
    return entry


def report_entries() -> dict[str, TableEntry]:
    """Return the table in use of each type but spend (see ``spend_entries``),
    as ``chosen_table`` picks it, leaving out the types without a table and
    the tables a shared link shows but that were deleted since."""
    stored: dict[str, list[TableEntry]] = {}
    for entry in workspace().list_tables():
        stored.setdefault(entry.table_type, []).append(entry)
    return {
        table_type: entry
        for table_type in TABLES
        if table_type != "spend"
        and (entry := _chosen_entry(table_type, stored.get(table_type, []))) is not None
    }


def table_in_use(table_type: str, entries: list[TableEntry]) -> TableEntry | None:
    """Return the table of ``entries`` the pages of this session use for the
    type, as ``newest_table`` picks it outside a shared view, without drawing
    a widget or recording the choice. Pass the tables of the type without
    one to learn which table replaces it after a delete."""
    if not entries:
        return None
    return _session_table(table_type, entries) or _default_entry(entries)


def user_chose_table(table_type: str, table_id: str) -> bool:
    """Return whether the table ``table_id`` is in use for its type because
    the user picked it in the sidebar box, in this session or through the
    URL, rather than as the default or through a shared link."""
    if _pinned_id(table_type) is not None:
        return False
    entries = workspace().list_tables(table_type)
    chosen = _session_table(table_type, entries)
    return chosen is not None and chosen.id == table_id


def _chosen_entry(table_type: str, entries: list[TableEntry]) -> TableEntry | None:
    if _pinned_id(table_type) is not None:
        return _pinned_table(table_type, entries)
    if not entries:
        return None
    entry = _session_table(table_type, entries) or _default_entry(entries)
    _remember_table(table_type, entry, entries)
    return entry


def _default_entry(entries: list[TableEntry]) -> TableEntry:
    """Return the newest of the user's own tables, or the newest table when
    all are sample tables. Loading the sample data again next to one's own
    tables makes the sample tables the newest, but not the default."""
    return next((entry for entry in entries if not entry.is_sample), entries[0])


def _table_label(entry: TableEntry, note: str | None = None) -> str:
    """Return "name (N rows)", with ``note`` before the count when another
    table has the same name. The note comes first because the narrow sidebar
    cuts the end of long labels."""
    rows = count_noun(entry.rows, "row")
    return f"{entry.name} ({note}, {rows})" if note else f"{entry.name} ({rows})"


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
    shown = st.session_state.get(_SHOWN_TABLES, {}).get(table_type)
    if shown is not None and shown[0] == value:
        # ``_note_shown_table`` names the deleted table in this run.
        return
    st.sidebar.warning(
        f"The {TABLES[table_type].noun} table named in the address "
        f"(“{escape_markdown(value)}”) is not stored any more. The table "
        "chosen below is shown instead."
    )


def _note_shown_table(
    table_type: str, entry: TableEntry | None, entries: list[TableEntry]
) -> None:
    """Record ``entry`` as the table of this type the session shows, and warn
    once when the table it showed before was deleted meanwhile, naming the
    table shown now. A replaced or renamed table keeps its id, so it is not
    taken for deleted."""
    shown = st.session_state.setdefault(_SHOWN_TABLES, {})
    before = shown.pop(table_type, None)
    if entry is not None:
        shown[table_type] = (entry.id, entry.name)
    if before is None or any(stored.id == before[0] for stored in entries):
        return
    noun = TABLES[table_type].noun
    if entry is None:
        now = f"No other {noun} table is stored."
    else:
        rows = count_noun(entry.rows, "row")
        now = f"This page now shows {escape_markdown(repr(entry.name))} ({rows})."
    st.warning(
        f"The {noun} table {escape_markdown(repr(before[1]))} you were viewing "
        f"was deleted. {now}"
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


def _pinned_table(table_type: str, entries: list[TableEntry]) -> TableEntry | None:
    """Return the table a shared link was made with, or None outside a shared
    view, when the link pins no table of this type, or when that table was
    deleted (``warn_deleted_tables`` says so)."""
    pinned = _pinned_id(table_type)
    return next((entry for entry in entries if entry.id == pinned), None)


def _pinned_id(table_type: str) -> str | None:
    """Return the id of the table of this type a shared link was made with,
    or None outside a shared view or when the link pins none of this type."""
    pinned = _pinned_ids(table_type)
    return pinned[0] if pinned else None


def _pinned_ids(table_type: str) -> list[str] | None:
    """Return the ids of the tables of this type a shared link was made
    with, or None outside a shared view or when the link pins none."""
    view = shared_view()
    pinned = view.settings.get(PINNED_TABLES, {}).get(table_type) if view else None
    if pinned is None:
        return None
    # Links made before spend tables were added up pin one spend id.
    return [pinned] if isinstance(pinned, str) else list(pinned)


def warn_deleted_tables(*, goals_page: bool = False) -> None:
    """In a shared view, say which of the link's tables were deleted since
    it was made. The pages leave out the figures that need them, but the
    Goals page shows the goals as stored, and a delete moves a goal to
    another table of its type (``goals_page``)."""
    view = shared_view()
    if view is None:
        return
    stored = {entry.id for entry in workspace().list_tables()}
    deleted = []
    for table_type in TABLES:
        pinned = _pinned_ids(table_type) or []
        deleted_ids = [table_id for table_id in pinned if table_id not in stored]
        if deleted_ids:
            # One of several spend tables is "a" table of its type.
            article = "the" if len(pinned) == 1 else "a"
            deleted.append(f"{article} {TABLES[table_type].noun} table")
    if not deleted:
        return
    were, them = ("was", "it") if len(deleted) == 1 else ("were", "them")
    outcome = f"The figures that need {them} are left out"
    if goals_page:
        outcome = (
            f"Goals measured on {them} now follow the table their owner moved "
            "them to, which the page names"
        )
    st.warning(
        f"Since this link was made, {and_list(deleted)} {were} deleted. "
        f"{outcome}; ask the sender of this link for a new one."
    )
