"""Decide each row's currency from the marks in its amount cells and headers.

Parsing an amount drops its currency mark ("$1,000", "100 EUR"), and a header
such as "Amount spent (USD)" names the currency of a whole column. For the
money columns (``MONEY_COLUMNS``) of a table type with a ``currency`` field
those marks decide the currency, so that the amounts are not taken for EUR:

- Without a mapped currency column, a row's currency comes from its cells'
  marks, else from the header. Amounts without either in a table where other
  amounts name a currency are rejected, because guessing would mix
  currencies silently.
- With a mapped currency column, each mark must agree with the row's code,
  and the marks fill in empty codes. An amount whose row then names no
  currency while other rows do is rejected, also in a table without marks.
- A mark that contradicts the header, another money column of the row or
  itself ("€100 USD") rejects the row. So does an unknown symbol ("₽700"),
  unless an ISO code in the cell or the currency column names the currency.

A symbol may stand for several currencies: "$" is read as USD unless the
row's code or the header names another currency written with "$".

NOTE: number cells of a workbook arrive without their currency format
("$#,##0.00"), so only text cells and headers name a currency there.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from kpi_core.mapping import Mapping
from kpi_core.money import MONEY_COLUMNS
from kpi_core.values import CURRENCY_CODES, currency_in_header

# The currencies written with each symbol, the one it is read as first. The
# first ones match what ``values.currency_in_header`` reads in a header.
SYMBOL_CURRENCIES = {
    "$": ("USD", "AUD", "CAD", "CLP", "COP", "HKD", "MXN", "NZD", "SGD", "TWD"),
    "€": ("EUR",),
    "£": ("GBP",),
    "¥": ("JPY", "CNY"),
    "₹": ("INR",),
}
_OTHER_READINGS = {"$": "CAD, AUD or another dollar", "¥": "CNY"}


@dataclass(frozen=True)
class MoneyCells:
    """One parsed money column and the currency marks of its cells.

    ``text`` is the cell text as parsed, ``marks`` comes from
    ``values.parse_money`` and is None for a column without marks.
    """

    field: str
    column: str
    text: pl.Series
    numbers: pl.Series
    marks: pl.Series | None


@dataclass(frozen=True)
class Rejection:
    """Rows of one money column left out for their currency, with the reason."""

    field: str
    column: str
    text: pl.Series
    rows: pl.Series
    reason: str


@dataclass(frozen=True)
class RowCurrencies:
    """The outcome for one table.

    ``currency`` is the currency column to store, or None to keep the mapped
    column (or none) as it is. ``notes`` maps a file column to what was
    decided about its currency, for the import notes.
    """

    currency: pl.Series | None
    rejections: tuple[Rejection, ...]
    notes: dict[str, str]


def money_fields(mapping: Mapping) -> tuple[str, ...]:
    """Return the mapped money fields whose currency the table can store."""
    names = {f.name for f in mapping.schema.fields}
    if "currency" not in names:
        return ()
    return tuple(name for name in MONEY_COLUMNS if mapping.columns.get(name))


def row_currencies(
    cells: list[MoneyCells],
    currency: pl.Series | None,
    currency_column: str | None,
) -> RowCurrencies:
    """Decide the currency of each row from the money columns' marks.

    ``currency`` is the mapped currency column as parsed text (empty cells
    null) and ``currency_column`` its header, both None when none is mapped.
    Tables whose money cells and headers name no currency come back
    unchanged, apart from the rejection of amounts without a currency code
    among rows with one.
    """
    headers = {cell.field: currency_in_header(cell.column) for cell in cells}
    if all(cell.marks is None and headers[cell.field] is None for cell in cells):
        if currency is None:
            return RowCurrencies(None, (), {})
        unnamed = _without_code(cells, {}, currency, currency_column)
        return RowCurrencies(None, tuple(unnamed), {})

    rejections: list[Rejection] = []
    row_code = None if currency is None else _normalised(currency)
    claims: dict[str, pl.DataFrame] = {}
    for cell in cells:
        claim = _claims(cell, headers[cell.field], row_code)
        rejections += _own_problems(cell, claim, headers[cell.field])
        if row_code is not None:
            rejections += _mismatches(
                cell, claim, headers[cell.field], row_code, currency_column
            )
        claims[cell.field] = claim

    notes = _notes(cells, claims, headers, currency_column)
    if row_code is not None:
        rejections += _without_code(cells, claims, row_code, currency_column)
        filled = _fill(currency, claims)
        if filled is not None:
            notes = {
                column: f"{note}, and used where it is empty"
                for column, note in notes.items()
            }
        return RowCurrencies(filled, tuple(rejections), notes)

    rejections += _disagreements(cells, claims)
    found = _first_code(claims)
    if found.null_count() == found.len():
        return RowCurrencies(None, tuple(rejections), notes)
    rejections += _without_currency(cells, claims, found)
    return RowCurrencies(found.alias("currency"), tuple(rejections), notes)


def _claims(
    cell: MoneyCells, header: str | None, row_code: pl.Series | None
) -> pl.DataFrame:
    """Return the currency that each cell names, with how it was read.

    The columns are ``priced`` (the cell has a number), ``mark``,
    ``marked``, ``problem`` (an unknown symbol or two currencies in one
    cell), ``reading`` (the code the mark is read as), ``candidates`` (every
    code the mark can mean) and ``code``. ``code`` is the cell's currency,
    taken from a valid mark, else from the header. It is null without either
    or without a number. A mark of only unknown symbols is ignored in rows
    whose ``row_code`` names the currency.
    """
    priced = cell.numbers.is_not_null()
    if cell.marks is None:
        marks = pl.Series("mark", [None] * cell.numbers.len(), dtype=pl.String)
    else:
        marks = cell.marks.alias("mark")
    frame = pl.DataFrame({"priced": priced, "mark": marks}).with_columns(
        pl.when(pl.col("priced")).then(pl.col("mark")).alias("mark")
    )
    readings = _readings(frame["mark"].drop_nulls().unique().to_list())
    frame = frame.join(readings, on="mark", how="left", maintain_order="left")
    if row_code is not None:
        named = row_code.is_not_null().alias("named")
        ignored = pl.col("unknown").fill_null(False) & pl.col("named")
        frame = frame.with_columns(named).with_columns(
            pl.when(~ignored).then(pl.col(name)).alias(name)
            for name in ("mark", "problem", "reading", "candidates")
        )
    frame = frame.with_columns(marked=pl.col("mark").is_not_null())
    header_code = pl.lit(header, dtype=pl.String)
    if header is None:
        fits_header = pl.lit(True)
        code = pl.col("reading")
    else:
        fits_header = pl.col("candidates").list.contains(header_code)
        code = pl.when(fits_header).then(header_code)
    return frame.with_columns(
        code=pl.when(pl.col("problem").is_not_null())
        .then(None)
        .when(pl.col("marked"))
        .then(code)
        .when(pl.col("priced"))
        .then(header_code),
        fits_header=fits_header.fill_null(True),
    )


def _readings(marks: list[str]) -> pl.DataFrame:
    """Read each distinct mark text into codes, or into a problem.

    Unknown symbols beside an ISO code are ignored ("₽ 100 RUB" is RUB).
    """
    rows = []
    for mark in marks:
        tokens = _tokens(mark)
        codes = [t for t in tokens if t in CURRENCY_CODES]
        unknown = [
            t for t in tokens if t not in CURRENCY_CODES | SYMBOL_CURRENCIES.keys()
        ]
        known = [t for t in tokens if t not in unknown]
        candidates = set(CURRENCY_CODES)
        for token in known:
            candidates &= set(SYMBOL_CURRENCIES.get(token, (token,)))
        problem = None
        if unknown and not codes:
            problem = (
                f"an unknown currency symbol {unknown[0]!r} (write its ISO code, "
                "such as 'CHF 100', or give the currency in a currency column)"
            )
        elif not candidates:
            problem = "two different currencies in one cell (keep one)"
        reading = codes[0] if codes else SYMBOL_CURRENCIES.get(tokens[0], ("",))[0]
        rows.append(
            {
                "mark": mark,
                "unknown": bool(unknown) and not codes,
                "problem": problem,
                "reading": None if problem else reading,
                "candidates": None if problem else sorted(candidates),
            }
        )
    schema = {
        "mark": pl.String,
        "unknown": pl.Boolean,
        "problem": pl.String,
        "reading": pl.String,
        "candidates": pl.List(pl.String),
    }
    return pl.DataFrame(rows, schema=schema)


def _own_problems(
    cell: MoneyCells, claim: pl.DataFrame, header: str | None
) -> list[Rejection]:
    """Reject cells with an unreadable mark or one that contradicts the
    header."""
    rejections = [
        _rejection(cell, claim["problem"] == problem, problem)
        for problem in claim["problem"].drop_nulls().unique(maintain_order=True)
    ]
    if header is None:
        return rejections
    against = claim.filter(~pl.col("fits_header") & pl.col("problem").is_null())
    for reading in against["reading"].unique(maintain_order=True):
        rows = (claim["reading"] == reading) & ~claim["fits_header"]
        reason = (
            f"an amount in {reading} while the header names {header} "
            "(correct the cell or the header)"
        )
        rejections.append(_rejection(cell, rows, reason))
    return rejections


def _mismatches(
    cell: MoneyCells,
    claim: pl.DataFrame,
    header: str | None,
    row_code: pl.Series,
    currency_column: str | None,
) -> list[Rejection]:
    """Reject rows whose cell or header names another currency than the
    mapped currency column."""
    if header is None:
        fits = pl.col("candidates").list.contains(pl.col("row_code"))
    else:
        fits = pl.col("code") == pl.col("row_code")
    named = pl.col("code").is_not_null() & pl.col("row_code").is_not_null()
    frame = claim.with_columns(row_code=row_code).with_columns(
        against=(named & ~fits).fill_null(False)
    )
    rejections = []
    pairs = (
        frame.filter("against")
        .select("code", "row_code", "marked")
        .unique(maintain_order=True)
    )
    for code, row, marked in pairs.iter_rows():
        rows = (
            frame["against"]
            & (frame["code"] == code)
            & (frame["row_code"] == row)
            & (frame["marked"] == marked)
        )
        source = "" if marked else " by its header"
        reason = (
            f"an amount in {code}{source} while column {currency_column!r} "
            f"says {row} (correct one of them)"
        )
        rejections.append(_rejection(cell, rows, reason))
    return rejections


def _disagreements(
    cells: list[MoneyCells], claims: dict[str, pl.DataFrame]
) -> list[Rejection]:
    """Reject rows whose money columns name different currencies."""
    rejections = []
    for index, cell in enumerate(cells):
        code = claims[cell.field]["code"]
        for earlier in cells[:index]:
            other = claims[earlier.field]["code"]
            rows = (code != other).fill_null(False)
            pairs = (
                pl.DataFrame({"code": code, "other": other})
                .filter(rows)
                .unique(maintain_order=True)
            )
            for mine, theirs in pairs.iter_rows():
                reason = (
                    f"an amount in {mine} while column {earlier.column!r} is in "
                    f"{theirs} in the same row (make them match)"
                )
                chosen = rows & (code == mine) & (other == theirs)
                rejections.append(_rejection(cell, chosen.fill_null(False), reason))
    return rejections


def _without_currency(
    cells: list[MoneyCells], claims: dict[str, pl.DataFrame], found: pl.Series
) -> list[Rejection]:
    """Reject amounts that name no currency while other amounts name one."""
    reason = (
        "an amount without a currency while other amounts name one (write it "
        "in the cell, such as '$1,000' or '1,000 EUR', or add a currency column)"
    )
    rejections = []
    for cell in cells:
        claim = claims[cell.field]
        rows = claim["priced"] & ~claim["marked"] & found.is_null()
        if rows.any():
            rejections.append(_rejection(cell, rows, reason))
    return rejections


def _without_code(
    cells: list[MoneyCells],
    claims: dict[str, pl.DataFrame],
    row_code: pl.Series,
    currency_column: str | None,
) -> list[Rejection]:
    """Reject amounts in rows that name no currency, neither in the currency
    column nor by a mark or header, while other rows name one.

    ``row_code`` is the currency column with empty cells null. Rows whose
    mark is already rejected as unreadable are left to that rejection.
    """
    empty = row_code.null_count()
    if empty == 0 or empty == row_code.len():
        return []
    named = row_code.is_not_null()
    if claims:
        named = named | _first_code(claims).is_not_null()
    if named.all():
        return []
    reason = (
        "an amount without a currency while other rows name one (fill in "
        f"column {currency_column!r}, or write the currency in the cell, such "
        "as '$1,000' or '1,000 EUR')"
    )
    rejections = []
    for cell in cells:
        rows = cell.numbers.is_not_null() & ~named
        if cell.field in claims:
            rows = rows & claims[cell.field]["problem"].is_null()
        if rows.any():
            rejections.append(_rejection(cell, rows, reason))
    return rejections


def _fill(currency: pl.Series, claims: dict[str, pl.DataFrame]) -> pl.Series | None:
    """Return the mapped currency column with empty cells filled from the
    marks and headers, or None when no cell needs it."""
    found = _first_code(claims)
    empty = currency.is_null() & found.is_not_null()
    if not empty.any():
        return None
    return (
        pl.DataFrame({"given": currency, "found": found})
        .select(pl.coalesce("given", "found").alias("currency"))
        .to_series()
    )


def _notes(
    cells: list[MoneyCells],
    claims: dict[str, pl.DataFrame],
    headers: dict[str, str | None],
    currency_column: str | None,
) -> dict[str, str]:
    notes = {}
    for cell in cells:
        claim = claims[cell.field]
        header = headers[cell.field]
        if cell.marks is None and header is None:
            continue
        if currency_column is not None:
            notes[cell.column] = f"currency checked against column {currency_column!r}"
        elif header is not None:
            notes[cell.column] = f"currency from header: {header}"
        elif cell.marks is not None:
            notes[cell.column] = _cells_note(claim)
    return notes


def _cells_note(claim: pl.DataFrame) -> str:
    """Describe how the marks of one column were read, such as
    "currency from cells ($ read as USD, GBP)"."""
    valid = claim.filter(pl.col("problem").is_null() & pl.col("marked"))
    pairs = valid.select("mark", "reading").unique().sort("mark").iter_rows()
    symbols: dict[str, str] = {}
    codes: set[str] = set()
    for mark, reading in pairs:
        mark_symbols = [t for t in _tokens(mark) if t in SYMBOL_CURRENCIES]
        if mark_symbols and reading not in mark:
            symbols[mark_symbols[0]] = reading
        else:
            codes.add(reading)
    readings = [f"{symbol} read as {code}" for symbol, code in symbols.items()]
    readings += sorted(codes - set(symbols.values()))
    hints = [
        f"a {symbol} may also be {_OTHER_READINGS[symbol]}"
        for symbol in symbols
        if symbol in _OTHER_READINGS
    ]
    text = ", ".join(readings)
    if hints:
        text += "; " + ", ".join(hints) + ", which a currency column would settle"
    return f"currency from cells ({text})"


def _tokens(mark: str) -> list[str]:
    """Split a mark of ``values.parse_money`` into its distinct symbols and
    its ISO code: "$€ USD" gives ["$", "€", "USD"]."""
    parts = mark.split(" ")
    codes = [part for part in parts if part in CURRENCY_CODES]
    symbols = "".join(part for part in parts if part not in CURRENCY_CODES)
    return [*sorted(set(symbols)), *codes]


def _first_code(claims: dict[str, pl.DataFrame]) -> pl.Series:
    """Return per row the first currency that a money column names."""
    codes = pl.DataFrame({name: claim["code"] for name, claim in claims.items()})
    return codes.select(pl.coalesce(pl.all()).alias("currency")).to_series()


def _normalised(currency: pl.Series) -> pl.Series:
    code = currency.cast(pl.String).str.strip_chars().str.to_uppercase()
    return code.set(code == "", None)


def _rejection(cell: MoneyCells, rows: pl.Series, reason: str) -> Rejection:
    return Rejection(cell.field, cell.column, cell.text, rows.fill_null(False), reason)
