"""Read one worksheet of an XLSX file into a grid of text cells.

Cells are read with calamine (fastexcel's reader, as ``pl.read_excel``
uses it) as String, so a column that mixes numbers and words keeps both
instead of turning the words into nulls.
Date cells arrive as ISO text ("2024-03-01 14:05:00"), and a column whose
date cells all fall on midnight loses the " 00:00:00". Before anything is
parsed the zip container is checked, because a small XLSX can expand to
gigabytes. calamine drops number formats, so ``read_sheet`` finds the number
cells whose format shows a currency ("$"#,##0.00) in the sheet XML itself.

NOTE: a cell with only a time of day comes out as a date in 1899 plus the
time ("1899-12-31 13:30:00" with calamine in fastexcel 0.21). Nothing here
turns it back into a plain time.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree
from xml.parsers import expat

import fastexcel
import polars as pl

from kpi_core.cell_currency import number_format_mark
from kpi_core.errors import EmptyDataError, UnreadableFileError
from kpi_core.sheet_cells import CellScan, scan_cells, with_column_numbers
from kpi_core.workbook_checks import (
    check_sheet_extent,
    checked_copy,
    column_letters,
    column_number,
    unsaved_formula_cells,
    unsaved_formulas_error,
)

LINE = "_line"
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
# Without a chosen sheet, a workbook with more sheets than this is rejected
# before any sheet is read. CRM exports have one sheet, and a hand-made
# workbook with a sheet per month, team or campaign has a few dozen (an
# estimate). Every sheet is read until one contains a table: 100 sheets of
# only a header row took 0.65 s on a shared 2-core machine, and a crafted
# file can have thousands.
MAX_SHEETS = 100

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MIDNIGHT = r"^\d{4}-\d{2}-\d{2} 00:00:00$"
_DATE_TIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
_STYLES_TYPE = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
)
_NO_MARKS = pl.DataFrame(schema={LINE: pl.Int64, "column": pl.Int64, "mark": pl.String})
_FORMULA_CELLS_SCHEMA = {
    LINE: pl.Int64,
    "column": pl.Int64,
    "cell": pl.String,
    "formula": pl.String,
}
# Exceptions that a damaged or unusual zip raises while a member is read: a bad
# CRC or header, broken deflate data, an encrypted member (RuntimeError) or an
# unsupported compression method (NotImplementedError).
ZIP_MEMBER_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)
_READ_ERRORS = (
    *ZIP_MEMBER_ERRORS,
    fastexcel.FastExcelError,
    pl.exceptions.PolarsError,
    ElementTree.ParseError,
    expat.ExpatError,
    KeyError,
    # An XML declaration naming an unknown encoding, such as "TF-8".
    LookupError,
)

_LOG = logging.getLogger(__name__)


def check_zip(file_name: str, archive: zipfile.ZipFile, packed_bytes: int) -> None:
    """Reject a zip whose members would unpack too large (a zip bomb).

    The limits are 200 MB unpacked in total and 100 times the file's size.
    """
    # The sizes are the declared ones; checked_copy catches forged headers.
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNZIPPED_BYTES:
        raise UnreadableFileError(
            f"the archive would unpack to {unpacked / 2**20:,.0f} MB, more than "
            f"the limit of {MAX_UNZIPPED_BYTES / 2**20:.0f} MB; export fewer rows "
            "or split the file",
            file=file_name,
        )
    ratio = unpacked / max(packed_bytes, 1)
    if ratio > MAX_ZIP_RATIO:
        raise UnreadableFileError(
            f"the archive would unpack to {ratio:,.0f} times its size, more than "
            f"the limit of {MAX_ZIP_RATIO}:1, which is how zip bombs look; "
            "save the workbook again in Excel or export it as CSV",
            file=file_name,
        )


def workbook_sheets(file_name: str, data: bytes) -> list[str]:
    """List the worksheet names of an XLSX file in workbook order."""
    archive = _open_checked(file_name, data)
    try:
        return list(_sheet_paths(archive))
    except _READ_ERRORS as error:
        raise damaged_workbook_error(file_name, error) from error
    finally:
        archive.close()


@dataclass(frozen=True)
class Sheet:
    """One read worksheet.

    ``cells`` has the text columns c0, c1, ... from the first used column,
    and ``_line``, the spreadsheet row. ``names`` lists all worksheets.
    ``currency_marks`` lists the number cells whose number format shows a
    currency, with their ``_line``, ``column`` (0 for c0) and ``mark`` from
    ``cell_currency.number_format_mark``. ``xml`` is the worksheet's XML.
    ``unsaved_formulas`` lists the formula cells without a saved result,
    which ``cells`` shows as empty, with their ``_line``, grid ``column``
    (0 for c0, negative left of the grid), ``cell`` reference ("D11") and
    ``formula`` text ("SUM(D2:D10)", empty for a shared formula).
    """

    cells: pl.DataFrame
    name: str
    names: list[str]
    notes: list[str]
    currency_marks: pl.DataFrame
    xml: bytes = field(default=b"", repr=False)
    unsaved_formulas: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=_FORMULA_CELLS_SCHEMA)
    )

    def scan(self, *, numbers: bool) -> CellScan:
        """Find the number cells, error cells and hidden rows and columns
        that ``cells`` does not show (see ``sheet_cells.scan_cells``)."""
        return scan_cells(self.xml, _regex_first_column(self.xml), numbers=numbers)


def read_sheet(file_name: str, data: bytes, sheet: str | None) -> Sheet:
    """Read a worksheet's cells and the currencies of its number formats.

    Without ``sheet`` the first worksheet with any value is read.
    """
    for found in read_sheets(file_name, data, sheet):
        return found
    raise AssertionError("read_sheets raises when it finds no sheet")


def read_sheets(file_name: str, data: bytes, sheet: str | None) -> Iterator[Sheet]:
    """Yield the worksheets with any value in workbook order, or only ``sheet``.

    Each sheet is read when the caller asks for it. Raises EmptyDataError
    when no sheet (or ``sheet``) has a value.
    """
    archive = _open_checked(file_name, data)
    try:
        paths = _sheet_paths(archive)
        names = list(paths)
        if sheet is not None and sheet not in paths:
            raise UnreadableFileError(
                f"the workbook has no sheet {sheet!r}; it has {', '.join(names)}",
                file=file_name,
            )
        if sheet is None:
            _check_sheet_count(file_name, names)
        chosen = [sheet] if sheet is not None else names
        styles_path = _styles_path(archive)
        checked, member_xml = checked_copy(
            file_name,
            archive,
            data,
            {paths[name] for name in chosen} | {styles_path},
        )
        style_marks = _currency_styles(member_xml.pop(styles_path, b""))
        # One reader for all sheets: each pl.read_excel call would open the
        # workbook again and parse its shared strings for every sheet.
        reader = fastexcel.read_excel(checked)
        del checked
        found = False
        for name in chosen:
            xml = member_xml.pop(paths[name], b"")
            check_sheet_extent(file_name, name, xml)
            cells = _sheet_cells(reader, name)
            if cells.height > 0:
                formulas = _unsaved_formulas(file_name, name, xml)
                first_row = _first_used_row(archive, paths[name])
                cells = cells.with_columns(
                    pl.int_range(first_row, first_row + cells.height).alias(LINE)
                )
                notes = [f"sheet: {name} (of {len(names)})"]
                marks = _currency_cells(xml, style_marks)
                found = True
                cells = _dates_without_midnight(cells)
                yield Sheet(cells, name, names, notes, marks, xml, formulas)
    except _READ_ERRORS as error:
        raise damaged_workbook_error(file_name, error, sheet) from error
    finally:
        archive.close()
    if found:
        return
    if sheet is not None:
        message = f"the sheet is empty; pick one of {', '.join(names)}"
    else:
        message = "no sheet has any data; check that the export finished"
    raise EmptyDataError(message, file=file_name, sheet=sheet)


def _open_checked(file_name: str, data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_MEMBER_ERRORS as error:
        raise damaged_workbook_error(file_name, error) from error
    try:
        check_zip(file_name, archive, len(data))
    except UnreadableFileError:
        archive.close()
        raise
    return archive


def _check_sheet_count(file_name: str, names: list[str]) -> None:
    """Reject a workbook with more than ``MAX_SHEETS`` sheets."""
    if len(names) > MAX_SHEETS:
        raise UnreadableFileError(
            f"the workbook has {len(names):,} sheets, more than the limit of "
            f"{MAX_SHEETS} that are searched for a table; pick the sheet with "
            "the data, or save that sheet as a workbook of its own and upload "
            "that file",
            file=file_name,
        )


def _sheet_cells(reader: fastexcel.ExcelReader, name: str) -> pl.DataFrame:
    """Read a sheet as text cells, as pl.read_excel does with calamine,
    ``header_row=None`` and String dtypes, keeping empty rows and columns."""
    batch = reader.load_sheet_eager(name, header_row=None, dtypes="string")
    frame = pl.DataFrame(batch).select(pl.all().cast(pl.String))
    return frame.rename({old: f"c{i}" for i, old in enumerate(frame.columns)})


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Map each worksheet name to its XML member, in workbook order."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relations}
    paths = {}
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        target = targets.get(sheet.get(_REL_ID), "")
        if target.startswith("/"):
            paths[sheet.get("name", "")] = target.lstrip("/")
        else:
            paths[sheet.get("name", "")] = posixpath.normpath(f"xl/{target}")
    return paths


def _styles_path(archive: zipfile.ZipFile) -> str:
    """Return the archive member that contains the workbook's styles."""
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for relation in relations:
        if relation.get("Type") == _STYLES_TYPE:
            target = relation.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(f"xl/{target}")
    return "xl/styles.xml"


