"""Data page: import exports, check their column mapping, manage stored tables."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st
from streamlit.elements.lib.mutable_status_container import StatusContainer

from kpi_core.audience_reading import audience_label
from kpi_core.currency_codes import COMMON_CODES
from kpi_core.errors import InputError, MissingColumnError
from kpi_core.exporting import safe_csv
from kpi_core.formatting import count_noun, line_list
from kpi_core.import_problems import LINE
from kpi_core.importing import FilePreview, export_audience
from kpi_core.mapping import (
    Mapping,
    describe_table_types,
    header_signature,
    unknown_table_hint,
)
from kpi_core.money import DEFAULT_CURRENCY
from kpi_core.prepare import PreparedTable, needs_currency, with_currency
from kpi_core.reading import sheet_names
from kpi_core.schema import TABLES
from kpi_core.sharing import ViewStore
from kpi_core.table_versions import same_export_file
from kpi_core.workspace import (
    TableEntry,
    clean_table_name,
    default_replacement,
    default_table_name,
    name_notes,
    replacement_losses,
)
from pages.ui.audience_uploads import AudienceUpload, audience_groups
from pages.ui.date_orders import pick_date_orders, undecided_dates
from pages.ui.import_plans import Plan, ShownPlan, import_action, plan_changes
from pages.ui.import_results import (
    ImportResult,
    StoredUpload,
    import_choices,
    show_import_result,
    stored_note,
    unchanged_import,
)
from pages.ui.markdown_escape import escape_markdown
from pages.ui.navigation import require_app_entry
from pages.ui.replacement_checks import missing_ids, upload_emptied_fields, warn_losses
from pages.ui.shared_views import editor_unlocked
from pages.ui.spend_repeats import RepeatChoice, choose_repeated_rows
from pages.ui.spend_updates import (
    default_update,
    planned_update,
    show_update,
    update_action,
    update_target,
    update_targets,
    updated_message,
    updated_table,
)
from pages.ui.stored_matches import StoredMatch, stored_match, stored_summary
from pages.ui.stored_tables import render_stored_tables
from pages.ui.workspace_access import (
    cached_audience_preview,
    cached_prepare,
    cached_preview,
    content_key,
    load_entry,
    workspace,
)

# The uploader accepts old .xls workbooks too, so that the reader's error can
# explain how to convert them. The browser would reject them with a message that
# names only their MIME type.
UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "zip"]
# Suffixes of the workbooks whose sheets the Sheet box offers. An .xlsm file
# has the XLSX format.
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_NOT_IN_FILE = "(not in the file)"
# The workspace setting that maps a workbook's file name to the sheet last
# imported from it, so a new version of the file opens at that sheet.
_IMPORTED_SHEETS = "imported_sheets"
# The setting with the workbook sheet each table was imported from, by id.
_TABLE_SHEETS = "table_sheets"
# Reader notes that ask the user to check something start with this.
_WARNING = "warning: "
# The pages that show the KPIs of each table type, linked after an import.
_SALES = ("pages/sales.py", "See the sales KPIs")
_MARKETING = ("pages/marketing.py", "See the marketing KPIs")
_SERVICE = ("pages/service.py", "See the service KPIs")
_KPI_PAGES = {
    "deals": (_SALES,),
    "stage_history": (_SALES,),
    "spend": (_MARKETING,),
    "orders": (_MARKETING,),
    "email_events": (_MARKETING,),
    # Subscriptions give ARR and CLV on Marketing and the churn rate on Service.
    "subscriptions": (_MARKETING, ("pages/service.py", "See the churn rate")),
    "tickets": (_SERVICE,),
    "ticket_messages": (_SERVICE,),
    "nps": (_SERVICE,),
}


def render() -> None:
    st.title("Data")
    st.write(
        "Upload exports from your CRM, helpdesk or billing tool. The app "
        "recognises the columns, shows what it chose, and stores the table once "
        "you import it."
    )
    if not editor_unlocked():
        st.info("Enter the editor password in the sidebar to upload or change data.")
        return
    uploads = st.file_uploader(
        "CSV, Excel or Mailchimp ZIP exports",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key="uploads",
        help="For a Mailchimp audience, upload the export's zip, or add all of "
        "its CSV files here: the subscribed, unsubscribed and cleaned members "
        "are read together as one table.",
    )
    keyed = [(upload, _upload_key(upload)) for upload in uploads or []]
    unique = {}
    for upload, key in keyed:
        unique.setdefault(key, upload)
    # The member CSVs of a Mailchimp audience show as one table, in the
    # place of the first of them.
    audiences = audience_groups([(upload, key) for key, upload in unique.items()])
    members = {key for audience in audiences.values() for key in audience.keys}
    first_names: dict[str, str] = {}
    for upload, key in keyed:
        if key in members and key not in audiences and key not in first_names:
            # Shown with the first member file of its audience.
            first_names[key] = upload.name
            continue
        with st.container(border=True):
            if key in first_names:
                # The widgets of an upload are keyed by its content, so a
                # second copy would clash with the first.
                st.subheader(escape_markdown(clean_table_name(upload.name)))
                st.info(
                    f"This file has the same content as "
                    f"{escape_markdown(repr(first_names[key]))} above, so only that "
                    "one is offered for import."
                )
                continue
            first_names[key] = upload.name
            if key in audiences:
                _render_audience(audiences[key])
            else:
                _render_upload(upload.name, upload.getvalue(), key)
    render_stored_tables()
    _render_shared_links()


def _render_shared_links() -> None:
    views = ViewStore(workspace().root).list()
    st.header("Shared links")
    if not views:
        st.caption("No links yet. Use 'Share this view' in the sidebar of a KPI page.")
        return
    for view in views:
        left, middle, right = st.columns([3, 2, 1])
        left.text(f"{view.title}: /{view.page}?view={view.token}")
        if view.active:
            middle.text(f"created {view.created_at[:16]} UTC")
            if right.button("Revoke", key=f"revoke:{view.token}"):
                ViewStore(workspace().root).revoke(view.token)
                st.rerun()
        else:
            middle.text(f"revoked {view.revoked_at[:16]} UTC")


def _upload_key(upload) -> str:
    """Return the content hash of an upload, computed once per upload: it
    takes a third of a second for a 130 MB file on every rerun otherwise."""
    remembered = f"_content_key:{upload.file_id}"
    if remembered not in st.session_state:
        st.session_state[remembered] = content_key(upload.getvalue())
    return st.session_state[remembered]


def _render_upload(file_name: str, data: bytes, key: str) -> None:
    # Bidi controls in the file name would show it reversed.
    st.subheader(escape_markdown(clean_table_name(file_name)))
    # Steps of a large file show here while they run; the page stays usable.
    status = st.status(f"Reading {len(data) / 1e6:,.1f} MB", expanded=False)
    try:
        sheet = _pick_sheet(file_name, data, key)
        if sheet is not None:
            # Each sheet gets its own table type and mapping choices.
            key = f"{key}:{content_key(sheet.encode())}"
        detected = cached_preview(key, file_name, data, sheet, None)
        table = _pick_table(detected, key)
        # The guess already is the preview of the detected table type.
        preview = (
            detected
            if table == detected.table
            else cached_preview(key, file_name, data, sheet, table)
        )
    except InputError as error:
        status.update(label="The file could not be read", state="error")
        st.error(escape_markdown(str(error)))
        return
    _render_preview(preview, status, key, file_name, data, sheet, table)


def _render_audience(audience: AudienceUpload) -> None:
    """Show the member CSVs of one Mailchimp audience export as one table
    of list events, or why they are not enough together."""
    st.subheader(escape_markdown(audience_label(audience.audience)))
    st.caption(escape_markdown("Member files: " + ", ".join(audience.names) + "."))
    status = st.status(
        f"Reading {count_noun(len(audience.names), 'file')}", expanded=False
    )
    try:
        preview = cached_audience_preview(audience.key, audience.previews)
    except InputError as error:
        status.update(label="The files could not be used", state="error")
        st.error(escape_markdown(str(error)))
        return
    # The joined files have no workbook sheets and no other table type.
    file_name = preview.raw.info.file
    _render_preview(preview, status, audience.key, file_name, b"", None, preview.table)


def _render_preview(
    preview: FilePreview,
    status: StatusContainer,
    key: str,
    file_name: str,
    data: bytes,
    sheet: str | None,
    table: str | None,
) -> None:
    """Show how an upload was read and mapped, and offer to import it."""
    rows = preview.raw.frame.height
    status.update(label=f"Read {count_noun(rows, 'row')}; checking the values")
    _describe_read(preview)
    if preview.mapping is None:
        status.update(label=f"Read {count_noun(rows, 'row')}", state="complete")
        hints = [unknown_table_hint(preview.headers), preview.score_hint]
        hint = " ".join(text for text in hints if text)
        choose = "Choose the table type to map the columns."
        sheets = _other_sheets(file_name, data, preview)
        if sheets:
            choose = (
                f"The workbook has other sheets ({sheets}): if the data is on "
                "one of them, choose it in the Sheet box. Otherwise, choose the "
                "table type to map the columns."
            )
        st.info(
            f"{escape_markdown(hint) + ' ' if hint else ''}{choose} "
            "The app reads these "
            "tables, each with at least the columns named: "
            f"{escape_markdown(describe_table_types())}."
        )
        return
    mapping = _pick_mapping(preview, key)
    orders = pick_date_orders(preview, mapping, key)
    undecided = undecided_dates(preview, mapping, orders, key)
    if undecided:
        status.update(label=f"Read {count_noun(rows, 'row')}", state="complete")
        st.info(f"Choose the date order of {undecided} to go on.")
        return
    try:
        prepared = cached_prepare(
            f"{key}:{file_name}:{sheet}:{table}",
            tuple(mapping.columns.items()),
            tuple(sorted(orders.items())),
            preview,
        )
    except MissingColumnError as error:
        # No value was checked yet, and the error names the missing columns.
        status.update(label="Required columns are missing", state="error")
        st.error(escape_markdown(str(error)))
        return
    except InputError as error:
        status.update(label="The values could not be used", state="error")
        st.error(escape_markdown(str(error)))
        return
    status.update(
        label=f"Read and checked {count_noun(rows, 'row')}: {prepared.kept_summary()}",
        state="complete",
    )
    workbook = _sheets(preview)
    prepared = _pick_currency(prepared, key, workbook)
    _report_problems(prepared, key)
    paired = _prepare_paired(preview, file_name, data, sheet, key)
    if paired is not None:
        # The other table of the file has no mapping boxes here, so its
        # currency is asked for on its own.
        paired_key = f"{key}:{paired.table}"
        paired = _pick_currency(paired, paired_key, workbook, paired=True)
    _offer_import(prepared, preview, key, paired)


def _pick_currency(
    prepared: PreparedTable,
    key: str,
    workbook: tuple[str | None, tuple[str, ...]],
    *,
    paired: bool = False,
) -> PreparedTable:
    """Ask for the currency of amounts that name none: by default the one
    the table stored from this file (and its sheet, see ``_sheets``) was
    given, else EUR. ``paired`` names the table in the label, for the second
    table of a file."""
    if not needs_currency(prepared):
        return prepared
    store = workspace()
    upload_key = key.removesuffix(f":{prepared.table}") if paired else key
    earlier = store.find_source(upload_key, prepared.table) or _stored_from_file(
        store.list_tables(prepared.table), prepared.file, *workbook
    )
    default = _stored_currency(earlier) or DEFAULT_CURRENCY
    others = sorted(COMMON_CODES - {DEFAULT_CURRENCY})
    options = [DEFAULT_CURRENCY, *others]
    label = "Currency of the amounts"
    if paired:
        label += f" of the {TABLES[prepared.table].noun}"
    code = st.selectbox(
        label,
        options,
        index=options.index(default),
        key=f"{key}:currency",
        help="The file has no currency column and no currency sign or code "
        "beside its amounts. The pages show the amounts in this currency.",
    )
    if code == DEFAULT_CURRENCY:
        return prepared
    return with_currency(prepared, code)


def _stored_currency(entry: TableEntry | None) -> str | None:
    """Return the one currency of a stored table's amounts, or None."""
    frame = load_entry(entry)
    if frame is None or "currency" not in frame.columns:
        return None
    codes = frame["currency"].drop_nulls().unique()
    if codes.len() != 1 or codes[0] not in COMMON_CODES:
        return None
    return codes[0]


