"""Time buckets of a series that the data or the chosen period covers only
in part.

A bucket (a week, month, quarter or year of a chart or table) is partial
when the days it covers are fewer than its calendar days. The covered days
run from the later of the period's start and the data's first date to the
earlier of the period's end and the data's last date. With data that ends
on 2026-11-30, the quarter 2026 Q4 covers 2026-10-01 to 2026-11-30 only, so
its won value is that of two months. The same rule holds for the first
bucket of data that starts inside a bucket.

The data's first and last dates come from ``table_span``: the dates of the
table behind the series, leaving out planned dates, such as the expected
close date of an open deal or a date after today.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from kpi_core.period import Period, bucket_bounds

# The date columns that record when a row's events happened, per table type.
# Deals' close dates count only for won or lost deals (see ``table_span``).
SPAN_COLUMNS = {
    "deals": ("created_at", "closed_at", "lost_at"),
    "tickets": ("created_at", "solved_at"),
    "nps": ("responded_at",),
    "email_events": ("occurred_at",),
    "subscriptions": ("started_at", "canceled_at", "ended_at"),
    "orders": ("ordered_at",),
}
# Bucket names as the charts label them, such as "Nov 2026" or "2026 Q4".
_MONTH_NAMES = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


# Up to this many buckets without data for one reason are named one by one.
_EMPTY_NAMED = 3


@dataclass(frozen=True)
class PartialPeriod:
    """A bucket of ``grain`` with the days of it that the series covers.

    ``first_day`` and ``last_day`` are the covered days; ``last_day`` is
    before ``first_day`` when the bucket lies wholly outside the data.
    ``start_cut`` and ``end_cut`` name what cuts the bucket short on each
    side, as in "the data ends on 2026-11-30", or are None.
    """

    bucket_start: date
    bucket_end: date
    first_day: date
    last_day: date
    grain: str
    start_cut: str | None
    end_cut: str | None

    def label(self) -> str:
        """Return the bucket's name, as in "2026 Q4" or "The week starting
        30 Nov 2026"."""
        label = bucket_label(self.bucket_start, self.grain)
        return f"The week starting {label}" if self.grain == "week" else label

    def reasons(self) -> str:
        """Return what cuts the bucket short, as in "the data ends on
        2026-11-30"."""
        return " and ".join(cut for cut in (self.start_cut, self.end_cut) if cut)

    def note(self) -> str:
        """Return the sentence that names the covered days and the reason,
        as in "2026 Q4 covers 2026-10-01 to 2026-11-30 only: the data ends
        on 2026-11-30."."""
        reasons = self.reasons()
        if self.last_day < self.first_day:
            return f"{self.label()} has no days in the data: {reasons}."
        days = (
            self.first_day.isoformat()
            if self.first_day == self.last_day
            else f"{self.first_day} to {self.last_day}"
        )
        return f"{self.label()} covers {days} only: {reasons}."


def bucket_label(day: date, grain: str) -> str:
    """Return the name of the ``grain`` bucket that contains ``day`` as the
    chart axes write it: "30 Nov 2026" for the week starting that Monday,
    "Nov 2026", "2026 Q4" or "2026"."""
    first, _last = bucket_bounds(day, grain)
    if grain == "week":
        return f"{first.day:02d} {_MONTH_NAMES[first.month - 1]} {first.year}"
    if grain == "month":
        return f"{_MONTH_NAMES[first.month - 1]} {first.year}"
    if grain == "quarter":
        return f"{first.year} Q{(first.month - 1) // 3 + 1}"
    return str(first.year)


def table_span(
    frame: pl.DataFrame | None, table_type: str, today: date | None = None
) -> tuple[date, date] | None:
    """Return the first and last date of the events recorded in ``frame``,
    a canonical table of ``table_type``, or None when it has none.

    Dates after ``today`` (default: the current date) are planned, not
    recorded, such as a contract's scheduled end. The close date of an open
    deal is an expected date too, so only won or lost deals' close dates
    count.
    """
    if frame is None:
        return None
    limit = today or date.today()
    dated = []
    for name in SPAN_COLUMNS.get(table_type, ()):
        if name not in frame.columns:
            continue
        values = frame[name]
        if table_type == "deals" and name == "closed_at" and "status" in frame:
            values = frame.filter(pl.col("status").is_in(["won", "lost"]))[name]
        days = values.cast(pl.Date).drop_nulls()
        days = days.filter(days <= limit)
        if days.len():
            dated.append(days)
    if not dated:
        return None
    return min(days.min() for days in dated), max(days.max() for days in dated)


