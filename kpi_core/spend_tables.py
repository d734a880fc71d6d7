"""Marketing spend of several stored tables, added up.

A company that exports each ad platform on its own (Google Ads, Meta,
LinkedIn) stores one spend table per platform, and CAC, campaign ROI and
What if need the spend of all of them. ``combine_spend`` stacks the tables
into one. ``matching_spend_table`` finds the stored table that an upload is
a new version of, and ``spend_row_keys`` keys rows for comparing tables
(see ``kpi_core.spend_repeats`` for the rows that two tables share).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from kpi_core.formatting import count_noun
from kpi_core.money import DEFAULT_CURRENCY

# The column of a combined spend table that names each row's stored table.
SOURCE_COLUMN = "spend_table"
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


def combine_spend(frames: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Stack the spend tables of ``frames`` (stored name to frame) into one.

    One table is returned as it is. Otherwise each row gets its table's name
    in ``SOURCE_COLUMN``. A table without a currency column, beside one
    with it, gets ``DEFAULT_CURRENCY``, the currency its amounts count in
    alone (see ``kpi_core.money.convert_amounts``). Left empty, the cells
    would exclude its amounts as amounts without a currency.
    """
    if len(frames) == 1:
        return next(iter(frames.values()))
    with_codes = any("currency" in frame.columns for frame in frames.values())
    parts = []
    for name, frame in frames.items():
        if with_codes and "currency" not in frame.columns:
            frame = frame.with_columns(currency=pl.lit(DEFAULT_CURRENCY))
        parts.append(frame.with_columns(pl.lit(name).alias(SOURCE_COLUMN)))
    return pl.concat(parts, how="diagonal_relaxed")


def spend_row_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Key each row of a spend table that has a date and an amount.

    ``row`` is the row's index in ``frame``. ``day`` and ``until`` are the
    first and last day the row names: its spent_at day, else its reporting
    window. The day comes first because an export broken down by day, such
    as Meta's, repeats the report's window on every row. ``label`` is the
    campaign, else the channel, trimmed and lowercased, with the label as
    the table writes it in ``written``. ``cents`` is the amount in cents.
    The columns ``channel`` and ``currency``, normalised the same way, are
    there when the table names any channel or currency.
    """
    day = _first_known(frame, ("spent_at", "period_start", "period_end"))
    until = _first_known(frame, ("spent_at", "period_end", "period_start"))
    if day is None or until is None:
        # Spend without dates has no day to share with another table.
        return pl.DataFrame(schema=_KEY_SCHEMA)
    label_columns = [c for c in ("campaign", "channel") if c in frame.columns]
    label = (
        pl.coalesce(pl.col(name).cast(pl.String) for name in label_columns)
        if label_columns
        else pl.lit(None, pl.String)
    )
    written = label.str.strip_chars()
    extra = [
        _normalised(column)
        for column in ("channel", "currency")
        if _has_values(frame, column)
    ]
    keys = frame.with_row_index("row").select(
        pl.col("row").cast(pl.Int64),
        day.alias("day"),
        until.alias("until"),
        written.str.to_lowercase().fill_null("").alias("label"),
        written.alias("written"),
        (pl.col("amount") * 100).round(0).cast(pl.Int64).alias("cents"),
        *extra,
    )
    return keys.drop_nulls(["day", "until", "cents"])


def _has_values(frame: pl.DataFrame, column: str) -> bool:
    """Return whether ``frame`` has ``column`` with at least one value. A table
    from ``combine_spend`` has the columns of every table it stacks."""
    return column in frame.columns and frame[column].null_count() < frame.height


_KEY_SCHEMA = {
    "row": pl.Int64,
    "day": pl.Date,
    "until": pl.Date,
    "label": pl.String,
    "written": pl.String,
    "cents": pl.Int64,
}


def _first_known(frame: pl.DataFrame, columns: tuple[str, ...]) -> pl.Expr | None:
    """Return the first of ``columns`` with a date in each row, as a Date,
    or None when ``frame`` has none of them."""
    present = [name for name in columns if name in frame.columns]
    if not present:
        return None
    return pl.coalesce(pl.col(name).cast(pl.Date) for name in present)


def _normalised(column: str) -> pl.Expr:
    """Return a text column trimmed and lowercased, "" where it is empty."""
    text = pl.col(column).cast(pl.String).str.strip_chars().str.to_lowercase()
    return text.fill_null("").alias(column)


def _row_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the distinct (day, label, cents) keys of a spend table's rows,
    with the label as the table writes it in ``written``."""
    keys = spend_row_keys(frame).select("day", "label", "cents", "written")
    return keys.unique(subset=["day", "label", "cents"], keep="first")