def _prepare_paired(
    preview: FilePreview, file_name: str, data: bytes, sheet: str | None, key: str
) -> PreparedTable | None:
    """Parse the second table the file contains (``FilePreview.paired``)
    with the guessed mapping. Return None when there is none, or when the
    guessed mapping cannot read it."""
    if preview.paired is None:
        return None
    label = TABLES[preview.paired].noun
    try:
        other = cached_preview(key, file_name, data, sheet, preview.paired)
        if other.mapping is None or other.mapping.missing_required:
            raise MissingColumnError(f"no complete mapping for {label}")
        paired = cached_prepare(
            f"{key}:{file_name}:{sheet}:{preview.paired}",
            tuple(other.mapping.columns.items()),
            (),
            other,
        )
    except InputError:
        st.caption(
            f"This file also holds {label}, which the guessed columns do not "
            f"read. Choose '{TABLES[preview.paired].label}' as the table type "
            "to import them."
        )
        return None
    _show_table_warnings(paired)
    return paired if paired.rows_used else None


def _show_table_warnings(prepared: PreparedTable) -> None:
    for warning in prepared.warnings:
        st.warning(escape_markdown(warning[:1].upper() + warning[1:]))


def _pick_sheet(file_name: str, data: bytes, key: str) -> str | None:
    if Path(file_name).suffix.lower() not in _WORKBOOK_SUFFIXES:
        return None
    names = sheet_names(file_name, data)
    if len(names) <= 1:
        return names[0] if names else None
    # The box starts at the sheet last imported from a file of this name, else
    # at the sheet the reader picks: the first that contains a table. The
    # reader's pick returns None, so the read's notes explain it.
    try:
        first = cached_preview(key, file_name, data, None, None).raw.info.sheet
    except InputError:
        first = None
    picked = first if first in names else names[0]
    imported = workspace().setting(_IMPORTED_SHEETS).get(file_name)
    start = imported if imported in names else picked
    chosen = st.selectbox("Sheet", names, index=names.index(start), key=f"{key}:sheet")
    # A workbook the reader rejects without a choice, such as one of too
    # many sheets, has no pick of its own, so its first sheet is read by name.
    return None if chosen == first else chosen


