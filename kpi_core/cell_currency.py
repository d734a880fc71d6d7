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

Number cells of a workbook get their mark from the cell's Excel number
format (``number_format_mark``), and these marks follow the same rules as
marks in the text. The built-in currency formats 5-8, 42 and 44 store no
currency, because Excel shows them in the currency of the computer's region.
Their amounts take the currency column's or the header's currency. Without
either they count as unmarked amounts, like plain numbers, so a workbook
that merely uses Excel's standard currency formats is not rejected.

NOTE: literal text in a number format counts only as a currency symbol or an
ISO code, as in a text cell. A format such as `#,##0.00 "kr"` names no
currency here, unless it is written as [$kr-41D], whose locale says SEK.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import polars as pl

from kpi_core.currency_codes import ISO_4217_CODES
from kpi_core.date_values import convert_unique
from kpi_core.formatting import line_list
from kpi_core.mapping import Mapping
from kpi_core.money import DEFAULT_CURRENCY, MONEY_COLUMNS
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
# The other currencies that a shared symbol read as its first one may be.
OTHER_READINGS = {"$": "CAD, AUD or another dollar", "¥": "CNY"}
_UNAMBIGUOUS_SYMBOLS = ("€", "£", "₹")

# The mark of the built-in number formats that show the currency of the
# computer's region. ISO/IEC 29500-1, 18.8.30 gives no code for ids 5-8,
# whose meaning depends on the application's language. In the en-US table
# of openpyxl 3.1, 5-8, 42 and 44 show "$", while 37-41 and 43 show none and
# so count as plain numbers here.
REGIONAL_MARK = "regional"
_REGIONAL_FORMATS = frozenset({5, 6, 7, 8, 42, 44})
# The currency of a Windows locale id (LCID), for currency elements such as
# [$$-1009] (en-CA) whose symbol alone does not name the currency.
_LOCALE_CURRENCIES = {
    0x0404: "TWD",  # zh-TW
    0x0405: "CZK",  # cs-CZ
    0x0406: "DKK",  # da-DK
    0x0409: "USD",  # en-US
    0x040E: "HUF",  # hu-HU
    0x040F: "ISK",  # is-IS
    0x0411: "JPY",  # ja-JP
    0x0412: "KRW",  # ko-KR
    0x0414: "NOK",  # nb-NO
    0x0415: "PLN",  # pl-PL
    0x0416: "BRL",  # pt-BR
    0x0418: "RON",  # ro-RO
    0x0419: "RUB",  # ru-RU
    0x041D: "SEK",  # sv-SE
    0x041F: "TRY",  # tr-TR
    0x0422: "UAH",  # uk-UA
    0x0804: "CNY",  # zh-CN
    0x0807: "CHF",  # de-CH
    0x080A: "MXN",  # es-MX
    0x0C04: "HKD",  # zh-HK
    0x0C09: "AUD",  # en-AU
    0x0C0C: "CAD",  # fr-CA
    0x1009: "CAD",  # en-CA
    0x100C: "CHF",  # fr-CH
    0x1409: "NZD",  # en-NZ
    0x1C09: "ZAR",  # en-ZA
    0x240A: "COP",  # es-CO
    0x340A: "CLP",  # es-CL
    0x4809: "SGD",  # en-SG
}
_CODE_IN_TEXT = re.compile(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])")
# Share of a money column's amounts, in percent, up to which the amounts in
# a currency other than the column's most common one are named by line. One
# "1.054,28 $" among thousands of euros is more likely a typo than a second
# currency, and it already makes the money figures need an exchange rate.
RARE_CURRENCY_SHARE = 5.0


@dataclass(frozen=True)
class MoneyCells:
    """One parsed money column and the currency marks of its cells.

    ``text`` is the cell text as parsed, ``marks`` comes from
    ``values.parse_money`` and is None for a column without marks.
    ``format_marks`` are the marks of the workbook number formats
    (``column_format_marks``), None for a column without them.
    """

    field: str
    column: str
    text: pl.Series
    numbers: pl.Series
    marks: pl.Series | None
    format_marks: pl.Series | None = None


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