def _currency_styles(styles_xml: bytes) -> dict[int, str]:
    """Map each cell style (the s attribute of a cell) whose number format
    shows a currency to the currency mark of that format."""
    if not styles_xml:
        return {}
    root = ElementTree.fromstring(styles_xml)
    codes: dict[int, str] = {}
    style_formats: list[int] = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "numFmt":
            codes[int(element.get("numFmtId") or 0)] = element.get("formatCode", "")
        elif tag == "cellXfs":
            style_formats = [
                int(xf.get("numFmtId") or 0)
                for xf in element
                if xf.tag.rsplit("}", 1)[-1] == "xf"
            ]
    marks: dict[int, str] = {}
    for style, format_id in enumerate(style_formats):
        mark = number_format_mark(format_id, codes.get(format_id))
        if mark is not None:
            marks[style] = mark
    return marks


def _currency_cells(xml: bytes, style_marks: dict[int, str]) -> pl.DataFrame:
    """List the number cells of a sheet whose style has a currency mark.

    A number cell has no t attribute or t="n". Columns count from the first
    column with a value, as calamine's grid does. The cells are found with
    a regex pass in Polars that reads only the cells of those styles, or
    with a parser for markup that the regex cannot place.
    """
    if not style_marks:
        return _NO_MARKS
    scanned = _scanned_cells(xml, style_marks)
    if scanned is None:
        cells = _parsed_cells(xml)
        first_column = cells["column"].min()
        cells = cells.filter(pl.col("style").is_in(list(style_marks)))
    else:
        cells, first_column = scanned
    if cells.height == 0:
        return _NO_MARKS
    marks = pl.DataFrame(
        {"style": list(style_marks), "mark": list(style_marks.values())},
        schema={"style": pl.Int64, "mark": pl.String},
    )
    return (
        cells.filter(pl.col("kind").is_null() | (pl.col("kind") == "n"))
        .join(marks, on="style", maintain_order="left")
        .select(
            pl.col("row").alias(LINE),
            (pl.col("column") - first_column).alias("column"),
            "mark",
        )
    )


