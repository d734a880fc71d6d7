"""Select the money rows of a period for the marketing KPIs: spend, with
reporting windows shared out over their days, and revenue from orders or
won deals. Both come back in one currency, with the rows left out counted
per reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from kpi_core.errors import MissingColumnError
from kpi_core.formatting import count_noun, line_list
from kpi_core.money import convert_amounts
from kpi_core.period import Period
from kpi_core.schema import deal_status_expr
from kpi_core.spend_tables import SOURCE_COLUMN

# A spend table with at least this share of its dated rows on the first of a
# month, but not all, gets a warning that it is read day by day.
_MONTHLY_SHARE = 0.8


@dataclass(frozen=True)
class MoneyRows:
    """Rows of one period with ``amount`` in the currency ``unit``."""

    frame: pl.DataFrame
    unit: str
    excluded: dict[str, int]


def key_of(label: pl.Expr) -> pl.Expr:
    """Return the matching key of a campaign or channel label: trimmed, with
    each run of spaces as one and in lower case, so "Google  Paid " in the
    spend matches "google paid". Letters are compared in one Unicode form,
    because macOS writes "é" as "e" and a combining accent. Invisible
    characters pasted from web pages are dropped, and typographic
    apostrophes, quotes and dashes read as ', " and -.

    A column has few distinct names, so the keys are computed once per
    name, which took a million campaign cells from 0.28 s to 0.04 s.
    """
    return label.cast(pl.String).map_batches(
        _keys, return_dtype=pl.String, is_elementwise=True
    )


def _keys(labels: pl.Series) -> pl.Series:
    distinct = labels.unique().drop_nulls()
    keys = pl.DataFrame({"label": distinct}).select(_key(pl.col("label")))
    return labels.replace_strict(distinct, keys.to_series(), default=None)


def _key(text: pl.Expr) -> pl.Expr:
    # Word processors turn ' " and - into typographic quotes and dashes, and
    # German keyboards type the acute accent as an apostrophe. The accent is
    # replaced first, because NFKC makes it a space and a combining accent.
    apostrophes = r"[\u2018\u2019\u201A\u201B\u2032\u02BC\u00B4`\u2039\u203A]"
    text = text.str.replace_all(apostrophes, "'").str.replace_all("\u2033", '"')
    text = text.str.normalize("NFKC")
    # Zero-width characters, direction marks and isolates, the Arabic letter
    # mark and soft hyphens are invisible.
    invisible = (
        r"[\u200B-\u200F\u202A-\u202E\u2060-\u2069\u061C\uFEFF\u00AD"
        r"\u034F\u180E]"
    )
    text = text.str.replace_all(invisible, "")
    text = text.str.replace_all(r"[\u201C-\u201F\u00AB\u00BB]", '"')
    text = text.str.replace_all(r"[\u2010-\u2015\u2212]", "-")
    text = text.str.strip_chars().str.replace_all(r"\s+", " ")
    return text.str.to_lowercase()


def attribution_column(frame: pl.DataFrame, candidates: tuple[str, ...]) -> str | None:
    """Return the first of ``candidates`` that is a column of ``frame``."""
    return next((name for name in candidates if name in frame.columns), None)


def spend_in_period(
    spend: pl.DataFrame,
    period: Period,
    currency: str | None,
    fx: dict[str, float] | None,
) -> MoneyRows:
    """Return the spend rows that fall in the period, amounts in one currency.

    A row covers the window of ``spend_windows``. A window reaching past
    the period counts with the share of its days inside it. Rows without
    any date are kept for all data and left out, counted, for an explicit
    period.
    """
    _require_amount(spend, "marketing spend")
    frame = spend.with_columns(spend_windows(spend))
    reason = (
        pl.when(pl.col("amount").is_null())
        .then(pl.lit("no amount"))
        .when(pl.col("window_start").is_null() & pl.lit(not period.is_all))
        .then(pl.lit("no spend date"))
        .when(pl.col("window_end") < pl.col("window_start"))
        .then(pl.lit("reporting window ends before it starts"))
    )
    rows, excluded = _split(frame, reason)
    converted = _converted(rows, currency, fx, excluded)
    shared = converted.frame.with_columns(share=_share_inside(period)).filter(
        pl.col("share") > 0
    )
    shared = shared.with_columns(pl.col("amount") * pl.col("share"))
    return MoneyRows(shared, converted.unit, converted.excluded)


def spend_dates(spend: pl.DataFrame) -> tuple[date, date] | None:
    """Return the first and last day that the spend rows cover (their
    ``spend_windows``), or None when no row has a date."""
    first, last = spend_windows(spend)
    start, end = spend.select(first.min(), last.max()).row(0)
    if start is None or end is None:
        return None
    return start, end


def revenue_rows(
    orders_or_deals: pl.DataFrame,
    period: Period,
    currency: str | None,
    fx: dict[str, float] | None,
) -> MoneyRows:
    """Return the revenue rows of the period: orders by ordered_at, or won
    deals by closed_at. Rows without an amount, and rows without that date
    in an explicit period, are left out and counted."""
    inside, excluded = _revenue_inside(orders_or_deals, period)
    return _converted(inside, currency, fx, excluded)


def unconverted_revenue_rows(
    orders_or_deals: pl.DataFrame, period: Period
) -> pl.DataFrame:
    """Return the rows ``revenue_rows`` picks for the period, with their
    amounts as written, for counting purchases and customers without an
    exchange rate."""
    return _revenue_inside(orders_or_deals, period)[0]


def _revenue_inside(
    orders_or_deals: pl.DataFrame, period: Period
) -> tuple[pl.DataFrame, dict[str, int]]:
    frame, anchor = _revenue_source(orders_or_deals)
    _require_amount(frame, "orders or deals")
    missing_date = "no order date" if anchor == "ordered_at" else "no close date"
    reason = (
        pl.when(pl.col("amount").is_null())
        .then(pl.lit("no amount"))
        .when(pl.col(anchor).is_null() & pl.lit(not period.is_all))
        .then(pl.lit(missing_date))
    )
    rows, excluded = _split(frame, reason)
    return rows.filter(period.contains(anchor)), excluded


def no_revenue_reason(orders_or_deals: pl.DataFrame, period: Period) -> str:
    """Say why the period has no revenue rows: its orders or won deals have
    no amount, or it has none."""
    frame, anchor = _revenue_source(orders_or_deals)
    without = frame.filter(pl.col("amount").is_null() & period.contains(anchor))
    if without.is_empty():
        return "no won deals or orders in this period"
    rows = count_noun(without.height, "order" if anchor == "ordered_at" else "won deal")
    return f"none of the {rows} of this period has an amount"


def undated_revenue_reason(orders_or_deals: pl.DataFrame) -> str | None:
    """Name why no period can hold revenue when none of the revenue rows with
    an amount has its date (order date, or a won deal's close date), or
    return None."""
    frame, anchor = _revenue_source(orders_or_deals)
    with_amount = frame.filter(pl.col("amount").is_not_null())
    total = with_amount.height
    if total == 0 or with_amount[anchor].null_count() < total:
        return None
    if anchor == "ordered_at":
        rows, column = count_noun(total, "order"), "ordered_at"
        date_name = "an order date"
    else:
        rows, column = count_noun(total, "won deal"), "closed_at"
        date_name = "a close date"
    return (
        f"none of the {rows} with an amount has {date_name}, so no period can "
        f"place them. Map the column with those dates to {column} on the Data "
        "page"
    )


def _revenue_source(frame: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    if "ordered_at" in frame.columns:
        return frame, "ordered_at"
    if "closed_at" not in frame.columns:
        raise MissingColumnError(
            "revenue needs orders with an order date (ordered_at) or deals with "
            "a close date (closed_at); map one of these columns",
            column="ordered_at",
        )
    return frame.filter(won_deal(frame)), "closed_at"


def won_deal(deals: pl.DataFrame) -> pl.Expr:
    """Return an expression that is true for won deals, read from status or,
    without that column, from stage."""
    if "status" in deals.columns:
        label = pl.col("status")
    elif "stage" in deals.columns:
        label = pl.col("stage")
    else:
        raise MissingColumnError(
            "the deals have no status or stage column, so won deals cannot be "
            "told apart; map the deal stage or status",
            column="status",
        )
    return deal_status_expr(label.cast(pl.String)) == "won"


def _require_amount(frame: pl.DataFrame, table: str) -> None:
    if "amount" not in frame.columns:
        raise MissingColumnError(
            f"the {table} table has no amount column; map the column with the "
            "money amounts",
            column="amount",
        )


def spend_windows(spend: pl.DataFrame) -> tuple[pl.Expr, pl.Expr]:
    """Return the first and last day each spend row covers, as expressions
    named window_start and window_end.

    A row covers its spent_at day, else the window period_start to
    period_end (Meta's "Reporting starts"/"Reporting ends"). The day comes
    first because an export broken down by day repeats the whole report's
    window on every row. A table whose every spent_at falls on the first of
    a month, over two months or more, is a monthly or quarterly report when
    its two closest rows lie one or three months apart. Each of its rows
    then covers that many whole months: one, or three for rows on 1
    January, 1 April and so on. A table whose every row's day starts its
    window covers the windows. Spend tables added up by ``combine_spend``
    are judged one by one.
    """
    first = _first_date(spend, ("spent_at", "period_start", "period_end"))
    last = _first_date(spend, ("spent_at", "period_end", "period_start"))
    if "spent_at" in spend.columns:
        day = pl.col("spent_at").cast(pl.Date)
        months = day.dt.year().cast(pl.Int32) * 12 + day.dt.month().cast(pl.Int32)
        periodic = (day.dt.day() == 1).all() & (months.n_unique() >= 2)
        # Months between the closest two rows: 1 for a monthly report, 3 for
        # a quarterly one. Each row covers that many months.
        step = months.unique().sort().diff().min()
        if SOURCE_COLUMN in spend.columns:
            periodic = periodic.over(SOURCE_COLUMN)
            step = step.over(SOURCE_COLUMN)
        # Rows further apart, such as two firsts of months years apart, are
        # no report of either kind, so they stay days.
        periodic = periodic & step.is_in([1, 3])
        covered = day.dt.offset_by(pl.format("{}mo", step)).dt.offset_by("-1d")
        last = pl.when(periodic & day.is_not_null()).then(covered).otherwise(last)
        month_rows = (day.dt.day() == 1).all()
        if SOURCE_COLUMN in spend.columns:
            month_rows = month_rows.over(SOURCE_COLUMN)
        first, last = _within_report(spend, first, last, month_rows)
        last = _window_when_day_starts_it(spend, day, last)
    return first.alias("window_start"), last.alias("window_end")


def _window_when_day_starts_it(
    spend: pl.DataFrame, day: pl.Expr, last: pl.Expr
) -> pl.Expr:
    """Return the window's end as the last day of rows whose day is the
    start of their window, when every row of the table is such a row.

    A Meta report of February broken down by month has one row with the
    month 1 February and the window 1 to 28 February: it is the spend of
    the month. In a breakdown by day only the first day's rows start the
    window, so such a table keeps its days.
    """
    if "period_start" not in spend.columns or "period_end" not in spend.columns:
        return last
    window_end = pl.col("period_end").cast(pl.Date)
    starts = (day == pl.col("period_start").cast(pl.Date)) & (window_end > day)
    every = starts.fill_null(False).all()
    if SOURCE_COLUMN in spend.columns:
        every = every.over(SOURCE_COLUMN)
    return pl.when(every & starts.fill_null(False)).then(window_end).otherwise(last)


def _within_report(
    spend: pl.DataFrame, first: pl.Expr, last: pl.Expr, month_rows: pl.Expr
) -> tuple[pl.Expr, pl.Expr]:
    """Cut each row's days to the report's window where both are given.

    Meta repeats the report's "Reporting starts" and "Reporting ends" on
    every row of a breakdown by month, so a report from 15 January to
    14 March has a January row that covers 15 to 31 January only. In a
    table whose every day is the first of a month (``month_rows``), a row
    wholly outside its window covers the window. Its day names the month,
    as the month 1 February of a window from 10 to 28 February does. A daily
    row keeps its day, also one after a campaign's flight dates.
    """
    if "period_start" not in spend.columns and "period_end" not in spend.columns:
        return first, last
    start, end = first, last
    window_start, window_end = first, last
    if "period_start" in spend.columns:
        window_start = pl.col("period_start").cast(pl.Date)
        start = pl.max_horizontal(first, window_start)
    if "period_end" in spend.columns:
        window_end = pl.col("period_end").cast(pl.Date)
        end = pl.min_horizontal(last, window_end)
    overlaps = start <= end
    month_label = ~overlaps & month_rows
    return (
        pl.when(overlaps)
        .then(start)
        .when(month_label)
        .then(window_start)
        .otherwise(first),
        pl.when(overlaps).then(end).when(month_label).then(window_end).otherwise(last),
    )


def month_start_warning(
    spend: pl.DataFrame, column: str, lines: pl.Series
) -> str | None:
    """Warn when most spend rows without a window fall on the first of a
    month but some do not, naming the first of those ``lines``.

    ``spend_windows`` reads such a table day by day, so each row of what
    looks like a monthly report counts on its first day only. ``column`` is
    the header mapped to spent_at.
    """
    if "spent_at" not in spend.columns:
        return None
    day = spend["spent_at"].cast(pl.Date)
    undated = day.is_null()
    day = day.filter(~undated)
    on_first = day.dt.day() == 1
    firsts = int(on_first.sum())
    if not firsts or firsts == day.len() or firsts / day.len() < _MONTHLY_SHARE:
        return None
    if day.filter(on_first).dt.truncate("1mo").n_unique() < 2:
        return None

    others = lines.filter(~undated).filter(~on_first)
    if others.len() == 1:
        off = f"the row on line {line_list(others)} does not"
    else:
        off = f"the {others.len():,} rows on lines {line_list(others)} do not"
    return (
        f"{firsts:,} of {day.len():,} spend rows have a {column!r} on the first "
        f"of a month, but {off}, so every row counts as the spend of its own "
        "day instead of its whole month. If the file is a monthly report, set "
        "those dates to the first of their month and upload it again."
    )


def _first_date(frame: pl.DataFrame, candidates: tuple[str, ...]) -> pl.Expr:
    present = [
        pl.col(name).cast(pl.Date) for name in candidates if name in frame.columns
    ]
    if not present:
        return pl.lit(None, dtype=pl.Date)
    return pl.coalesce(present)


def _share_inside(period: Period) -> pl.Expr:
    """Return the share of each row's window that lies inside the period."""
    if period.is_all:
        return pl.lit(1.0)
    start, end = pl.col("window_start"), pl.col("window_end")
    low = pl.max_horizontal(start, pl.lit(period.start)) if period.start else start
    high = pl.min_horizontal(end, pl.lit(period.end)) if period.end else end
    inside = ((high - low).dt.total_days() + 1).clip(lower_bound=0)
    length = (end - start).dt.total_days() + 1
    return (inside / length).fill_null(0.0)


def _split(frame: pl.DataFrame, reason: pl.Expr) -> tuple[pl.DataFrame, dict[str, int]]:
    """Drop the rows that have a reason and count them per reason."""
    marked = frame.with_columns(reason=reason)
    counts = marked.filter(pl.col("reason").is_not_null()).group_by("reason").len()
    excluded = {row["reason"]: int(row["len"]) for row in counts.iter_rows(named=True)}
    return marked.filter(pl.col("reason").is_null()).drop("reason"), excluded


def _converted(
    frame: pl.DataFrame,
    currency: str | None,
    fx: dict[str, float] | None,
    excluded: dict[str, int],
) -> MoneyRows:
    converted, unit, without_code = convert_amounts(frame, currency, fx)
    if without_code:
        excluded = {**excluded, "no currency while other rows have one": without_code}
        converted = converted.filter(pl.col("amount").is_not_null())
    return MoneyRows(converted, unit, excluded)
