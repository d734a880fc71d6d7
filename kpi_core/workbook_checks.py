"""Check an XLSX archive before calamine reads it.

calamine (fastexcel 0.21) trusts the zip headers and unpacks a member until
its deflate stream ends, and it allocates one cell for every position between
a sheet's first and last cell. A small upload can therefore abort the whole
process. ``checked_copy`` unpacks every member itself, with a hard byte cap,
and returns a fresh archive that holds only the verified streams.
``check_sheet_extent`` rejects a sheet whose cells span too many positions.
"""

from __future__ import annotations

import copy
import re
import struct
import zipfile
from collections.abc import Collection
from operator import itemgetter
from xml.parsers import expat
from xml.sax import saxutils

from kpi_core.errors import UnreadableFileError
from kpi_core.zip_entries import MAX_WORKBOOK_ENTRIES

MAX_SHEET_CELLS = 20_000_000
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
_CHUNK_BYTES = 1 << 20

_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END_RECORD = struct.Struct("<4sHHHHIIH")
_UTF8_NAMES = 0x800
_ZIP_VERSION = 20
_DOS_DATE_1980 = (1 << 5) | 1

# A cell start tag as Excel, LibreOffice, openpyxl and xlsxwriter write it.
# The optional group makes every "<c" match, so one pass counts all of them.
_CELL_START = re.compile(rb'<c(?: r="([A-Z]{1,3})([0-9]{1,7})")?')
_OTHER_C_TAGS = (b"<co", b"<cf", b"<ce", b"<cu")
_SPACED_EQUALS = (b" =", b"\t=", b"\n=", b"\r=")
_NAME_ENDS = (b" ", b"\t", b"\n", b"\r", b"/", b">")
_REFERENCE = re.compile(r"([A-Za-z]+)([0-9]+)")
_FORMULA = re.compile(rb"<f[ />]")
_FORMULA_TEXT = re.compile(rb"<f(?: [^<>]*)?>([^<]*)</f>")
# Attribute text stops at "<" as well as ">", so a search over a run of
# unclosed "<v " tags scans each part once instead of to the end each time.
_SAVED_VALUE = re.compile(rb"<v(?: [^<>]*)?>[^<]")
_CELL_NAME = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_TEXT_RESULT = re.compile(rb'\bt="str"')
_CELLS_NAMED = 5


def checked_copy(
    file_name: str, archive: zipfile.ZipFile, data: bytes, keep: Collection[str]
) -> tuple[bytes, dict[str, bytes]]:
    """Unpack every member within its declared size; return a clean archive.

    Also returns the unpacked content of the members named in ``keep``. A
    member whose deflate stream runs past its declared size fails the CRC
    check, so forged size headers cost at most one byte more than they
    declare. The copy keeps the original compressed bytes and writes new
    headers, so calamine reads exactly the streams checked here.
    """
    members = archive.infolist()
    if len(members) > MAX_WORKBOOK_ENTRIES:
        raise UnreadableFileError(
            f"the archive has {len(members):,} files, more than the limit of "
            f"{MAX_WORKBOOK_ENTRIES:,}; save the workbook again in Excel",
            file=file_name,
        )
    entries, kept = [], {}
    for info in members:
        content = _unpack_within_size(file_name, archive, info, info.filename in keep)
        if info.filename in keep:
            kept[info.filename] = content
        entries.append((info, _compressed_bytes(data, info)))
    return _archive_bytes(entries), kept


def check_sheet_extent(file_name: str, sheet: str, xml: bytes) -> None:
    """Reject a sheet whose used range from A1 has too many cells.

    The range ends at the furthest row and column of any cell, empty or not,
    so one stray cell far away makes the whole sheet too large.
    """
    rows, columns = sheet_extent(xml)
    inside = rows <= MAX_ROWS and columns <= MAX_COLUMNS
    if inside and rows * columns <= MAX_SHEET_CELLS:
        return
    corner = f" ({column_letters(columns)}{rows})" if inside else ""
    raise UnreadableFileError(
        f"the sheet's cells reach row {rows:,} and column {columns:,}{corner}, "
        f"so it spans {rows * columns:,} cells, more than the limit "
        f"of {MAX_SHEET_CELLS:,}; delete the stray cells far from the table, "
        "or copy the table to a new sheet",
        file=file_name,
        sheet=sheet,
    )


