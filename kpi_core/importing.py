"""From uploaded bytes to a canonical table: read, recognise, map, parse.

The pages call ``preview_file`` to show the detected table type and mapping
before anything is used, then ``prepare_table`` with the user's corrections.
The CLI calls ``load_file``, which does both with the guesses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from kpi_core.audience_events import audience_events
from kpi_core.audience_members import AudienceMember, names_audience
from kpi_core.audience_reading import combine_audience_members
from kpi_core.column_kinds import number_columns, undated_bare_columns, yes_no_columns
from kpi_core.contact_exports import contact_events
from kpi_core.date_values import detect_date_format, order_examples
from kpi_core.dated_contact_lists import dated_list_events
from kpi_core.deal_stage_history import deals_or_history, long_stage_history
from kpi_core.errors import AmbiguousDateError, InvalidValueError, MissingColumnError
from kpi_core.field_history import stage_field_rows
from kpi_core.mapping import (
    Mapping,
    describe_table_types,
    detect_table,
    guess_mapping,
    unknown_table_hint,
)
from kpi_core.prepare import LINE, PreparedTable, prepare_table
from kpi_core.raw_table import RawTable, ReadInfo
from kpi_core.read_notes import WARNING_PREFIX, with_note
from kpi_core.reading import MAX_UPLOAD_BYTES, read_table, sheet_names
from kpi_core.rejected_scores import find_rejected_score_column, unknown_type_hint
from kpi_core.schema import DATE
from kpi_core.stage_transitions import deal_names_as_ids, transition_columns
from kpi_core.survey_detection import nps_scores, survey_asks_nps


@dataclass(frozen=True)
class FilePreview:
    """A read file with the table type and mapping the app would use.

    ``paired`` is the other table type the same file holds, or None: a
    HubSpot deals export with "Date entered" columns is both a deals table
    and a deal stage history. ``contacts_problem`` is the error of a file
    that looks like a contacts export with statuses the app does not recognise,
    raised on import when no other table type reads the file either.
    ``deal_id_problem`` is the error of a stage history without a deal id
    whose deal names cannot stand in for one, raised on import while the
    deal id has no column. ``score_hint`` names a column of a file of no
    table type that reads like the NPS question but has too many answers
    that are not scores.
    """

    raw: RawTable
    table: str | None
    scores: dict[str, float]
    mapping: Mapping | None
    paired: str | None = None
    contacts_problem: InvalidValueError | None = None
    deal_id_problem: MissingColumnError | None = None
    score_hint: str | None = None

    @property
    def headers(self) -> list[str]:
        return [name for name in self.raw.frame.columns if name != LINE]

    @property
    def audience_member(self) -> AudienceMember | None:
        """The Mailchimp member file this is, read on its own, or None. Such
        a file is no table alone: ``preview_audience`` joins the member files
        of one export."""
        return self.raw.info.audience


def preview_file(
    file_name: str,
    data: bytes,
    *,
    sheet: str | None = None,
    table: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> FilePreview:
    """Read a file and guess its table type and column mapping; files over
    ``max_bytes`` are rejected as in ``read_table``.

    A member CSV of a Mailchimp audience export gets no table type and no
    mapping (see ``FilePreview.audience_member``), unless ``table`` names
    one other than email events.
    """
    raw = read_table(file_name, data, sheet=sheet, max_bytes=max_bytes)
    if raw.info.audience is not None and table in (None, "email_events"):
        return FilePreview(raw=raw, table=None, scores={}, mapping=None)
    return _preview_raw(raw, table)


def preview_audience(members: list[FilePreview]) -> FilePreview:
    """Join the previews of the member CSVs of one Mailchimp audience export
    into the preview of its list events, as its zip gives them.

    Raises ``InvalidValueError`` for files that do not give a list growth
    together, such as the subscribed members alone (see
    ``combine_audience_members``).
    """
    raw = combine_audience_members([member.raw for member in members])
    return _preview_raw(raw, None)


def export_audience(preview: FilePreview) -> str | None:
    """Return the audience id of the list events of a Mailchimp audience
    export, read from its zip or joined from its member files, or None for
    another table or when the member file names give no id."""
    if preview.table != "email_events":
        return None
    # The list events keep the member file names as the names of the parts.
    return names_audience(preview.raw.info.sheets)


def _preview_raw(raw: RawTable, table: str | None) -> FilePreview:
    """Guess the table type (unless ``table`` is given) and the mapping of a
    read file."""
    long_history = None
    if table in (None, "stage_history", "deals"):
        long_history = long_stage_history(raw)
    if table in (None, "stage_history"):
        raw = long_history or stage_field_rows(raw) or raw
    contacts_problem = None
    if table in (None, "email_events"):
        try:
            raw = (
                audience_events(raw)
                or contact_events(raw)
                or dated_list_events(raw)
                or raw
            )
        except InvalidValueError as error:
            if table is not None:
                raise
            # Another table type may still read the file, so the problem
            # is a warning until the import needs it.
            contacts_problem = error
            raw = with_note(raw, WARNING_PREFIX + error.detail)
    headers = [name for name in raw.frame.columns if name != LINE]
    numbers = number_columns(raw.frame, headers)
    detected, scores = detect_table(headers, numbers)
    if table is None and long_history is None:
        detected = deals_or_history(raw.frame, headers, numbers, detected)
        if transition_columns(headers) is not None:
            # A column of the stage left and one of the stage entered make
            # a stage history, also without the deal id it needs.
            detected = "stage_history"
    chosen = table or detected
    # Deals, ticket messages and orders have yes/no fields (won and closed,
    # public, captured). Tickets have none, but their solve and close dates
    # must not take a yes/no column headed "Closed", as in Salesforce's case
    # report.
    with_flags = chosen in ("deals", "ticket_messages", "tickets", "orders")
    flags = yes_no_columns(raw.frame, headers) if with_flags else ()
    undated = undated_bare_columns(raw.frame, headers, chosen) if chosen else ()
    mapping = (
        guess_mapping(headers, chosen, flags, numbers, undated) if chosen else None
    )
    deal_id_problem = None
    if (
        chosen == "stage_history"
        and mapping
        and mapping.missing_required == ["deal_id"]
    ):
        raw, mapping, deal_id_problem = deal_names_as_ids(
            raw.info.file, raw, headers, mapping
        )
    guessed_incomplete = table is None and bool(mapping and mapping.missing_required)
    asks_nps = survey_asks_nps(table, mapping, raw, headers)
    if chosen in (None, "nps") or guessed_incomplete or asks_nps:
        found = nps_scores(raw, headers, numbers, chosen, mapping)
        if found is not None:
            raw, score_column = found
            chosen = "nps"
            mapping = guess_mapping(headers, chosen, (), numbers).with_choice(
                "score", score_column
            )

    score_hint = None
    if mapping is None:
        rejected = find_rejected_score_column(raw.frame, by_values=False)
        if rejected is not None:
            score_hint = unknown_type_hint(rejected)

    paired = None
    if long_history is not None:
        paired = {"stage_history": "deals", "deals": "stage_history"}.get(chosen)
    return FilePreview(
        raw=raw,
        table=chosen,
        scores=scores,
        mapping=mapping,
        paired=paired,
        contacts_problem=contacts_problem,
        deal_id_problem=deal_id_problem,
        score_hint=score_hint,
    )


def load_file(
    file_name: str,
    data: bytes,
    *,
    table: str | None = None,
    date_order: str | None = None,
    sheet: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    today: date | None = None,
) -> PreparedTable:
    """Read, recognise and parse a file with the guessed mapping.

    ``date_order`` ("dmy" or "mdy") settles every date column whose values
    fit both orders. ``sheet`` picks a workbook sheet other than the first.
    Files over ``max_bytes`` are rejected as in ``read_table``. ``today``
    (default: the current date) is the day the dates of events may not lie
    after, as in ``prepare_table``.
    """
    preview = preview_file(
        file_name, data, sheet=sheet, table=table, max_bytes=max_bytes
    )
    return _load_preview(preview, file_name, data, date_order, today)


def _load_preview(
    preview: FilePreview,
    file_name: str,
    data: bytes,
    date_order: str | None,
    today: date | None = None,
) -> PreparedTable:
    """Parse a previewed file with its guessed mapping, as ``load_file``. A
    Mailchimp member file alone raises the error of ``preview_audience``."""
    if preview.audience_member is not None:
        preview = preview_audience([preview])
    incomplete = preview.mapping is None or preview.mapping.missing_required
    if preview.contacts_problem is not None and incomplete:
        raise preview.contacts_problem
    if preview.deal_id_problem is not None and incomplete:
        raise preview.deal_id_problem
    if preview.mapping is None:
        message = _unknown_table_message(preview)
        others = _other_sheets(file_name, data, preview.raw.info)
        if others:
            message += (
                f". The workbook has other sheets: {others}; read one with "
                "--sheet on the command line or the Sheet box on the Data page"
            )
        raise MissingColumnError(message, file=file_name)
    date_fields = [f.name for f in preview.mapping.schema.fields if f.kind == "date"]
    orders = {name: date_order for name in date_fields} if date_order else None
    try:
        return prepare_table(preview.raw, preview.mapping, orders, today)
    except AmbiguousDateError:
        if date_order is not None:
            raise
        hinted = _hinted_orders(preview.raw, preview.mapping)
        if not hinted:
            raise
    prepared = prepare_table(preview.raw, preview.mapping, hinted.orders, today)
    detected = dict(prepared.detected)
    for column in hinted.columns:
        detected[column] = (
            f"{detected.get(column, 'dates')}, as in column {hinted.source!r} "
            "(every date here fits both orders)"
        )
    return replace(prepared, detected=detected)


def date_order_hint(orders: dict[str, str]) -> tuple[str, str] | None:
    """Return the order and the first column that settles it, when the date
    columns of a file that read one way only all read the same way.

    ``orders`` maps columns to their ``DateFormat.order``. Only "dmy" and
    "mdy" settle anything, because ISO and serial dates have no day-month
    order.
    """
    settled: dict[str, str] = {}
    for column, order in orders.items():
        if order in ("dmy", "mdy"):
            settled.setdefault(order, column)
    return next(iter(settled.items())) if len(settled) == 1 else None


@dataclass(frozen=True)
class _HintedOrders:
    """Date orders taken from another column of the same file."""

    orders: dict[str, str]
    columns: list[str]
    source: str


def _hinted_orders(raw: RawTable, mapping: Mapping) -> _HintedOrders | None:
    """Give each date column whose every date fits both orders the order of
    the file's other date columns, or return None when they do not settle
    it or a column mixes both orders (which needs the user's choice)."""
    fields = {
        name: column
        for name, column in mapping.used_columns().items()
        if mapping.schema.field(name).kind == DATE
    }
    found = {
        column: detect_date_format(raw.frame[column].alias("value")).order
        for column in fields.values()
    }
    hint = date_order_hint(found)
    if hint is None:
        return None
    order, source = hint
    ambiguous = {
        name: column for name, column in fields.items() if found[column] == "ambiguous"
    }
    if any(
        None not in order_examples(raw.frame[column].alias("value"))
        for column in ambiguous.values()
    ):
        return None
    return _HintedOrders(
        {name: order for name in ambiguous}, list(ambiguous.values()), source
    )


def load_file_tables(
    file_name: str,
    data: bytes,
    *,
    date_order: str | None = None,
    sheet: str | None = None,
    today: date | None = None,
) -> list[PreparedTable]:
    """Load a file as every table it holds.

    A HubSpot deals export with "Date entered" columns is both a deals table
    and a stage history; other files give one table.
    """
    preview = preview_file(file_name, data, sheet=sheet)
    return load_previewed_tables(
        preview, file_name, data, date_order=date_order, sheet=sheet, today=today
    )


def load_previewed_tables(
    preview: FilePreview,
    file_name: str,
    data: bytes,
    *,
    date_order: str | None = None,
    sheet: str | None = None,
    today: date | None = None,
) -> list[PreparedTable]:
    """Load every table of a file that ``preview_file`` read as ``preview``,
    as ``load_file_tables`` does."""
    first = _load_preview(preview, file_name, data, date_order, today)
    if preview.paired != "deals" or first.rows_read == 0:
        return [first]
    try:
        deals = load_file(
            file_name,
            data,
            table="deals",
            date_order=date_order,
            sheet=sheet,
            today=today,
        )
    except MissingColumnError:
        return [first]
    return [deals, first]


def load_audience(
    members: list[FilePreview],
    *,
    date_order: str | None = None,
    today: date | None = None,
) -> PreparedTable:
    """Load the list events of the member CSVs of one Mailchimp audience
    export (see ``preview_audience``) with the guessed mapping."""
    preview = preview_audience(members)
    # The joined table is text, so no workbook sheets are looked up.
    return _load_preview(preview, preview.raw.info.file, b"", date_order, today)


def _other_sheets(file_name: str, data: bytes, info: ReadInfo) -> str:
    """Name the sheets of a workbook other than the one read, or return ""."""
    if info.format != "xlsx":
        return ""
    names = [name for name in sheet_names(file_name, data) if name != info.sheet]
    return ", ".join(repr(name) for name in names)


def _unknown_table_message(preview: FilePreview) -> str:
    found = ", ".join(repr(h) for h in preview.headers[:8])
    more = len(preview.headers) - 8
    if more > 0:
        found += f" and {more} more"
    hints = [unknown_table_hint(preview.headers), preview.score_hint]
    hint = " ".join(text for text in hints if text)
    return (
        f"could not tell which kind of table this is from the columns {found}. "
        f"{hint + ' ' if hint else ''}"
        "The app reads these tables, each with at least the columns named: "
        f"{describe_table_types()}. Rename the columns in the file, or pick the "
        "table type and columns on the Data page of the app"
    )
