"""From uploaded bytes to a canonical table: read, recognise, map, parse.

The pages call ``preview_file`` to show the detected table type and mapping
before anything is used, then ``prepare_table`` with the user's corrections.
The CLI calls ``load_file``, which does both with the guesses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from kpi_core.audience_members import MEMBER_FILE, AudienceMember, names_audience
from kpi_core.cell_text import NULL_MARKERS
from kpi_core.column_kinds import number_columns, undated_bare_columns, yes_no_columns
from kpi_core.date_values import (
    detect_and_parse_dates,
    detect_date_format,
    order_examples,
    parse_dates,
)
from kpi_core.deal_stage_history import deals_or_history, long_stage_history
from kpi_core.email_list import audience_events_with_sources, unreadable_audience_dates
from kpi_core.errors import (
    AmbiguousDateError,
    EmptyDataError,
    InvalidValueError,
    MissingColumnError,
)
from kpi_core.field_history import stage_field_rows
from kpi_core.formatting import count_noun, line_list
from kpi_core.import_problems import LINE
from kpi_core.mapping import (
    Mapping,
    describe_table_types,
    detect_table,
    guess_mapping,
    unknown_table_hint,
)
from kpi_core.prepare import PreparedTable, prepare_table
from kpi_core.read_notes import SOURCE, WARNING_PREFIX, with_note
from kpi_core.reading import (
    MAX_UPLOAD_BYTES,
    RawTable,
    ReadInfo,
    combine_audience_members,
    read_table,
    sheet_names,
)
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
    deal id has no column.
    """

    raw: RawTable
    table: str | None
    scores: dict[str, float]
    mapping: Mapping | None
    paired: str | None = None
    contacts_problem: InvalidValueError | None = None
    deal_id_problem: MissingColumnError | None = None

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
                _audience_events(raw)
                or _contact_events(raw)
                or _dated_list_events(raw)
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
    )