def number_format_mark(format_id: int, code: str | None) -> str | None:
    """Return the currency mark that an Excel number format shows, if any.

    ``code`` is the format code from the workbook's styles, None for a
    built-in format written as its id alone. The mark is written as
    ``values.parse_money`` writes marks ("$", "€", "USD", "$ USD"), with any
    other currency text of a [$...] element as one more word ("kr"), or it is
    ``REGIONAL_MARK``. General, 0.00, #,##0, percentages and dates give None.
    """
    if code is None:
        return REGIONAL_MARK if format_id in _REGIONAL_FORMATS else None
    symbols: list[str] = []
    codes: list[str] = []
    others: list[str] = []
    literal, elements = _format_parts(code)
    for character in literal:
        if unicodedata.category(character) == "Sc" and character not in symbols:
            symbols.append(character)
    for found in _CODE_IN_TEXT.findall(literal):
        if found in CURRENCY_CODES and found not in codes:
            codes.append(found)
    for element in elements:
        _read_currency_element(element, symbols, codes, others)
    words = ["".join(symbols), *codes, *others]
    return " ".join(word for word in words if word) or None


def _format_parts(code: str) -> tuple[str, list[str]]:
    """Split a number format code into its literal text and the contents of
    its [$...] currency elements.

    Literal text is quoted ("€"), escaped (a backslash before it) or a bare
    character. The
    character after "_" (a space as wide as it) or "*" (a fill) is not shown
    as text, and other bracketed parts are colours or conditions.
    """
    literal: list[str] = []
    elements: list[str] = []
    index = 0
    while index < len(code):
        character = code[index]
        if character == '"':
            end = code.find('"', index + 1)
            end = len(code) if end < 0 else end
            literal.append(" " + code[index + 1 : end] + " ")
            index = end + 1
        elif character == "\\":
            literal.append(code[index + 1 : index + 2])
            index += 2
        elif character in "_*":
            index += 2
        elif character == "[":
            end = code.find("]", index + 1)
            end = len(code) if end < 0 else end
            if code.startswith("$", index + 1):
                elements.append(code[index + 2 : end])
            index = end + 1
        else:
            # Unquoted letters are format codes (y, m, E+), not text.
            is_symbol = unicodedata.category(character) == "Sc"
            literal.append(character if is_symbol else " ")
            index += 1
    return "".join(literal), elements


def _read_currency_element(
    element: str, symbols: list[str], codes: list[str], others: list[str]
) -> None:
    """Add what a currency element such as "$-1009" (from [$$-1009]) names.

    Its text before the "-" is the symbol and the hex number after it a
    Windows locale id. An ISO code or a symbol of one currency is taken as
    written. Otherwise a known locale names the currency, so [$$-1009] is
    CAD and [$kr-41D] SEK. Without one, "$" keeps the rules of a "$" in a
    cell, and other text stays unknown.
    """
    text, _, locale = element.partition("-")
    text = text.strip()
    if not text:
        return
    # An element names a currency for sure, so a word code such as ALL in
    # [$ALL-41C] is read as its currency too.
    named = [found for found in _CODE_IN_TEXT.findall(text) if found in ISO_4217_CODES]
    if named:
        codes.extend(code for code in named if code not in codes)
        return
    if text in _UNAMBIGUOUS_SYMBOLS:
        if text not in symbols:
            symbols.append(text)
        return
    locale_code = _LOCALE_CURRENCIES.get(_locale_id(locale))
    if locale_code is not None:
        if locale_code not in codes:
            codes.append(locale_code)
        return
    signs = [c for c in text if unicodedata.category(c) == "Sc"]
    if signs and len(signs) == len(text):
        symbols.extend(sign for sign in signs if sign not in symbols)
    elif text not in others:
        others.append(text)


def _locale_id(locale: str) -> int | None:
    try:
        return int(locale, 16) & 0xFFFF
    except ValueError:
        return None


def column_format_marks(
    lines: pl.Series, formats: pl.DataFrame | None, column: str
) -> pl.Series | None:
    """Return the number-format marks of one column of a read table, aligned
    with its ``lines`` (the ``_line`` column), or None without any.

    ``formats`` is ``RawTable.format_marks``: ``_line`` and one column of
    marks per header. It is joined on the line, because importing may
    reshape the frame after reading.
    """
    if formats is None or column not in formats.columns:
        return None
    line = formats.columns[0]
    marks = formats.select(pl.col(line), pl.col(column).alias("mark"))
    aligned = (
        pl.DataFrame({line: lines})
        .join(marks, on=line, how="left", maintain_order="left")
        .get_column("mark")
    )
    if aligned.null_count() == aligned.len():
        return None
    return aligned


def money_fields(mapping: Mapping) -> tuple[str, ...]:
    """Return the mapped money fields whose currency the table can store."""
    names = {f.name for f in mapping.schema.fields}
    if "currency" not in names:
        return ()
    return tuple(name for name in MONEY_COLUMNS if mapping.columns.get(name))


