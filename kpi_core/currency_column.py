"""Read the cells of a mapped currency column as ISO 4217 codes.

Sheets kept by hand often write the currency as a symbol or a name ("€",
"Euro", "US-Dollar") or beside its code ("EUR (€)", "USD - US Dollar") where
exports write the code alone. Such a cell is read as its code when it names
one currency for sure, and the import notes it. Quotes around a cell
("'EUR'"), a trailing full stop ("EUR.") and footnote asterisks ("EUR *")
leave its meaning as it is, so the cell is read without them and noted.
A question or exclamation mark ("EUR?", "USD!") casts doubt on the code,
so such a cell is an unknown currency. A shared symbol ("$", "¥") is
read as the amount cells read it (``cell_currency.SYMBOL_CURRENCIES``): as
the currency that the money columns' header names when the symbol is written
for it ("$" beside "Amount (CAD)" is CAD), else as its first currency ("$"
as USD). The note names the currency it was read as. A mark of
``currency_codes.PREFIXED_MARKS`` ("C$", "Fr.") is read as its code, as in
an amount cell. A word that several currencies
share ("Dollar", "kr") or any other text ("XYZ") is read as empty and named
as a problem. ``prepare_table`` then reads the amounts of its row as empty
too, because no cell names the currency they are in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

import polars as pl

from kpi_core.cell_currency import (
    OTHER_READINGS,
    SYMBOL_CURRENCIES,
    MoneyCells,
    money_fields,
)
from kpi_core.currency_codes import ISO_4217_CODES, PREFIXED_MARKS, WORD_CODES
from kpi_core.currency_names import is_currency_name, other_currency_named
from kpi_core.mapping import Mapping
from kpi_core.values import currency_in_header

# The field of the canonical tables that contains each row's currency.
CURRENCY_FIELD = "currency"
# Symbols and names of one currency, in lower case with single spaces.
# Alone, "Pfund" and "pound" mean sterling in German and British usage,
# while other pounds (EGP, LBP) carry their country's name.
_CURRENCY_NAMES = {
    **{
        symbol: codes[0]
        for symbol, codes in SYMBOL_CURRENCIES.items()
        if len(codes) == 1
    },
    "euro": "EUR",
    "euros": "EUR",
    "us dollar": "USD",
    "us dollars": "USD",
    "us-dollar": "USD",
    "us-dollars": "USD",
    "u.s. dollar": "USD",
    "u.s. dollars": "USD",
    "pfund": "GBP",
    "pfund sterling": "GBP",
    "britisches pfund": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "pound sterling": "GBP",
    "pounds sterling": "GBP",
    "british pound": "GBP",
    "british pounds": "GBP",
    "schweizer franken": "CHF",
    "swiss franc": "CHF",
    "swiss francs": "CHF",
    "zł": "PLN",
    "złoty": "PLN",
    "zloty": "PLN",
}
# Symbols that several currencies share, read as the amount cells read them:
# as the header's currency when they are written for it, else "$" as USD and
# "¥" as JPY, with a note that names the other currencies.
_SHARED_SYMBOLS = {
    symbol: codes for symbol, codes in SYMBOL_CURRENCIES.items() if len(codes) > 1
}
# Words that several currencies share, in lower case, and the codes each
# may be. Neither these nor the amount cells read them as one currency.
_DOLLARS = (
    *("USD", "AUD", "CAD", "NZD", "HKD", "SGD", "TWD", "BBD", "BMD", "BND"),
    *("BSD", "BZD", "FJD", "GYD", "JMD", "KYD", "LRD", "NAD", "SBD", "SRD"),
    *("TTD", "XCD", "ZWL"),
)
_KRONER = ("SEK", "NOK", "DKK", "ISK")
_FRANCS = ("CHF", "XOF", "XAF", "XPF", "CDF", "BIF", "DJF", "GNF", "KMF", "RWF")
_SHARED_WORDS = {
    **dict.fromkeys(("dollar", "dollars"), _DOLLARS),
    **dict.fromkeys(
        ("kr", "kr.", "krone", "kroner", "kronen", "krona", "kronor"), _KRONER
    ),
    **dict.fromkeys(("fr", "fr.", "franc", "francs", "franken"), _FRANCS),
}
# A code, a dash with a space on each side and a name of words in letters,
# which may be joined by a space, hyphen, apostrophe or period: "CAD -
# Canadian Dollar", "TOP - Tongan Pa'anga".
_CODE_DASH_NAME = re.compile(
    r"([^\W\d_]{3})\s+[-–—]\s+([^\W\d_]+(?:[ '’.-]+[^\W\d_]+)*)"
)
# The opening and closing quotes around a cell such as "'EUR'" or "„EUR“".
_QUOTE_PAIRS = frozenset(("''", '""', "‘’", "’’", "“”", "„“", "‚‘", "«»", "»«"))
# Characters that split a cell such as "Euro (EUR)" or "USD - US Dollar"
# into its code and the parts beside it. A hyphen splits only with a space
# beside it, so "US-Dollar" stays one name.
_PART_SEPARATORS = re.compile(r"[()\[\]{}|/\\,;:]|(?:^|\s)[-–—]+(?:\s|$)")
_WORD = re.compile(r"[^\W\d_]+")
# The problems of currency cells read as empty, and how to correct them.
SHARED_CURRENCY = "a currency symbol or name of several currencies"
UNKNOWN_CURRENCY = "an unknown currency"
CURRENCY_ADVICE = (
    "write the currency as its three-letter ISO 4217 code, such as EUR, USD or "
    "CHF, and import the file again"
)
# The marks whose full stop is part of them, unlike the one after "EUR.".
_STOP_MARKS = tuple(mark for mark in PREFIXED_MARKS if mark.endswith("."))
# Distinct cells that the note on symbols and names read as codes lists.
_NOTED_READINGS = 6


@dataclass(frozen=True)
class CurrencyCodes:
    """A currency column read as codes.

    ``codes`` contains the upper-case ISO code of each row, null where the
    cell is empty or names no single currency. ``shared`` and ``unknown``
    mark the filled cells read as empty: a word of several currencies, and
    any other text that names no currency the app can read. ``note`` lists
    the symbols and names read as codes, None when every cell is a code.
    """

    codes: pl.Series
    shared: pl.Series
    unknown: pl.Series
    note: str | None


def read_currency_codes(
    text: pl.Series, header: tuple[str, str] | None = None
) -> CurrencyCodes:
    """Read each cell of a currency column as an ISO 4217 code.

    ``text`` contains the cleaned cells, with empty cells null. A code is
    read in any case ("eur" is EUR), even a code that is also a word
    ("ALL" is the lek), because every cell here is expected to name a
    currency, unlike an amount cell. A symbol or name of one currency is
    read in any case and spacing ("€", "EURO", "US  Dollar"). A shared symbol is
    read as its first currency in ``SYMBOL_CURRENCIES`` ("$" as USD), as the
    amount cells read it. ``header`` is a money column's header and the
    code it names, such as ("Amount (CAD)", "CAD"), or None. A shared symbol
    written for that code is read as it, so "$" beside "Amount (CAD)" is
    CAD, while "$" beside "Amount (EUR)" stays USD and so a mismatch.
    """
    cells = pl.DataFrame(text.cast(pl.String).alias("cell"))
    # A currency column repeats a few values, so each is read once.
    distinct = cells.unique(maintain_order=True).drop_nulls()
    readings = _readings(distinct, header)
    frame = cells.join(readings, on="cell", how="left", maintain_order="left")
    unknown = (
        pl.col("cell").is_not_null() & pl.col("code").is_null() & ~pl.col("shared")
    )
    frame = frame.with_columns(
        pl.col("shared").fill_null(False), unknown=unknown.fill_null(False)
    )
    return CurrencyCodes(
        codes=frame["code"].alias(text.name),
        shared=frame["shared"],
        unknown=frame["unknown"],
        note=_readings_note(readings, header),
    )


def money_header_currency(mapping: Mapping) -> tuple[str, str] | None:
    """Return the first mapped money header that names a currency and its
    code, such as ("Amount (CAD)", "CAD"), or None when no header names
    one or two headers name different currencies."""
    named = []
    for field in money_fields(mapping):
        header = mapping.columns[field]
        code = currency_in_header(header) if header else None
        if code is not None:
            named.append((header, code))
    if not named or len({code for _, code in named}) > 1:
        return None
    return named[0]


def _readings(distinct: pl.DataFrame, header: tuple[str, str] | None) -> pl.DataFrame:
    """Read each distinct ``cell`` into its ``code``, and mark the cells
    that are no code alone but a symbol or name (``is_name``), a symbol that
    several currencies share (``shared_symbol``) or a word that several
    currencies share (``shared``)."""
    keys = distinct["cell"].str.replace_all(r"\s+", " ").str.strip_chars()
    rows = []
    for key in keys:
        code, is_name, shared = _read_cell(key, header)
        rows.append(
            {
                "code": code,
                "is_name": is_name,
                "shared_symbol": key in _SHARED_SYMBOLS,
                "shared": shared,
            }
        )
    schema = {
        "code": pl.String,
        "is_name": pl.Boolean,
        "shared_symbol": pl.Boolean,
        "shared": pl.Boolean,
    }
    readings = pl.DataFrame(rows, schema=schema)
    return pl.concat(
        [distinct.select("cell"), keys.alias("key").to_frame(), readings],
        how="horizontal",
    )


def _read_cell(
    key: str, header: tuple[str, str] | None
) -> tuple[str | None, bool, bool]:
    """Return the code of one cell, whether it was read from a symbol or
    name, and whether it is a word that several currencies share."""
    bare = _without_marks(key)
    if bare != key:
        code, _, shared = _read_cell(bare, header)
        return code, code is not None, shared
    # Case counts, as in amount cells, so "fr." stays a word of all francs.
    if key in PREFIXED_MARKS:
        return PREFIXED_MARKS[key], True, False
    upper = key.upper()
    lower = key.lower()
    if upper in ISO_4217_CODES:
        return upper, False, False
    if lower in _CURRENCY_NAMES:
        return _CURRENCY_NAMES[lower], True, False
    if key in _SHARED_SYMBOLS:
        if header is not None and header[1] in _SHARED_SYMBOLS[key]:
            return header[1], True, False
        return _SHARED_SYMBOLS[key][0], True, False
    if lower in _SHARED_WORDS:
        return None, False, True
    code = _code_dash_name(key)
    if code is not None:
        return code, True, False
    code = _code_with_marks(key)
    return code, code is not None, False


def _without_marks(key: str) -> str:
    """Remove the marks that leave a currency cell's meaning as it is:
    quotes around it ("'EUR'"), a trailing full stop ("EUR.") and footnote
    asterisks ("EUR *"), in any order and number. The full stop of a mark
    such as "Fr." stays."""
    text = key
    while True:
        stripped = text.rstrip("*").rstrip()
        if not _ends_with_stop_mark(stripped):
            stripped = stripped.removesuffix(".").rstrip()
        quoted = len(stripped) >= 2 and stripped[0] + stripped[-1] in _QUOTE_PAIRS
        if quoted:
            stripped = stripped[1:-1].strip()
        if stripped == text:
            return text
        text = stripped


def _ends_with_stop_mark(text: str) -> bool:
    """Tell whether ``text`` ends with a mark of ``PREFIXED_MARKS`` that ends
    in a full stop ("Fr.", "CHF SFr."), with no letter right before it."""
    for mark in _STOP_MARKS:
        start = len(text) - len(mark)
        if text.endswith(mark) and (start == 0 or not text[start - 1].isalpha()):
            return True
    return False


def _code_dash_name(key: str) -> str | None:
    """Return the code of a "code - name" cell such as "CAD - Canadian
    Dollar", or None when the cell is not one.

    The name may be a name of the code's currency in ``currency_names``, in
    the singular or plural ("SEK - Swedish Kronor"). A name that the table
    does not know ("MXN - Peso mexicano", "BRL - Real") is accepted too,
    unless the code is also a word (``WORD_CODES``: "TOP - Priority", "ALL -
    All regions") or the name names another currency ("USD - Canadian
    Dollar", "EUR - Dollar", "CAD - USD Dollar").
    """
    match = _CODE_DASH_NAME.fullmatch(key)
    if match is None:
        return None
    code = match[1].upper()
    name = match[2]
    if code not in ISO_4217_CODES:
        return None
    if is_currency_name(name, code):
        return code
    if code in WORD_CODES or _names_other_currency(name, code):
        return None
    return code


def _names_other_currency(name: str, code: str) -> bool:
    """Tell whether ``name`` contains another currency's name, symbol or
    upper-case ISO code, or a word that several currencies other than
    ``code`` share."""
    if other_currency_named(name, code) is not None:
        return True
    for word in re.split(r"[\s\-–]+", name):
        lower = word.lower()
        if word.isupper() and word in ISO_4217_CODES and word != code:
            return True
        if _CURRENCY_NAMES.get(lower, code) != code:
            return True
        if code not in _SHARED_WORDS.get(lower, (code,)):
            return True
    return False


def _code_with_marks(key: str) -> str | None:
    """Return the one ISO code in a cell such as "EUR (€)", "€ EUR" or
    "USD - US Dollar", or None.

    The code is a whole word in any case. Beside it the cell may contain
    only brackets, separators and dashes, currency symbols and names that
    fit the code, and symbols that the app does not know, which the amount
    cells also ignore beside a code ("₽ RUB"). Two codes, a name of another
    currency or other punctuation ("EUR?", "USD!") give None.
    """
    codes = {w.upper() for w in _WORD.findall(key) if w.upper() in ISO_4217_CODES}
    if len(codes) != 1:
        return None
    [code] = codes
    pattern = rf"(?<![^\W\d_]){re.escape(code)}(?![^\W\d_])"
    rest = re.sub(pattern, "|", key, flags=re.IGNORECASE)
    parts = (part.strip() for part in _PART_SEPARATORS.split(rest))
    if all(_fits_code(part, code) for part in parts if part):
        return code
    return None


def _fits_code(part: str, code: str) -> bool:
    """Tell whether a part of a cell beside ``code`` is a dash, a symbol or a
    name that fits the code. The separators that split the cell into its
    parts are gone by now, so other punctuation such as "?" is stray."""
    if PREFIXED_MARKS.get(part) == code:
        return True
    lower = part.lower()
    if _CURRENCY_NAMES.get(lower) == code or code in _SHARED_WORDS.get(lower, ()):
        return True
    if is_currency_name(part, code):
        return True
    for character in part:
        category = unicodedata.category(character)
        if category == "Sc":
            if code not in SYMBOL_CURRENCIES.get(character, (code,)):
                return False
        elif category != "Pd" and not character.isspace():
            return False
    return True


def _readings_note(
    readings: pl.DataFrame, header: tuple[str, str] | None
) -> str | None:
    """List the cells read as a code from a symbol or name, such as
    "symbols and names read as ISO codes: € as EUR, Euro as EUR", and add
    what to write when a shared symbol means another currency, or which
    header decided it."""
    named = readings.filter("is_name").select("key", "code").unique(maintain_order=True)
    if named.is_empty():
        return None
    readings_shown = [
        f"{cell} as {code}" for cell, code in named.head(_NOTED_READINGS).iter_rows()
    ]
    if named.height > _NOTED_READINGS:
        readings_shown.append(f"and {named.height - _NOTED_READINGS} more")
    note = "symbols and names read as ISO codes: " + ", ".join(readings_shown)
    symbols = readings.filter("shared_symbol")["key"].unique(maintain_order=True)
    hints = []
    for symbol in symbols:
        if header is not None and header[1] in _SHARED_SYMBOLS[symbol]:
            hints.append(
                f"a {symbol} is read as {header[1]} because header "
                f"{header[0]!r} names {header[1]}"
            )
        elif symbol in OTHER_READINGS:
            hints.append(
                f"if a {symbol} is {OTHER_READINGS[symbol]}, write its ISO code"
            )
    if hints:
        note += "; " + "; ".join(hints)
    return note


def empty_amounts_without_code(
    columns: list[pl.Series], money_cells: list[MoneyCells], filled: pl.Series
) -> tuple[list[pl.Series], list[MoneyCells]]:
    """Read as empty the amounts of the rows whose currency cell is filled
    but read as no code, because their currency is unknown.

    ``columns`` are the parsed columns, each named by its field, and
    ``filled`` marks the filled cells of the currency column. The money
    cells of these rows are emptied too, so that ``row_currencies`` does not
    name the rows a second time as amounts without a currency.
    """
    parsed = next((c for c in columns if c.name == CURRENCY_FIELD), None)
    if parsed is None or not money_cells:
        return columns, money_cells
    rows = filled & parsed.is_null()
    if not rows.any():
        return columns, money_cells
    money = {cell.field for cell in money_cells}
    columns = [_emptied(c, rows) if c.name in money else c for c in columns]
    money_cells = [
        replace(cell, numbers=_emptied(cell.numbers, rows)) for cell in money_cells
    ]
    return columns, money_cells


def _emptied(values: pl.Series, rows: pl.Series) -> pl.Series:
    empty = pl.repeat(None, values.len(), dtype=values.dtype, eager=True)
    return values.zip_with(~rows, empty).alias(values.name)
