"""Money amounts in one currency: the check and conversion before any sum.

Amounts keep the currency of their row. Summing amounts in different
currencies is an error unless the user gives exchange rates, so every money
KPI converts its rows here first.
"""

from __future__ import annotations

import math

import polars as pl

from kpi_core.errors import InvalidSettingError, InvalidValueError

DEFAULT_CURRENCY = "EUR"
# Columns of the canonical tables that contain money in the row's currency.
# A refund is part of its row's amount, so the checks of a column's
# currencies look at the prices only and name a row once.
PRICE_COLUMNS = ("amount", "monthly_charge")
MONEY_COLUMNS = (*PRICE_COLUMNS, "refunded")


def convert_amounts(
    frame: pl.DataFrame,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> tuple[pl.DataFrame, str, int]:
    """Convert the ``amount`` column into one currency.

    ``currency`` is the report currency and ``fx`` maps a currency code to
    the value of one unit of it in the report currency (``{"USD": 0.92}``).
    Without a ``currency`` column every amount is taken to be in
    ``currency``, or in EUR when that is not given either. With the column,
    the unit is ``currency``, else the only code found, else EUR when rates
    are given.

    Returns the frame with ``amount`` converted, the unit, and the number of
    rows whose amount was set to null because their currency cell is empty
    while other rows name a currency. Raises InvalidValueError when the rows
    with an amount use a currency that has no rate.
    """
    frame, unit, rate = _conversion(frame, ["amount"], currency, fx)
    if rate is None:
        return frame, unit, 0
    without_code = frame.filter(pl.col("amount").is_not_null())["currency"]
    return frame.with_columns(pl.col("amount") * rate), unit, without_code.null_count()


def in_one_currency(
    frame: pl.DataFrame,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Convert every money column of ``frame`` (``MONEY_COLUMNS``) into one
    currency and set ``currency`` to it, so later sums need no rates.

    The unit and rates follow ``convert_amounts``. Money values of rows
    whose currency cell is empty while other rows name a currency become
    null. Raises InvalidValueError when a currency has no rate.
    """
    money = [name for name in MONEY_COLUMNS if name in frame.columns]
    frame, unit, rate = _conversion(frame, money, currency, fx)
    if rate is None:
        return frame
    return frame.with_columns(
        *(pl.col(name) * rate for name in money),
        pl.when(rate.is_not_null()).then(pl.lit(unit)).alias("currency"),
    )


def with_default_currency(frame: pl.DataFrame) -> pl.DataFrame:
    """Set ``currency`` to ``DEFAULT_CURRENCY`` on every row of a table that
    has a money column but no currency code, as a table stored with the
    Data page's default currency has.

    The app reads such amounts as EUR. Without the code, ``convert_amounts``
    would take them to be in the report currency, whichever that is.
    Other frames are returned as they are.
    """
    has_money = any(column in frame.columns for column in MONEY_COLUMNS)
    if not has_money or currency_codes(frame):
        return frame
    return frame.with_columns(currency=pl.lit(DEFAULT_CURRENCY, dtype=pl.String))


def _conversion(
    frame: pl.DataFrame,
    money: list[str],
    currency: str | None,
    fx: dict[str, float] | None,
) -> tuple[pl.DataFrame, str, pl.Expr | None]:
    """Decide the unit of the ``money`` columns and build the rate per row.

    Returns the frame with normalised currency codes, the unit, and the rate
    expression, or None when there are no codes to convert from.
    """
    target = _code(currency)
    if "currency" not in frame.columns or not money:
        return frame, target or DEFAULT_CURRENCY, None

    frame = frame.with_columns(_normalised_codes())
    has_money = pl.any_horizontal(pl.col(name).is_not_null() for name in money)
    priced = frame.filter(has_money)
    found = sorted(priced["currency"].drop_nulls().unique().to_list())
    if not found:
        return frame, target or DEFAULT_CURRENCY, None

    rates = _rates(fx)
    unit = target or (found[0] if len(found) == 1 else None)
    if unit is None and rates:
        unit = DEFAULT_CURRENCY
    missing = [code for code in found if code != unit and code not in rates]
    if unit is None or missing:
        raise InvalidValueError(_mixed_message(found, unit, missing), column="currency")

    rate = pl.col("currency").replace_strict(
        {**rates, unit: 1.0}, default=None, return_dtype=pl.Float64
    )
    return frame, unit, rate


def _code(currency: str | None) -> str | None:
    if currency is None or not currency.strip():
        return None
    return currency.strip().upper()


def _normalised_codes() -> pl.Expr:
    code = pl.col("currency").cast(pl.String).str.strip_chars().str.to_uppercase()
    return pl.when(code != "").then(code).alias("currency")


def _rates(fx: dict[str, float] | None) -> dict[str, float]:
    rates = {code.strip().upper(): rate for code, rate in (fx or {}).items()}
    # A rate of inf would make every amount infinite, which JSON cannot hold.
    invalid = {
        code: rate
        for code, rate in rates.items()
        if not (rate > 0 and math.isfinite(rate))
    }
    if invalid:
        listed = ", ".join(f"{code}={rate}" for code, rate in invalid.items())
        raise InvalidSettingError(
            f"invalid exchange rate {listed}; a rate is the positive, finite value "
            "of one unit of that currency in the report currency, for example "
            "USD=0.92"
        )
    return rates


def currency_codes(frame: pl.DataFrame | None) -> list[str]:
    """Return the sorted currency codes of the rows with a money value
    (``MONEY_COLUMNS``), upper-cased and trimmed. Without a ``currency``
    column or a money column the list is empty. A subscriptions table may
    have only a monthly charge, as an MRR export does."""
    if frame is None or "currency" not in frame.columns:
        return []
    money = [
        pl.col(name).is_not_null() for name in MONEY_COLUMNS if name in frame.columns
    ]
    if not money:
        return []
    priced = frame.lazy().filter(pl.any_horizontal(money))
    codes = priced.select(_normalised_codes().unique().drop_nulls()).collect()
    return sorted(codes["currency"].to_list())


def _mixed_message(found: list[str], unit: str | None, missing: list[str]) -> str:
    codes = ", ".join(found)
    if unit is None:
        return (
            f"the amounts are in several currencies ({codes}) and no exchange "
            "rates were given; choose one report currency and give a rate for "
            "each of the others, in the app under Currencies in the sidebar or "
            "on the command line, for example --currency EUR --fx USD=0.92"
        )
    needed = " ".join(f"--fx {code}=<rate>" for code in missing)
    return (
        f"the amounts are in {codes} but the report currency is {unit} and "
        f"there is no exchange rate for {', '.join(missing)}; give the value of "
        f"one unit in {unit} under Currencies in the sidebar, or add {needed} "
        f"on the command line (for example --fx {missing[0]}=0.92)"
    )
