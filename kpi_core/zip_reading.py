"""Read the CSV, TXT or TSV members of a zip archive."""

from __future__ import annotations

import io
import zipfile

from kpi_core.audience_members import (
    parse_member_name,
)
from kpi_core.audience_reading import (
    combine_audience,
    member_note,
    some_names,
    zip_audience_members,
)
from kpi_core.errors import EmptyDataError, UnreadableFileError
from kpi_core.raw_table import RawTable, ReadInfo
from kpi_core.text_table import read_text
from kpi_core.workbook import (
    ZIP_MEMBER_ERRORS,
    check_zip,
)
from kpi_core.zip_entries import (
    is_text_note,
    no_table_error,
)


def read_zip(file_name: str, data: bytes, sheet: str | None) -> RawTable:
    """Read one member, or all members of a Mailchimp audience export.

    Mailchimp puts the contacts of each status in a CSV of their own; they
    become one table with a ``list_status`` column taken from each member's
    file name (see ``combine_audience``).
    """
    with open_zip(file_name, data) as archive:
        check_zip(file_name, archive, len(data))
        members = table_members(archive)
        names = tuple(info.filename for info in members)
        entries = some_names(_other_members(archive, []))
        if not members:
            raise no_table_error(file_name, entries)
        chosen = _choose_members(file_name, members, sheet)
        parts = _read_members(file_name, archive, chosen)
        skipped = _other_members(archive, members)

    notes = []
    if skipped:
        notes.append(
            f"warning: the zip also holds {some_names(skipped)}, which the app "
            "does not read: it reads the CSV, TXT and TSV files of a zip. Save "
            "such a file as CSV and zip it again, or upload it on its own"
        )
    if sheet is None and all(parse_member_name(name) for name in parts):
        audience = zip_audience_members(file_name, parts)
        if audience is not None:
            return combine_audience(file_name, "zip", audience, names, notes)
        if len(parts) > 1:
            raise _several_tables_error(file_name, list(names))
    # The zip is no audience export, and ``_choose_members`` left one member.
    [(member, content)] = parts.items()
    try:
        raw = read_text(member, content)
    except EmptyDataError as error:
        if sheet is not None or not is_text_note(member):
            raise
        raise no_table_error(file_name, entries, member) from error
    notes += [member_note(member, note) for note in raw.info.notes]
    info = ReadInfo(
        file=file_name,
        format="zip",
        encoding=raw.info.encoding,
        delimiter=raw.info.delimiter,
        header_line=raw.info.header_line,
        sheet=sheet,
        sheets=names,
        skipped_lines=(),
        notes=tuple(notes),
    )
    return RawTable(
        raw.frame,
        info,
        cells_stripped=True,
        long_lines=raw.long_lines,
        header_fields=raw.header_fields,
        short_lines=raw.short_lines,
        writes_empty_last=raw.writes_empty_last,
        unended_line=raw.unended_line,
        final_character=raw.final_character,
        kept_totals=raw.kept_totals,
    )


def open_zip(file_name: str, data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except ZIP_MEMBER_ERRORS as error:
        raise UnreadableFileError(
            f"the file starts like a zip archive (XLSX files are zip archives) but "
            f"cannot be opened ({error}); it may be cut off. Export it again",
            file=file_name,
        ) from error


def _read_members(
    file_name: str, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]
) -> dict[str, bytes]:
    try:
        return {info.filename: archive.read(info) for info in members}
    except ZIP_MEMBER_ERRORS as error:
        raise UnreadableFileError(
            f"a file inside the zip could not be unpacked ({error}); the archive "
            "may be damaged or encrypted. Export it again",
            file=file_name,
        ) from error


def table_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    # A damaged central directory can give an empty name, on which
    # ZipInfo.is_dir() raises IndexError.
    return [
        info
        for info in archive.infolist()
        if info.filename
        and not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and info.filename.lower().endswith((".csv", ".txt", ".tsv"))
    ]


def _other_members(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]
) -> list[str]:
    """Return the names of the files in the zip that ``table_members`` does
    not read, leaving out folders and macOS metadata."""
    read = {info.filename for info in members}
    return [
        info.filename
        for info in archive.infolist()
        if info.filename
        and not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and info.filename not in read
    ]


def _choose_members(
    file_name: str, members: list[zipfile.ZipInfo], sheet: str | None
) -> list[zipfile.ZipInfo]:
    names = [info.filename for info in members]
    if sheet is not None:
        if sheet not in names:
            raise UnreadableFileError(
                f"the zip has no member {sheet!r}; it has {some_names(names)}",
                file=file_name,
            )
        return [members[names.index(sheet)]]
    if len(members) > 1 and any(parse_member_name(name) is None for name in names):
        raise _several_tables_error(file_name, names)
    return members


def _several_tables_error(file_name: str, names: list[str]) -> UnreadableFileError:
    # The Data page offers no chooser of zip members, so the message
    # points to the uploader, which takes several files at once.
    return UnreadableFileError(
        f"the zip contains {len(names):,} tables ({some_names(names)}), and "
        "only a Mailchimp audience export is read as one table. Unpack the "
        "zip and upload the files you need; the uploader takes several at once",
        file=file_name,
    )
