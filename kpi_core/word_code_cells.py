"""Amount cells whose ISO code is also a word (``WORD_CODES``: MAD, PEN,
TOP, ALL...).

Such a code is read beside a number only when the cell is clearly money:

- the number has thousands groups ("MAD 12,500", "12 500 MAD") or two or
  three decimals ("PEN 1200.00", "JOD 1.200,000"), or
- the row's mapped currency column names the same code ("PEN 1200" beside
  a currency cell "PEN").

Other cells such as "TOP 50", "TOP 9", "8 ALL", "ALL -" and "CUP 2.5" stay
invalid numbers, because the word is more likely than pa'anga or lek.
Three digits after a separator count as money, so "TOP 1.000" is read as
pa'anga, with the money rules of ``values.parse_money`` as for "EUR 1.000".
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from kpi_core.currency_codes import WORD_CODES

_WORDS = "|".join(sorted(WORD_CODES))
# A word code at the start or end of a cell, for removing it once the cell
# is known to be money.
WORD_CODE_AT_ENDS = rf"^(?:{_WORDS})|(?:{_WORDS})$"
# A number with thousands groups, or with two or three decimals.
_MONEY_NUMBER = (
    r"[-−]?(?:[0-9]{1,3}(?:[,.\s\u00a0\u202f'’][0-9]{3})+(?:[.,][0-9]{2,3})?"
    r"|[0-9]+[.,][0-9]{2,3})"
)
_WORD_CODE_MONEY = rf"^(?:{_WORDS})\s*{_MONEY_NUMBER}$|^{_MONEY_NUMBER}\s*(?:{_WORDS})$"
# Any number, for a cell whose code the currency column confirms.
_NUMBER = r"[-−]?[0-9](?:[0-9.,\s\u00a0\u202f'’]*[0-9])?"
_CODE_BEFORE = rf"^({_WORDS})\s*{_NUMBER}$"
_CODE_AFTER = rf"^{_NUMBER}\s*({_WORDS})$"


def word_code_cells(
    cleaned: pl.Series, row_codes: Callable[[], pl.Series | None] | None
) -> pl.Series:
    """Mark the cells whose word code is read as a currency.

    ``cleaned`` contains the stripped cells, with empty cells null.
    ``row_codes`` returns each row's ISO code from the mapped currency
    column, null where it names none, or None without such a column. It is
    called only when a cell has a word code, because reading the currency
    column again costs time on every large import.
    """
    money = cleaned.str.contains(_WORD_CODE_MONEY).fill_null(False)
    if row_codes is None:
        return money
    code = _word_code(cleaned, _CODE_BEFORE, _CODE_AFTER)
    if code.null_count() == code.len():
        return money
    codes = row_codes()
    if codes is None:
        return money
    confirmed = (code == codes.cast(pl.String)).fill_null(False)
    return (money | confirmed).alias(cleaned.name)


def word_code_marks(
    marks: pl.Series, cleaned: pl.Series, word_cells: pl.Series
) -> pl.Series:
    """Add the word code of each cell of ``word_cells`` to its currency
    marks, after its symbols as ``values.parse_money`` writes marks."""
    if not word_cells.any():
        return marks
    code = _word_code(cleaned, f"^({_WORDS})", f"({_WORDS})$")
    code = code.set(~word_cells, None)
    joined = pl.DataFrame({"marks": marks, "code": code}).select(
        pl.concat_str(["marks", "code"], separator=" ", ignore_nulls=True)
    )
    text = joined.to_series()
    return text.set(text == "", None).alias(marks.name)


def _word_code(cleaned: pl.Series, before: str, after: str) -> pl.Series:
    """Return the word code that ``before`` or ``after`` captures in each
    cell, null where neither matches."""
    first = cleaned.str.extract(before, 1)
    return first.fill_null(cleaned.str.extract(after, 1))
