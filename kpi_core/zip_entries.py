"""Limits on the number of entries of an uploaded zip archive, a count of
them taken before ``zipfile`` parses the central directory, and the error
for a zip whose entries contain no table.

zipfile builds a ZipInfo for every entry when it opens an archive. Opening
one of 300,000 empty entries took 9 s (Python 3.11.7 on a 2-core machine), so
the count is taken from the raw bytes first.
"""

from __future__ import annotations

import struct

from kpi_core.errors import UnreadableFileError

# The app reads XLSX workbooks of at most this many parts (files and folders).
MAX_WORKBOOK_ENTRIES = 65_535
# NOTE: no format fixes this limit. It is chosen far above the handful of
# files of a zip of CSV exports, such as a Mailchimp audience export.
MAX_ZIP_ENTRIES = 1_000

_END_SIGNATURE = b"PK\x05\x06"
_ZIP64_END_SIGNATURE = b"PK\x06\x06"
_ENTRY_SIGNATURE = b"PK\x01\x02"
_END_RECORD_SIZE = 22
_MAX_COMMENT_SIZE = 65_535
_ZIP64_LOCATOR_SIZE = 20
_ZIP64_END_RECORD_SIZE = 56


def count_entries(data: bytes) -> int:
    """Count the central directory entries of the zip archive ``data``.

    zipfile reads as many entries as fit in the directory size that the end
    record gives, whatever entry count it declares, so the entries are
    counted by their signatures within those bytes. A name that contains
    the signature counts once more, so the count may be too high but never
    too low. Returns 0 without an end record, for zipfile to report.
    """
    search_from = max(0, len(data) - _END_RECORD_SIZE - _MAX_COMMENT_SIZE)
    # The bound keeps a whole end record between the match and the file's end.
    end = data.rfind(_END_SIGNATURE, search_from, len(data) - _END_RECORD_SIZE + 4)
    if end < 0:
        return 0
    (directory_size,) = struct.unpack_from("<I", data, end + 12)
    directory_end = end
    zip64_end = end - _ZIP64_LOCATOR_SIZE - _ZIP64_END_RECORD_SIZE
    if zip64_end >= 0 and data.startswith(_ZIP64_END_SIGNATURE, zip64_end):
        (directory_size,) = struct.unpack_from("<Q", data, zip64_end + 40)
        directory_end = zip64_end
    directory_start = max(0, directory_end - directory_size)
    return data.count(_ENTRY_SIGNATURE, directory_start, directory_end)


def is_text_note(member: str) -> bool:
    """Tell whether a zip member without data rows is more likely a note than
    a table export: a TXT file, such as a readme. A CSV or TSV member without
    rows is more likely an export whose report filters left no rows, so it
    keeps the message on its rows."""
    return member.lower().endswith(".txt")


def no_table_error(
    file_name: str, entries: str, empty_member: str | None = None
) -> UnreadableFileError:
    """Build the error for a zip that contains no table the app reads and is
    no Mailchimp audience export.

    ``entries`` lists the zip's files, shortened by the caller, and is empty
    when the zip lists none. ``empty_member`` is the TXT member that was
    read and found to have no data rows, None when no member was read.
    """
    if entries:
        message = f"the zip contains {entries}, but no"
    else:
        message = "the zip contains no"
    message += (
        " CSV or Excel table that the app can read, and it is not a Mailchimp "
        "audience export. "
    )
    if empty_member is not None:
        message += f"{empty_member} has no data rows. "
    message += "Upload the CSV or Excel export itself, not zipped"
    return UnreadableFileError(message, file=file_name)
