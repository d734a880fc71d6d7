"""Downloads of user data that spreadsheet programs open safely."""

from __future__ import annotations

import polars as pl

# Excel and LibreOffice treat a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an
    apostrophe, so ``=HYPERLINK(...)`` from an upload stays text."""
    # Headers come from uploads and may read as a pattern to pl.col ("*",
    # "^a$"), so the work is done under positional names.
    names = frame.columns
    positional = frame.rename({name: f"c{i}" for i, name in enumerate(names)})
    text_columns = [
        name for name, dtype in positional.schema.items() if dtype == pl.String
    ]
    neutralised = positional.with_columns(
        pl.when(_starts_with_any(name))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )
    return neutralised.rename(dict(zip(neutralised.columns, names, strict=True)))


def safe_csv(frame: pl.DataFrame) -> bytes:
    """Return the frame as UTF-8 CSV with formula-like cells and headers
    neutralised.

    Every field is quoted: a German Excel splits unquoted lines at ";", and
    then "Anna;=1+1" would leave "=1+1" as a cell of its own.
    """
    cleaned = neutralise_formulas(frame)
    headers = {
        name: f"'{name}" if name.startswith(FORMULA_STARTS) else name
        for name in cleaned.columns
    }
    quoted = cleaned.rename(headers).write_csv(quote_style="always")
    return quoted.encode("utf-8")


def _starts_with_any(name: str) -> pl.Expr:
    return pl.any_horizontal(pl.col(name).str.starts_with(s) for s in FORMULA_STARTS)
