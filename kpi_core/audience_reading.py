"""Read the member CSVs of a Mailchimp audience export into one table."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from kpi_core.audience_members import (
    MEMBER_FILE,
    AudienceMember,
    check_members,
    has_member_columns,
    is_member_export,
    left_out_note,
    member_status,
    parse_member_name,
)
from kpi_core.errors import EmptyDataError, InvalidValueError, UnreadableFileError
from kpi_core.formatting import count_noun
from kpi_core.raw_table import RawTable, ReadInfo
from kpi_core.table_layout import LINE
from kpi_core.text_table import read_text


def combine_audience_members(raws: list[RawTable]) -> RawTable:
    """Join the member CSVs of one Mailchimp audience export, each read on its
    own by ``read_table``, into the table that the export's zip gives.

    The table is named as ``audience_label`` names it. An export without the
    subscribed members or without both removal files, two files of one
    status, or files of different audiences raise ``InvalidValueError``.
    """
    members = [raw.info.audience for raw in raws]
    if any(member is None for member in members):
        raise ValueError(
            "combine_audience_members needs files that read_table read as "
            "audience members (ReadInfo.audience)"
        )
    audiences = {member.audience for member in members if member.audience}
    label = audience_label(min(audiences) if audiences else None)
    if len(audiences) > 1:
        files = some_names([f"{m.file} ({m.audience})" for m in members if m.audience])
        raise InvalidValueError(
            f"the files come from {len(audiences)} Mailchimp audiences: {files}. "
            "Give the member files of one audience export together",
            file=label,
        )
    counts = ", ".join(
        f"{member.file} ({count_noun(member.rows, f'{member.status} member')})"
        for member in members
    )
    notes = [f"read {len(members)} member files of the audience together: {counts}"]
    names = tuple(member.file for member in members)
    return combine_audience(
        label, "csv", list(zip(members, raws, strict=True)), names, notes
    )


def audience_label(audience: str | None) -> str:
    """Name the table of a Mailchimp audience export read from its member
    files, by the audience id their names give. A new export of the same
    audience gets the same name, so it replaces the table on the Data page."""
    return f"Mailchimp audience {audience}" if audience else "Mailchimp audience"


def read_loose_text(file_name: str, data: bytes) -> RawTable:
    """Read a text file, and mark it as an audience member when it has the
    columns of a Mailchimp member file, or when it is empty and named like
    one."""
    named = parse_member_name(file_name)
    try:
        raw = read_text(file_name, data)
    except EmptyDataError as error:
        if named is None:
            raise
        return _empty_member(file_name, named[0], named[1], error, "csv")
    headers = _header_names(raw)
    if not is_member_export(headers):
        return raw
    status = member_status(file_name, headers)
    _check_member_lines(file_name, file_name, raw)
    audience = named[1] if named else None
    member = AudienceMember(file_name, status, audience, raw.frame.height)
    return replace(raw, info=replace(raw.info, audience=member))


def zip_audience_members(
    file_name: str, parts: dict[str, bytes]
) -> list[tuple[AudienceMember, RawTable]] | None:
    """Read the members of a zip whose names are all those of Mailchimp member
    files, with the status that each name gives.

    Return None when the zip is no audience export after all: a member with
    data rows lacks Mailchimp's member columns (see ``has_member_columns``),
    or the zip contains one member and it has no data rows. A
    member without data rows counts otherwise, because the export has such a
    file for a status without contacts, and its header-only lines give no
    columns to check.
    """
    results: dict[str, RawTable | EmptyDataError] = {}
    for name, content in parts.items():
        try:
            results[name] = read_text(name, content)
        except EmptyDataError as error:
            results[name] = error
    tables = [raw for raw in results.values() if isinstance(raw, RawTable)]
    if not tables and len(results) == 1:
        return None
    if not all(has_member_columns(_header_names(raw)) for raw in tables):
        return None
    members = []
    for name, raw in results.items():
        status, audience = parse_member_name(name)
        if isinstance(raw, EmptyDataError):
            empty = _empty_member(name, status, audience, raw, "zip")
            members.append((empty.info.audience, empty))
            continue
        _check_member_lines(file_name, name, raw)
        member = AudienceMember(name, status, audience, raw.frame.height)
        members.append((member, raw))
    return members


def _header_names(raw: RawTable) -> list[str]:
    return [name for name in raw.frame.columns if name != LINE]


def _check_member_lines(file_name: str, member: str, raw: RawTable) -> None:
    """Reject a member file with a line of more fields than its header. A
    file of its own keeps such lines for ``prepare_table`` to leave out, but
    the joined table of an audience export has no line lengths per file."""
    if not raw.long_lines:
        return
    line, fields = raw.long_lines[0]
    where = f"{member}: " if member != file_name else ""
    raise UnreadableFileError(
        f"{where}line {line} has {fields} fields, the header has "
        f"{raw.header_fields}; put quotes around values that contain the "
        "delimiter, or export the file again",
        file=file_name,
    )


def _empty_member(
    file_name: str,
    status: str,
    audience: str | None,
    error: EmptyDataError,
    file_format: str,
) -> RawTable:
    """Return a member file without data rows as a table without rows: the
    export has the file, but none of its contacts has that status."""
    member = AudienceMember(file_name, status, audience, 0)
    info = ReadInfo(
        file=file_name,
        format=file_format,
        encoding=None,
        delimiter=None,
        header_line=error.line or 1,
        sheet=None,
        sheets=(),
        skipped_lines=(),
        notes=(f"no data rows ({error.detail})",),
        audience=member,
    )
    return RawTable(pl.DataFrame(schema={LINE: pl.Int64}), info, cells_stripped=True)


def combine_audience(
    label: str,
    file_format: str,
    parts: list[tuple[AudienceMember, RawTable]],
    names: tuple[str, ...],
    notes: list[str],
) -> RawTable:
    """Stack the member files of an audience export that are on the list,
    with their status in ``list_status`` and their file name in
    ``member_file``. The other members are left out with a note
    (``left_out_note``)."""
    notes = [*notes]
    tables = []
    for member, raw in parts:
        member_notes = [member_note(member.file, note) for note in raw.info.notes]
        if raw.frame.height == 0:
            notes += member_notes
            continue
        if not member.on_list:
            notes.append(left_out_note(member))
            continue
        frame = raw.frame.drop(LINE).with_columns(
            pl.lit(member.status).alias("list_status"),
            pl.lit(member.file).alias(MEMBER_FILE),
        )
        tables.append((raw, frame.with_columns(raw.frame[LINE])))
        notes += member_notes
    notes += check_members(label, [member for member, _ in parts])
    if not tables:
        raise EmptyDataError(
            "no member file of the audience export has data rows; export the "
            "audience again",
            file=label,
        )
    return _combine(label, file_format, tables, names, notes)


def _combine(
    file_name: str,
    file_format: str,
    tables: list[tuple[RawTable, pl.DataFrame]],
    names: tuple[str, ...],
    notes: list[str],
) -> RawTable:
    frame = pl.concat([frame for _, frame in tables], how="diagonal")
    last = ("list_status", MEMBER_FILE, LINE)
    order = [name for name in frame.columns if name not in last]
    order += [name for name in last if name in frame.columns]
    frame = pl.DataFrame([frame.get_column(name) for name in order])
    first = tables[0][0].info
    encodings = {raw.info.encoding for raw, _ in tables}
    delimiters = {raw.info.delimiter for raw, _ in tables}
    info = ReadInfo(
        file=file_name,
        format=file_format,
        encoding=first.encoding if len(encodings) == 1 else None,
        delimiter=first.delimiter if len(delimiters) == 1 else None,
        header_line=first.header_line,
        sheet=None,
        sheets=names,
        skipped_lines=(),
        notes=tuple(notes),
    )
    return RawTable(frame, info, cells_stripped=True)


def some_names(names: list[str], shown: int = 5) -> str:
    """Join the first ``shown`` names, with the count of the rest, so a zip
    of hundreds of members gives a short message."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown:,} more"


def member_note(member: str, note: str) -> str:
    """Name the zip member in a note. A warning keeps its "warning: " prefix
    in front, which the Data page and ``prepare_table`` look for."""
    warning = "warning: "
    if note.startswith(warning):
        return f"{warning}zip member {member}: {note.removeprefix(warning)}"
    return f"{member}: {note}"