def rare_currency_warnings(
    amounts: pl.Series, currencies: pl.Series, lines: pl.Series, column: str
) -> list[str]:
    """Name the first lines of the amounts of ``column`` in a currency that
    is rare in it, one warning per such currency.

    ``currencies`` contains the row's currency code and ``lines`` the file
    line, row by row with ``amounts``. Only rows with an amount and a code
    count. A currency is rare when fewer amounts than of the most common
    currency are in it, and either only one or at most
    ``RARE_CURRENCY_SHARE`` percent of the counted amounts.
    """
    rows = pl.DataFrame(
        {
            "amount": amounts,
            "currency": _normalised(currencies),
            "line": lines,
        }
    ).filter(pl.col("amount").is_not_null() & pl.col("currency").is_not_null())
    counts = rows.group_by("currency").len("count")
    if counts.height < 2:
        return []
    counts = counts.sort(["count", "currency"], descending=[True, False])
    total = rows.height
    common, common_count = counts.row(0)
    warnings = []
    for code, count in counts.slice(1).iter_rows():
        rare = count == 1 or count * 100 <= RARE_CURRENCY_SHARE * total
        if count == common_count or not rare:
            continue
        found = rows.filter(pl.col("currency") == code)["line"]
        listed = line_list(found)
        if count == 1:
            subject = f"1 of {total:,} amounts in {column!r} is in {code}, on line"
            fix = "If it is a typo, correct it"
        else:
            subject = f"{count:,} of {total:,} amounts in {column!r} are in {code}, "
            subject += "on lines"
            fix = "If these are typos, correct them"
        warnings.append(
            f"{subject} {listed}, while {common_count:,} are in {common}. {fix} in "
            "the file and import it again. Otherwise the money figures need an "
            f"exchange rate between {code} and {common}."
        )
    return warnings


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
    unmarked = [
        cell.marks is None and cell.format_marks is None and headers[cell.field] is None
        for cell in cells
    ]
    if all(unmarked):
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
    found = _fill_sole_currency(cells, claims, found, notes)
    rejections += _without_currency(cells, claims, found)
    return RowCurrencies(found.alias("currency"), tuple(rejections), notes)


def _fill_sole_currency(
    cells: list[MoneyCells],
    claims: dict[str, pl.DataFrame],
    found: pl.Series,
    notes: dict[str, str],
) -> pl.Series:
    """Give the amounts without a mark the one currency that the marked
    amounts name and note it in ``notes``, or return ``found`` unchanged.

    Hand-kept sheets often format only some cells as "1.234,56 €". Their
    plain cells are most likely in the same currency, so they are read in
    it when that currency is ``DEFAULT_CURRENCY``, which amounts without a
    mark would get anyway, or when more than half of the amounts are marked.
    A few marks of another currency among plain numbers, such as one "$"
    typo, are no evidence for the rest, so those amounts stay rejected.
    """
    codes = found.drop_nulls().unique()
    if codes.len() != 1:
        return found
    code = codes[0]
    plain = {
        cell.field: claims[cell.field]["priced"]
        & ~claims[cell.field]["marked"]
        & found.is_null()
        for cell in cells
    }
    priced = sum(int(claims[cell.field]["priced"].sum()) for cell in cells)
    unmarked = sum(int(rows.sum()) for rows in plain.values())
    if not unmarked:
        return found
    if code != DEFAULT_CURRENCY and unmarked * 2 >= priced:
        return found
    for cell in cells:
        count = int(plain[cell.field].sum())
        if not count:
            continue
        note = (
            f"{count:,} {'amount' if count == 1 else 'amounts'} without a mark "
            f"read as {code}, the only currency the marked amounts name"
        )
        notes[cell.column] = (
            f"{notes[cell.column]}, {note}" if cell.column in notes else note
        )
    return found.fill_null(code)


