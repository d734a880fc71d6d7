"""Amounts written in the smallest currency unit, such as cents.

The Stripe API writes every amount as an integer in the smallest unit of its
currency, so ``plan.amount`` 1900 with currency ``eur`` is 19.00 EUR. Its
dashboard exports write "Amount" in major units instead. Only the header
differs, so a column whose header names minor units is divided by 100 at
import. Rows of a zero-decimal currency keep their value, because their
smallest unit is the unit itself (1900 JPY is 1,900 yen), and rows of a
three-decimal currency are divided by 1,000 (5120 KWD is 5.120 dinars).
"""

from __future__ import annotations

import re

import polars as pl

from kpi_core.formatting import count_noun
from kpi_core.money import MONEY_COLUMNS

# Stripe's zero-decimal currencies, whose smallest unit is the unit, as its
# currency documentation listed them in 2022. ISK stays a two-decimal
# currency in Stripe's API although only whole kronur can be charged.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
# The same documentation's three-decimal currencies, written in thousandths.
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
# Stripe API fields in minor units, as the last part of a dotted path
# ("plan.amount", "items.data.price.unit_amount"). Only the snake-case
# spellings count: "Unit amount" with a space is a dashboard column.
_STRIPE_MINOR_FIELDS = frozenset(
    {"unit_amount", "unit_amount_decimal", "amount_decimal"}
)
# "plan.amount" and "price.amount" are minor units, a bare "amount" is not.
_STRIPE_OBJECT_AMOUNT = re.compile(r"(^|\.)(plan|price)\.amount$")
# "amount_cents", "Amount in cents", "Betrag (Cent)", but not "Percent".
_CENTS_WORD = re.compile(r"(^|[^a-z])cents?\)?$")


def names_minor_units(header: str) -> bool:
    """Tell whether a header names an amount in the smallest currency unit:
    a Stripe API field such as "plan.amount" or "price.unit_amount", or a
    header that ends in "cents" or "(cents)"."""
    text = header.strip().lower()
    if _STRIPE_OBJECT_AMOUNT.search(text):
        return True
    if text.rsplit(".", 1)[-1] in _STRIPE_MINOR_FIELDS:
        return True
    return _CENTS_WORD.search(text) is not None


def divide_minor_units(
    headers: dict[str, str | None], columns: list[pl.Series]
) -> tuple[list[pl.Series], dict[str, str]]:
    """Turn the money columns whose header names minor units into major units.

    ``headers`` maps each field to its file header, and ``columns`` are the
    parsed columns of a table, each named by its field, with the row's
    currency code in "currency" where the table has one. A row in a
    zero-decimal currency keeps its value, and one in a three-decimal
    currency is divided by 1,000. Returns the columns and, per header
    divided, a note for the import report.
    """
    by_name = {series.name: series for series in columns}
    divided = [
        (field_name, header)
        for field_name in MONEY_COLUMNS
        if field_name in by_name
        and (header := headers.get(field_name))
        and names_minor_units(header)
    ]
    if not divided:
        return columns, {}
    codes = None
    if "currency" in by_name:
        codes = by_name["currency"].cast(pl.String).str.strip_chars().str.to_uppercase()
    notes: dict[str, str] = {}
    for field_name, header in divided:
        numbers = by_name[field_name]
        divisors = pl.repeat(100.0, numbers.len(), eager=True)
        if codes is not None:
            divisors = (
                pl.DataFrame({"code": codes})
                .select(
                    pl.when(pl.col("code").is_in(list(ZERO_DECIMAL_CURRENCIES)))
                    .then(1.0)
                    .when(pl.col("code").is_in(list(THREE_DECIMAL_CURRENCIES)))
                    .then(1000.0)
                    .otherwise(100.0)
                )
                .to_series()
            )
        by_name[field_name] = (numbers / divisors).alias(field_name)
        notes[header] = _note(numbers, codes, divisors)
    return [by_name[series.name] for series in columns], notes


def _note(numbers: pl.Series, codes: pl.Series | None, divisors: pl.Series) -> str:
    """Describe how a column's amounts were divided, for the import report."""
    if codes is None:
        return (
            "amounts in cents, divided by 100 (no currency column, so a currency "
            "with cents is assumed)"
        )
    filled = numbers.is_not_null()
    exceptions = [
        _exception_note(codes, (divisors == divisor) & filled, wording)
        for divisor, wording in (
            (1.0, "a zero-decimal currency, kept as they are"),
            (1000.0, "a three-decimal currency, divided by 1,000"),
        )
    ]
    found = [text for text in exceptions if text]
    if not ((divisors == 100.0) & filled).any() and found:
        return "amounts in the smallest currency unit: " + "; ".join(found)
    note = "amounts in cents, divided by 100"
    if found:
        note += ", except " + "; except ".join(found)
    return note


def _exception_note(codes: pl.Series, rows: pl.Series, wording: str) -> str | None:
    """Name the ``rows`` and their currencies, as "2 rows in JPY, KRW,
    <wording>", or return None without such rows."""
    count = int(rows.sum())
    if not count:
        return None
    found = ", ".join(sorted(codes.filter(rows).unique().to_list()))
    return f"{count_noun(count, 'row')} in {found}, {wording}"