def _unsaved_formulas(file_name: str, sheet: str, xml: bytes) -> pl.DataFrame:
    """List the formula cells without a saved result on calamine's grid.

    The caller decides whether the table needs them: a total row that the
    layout skips does not. A cell without an r attribute cannot be placed,
    so such a cell rejects the sheet here.
    """
    found = unsaved_formula_cells(xml)
    if not found:
        return pl.DataFrame(schema=_FORMULA_CELLS_SCHEMA)
    references = [reference for reference, _ in found]
    if None in references:
        raise unsaved_formulas_error(
            file_name, sheet, [(reference, None) for reference in references]
        )
    first_column = _regex_first_column(xml)
    if first_column is None:
        first_column = _parsed_cells(xml)["column"].min()
    cells = pl.DataFrame(
        found, schema={"cell": pl.String, "formula": pl.String}, orient="row"
    )
    cells = cells.with_columns(
        letters=pl.col("cell").str.extract(r"^([A-Z]+)"),
        row=pl.col("cell").str.extract(r"([0-9]+)$").cast(pl.Int64),
    )
    return with_column_numbers(cells).select(
        pl.col("row").alias(LINE),
        (pl.col("column") - first_column).alias("column"),
        "cell",
        "formula",
    )


def _scanned_cells(
    xml: bytes, style_marks: dict[int, str]
) -> tuple[pl.DataFrame, int] | None:
    """Return row, column (from 1), style and type of the cells with content
    in the given styles, and the first column with a value.

    Returns None when a cell may escape the regex: a cell tag whose first
    attribute is not r (or that has none), or text that is not UTF-8. A
    sheet of prefixed tags such as <x:c> has no cell the regex finds, so
    ``_first_column`` returns None for it.
    """
    if xml.count(b"<c ") != xml.count(b'<c r="') or xml.find(b"<c>") >= 0:
        return None
    first_column = _first_column(xml)
    if first_column is None:
        return None
    try:
        text = xml.decode("utf-8")
    except UnicodeDecodeError:
        return None
    styles = "|".join(str(style) for style in sorted(style_marks))
    pattern = rf'<c r="[A-Z]{{1,3}}[0-9]{{1,7}}"[^>]*?\ss="(?:{styles})"[^>]*>'
    tags = pl.Series("tag", [text]).str.extract_all(pattern).explode()
    del text
    # A self-closing cell (<c r="A1" s="3"/>) is empty, which calamine skips.
    tags = tags.filter(~tags.str.ends_with("/>").fill_null(True))
    cells = pl.DataFrame({"tag": tags}).select(
        letters=pl.col("tag").str.extract(r'^<c r="([A-Z]{1,3})'),
        row=pl.col("tag").str.extract(r'^<c r="[A-Z]{1,3}([0-9]{1,7})"'),
        style=pl.col("tag").str.extract(r'\ss="([0-9]{1,9})"'),
        kind=pl.col("tag").str.extract(r'\st="([A-Za-z]+)"'),
    )
    cells = with_column_numbers(cells).select(
        pl.col("row").cast(pl.Int64),
        "column",
        pl.col("style").cast(pl.Int64),
        "kind",
    )
    return cells, first_column