def _claims(
    cell: MoneyCells, header: str | None, row_code: pl.Series | None
) -> pl.DataFrame:
    """Return the currency that each cell names, with how it was read.

    The columns are ``priced`` (the cell has a number), ``mark``,
    ``formatted`` (the mark comes from the number format), ``marked``,
    ``problem`` (an unknown symbol or two currencies in one cell),
    ``reading`` (the code the mark is read as), ``candidates`` (every code
    the mark can mean) and ``code``. ``code`` is the cell's currency, taken
    from a valid mark, else from the header. It is null without either or
    without a number. A mark of only unknown symbols is ignored in rows
    whose ``row_code`` names the currency, and ``REGIONAL_MARK`` also where
    the header names it. A mark in the text wins over the number format's.
    """
    empty = pl.Series([None] * cell.numbers.len(), dtype=pl.String)
    text_marks = empty if cell.marks is None else cell.marks
    format_marks = empty if cell.format_marks is None else cell.format_marks
    frame = pl.DataFrame(
        {
            "priced": cell.numbers.is_not_null(),
            "text_mark": text_marks.alias("text_mark"),
            "format_mark": format_marks.alias("format_mark"),
        }
    ).select(
        "priced",
        pl.when(pl.col("priced"))
        .then(pl.coalesce("text_mark", "format_mark"))
        .alias("mark"),
        (
            pl.col("priced")
            & pl.col("text_mark").is_null()
            & pl.col("format_mark").is_not_null()
        ).alias("formatted"),
    )
    pairs = frame.filter(pl.col("mark").is_not_null()).select("mark", "formatted")
    readings = _readings(pairs.unique())
    frame = frame.join(
        readings, on=["mark", "formatted"], how="left", maintain_order="left"
    )
    ignored = None
    if row_code is not None:
        frame = frame.with_columns(row_code.is_not_null().alias("named"))
        ignored = pl.col("unknown").fill_null(False) & pl.col("named")
    if header is not None:
        regional = pl.col("regional").fill_null(False)
        ignored = regional if ignored is None else ignored | regional
    if ignored is not None:
        frame = frame.with_columns(
            pl.when(~ignored).then(pl.col(name)).alias(name)
            for name in ("mark", "problem", "reading", "candidates")
        ).with_columns(pl.col("formatted") & pl.col("mark").is_not_null())
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


def _readings(pairs: pl.DataFrame) -> pl.DataFrame:
    """Read each distinct mark text into codes, or into a problem.

    ``pairs`` holds the distinct ``mark`` and ``formatted`` values, because
    the problem's wording depends on where the mark was written. Unknown
    symbols beside an ISO code are ignored ("₽ 100 RUB" is RUB).
    """
    rows = []
    for mark, formatted in pairs.iter_rows():
        if mark == REGIONAL_MARK and formatted:
            rows.append(_regional_reading())
            continue
        tokens = _tokens(mark)
        codes = [t for t in tokens if t in ISO_4217_CODES]
        unknown = [
            t for t in tokens if t not in ISO_4217_CODES | SYMBOL_CURRENCIES.keys()
        ]
        known = [t for t in tokens if t not in unknown]
        candidates = set(ISO_4217_CODES)
        for token in known:
            candidates &= set(SYMBOL_CURRENCIES.get(token, (token,)))
        problem = None
        if unknown and not codes and formatted:
            problem = (
                f"a number format with an unknown currency {unknown[0]!r} (use a "
                "format with the ISO code, such as [$CHF] #,##0.00, or give the "
                "currency in a currency column)"
            )
        elif unknown and not codes:
            problem = (
                f"an unknown currency symbol {unknown[0]!r} (write its ISO code, "
                "such as 'CHF 100', or give the currency in a currency column)"
            )
        elif not candidates and formatted:
            problem = "a number format with two different currencies (keep one)"
        elif not candidates:
            problem = "two different currencies in one cell (keep one)"
        reading = codes[0] if codes else SYMBOL_CURRENCIES.get(tokens[0], ("",))[0]
        rows.append(
            {
                "mark": mark,
                "formatted": formatted,
                "unknown": bool(unknown) and not codes,
                "regional": False,
                "problem": problem,
                "reading": None if problem else reading,
                "candidates": None if problem else sorted(candidates),
            }
        )
    schema = {
        "mark": pl.String,
        "formatted": pl.Boolean,
        "unknown": pl.Boolean,
        "regional": pl.Boolean,
        "problem": pl.String,
        "reading": pl.String,
        "candidates": pl.List(pl.String),
    }
    return pl.DataFrame(rows, schema=schema)


