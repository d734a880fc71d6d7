"""Read an uploaded export into a table of text columns.

``read_table`` accepts what CRM, helpdesk, billing, email and ad tools export,
also after a re-save in German Excel: CSV with any of four delimiters and
common encodings, space-aligned text, XLSX workbooks, and Mailchimp's audience
zip. Every cell stays text; ``kpi_core.values`` parses dates and numbers once
the columns are mapped. ``ReadInfo`` describes in plain words what was
detected and which lines were left out, so the pages can show it.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from kpi_core.audience_members import (
    parse_member_name,
)
from kpi_core.audience_reading import read_loose_text
from kpi_core.errors import UnreadableFileError
from kpi_core.raw_table import RawTable
from kpi_core.workbook import (
    workbook_sheets,
)
from kpi_core.workbook_reading import read_workbook
from kpi_core.zip_entries import (
    MAX_WORKBOOK_ENTRIES,
    MAX_ZIP_ENTRIES,
    count_entries,
)
from kpi_core.zip_reading import open_zip, read_zip, table_members

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# The stream name in the OLE2 directory, which stores names in UTF-16LE.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


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
        return read_workbook(file_name, data, sheet)
    if kind == "zip":
        return read_zip(file_name, data, sheet)
    return read_loose_text(file_name, data)


def sheet_names(file_name: str, data: bytes) -> list[str]:
    """List the worksheets of an XLSX file or the CSV members of a zip.

    Text files have no sheets, so they give an empty list.
    """
    kind = _file_kind(file_name, data)
    if kind == "xlsx":
        return workbook_sheets(file_name, data)
    if kind == "zip":
        with open_zip(file_name, data) as archive:
            return [info.filename for info in table_members(archive)]
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
    with open_zip(file_name, data) as archive:
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
