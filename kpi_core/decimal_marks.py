"""Decide the decimal mark of number text and read it with that mark.

The patterns and helpers here work on text that ``values`` has cleaned of
currency marks, spaces and apostrophes ("1.234,56", "(100)", "12.5-").
"""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

_COMMA_NUMBER = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?$|^[+-]?,\d+$"
_DOT_NUMBER = (
    r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?$|^[+-]?\.\d+$"
)
# Evidence for the decimal mark: a separator not followed by exactly three
# digits, both separators in one value, a repeated separator, or "0," / "0.".
COMMA_EVIDENCE = r",(?:\d{1,2}|\d{4,})$|\..*,|\.\d{3}\.|^[+-]?0,"
DOT_EVIDENCE = r"\.(?:\d{1,2}|\d{4,})$|,.*\.|,\d{3},|^[+-]?0\.|\d[eE][+-]?\d"
# A lone separator followed by exactly three digits, after an integer part
# of 1-3 digits that is not 0: "2.000" and "12,500" are a thousands group or
# three decimals. Money is rarely written with three decimals, so in a money
# column such values count as thousands groups when nothing else decides.
GROUPED = {
    ".": r"^\(?[+-]?[1-9][0-9]{0,2}\.[0-9]{3}\)?-?$",
    ",": r"^\(?[+-]?[1-9][0-9]{0,2},[0-9]{3}\)?-?$",
}
# Three decimals that cannot be a thousands group ("1234.567"). Such a value
# fits only one mark, but the evidence patterns above do not count it.
LONG_THREE_DECIMALS = {
    ".": r"^\(?[+-]?[0-9]{4,}\.[0-9]{3}\)?-?$",
    ",": r"^\(?[+-]?[0-9]{4,},[0-9]{3}\)?-?$",
}
# Any value ending in the decimal mark and three digits ("0.125",
# "1,234.567"), which with a valid number shows that the column writes three
# decimals.
THREE_DECIMALS = {".": r"\.[0-9]{3}\)?-?$", ",": r",[0-9]{3}\)?-?$"}


def decide_mark(text: pl.Series, default: str) -> str:
    comma = text.str.contains(COMMA_EVIDENCE).sum()
    point = text.str.contains(DOT_EVIDENCE).sum()
    if comma > point:
        return ","
    if point > comma:
        return "."
    return default


def decide_money_mark(text: pl.Series, default: str) -> str:
    """Decide the mark as ``decide_mark`` does, but without evidence make
    values such as "2.000" thousands groups (see ``parse_money``)."""
    comma = text.str.contains(COMMA_EVIDENCE).sum()
    point = text.str.contains(DOT_EVIDENCE).sum()
    if comma or point:
        return decide_mark(text, default)
    grouped = {
        separator: bool(text.str.contains(pattern).any())
        for separator, pattern in GROUPED.items()
    }
    if grouped["."] == grouped[","]:
        return default
    separator = "." if grouped["."] else ","
    if text.str.contains(LONG_THREE_DECIMALS[separator]).any():
        return default
    return "," if separator == "." else "."


def ambiguous_amounts(
    text: pl.Series, numbers: pl.Series, mark: str
) -> pl.Series | None:
    """Mark the values such as "1,000" whose lone separator is the decimal
    ``mark``, unless another value of the column has three decimals."""
    grouped = text.str.contains(GROUPED[mark]).fill_null(False)
    if not grouped.any():
        return None
    three_decimals = text.str.contains(THREE_DECIMALS[mark]).fill_null(False)
    if (three_decimals & ~grouped & numbers.is_not_null()).any():
        return None
    return grouped.alias(text.name)


def to_float(text: pl.Series, mark: str) -> pl.Series:
    signed = text.str.replace(r"^\((.*)\)$", "-$1").str.replace(r"^(.*\d)-$", "-$1")
    valid = signed.str.contains(_COMMA_NUMBER if mark == "," else _DOT_NUMBER)
    if mark == ",":
        plain = signed.str.replace_all(".", "", literal=True).str.replace(
            ",", ".", literal=True
        )
    else:
        plain = signed.str.replace_all(",", "", literal=True)
    return plain.set(~valid.fill_null(False), None).cast(pl.Float64, strict=False)


class CurrencyMarks(NamedTuple):
    """The result of ``read_per_currency``.

    ``styles`` maps each currency of the cells to the decimal mark that its
    cells with evidence write, or to None when none of them shows one.
    ``ambiguous`` is True for the cells that read two ways, whose
    ``numbers`` are null.
    """

    numbers: pl.Series
    ambiguous: pl.Series
    styles: dict[str, str | None]