def _regional_reading() -> dict[str, object]:
    """Read ``REGIONAL_MARK``, a currency that the file does not name.

    The cells count as unmarked amounts, as plain numbers do, so a workbook
    that merely uses Excel's standard currency formats is not rejected. A
    header or currency column still names their currency.
    """
    return {
        "mark": REGIONAL_MARK,
        "formatted": True,
        "unknown": True,
        "regional": True,
        "problem": None,
        "reading": None,
        "candidates": None,
    }


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
    pairs = against.select("reading", "formatted").unique(maintain_order=True)
    for reading, formatted in pairs.iter_rows():
        rows = (
            (claim["reading"] == reading)
            & ~claim["fits_header"]
            & (claim["formatted"] == formatted)
        )
        if formatted:
            reason = (
                f"an amount formatted as {reading} while the header names "
                f"{header} (correct the cell's number format or the header)"
            )
        else:
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
        .select("code", "row_code", "marked", "formatted")
        .unique(maintain_order=True)
    )
    for code, row, marked, formatted in pairs.iter_rows():
        rows = (
            frame["against"]
            & (frame["code"] == code)
            & (frame["row_code"] == row)
            & (frame["marked"] == marked)
            & (frame["formatted"] == formatted)
        )
        source = " by its header"
        if formatted:
            source = " by its number format"
        elif marked:
            source = ""
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
    if any(cell.format_marks is not None for cell in cells):
        reason = (
            "an amount without a currency while other amounts name one (give "
            'the cell a currency number format, such as "$"#,##0.00, or add a '
            "currency column)"
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
        if cell.marks is None and cell.format_marks is None and header is None:
            continue
        if currency_column is not None:
            notes[cell.column] = f"currency checked against column {currency_column!r}"
        elif header is not None:
            notes[cell.column] = f"currency from header: {header}"
        elif claim["marked"].any():
            # Marks count only on amounts that parse, so a mark on an invalid
            # number alone gives no note.
            notes[cell.column] = _cells_note(claim)
    return notes


def _cells_note(claim: pl.DataFrame) -> str:
    """Describe how the marks of one column were read, such as
    "currency from cells ($ read as USD, GBP)" or "currency from Excel's
    number format (EUR)"."""
    marked = claim.filter(pl.col("marked"))
    sources = [
        source
        for source, found in (
            ("cells", (~marked["formatted"]).any()),
            ("Excel's number format", marked["formatted"].any()),
        )
        if found
    ]
    valid = claim.filter(
        pl.col("problem").is_null() & pl.col("marked") & pl.col("reading").is_not_null()
    )
    if valid.is_empty() and marked["regional"].fill_null(False).any():
        return (
            "Excel's built-in currency format, which shows the currency of the "
            "computer's region, so the file names none and the amounts have no "
            "currency (name it in the header, such as 'Amount (USD)', or in a "
            "currency column)"
        )
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
        f"a {symbol} may also be {OTHER_READINGS[symbol]}"
        for symbol in symbols
        if symbol in OTHER_READINGS
    ]
    text = ", ".join(readings)
    if hints:
        text += "; " + ", ".join(hints) + ", which a currency column would settle"
    return f"currency from {' and '.join(sources) or 'cells'} ({text})"


def _tokens(mark: str) -> list[str]:
    """Split a mark into its distinct symbols, other currency words and ISO
    codes: "$€ USD" gives ["$", "€", "USD"], and "kr" stays one word.

    Marks of ``values.parse_money`` contain only symbols and codes, among
    them word codes that it read beside a number written as money. Other
    words come from number formats (``number_format_mark``).
    """
    parts = [part for part in mark.split(" ") if part]
    codes = [part for part in parts if part in ISO_4217_CODES]
    others = [part for part in parts if part not in ISO_4217_CODES]
    symbols = "".join(part for part in others if _only_symbols(part))
    words = [part for part in others if not _only_symbols(part)]
    return [*sorted(set(symbols)), *words, *codes]


def _only_symbols(text: str) -> bool:
    return all(unicodedata.category(character) == "Sc" for character in text)


def _first_code(claims: dict[str, pl.DataFrame]) -> pl.Series:
    """Return per row the first currency that a money column names."""
    codes = pl.DataFrame({name: claim["code"] for name, claim in claims.items()})
    return codes.select(pl.coalesce(pl.all()).alias("currency")).to_series()


def _normalised(currency: pl.Series) -> pl.Series:
    # A currency column has few distinct values, so each is cleaned once.
    return convert_unique(currency.cast(pl.String), _normalised_codes)[1]


def _normalised_codes(codes: pl.Series) -> tuple[str, pl.Series]:
    code = codes.str.strip_chars().str.to_uppercase()
    return "", code.set(code == "", None)


def _rejection(cell: MoneyCells, rows: pl.Series, reason: str) -> Rejection:
    return Rejection(cell.field, cell.column, cell.text, rows.fill_null(False), reason)