def load_file(
    file_name: str,
    data: bytes,
    *,
    table: str | None = None,
    date_order: str | None = None,
    sheet: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> PreparedTable:
    """Read, recognise and parse a file with the guessed mapping.

    ``date_order`` ("dmy" or "mdy") settles every date column whose values
    fit both orders. ``sheet`` picks a workbook sheet other than the first.
    Files over ``max_bytes`` are rejected as in ``read_table``.
    """
    preview = preview_file(
        file_name, data, sheet=sheet, table=table, max_bytes=max_bytes
    )
    return _load_preview(preview, file_name, data, date_order)


def _load_preview(
    preview: FilePreview, file_name: str, data: bytes, date_order: str | None
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
        return prepare_table(preview.raw, preview.mapping, orders)
    except AmbiguousDateError:
        if date_order is not None:
            raise
        hinted = _hinted_orders(preview.raw, preview.mapping)
        if not hinted:
            raise
    prepared = prepare_table(preview.raw, preview.mapping, hinted.orders)
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
) -> list[PreparedTable]:
    """Load a file as every table it holds.

    A HubSpot deals export with "Date entered" columns is both a deals table
    and a stage history; other files give one table.
    """
    preview = preview_file(file_name, data, sheet=sheet)
    return load_previewed_tables(
        preview, file_name, data, date_order=date_order, sheet=sheet
    )


def load_previewed_tables(
    preview: FilePreview,
    file_name: str,
    data: bytes,
    *,
    date_order: str | None = None,
    sheet: str | None = None,
) -> list[PreparedTable]:
    """Load every table of a file that ``preview_file`` read as ``preview``,
    as ``load_file_tables`` does."""
    first = _load_preview(preview, file_name, data, date_order)
    if preview.paired != "deals" or first.rows_read == 0:
        return [first]
    try:
        deals = load_file(
            file_name, data, table="deals", date_order=date_order, sheet=sheet
        )
    except MissingColumnError:
        return [first]
    return [deals, first]


def load_audience(
    members: list[FilePreview], *, date_order: str | None = None
) -> PreparedTable:
    """Load the list events of the member CSVs of one Mailchimp audience
    export (see ``preview_audience``) with the guessed mapping."""
    preview = preview_audience(members)
    # The joined table is text, so no workbook sheets are looked up.
    return _load_preview(preview, preview.raw.info.file, b"", date_order)


def _audience_events(raw: RawTable) -> RawTable | None:
    """Turn a Mailchimp audience export (the zip of subscribed, unsubscribed
    and cleaned members) into one text row per list event, or return None
    for other files. Each event keeps the file line of its member and the
    time column that dates it, which also gives its kind."""
    columns = raw.frame.columns
    if "Email Address" not in columns or "list_status" not in columns:
        return None
    events = audience_events_with_sources(raw.frame)
    lines = raw.frame.select(
        pl.col("Email Address").alias("email"), pl.col(LINE)
    ).unique("email", keep="first")
    # The order of the events decides the order of the file columns named
    # in the report, so the join keeps it.
    long = events.join(lines, on="email", how="left", maintain_order="left").select(
        pl.col("email").alias("Email"),
        pl.col("event").alias("Event"),
        # NOTE: the dates are read here and passed on as ISO text, so the
        # report notes every time column as "dates year first (ISO)", also
        # one that a spreadsheet saved again as "15.03.2024 10:22".
        pl.col("occurred_at").cast(pl.String).alias("Occurred at"),
        pl.col(LINE),
        pl.col("source"),
    )
    sources = long.get_column("source")
    long = long.drop("source")
    cell_sources = {
        "Email": pl.repeat("Email Address", long.height, eager=True),
        "Event": sources,
        "Occurred at": sources,
    }
    note = (
        f"The Mailchimp audience of {count_noun(raw.frame.height, 'member')} was "
        f"turned into {count_noun(long.height, 'list event')} (subscribes, "
        "unsubscribes, cleaned)."
    )
    notes = [note]
    unreadable = unreadable_audience_dates(raw.frame)
    if unreadable.height:
        example = unreadable.row(0, named=True)
        notes.append(
            f"{WARNING_PREFIX}{count_noun(unreadable.height, 'time cell')} of the "
            f"audience could not be read as a date ({_member_lines(unreadable)}), "
            f"such as {example['text']!r} in {example['column']}"
            f"{_example_line(example, unreadable.height)}. Their members' "
            "events are left out or dated by LAST_CHANGED. Export the audience "
            "from Mailchimp again and upload the zip without opening its files "
            "in a spreadsheet"
        )
    info = replace(raw.info, notes=(*raw.info.notes, *notes))
    return replace(
        raw, frame=long, info=info, cells_stripped=False, cell_sources=cell_sources
    )


def _member_lines(rows: pl.DataFrame) -> str:
    """List the lines of ``rows`` per member file of the audience, as in
    "lines 2, 3 of subscribed_email_audience_export_4f2a9b.csv; line 2 of
    cleaned_email_audience_export_4f2a9b.csv"."""
    if MEMBER_FILE not in rows.columns:
        lines = rows[LINE].unique().sort()
        return f"line{'s' if lines.len() > 1 else ''} {line_list(lines)}"
    parts = []
    for (file,), group in rows.group_by(MEMBER_FILE, maintain_order=True):
        lines = group[LINE].unique().sort()
        word = "lines" if lines.len() > 1 else "line"
        parts.append(f"{word} {line_list(lines)} of {file}")
    return "; ".join(parts)


def _example_line(example: dict, cells: int) -> str:
    """Name the line of the example cell, unless it is the only cell and the
    list of lines already names it."""
    if cells == 1:
        return ""
    where = f" on line {example[LINE]}"
    if example.get(MEMBER_FILE):
        where += f" of {example[MEMBER_FILE]}"
    return where


# Headers of an ActiveCampaign contacts export, lower-cased, and the
# statuses it gives a contact.
_CONTACT_EMAIL = ("email", "email address")
# Headers of a list of contacts with the day each joined and left, as
# newsletter tools and spreadsheets name them (lower case).
_LIST_EMAIL = (*_CONTACT_EMAIL, "e-mail", "e-mail-adresse", "e-mail adresse")
_LIST_JOINED = (
    "anmeldedatum", "angemeldet am", "eingetragen am", "eintragedatum",
    "opt-in", "opt-in date", "optin date", "opt-in-datum", "doi-datum",
    "subscribed at", "subscribed on", "subscription date", "subscribe date",
)  # fmt: skip
_LIST_LEFT = (
    "abmeldedatum", "abgemeldet am", "ausgetragen am", "austragedatum",
    "opt-out", "opt-out date", "opt-out-datum", "unsubscribed at",
    "unsubscribed on", "unsubscribe date",
)  # fmt: skip
_CONTACT_CREATED = ("date created", "created date", "created")
_CONTACT_UPDATED = ("date updated", "updated date", "last updated")
_CONTACT_STATUS = ("status", "list status", "contact status")
_CONTACT_EVENTS = {"unsubscribed": "unsubscribe", "bounced": "cleaned"}
_JOINED = ("active", "unsubscribed", "bounced")
_UNCONFIRMED = "unconfirmed"
_AC_STATUSES = (*_JOINED, _UNCONFIRMED)
# A file with a "Date Updated" column is read as contacts when at least this
# percentage of its filled statuses are ActiveCampaign statuses, so that a few
# mistyped statuses such as "Un-subscribed" do not make it another table.
_CONTACT_STATUS_PERCENT = 80
# Contacts left out for an empty "Date Created" or another status get a
# warning instead of a sentence in the note from this percentage of the
# file's contacts.
_LEFT_OUT_WARNING_PERCENT = 10
_EXAMPLE_STATUSES = 3


@dataclass(frozen=True)
class _ContactColumns:
    email: str
    created: str
    updated: str | None
    status: str


def _contact_events(raw: RawTable) -> RawTable | None:
    """Turn an ActiveCampaign contacts export into one text row per list
    event, or return None for other files.

    The export has no event log, only each contact's status (Active,
    Unconfirmed, Unsubscribed or Bounced) and two dates. Every contact but
    the unconfirmed ones subscribed at "Date Created". An unsubscribed or
    bounced contact left at "Date Updated", the contact's last change,
    because the export has no closer date, or at "Date Created" when
    "Date Updated" is earlier. Contacts with another status, no status or
    no "Date Created" are left out. The date cells stay text, so they are
    parsed and checked like any other.

    Raises EmptyDataError when no contact joined the list.
    """
    columns = _contact_columns(raw)
    if columns is None:
        return None
    statuses = raw.frame[columns.status].str.strip_chars().str.to_lowercase()
    statuses = statuses.set(statuses == "", None)
    if not _reads_as_contacts(raw, statuses, columns.updated):
        if _has_contact_only_status(statuses) and not _complete_other_table(raw):
            raise InvalidValueError(
                _unknown_statuses_message(raw, columns, statuses),
                file=raw.info.file,
                column=columns.status,
            )
        return None
    no_created = (
        raw.frame[columns.created]
        .str.strip_chars()
        .fill_null("")
        .is_in(NULL_MARKERS)
        .alias("_no_created")
    )
    frame = raw.frame.with_columns(statuses.alias("_status"), no_created)
    joined = frame.filter(pl.col("_status").is_in(_JOINED) & ~pl.col("_no_created"))
    joins = joined.select(
        pl.col(columns.email).alias("Email"),
        pl.lit("subscribe").alias("Event"),
        pl.col(columns.created).alias("Occurred at"),
        pl.col(LINE),
        pl.lit(columns.created).alias(SOURCE),
    )
    removals, early = _removal_rows(joined, joins["Occurred at"], columns)
    other, other_examples = _other_statuses(raw.frame[columns.status], statuses)
    counts = _LeftOut(
        total=raw.frame.height,
        unconfirmed=int((statuses == _UNCONFIRMED).sum()),
        without_status=statuses.null_count(),
        no_created=int(
            frame.filter(pl.col("_status").is_in(_JOINED))["_no_created"].sum()
        ),
        other=other,
        other_examples=other_examples,
    )
    if joins.height == 0:
        raise EmptyDataError(
            _no_joins_message(counts, columns.created),
            file=raw.info.file,
            column=columns.status,
        )
    long = pl.concat([joins, removals])
    # The status gives each event's kind, and "Date Created" or "Date
    # Updated" its date.
    cell_sources = {
        "Email": pl.repeat(columns.email, long.height, eager=True),
        "Event": pl.repeat(columns.status, long.height, eager=True),
        "Occurred at": long.get_column(SOURCE),
    }
    long = long.drop(SOURCE)
    notes = _contact_notes(columns, counts, long.height, early)
    if not columns.updated and removals.height:
        notes.append(
            f"{WARNING_PREFIX}the file has no 'Date Updated' column, so "
            f"{count_noun(removals.height, 'unsubscribed or bounced contact')} "
            "cannot be dated. The list growth leaves them out and reads too "
            "high; export the contacts again with 'Date Updated'."
        )
    info = replace(raw.info, notes=(*raw.info.notes, *notes))
    return replace(raw, frame=long, info=info, cell_sources=cell_sources)


def _dated_list_events(raw: RawTable) -> RawTable | None:
    """Turn a list of contacts with the day each joined and, where they
    left, the day they left (``_LIST_JOINED``, ``_LIST_LEFT``) into one text
    row per list event, or return None for other files.

    A contact subscribes on its joined day and unsubscribes on its left
    day, unless that day comes before the joined one, which is named in a
    warning. A file with an event column is an event log, and a file whose
    columns complete another table (orders with a customer's email and
    opt-in day) is that table, so both are left as they are. The date cells
    stay text, so they are parsed and checked like any other.
    """
    by_name = {name.strip().lower(): name for name in raw.frame.columns if name != LINE}

    def find(names: tuple[str, ...]) -> str | None:
        return next((by_name[name] for name in names if name in by_name), None)

    email, joined, left = find(_LIST_EMAIL), find(_LIST_JOINED), find(_LIST_LEFT)
    event_headers = {"event", "event type", "action", "ereignis", "aktion"}
    if email is None or joined is None or event_headers & set(by_name):
        return None
    if _complete_other_table(raw):
        return None
    filled = pl.col(joined).str.strip_chars().fill_null("") != ""
    joins = raw.frame.filter(filled).select(
        pl.col(email).alias("Email"),
        pl.lit("subscribe").alias("Event"),
        pl.col(joined).alias("Occurred at"),
        pl.col(LINE),
        pl.lit(joined).alias(SOURCE),
    )
    removals, notes = joins.clear(), []
    if left is not None:
        removals, notes = _leaving_rows(raw.frame, email, joined, left)
    if joins.height == 0:
        return None
    long = pl.concat([joins, removals]).sort(LINE, maintain_order=True)
    # Each event's day, and so its kind, comes from the joined or the left
    # column, and its address from the address column.
    sources = long.get_column(SOURCE)
    long = long.drop(SOURCE)
    cell_sources = {
        "Email": pl.repeat(email, long.height, eager=True),
        "Event": sources,
        "Occurred at": sources,
    }
    how = f"a subscribe on {joined!r}"
    if left is not None:
        how += f" and an unsubscribe on {left!r} where it is filled"
    notes.insert(
        0,
        f"The list of {count_noun(raw.frame.height, 'contact')} was turned into "
        f"{count_noun(long.height, 'list event')}: {how}.",
    )
    undated = raw.frame.height - joins.height
    if undated:
        verb = "is" if undated == 1 else "are"
        notes.append(
            f"{WARNING_PREFIX}{count_noun(undated, 'contact')} without a date in "
            f"{joined!r} cannot be placed on the list and {verb} left out of its "
            "subscribes."
        )
    info = replace(raw.info, notes=(*raw.info.notes, *notes))
    return replace(raw, frame=long, info=info, cell_sources=cell_sources)


def _leaving_rows(
    frame: pl.DataFrame, email: str, joined: str, left: str
) -> tuple[pl.DataFrame, list[str]]:
    """Return an unsubscribe for each contact with a ``left`` day, except
    those who left before they joined, and the warning that names those.
    Each unsubscribe names ``left`` in the ``SOURCE`` column."""
    leaving = pl.col(left).str.strip_chars().fill_null("") != ""
    notes = []
    early = _left_before_joined(frame, joined, left)
    if early.len():
        one = early.len() == 1
        has, its, lines = ("has", "its", "line") if one else ("have", "their", "lines")
        notes.append(
            f"{WARNING_PREFIX}{count_noun(early.len(), 'contact')} {has} an "
            f"{left!r} before {its} {joined!r} ({lines} {line_list(early)}). "
            f"{its.capitalize()} leaving is left out of the list growth; "
            "correct the dates in the file."
        )
        leaving = leaving & ~pl.col(LINE).is_in(early.implode())
    removals = frame.filter(leaving).select(
        pl.col(email).alias("Email"),
        pl.lit("unsubscribe").alias("Event"),
        pl.col(left).alias("Occurred at"),
        pl.col(LINE),
        pl.lit(left).alias(SOURCE),
    )
    return removals, notes


def _left_before_joined(frame: pl.DataFrame, joined: str, left: str) -> pl.Series:
    """Return the file lines whose ``left`` day comes before their ``joined``
    day, or none when either column's dates cannot be read in one order."""
    days = []
    for column in (joined, left):
        found, parsed = detect_and_parse_dates(frame[column])
        if found.order not in ("iso", "dmy", "mdy"):
            return pl.Series(LINE, [], dtype=pl.Int64)
        days.append(parsed.cast(pl.Date))
    early = (days[1] < days[0]).fill_null(False)
    return frame[LINE].filter(early)


def _removal_rows(
    joined: pl.DataFrame, join_dates: pl.Series, columns: _ContactColumns
) -> tuple[pl.DataFrame, int]:
    """Return an unsubscribe or cleaned event for each unsubscribed or bounced
    contact of ``joined``, and how many of them are dated on the creation
    day because their "Date Updated" is earlier. The ``SOURCE`` column
    names the column of each event's date, or is null without a date."""
    leaving = joined.filter(pl.col("_status").is_in(list(_CONTACT_EVENTS)))
    early = pl.Series("_early", [False] * leaving.height, dtype=pl.Boolean)
    left_at = pl.lit(None, dtype=pl.String)
    left_from = pl.lit(None, dtype=pl.String)
    if columns.updated:
        dates = pl.concat([join_dates, leaving[columns.updated]])
        early = _removals_before_creation(
            leaving[columns.created], leaving[columns.updated], dates
        )
        left_at = (
            pl.when(pl.col("_early"))
            .then(pl.col(columns.created))
            .otherwise(pl.col(columns.updated))
        )
        left_from = (
            pl.when(pl.col("_early"))
            .then(pl.lit(columns.created))
            .otherwise(pl.lit(columns.updated))
        )
    removals = leaving.with_columns(early).select(
        pl.col(columns.email).alias("Email"),
        pl.col("_status").replace_strict(_CONTACT_EVENTS).alias("Event"),
        left_at.alias("Occurred at"),
        pl.col(LINE),
        left_from.alias(SOURCE),
    )
    return removals, int(early.sum())


def _contact_columns(raw: RawTable) -> _ContactColumns | None:
    """Find the columns of a contacts export by name, or return None when the
    email, creation date or status is missing."""
    by_name = {name.strip().lower(): name for name in raw.frame.columns if name != LINE}

    def find(names: tuple[str, ...]) -> str | None:
        return next((by_name[name] for name in names if name in by_name), None)

    email, created, status = (
        find(_CONTACT_EMAIL),
        find(_CONTACT_CREATED),
        find(_CONTACT_STATUS),
    )
    if email is None or created is None or status is None:
        return None
    return _ContactColumns(email, created, find(_CONTACT_UPDATED), status)


def _reads_as_contacts(raw: RawTable, statuses: pl.Series, updated: str | None) -> bool:
    """Tell whether a file with the contacts columns is a contacts export.

    ``statuses`` are trimmed, lower case and null when empty. With a "Date
    Updated" column, ``_CONTACT_STATUS_PERCENT`` % of ActiveCampaign
    statuses make a contacts export. This is true even when the columns
    would also complete another table (an export with "Total Revenue" is no
    orders table), as long as a status only a contact has (unsubscribed,
    bounced, unconfirmed) shows it: a customer list whose statuses all read
    "Active" is that table, also with "Last Updated". Without the column,
    every status must be an ActiveCampaign one, or that share of them with
    a contact-only status among them, and a complete other table wins.
    """
    filled = statuses.drop_nulls()
    if filled.len() == 0:
        return False
    known = int(filled.is_in(_AC_STATUSES).sum())
    mostly_known = known * 100 >= _CONTACT_STATUS_PERCENT * filled.len()
    contact_only = _has_contact_only_status(statuses)
    if updated is not None and mostly_known:
        return contact_only or not _complete_other_table(raw)
    if known < filled.len() and not (contact_only and mostly_known):
        return False
    return not _complete_other_table(raw)


def _has_contact_only_status(statuses: pl.Series) -> bool:
    """Tell whether any of the trimmed, lower-case ``statuses`` is one that
    only a contact has: unsubscribed, bounced or unconfirmed."""
    return bool(statuses.is_in([*_CONTACT_EVENTS, _UNCONFIRMED]).any())


def _unknown_statuses_message(
    raw: RawTable, columns: _ContactColumns, statuses: pl.Series
) -> str:
    """Explain why a file that looks like a contacts export is not read as
    one: too many of its statuses are not ActiveCampaign statuses."""
    unknown = (statuses.is_not_null() & ~statuses.is_in(_AC_STATUSES)).fill_null(False)
    counts = (
        raw.frame[columns.status]
        .filter(unknown)
        .str.strip_chars()
        .to_frame("status")
        .group_by("status", maintain_order=True)
        .len()
        .sort("len", descending=True, maintain_order=True)
    )
    listed = ", ".join(
        f"{status!r} ({rows:,})"
        for status, rows in counts.head(_EXAMPLE_STATUSES).iter_rows()
    )
    if counts.height > _EXAMPLE_STATUSES:
        listed += f" and {counts.height - _EXAMPLE_STATUSES} more"
    lines = line_list(raw.frame[LINE].filter(unknown))
    return (
        f"the file looks like an ActiveCampaign contacts export (columns "
        f"{columns.email!r}, {columns.created!r} and {columns.status!r}, with "
        "unsubscribed, bounced or unconfirmed contacts), but "
        f"{unknown.sum():,} of {statuses.drop_nulls().len():,} statuses are "
        f"not Active, Unconfirmed, Unsubscribed or Bounced: {listed}, on lines "
        f"{lines}. Correct those statuses in the file, or pick the table type "
        "and columns on the Data page of the app"
    )


def _removals_before_creation(
    created: pl.Series, updated: pl.Series, dates: pl.Series
) -> pl.Series:
    """Mark the removals whose ``updated`` date is before ``created``.

    ``dates`` are all the cells of the event date column, which decide the
    date format as they will when the events are parsed. When that format
    is ambiguous, a removal is marked only if it is early in both the
    day-first and the month-first reading. Dates that do not parse are
    never marked.
    """
    order = detect_date_format(dates).order
    # NOTE: the date order the user picks later is not known here, so a
    # removal that is early in one order only keeps its "Date Updated".
    orders = ("dmy", "mdy") if order == "ambiguous" else (order,)
    early = pl.Series("_early", [True] * created.len(), dtype=pl.Boolean)
    for date_order in orders:
        before = parse_dates(updated, date_order) < parse_dates(created, date_order)
        early = early & before.fill_null(False)
    return early.alias("_early")


@dataclass(frozen=True)
class _LeftOut:
    """Counts of a contacts export's contacts and of those left out, per
    reason. ``other_examples`` are up to ``_EXAMPLE_STATUSES`` of the other
    statuses, as written in the file."""

    total: int
    unconfirmed: int
    without_status: int
    no_created: int
    other: int
    other_examples: tuple[str, ...]

    def is_many(self, count: int) -> bool:
        """Tell whether ``count`` contacts left out call for a warning."""
        return count * 100 >= _LEFT_OUT_WARNING_PERCENT * self.total


def _other_statuses(
    cells: pl.Series, statuses: pl.Series
) -> tuple[int, tuple[str, ...]]:
    """Count the filled statuses that are not ActiveCampaign statuses and
    return the first few distinct ones as written in the file."""
    other = statuses.is_not_null() & ~statuses.is_in(_AC_STATUSES)
    values = cells.filter(other).str.strip_chars().unique(maintain_order=True)
    return int(other.sum()), tuple(values.head(_EXAMPLE_STATUSES).to_list())


def _is_are(count: int) -> str:
    return "is" if count == 1 else "are"


def _conversion_sentence(columns: _ContactColumns, contacts: int, events: int) -> str:
    sentence = (
        f"The ActiveCampaign contacts export of "
        f"{count_noun(contacts, 'contact')} was turned into "
        f"{count_noun(events, 'list event')}: a subscribe at {columns.created!r} "
        "for each active, unsubscribed or bounced contact"
    )
    if columns.updated:
        sentence += (
            f", and an unsubscribe or cleaned event at {columns.updated!r}, the "
            "contact's last change, which can be later than the day it left"
        )
    return sentence


def _contact_notes(
    columns: _ContactColumns, counts: _LeftOut, events: int, early: int
) -> list[str]:
    """Describe how a contacts export became list events: one note for the
    caption, and warnings when many contacts are left out."""
    sentences = [_conversion_sentence(columns, counts.total, events)]
    warnings = []
    if early:
        sentences.append(
            f"{count_noun(early, 'contact')} with {columns.updated!r} before "
            f"{columns.created!r} {_is_are(early)} removed on the creation day"
        )
    if counts.unconfirmed:
        sentences.append(
            f"{count_noun(counts.unconfirmed, 'unconfirmed contact')} never "
            f"joined the list and {_is_are(counts.unconfirmed)} left out"
        )
    if counts.other:
        examples = ", ".join(repr(value) for value in counts.other_examples)
        sentence = (
            f"{count_noun(counts.other, 'contact')} with a status other than "
            f"Active, Unconfirmed, Unsubscribed or Bounced ({examples}) "
            f"{_is_are(counts.other)} left out"
        )
        if counts.is_many(counts.other):
            warnings.append(
                f"{WARNING_PREFIX}{sentence}. Correct their status in the file "
                "if they joined the list."
            )
        else:
            sentences.append(sentence)
    if counts.no_created:
        sentence = (
            f"{count_noun(counts.no_created, 'contact')} without a "
            f"{columns.created!r} {_is_are(counts.no_created)} left out, because "
            "the day they joined is unknown"
        )
        if counts.is_many(counts.no_created):
            warnings.append(
                f"{WARNING_PREFIX}{sentence}. Fill in {columns.created!r} or "
                "export the contacts again."
            )
        else:
            sentences.append(sentence)
    if counts.without_status:
        sentences.append(
            f"{count_noun(counts.without_status, 'contact')} without a status "
            f"{_is_are(counts.without_status)} left out, because the status "
            "tells whether a contact joined"
        )
    return [". ".join(sentences) + ".", *warnings]


def _no_joins_message(counts: _LeftOut, created: str) -> str:
    """Explain why no contact of a contacts export gives a list event."""
    reasons = [
        f"{counts.unconfirmed:,} unconfirmed" if counts.unconfirmed else "",
        f"{counts.without_status:,} without a status" if counts.without_status else "",
        f"{counts.other:,} with another status" if counts.other else "",
        f"{counts.no_created:,} without a {created!r}" if counts.no_created else "",
    ]
    return (
        f"none of the {count_noun(counts.total, 'contact')} joined the list "
        f"({', '.join(reason for reason in reasons if reason)}), so there are no "
        "list events. The list growth needs contacts with the status Active, "
        f"Unsubscribed or Bounced and a {created!r}"
    )


def _complete_other_table(raw: RawTable) -> bool:
    """Tell whether the file's columns give every required column of a
    table type other than email events."""
    headers = [name for name in raw.frame.columns if name != LINE]
    numbers = number_columns(raw.frame, headers)
    detected, _scores = detect_table(headers, numbers)
    if detected in (None, "email_events"):
        return False
    mapping = guess_mapping(headers, detected, (), numbers)
    return not mapping.missing_required


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
    hint = unknown_table_hint(preview.headers)
    return (
        f"could not tell which kind of table this is from the columns {found}. "
        f"{hint + ' ' if hint else ''}"
        "The app reads these tables, each with at least the columns named: "
        f"{describe_table_types()}. Rename the columns in the file, or pick the "
        "table type and columns on the Data page of the app"
    )
