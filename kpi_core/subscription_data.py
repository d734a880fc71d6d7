"""Turn a canonical subscriptions table into the rows the subscription KPIs use.

A dated table becomes one row per usable subscription: customer_id,
customer_key (see ``customer_keys``), repeated_customer (see
``repeated_customer``), started_at, ended_at, stops_at (ended_at, a day
later where the customer's next subscription starts then, or a far date
while it runs, see ``_stop_days``), mrr (the monthly charge in the report
currency) and upgraded. A snapshot list
becomes customer_id, churned and mrr. Rows that cannot be used are counted
per reason in ``excluded``, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from kpi_core.billing_intervals import (
    interval_months,
    is_known_interval,
    is_one_time,
)
from kpi_core.date_values import convert_unique
from kpi_core.errors import MissingColumnError
from kpi_core.formatting import count_noun
from kpi_core.money import convert_amounts
from kpi_core.period import Period
from kpi_core.reuse import reuse_last_result

# Stripe and Chargebee statuses of subscriptions not paid for yet.
UNPAID_STATUSES = frozenset(
    {"trialing", "in_trial", "incomplete", "incomplete_expired"}
)
# Statuses of a paused subscription (Chargebee, Stripe and German), which
# charges nothing while its customer stays a customer.
PAUSED_STATUSES = frozenset({"paused", "pausiert", "ruhend"})
# Statuses of a subscription that still runs although a cancellation date is
# set, because it was canceled for the end of its billing period.
RUNNING_STATUSES = frozenset(
    {"active", "trialing", "in_trial", "past_due", "unpaid", "non_renewing", "aktiv"}
)
TRUE_FLAGS = frozenset({"yes", "y", "true", "1", "1.0", "ja", "j", "wahr", "x"})
FALSE_FLAGS = frozenset({"no", "n", "false", "0", "0.0", "nein", "falsch"})
# A customer list often gives its churn as a status ("Aktiv", "Gekündigt")
# instead of yes or no, so the churned flag reads these words too.
CHURNED_WORDS = frozenset(
    {"churned", "canceled", "cancelled", "gekündigt", "gekuendigt", "abgewandert",
     "inactive", "inaktiv", "ended", "beendet"}
)  # fmt: skip
# A paused customer has not churned (see ``_paused``).
RETAINED_WORDS = frozenset(
    {"active", "aktiv", "retained", "current", "laufend", "paused", "pausiert"}
)
UPGRADE_EVENTS = frozenset(
    {
        "upgrade",
        "expansion",
        "upsell",
        "cross-sell",
        "add-on",
        "addon",
        "hochstufung",
        "erweiterung",
    }
)
# Columns of labels that rules read per distinct value (see ``_by_label``).
LABEL_COLUMNS = ("status", "interval", "event")
NO_END = date(9999, 12, 31)
# The reason a row without a monthly charge whose interval is unknown is
# left out of the KPIs that need an amount, as a row without an amount is.
UNKNOWN_INTERVAL_REASON = "unknown billing interval"
DAY = timedelta(days=1)


@dataclass(frozen=True)
class PreparedSubscriptions:
    """Usable subscription rows, their currency and the rows left out."""

    frame: pl.DataFrame
    unit: str
    excluded: dict[str, int]


def require_customer_id(subs: pl.DataFrame) -> None:
    """Raise MissingColumnError unless the table has a customer_id column."""
    if "customer_id" not in subs.columns:
        raise MissingColumnError(
            "the subscriptions table has no customer_id column; map the column "
            "that identifies the customer or account",
            column="customer_id",
        )


def is_snapshot(subs: pl.DataFrame) -> bool:
    """Tell a customer list without dates from a table of dated subscriptions.

    A table with start dates whose churned flags have no end or cancellation
    date anywhere is a customer list too (see ``has_undated_churn``).
    """
    if "started_at" not in subs.columns:
        return True
    if subs.height > 0 and subs["started_at"].null_count() == subs.height:
        return True
    return has_undated_churn(subs)


UNDATED_CHURN_NOTE = (
    "The churned flags have no end or cancellation date, so the table is read "
    "as a customer list: the rate is the share of all its customers who "
    "churned, whatever the period. Map the end or cancellation date column to "
    "see churn per period."
)


def flagged_without_end(subs: pl.DataFrame) -> int:
    """Count the dated subscriptions flagged churned that have no end or
    cancellation date, which the dated KPIs count as running."""
    if "churned" not in subs.columns or "started_at" not in subs.columns:
        return 0
    flagged = flag(subs, "churned").fill_null(False)
    undated = _end_date(subs).is_null() & pl.col("started_at").is_not_null()
    return int(subs.select((flagged & undated).sum()).item())


def has_undated_churn(subs: pl.DataFrame) -> bool:
    """Tell whether ``subs`` flags customers as churned but has no end or
    cancellation date in any row.

    Read by their start dates, such customers would never leave, so every
    period would show no churn and their charges would stay in the ARR.
    """
    if "churned" not in subs.columns or subs.is_empty():
        return False
    # A list without start dates is a customer list anyway.
    if "started_at" not in subs.columns or subs["started_at"].is_null().all():
        return False
    for column in ("ended_at", "canceled_at"):
        if column in subs.columns and subs[column].null_count() < subs.height:
            return False
    return bool(subs.select(flag(subs, "churned").any()).item())


def has_charge_column(subs: pl.DataFrame) -> bool:
    """Tell whether ``subs`` has a column the monthly charge is read from."""
    return "monthly_charge" in subs.columns or "amount" in subs.columns


def period_bounds(
    prepared: pl.DataFrame, period: Period, today: date | None = None
) -> tuple[date, date]:
    """Resolve open period ends to the first start date and the latest
    recorded date. ``prepared`` must have at least one row.

    Start and end dates after ``today`` (default: the current date) are
    planned, such as a contract that runs to next March, so an open end
    stops at the latest date up to today. Otherwise "all data" would measure
    the ARR on a day still to come and count such a contract as churned.
    """
    limit = today or date.today()
    start = period.start or prepared["started_at"].min()
    end = period.end
    if end is None:
        recorded = [
            days.filter(days <= limit).max()
            for days in (prepared["started_at"], prepared["ended_at"])
        ]
        end = max((day for day in recorded if day is not None), default=start)
    return start, max(end, start)


def mrr_on_days(prepared: pl.DataFrame, days: pl.Series) -> pl.DataFrame:
    """Return customer_id, day and mrr for every customer active at the close
    of each day. Customers not active on a day have no row for it.

    Meant for a few days (the callers ask for one or two): each day is one
    filter over the subscriptions.
    """
    on_each_day = [
        prepared.filter(runs_on(pl.lit(day))).select(
            "customer_id", pl.lit(day, dtype=pl.Date).alias("day"), "mrr"
        )
        for day in days.unique().drop_nulls().sort()
    ]
    if not on_each_day:
        empty = pl.lit(None, pl.Date).alias("day")
        return prepared.select("customer_id", empty, "mrr").clear()
    active = pl.concat(on_each_day)
    return active.group_by("customer_id", "day").agg(pl.col("mrr").sum())


def with_customer_key(prepared: pl.DataFrame) -> pl.DataFrame:
    """Add ``customer_key`` (see ``customer_keys``) unless the frame has it."""
    if "customer_key" in prepared.columns:
        return prepared
    return prepared.with_columns(customer_keys(prepared))


def customer_keys(frame: pl.DataFrame) -> pl.Series:
    """Return a UInt64 customer_key per row that is equal exactly where
    customer_id is equal, for grouping, sorting and joining by customer."""
    return _keys_and_repeats(frame)[0]


def repeated_customer(frame: pl.DataFrame) -> pl.Expr:
    """Return an expression that is true on rows of a customer with other
    rows, and false on the only row of a customer.

    A prepared frame carries this as repeated_customer, counted over the
    whole table it was prepared from, so a row marked false is also its
    customer's only row in any subset of that frame. Other frames with a
    customer_key are checked here.
    """
    if "repeated_customer" in frame.columns:
        return pl.col("repeated_customer")
    return pl.col("customer_key").is_duplicated()


def _keys_and_repeats(frame: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """Return ``customer_keys`` and repeated_customer of each row.

    Grouping on a 64-bit hash of the id takes about half the time of
    grouping on the text. When two ids of the frame share a hash, the dense
    rank of the ids is used instead. Two such ids are both on rows whose
    hash occurs more than once, so only those rows are checked.
    """
    ids = frame.get_column("customer_id")
    hashed = ids.hash()
    repeated = hashed.is_duplicated().alias("repeated_customer")
    if hashed.filter(repeated).n_unique() == ids.filter(repeated).n_unique():
        return hashed.alias("customer_key"), repeated
    # NOTE: no test reaches this branch, because it needs two ids whose
    # 64-bit hashes are equal.
    ranks = ids.rank("dense").cast(pl.UInt64).alias("customer_key")
    return ranks, ranks.is_duplicated().alias("repeated_customer")


def ended_before_started() -> pl.Expr:
    """Return an expression that is true where a subscription's end date
    comes before its start date, both taken as days."""
    return pl.col("ended_at").cast(pl.Date) < pl.col("started_at").cast(pl.Date)


def canceled_before_started() -> pl.Expr:
    """Return an expression that is true where a subscription's cancel date
    comes before its start date, both taken as days. It ends the
    subscription only where ``cancel_ends`` is true."""
    return pl.col("canceled_at").cast(pl.Date) < pl.col("started_at").cast(pl.Date)


def cancel_ends(subs: pl.DataFrame) -> pl.Expr:
    """Return an expression that is true where the cancel date is a
    subscription's end: it has a cancel date, no end date, and no status
    that marks it as still running (canceled for the end of its term)."""
    if "canceled_at" not in subs.columns:
        return pl.lit(False)
    ends = pl.col("canceled_at").is_not_null()
    if "ended_at" in subs.columns:
        ends = ends & pl.col("ended_at").is_null()
    if "status" in subs.columns:
        still_running = _by_label(subs, "status", _is_label_in(RUNNING_STATUSES))
        ends = ends & ~still_running
    return ends


def runs_on(day: pl.Expr) -> pl.Expr:
    """Return an expression that is true where a prepared subscription runs at
    the close of ``day``: it started on or before that day and stops after
    it (stops_at, see ``_stop_days``)."""
    return (pl.col("started_at") <= day) & (pl.col("stops_at") > day)


def starts_renewal(subs: pl.DataFrame, day: date) -> pl.Expr:
    """Return an expression that is true on the rows of ``subs`` that start
    to pay the day after ``day`` while another row of the same customer ends
    on ``day``. Such a renewal keeps the ended subscription running through
    ``day`` (see ``_stop_days``). The expression is false on every row when
    ``subs`` has no customer_id or started_at column."""
    if "customer_id" not in subs.columns or "started_at" not in subs.columns:
        return pl.lit(False)
    ending = subs.filter((_end_date(subs) == day).fill_null(False))
    customers = ending.get_column("customer_id").drop_nulls().implode()
    next_morning = (_paid_from(subs) == day + DAY).fill_null(False)
    return next_morning & pl.col("customer_id").is_in(customers)


def flag(frame: pl.DataFrame, column: str) -> pl.Expr:
    """Read a yes/no column (Yes/No, True/False, 1/0, Ja/Nein) as Boolean,
    and the churned flag's status words too (see ``CHURNED_WORDS``).
    Empty cells stay null."""
    if frame.schema[column] == pl.Boolean:
        return pl.col(column)
    text = pl.col(column).cast(pl.String).str.strip_chars().str.to_lowercase()
    true_words, _ = _flag_words(column)
    return (
        pl.when(text.is_null() | (text == ""))
        .then(None)
        .otherwise(text.is_in(list(true_words)))
    )


def _flag_words(column: str) -> tuple[frozenset[str], frozenset[str]]:
    """Return the words that read as yes and as no in ``column``."""
    if column == "churned":
        return TRUE_FLAGS | CHURNED_WORDS, FALSE_FLAGS | RETAINED_WORDS
    return TRUE_FLAGS, FALSE_FLAGS


def is_flag_value(frame: pl.DataFrame, column: str) -> pl.Expr:
    """Return an expression that is true where a cell reads as yes or no, so
    an id, date or free text mapped as a flag is caught. Empty cells are null."""
    if frame.schema[column] == pl.Boolean:
        return pl.col(column).is_not_null()
    text = pl.col(column).cast(pl.String).str.strip_chars().str.to_lowercase()
    true_words, false_words = _flag_words(column)
    return (
        pl.when(text.is_null() | (text == ""))
        .then(None)
        .otherwise(text.is_in(list(true_words | false_words)))
    )


def upgrade_flag(frame: pl.DataFrame) -> pl.Expr:
    """Return an expression that is true for a subscription that is an
    upgrade: flagged in ``upgraded`` or with an upgrade ``event``."""
    upgraded = pl.lit(False)
    if "upgraded" in frame.columns:
        upgraded = flag(frame, "upgraded").fill_null(False)
    if "event" in frame.columns:
        upgraded = upgraded | _by_label(frame, "event", _is_label_in(UPGRADE_EVENTS))
    return upgraded


def prepare(
    subs: pl.DataFrame,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
    *,
    need_amount: bool = True,
) -> PreparedSubscriptions:
    """Prepare a snapshot list or a dated table, whichever ``subs`` is."""
    if is_snapshot(subs):
        return prepare_snapshot(subs, currency, fx, need_amount=need_amount)
    return prepare_dated(subs, currency, fx, need_amount=need_amount)


def customer_mrr(prepared: pl.DataFrame, on: date) -> pl.DataFrame:
    """Return customer_id and mrr of every customer active at the close of
    ``on``. In a prepared snapshot list these are the customers not churned."""
    if "churned" in prepared.columns:
        active = prepared.filter(~pl.col("churned"))
    else:
        active = prepared.filter(runs_on(pl.lit(on)))
    if "customer_key" not in active.columns:
        totals = active.group_by("customer_id").agg(pl.col("mrr").sum())
        return totals.sort("customer_id")
    totals = active.group_by("customer_key").agg(
        pl.col("customer_id").first(), pl.col("mrr").sum()
    )
    # A single-threaded sort of text took half the CPU time of the default
    # on the 155,373 ids of the benchmark's scale-1 data (Polars 2.1, 2 cores).
    return totals.sort("customer_id", multithreaded=False).drop("customer_key")


def prepare_dated(
    subs: pl.DataFrame,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
    *,
    need_amount: bool = True,
) -> PreparedSubscriptions:
    """Prepare a table with start dates. Without ``need_amount`` rows without
    an amount are kept (mrr null), for KPIs that only count customers.

    The KPIs of one page all prepare the same frame, so the last result of
    each kind is reused for the same frame object and equal settings.
    """
    require_customer_id(subs)
    if need_amount:
        (frame, unit), excluded = _priced_dated(subs, currency, fx)
    else:
        (frame, unit), excluded = _counted_dated(subs)
    return PreparedSubscriptions(frame, unit, excluded)


@reuse_last_result
def _priced_dated(
    subs: pl.DataFrame, currency: str | None, fx: dict[str, float] | None
) -> tuple[tuple[pl.DataFrame, str], dict[str, int]]:
    return _dated(subs, currency, fx, need_amount=True)


@reuse_last_result
def _counted_dated(
    subs: pl.DataFrame,
) -> tuple[tuple[pl.DataFrame, str], dict[str, int]]:
    """Prepare for KPIs that only count customers: no currency is involved."""
    return _dated(subs, None, None, need_amount=False)


def _dated(
    subs: pl.DataFrame,
    currency: str | None,
    fx: dict[str, float] | None,
    *,
    need_amount: bool,
) -> tuple[tuple[pl.DataFrame, str], dict[str, int]]:
    frame, _ = _marked_dated(subs)
    if need_amount:
        no_amount = pl.col("reason").is_null() & pl.col("mrr").is_null()
        frame = frame.with_columns(
            reason=pl.when(no_amount & pl.col("interval_unknown"))
            .then(pl.lit(UNKNOWN_INTERVAL_REASON))
            .when(no_amount)
            .then(pl.lit("no amount"))
            .otherwise("reason")
        )
    excluded = _count_reasons(frame)
    columns = [
        "customer_id",
        "customer_key",
        "repeated_customer",
        "started_at",
        "ended_at",
        "upgraded",
    ]
    if "currency" in frame.columns:
        columns.append("currency")
    frame = frame.filter(pl.col("reason").is_null())
    frame = frame.select(*columns, stops_at=_stop_days(frame), amount=pl.col("mrr"))
    prepared = _converted(frame, currency, fx, excluded, need_amount)
    return (prepared.frame, prepared.unit), prepared.excluded


def _stop_days(usable: pl.DataFrame) -> pl.Series:
    """Return stops_at of each usable row: the first day at whose close the
    subscription no longer runs.

    That is the end date, or ``NO_END`` while it runs. A contract renewed
    without a gap often states the last day it runs as its end, such as
    "Vertragsende 31.03.2025" before "Vertragsbeginn 01.04.2025". So where
    another usable subscription of the same customer starts the day after
    the end date and runs for at least a day, this one stops on that start
    day instead. The customer is then active at the close of the end day,
    and the MRR moves to the new charge on the new start day.
    """
    ended = pl.col("ended_at")
    stops = ended.fill_null(NO_END)
    # A customer's only row has no other row to continue it.
    repeated = usable.with_row_index("row").filter(pl.col("repeated_customer"))
    runs_a_day = ended.is_null() | (ended > pl.col("started_at"))
    next_starts = repeated.filter(runs_a_day).select(
        "customer_key", next_start="started_at"
    )
    renewed = (
        repeated.filter(ended.is_not_null())
        .with_columns(next_start=ended + DAY)
        .join(next_starts, on=["customer_key", "next_start"], how="semi")
    )
    renewed_row = pl.int_range(pl.len(), dtype=pl.UInt32).is_in(
        renewed["row"].implode()
    )
    return usable.select(
        pl.when(renewed_row).then(ended + DAY).otherwise(stops).alias("stops_at")
    ).to_series()


@reuse_last_result
def _marked_dated(subs: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    """Return every row with its dates, monthly charge, upgrade flag and the
    reason it cannot be used, "no amount" and ``UNKNOWN_INTERVAL_REASON``
    aside because only some KPIs need an amount. The priced and the counting
    preparation both start here."""
    keys, repeated = _keys_and_repeats(subs)
    frame = subs.select(
        "customer_id",
        keys,
        repeated,
        started_at=_paid_from(subs),
        trial_only=_trial_only(subs),
        ended_at=_end_date(subs),
        mrr=pl.when(_paused(subs)).then(0.0).otherwise(_monthly_charge(subs)),
        upgraded=upgrade_flag(subs),
        unpaid=_unpaid(subs),
        one_time=_is_one_time(subs),
        interval_unknown=_interval_unknown(subs),
        **_currency_column(subs),
    )
    return frame.with_columns(reason=_dated_reason()).drop(
        "unpaid", "one_time", "trial_only"
    ), {}


def paying_starts(subs: pl.DataFrame) -> pl.DataFrame:
    """Return customer_id and started_at, the first day it pays, of each
    dated subscription that pays, for the customers it acquires.

    The rows are those the ARR counts (see ``_dated_reason``), without those
    that charge nothing or have no charge where the table has a charge
    column, such as a free plan. A paused subscription counts by the charge
    it paid before its pause, which the ARR sets to 0.
    """
    # ``_marked_dated`` keeps the rows of ``subs`` in their order.
    frame, _ = _marked_dated(subs)
    usable = frame["reason"].is_null()
    if has_charge_column(subs):
        # A price's sign does not depend on its interval, so a subscription
        # whose interval is unknown pays when its price is above 0.
        charge = pl.coalesce(_monthly_charge(subs), _price(subs))
        charged = (charge > 0).fill_null(False)
        usable = usable & subs.select(charged).to_series()
    return frame.filter(usable).select("customer_id", "started_at")


def _paid_from(subs: pl.DataFrame) -> pl.Expr:
    """Return the day a subscription starts to pay: its start, or the end
    of its free trial when that is later (Stripe's "Start" is the trial's
    start)."""
    started = pl.col("started_at").cast(pl.Date)
    if "trial_ended_at" not in subs.columns:
        return started
    return pl.max_horizontal(started, pl.col("trial_ended_at").cast(pl.Date))


def ended_in_trial(subs: pl.DataFrame) -> int:
    """Count the subscriptions that ended by the end of their free trial,
    which the KPIs leave out as never paid."""
    if "trial_ended_at" not in subs.columns or "started_at" not in subs.columns:
        return 0
    return int(subs.select(_trial_only(subs).sum()).item())


def _trial_only(subs: pl.DataFrame) -> pl.Expr:
    """Mark the subscriptions that ended by the end of their free trial, so
    they never paid."""
    if "trial_ended_at" not in subs.columns:
        return pl.lit(False)
    trial_end = pl.col("trial_ended_at").cast(pl.Date)
    return (_end_date(subs) <= trial_end).fill_null(False)


def prepare_snapshot(
    subs: pl.DataFrame,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
    *,
    need_amount: bool = True,
) -> PreparedSubscriptions:
    """Prepare a customer list without dates, which needs a churned flag.

    Rows whose flag is not yes/no, true/false or 1/0 (Ja/Nein) are left out
    and counted, because another column mapped as the flag would otherwise
    read as "not churned". With ``need_amount``, so are rows without a
    monthly charge or with a negative one.
    """
    require_customer_id(subs)
    if "churned" not in subs.columns:
        raise MissingColumnError(
            "the subscriptions have no start dates and no churned flag; map a "
            "start date column, or a churn flag column for a customer list "
            "without dates",
            column="churned",
        )
    reason = (
        pl.when(pl.col("customer_id").is_null())
        .then(pl.lit("no customer id"))
        .when(flag(subs, "churned").is_null())
        .then(pl.lit("no churned flag"))
        .when(~is_flag_value(subs, "churned"))
        .then(pl.lit("churned flag is not yes/no, true/false, 1/0 or active/churned"))
        .when(pl.lit(need_amount) & _interval_unknown(subs))
        .then(pl.lit(UNKNOWN_INTERVAL_REASON))
        .when(pl.lit(need_amount) & _monthly_charge(subs).is_null())
        .then(pl.lit("no monthly charge"))
        .when(pl.lit(need_amount) & (_monthly_charge(subs) < 0))
        .then(pl.lit("negative monthly charge"))
    )
    frame = subs.with_columns(reason=reason)
    excluded = _count_reasons(frame)
    frame = frame.filter(pl.col("reason").is_null()).select(
        "customer_id",
        churned=flag(subs, "churned"),
        amount=_monthly_charge(subs),
        **_currency_column(subs),
    )
    return _converted(frame, currency, fx, excluded, need_amount)


def _by_label(
    subs: pl.DataFrame, column: str, rule: Callable[[pl.Expr], pl.Expr]
) -> pl.Expr:
    """Apply ``rule`` to the label of each cell of ``column``: its text
    trimmed and in lower case, or null for a null cell.

    A column of labels contains a few distinct values, so ``rule`` runs once
    per distinct value. Each result other than the one for a null cell then
    selects its cells with ``is_in``. On 330,793 status cells that took a
    third of the time of ``replace_strict`` (Polars 2.1).
    """
    values, labels = _label_cells(subs)[0][column]
    results = pl.DataFrame({"label": labels}).select(rule(pl.col("label"))).to_series()
    for_null = pl.select(rule(pl.lit(None, dtype=pl.String))).item()
    by_result = pl.lit(for_null, dtype=results.dtype)
    groups = pl.DataFrame({"value": values, "result": results}).group_by("result")
    cells = pl.col(column).cast(pl.String)
    for (result,), group in groups:
        if result != for_null:
            matches = cells.is_in(group.get_column("value").implode())
            literal = pl.lit(result, dtype=results.dtype)
            by_result = pl.when(matches).then(literal).otherwise(by_result)
    return by_result


@reuse_last_result
def _label_cells(
    subs: pl.DataFrame,
) -> tuple[dict[str, tuple[pl.Series, pl.Series]], dict[str, int]]:
    """Return the distinct non-null cells of each label column of ``subs``
    as text, with their labels (trimmed, lower case). One preparation reads
    status and interval for several rules, so they are read once per frame.
    """
    cells = {}
    for column in LABEL_COLUMNS:
        if column in subs.columns:
            values = subs.get_column(column).cast(pl.String).unique().drop_nulls()
            cells[column] = (values, values.str.strip_chars().str.to_lowercase())
    return cells, {}


def _is_label_in(labels: frozenset[str]) -> Callable[[pl.Expr], pl.Expr]:
    """Return a rule for ``_by_label`` that is true for labels in ``labels``
    and false for the others and for empty cells."""
    return lambda label: label.is_in(list(labels)).fill_null(False)


def _end_date(subs: pl.DataFrame) -> pl.Expr:
    """Take ended_at, else canceled_at unless the status marks the
    subscription as still running."""
    ended = _date_or_null(subs, "ended_at")
    if "canceled_at" not in subs.columns:
        return ended
    canceled = pl.when(cancel_ends(subs)).then(pl.col("canceled_at").cast(pl.Date))
    return pl.coalesce(ended, canceled)


def _date_or_null(subs: pl.DataFrame, column: str) -> pl.Expr:
    if column in subs.columns:
        return pl.col(column).cast(pl.Date)
    return pl.lit(None, dtype=pl.Date)


def _monthly_charge(subs: pl.DataFrame) -> pl.Expr:
    """Build the monthly charge: monthly_charge where given, else amount x
    quantity / months of the interval. A missing interval (column or cell)
    is taken as monthly, and an unknown one (``_interval_unknown``) gives
    no monthly charge."""
    price = _price(subs)
    if "amount" in subs.columns:
        price = price / _interval_months(subs)
    if "monthly_charge" in subs.columns:
        return pl.coalesce(pl.col("monthly_charge").cast(pl.Float64), price)
    return price


def _price(subs: pl.DataFrame) -> pl.Expr:
    """Return amount x quantity, the price of one billing interval, with an
    empty quantity taken as 1. Null without an amount column."""
    if "amount" not in subs.columns:
        return pl.lit(None, dtype=pl.Float64)
    quantity = pl.lit(1.0)
    if "quantity" in subs.columns:
        quantity = pl.col("quantity").cast(pl.Float64).fill_null(1.0)
    return pl.col("amount").cast(pl.Float64) * quantity


def _interval_months(subs: pl.DataFrame) -> pl.Expr:
    """Return the months one price covers, null for an unknown interval."""
    if "interval" not in subs.columns:
        return pl.lit(1.0)
    _values, labels = _label_cells(subs)[0]["interval"]
    months_by_label = {
        label: covered
        for label in labels
        if (covered := interval_months(label)) is not None
    }

    def months(label: pl.Expr) -> pl.Expr:
        per_interval = label.replace_strict(
            months_by_label, default=None, return_dtype=pl.Float64
        )
        empty = label.is_null() | (label == "")
        return pl.when(empty).then(1.0).otherwise(per_interval)

    return _by_label(subs, "interval", months)


def _interval_unknown(subs: pl.DataFrame) -> pl.Expr:
    """Return an expression that is true where the monthly charge is unknown
    because it has to come from the amount and the interval is one that
    ``is_known_interval`` rejects. The import keeps such rows and names
    them (``prepare._unknown_intervals``)."""
    if "interval" not in subs.columns or "amount" not in subs.columns:
        return pl.lit(False)
    _values, labels = _label_cells(subs)[0]["interval"]
    unknown_labels = frozenset(
        label for label in labels if not is_known_interval(label)
    )
    unknown = _by_label(subs, "interval", _is_label_in(unknown_labels))
    unknown = unknown & pl.col("amount").is_not_null()
    if "monthly_charge" in subs.columns:
        unknown = unknown & pl.col("monthly_charge").is_null()
    return unknown


def _is_one_time(subs: pl.DataFrame) -> pl.Expr:
    if "interval" not in subs.columns:
        return pl.lit(False)
    _values, labels = _label_cells(subs)[0]["interval"]
    one_time_labels = frozenset(label for label in labels if is_one_time(label))
    one_time = _by_label(subs, "interval", _is_label_in(one_time_labels))
    if "monthly_charge" in subs.columns:
        return one_time & pl.col("monthly_charge").is_null()
    return one_time


def _paused(subs: pl.DataFrame) -> pl.Expr:
    if "status" not in subs.columns:
        return pl.lit(False)
    return _by_label(subs, "status", _is_label_in(PAUSED_STATUSES))


def paused_warning(subs: pl.DataFrame, header: str) -> str | None:
    """Warn about the subscriptions whose status in column ``header`` marks
    them paused, which count as customers who pay nothing in every period,
    because an export gives the current status and not when the pause
    began. None when no subscription is paused."""
    # A status column has few distinct values, so each is checked once.
    is_paused = convert_unique(subs["status"], _paused_labels)[1]
    paused = int(is_paused.sum())
    if not paused:
        return None
    they = "It counts" if paused == 1 else "They count"
    return (
        f"{count_noun(paused, 'subscription')} in {header!r} "
        f"{'is' if paused == 1 else 'are'} paused. {they} as customers who "
        "pay nothing, also in periods before the pause, because the file does "
        "not say when it began. MRR, ARR and ARPA of earlier periods may "
        "therefore be too low."
    )


def _paused_labels(statuses: pl.Series) -> tuple[str, pl.Series]:
    labels = statuses.str.strip_chars().str.to_lowercase()
    return "", labels.is_in(list(PAUSED_STATUSES))


def _unpaid(subs: pl.DataFrame) -> pl.Expr:
    if "status" not in subs.columns:
        return pl.lit(False)
    return _by_label(subs, "status", _is_label_in(UNPAID_STATUSES))


def _dated_reason() -> pl.Expr:
    """Return the reason a row of ``_marked_dated`` cannot be used, or null.
    A row without an amount gets its reason later, where one is needed."""
    return (
        pl.when(pl.col("customer_id").is_null())
        .then(pl.lit("no customer id"))
        .when(pl.col("started_at").is_null())
        .then(pl.lit("no start date"))
        .when(pl.col("trial_only"))
        .then(pl.lit("trial that ended unpaid"))
        .when(ended_before_started())
        .then(pl.lit("end date before start date"))
        .when(pl.col("unpaid"))
        .then(pl.lit("trial or not yet paid"))
        .when(pl.col("one_time"))
        .then(pl.lit("one-time fee"))
        .when(pl.col("mrr") < 0)
        .then(pl.lit("negative amount"))
    )


def _count_reasons(frame: pl.DataFrame) -> dict[str, int]:
    counts = frame.filter(pl.col("reason").is_not_null()).group_by("reason").len()
    return {row["reason"]: int(row["len"]) for row in counts.iter_rows(named=True)}


def _currency_column(subs: pl.DataFrame) -> dict[str, pl.Expr]:
    if "currency" in subs.columns:
        return {"currency": pl.col("currency").cast(pl.String)}
    return {}


def _converted(
    frame: pl.DataFrame,
    currency: str | None,
    fx: dict[str, float] | None,
    excluded: dict[str, int],
    need_amount: bool,
) -> PreparedSubscriptions:
    """Convert the monthly charges into one currency and name the column mrr.

    KPIs that only count customers skip the conversion, so mixed currencies
    without exchange rates do not stop them.
    """
    if not need_amount:
        frame = frame.drop("currency", strict=False)
        return PreparedSubscriptions(frame.rename({"amount": "mrr"}), "", excluded)
    converted, unit, without_code = convert_per_cell(frame, currency, fx)
    if without_code:
        excluded = {**excluded, "no currency while other rows have one": without_code}
        converted = converted.filter(pl.col("amount").is_not_null())
    converted = converted.rename({"amount": "mrr"})
    if "currency" in converted.columns:
        converted = converted.drop("currency")
    return PreparedSubscriptions(converted, unit, excluded)


def convert_per_cell(
    frame: pl.DataFrame, currency: str | None, fx: dict[str, float] | None
) -> tuple[pl.DataFrame, str, int]:
    """Convert ``amount`` as ``convert_amounts`` does, with the same unit,
    errors and count of rows without a code, but faster on many rows.

    A row's rate depends only on its currency cell and on which codes have
    amounts. So ``convert_amounts`` runs on one row per distinct cell, with
    amount 1.0 where the cell has amounts, and the rates it returns are then
    looked up row by row. The currency column is left as it was.
    """
    if "currency" not in frame.columns:
        return convert_amounts(frame, currency, fx)
    cells = frame.group_by("currency").agg(priced=pl.col("amount").is_not_null().sum())
    probe = cells.select("currency", amount=pl.when(pl.col("priced") > 0).then(1.0))
    rates, unit, _ = convert_amounts(probe, currency, fx)
    rate = rates.get_column("amount")
    without_code = int(cells.filter(rate.is_null())["priced"].sum())
    named = cells.get_column("currency").is_not_null()
    rate_for_null = rate.filter(~named)
    row_rate = pl.col("currency").replace_strict(
        cells.get_column("currency").filter(named),
        rate.filter(named),
        default=rate_for_null[0] if rate_for_null.len() else None,
        return_dtype=pl.Float64,
    )
    return frame.with_columns(pl.col("amount") * row_rate), unit, without_code