# An upload matches a stored spend table only when at least this share of
# its (day, label) pairs are in that table. A file of another platform shares
# no channel or campaign with it, and next month's export shares no day, so
# either shares next to nothing. A corrected export of the same sheet shares
# all pairs, and one that adds months still shares half of them as long as it
# adds no more months than it repeats.
_SAME_SHEET_SHARE = 0.5
# It must also have at least this share of the shared pairs with equal
# amounts. A corrected export changes a few rows and keeps the rest. Two
# accounts of one platform under the same channel name, or two account-level
# exports without a channel or campaign column, share every pair but differ
# in nearly every amount. Half leaves room for a correction of several months.
_EQUAL_SHARE = 0.5
# Months named in full in ``SpendMatch.describe`` before the rest are counted.
_MONTHS_NAMED = 3


@dataclass(frozen=True)
class SpendMatch:
    """A stored spend table whose rows an upload mostly repeats.

    ``table`` is the table's key in the mapping given to
    ``matching_spend_table``. ``rows`` counts the upload's distinct (day,
    label) pairs, ``equal`` those the table has with the same amounts, and
    ``changed`` those it has with other amounts, such as a corrected month.
    ``period`` is "months" when every row starts on the 1st, else "days",
    and ``labels`` is "campaigns" or "channels", after the upload's columns.
    ``dropped`` counts the table's pairs with spend that the upload lacks,
    in the calendar months ``dropped_months`` ("January 2025"), such as the
    first month of a rolling window that moved on.
    """

    table: str
    rows: int
    equal: int
    changed: int
    period: str
    labels: str
    dropped: int = 0
    dropped_months: tuple[str, ...] = ()
    # True when fewer than _EQUAL_SHARE of the shared pairs have equal
    # amounts: a restated export of the table, or another account.
    other_amounts: bool = False

    @property
    def lacks_rows(self) -> bool:
        """Whether the upload repeats the table's amounts but lacks some of
        its rows, as a re-export of a later date range does, so that an
        update by date (``kpi_core.spend_updates``) fits it."""
        return self.dropped > 0 and not self.other_amounts

    @property
    def replaces_table(self) -> bool:
        """Whether storing the upload in place of the table loses no spend
        and repeats its amounts, so that replacing it is the default."""
        return self.dropped == 0 and not self.other_amounts

    def describe(self, name: str) -> str:
        """Describe the match with the stored table ``name`` and what keeping
        both tables, or replacing a table the upload lacks rows of, does to
        the spend."""
        counts = f"{self.equal:,} of {count_noun(self.rows, 'row')} equal"
        if self.changed:
            counts += f", {self.changed:,} changed"
        missing = self.rows - self.equal - self.changed
        if missing:
            counts += f", {missing:,} not in that table"
        if self.other_amounts:
            shared = self.equal + self.changed

            return (
                f"This file has the same {self.period} and {self.labels} as the "
                f"stored spend table {name!r}, with other amounts in "
                f"{self.changed:,} of {count_noun(shared, 'shared row')}. The "
                "spend tables are added up: if it is a new export of the same "
                f"account, replace {name!r} under Store, or its spend counts "
                "twice. If it is another account or platform, keep both."
            )
        if self.replaces_table:
            return (
                f"This file contains the same {self.period} and {self.labels} as "
                f"the stored spend table {name!r} ({counts}). Importing it as a "
                "new table adds its spend to that table's, counting it twice."
            )
        shared = count_noun(self.equal + self.changed, "shared row")
        lacked = f"{count_noun(self.dropped, 'row')} from "
        lacked += _join_months(self.dropped_months)
        return (
            f"This file repeats rows of the stored spend table {name!r} "
            f"({counts}) but lacks its {lacked}. Keeping both tables counts the "
            f"spend of the {shared} twice, because the spend tables are added "
            f"up. Replacing {name!r} deletes its {lacked}. Updating {name!r} "
            "keeps the rows of the days this file does not cover and takes this "
            "file's rows for the days it covers. Choose under Store."
        )