def _other_sheets(file_name: str, data: bytes, preview: FilePreview) -> str:
    """List the workbook's sheets other than the one shown, quoted, or
    return "" for a file that is no workbook or has one sheet."""
    if Path(file_name).suffix.lower() not in _WORKBOOK_SUFFIXES:
        return ""
    read = preview.raw.info.sheet
    others = [name for name in sheet_names(file_name, data) if name != read]
    return ", ".join(f"“{escape_markdown(name)}”" for name in others)


def _pick_table(preview: FilePreview, key: str) -> str | None:
    options = list(TABLES)
    detected = preview.table
    index = options.index(detected) if detected in options else None
    return st.selectbox(
        "Table type",
        options,
        index=index,
        format_func=lambda name: TABLES[name].label,
        placeholder="Not recognised: choose the table type",
        key=f"{key}:table",
        help="What one row of the file is: a deal, a stage change, a ticket ...",
    )


def _describe_read(preview: FilePreview) -> None:
    info = preview.raw.info
    rows = preview.raw.frame.height
    # Notes that need a check are shown as warnings, not in the caption.
    warnings = [note for note in info.notes if note.startswith(_WARNING)]
    # The caption ends in one period, so a note's own final period goes.
    notes = [
        note.removesuffix(".") for note in info.notes if not note.startswith(_WARNING)
    ]
    # The reader's notes already name the encoding, delimiter and header.
    parts = [info.format.upper(), count_noun(rows, "row"), *notes]
    # The notes of a workbook name its sheet, and those of a zip its members.
    if info.sheet and not any(info.sheet in note for note in info.notes):
        where = "file" if info.format == "zip" else "sheet"
        parts.append(f"{where} {info.sheet}")
    st.caption(escape_markdown("Read as " + "; ".join(parts) + "."))
    for warning in warnings:
        text = warning.removeprefix(_WARNING)
        st.warning(escape_markdown(text[:1].upper() + text[1:]))


