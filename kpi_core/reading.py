"""Read an uploaded export into a table of text columns.

``read_table`` accepts what CRM, helpdesk, billing, email and ad tools export,
also after a re-save in German Excel: CSV with any of four delimiters and
common encodings, space-aligned text, XLSX workbooks, and Mailchimp's audience
zip. Every cell stays text; ``kpi_core.values`` parses dates and numbers once
the columns are mapped. ``ReadInfo`` describes in plain words what was
detected and which lines were left out, so the pages can show it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

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
from kpi_core.formula_rows import with_stand_ins
from kpi_core.mapping import detect_table
from kpi_core.sheet_notes import (
    check_unsaved_formulas,
    grid_headers,
    marks_by_header,
    mixed_number_columns,
    scan_notes,
)
from kpi_core.table_layout import LINE, Layout, lay_out
from kpi_core.text_end import final_character, unended_line
from kpi_core.text_grid import read_grid
from kpi_core.workbook import (
    ZIP_MEMBER_ERRORS,
    Sheet,
    check_zip,
    read_sheets,
    workbook_sheets,
)
from kpi_core.zip_entries import (
    MAX_WORKBOOK_ENTRIES,
    MAX_ZIP_ENTRIES,
    count_entries,
    is_text_note,
    no_table_error,
)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# The stream name in the OLE2 directory, which stores names in UTF-16LE.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class ReadInfo:
    """Detection results of ``read_table`` for one file.

    ``format`` is "csv", "xlsx", "zip" or "text" (space-aligned columns).
    ``header_line`` is the 1-based line (CSV) or row (XLSX) of the header; for
    a zip it is that of the first member read. ``skipped_lines`` lists the
    title, empty, total, summary and footer lines left out (for a zip,
    ``notes`` lists them per member instead). ``audience`` is set when the
    file is one member CSV of a Mailchimp audience export read on its own,
    as macOS unpacks the export's zip; ``combine_audience_members`` joins
    such files.
    """

    file: str
    format: str
    encoding: str | None
    delimiter: str | None
    header_line: int
    sheet: str | None
    sheets: tuple[str, ...]
    skipped_lines: tuple[int, ...]
    notes: tuple[str, ...]
    audience: AudienceMember | None = None


@dataclass(frozen=True)
class RawTable:
    """A read file: text columns plus ``_line``, and what was detected.

    Every data column is ``pl.String`` with a stripped, unique, non-empty
    header; empty cells are null. The last column ``_line`` (Int64) is the
    line (CSV) or row (XLSX) where the record starts, counting the header.
    ``cells_stripped`` is True when no cell starts or ends with whitespace,
    as ``read_table`` leaves them, so ``prepare_table`` need not strip them.
    ``long_lines`` lists (line, field count) for the text lines with more
    fields than the header's ``header_fields``; ``prepare_table`` rejects
    them. ``short_lines`` lists those with fewer fields, whose missing cells
    are null; ``prepare_table`` names them. ``writes_empty_last`` is True
    when some line has as many fields as the header and an empty last one,
    so the file's short lines are not its style but likely cut off.
    ``unended_line`` is the line of the file's last record when no line break
    follows it, so that the file may be cut off inside it, and 0 otherwise.
    ``final_character`` is the file's last character, such as a closing
    quote that shows the last field to be whole.
    ``kept_totals`` lists (line, label) of the rows kept as data that
    contain a total label, which a warning of ``info.notes`` names.
    ``format_marks`` gives the currency marks of workbook number cells
    whose number format shows a currency: ``_line`` and one String column
    per header that has such cells, or None.
    ``number_cells`` marks the cells that a workbook stores as numbers, in
    the columns that also have text cells which are not plain numbers:
    ``_line`` and one String column per such header, non-null for a number
    cell, or None.
    ``cell_sources`` names, for each column that the import built from other
    columns of the file, the file column of each of its cells, row by row,
    or null for a cell of no file column, such as a missing date.
    A contact list with "Anmeldedatum" and "Abmeldedatum" becomes list
    events whose "Occurred at" takes its cells from either column.
    """

    frame: pl.DataFrame
    info: ReadInfo
    cells_stripped: bool = False
    long_lines: tuple[tuple[int, int], ...] = ()
    header_fields: int = 0
    short_lines: tuple[tuple[int, int], ...] = ()
    writes_empty_last: bool = False
    unended_line: int = 0
    final_character: str = ""
    kept_totals: tuple[tuple[int, str], ...] = ()
    format_marks: pl.DataFrame | None = None
    number_cells: pl.DataFrame | None = None
    cell_sources: dict[str, pl.Series] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for column, sources in self.cell_sources.items():
            if sources.len() != self.frame.height:
                raise ValueError(
                    f"the cell sources of {column!r} have {sources.len()} rows "
                    f"and the frame has {self.frame.height}; build them anew "
                    "when the rows change"
                )

    def column_sources(self) -> dict[str, tuple[str, ...]]:
        """Return the file columns of each built column (see
        ``cell_sources``), in the order of their first cell. A built column
        whose cells all lack a file column is left out."""
        found = {
            column: tuple(sources.drop_nulls().unique(maintain_order=True))
            for column, sources in self.cell_sources.items()
        }
        return {column: names for column, names in found.items() if names}


def read_table(
    file_name: str,
    data: bytes,
    *,
    sheet: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> RawTable:
    """Read an uploaded file into text columns.

    ``sheet`` picks a worksheet of an XLSX file or a member of a zip. Without
    it the first worksheet with data is read, or all members of a Mailchimp
    audience zip. Text files ignore it.

    Files that are too large, damaged, binary or zip bombs raise
    ``UnreadableFileError``, and files without data rows ``EmptyDataError``,
    except a Mailchimp member file (``ReadInfo.audience``), which the export
    needs even when it is empty. A member file that does not tell the status
    of its contacts raises ``InvalidValueError``. Bad input raises nothing
    else.
    """
    if len(data) > max_bytes:
        raise UnreadableFileError(
            f"the file has {len(data) / 2**20:.1f} MB, more than the limit of "
            f"{max_bytes / 2**20:.0f} MB; export a shorter period or fewer columns",
            file=file_name,
        )
    kind = _file_kind(file_name, data)
    if kind == "xlsx":
        return _read_workbook(file_name, data, sheet)
    if kind == "zip":
        return _read_zip(file_name, data, sheet)
    return _read_loose_text(file_name, data)


def sheet_names(file_name: str, data: bytes) -> list[str]:
    """List the worksheets of an XLSX file or the CSV members of a zip.

    Text files have no sheets, so they give an empty list.
    """
    kind = _file_kind(file_name, data)
    if kind == "xlsx":
        return workbook_sheets(file_name, data)
    if kind == "zip":
        with _open_zip(file_name, data) as archive:
            return [info.filename for info in _table_members(archive)]
    return []


def separate_sheets(file_name: str, data: bytes) -> list[str]:
    """List the worksheets or zip members that each hold a table of their
    own, or return [] when the file is one table.

    A text file, a workbook with one sheet and a zip with one member are one
    table, and so is a Mailchimp audience export, whose subscribed,
    unsubscribed and cleaned members ``read_table`` combines.
    """
    names = sheet_names(file_name, data)
    if len(names) < 2:
        return []
    audience = all(parse_member_name(name) is not None for name in names)
    if audience and _file_kind(file_name, data) == "zip":
        return []
    return names


def _file_kind(file_name: str, data: bytes) -> str:
    """Tell "xlsx", "zip" or "text" from the content, not from the name.

    A macro-enabled workbook (.xlsm) has the same format as an XLSX file, so
    it is "xlsx" too.
    """
    suffix = PurePosixPath(file_name.lower()).suffix
    if data.startswith(_OLE2_MAGIC):
        raise _ole2_error(file_name, data, suffix)
    if not data.startswith(_ZIP_MAGIC):
        if suffix in (".xlsx", ".xlsm", ".zip"):
            raise UnreadableFileError(
                f"the name ends in {suffix}, but the content is not a zip archive, "
                "so the file is damaged or misnamed; export it again",
                file=file_name,
            )
        return "text"
    _check_entry_count(file_name, count_entries(data), MAX_WORKBOOK_ENTRIES)
    with _open_zip(file_name, data) as archive:
        entries = archive.namelist()
    names = set(entries)
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names and "content.xml" in names:
        raise UnreadableFileError(
            "this is an OpenDocument spreadsheet (.ods), which is not supported; "
            "save it as .xlsx or CSV",
            file=file_name,
        )
    # Checked before any member is read, because reading each of many small
    # members costs time and memory although they hold no table.
    _check_entry_count(file_name, len(entries), MAX_ZIP_ENTRIES)
    return "zip"


def _check_entry_count(file_name: str, entries: int, limit: int) -> None:
    """Reject an archive of more than ``limit`` files and folders: the limit
    of a zip of CSV files, or, before the kind of archive is known, the
    larger limit of an XLSX workbook."""
    if entries <= limit:
        return
    unzip = (
        "Unzip it and upload the CSV files you need; the uploader takes several at once"
    )
    if limit == MAX_ZIP_ENTRIES:
        limits = f"the limit of {MAX_ZIP_ENTRIES:,} for a zip of CSV files. {unzip}"
    else:
        limits = (
            f"the limit of {MAX_WORKBOOK_ENTRIES:,} for an XLSX workbook and of "
            f"{MAX_ZIP_ENTRIES:,} for a zip of CSV files. {unzip}, or save a "
            "workbook again in Excel"
        )
    raise UnreadableFileError(
        f"the archive contains {entries:,} files and folders, more than {limits}",
        file=file_name,
    )


def _ole2_error(file_name: str, data: bytes, suffix: str) -> UnreadableFileError:
    """Describe a file in the OLE2 container of old Office files.

    Excel stores a password-protected .xlsx or .xlsm in that container too,
    with its content in a stream named "EncryptedPackage".
    """
    if suffix in (".xlsx", ".xlsm") and _ENCRYPTED_PACKAGE in data:
        return UnreadableFileError(
            "the workbook is protected with a password, so it cannot be read; "
            "open it in Excel, remove the password and save it again, or save "
            "it as CSV",
            file=file_name,
        )
    return UnreadableFileError(
        "this is an old Excel 97-2003 workbook (.xls), a format the app cannot "
        "read; open it in Excel or LibreOffice and save it as .xlsx or CSV",
        file=file_name,
    )


def _read_text(file_name: str, data: bytes) -> RawTable:
    aligned = file_name.lower().endswith(".txt")
    grid = read_grid(file_name, data, aligned=aligned)
    layout = lay_out(
        grid.cells,
        file_name=file_name,
        blank_lines=grid.blank_lines,
        may_need_strip=grid.may_need_strip,
        may_have_totals=grid.may_have_totals,
        field_counts=grid.field_counts,
    )
    info = ReadInfo(
        file=file_name,
        format="text" if aligned and grid.delimiter is None else "csv",
        encoding=grid.encoding,
        delimiter=grid.delimiter,
        header_line=layout.header_line,
        sheet=None,
        sheets=(),
        skipped_lines=layout.skipped_lines,
        notes=grid.notes + layout.notes,
    )
    final = final_character(data, grid.encoding)
    return RawTable(
        layout.frame,
        info,
        cells_stripped=True,
        long_lines=layout.long_lines,
        header_fields=layout.header_fields,
        short_lines=layout.short_lines,
        writes_empty_last=layout.writes_empty_last,
        unended_line=unended_line(grid, final),
        final_character=final,
        kept_totals=layout.kept_totals,
    )


def _read_workbook(file_name: str, data: bytes, sheet: str | None) -> RawTable:
    read, layout, notes = _first_table(file_name, data, sheet)
    frame = layout.frame
    mixed = mixed_number_columns(frame)
    scan = read.scan(numbers=bool(mixed))
    needed = {
        *read.currency_marks["column"].unique().to_list(),
        *scan.numbers["column"].unique().to_list(),
        *scan.errors["column"].unique().to_list(),
        *scan.hidden_columns,
    }
    headers = grid_headers(read.cells, frame, needed) if needed else {}
    mixed_grid = [index for index, name in headers.items() if name in mixed]
    numbers = marks_by_header(
        scan.numbers.filter(pl.col("column").is_in(mixed_grid)), headers, frame
    )
    info = ReadInfo(
        file=file_name,
        format="xlsx",
        encoding=None,
        delimiter=None,
        header_line=layout.header_line,
        sheet=read.name,
        sheets=tuple(read.names),
        skipped_lines=layout.skipped_lines,
        notes=(*notes, *layout.notes, *scan_notes(scan, headers, frame, read.name)),
    )
    marks = marks_by_header(read.currency_marks, headers, frame)
    return RawTable(
        frame,
        info,
        cells_stripped=True,
        format_marks=marks,
        number_cells=numbers,
        kept_totals=layout.kept_totals,
    )


def _first_table(
    file_name: str, data: bytes, sheet: str | None
) -> tuple[Sheet, Layout, list[str]]:
    """Lay out ``sheet``, or without it the first sheet that contains a table.

    Returns the sheet, its layout and the notes on the sheet chosen. A sheet
    contains a table when ``lay_out`` finds data rows below a header on it.
    A formula without a saved result rejects the workbook, unless it is in
    a row that the chosen sheet's layout skips and does not need
    (``Layout.unneeded_lines``), or on a sheet passed over that
    ``_passed_whatever_results`` allows.
    """
    passed: list[tuple[str, EmptyDataError]] = []
    # The sheets passed over, which are checked for formulas without a saved
    # result once the sheet to read is known.
    passed_sheets: list[Sheet] = []
    names: list[str] = []
    # The first sheet that holds only a short list of one or two columns,
    # such as a cover sheet's "Company | ACME", in case no later sheet has
    # a wider table.
    cover: tuple[Sheet, Layout, list[str]] | None = None
    for read in read_sheets(file_name, data, sheet):
        names = read.names
        try:
            layout = lay_out(
                read.cells,
                file_name=file_name,
                sheet=read.name,
                formula_cells=read.unsaved_formulas,
            )
        except EmptyDataError as error:
            if sheet is not None or len(read.names) == 1:
                check_unsaved_formulas(file_name, read, None)
                raise
            passed.append((read.name, error))
            passed_sheets.append(read)
            continue
        notes = list(read.notes)
        if passed:
            skipped = " and ".join(repr(name) for name, _ in passed)
            reason = (
                f"sheets {skipped} have" if len(passed) > 1 else f"sheet {skipped} has"
            )
            notes = [f"sheet: {read.name} (of {len(names)}), because {reason} no table"]
        if cover is None and sheet is None and _is_cover_list(layout):
            cover = (read, layout, notes)
            continue
        if cover is not None:
            if _columns(layout) <= _COVER_COLUMNS:
                passed_sheets.append(read)
                continue
            passed_sheets.append(cover[0])
            notes = [
                f"sheet: {read.name} (of {len(names)}), because sheet "
                f"{cover[0].name!r} holds only a short list of "
                f"{count_noun(_columns(cover[1]), 'column')}"
            ]
        notes += _passed_formula_notes(file_name, passed_sheets, _columns(layout))
        check_unsaved_formulas(file_name, read, layout)
        return read, layout, notes
    for passed_sheet in passed_sheets:
        check_unsaved_formulas(file_name, passed_sheet, None)
    if cover is not None:
        check_unsaved_formulas(file_name, cover[0], cover[1])
        return cover
    reasons = dict(passed)
    looked_at = ", ".join(
        f"{name!r} ({_no_table_reason(reasons.get(name))})" for name in names
    )
    raise EmptyDataError(
        f"no sheet contains a table with data rows below a header; looked at "
        f"{looked_at}. Put the table on a sheet with its header row above the "
        "data, or export it again",
        file=file_name,
    )


# A sheet whose table has at most this many columns and rows is taken for
# a cover sheet while a later sheet has a wider table.
_COVER_COLUMNS = 2
_COVER_ROWS = 20
# The notes on sheets passed over name at most this many formula cells.
_FORMULAS_NAMED = 5


def _passed_formula_notes(
    file_name: str, passed_sheets: list[Sheet], columns: int
) -> list[str]:
    """Allow the formulas without a saved result on the sheets passed over
    for a table of ``columns`` columns, and name their cells in notes.

    Raises the error of ``check_unsaved_formulas`` for the first sheet that
    ``_passed_whatever_results`` does not allow.
    """
    notes = []
    for read in passed_sheets:
        formulas = read.unsaved_formulas
        if formulas.height == 0:
            continue
        if columns <= _COVER_COLUMNS or not _passed_whatever_results(file_name, read):
            check_unsaved_formulas(file_name, read, None)
        notes.append(_passed_formula_note(read))
    return notes


def passed_sheet_note(file_name: str, data: bytes, sheet: str) -> str | None:
    """Return why ``sheet`` is not read when a caller that reads every sheet
    may pass it over despite its formulas without a saved result, or None.

    The sheet must contain no table, or only a short list such as "Stand |
    =TODAY()", without results and with any results of those formulas
    (``_passed_whatever_results``). A caller reading every sheet reads the
    other tables anyway, so no table needs to be wider than such a list.
    """
    try:
        read = next(read_sheets(file_name, data, sheet), None)
    except EmptyDataError:
        return None
    if read is None or read.unsaved_formulas.height == 0:
        return None
    try:
        layout = lay_out(read.cells, file_name=file_name, sheet=read.name)
    except EmptyDataError:
        layout = None
    if layout is not None and not _is_cover_list(layout):
        return None
    if not _passed_whatever_results(file_name, read):
        return None
    return f"{_formula_cells_text(read)}; the sheet contains no table"


def _passed_formula_note(read: Sheet) -> str:
    return (
        f"sheet {read.name!r}, {_formula_cells_text(read)}; the sheet contains "
        "no table and was passed over"
    )


def _formula_cells_text(read: Sheet) -> str:
    references = read.unsaved_formulas["cell"].to_list()
    cells = ", ".join(references[:_FORMULAS_NAMED])
    if len(references) > _FORMULAS_NAMED:
        cells += f" and {len(references) - _FORMULAS_NAMED:,} more"
    if len(references) == 1:
        return f"cell {cells} has a formula without a saved result"
    return f"cells {cells} have formulas without saved results"


def _passed_whatever_results(file_name: str, read: Sheet) -> bool:
    """Tell whether a sheet passed over would be passed over with any
    results of its formulas without a saved result.

    Those cells read as empty, so they may be what made the sheet look
    tableless, as with a summary sheet whose only data row is formulas.
    The sheet is laid out again twice, with every such cell as the number
    1 and then as a word. It is passed over when each time it contains no
    table or only a short list such as "Stand | =TODAY()" on a cover sheet.
    The caller also needs the table chosen to be wider than such a list,
    so that a cover list never wins over it.

    NOTE: formulas whose results mix numbers and words are not tried.
    """
    for value in ("1", "Text"):
        cells = with_stand_ins(read.cells, read.unsaved_formulas, value)
        try:
            layout = lay_out(cells, file_name=file_name, sheet=read.name)
        except EmptyDataError:
            continue
        if not _is_cover_list(layout):
            return False
    return True


def _columns(layout: Layout) -> int:
    return len([name for name in layout.frame.columns if name != LINE])


def _is_cover_list(layout: Layout) -> bool:
    """Tell whether a sheet's table is a short list of facts, such as
    "Firma | ACME GmbH": at most two columns and 20 rows, under a header
    that no table type recognises. "Month | Cost" is a spend table."""
    if _columns(layout) > _COVER_COLUMNS or layout.frame.height > _COVER_ROWS:
        return False
    headers = [name for name in layout.frame.columns if name != LINE]
    return detect_table(headers)[0] is None


def _no_table_reason(error: EmptyDataError | None) -> str:
    if error is None:
        return "empty"
    if error.line is None:
        return "no data rows"
    return f"no data rows below line {error.line}"


def _read_zip(file_name: str, data: bytes, sheet: str | None) -> RawTable:
    """Read one member, or all members of a Mailchimp audience export.

    Mailchimp puts the contacts of each status in a CSV of their own; they
    become one table with a ``list_status`` column taken from each member's
    file name (see ``_combine_audience``).
    """
    with _open_zip(file_name, data) as archive:
        check_zip(file_name, archive, len(data))
        members = _table_members(archive)
        names = tuple(info.filename for info in members)
        entries = _some_names(_other_members(archive, []))
        if not members:
            raise no_table_error(file_name, entries)
        chosen = _choose_members(file_name, members, sheet)
        parts = _read_members(file_name, archive, chosen)
        skipped = _other_members(archive, members)

    notes = []
    if skipped:
        notes.append(
            f"warning: the zip also holds {_some_names(skipped)}, which the app "
            "does not read: it reads the CSV, TXT and TSV files of a zip. Save "
            "such a file as CSV and zip it again, or upload it on its own"
        )
    if sheet is None and all(parse_member_name(name) for name in parts):
        audience = _zip_audience_members(file_name, parts)
        if audience is not None:
            return _combine_audience(file_name, "zip", audience, names, notes)
        if len(parts) > 1:
            raise _several_tables_error(file_name, list(names))
    # The zip is no audience export, and ``_choose_members`` left one member.
    [(member, content)] = parts.items()
    try:
        raw = _read_text(member, content)
    except EmptyDataError as error:
        if sheet is not None or not is_text_note(member):
            raise
        raise no_table_error(file_name, entries, member) from error
    notes += [_member_note(member, note) for note in raw.info.notes]
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
        files = _some_names([f"{m.file} ({m.audience})" for m in members if m.audience])
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
    return _combine_audience(
        label, "csv", list(zip(members, raws, strict=True)), names, notes
    )


def audience_label(audience: str | None) -> str:
    """Name the table of a Mailchimp audience export read from its member
    files, by the audience id their names give. A new export of the same
    audience gets the same name, so it replaces the table on the Data page."""
    return f"Mailchimp audience {audience}" if audience else "Mailchimp audience"


def _read_loose_text(file_name: str, data: bytes) -> RawTable:
    """Read a text file, and mark it as an audience member when it has the
    columns of a Mailchimp member file, or when it is empty and named like
    one."""
    named = parse_member_name(file_name)
    try:
        raw = _read_text(file_name, data)
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


def _zip_audience_members(
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
            results[name] = _read_text(name, content)
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


def _combine_audience(
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
        member_notes = [_member_note(member.file, note) for note in raw.info.notes]
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


def _open_zip(file_name: str, data: bytes) -> zipfile.ZipFile:
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


def _table_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
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
    """Return the names of the files in the zip that ``_table_members`` does
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
                f"the zip has no member {sheet!r}; it has {_some_names(names)}",
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
        f"the zip contains {len(names):,} tables ({_some_names(names)}), and "
        "only a Mailchimp audience export is read as one table. Unpack the "
        "zip and upload the files you need; the uploader takes several at once",
        file=file_name,
    )


def _some_names(names: list[str], shown: int = 5) -> str:
    """Join the first ``shown`` names, with the count of the rest, so a zip
    of hundreds of members gives a short message."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown:,} more"


def _member_note(member: str, note: str) -> str:
    """Name the zip member in a note. A warning keeps its "warning: " prefix
    in front, which the Data page and ``prepare_table`` look for."""
    warning = "warning: "
    if note.startswith(warning):
        return f"{warning}zip member {member}: {note.removeprefix(warning)}"
    return f"{member}: {note}"
