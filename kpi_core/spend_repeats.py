"""Spend rows that two spend tables both contain.

The pages add up every stored spend table, so a row that two tables share
counts twice. Platforms rarely book the same amount for the same campaign
on the same day, so a shared row is taken for one export stored twice, such
as a re-export under another file name or one that covers months already
stored. ``overlap_warning`` names such rows on the KPI pages, and
``find_spend_repeats`` finds the rows of an upload that stored tables
already contain, so that the Data page can offer to leave them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from kpi_core.formatting import and_list, count_noun, line_list
from kpi_core.import_problems import LINE
from kpi_core.marketing_data import spend_windows
from kpi_core.period import Period
from kpi_core.spend_tables import SOURCE_COLUMN, spend_row_keys

# Key columns compared when both tables have them. A table without a channel
# or currency column leaves the platform or currency of its rows unknown.
_OPTIONAL_KEYS = ("channel", "currency")
# Rows named per pair of tables in ``overlap_warning``.
_EXAMPLES = 2
# Rows named per stored table in ``SpendRepeats.describe``.
_REPEATS_NAMED = 3
# The spend columns that an exact repeat has equal to its stored row.
_COMPARED = (
    "spent_at",
    "period_start",
    "period_end",
    "campaign",
    "channel",
    "amount",
    "currency",
)


def shared_spend_rows(first: pl.DataFrame, second: pl.DataFrame) -> pl.DataFrame:
    """Pair each row of spend table ``first`` with an equal row of ``second``.

    Rows are equal when ``spend_row_keys`` gives them the same dates, label
    and amount, and the same channel and currency where both tables name
    one. Each row pairs with one row at most, so a row that ``first`` has
    twice and ``second`` once makes one pair. Rows without spend add nothing
    when counted twice and are left out. Returns the columns ``row`` and
    ``row_other`` (the row indices in ``first`` and ``second``) with the keys
    of ``first``'s row, in the order of ``first``.
    """
    return _pair(spend_row_keys(first), spend_row_keys(second))


def _pair(first: pl.DataFrame, second: pl.DataFrame) -> pl.DataFrame:
    """Pair the rows of two ``spend_row_keys`` frames as ``shared_spend_rows``."""
    on = ["day", "until", "label", "cents"]
    on += [
        key for key in _OPTIONAL_KEYS if key in first.columns and key in second.columns
    ]
    numbered = [
        keys.filter(pl.col("cents") != 0).with_columns(
            occurrence=pl.int_range(pl.len()).over(on)
        )
        for keys in (first, second)
    ]
    other = numbered[1].select(*on, "occurrence", pl.col("row").alias("row_other"))
    pairs = numbered[0].join(other, on=[*on, "occurrence"], maintain_order="left")
    return pairs.drop("occurrence")


def _pair_changed(
    first: pl.DataFrame, second: pl.DataFrame, exact: pl.DataFrame
) -> pl.DataFrame:
    """Pair the rows of two ``spend_row_keys`` frames that ``exact`` (their
    ``_pair``) left unpaired and that have the same dates and campaign or
    channel but other amounts, such as a day corrected in a re-export.
    Returns ``row``, ``row_other``, the keys of ``first``'s row and
    ``cents_other``.

    Rows without a campaign or channel are left out: account-level exports
    of two platforms share every day, and a day alone does not make two
    rows the same spend.
    """
    on = ["day", "until", "label"]
    on += [
        key for key in _OPTIONAL_KEYS if key in first.columns and key in second.columns
    ]
    left = first.join(exact.select("row"), on="row", how="anti")
    right = second.join(
        exact.select(pl.col("row_other").alias("row")), on="row", how="anti"
    )
    numbered = [
        keys.filter((pl.col("cents") != 0) & (pl.col("label") != "")).with_columns(
            occurrence=pl.int_range(pl.len()).over(on)
        )
        for keys in (left, right)
    ]
    other = numbered[1].select(
        *on,
        "occurrence",
        pl.col("row").alias("row_other"),
        pl.col("cents").alias("cents_other"),
    )
    pairs = numbered[0].join(other, on=[*on, "occurrence"], maintain_order="left")
    return pairs.drop("occurrence")


def overlap_warning(
    frames: Mapping[str, pl.DataFrame], period: Period | None = None
) -> str | None:
    """Warn about rows that two spend tables share, or return None.

    With an explicit ``period``, only shared rows whose spend falls in it
    count, because elsewhere they add nothing to the period's figures.
    """
    counted = {name: _rows_in_period(frame, period) for name, frame in frames.items()}
    names = list(frames)
    found = []
    for index, first in enumerate(names):
        for second in names[index + 1 :]:
            keys = spend_row_keys(frames[first]), spend_row_keys(frames[second])
            counted_rows = pl.col("row").is_in(counted[first].implode()) & pl.col(
                "row_other"
            ).is_in(counted[second].implode())
            shared = _pair(*keys)
            changed = _pair_changed(*keys, shared).filter(counted_rows)
            shared = shared.filter(counted_rows)
            if shared.is_empty() and changed.is_empty():
                continue
            found.append(_describe_shared(first, second, shared, changed, period))
    if not found:
        return None
    return (
        f"{'; '.join(found)}. The spend tables are added up, so that spend is "
        "counted twice. If one table is a copy of another, delete it on the "
        "Data page."
    )


def spend_overlap(spend: pl.DataFrame, period: Period | None = None) -> str | None:
    """Return ``overlap_warning`` for the tables of a spend frame from
    ``combine_spend``, or None for the frame of one table."""
    if SOURCE_COLUMN not in spend.columns:
        return None
    parts = spend.partition_by(SOURCE_COLUMN, as_dict=True, maintain_order=True)
    return overlap_warning({key[0]: part for key, part in parts.items()}, period)


def _rows_in_period(frame: pl.DataFrame, period: Period | None) -> pl.Series:
    """Return the indices of the rows of ``frame`` whose spend window, as
    ``spend_windows`` reads it for CAC, reaches into ``period``."""
    rows = pl.int_range(pl.len(), dtype=pl.Int64).alias("row")
    if period is None or period.is_all:
        return frame.select(rows)["row"]
    windows = frame.select(rows, *spend_windows(frame))
    inside = pl.lit(True)
    if period.start is not None:
        inside &= pl.col("window_end") >= period.start
    if period.end is not None:
        inside &= pl.col("window_start") <= period.end
    return windows.filter(inside)["row"]


def _describe_shared(
    first: str,
    second: str,
    shared: pl.DataFrame,
    changed: pl.DataFrame,
    period: Period | None,
) -> str:
    """Describe the rows that tables ``first`` and ``second`` share, and the
    rows of the same day and campaign that have other amounts (``changed``,
    from ``_pair_changed``)."""
    in_period = period is not None and not period.is_all
    parts = []
    if not shared.is_empty():
        shared = shared.sort("day", "label", "row")
        examples = ", ".join(
            f"{written or 'no campaign'} {_dates(day, until)}"
            for day, until, written in shared.select("day", "until", "written")
            .head(_EXAMPLES)
            .rows()
        )
        if shared.height > _EXAMPLES:
            examples += f" and {shared.height - _EXAMPLES:,} more"
        rows = count_noun(shared.height, "spend row")
        if in_period:
            rows += " in the period"
        parts.append(f"share {rows} ({examples})")
    if not changed.is_empty():
        changed = changed.sort("day", "label", "row")
        examples = ", ".join(
            f"{written} {_dates(day, until)}: {cents / 100:,.2f} and "
            f"{cents_other / 100:,.2f}"
            for day, until, written, cents, cents_other in changed.select(
                "day", "until", "written", "cents", "cents_other"
            )
            .head(_EXAMPLES)
            .rows()
        )
        if changed.height > _EXAMPLES:
            examples += f" and {changed.height - _EXAMPLES:,} more"
        rows = count_noun(changed.height, "spend row")
        if in_period:
            rows += " in the period"
        amount = "another amount" if changed.height == 1 else "other amounts"
        verb = "" if parts else "have "
        parts.append(
            f"{verb}{rows} of the same day and campaign with {amount} ({examples})"
        )
    return f"“{first}” and “{second}” {' and '.join(parts)}"


def _dates(day: date, until: date) -> str:
    """Return "on 2026-04-01", or "from 2026-03-15 to 2026-04-14" for a
    reporting window."""
    return f"on {day}" if day == until else f"from {day} to {until}"


@dataclass(frozen=True)
class RepeatedRows:
    """Rows of an upload that repeat rows of one stored spend table.

    ``table`` is the table's key in the mapping given to
    ``find_spend_repeats``. ``rows`` are the row indices in the upload and
    ``lines`` their file lines, empty when the upload has no line column.
    ``examples`` describe the first rows, as "brand_search on 2026-04-01,
    60.00". ``differing`` names the columns in which a repeated row differs
    from its stored row although the keys are equal, such as the campaign's
    spelling, the currency or the reporting window of a row with a day.
    """

    table: str
    rows: tuple[int, ...]
    lines: tuple[int, ...]
    examples: tuple[str, ...]
    differing: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpendRepeats:
    """The rows of an upload of ``upload_rows`` rows that stored spend
    tables already contain, per stored table."""

    upload_rows: int
    tables: tuple[RepeatedRows, ...]

    @property
    def rows(self) -> tuple[int, ...]:
        """The indices of the repeated rows in the upload, in order."""
        return tuple(sorted(row for table in self.tables for row in table.rows))

    @property
    def exact(self) -> bool:
        """Whether every repeated row equals its stored row in every spend
        column, which makes leaving them out the safe default."""
        return not any(table.differing for table in self.tables)

    def without_repeats(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Return the upload ``frame`` without the repeated rows."""
        index = pl.int_range(pl.len(), dtype=pl.Int64)
        return frame.filter(~index.is_in(self.rows))

    def describe(self, names: Mapping[str, str]) -> str:
        """Describe the repeated rows, with the stored tables' names from
        ``names`` (table key to name), and what importing them does."""
        count = len(self.rows)
        parts = [_describe_table(table, names[table.table]) for table in self.tables]
        repeat = (
            "repeats a spend row that is"
            if count == 1
            else "repeat spend rows that are"
        )
        text = (
            f"{count:,} of {count_noun(self.upload_rows, 'row')} in this file "
            f"{repeat} already stored, with the same day, campaign and amount "
            "(and the same channel and currency where both tables name them): "
            f"{'; '.join(parts)}. The spend tables are added up, so if you "
            f"import {'this row' if count == 1 else 'these rows'} too, "
            f"{'its' if count == 1 else 'their'} spend counts twice."
        )
        differing = sorted({column for t in self.tables for column in t.differing})
        if differing:
            noun = "column" if len(differing) == 1 else "columns"
            text += (
                " Some of them differ from the stored rows in the "
                f"{and_list(differing)} {noun}, so check that they are the same "
                "spend before you leave them out."
            )
        return text