def formulas_without_results(xml: bytes) -> list[str | None]:
    """Return the references ("D11") of the formula cells in a sheet that
    have no saved result, or None for such a cell without an r attribute.

    Excel and LibreOffice save each formula's result beside it, and calamine
    reads only that result. Workbooks written by scripts (openpyxl) often
    have none, so the cell would read as empty. An empty text result
    (t="str") is a saved result.
    """
    return [reference for reference, _ in unsaved_formula_cells(xml)]


def unsaved_formula_cells(xml: bytes) -> list[tuple[str | None, str]]:
    """Return the reference and formula text ("SUM(D2:D9)", without "=") of
    each formula cell without a saved result, as ``formulas_without_results``
    finds them.

    The text is empty for a cell that shares the formula of another cell
    (``<f t="shared" si="0"/>``), because only the first cell of a shared
    formula stores it.
    """
    start = max(xml.find(b"<sheetData"), 0)
    end = xml.rfind(b"</sheetData>")
    if end < 0:
        end = len(xml)
    missing: list[tuple[str | None, str]] = []
    for formula in _FORMULA.finditer(xml, start, end):
        cell_start = xml.rfind(b"<c", start, formula.start())
        cell_end = xml.find(b"</c>", formula.end(), end)
        cell = xml[cell_start : cell_end if cell_end >= 0 else end]
        start_tag = cell[: cell.find(b">") + 1]
        if _SAVED_VALUE.search(cell) or _TEXT_RESULT.search(start_tag):
            continue
        name = _CELL_NAME.search(start_tag)
        text = _FORMULA_TEXT.search(cell)
        missing.append(
            (
                name.group(1).decode() if name else None,
                _xml_text(text.group(1)) if text else "",
            )
        )
    return missing


def _xml_text(raw: bytes) -> str:
    return saxutils.unescape(
        raw.decode("utf-8", errors="replace"), {"&quot;": '"', "&apos;": "'"}
    )


def unsaved_formulas_error(
    file_name: str,
    sheet: str,
    cells: list[tuple[str | None, str | None]],
) -> UnreadableFileError:
    """Build the error for formula cells without a saved result that the
    table needs.

    ``cells`` lists the (reference, header) of each cell in sheet order. A
    header is None for a cell outside the table's columns. The error's line
    and column are those of the first cell.
    """
    reference, header = cells[0]
    row = _REFERENCE.fullmatch(reference) if reference else None
    line = int(row.group(2)) if row else None
    advice = "open the workbook in Excel or LibreOffice, save it, and upload it again"
    if len(cells) == 1:
        where = f"cell {reference}" if reference else "a cell"
        return UnreadableFileError(
            f"the formula in {where} has no saved result, so its value is "
            f"unknown; {advice}",
            file=file_name,
            line=line,
            column=header,
            sheet=sheet,
        )
    listed = ", ".join(
        _cell_words(reference, header) for reference, header in cells[:_CELLS_NAMED]
    )
    if len(cells) > _CELLS_NAMED:
        listed += f" and {len(cells) - _CELLS_NAMED:,} more"
    return UnreadableFileError(
        f"{len(cells):,} formula cells have no saved result ({listed}), so their "
        f"values are unknown; {advice}",
        file=file_name,
        line=line,
        sheet=sheet,
    )


def _cell_words(reference: str | None, header: str | None) -> str:
    where = reference or "a cell without a reference"
    return f"{where} in column {header!r}" if header else where


def sheet_extent(xml: bytes) -> tuple[int, int]:
    """Return the furthest row and column (1-based) of any cell in a sheet.

    The <dimension> element is not used: Excel counts formatted empty cells
    in it, and calamine in fastexcel 0.21 sizes the grid from the cells.
    """
    start = max(xml.find(b"sheetData"), 0)
    tail = max(xml.rfind(b"sheetData"), start)
    # NOTE: this regex pass over every cell costs about as much as calamine's
    # own read (100,000 rows x 10 columns), so large workbooks read slower.
    starts = _CELL_START.findall(xml, start, tail)
    columns = set(map(itemgetter(0), starts))
    if b"" in columns or _unusual_markup(xml, start, tail, len(starts)):
        return _parsed_extent(xml)
    if not starts:
        return 0, 0
    rows = max(map(int, set(map(itemgetter(1), starts))))
    return rows, max(map(column_number, columns))