def _pick_mapping(preview: FilePreview, key: str) -> Mapping:
    """Show one select box per field, preset with the guess or a mapping the
    user saved for the same headers."""
    guess = preview.mapping
    remembered = workspace().recall_mapping(
        header_signature(preview.headers), guess.table
    )
    if remembered:
        st.caption("Using the mapping you saved for files with these columns.")
        left_out = [
            f"{guess.schema.field_label(field)} ({column!r})"
            for field, column in guess.columns.items()
            if column and not remembered.columns.get(field)
        ]
        if left_out:
            st.warning(
                escape_markdown(
                    "The saved mapping leaves out "
                    f"{', '.join(left_out)}, which the app would map. Choose "
                    "the column below if this file should keep it."
                )
            )
        guess = remembered
    st.markdown("**Column mapping**")
    options = [_NOT_IN_FILE, *preview.headers]
    mapping = guess
    grid = st.columns(3)
    for index, field in enumerate(guess.schema.fields):
        current = guess.columns.get(field.name)
        confidence = guess.confidence.get(field.name, 0.0)
        label = field.label + (" *" if field.required else "")
        with grid[index % 3]:
            chosen = st.selectbox(
                label,
                options,
                index=options.index(current) if current in options else 0,
                key=f"{key}:{guess.table}:{field.name}",
                help=f"{field.description}. Field name: `{field.name}`. "
                f"Guess confidence {confidence:.0%}.",
            )
        if chosen != (current or _NOT_IN_FILE):
            mapping = mapping.with_choice(
                field.name, None if chosen == _NOT_IN_FILE else chosen
            )
    st.caption("Fields marked \\* are required. Change a choice if the guess is wrong.")
    _warn_shared_columns(mapping)
    return mapping


def _warn_shared_columns(mapping: Mapping) -> None:
    used = list(mapping.used_columns().items())
    for column in {c for _, c in used if sum(1 for _, d in used if d == c) > 1}:
        fields = ", ".join(
            mapping.schema.field_label(f) for f, c in used if c == column
        )
        st.warning(
            escape_markdown(f"Column {column!r} feeds several fields ({fields}); ")
            + "check that this is intended."
        )