def _describe_table(table: RepeatedRows, name: str) -> str:
    """Describe the repeated rows of one stored table, as "lines 4 and 5
    repeat rows of 'google_ads' (brand_search on 2026-04-01, 60.00, ...)"."""
    count = len(table.rows)
    if table.lines:
        noun = "line" if count == 1 else "lines"
        verb = "repeats a row" if count == 1 else "repeat rows"
        subject = f"{noun} {_line_words(table.lines)} {verb}"
    else:
        subject = f"{count_noun(count, 'row')} {'repeats' if count == 1 else 'repeat'}"
        subject += " a row" if count == 1 else " rows"
    examples = "; ".join(table.examples)
    if count > len(table.examples):
        examples += f" and {count - len(table.examples):,} more"
    return f"{subject} of {name!r} ({examples})"


def _line_words(lines: tuple[int, ...]) -> str:
    """Return "4", "4 and 5" or "4, 5, 9 and 12 more"."""
    if len(lines) == 2:
        return f"{lines[0]} and {lines[1]}"
    return line_list(lines)


def find_spend_repeats(
    new: pl.DataFrame, stored: Mapping[str, pl.DataFrame]
) -> SpendRepeats | None:
    """Find the rows of spend table ``new`` that the tables of ``stored``
    (key to spend frame) already contain, or return None.

    Rows are paired as in ``shared_spend_rows``. A row of ``new`` counts
    once, for the first table of ``stored`` that contains it.
    """
    keys = spend_row_keys(new)
    found = []
    for table, frame in stored.items():
        pairs = _pair(keys, spend_row_keys(frame))
        if pairs.is_empty():
            continue
        keys = keys.join(pairs.select("row"), on="row", how="anti")
        found.append(_repeated_rows(table, new, frame, pairs))
    if not found:
        return None
    return SpendRepeats(new.height, tuple(found))


