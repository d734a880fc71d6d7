"""Read the cells of a mapped currency column as ISO 4217 codes.

Sheets kept by hand often write the currency as a symbol or a name ("€",
"Euro", "US-Dollar") where exports write the code. Such a cell is read as
its code when it names one currency for sure, and the import notes it. A
cell that names several currencies ("$", "kr") or none ("XYZ") is read as
empty and named as a problem, and ``prepare_table`` reads the amounts of its
row as empty too, because no cell names the currency they are in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from kpi_core.cell_currency import SYMBOL_CURRENCIES, MoneyCells

# The field of the canonical tables that contains each row's currency.
CURRENCY_FIELD = "currency"
# ISO 4217 codes of the currencies in use, among them the new XCG and ZWG,
# and the codes replaced since 2022 (ANG, HRK, SLL, ZWL), which older
# exports still contain. Fund codes (BOV, CLF) and metals are left out.
# NOTE: the list is not checked against the current ISO 4217 table, so a
# code missing here is read as an unknown currency until it is added.
_ISO_4217_LIST = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD "
    "BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE "
    "CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF "
    "GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES "
    "KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA "
    "MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD "
    "OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG "
    "SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP "
    "TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG "
    "XOF XPF YER ZAR ZMW ZWG ZWL"
)
ISO_4217_CODES = frozenset(_ISO_4217_LIST.split())
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
}
# Symbols and names that several currencies share, in the same lower-case
# form: "$" is also the Canadian and the Australian dollar, "kr" the Swedish,
# Norwegian, Danish and Icelandic krona, "Fr." the Swiss and the CFA franc.
_SHARED_NAMES = frozenset(
    {
        *(symbol for symbol, codes in SYMBOL_CURRENCIES.items() if len(codes) > 1),
        "dollar",
        "dollars",
        "kr",
        "kr.",
        "krone",
        "kronen",
        "krona",
        "kronor",
        "fr",
        "fr.",
        "franc",
        "francs",
        "franken",
    }
)
# The problems of currency cells read as empty, and how to correct them.
SHARED_CURRENCY = "a currency symbol or name of several currencies"
UNKNOWN_CURRENCY = "an unknown currency"
CURRENCY_ADVICE = (
    "write the currency as its three-letter ISO 4217 code, such as EUR, USD or "
    "CHF, and import the file again"
)
# Distinct cells that the note on symbols and names read as codes lists.
_NOTED_READINGS = 6


@dataclass(frozen=True)
class CurrencyCodes:
    """A currency column read as codes.

    ``codes`` contains the upper-case ISO code of each row, null where the
    cell is empty or names no single currency. ``shared`` and ``unknown``
    mark the filled cells read as empty: a symbol or name of several
    currencies, and any other text that is no ISO code. ``note`` lists the
    symbols and names read as codes, None when every cell is a code.
    """

    codes: pl.Series
    shared: pl.Series
    unknown: pl.Series
    note: str | None


def read_currency_codes(text: pl.Series) -> CurrencyCodes:
    """Read each cell of a currency column as an ISO 4217 code.

    ``text`` contains the cleaned cells, with empty cells null. A code is
    read in any case ("eur" is EUR), and a symbol or name of one currency
    in any case and spacing ("€", "EURO", "US  Dollar").
    """
    cells = pl.DataFrame(text.cast(pl.String).alias("cell"))
    # A currency column repeats a few values, so each is read once.
    distinct = cells.unique(maintain_order=True).drop_nulls()
    readings = _readings(distinct)
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
        note=_readings_note(readings),
    )


def _readings(distinct: pl.DataFrame) -> pl.DataFrame:
    """Read each distinct ``cell`` into its ``code``, and mark the cells
    that are no code but a name (``is_name``) or that several currencies
    share (``shared``)."""
    frame = distinct.with_columns(
        key=pl.col("cell").str.replace_all(r"\s+", " ").str.strip_chars()
    )
    upper = pl.col("key").str.to_uppercase()
    lower = pl.col("key").str.to_lowercase()
    is_code = upper.is_in(sorted(ISO_4217_CODES))
    name_code = lower.replace_strict(_CURRENCY_NAMES, default=None)
    return frame.select(
        "cell",
        "key",
        code=pl.when(is_code).then(upper).otherwise(name_code),
        is_name=~is_code & name_code.is_not_null(),
        shared=lower.is_in(sorted(_SHARED_NAMES)),
    )


def _readings_note(readings: pl.DataFrame) -> str | None:
    """List the cells read as a code from a symbol or name, such as
    "symbols and names read as ISO codes: € as EUR, Euro as EUR"."""
    named = readings.filter("is_name").select("key", "code").unique(maintain_order=True)
    if named.is_empty():
        return None
    readings_shown = [
        f"{cell} as {code}" for cell, code in named.head(_NOTED_READINGS).iter_rows()
    ]
    if named.height > _NOTED_READINGS:
        readings_shown.append(f"and {named.height - _NOTED_READINGS} more")
    return "symbols and names read as ISO codes: " + ", ".join(readings_shown)


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