def _report_problems(prepared: PreparedTable, key: str) -> None:
    read = count_noun(prepared.rows_read, "row")
    st.write(f"{read} read, {prepared.kept_summary()}.")
    if prepared.detected:
        found = "; ".join(
            f"{column}: {note}" for column, note in prepared.detected.items()
        )
        st.caption(escape_markdown(f"Detected {found}."))
    _show_table_warnings(prepared)
    for problem in prepared.problems:
        outcome = problem.outcome()
        sentence = f"{outcome[:1].upper()}{outcome[1:]}."
        st.warning(escape_markdown(f"{problem.describe()}. {sentence}"))
    for conflict in prepared.date_conflicts:
        st.warning(escape_markdown(conflict.describe()) + ".")
        st.download_button(
            f"Download the {count_noun(conflict.count, 'row')} with these dates (CSV)",
            safe_csv(prepared.frame.filter(pl.col(LINE).is_in(conflict.lines))),
            file_name=f"{Path(prepared.file).stem}-{conflict.end}-before-"
            f"{conflict.start}.csv",
            mime="text/csv",
            key=f"{key}:conflict:{conflict.end}",
        )
    problem_rows = prepared.problem_rows
    if problem_rows is not None and problem_rows.height:
        st.download_button(
            f"Download the {count_noun(problem_rows.height, 'row')} with problems "
            "(CSV)",
            safe_csv(problem_rows),
            file_name=f"{Path(prepared.file).stem}-rows-with-problems.csv",
            mime="text/csv",
            key=f"{key}:rejected",
        )
        st.caption(
            # Some of these rows are no mistake, such as cancelled orders,
            # which the KPIs leave out by rule.
            "The messages above say what happens to each of these rows on "
            "import. Where a value is wrong in the file, correct it there and "
            "upload the file again."
        )
    st.dataframe(prepared.frame.drop(LINE).head(20), hide_index=True)