def _regex_first_column(xml: bytes) -> int | None:
    """Return ``_first_column``, or None when a cell tag does not start
    with its r attribute, which the regex passes cannot place."""
    if xml.count(b"<c ") != xml.count(b'<c r="') or xml.find(b"<c>") >= 0:
        return None
    return _first_column(xml)


def _first_column(xml: bytes) -> int | None:
    """Return the first column with a value, or None when a quick check
    cannot tell.

    The start column of the <dimension> element is checked, or column A
    without one. Writers put that element at the first used cell or before
    it, so the start is right when it has a cell with content and no column
    before it has one.

    NOTE: an empty cell written as <c r="A1"></c> counts as content here but
    not for calamine, so such a cell left of the table shifts the marks.
    """
    head = xml[: max(xml.find(b"<sheetData"), 0)]
    dimension = re.search(rb'<dimension ref="([A-Z]{1,3})[0-9]', head)
    letters = dimension.group(1).decode() if dimension else "A"
    column = column_number(letters)
    if not _has_content(xml, [letters]):
        return None
    before = [column_letters(number) for number in range(1, column)]
    if before and _has_content(xml, before):
        return None
    return column


def _has_content(xml: bytes, columns: list[str]) -> bool:
    """Tell whether a cell in one of the columns is not self-closing."""
    names = "|".join(columns).encode()
    # [^<>] and not [^>], so that unclosed tags cost linear time.
    pattern = rb'<c r="(?:' + names + rb')[0-9]{1,7}"[^<>]*(?<!/)>'
    return re.search(pattern, xml) is not None


