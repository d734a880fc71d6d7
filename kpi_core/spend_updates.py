"""Updating a stored spend table with a re-export that covers part of it.

Ad platforms export a chosen date range, so next quarter's export repeats
some days of the stored table, may correct a few of them, and lacks the
older days. Replacing the table deletes those older days, and storing a
second table counts the repeated days twice. ``spend_update`` builds the
third way: the file's rows take the place of the stored rows of the days
the file covers, and the stored rows of other days stay.

The covered days are one range for the whole file, from the first day of
its rows to the last, not a range per campaign or channel. An export lists
every campaign with spend in its range and leaves out the days on which a
campaign spent nothing, so a stored row in the range that the file lacks is
spend the platform no longer reports. Such rows are named in
``SpendUpdate.dropped``, and an update that drops any is not the default.
The range comes from the rows because the prepared table keeps no report
header ("February 1, 2025 - April 30, 2025"), so stored days between the
header's start and the file's first row stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from kpi_core.formatting import count_noun
from kpi_core.spend_tables import spend_row_keys

# Changed and dropped rows named in ``SpendUpdate.describe``.
_NAMED = 3
_OPTIONAL_KEYS = ("channel", "currency")


@dataclass(frozen=True)
class SpendUpdate:
    """A stored spend table updated with a file's rows for the days it covers.

    ``frame`` is the updated table: the ``kept`` stored rows outside
    ``first_day`` to ``last_day`` and all ``file_rows`` rows of the file.
    ``replaced`` counts the stored rows in that range. Of the file's rows,
    ``equal`` have a stored row with the same day, campaign or channel and
    amount, and ``added`` have no stored row of that day and campaign.
    ``changed`` and ``dropped`` describe the day and campaign keys whose
    amounts differ, as "2025-03-10 Spring Launch 200.00 -> 210.00", and
    the stored rows in the range that the file lacks.
    """

    first_day: date
    last_day: date
    frame: pl.DataFrame
    kept: int
    replaced: int
    file_rows: int
    equal: int
    added: int
    changed: tuple[str, ...]
    dropped: tuple[str, ...]

    @property
    def updates_by_default(self) -> bool:
        """Whether the update is the safe default: it keeps stored days that
        replacing would delete, takes the place of stored days that a new
        table would count twice, and drops no stored row."""
        return self.kept > 0 and self.replaced > 0 and not self.dropped

    def describe(self, name: str) -> str:
        """Describe what updating the stored table ``name`` keeps, replaces
        and adds, and name the changed and dropped rows."""
        span = f"{self.first_day} to {self.last_day}"
        parts = [f"{self.equal:,} equal"]
        if self.changed:
            parts.append(f"{len(self.changed):,} changed")
        if self.added:
            parts.append(f"{self.added:,} new")
        text = (
            f"Updating {name!r} keeps its {count_noun(self.kept, 'row')} of days "
            f"before {self.first_day} or after {self.last_day} and replaces its "
            f"{count_noun(self.replaced, 'row')} from {span} with the "
            f"{count_noun(self.file_rows, 'row')} of this file "
            f"({', '.join(parts)}), {count_noun(self.frame.height, 'row')} in all."
        )
        if self.changed:
            verb = "row changed" if len(self.changed) == 1 else "rows changed"
            text += f" {len(self.changed):,} {verb}: {_named(self.changed)}."
        if self.dropped:
            count = len(self.dropped)
            subject = (
                "1 stored row of those days is"
                if count == 1
                else f"{count:,} stored rows of those days are"
            )
            text += (
                f" {subject} not in this file and "
                f"{'is' if count == 1 else 'are'} deleted: {_named(self.dropped)}."
            )
        return text


def spend_file_range(new: pl.DataFrame) -> tuple[date, date] | None:
    """Return the first and last day of the spend rows of ``new``, or None
    when no row has a date and an amount. A reporting window counts from
    its first to its last day."""
    keys = spend_row_keys(new)
    if keys.is_empty():
        return None
    return keys["day"].min(), keys["until"].max()


def spend_update(stored: pl.DataFrame, new: pl.DataFrame) -> SpendUpdate | None:
    """Update the spend table ``stored`` with the rows of ``new`` for the
    days ``new`` covers, or return None when ``new`` has no dated spend.

    A stored row is in the range when its first day is, so a monthly row
    of a month that the file starts in is replaced.
    """
    covered = spend_file_range(new)
    if covered is None:
        return None
    first_day, last_day = covered
    stored_keys = spend_row_keys(stored)
    inside = pl.col("day").is_between(first_day, last_day)
    in_range = stored_keys.filter(inside)
    # A stored row without a date or an amount has no key and stays.
    replaced_rows = in_range["row"]
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    kept = stored.filter(~index.is_in(replaced_rows.implode()))
    frame = pl.concat([kept, new], how="diagonal_relaxed")
    equal, added, changed, dropped = _compare(in_range, spend_row_keys(new))
    return SpendUpdate(
        first_day=first_day,
        last_day=last_day,
        frame=frame,
        kept=kept.height,
        replaced=replaced_rows.len(),
        file_rows=new.height,
        equal=equal,
        added=added,
        changed=changed,
        dropped=dropped,
    )


def _compare(
    stored: pl.DataFrame, new: pl.DataFrame
) -> tuple[int, int, tuple[str, ...], tuple[str, ...]]:
    """Compare the stored keys in the range with the file's keys by first
    day, campaign or channel, and channel and currency where both name them.
    Returns the file's equal and new rows, and the changed and dropped
    keys described."""
    # The first day and label key a row, as in ``matching_spend_table``, so
    # a month written as its first day matches a month read as a window.
    on = ["day", "label"]
    on += [
        key for key in _OPTIONAL_KEYS if key in stored.columns and key in new.columns
    ]
    amounts = [
        keys.group_by(on).agg(
            pl.col("cents").sort().alias("amounts"),
            pl.first("written"),
            pl.first("until"),
        )
        for keys in (stored, new)
    ]
    joined = amounts[1].join(
        amounts[0], on=on, how="full", coalesce=True, suffix="_stored"
    )
    joined = joined.sort("day", "label")
    equal = added = 0
    changed, dropped = [], []
    for row in joined.iter_rows(named=True):
        label = row["written"] or row["written_stored"] or "no campaign"
        where = _where(row["day"], row["until"] or row["until_stored"], label)
        if row["amounts_stored"] is None:
            added += len(row["amounts"])
        elif row["amounts"] is None:
            dropped.append(f"{where} {_money(row['amounts_stored'])}")
        elif row["amounts"] == row["amounts_stored"]:
            equal += len(row["amounts"])
        else:
            before, after = _money(row["amounts_stored"]), _money(row["amounts"])
            changed.append(f"{where} {before} -> {after}")
    return equal, added, tuple(changed), tuple(dropped)


def _where(day: date, until: date, label: str) -> str:
    """Return "2025-03-10 Spring Launch", or with a reporting window
    "2025-03-01 to 2025-03-31 Spring Launch"."""
    days = str(day) if day == until else f"{day} to {until}"
    return f"{days} {label}"


def _money(cents: list[int]) -> str:
    """Return "200.00", or "200.00 + 15.00" for a key with several rows."""
    return " + ".join(f"{value / 100:,.2f}" for value in cents)


def _named(described: tuple[str, ...]) -> str:
    """Return the first ``_NAMED`` descriptions and a count of the rest."""
    text = "; ".join(described[:_NAMED])
    if len(described) > _NAMED:
        text += f" and {len(described) - _NAMED:,} more"
    return text
