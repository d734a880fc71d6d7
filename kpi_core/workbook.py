"""Read one worksheet of an XLSX file into a grid of text cells.

Cells are read with calamine (``pl.read_excel``) as String, so a column that
mixes numbers and words keeps both instead of turning the words into nulls.
Date cells arrive as ISO text ("2024-03-01 14:05:00"), and a column whose
date cells all fall on midnight loses the " 00:00:00". Before anything is
parsed the zip container is checked, because a small XLSX can expand to
gigabytes.

NOTE: a cell with only a time of day comes out as a date in 1899 plus the
time ("1899-12-31 13:30:00" with calamine in fastexcel 0.21). Nothing here
turns it back into a plain time.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from xml.etree import ElementTree
from xml.parsers import expat

import fastexcel
import polars as pl

from kpi_core.errors import EmptyDataError, UnreadableFileError
from kpi_core.workbook_checks import (
    check_formula_results,
    check_sheet_extent,
    checked_copy,
)

LINE = "_line"
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MIDNIGHT = r"^\d{4}-\d{2}-\d{2} 00:00:00$"
_DATE_TIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
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
        raise _damaged(file_name, error) from error
    finally:
        archive.close()


def read_sheet(
    file_name: str, data: bytes, sheet: str | None
) -> tuple[pl.DataFrame, str, list[str], list[str]]:
    """Return a sheet's cells, its name, all sheet names and notes.

    Without ``sheet`` the first worksheet with any value is read.
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
        chosen = [sheet] if sheet is not None else names
        checked, sheet_xml = checked_copy(
            file_name, archive, data, {paths[name] for name in chosen}
        )
        for name in chosen:
            xml = sheet_xml.pop(paths[name], b"")
            check_sheet_extent(file_name, name, xml)
            cells = _sheet_cells(checked, name)
            if cells.height > 0:
                check_formula_results(file_name, name, xml)
                first_row = _first_used_row(archive, paths[name])
                cells = cells.with_columns(
                    pl.int_range(first_row, first_row + cells.height).alias(LINE)
                )
                notes = [f"sheet: {name} (of {len(names)})"]
                return _dates_without_midnight(cells), name, names, notes
    except _READ_ERRORS as error:
        raise _damaged(file_name, error, sheet) from error
    finally:
        archive.close()
    if sheet is not None:
        message = f"the sheet is empty; pick one of {', '.join(names)}"
    else:
        message = "no sheet has any data; check that the export finished"
    raise EmptyDataError(message, file=file_name, sheet=sheet)


def _open_checked(file_name: str, data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_MEMBER_ERRORS as error:
        raise _damaged(file_name, error) from error
    try:
        check_zip(file_name, archive, len(data))
    except UnreadableFileError:
        archive.close()
        raise
    return archive


def _sheet_cells(data: bytes, name: str) -> pl.DataFrame:
    frame = pl.read_excel(
        data,
        sheet_name=name,
        engine="calamine",
        has_header=False,
        read_options={"header_row": None, "dtypes": "string"},
        drop_empty_rows=False,
        drop_empty_cols=False,
        raise_if_empty=False,
    )
    frame = frame.select(pl.all().cast(pl.String))
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


def _damaged(
    file_name: str, error: BaseException, sheet: str | None = None
) -> UnreadableFileError:
    return UnreadableFileError(
        f"the workbook could not be read ({type(error).__name__}: {error}); it "
        "may be damaged or cut off. Open it in Excel and save it again, or export "
        "it as CSV",
        file=file_name,
        sheet=sheet,
    )