def _offer_import(
    prepared: PreparedTable,
    preview: FilePreview,
    key: str,
    paired: PreparedTable | None = None,
) -> None:
    store = workspace()
    existing = store.list_tables(prepared.table)
    notes = name_notes(existing)
    labels = {
        entry.id: _with_note(entry.name, notes.get(entry.id)) for entry in existing
    }
    targets = {"": "Store as a new table"} | {
        entry.id: f"Replace {labels[entry.id]}" for entry in existing
    }
    targets |= update_targets(existing, prepared, labels)
    names = {entry.id: entry.name for entry in existing}
    names |= {update_target(entry.id): entry.name for entry in existing}
    default_name = _default_name(prepared, paired is not None)
    name_key, target_key = f"{key}:name", f"{key}:target"
    # The plan on the Import button as the last run drew it, and the name as
    # the user sent it, read before the presets below change it. A click
    # stores that plan only.
    shown_key = f"{key}:shown_plan"
    shown: ShownPlan | None = st.session_state.get(shown_key)
    sent_name = st.session_state.get(name_key)
    # The same bytes of the same table type stored before, if any.
    same = store.find_source(key, prepared.table)
    # Else a table stored from a file of the same name: a corrected export.
    earlier = same or _stored_from_file(existing, prepared.file, *_sheets(preview))
    # Else a table that the file's content is a new version of, stored from
    # a file of another name.
    match = None if earlier else stored_match(existing, prepared, preview, key)
    # A file that lacks some rows of the table it repeats leaves the choice
    # to the user, with a warning, because either choice changes the spend.
    partial = None
    if match is not None and not match.replaces:
        partial, match = match, None
    if match is not None:
        earlier = match.entry
    # Set when Store was preset to replace ``earlier``, so the preset runs
    # once and the user can still choose a new table.
    preset_key = f"{key}:{prepared.table}:stored_as"
    # The widget keys follow the content, so the same content uploaded under
    # another file name starts again from that file's name.
    named_file_key = f"{key}:name_file"
    if (
        name_key not in st.session_state
        or st.session_state.get(named_file_key) != prepared.file
    ):
        st.session_state[name_key] = default_name
        st.session_state[named_file_key] = prepared.file
        st.session_state.pop(preset_key, None)
    # A second copy of the same content, or an older version of the same
    # export, only doubles the entries in the table pickers, so replacing
    # the stored table is the default. A file of the same name that has
    # fewer rows or columns is not taken for a corrected export.
    columns = prepared.mapping.columns
    missing = missing_ids(earlier if same is None else None, prepared, key)
    empty = upload_emptied_fields(earlier if same is None else None, prepared)
    preset = default_replacement(
        same, earlier, prepared.rows_used, columns, missing, empty, prepared.table
    )
    preset_target = preset.id if preset is not None else None
    # A spend re-export that lacks stored days but repeats others updates its
    # table by date, because replacing deletes those days and a new table
    # counts the repeated ones twice.
    version_of = partial.entry if partial is not None and partial.lacks_rows else None
    updated = default_update(
        None if same is not None else version_of or earlier, prepared, key
    )
    if updated is not None:
        preset, preset_target = updated, update_target(updated.id)
    if preset is not None and st.session_state.get(preset_key) != preset_target:
        st.session_state[target_key] = preset_target
        st.session_state[name_key] = preset.name
        st.session_state[preset_key] = preset_target

    def name_after_target() -> None:
        # Replacing a table presets its name, and a new table the file's name.
        # The user can still type another name afterwards.
        chosen = st.session_state[target_key]
        st.session_state[name_key] = names.get(chosen, default_name)

    # The result of an import, drawn above the Store choices once the
    # upload is stored (see ``unchanged_import``).
    outcome = st.container()
    left, right = st.columns(2)
    name = left.text_input("Name", key=name_key)
    target = right.selectbox(
        "Store",
        list(targets),
        format_func=targets.__getitem__,
        key=target_key,
        on_change=name_after_target,
    )
    # The stored table that the import replaces or updates, or "".
    replace_id = updated_table(target) or target
    update = None
    if replace_id != target:
        update = planned_update(
            next(e for e in existing if e.id == replace_id), prepared, key
        )
    requested = clean_table_name(name) or names.get(target, default_name)
    stored_name = store.unique_name(requested, exclude_id=replace_id or None)
    losses = []
    if earlier is not None and same is None:
        losses = replacement_losses(
            earlier, prepared.rows_used, columns, missing, empty
        )
    reason = match.reason if match is not None else None
    result_key, stored_key = f"{key}:import_result", f"{key}:stored_upload"
    choices = import_choices(
        prepared,
        st.session_state.get(f"{key}:currency"),
        paired,
        st.session_state.get(f"{key}:{paired.table}:currency") if paired else None,
    )
    unchanged = unchanged_import(
        st.session_state.get(stored_key),
        choices,
        replace_id,
        stored_name,
        store.list_tables(),
    )
    if unchanged:
        with outcome:
            show_import_result(st.session_state.pop(result_key, None))
            st.info(stored_note(unchanged))
    else:
        # An update describes what it keeps and replaces below.
        described = None if update is not None else earlier
        _describe_name(same, described, reason, target, requested, stored_name, losses)
    if partial is not None:
        st.warning(escape_markdown(partial.reason))
    if update is not None:
        show_update(update, names[replace_id])
    replaced = next((e for e in existing if e.id == target), None)
    warn_losses(replaced, prepared, key, "the file")
    if prepared.rows_used == 0:
        # Importing nothing would also replace a stored table with nothing.
        st.error("No row is usable, so there is nothing to import. Fix the file.")
        return
    rows = _rows_to_store(existing, prepared, key, replace_id, earlier, partial)
    if update is not None:
        rows = RepeatChoice(update.frame)
    if not rows.decided:
        return
    if rows.frame.is_empty():
        st.info(
            "Every row of this file is already stored, so leaving out the "
            "repeated rows leaves nothing to import."
        )
        return
    main_plan = Plan(replace_id or None, stored_name or requested, names.get(target))
    paired_plan = None
    if paired is not None:
        paired_plan = _offer_paired(paired, key, _sheets(preview))
    label = import_action(rows.frame.height, main_plan)
    if update is not None:
        label = update_action(update, names[replace_id])
    if paired_plan is not None:
        label += " and " + import_action(paired.rows_used, paired_plan)
    # Storing an unchanged upload again is offered, but not as the next step.
    label = f"Import again: {label}" if unchanged else f"Import {label}"
    clicked = st.button(
        escape_markdown(label),
        key=f"{key}:import",
        type="secondary" if unchanged else "primary",
    )
    targets = {plan.replace_id for plan in (main_plan, paired_plan) if plan}
    versions = {
        entry.id: entry.version for entry in store.list_tables() if entry.id in targets
    }
    st.session_state[shown_key] = ShownPlan(
        name, main_plan, paired_plan, versions, rows.left_out
    )
    if not clicked:
        show_import_result(st.session_state.pop(result_key, None))
        return
    if shown is not None:
        # Another session may have stored, renamed or deleted a table since
        # the button was drawn, which changes the plan this run computed.
        changes = plan_changes(
            shown,
            main_plan,
            paired_plan,
            key,
            TABLES[paired.table].noun if paired is not None else "",
            typed=sent_name != shown.name,
        )
        if shown.left_out != rows.left_out:
            # Another session stored or deleted spend since the button was
            # drawn, so other rows of this file repeat stored rows now.
            changes.append(
                "The rows of this file that repeat stored spend changed "
                "meanwhile, so importing would store other rows."
            )
        if changes:
            st.warning(
                escape_markdown(" ".join(changes))
                + " Nothing was imported. Check the choices above and click "
                "Import again."
            )
            return
    samples = [e for e in store.list_tables() if e.is_sample]
    # The versions the user chose to replace. The store refuses when another
    # session replaced one of them since, so two imports at once lose none.
    planned = versions if shown is None else shown.versions
    with st.spinner(f"Storing {count_noun(rows.frame.height, 'row')}..."):
        try:
            # The sample tables are deleted in the same transaction, so no
            # page shows the new table next to them.
            entry = store.save(
                rows.frame,
                name=requested,
                table_type=prepared.table,
                source_file=prepared.file,
                mapping=prepared.mapping,
                replace_id=replace_id or None,
                # An updated table holds rows of several uploads, so uploading
                # this file again must not count as the same content.
                source_key="" if update is not None else key,
                remove_samples=True,
                replace_version=planned.get(replace_id),
                audience=export_audience(preview) or "",
            )
        except InputError as error:
            message = str(error)
            st.error(escape_markdown(message[:1].upper() + message[1:]))
            return
        stored = [entry]
        paired_error = None
        if paired_plan is not None:
            try:
                stored.append(
                    store.save(
                        paired.frame,
                        name=paired_plan.name,
                        table_type=paired.table,
                        source_file=paired.file,
                        mapping=paired.mapping,
                        replace_id=paired_plan.replace_id,
                        source_key=key,
                        replace_version=planned.get(paired_plan.replace_id or ""),
                    )
                )
            except InputError as error:
                paired_error = error
    if preview.raw.info.sheet is not None and preview.raw.info.format == "xlsx":
        sheets = store.setting(_IMPORTED_SHEETS)
        sheets[prepared.file] = preview.raw.info.sheet
        store.save_setting(_IMPORTED_SHEETS, sheets)
        # So next month's workbook replaces each sheet's own table.
        table_sheets = store.setting(_TABLE_SHEETS)
        table_sheets.update(
            dict.fromkeys((e.id for e in stored), preview.raw.info.sheet)
        )
        store.save_setting(_TABLE_SHEETS, table_sheets)
    signature = header_signature(preview.headers)
    if prepared.mapping.columns != preview.mapping.columns:
        store.remember_mapping(signature, prepared.mapping)
    else:
        # The user kept or went back to the app's guess, so a mapping saved
        # before for these headers no longer holds.
        store.forget_mapping(signature, prepared.table)
    imported = " and ".join(
        f"{count_noun(e.rows, 'row')} "
        # A replaced table keeps its id and gets a new version.
        + ("in place of the earlier " if e.version > 1 else "as ")
        + escape_markdown(repr(e.name))
        for e in stored
    )
    failure = None
    if paired_error is not None:
        failure = (
            f"Storing the {TABLES[paired.table].noun} failed: "
            f"{escape_markdown(str(paired_error))}"
        )
    links = [link for e in stored for link in _KPI_PAGES[e.table_type]]
    message = f"Imported {imported}."
    if update is not None:
        message = escape_markdown(updated_message(update, entry.name))
    if rows.left_out:
        message += (
            f" Left out {count_noun(len(rows.left_out), 'row')} already stored "
            f"(file {'line' if len(rows.left_out) == 1 else 'lines'} "
            f"{line_list(rows.left_out)})."
        )
    st.session_state[stored_key] = StoredUpload(
        entry.id, {e.id: e.version for e in stored}, choices
    )
    st.session_state[result_key] = ImportResult(
        message, failure, bool(samples), tuple(dict.fromkeys(links))
    )
    # The widgets of this run were drawn with the plan from before the
    # import, so the button would still offer to store a new table where a
    # click now replaces the one just stored. The rerun shows the result,
    # and that the file is stored, above the plan of a click.
    st.rerun()


