"""Parse text cells into dates and numbers.

Formats are decided once per column from all of its non-empty values, never
row by row: one ``13/01/2024`` makes a whole slash-dated column day-first, and
one ``1.234,56`` makes a whole amount column use the decimal comma. The
exception is a money column whose cells name two or more currencies and
write both marks: there each currency's cells decide their own mark
(``decimal_marks.read_per_currency``). Values that
do not fit the decided format become null; callers find them by comparing the
result with the input. The date functions live in ``kpi_core.date_values``
and are re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

import polars as pl

from kpi_core.currency_codes import CELL_CODES, COMMON_CODES, PREFIXED_MARKS
from kpi_core.date_values import (
    DATE_ORDERS,
    DateFormat,
    convert_unique,
    detect_and_parse_dates,
    detect_date_format,
    parse_dates,
)
from kpi_core.decimal_marks import (
    DOT_EVIDENCE,
    ambiguous_amounts,
    decide_mark,
    decide_money_mark,
    read_per_currency,
    to_float,
)
from kpi_core.errors import InvalidSettingError
from kpi_core.word_code_cells import (
    WORD_CODE_AT_ENDS,
    word_code_cells,
    word_code_marks,
)

__all__ = [
    "CURRENCY_CODES",
    "DATE_ORDERS",
    "DateFormat",
    "ParsedMoney",
    "currency_in_header",
    "describe_ambiguous_amount",
    "describe_ambiguous_in_currency",
    "detect_and_parse_dates",
    "detect_date_format",
    "detect_decimal_mark",
    "parse_dates",
    "parse_money",
    "parse_numbers",
    "parse_numbers_detecting_mark",
    "split_number_cells",
]

# The ISO 4217 codes that an amount or number cell may carry ("EEK 100",
# "100 KES"): every code but those that are also words ("TOP 50"), which
# are read only in the cells of ``word_code_cells.word_code_cells``.
CURRENCY_CODES = CELL_CODES
_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR"}
_CODES = "|".join(sorted(CURRENCY_CODES))
_NOISE = r"[\s\u00a0\u202f'’%]|\p{Sc}"
_CODE_AT_ENDS = rf"^(?:{_CODES})|(?:{_CODES})$"
# A currency in a header: a dollar mark of ``PREFIXED_MARKS`` that no letter
# precedes, "Fr." or "SFr." in brackets or after "in", an upper-case code,
# or a symbol. The longer marks come first, so "US$" is not read as "$".
_DOLLAR_MARKS = sorted((m for m in PREFIXED_MARKS if m.endswith("$")), key=len)
_HEADER_CURRENCY = re.compile(
    r"(?<![A-Za-z])(?:"
    + "|".join(re.escape(mark) for mark in reversed(_DOLLAR_MARKS))
    + r")|(?:[(\[]\s*|\bin\s+)(?P<franc>S?Fr\.)(?=\s*[)\]]|\s*$)"
    + r"|[A-Z]{3}(?![A-Za-z])|[€$£¥₹]"
)
# Digits with an optional minus sign and decimal point, which no cleaning
# step changes.
_PLAIN_NUMBER = r"^-?[0-9]+(?:\.[0-9]+)?$"
# The "." case among plain numbers, for the fast path of ``parse_money``.
_GROUPED_PLAIN_POINT = r"^-?[1-9][0-9]{0,2}\.[0-9]{3}$"


def detect_decimal_mark(values: pl.Series, default: str = ".") -> str:
    """Decide whether a column writes decimals with "," or ".".

    Each value that can only be read one way counts as evidence. "12,5",
    "1.234,56" and "1.234.567" count for the comma, and "12.5", "1,234.56"
    and "1,234,567" for the point. The mark with more evidence wins. Values
    such as "1.234" or "2,000" fit both, so a column of only those gets
    ``default``.
    """
    return decide_mark(_strip_currency(_clean(values)), default)


def parse_numbers(values: pl.Series, decimal_mark: str | None = None) -> pl.Series:
    """Parse text amounts into Float64.

    Both "1.234,56" (decimal comma) and "1,234.56" (decimal point) work, with
    the mark from ``detect_decimal_mark`` unless ``decimal_mark`` is given.
    Currency symbols and ISO codes may stand before or after the number
    ("€ 1.234,00", "1,234.56 USD", "EUR 5"). Spaces and apostrophes may
    separate thousands. "(100,00)" and "100-" are negative. A percent sign is
    dropped, so "12,5 %" gives 12.5 (still in percent). Values that do not fit
    become null, including thousands groups that are not three digits long.
    """
    if decimal_mark not in (None, ",", "."):
        raise InvalidSettingError(
            f"unknown decimal mark {decimal_mark!r}; use ',' or '.'",
            column=values.name or None,
        )
    text = _strip_currency(_clean(values))
    mark = decimal_mark or decide_mark(text, ".")
    _, numbers = convert_unique(text, lambda unique: ("", to_float(unique, mark)))
    return numbers.alias(values.name)


def parse_numbers_detecting_mark(
    values: pl.Series, default: str = ".", number_cells: pl.Series | None = None
) -> tuple[pl.Series, str]:
    """Parse text amounts into Float64 with the decimal mark detected.

    Returns what ``parse_numbers(values, detect_decimal_mark(values,
    default))`` would, and that mark, but cleans the text once instead of
    twice. ``number_cells`` is True for the cells that a workbook stores as
    numbers (see ``split_number_cells``).
    """
    split = split_number_cells(values, number_cells)
    if split is not None:
        stored, typed, mask = split
        numbers, mark = parse_numbers_detecting_mark(typed, default)
        return stored.zip_with(mask, numbers), _typed_mark(typed, mark)
    plain = _parse_plain_numbers(values, default)
    if plain is not None:
        return plain, "."
    text = _strip_currency(_clean(values))
    mark = decide_mark(text, default)
    _, numbers = convert_unique(text, lambda unique: ("", to_float(unique, mark)))
    return numbers.alias(values.name), mark


class ParsedMoney(NamedTuple):
    """The result of ``parse_money``.

    ``marks`` gives each cell's currency marks as text: its currency symbols
    in the order written, then a space and the ISO code at either end ("$",
    "EUR", "$ USD", "€ USD"), and null for a cell without any. It is None
    when no cell has a mark. ``ambiguous`` is True for the cells that read
    two ways (see ``parse_money``), whose ``numbers`` are null, and is None
    when no cell does. ``styles`` and ``currencies`` are set when each
    currency's cells were read with their own decimal mark
    (``decimal_marks.read_per_currency``): the mark per currency code, and
    each cell's code, null for a cell without a mark.
    """

    numbers: pl.Series
    mark: str
    marks: pl.Series | None
    ambiguous: pl.Series | None
    styles: dict[str, str | None] | None = None
    currencies: pl.Series | None = None


def parse_money(
    values: pl.Series,
    default: str = ".",
    number_cells: pl.Series | None = None,
    row_codes: Callable[[], pl.Series | None] | None = None,
) -> ParsedMoney:
    """Parse text amounts as ``parse_numbers_detecting_mark`` does, keep the
    currency marks that parsing drops, and apply two rules for money.

    A lone separator followed by exactly three digits after a non-zero
    integer part of 1-3 digits ("2.000", "€ 12.000", "1,500") is a thousands
    group or three decimals. Money is rarely written with three decimals, so:

    - When no value is evidence for either mark, the mark is the one that
      makes such values thousands groups, unless the column has them with
      both separators or writes three decimals elsewhere ("1234.500").
    - Once the mark is decided, such a value whose separator is that mark
      is ambiguous, unless another value of the column has exactly three
      decimals and no other reading ("1234.567", "0.125").

    ``number_cells`` is True for the cells that a workbook stores as
    numbers (see ``split_number_cells``). ``row_codes`` returns each row's
    code from the mapped currency column, so that "PEN 1200" beside "PEN"
    is read (see ``word_code_cells``).
    """
    split = split_number_cells(values, number_cells)
    if split is not None:
        stored, typed, mask = split
        money = parse_money(typed, default, row_codes=row_codes)
        numbers = stored.zip_with(mask, money.numbers)
        return money._replace(numbers=numbers, mark=_typed_mark(typed, money.mark))
    plain = _parse_plain_numbers(values, default, money=True)
    if plain is not None:
        return ParsedMoney(plain, ".", None, None)
    cleaned = _clean(values)
    word_cells = word_code_cells(cleaned, row_codes)
    text = _strip_currency(cleaned, word_cells)
    mark = decide_money_mark(text, default)
    _, numbers = convert_unique(text, lambda unique: ("", to_float(unique, mark)))
    ambiguous = ambiguous_amounts(text, numbers, mark)
    if ambiguous is not None:
        numbers = numbers.set(ambiguous, None)
    numbers = numbers.alias(values.name)
    _, marks = convert_unique(cleaned, lambda unique: ("", _currency_marks(unique)))
    marks = word_code_marks(marks, cleaned, word_cells)
    if marks.null_count() == marks.len():
        return ParsedMoney(numbers, mark, None, ambiguous)
    currencies = _mark_currencies(marks)
    per_currency = read_per_currency(text, currencies, numbers, ambiguous)
    if per_currency is None:
        return ParsedMoney(numbers, mark, marks.alias(values.name), ambiguous)
    return ParsedMoney(
        per_currency.numbers,
        mark,
        marks.alias(values.name),
        per_currency.ambiguous if per_currency.ambiguous.any() else None,
        per_currency.styles,
        currencies,
    )


def split_number_cells(
    values: pl.Series, number_cells: pl.Series | None
) -> tuple[pl.Series, pl.Series, pl.Series] | None:
    """Split a column into the cells a workbook stores as numbers and the
    cells typed as text.

    calamine writes a number cell as a plain decimal with a point
    ("1234.56"), whatever the cell shows in Excel. So these cells are read
    with the point, and only the text cells decide the decimal mark of the
    rest: "1.234,56 €" typed into a column of number cells is 1234.56.
    Returns the parsed number cells, the text cells (number cells null) and
    the mask, or None without any number cell.
    """
    if number_cells is None:
        return None
    mask = number_cells.fill_null(False)
    if not mask.any():
        return None
    stored = parse_numbers(values.set(~mask, None), ".")
    return stored, values.set(mask, None), mask.alias(values.name)


def _typed_mark(typed: pl.Series, mark: str) -> str:
    """Return the decimal mark of a column whose text cells have ``mark``:
    the point when every filled cell is a number cell."""
    return mark if typed.null_count() < typed.len() else "."


def describe_ambiguous_amount(cell: str, mark: str) -> str:
    """Describe both readings of an ambiguous amount and what to write instead.

    "$1,000" in a column with the decimal comma gives "'$1,000' could be 1
    or 1,000 because the column uses a decimal comma; write 1000, 1.000,00
    or 1,000.00 consistently".
    """
    digits = _strip_currency(_clean(pl.Series([cell], dtype=pl.String)))
    as_decimal = to_float(digits, mark)[0]
    as_thousands = to_float(digits, "." if mark == "," else ",")[0]
    if as_decimal is None or as_thousands is None:
        return f"{cell!r} could be read two ways; write the amounts consistently"
    name = "decimal comma" if mark == "," else "decimal point"
    point_style = f"{as_thousands:,.2f}"
    comma_style = point_style.translate(str.maketrans(",.", ".,"))
    return (
        f"{cell!r} could be {as_decimal:g} or {as_thousands:,.0f} because the "
        f"column uses a {name}; write {as_thousands:.0f}, {comma_style} or "
        f"{point_style} consistently"
    )


def describe_ambiguous_in_currency(cell: str, code: str, mark: str | None) -> str:
    """Describe both readings of an ambiguous amount in a column whose
    currencies write different decimal marks, as ``describe_ambiguous_amount``
    does. ``mark`` is the decimal mark of the other ``code`` amounts, None
    when none of them shows one."""
    if mark is not None:
        reason = describe_ambiguous_amount(cell, mark)
        name = "decimal comma" if mark == "," else "decimal point"
        return reason.replace(
            f"because the column uses a {name}",
            f"because the other {code} amounts use a {name}",
        )
    point_reason = describe_ambiguous_amount(cell, ".")
    return point_reason.replace(
        "because the column uses a decimal point",
        f"because no other {code} amount shows its decimal mark",
    )


def _parse_plain_numbers(
    values: pl.Series, default: str, *, money: bool = False
) -> pl.Series | None:
    """Parse a column of plain numbers such as "-12.5" in one pass.

    Returns None unless every value is plain and the decimal mark comes out
    as ".". The cleaning steps of ``parse_numbers`` leave plain values as
    they are, so the result is the same. With ``money``, a value such as
    "2.000" also returns None, because the money rules of ``parse_money``
    may read it as thousands or reject it.
    """
    text = values.alias("value").cast(pl.String)
    if not text.str.contains(_PLAIN_NUMBER).all():
        return None
    if default != "." and not text.str.contains(DOT_EVIDENCE).any():
        return None
    if money and text.str.contains(_GROUPED_PLAIN_POINT).any():
        return None
    return text.cast(pl.Float64, strict=False).alias(values.name)


def currency_in_header(header: str) -> str | None:
    """Return the ISO currency code named in a column header, if any.

    "Amount spent (EUR)" gives "EUR" and "Umsatz in €" gives "EUR". Only
    upper-case ISO 4217 codes from ``currency_codes.COMMON_CODES``, the
    symbols € $ £ ¥ ₹ and the marks of ``PREFIXED_MARKS`` count, so "Annual
    recurring revenue (ARR)" and "REVENUE ALL" give None. A dollar mark
    such as "C$" counts anywhere that no letter precedes it, while "Fr." and
    "SFr." count only in brackets or after "in", because "Umsatz Fr." may
    be Friday's revenue. With several, the last one wins.
    """
    found = None
    for match in _HEADER_CURRENCY.finditer(header):
        token = match[0]
        if token in PREFIXED_MARKS:
            found = PREFIXED_MARKS[token]
        elif match["franc"] is not None:
            found = PREFIXED_MARKS[match["franc"]]
        elif token in COMMON_CODES:
            found = token
        elif token in _CURRENCY_SYMBOLS:
            found = _CURRENCY_SYMBOLS[token]
    return found


def _clean(values: pl.Series) -> pl.Series:
    """Return the values as stripped text with empty cells as null.

    The result is renamed, because Series methods go through ``pl.col(name)``
    and a header such as "*" or "^a$" would act as a wildcard or a regex.
    """
    text = values.alias("value").cast(pl.String).str.strip_chars()
    text = _codes_for_prefixed_marks(text)
    return text.set(text == "", None)


def _codes_for_prefixed_marks(text: pl.Series) -> pl.Series:
    """Write each mark of ``PREFIXED_MARKS`` as its ISO code, so that "US$5"
    reads as "USD 5" and "Fr. 5" as "CHF 5"."""
    if not text.str.contains(r"\$|Fr\.").any():
        return text
    for mark, code in PREFIXED_MARKS.items():
        pattern = r"(^|[^A-Za-z])" + re.escape(mark)
        text = text.str.replace_all(pattern, "${1} " + code + " ")
    return text.str.strip_chars()


def _strip_currency(text: pl.Series, word_cells: pl.Series | None = None) -> pl.Series:
    """Remove currency symbols and codes, spaces, apostrophes and "%".

    Three ways of writing money become numbers too: whole amounts with a
    dash for the cents ("750,-" is 750,00), the German zero "-,-", and the
    dash that Excel's accounting format shows for zero beside a currency
    ("-   €", "EUR -"). A dash alone, or with other marks such as "%",
    stays as it is. ``word_cells`` marks the cells whose code that is also
    a word is removed too, by default those of ``word_code_cells``.
    """
    without_noise = text.str.replace_all(_NOISE, "")
    bare = without_noise.str.replace(_CODE_AT_ENDS, "")
    if word_cells is None:
        word_cells = word_code_cells(text, None)
    if word_cells.any():
        without_word = bare.str.replace(WORD_CODE_AT_ENDS, "")
        bare = bare.zip_with(~word_cells, without_word)
    bare = bare.str.replace("−", "-")
    bare = bare.str.replace(r"^(.*\d)([.,])[-–—]{1,2}$", "${1}${2}00")
    dash = bare.str.contains(r"^[-–—]$")
    currency = text.str.contains(rf"\p{{Sc}}|{_CODE_AT_ENDS}")
    zero = (dash & currency) | bare.str.contains(r"^[-–—],[-–—]{1,2}$")
    return bare.set(zero.fill_null(False), "0")


def _mark_currencies(marks: pl.Series) -> pl.Series:
    """Return the currency code that each mark of ``_currency_marks`` names
    first: its ISO code, else the code of its first symbol."""
    code = marks.str.extract(r"([A-Z]{3})$")
    symbol = marks.str.slice(0, 1).replace_strict(
        _CURRENCY_SYMBOLS, default=None, return_dtype=pl.String
    )
    return code.fill_null(symbol)


def _currency_marks(text: pl.Series) -> pl.Series:
    """Return the marks that ``_strip_currency`` removes from each value."""
    frame = pl.DataFrame({"value": text}).with_columns(
        bare=pl.col("value").str.replace_all(_NOISE, ""),
        symbols=pl.col("value").str.replace_all(r"[^\p{Sc}]+", ""),
    )
    frame = frame.with_columns(
        first=pl.col("bare").str.extract("^([A-Z]{3})"),
        last=pl.col("bare").str.extract("([A-Z]{3})$"),
    )
    codes = sorted(CURRENCY_CODES)
    code = (
        pl.when(pl.col("first").is_in(codes))
        .then("first")
        .when(pl.col("last").is_in(codes))
        .then("last")
    )
    symbols = pl.when(pl.col("symbols") != "").then("symbols")
    joined = pl.concat_str([symbols, code], separator=" ", ignore_nulls=True)
    marks = frame.select(joined.alias("value"))
    return marks.select(pl.when(pl.col("value") != "").then("value")).to_series()