def read_per_currency(
    text: pl.Series,
    currencies: pl.Series,
    numbers: pl.Series,
    ambiguous: pl.Series | None,
) -> CurrencyMarks | None:
    """Read the cells of a money column that name their currency with the
    decimal mark of that currency, when the marks name two or more
    currencies and the cells write both decimal marks.

    ``currencies`` is each cell's currency code (null without a mark), and
    ``numbers`` and ``ambiguous`` are the column read with one mark, which
    the cells without a currency keep. A cell that is evidence for one mark
    ("99,90", "1,234.50") reads with it. Another cell reads with the mark
    that the evidence among its currency's cells decides, and follows the
    rules of ``ambiguous_amounts`` within that currency. Without such
    evidence, a value such as "1.234" reads two ways and is ambiguous.
    Returns None otherwise, so the column's one mark decides as before.
    """
    frame = pl.DataFrame(
        {
            "text": text.alias("text"),
            "currency": currencies.alias("currency"),
            "comma": text.str.contains(COMMA_EVIDENCE).fill_null(False),
            "point": text.str.contains(DOT_EVIDENCE).fill_null(False),
        }
    )
    marked = frame.filter(pl.col("currency").is_not_null())
    if marked["currency"].n_unique() < 2:
        return None
    if not (marked["comma"].any() and marked["point"].any()):
        return None
    counts = marked.group_by("currency").agg(
        pl.col("comma").sum(), pl.col("point").sum()
    )
    styles: dict[str, str | None] = {}
    for code, comma, point in counts.sort("currency").iter_rows():
        styles[code] = None
        if comma > point:
            styles[code] = ","
        elif point > comma:
            styles[code] = "."
    style = pl.col("currency").replace_strict(
        styles, default=None, return_dtype=pl.String
    )
    comma_only = pl.col("comma") & ~pl.col("point")
    point_only = pl.col("point") & ~pl.col("comma")
    frame = frame.with_columns(
        own=comma_only | point_only,
        mark=pl.when(comma_only)
        .then(pl.lit(","))
        .when(point_only)
        .then(pl.lit("."))
        .otherwise(style),
        by_comma=to_float(frame["text"], ","),
        by_point=to_float(frame["text"], "."),
        grouped_comma=pl.col("text").str.contains(GROUPED[","]).fill_null(False),
        grouped_point=pl.col("text").str.contains(GROUPED["."]).fill_null(False),
    )
    # A value whose lone separator is its currency's decimal mark reads two
    # ways, unless a cell of that currency has three decimals and no other
    # reading, as ``ambiguous_amounts`` decides for a whole column.
    read = pl.when(pl.col("mark") == ",").then("by_comma").otherwise("by_point")
    three_decimals = (
        pl.when(pl.col("mark") == ",")
        .then(
            pl.col("text").str.contains(THREE_DECIMALS[","]) & ~pl.col("grouped_comma")
        )
        .when(pl.col("mark") == ".")
        .then(
            pl.col("text").str.contains(THREE_DECIMALS["."]) & ~pl.col("grouped_point")
        )
        .otherwise(False)
        .fill_null(False)
        & read.is_not_null()
    )
    grouped_as_mark = (
        pl.when(pl.col("mark") == ",")
        .then(pl.col("grouped_comma"))
        .otherwise(pl.col("grouped_point"))
    )
    frame = frame.with_columns(
        ambiguous=pl.when(pl.col("currency").is_null())
        .then(False)
        .when(pl.col("mark").is_null())
        .then(pl.col("grouped_comma") | pl.col("grouped_point"))
        .otherwise(
            ~pl.col("own") & grouped_as_mark & ~three_decimals.any().over("currency")
        ),
        read=read,
    )
    previous = ambiguous
    if previous is None:
        previous = pl.repeat(False, text.len(), eager=True)
    previous = previous.alias("previous")
    cell_ambiguous = (
        frame.select(
            pl.when(pl.col("currency").is_null())
            .then(previous)
            .otherwise(pl.col("ambiguous"))
        )
        .to_series()
        .alias(text.name)
    )
    read_numbers = frame.select(
        pl.when(pl.col("currency").is_null())
        .then(numbers.alias("numbers"))
        .when(pl.col("ambiguous"))
        .then(None)
        .otherwise(pl.col("read"))
    ).to_series()
    return CurrencyMarks(read_numbers.alias(numbers.name), cell_ambiguous, styles)


def per_currency_note(styles: dict[str, str | None]) -> str:
    """Describe the decimal marks of ``read_per_currency``, such as "decimal
    mark per currency (EUR: comma, USD: point)"."""
    names = {",": "comma", ".": "point"}
    parts = [f"{code}: {names[mark]}" for code, mark in styles.items() if mark]
    return f"decimal mark per currency ({', '.join(parts)})"