def _rows_to_store(
    existing: list[TableEntry],
    prepared: PreparedTable,
    key: str,
    target: str,
    earlier: TableEntry | None,
    partial: StoredMatch | None,
) -> RepeatChoice:
    """Return the rows of the upload to store: a spend file stored as a new
    table may leave out rows that other stored spend tables contain. The
    table that the file is a version of is not compared, because the
    messages above already describe what keeping both tables does."""
    if prepared.table != "spend" or target:
        return RepeatChoice(prepared.frame)
    versions = {earlier.id} if earlier is not None else set()
    if partial is not None:
        versions.add(partial.entry.id)
    return choose_repeated_rows(existing, prepared, key, versions)


def _offer_paired(
    paired: PreparedTable, key: str, workbook: tuple[str | None, tuple[str, ...]]
) -> Plan | None:
    """Offer to store the other table of the file along with the first.

    The default target follows the first table's rule: its copy from the
    same content or file name, unless ``default_replacement`` finds a loss.
    When tables of its type are stored, the user can choose another target.
    """
    store = workspace()
    existing = store.list_tables(paired.table)
    same = store.find_source(key, paired.table)
    earlier = same or _stored_from_file(existing, paired.file, *workbook)
    missing = missing_ids(earlier if same is None else None, paired, key)
    preset = default_replacement(
        same, earlier, paired.rows_used, paired.mapping.columns, missing
    )
    noun = TABLES[paired.table].noun
    target_key = f"{key}:paired_target:{paired.table}"
    # Set once per preset, as for the first table, so the user's choice stays.
    preset_key = f"{target_key}:preset"
    preset_id = preset.id if preset is not None else ""
    if st.session_state.get(preset_key) != preset_id:
        st.session_state[target_key] = preset_id
        st.session_state[preset_key] = preset_id
    left, right = st.columns(2)
    replaced = None
    if existing:
        notes = name_notes(existing)
        targets = {"": "Store as a new table"} | {
            entry.id: f"Replace {_with_note(entry.name, notes.get(entry.id))}"
            for entry in existing
        }
        if st.session_state[target_key] not in targets:
            st.session_state[target_key] = ""
        target = right.selectbox(
            f"Store the {noun}",
            list(targets),
            format_func=targets.__getitem__,
            key=target_key,
        )
        replaced = next((e for e in existing if e.id == target), None)
    if replaced is not None:
        plan = Plan(replaced.id, replaced.name, replaced.name)
    else:
        plan = Plan(None, store.unique_name(_default_name(paired, True)))
    wanted = left.checkbox(
        f"Also import the {noun} of this file: "
        f"{escape_markdown(import_action(paired.rows_used, plan))}",
        value=True,
        key=f"{key}:paired:{paired.table}",
        help="A HubSpot deals export with 'Date entered' columns contains both "
        "the deals and the dates each deal entered its stages.",
    )
    if not wanted:
        return None
    warn_losses(replaced, paired, key, f"the {noun}")
    return plan