def matching_spend_table(
    new: pl.DataFrame, stored: Mapping[str, pl.DataFrame]
) -> SpendMatch | None:
    """Find the table of ``stored`` (key to spend frame) that the spend rows
    of ``new`` mostly repeat, or return None.

    Rows are keyed as in ``spend_row_keys``, by day and campaign or channel,
    and a key counts once however many rows have it. A key that the stored
    table has with other amounts counts as a changed row. A table matches
    when it has at least ``_SAME_SHEET_SHARE`` of the keys of ``new`` and at
    least ``_EQUAL_SHARE`` of those keys with equal amounts. The table with
    the most equal keys wins, then the one sharing the most keys, then the
    first of ``stored``. Without such a table, one that has the keys with
    other amounts is returned with ``other_amounts``, which never replaces
    a table by default.
    """
    amounts = _amounts_by_key(new)
    if amounts.is_empty():
        return None
    best = None
    other = None
    for table, frame in stored.items():
        stored_amounts = _amounts_by_key(frame)
        joined = amounts.join(stored_amounts, on=["day", "label"], suffix="_stored")
        equal = int((joined["cents"] == joined["cents_stored"]).sum())
        if joined.height < _SAME_SHEET_SHARE * amounts.height:
            continue
        rank = (equal, joined.height)
        if equal < _EQUAL_SHARE * joined.height:
            # The same days and labels with other amounts are kept apart,
            # so that the caller can say that both tables are added up.
            if other is None or rank > other[0]:
                other = (rank, table, stored_amounts)
            continue
        if best is None or rank > best[0]:
            best = (rank, table, stored_amounts)
    other_amounts = best is None
    if best is None:
        best = other
    if best is None:
        return None
    (equal, shared), table, stored_amounts = best
    dropped = _keys_with_spend_lacking(stored_amounts, amounts)
    monthly = bool((amounts["day"].dt.day() == 1).all())
    # The labels are the campaigns where the file names any, as in _row_keys.
    has_campaigns = False
    if "campaign" in new.columns:
        has_campaigns = new["campaign"].null_count() < new.height
    return SpendMatch(
        table=table,
        rows=amounts.height,
        equal=equal,
        changed=shared - equal,
        period="months" if monthly else "days",
        labels="campaigns" if has_campaigns else "channels",
        dropped=dropped.height,
        dropped_months=_month_names(dropped["day"]),
        other_amounts=other_amounts,
    )


def _amounts_by_key(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the distinct (day, label) keys of a spend table's rows, each
    with the sorted list of its amounts in cents."""
    keys = _row_keys(frame)
    return keys.group_by("day", "label").agg(pl.col("cents").sort())


def _keys_with_spend_lacking(stored: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Return the keys of ``stored`` with spend that ``new`` lacks, both from
    ``_amounts_by_key``.

    Replacing is the default only when it deletes no stored spend, so every
    stored key with spend must be in the file. A stored zero that the file
    lacks loses nothing, and some platforms leave out days without spend.
    """
    lacking = stored.join(new, on=["day", "label"], how="anti")
    return lacking.filter(pl.col("cents").list.eval(pl.element() != 0).list.any())


def _month_names(days: pl.Series) -> tuple[str, ...]:
    """Return the calendar months of ``days`` in order, as "January 2025".

    The names are spelled out here, because ``strftime("%B")`` follows the
    server's locale and the app's messages are in English.
    """
    months = days.dt.truncate("1mo").unique().sort()
    return tuple(f"{_MONTHS[month.month - 1]} {month.year}" for month in months)


def _join_months(months: tuple[str, ...]) -> str:
    """Return "January 2025 and February 2025", or with more than
    ``_MONTHS_NAMED`` months, the first of them and a count of the rest."""
    if len(months) <= 1:
        return "".join(months)
    if len(months) > _MONTHS_NAMED:
        named = ", ".join(months[:_MONTHS_NAMED])
        return f"{named} and {count_noun(len(months) - _MONTHS_NAMED, 'more month')}"
    return f"{', '.join(months[:-1])} and {months[-1]}"