def partial_periods(
    starts: Iterable[date],
    grain: str,
    period: Period,
    span: tuple[date, date] | None,
) -> dict[date, PartialPeriod]:
    """Find the buckets of ``grain`` that the data or the period covers only
    in part, keyed by the value of ``starts`` that names each.

    ``starts`` are the period_start values of a series, bucket starts or
    days inside a bucket (a series clipped to the period starts on its first
    day). ``span`` is the data's first and last date, as ``table_span``
    returns them. Without a span only the period can cut a bucket short.
    """
    data_first, data_last = span if span is not None else (None, None)
    covered_first = _later(period.start, data_first)
    covered_last = _earlier(period.end, data_last)
    found = {}
    for start in starts:
        if start is None:
            continue
        bucket_start, bucket_end = bucket_bounds(start, grain)
        first = max(bucket_start, covered_first or bucket_start)
        last = min(bucket_end, covered_last or bucket_end)
        start_cut = end_cut = None
        if first > bucket_start:
            start_cut = _cut("starts", period.start, data_first)
        if last < bucket_end:
            end_cut = _cut("ends", period.end, data_last)
        if start_cut or end_cut:
            found[start] = PartialPeriod(
                bucket_start, bucket_end, first, last, grain, start_cut, end_cut
            )
    return found


def partial_note(partials: Mapping[date, PartialPeriod]) -> str | None:
    """Return the sentences that name each partial bucket, first to last, or
    None when there is none."""
    if not partials:
        return None
    ordered = sorted(partials.values(), key=lambda partial: partial.bucket_start)
    # Buckets wholly outside the data with the same reason, such as the
    # hundreds of weeks of a period that reaches years beyond it, are named
    # in one sentence.
    empty: dict[str, list[PartialPeriod]] = {}
    for partial in ordered:
        if partial.last_day < partial.first_day:
            empty.setdefault(partial.reasons(), []).append(partial)
    sentences = []
    for partial in ordered:
        group = empty.get(partial.reasons(), [])
        if partial.last_day >= partial.first_day or len(group) <= _EMPTY_NAMED:
            sentences.append(partial.note())
        elif partial is group[0]:
            first = bucket_label(group[0].bucket_start, partial.grain)
            last = bucket_label(group[-1].bucket_start, partial.grain)
            sentences.append(
                f"{len(group):,} {partial.grain}s, from {first} to {last}, have "
                f"no days in the data: {partial.reasons()}."
            )
    return " ".join(sentences)


def period_labels(
    starts: Iterable[date], grain: str, partials: Mapping[date, PartialPeriod]
) -> list[str]:
    """Return the name of each bucket of ``starts``, with " (partial)" after
    the names of the buckets in ``partials``, as in "2026 Q4 (partial)"."""
    labels = []
    for start in starts:
        label = bucket_label(start, grain)
        labels.append(f"{label} (partial)" if start in partials else label)
    return labels


def with_partial_column(
    series: pl.DataFrame,
    partials: Mapping[date, PartialPeriod],
    column: str = "period_start",
) -> pl.DataFrame:
    """Add the column ``partial``: the days of the bucket that the series
    covers, as in "2026-10-01 to 2026-11-30 only", for a partial bucket,
    and null for a whole one. Without partial buckets the frame is
    returned as it is."""
    if not partials:
        return series
    texts = []
    for start in series[column].to_list():
        partial = partials.get(start)
        if partial is None:
            texts.append(None)
        elif partial.last_day < partial.first_day:
            texts.append("no days in the data")
        else:
            texts.append(f"{partial.first_day} to {partial.last_day} only")
    return series.with_columns(pl.Series("partial", texts, dtype=pl.String))


def _cut(side: str, period_day: date | None, data_day: date | None) -> str:
    """Name what cuts a bucket short on ``side`` ("starts" or "ends"): the
    data where its date lies inside the period, else the period."""
    if period_day is None:
        return f"the data {side} on {data_day}"
    inside = data_day is not None and (
        data_day > period_day if side == "starts" else data_day < period_day
    )
    if inside:
        return f"the data {side} on {data_day}"
    return f"the period {side} on {period_day}"


def _later(day: date | None, other: date | None) -> date | None:
    known = [value for value in (day, other) if value is not None]
    return max(known) if known else None


def _earlier(day: date | None, other: date | None) -> date | None:
    known = [value for value in (day, other) if value is not None]
    return min(known) if known else None


def blank_empty_buckets(
    series: pl.DataFrame,
    partials: Mapping[date, PartialPeriod],
    column: str = "period_start",
) -> pl.DataFrame:
    """Set the numbers of the buckets that have no days in the data to null.

    A count or sum of such a bucket is unknown, not 0: a deals table that
    starts in February says nothing of the deals won in January. Columns
    that are not numbers, such as a campaign name, stay as they are.
    """
    empty = [
        start
        for start, partial in partials.items()
        if partial.last_day < partial.first_day
    ]
    if not empty or column not in series.columns:
        return series
    outside = pl.col(column).is_in(empty)
    return series.with_columns(
        pl.when(outside).then(None).otherwise(pl.col(name)).alias(name)
        for name, dtype in series.schema.items()
        if name != column and dtype.is_numeric()
    )