def _default_name(prepared: PreparedTable, paired: bool) -> str:
    """Return the file's name for its table, and for a stage history stored
    along with the deals of the same file that name plus "stage history"."""
    name = default_table_name(prepared.file)
    if paired and prepared.table == "stage_history":
        return f"{name} stage history"
    return name


def _sheets(preview: FilePreview) -> tuple[str | None, tuple[str, ...]]:
    """Return the sheet read and all sheets of a workbook upload, or None and
    no sheets for another file."""
    return preview.raw.info.sheet, preview.raw.info.sheets


def _stored_from_file(
    entries: list[TableEntry], file: str, sheet: str | None, sheets: tuple[str, ...]
) -> TableEntry | None:
    """Return the newest of ``entries`` imported from the export ``file``
    (``same_export_file``, which allows another readable suffix, so a CSV
    export saved as a workbook matches) and, for a workbook, from its sheet
    ``sheet``.

    A table from a sheet that the new workbook (with ``sheets``) no longer
    has matches too, because a monthly workbook often renames its sheet
    ("Jan-Jun" to "Jan-Dec"). So does a table stored before the app
    recorded its sheet."""
    recorded = workspace().setting(_TABLE_SHEETS) if sheet is not None else {}
    matches = [
        e for e in entries if same_export_file(e.source_file, file) and not e.is_sample
    ]
    same_sheet = [e for e in matches if recorded.get(e.id, sheet) == sheet]
    if not same_sheet:
        same_sheet = [e for e in matches if recorded.get(e.id) not in sheets]
    return max(same_sheet, key=lambda e: e.uploaded_at, default=None)


def _describe_name(
    same: TableEntry | None,
    earlier: TableEntry | None,
    reason: str | None,
    target: str,
    requested: str,
    stored_name: str,
    losses: list[str],
) -> None:
    """Say when the upload or an earlier file of its name is already stored,
    and when the name is taken and which name the table gets instead.
    ``reason`` says why ``earlier`` was found by its content (``stored_match``)
    rather than by the file's name. ``losses`` are what replacing the earlier
    table would lose, which is why the file is stored as a new table by
    default."""
    if earlier is not None:
        imported = stored_summary(earlier)
        stored_as = escape_markdown(repr(earlier.name))
        if same is not None:
            stored = f"This file is already stored as {stored_as} {imported}."
        elif reason is not None:
            stored = escape_markdown(reason)
        else:
            file = escape_markdown(repr(clean_table_name(earlier.source_file)))
            stored = f"A file named {file} is already stored as {stored_as} {imported}."
        if target == earlier.id:
            st.info(
                f"{stored} Importing replaces that table, so the pages, goals "
                "and shared links that use it go on working. Choose 'Store as "
                "a new table' under Store to keep a second copy."
            )
        elif same is not None:
            st.info(f"{stored} Importing it again stores a second copy.")
        elif losses:
            st.info(
                f"{stored} Importing stores this file as a table of its own, "
                f"because replacing that table would lose "
                f"{escape_markdown(' and '.join(losses))}."
            )
        else:
            st.info(f"{stored} Importing stores this file as a table of its own.")
    if stored_name != requested:
        st.info(
            f"A stored table is already named {escape_markdown(repr(requested))}, so "
            f"this one is stored as {escape_markdown(repr(stored_name))}. Type "
            "another name to change it."
        )


def _with_note(name: str, note: str | None) -> str:
    """Return a table name with the note that distinguishes it from a table of
    the same name, if there is one."""
    return f"{name} ({note})" if note else name


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
        delimiter, repr(delimiter)
    )


require_app_entry("pages/data.py")
render()
