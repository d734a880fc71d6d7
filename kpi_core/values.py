"""Parse text cells into dates and numbers.

Formats are decided once per column from all of its non-empty values, never
row by row: one ``13/01/2024`` makes a whole slash-dated column day-first, and
one ``1.234,56`` makes a whole amount column use the decimal comma. Values that
do not fit the decided format become null; callers find them by comparing the
result with the input. The date functions live in ``kpi_core.date_values``
and are re-exported here.
"""

from __future__ import annotations

import re

import polars as pl

from kpi_core.date_values import (
    DATE_ORDERS,
    DateFormat,
    convert_unique,
    detect_and_parse_dates,
    detect_date_format,
    parse_dates,
)
from kpi_core.errors import InvalidSettingError

__all__ = [
    "CURRENCY_CODES",
    "DATE_ORDERS",
    "DateFormat",
    "currency_in_header",
    "detect_and_parse_dates",
    "detect_date_format",
    "detect_decimal_mark",
    "parse_dates",
    "parse_money",
    "parse_numbers",
    "parse_numbers_detecting_mark",
]

# ISO 4217 codes common in CRM, billing and ad exports.
_CODE_LIST = (
    "AED AUD BGN BRL CAD CHF CLP CNY COP CZK DKK EGP EUR GBP HKD HUF IDR ILS INR "
    "ISK JPY KRW MXN MYR NGN NOK NZD PHP PLN RON RUB SAR SEK SGD THB TRY TWD UAH "
    "USD VND ZAR"
)
CURRENCY_CODES = frozenset(_CODE_LIST.split())
_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR"}
_CODES = "|".join(sorted(CURRENCY_CODES))
_NOISE = r"[\s\u00a0\u202f'’%]|\p{Sc}"
_CODE_AT_ENDS = rf"^(?:{_CODES})|(?:{_CODES})$"
_COMMA_NUMBER = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?$|^[+-]?,\d+$"
_DOT_NUMBER = (
    r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?$|^[+-]?\.\d+$"
)
# Evidence for the decimal mark: a separator not followed by exactly three
# digits, both separators in one value, a repeated separator, or "0," / "0.".
_COMMA_EVIDENCE = r",(?:\d{1,2}|\d{4,})$|\..*,|\.\d{3}\.|^[+-]?0,"
_DOT_EVIDENCE = r"\.(?:\d{1,2}|\d{4,})$|,.*\.|,\d{3},|^[+-]?0\.|\d[eE][+-]?\d"
# Digits with an optional minus sign and decimal point, which no cleaning
# step changes.
_PLAIN_NUMBER = r"^-?[0-9]+(?:\.[0-9]+)?$"


def detect_decimal_mark(values: pl.Series, default: str = ".") -> str:
    """Decide whether a column writes decimals with "," or ".".

    Each value that can only be read one way counts as evidence. "12,5",
    "1.234,56" and "1.234.567" count for the comma, and "12.5", "1,234.56"
    and "1,234,567" for the point. The mark with more evidence wins. Values
    such as "1.234" or "2,000" fit both, so a column of only those gets
    ``default``.
    """
    return _decide_mark(_strip_currency(_clean(values)), default)


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
    mark = decimal_mark or _decide_mark(text, ".")
    _, numbers = convert_unique(text, lambda unique: ("", _to_float(unique, mark)))
    return numbers.alias(values.name)


def parse_numbers_detecting_mark(
    values: pl.Series, default: str = "."
) -> tuple[pl.Series, str]:
    """Parse text amounts into Float64 with the decimal mark detected.

    Returns what ``parse_numbers(values, detect_decimal_mark(values,
    default))`` would, and that mark, but cleans the text once instead of
    twice.
    """
    plain = _parse_plain_numbers(values, default)
    if plain is not None:
        return plain, "."
    text = _strip_currency(_clean(values))
    mark = _decide_mark(text, default)
    _, numbers = convert_unique(text, lambda unique: ("", _to_float(unique, mark)))
    return numbers.alias(values.name), mark


def parse_money(
    values: pl.Series, default: str = "."
) -> tuple[pl.Series, str, pl.Series | None]:
    """Parse text amounts as ``parse_numbers_detecting_mark`` does, and keep
    the currency marks that parsing drops.

    The third value gives each cell's marks as text: its currency symbols
    in the order written, then a space and the ISO code at either end ("$",
    "EUR", "$ USD", "€ USD"), and null for a cell without any. It is None
    when no cell has a mark, which a column of plain numbers finds without
    another pass.
    """
    plain = _parse_plain_numbers(values, default)
    if plain is not None:
        return plain, ".", None
    cleaned = _clean(values)
    text = _strip_currency(cleaned)
    mark = _decide_mark(text, default)
    _, numbers = convert_unique(text, lambda unique: ("", _to_float(unique, mark)))
    _, marks = convert_unique(cleaned, lambda unique: ("", _currency_marks(unique)))
    if marks.null_count() == marks.len():
        return numbers.alias(values.name), mark, None
    return numbers.alias(values.name), mark, marks.alias(values.name)


def _parse_plain_numbers(values: pl.Series, default: str) -> pl.Series | None:
    """Parse a column of plain numbers such as "-12.5" in one pass.

    Returns None unless every value is plain and the decimal mark comes out
    as ".". The cleaning steps of ``parse_numbers`` leave plain values as
    they are, so the result is the same.
    """
    text = values.alias("value").cast(pl.String)
    if not text.str.contains(_PLAIN_NUMBER).all():
        return None
    if default != "." and not text.str.contains(_DOT_EVIDENCE).any():
        return None
    return text.cast(pl.Float64, strict=False).alias(values.name)


def currency_in_header(header: str) -> str | None:
    """Return the ISO currency code named in a column header, if any.

    "Amount spent (EUR)" gives "EUR" and "Umsatz in €" gives "EUR". Only
    upper-case ISO 4217 codes from ``CURRENCY_CODES`` and the symbols € $ £ ¥
    ₹ count, so "Annual recurring revenue (ARR)" gives None. With several,
    the last one wins.
    """
    found = None
    for token in re.findall(r"[A-Z]{3}(?![A-Za-z])|[€$£¥₹]", header):
        if token in CURRENCY_CODES:
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
    return text.set(text == "", None)


def _decide_mark(text: pl.Series, default: str) -> str:
    comma = text.str.contains(_COMMA_EVIDENCE).sum()
    point = text.str.contains(_DOT_EVIDENCE).sum()
    if comma > point:
        return ","
    if point > comma:
        return "."
    return default


def _strip_currency(text: pl.Series) -> pl.Series:
    """Remove currency symbols and codes, spaces, apostrophes and "%"."""
    without_noise = text.str.replace_all(_NOISE, "")
    return without_noise.str.replace(_CODE_AT_ENDS, "").str.replace("−", "-")


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


def _to_float(text: pl.Series, mark: str) -> pl.Series:
    signed = text.str.replace(r"^\((.*)\)$", "-$1").str.replace(r"^(.*\d)-$", "-$1")
    valid = signed.str.contains(_COMMA_NUMBER if mark == "," else _DOT_NUMBER)
    if mark == ",":
        plain = signed.str.replace_all(".", "", literal=True).str.replace(
            ",", ".", literal=True
        )
    else:
        plain = signed.str.replace_all(",", "", literal=True)
    return plain.set(~valid.fill_null(False), None).cast(pl.Float64, strict=False)
