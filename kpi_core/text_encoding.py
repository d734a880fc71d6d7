"""Decode the bytes of a text file, and reject binary data, before it is split.

The codec order is fixed: a byte order mark decides, else UTF-16 without
one, else UTF-8, else Windows-1252, else Latin-1 (which accepts any byte).
"""

from __future__ import annotations

import codecs
import re

from kpi_core.errors import UnreadableFileError
from kpi_core.formatting import count_noun
from kpi_core.table_layout import format_lines

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ENCODING_NAMES = {
    "utf-32": "UTF-32 (byte order mark)",
    "utf-8-sig": "UTF-8 with byte order mark",
    "utf-16": "UTF-16 (byte order mark)",
    "utf-16-le": "UTF-16 little-endian (no byte order mark)",
    "utf-16-be": "UTF-16 big-endian (no byte order mark)",
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
}
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BINARY_CHECK_CHARS = 100_000
# Up to this many NUL characters in otherwise clean text are named by line.
_STRAY_NULS = 5
_WIDE_BOMS = tuple(bom for bom, codec in _BOMS if codec != "utf-8-sig")


def decode(file_name: str, data: bytes) -> tuple[str, str]:
    """Decode text bytes; return the text and the codec that worked.

    The order is fixed: a byte order mark decides, else UTF-16 without one
    (see ``utf16_order``), else UTF-8, else Windows-1252, else Latin-1
    (which accepts any byte).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_strict(file_name, data, codec), codec
    wide = utf16_order(data)
    if wide is not None:
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError:
            pass
    for codec in ("utf-8", "cp1252"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def utf16_order(data: bytes) -> str | None:
    """Return "utf-16-le" or "utf-16-be" for text saved as UTF-16 without a
    byte order mark, else None.

    Such a file of mostly Latin letters has a NUL byte in every second
    position: the odd positions for little-endian, the even ones for
    big-endian. Binary data has NULs too, but not in that pattern.
    """
    head = data[: _BINARY_CHECK_CHARS * 2]
    if len(head) < 4 or len(head) % 2 or b"\x00" not in head:
        return None
    even, odd = head[0::2], head[1::2]
    for zeros, letters, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        # A few characters, such as U+3000 or U+0100, have a zero in the
        # other byte too.
        if zeros.count(0) >= 0.9 * len(zeros) and letters.count(0) <= 0.05 * len(
            letters
        ):
            return codec
    return None


def encoding_label(codec: str) -> str:
    return _ENCODING_NAMES.get(codec, codec)


def utf8_codec(data: bytes) -> str | None:
    """Return "utf-8" or "utf-8-sig" when ``decode`` would pick it, else None.

    The bytes are checked in slices, so no string of the whole file is made.
    """
    if data.startswith(_WIDE_BOMS):
        return None
    codec = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    decoder = codecs.getincrementaldecoder(codec)()
    view = memoryview(data)
    step = 1 << 22
    try:
        for start in range(0, len(data), step):
            decoder.decode(view[start : start + step])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return codec


def decode_head(data: bytes, codec: str) -> str:
    """Decode enough of the start for ``reject_binary`` (4 bytes per char)."""
    decoder = codecs.getincrementaldecoder(codec)()
    return decoder.decode(data[: _BINARY_CHECK_CHARS * 4])


def _decode_strict(file_name: str, data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            f"the file starts with a {encoding_label(codec)} byte order mark, but "
            f"byte {error.start} is not valid {codec}; the file may be cut off. "
            "Export it again, or save it as UTF-8",
            file=file_name,
        ) from error


def reject_binary(file_name: str, text: str) -> None:
    head = text[:_BINARY_CHECK_CHARS]
    control = len(_CONTROL_CHARACTERS.findall(head))
    nuls = head.count("\x00")
    if 0 < nuls <= _STRAY_NULS and control == nuls:
        # A few NULs in text: a damaged export, not a binary file.
        starts = [match.start() for match in re.finditer("\x00", head)]
        lines = sorted({head.count("\n", 0, start) + 1 for start in starts})
        where = (
            f"line {lines[0]}" if len(lines) == 1 else f"lines {format_lines(lines)}"
        )
        them = "it" if nuls == 1 else "them"
        raise UnreadableFileError(
            f"found {count_noun(nuls, 'NUL character')} on {where}, which a text "
            f"table never has. Delete {them} in a text "
            "editor or export the file again",
            file=file_name,
        )
    if nuls or control > len(head) / 100:
        raise UnreadableFileError(
            "expected a CSV or text table, but the file contains binary data "
            "(control characters such as NUL). Upload a CSV, TXT or XLSX export, "
            "or a zip of CSV files",
            file=file_name,
        )