def _parsed_cells(xml: bytes) -> pl.DataFrame:
    """Return what ``_scanned_cells`` does, with expat placing the cells as
    calamine does: a cell without an r attribute follows the previous cell,
    and a row without one follows the previous row."""
    walk = _CellWalk()
    parser = expat.ParserCreate()
    parser.StartElementHandler = walk.start
    parser.Parse(xml, True)
    return pl.DataFrame(
        walk.cells,
        schema={
            "row": pl.Int64,
            "column": pl.Int64,
            "style": pl.Int64,
            "kind": pl.String,
        },
        orient="row",
    )


class _CellWalk:
    """Collect the cells that have a value element while expat parses."""

    def __init__(self) -> None:
        self.row = 0
        self.column = 0
        self.current: tuple[int, int, int, str | None] | None = None
        self.cells: list[tuple[int, int, int, str | None]] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition(":")[2]
        if tag == "row":
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() else self.row + 1
            self.column = 0
        elif tag == "c":
            reference = re.fullmatch(
                r"([A-Z]{1,3})([0-9]{1,7})", attributes.get("r", "")
            )
            if reference is None:
                self.column += 1
                row = self.row
            else:
                self.column = column_number(reference.group(1))
                row = int(reference.group(2))
            style = attributes.get("s", "0")
            self.current = (
                row,
                self.column,
                int(style) if style.isdigit() else 0,
                attributes.get("t"),
            )
        elif tag in ("v", "is") and self.current is not None:
            self.cells.append(self.current)
            self.current = None


def _first_used_row(archive: zipfile.ZipFile, path: str) -> int:
    """Return the 1-based row of the first cell with a value.

    calamine starts a sheet at its first used row, so this row gives the
    spreadsheet row numbers. Only the start of the sheet XML is read.
    """
    row = 0
    with archive.open(path) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start" and tag == "row":
                row = int(element.get("r") or row + 1)
            elif event == "end" and tag == "c" and _has_value(element):
                reference = re.search(r"\d+$", element.get("r") or "")
                return int(reference.group(0)) if reference else row
            elif event == "end" and tag == "row":
                element.clear()
    return 1


def _has_value(cell: ElementTree.Element) -> bool:
    for child in cell:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "v" and (child.text or "") != "":
            return True
        if tag == "is" and "".join(child.itertext()) != "":
            return True
    return False


def _dates_without_midnight(cells: pl.DataFrame) -> pl.DataFrame:
    """Drop " 00:00:00" in columns whose date-time cells are all at midnight."""
    changed = []
    for column in cells.columns:
        if column == LINE:
            continue
        values = cells[column]
        timed = values.str.contains(_DATE_TIME).sum()
        if timed and values.str.contains(_MIDNIGHT).sum() == timed:
            changed.append(pl.col(column).str.replace(" 00:00:00", "", literal=True))
    return cells.with_columns(changed) if changed else cells


def damaged_workbook_error(
    file_name: str, error: BaseException, sheet: str | None = None
) -> UnreadableFileError:
    detail = f" ({type(error).__name__}: {error})"
    if "fastexcel" in type(error).__module__:
        # Calamine's words ("Cannot detect file format" and its context
        # lines) help no user, so they go to the log only.
        _LOG.info("workbook %r not read:%s", file_name, detail)
        detail = ""
    return UnreadableFileError(
        f"the workbook could not be read{detail}; it may be damaged, cut off or "
        "no XLSX file. Open it in Excel and save it again, or export it as CSV",
        file=file_name,
        sheet=sheet,
    )