def _unusual_markup(xml: bytes, start: int, tail: int, cells: int) -> bool:
    """Tell whether a cell may sit where the reference pattern cannot see it.

    Such cells are a prefixed <x:c> tag, a second or spaced r attribute, a
    cell after the last "sheetData" text, or text in UTF-16.
    """
    if xml.find(b"\x00", 0, 1024) >= 0 or xml.find(b":c", start, tail) >= 0:
        return True
    if any(xml.find(pattern, start, tail) >= 0 for pattern in _SPACED_EQUALS):
        return True
    rows = xml.count(b'<row r="', start, tail)
    if xml.count(b"r=", start, tail) != cells + rows:
        return True
    # After sheetData, Excel writes no cells, only tags such as <cfRule>.
    others = sum(xml.count(name, tail) for name in _OTHER_C_TAGS)
    prefixed = any(xml.find(b":c" + end, tail) >= 0 for end in _NAME_ENDS)
    return prefixed or xml.count(b"<c", tail) != others


def _parsed_extent(xml: bytes) -> tuple[int, int]:
    """Parse the sheet and place cells as calamine does: a cell without an
    r attribute follows the previous cell, and a row without one follows the
    previous row."""
    walk = _CellWalk()
    parser = expat.ParserCreate()
    parser.StartElementHandler = walk.start
    parser.Parse(xml, True)
    return walk.rows, walk.columns


class _CellWalk:
    """Track the current row and column while the sheet XML is parsed."""

    def __init__(self) -> None:
        self.row = 0
        self.column = 0
        self.rows = 0
        self.columns = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition(":")[2]
        if tag == "row":
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() else self.row + 1
            self.column = 0
        elif tag == "c":
            row, self.column = _position(attributes.get("r", ""), self.row, self.column)
            self.rows = max(self.rows, row)
            self.columns = max(self.columns, self.column)


def _position(reference: str, row: int, column: int) -> tuple[int, int]:
    match = _REFERENCE.fullmatch(reference)
    if match is None:
        return row, column + 1
    letters, digits = match.groups()
    # A longer number is outside any sheet anyway, so capping keeps int() cheap.
    digits = digits.lstrip("0")
    row = int(digits) if len(digits) <= 8 else 10**8
    return row, column_number(letters[:4].upper())


def column_number(letters: bytes | str) -> int:
    """Return the 1-based number of a column's letters: "A" is 1, "AA" 27."""
    number = 0
    for letter in letters.encode() if isinstance(letters, str) else letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def column_letters(number: int) -> str:
    """Return the letters of a 1-based column number: 27 is "AA"."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _unpack_within_size(
    file_name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, keep: bool
) -> bytes:
    """Unpack a member in chunks, stopping one byte past its declared size.

    Returns the content if ``keep`` is set, else nothing.
    """
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnreadableFileError(
            f"the archive member {info.filename!r} uses compression method "
            f"{info.compress_type}, which Excel does not write; save the "
            "workbook again in Excel",
            file=file_name,
        )
    # zipfile stops reading at file_size; one byte more shows a longer stream.
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    unpacked, chunks = 0, []
    with archive.open(probe) as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            unpacked += len(chunk)
            if keep:
                chunks.append(chunk)
    if unpacked != info.file_size:
        raise UnreadableFileError(
            f"the archive member {info.filename!r} declares {info.file_size:,} "
            f"bytes but unpacks to a different size, so its headers are damaged "
            "or forged; save the workbook again in Excel",
            file=file_name,
        )
    return b"".join(chunks)


def _compressed_bytes(data: bytes, info: zipfile.ZipInfo) -> bytes:
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    return data[start : start + info.compress_size]


def _archive_bytes(entries: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    """Write a zip archive from already compressed members."""
    parts: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for info, packed in entries:
        name = info.filename.encode()
        fields = (
            _UTF8_NAMES,
            info.compress_type,
            0,
            _DOS_DATE_1980,
            info.CRC,
            len(packed),
            info.file_size,
            len(name),
        )
        local = _LOCAL_HEADER.pack(b"PK\x03\x04", _ZIP_VERSION, *fields, 0)
        central = _CENTRAL_HEADER.pack(
            b"PK\x01\x02", _ZIP_VERSION, _ZIP_VERSION, *fields, 0, 0, 0, 0, 0, offset
        )
        parts += [local, name, packed]
        directory += [central, name]
        offset += len(local) + len(name) + len(packed)
    size = sum(map(len, directory))
    end = _END_RECORD.pack(
        b"PK\x05\x06", 0, 0, len(entries), len(entries), size, offset, 0
    )
    return b"".join(parts + directory + [end])