def _repeated_rows(
    table: str, new: pl.DataFrame, stored: pl.DataFrame, pairs: pl.DataFrame
) -> RepeatedRows:
    rows = pairs["row"]
    lines = tuple(new[LINE].gather(rows).to_list()) if LINE in new.columns else ()
    examples = tuple(
        f"{written or 'no campaign'} {_dates(day, until)}, {cents / 100:,.2f}"
        for day, until, written, cents in pairs.select(
            "day", "until", "written", "cents"
        )
        .head(_REPEATS_NAMED)
        .rows()
    )
    differing = _differing_columns(new, stored, pairs)
    return RepeatedRows(table, tuple(rows.to_list()), lines, examples, differing)


def _differing_columns(
    new: pl.DataFrame, stored: pl.DataFrame, pairs: pl.DataFrame
) -> tuple[str, ...]:
    """Return the spend columns in which a paired row of ``new`` differs
    from its row of ``stored``, and each column that only one table has."""
    differing = []
    for column in _COMPARED:
        in_new, in_stored = column in new.columns, column in stored.columns
        if not in_new and not in_stored:
            continue
        if in_new != in_stored:
            differing.append(column)
            continue
        left = _comparable(new[column].gather(pairs["row"]))
        right = _comparable(stored[column].gather(pairs["row_other"]))
        if not left.eq_missing(right).all():
            differing.append(column)
    return tuple(differing)


def _comparable(values: pl.Series) -> pl.Series:
    """Return ``values`` in a type that the same value has in any table:
    dates as datetimes, amounts as floats and the rest as text."""
    if values.dtype.is_temporal():
        return values.cast(pl.Datetime("us"))
    if values.dtype.is_numeric():
        return values.cast(pl.Float64)
    return values.cast(pl.String)
