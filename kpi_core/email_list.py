"""Email-list growth rate from a log of subscribe and removal events.

Input is the canonical email_events table: email, event and occurred_at.
Events are replayed per address in date order (rows of one day keep their
file order). A subscribe by an address not on the list is a new subscriber,
so a resubscribe counts as new. An unsubscribe or cleaned event of an
address on the list removes it. An address whose first event is a removal
was on the list before the log starts, because only a listed address can
leave. Events that repeat the address's current state change nothing and
are counted in ``excluded``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl

from kpi_core.churn_counts import calendar_buckets
from kpi_core.errors import InvalidSettingError, MissingColumnError
from kpi_core.formatting import count_noun, format_number, format_share
from kpi_core.period import Period, grain_every
from kpi_core.results import KpiResult, not_available
from kpi_core.reuse import reuse_last_result

ALL_DATA = Period()
LIST_GROWTH_VARIANTS = ("with_cleaned", "unsubscribes_only")
SUBSCRIBE = "subscribe"
UNSUBSCRIBE = "unsubscribe"
CLEANED = "cleaned"
EVENT_NAMES: dict[str, str] = {
    **dict.fromkeys(
        (
            "subscribe",
            "subscribed",
            "opt-in",
            "optin",
            "signup",
            "sign-up",
            "anmeldung",
            "angemeldet",
            "abonniert",
            "eingetragen",
        ),
        SUBSCRIBE,
    ),
    **dict.fromkeys(
        (
            "unsubscribe",
            "unsubscribed",
            "opt-out",
            "optout",
            "abmeldung",
            "abgemeldet",
            "ausgetragen",
        ),
        UNSUBSCRIBE,
    ),
    **dict.fromkeys(
        (
            "cleaned",
            "clean",
            "bounce",
            "bounced",
            "hard bounce",
            "hard_bounce",
            "bereinigt",
            # German for "undeliverable", the status of a bounced address
            "unzustellbar",
        ),
        CLEANED,
    ),
}
_UNKNOWN_EVENT = "event other than subscribe, unsubscribe or cleaned"
# Share of the rows, in percent, with an unknown event label that gets a
# warning: a tenth of the events left out moves the rate visibly.
UNKNOWN_EVENT_SHARE = 10.0
_SERIES_SCHEMA = {
    "period_start": pl.Date,
    "period_end": pl.Date,
    "contacts_at_start": pl.Int64,
    "new_subscribers": pl.Int64,
    "unsubscribes": pl.Int64,
    "cleaned": pl.Int64,
    "growth_rate": pl.Float64,
}
# Time columns of a Mailchimp audience export: the subscribed, unsubscribed
# and cleaned CSVs stacked, with list_status naming the file of each row.
_MAILCHIMP_DATES = (
    "OPTIN_TIME",
    "CONFIRM_TIME",
    "LAST_CHANGED",
    "UNSUB_TIME",
    "CLEAN_TIME",
)


def list_growth_rate(
    events: pl.DataFrame, period: Period = ALL_DATA, variant: str = "with_cleaned"
) -> KpiResult:
    """Compute the email-list growth rate in percent.

    (new subscribers - unsubscribes - cleaned) / contacts on the list at the
    start of the period x 100; the "unsubscribes_only" variant leaves the
    cleaned addresses out of the removals. Resubscribes count as new.
    ``extra`` contains the counts and the contacts at the end. Events without
    a date are left out and counted, because they cannot be ordered. An
    empty log, a period without a start (all data, where the list starts
    with the log) or no contacts at the start is "not available". Contacts
    counted at the start only because their first event is a removal are
    named in a warning.
    """
    _check_variant(variant)
    log, excluded = _event_log(events)
    if log.is_empty():
        return not_available(
            "list_growth_rate",
            "no subscribe or removal events with a date",
            excluded=excluded,
        )
    if period.start is None:
        return not_available(
            "list_growth_rate",
            "the list has no start before its first event, so a growth needs a "
            "period with a start date; pick a period",
            excluded=excluded,
        )
    at_start = _contacts_before(log, period.start)
    counts = _counts(log, period.contains("occurred_at"))
    # The log counts the repeats of all dates; the rate leaves out those of
    # its period.
    excluded = {name: n for name, n in excluded.items() if name != _REPEAT_REASON}
    if counts["repeats"]:
        excluded[_REPEAT_REASON] = counts["repeats"]
    if at_start == 0:
        return not_available(
            "list_growth_rate",
            "no contacts were on the list at the start of this period",
            excluded=excluded,
        )
    result = _growth_result(at_start, counts, variant, excluded)
    warnings = [_assumed_warning(log, period.start, at_start)]
    warnings.append(_unknown_events_warning(events, excluded))
    found = tuple(warning for warning in warnings if warning)
    return replace(result, warnings=found) if found else result


def _assumed_warning(log: pl.DataFrame, day: date, at_start: int) -> str | None:
    """Name the contacts on the list at the start of ``day`` only because
    their first event, a removal, comes later."""
    first_later = pl.col("first") & (pl.col("occurred_at") >= day)
    assumed = int(log.select((first_later & pl.col("before")).sum()).item())
    if not assumed:
        return None
    counts, their = ("counts", "its") if assumed == 1 else ("count", "their")
    return (
        f"{count_noun(assumed, 'contact')} of the {at_start:,} on the list at the "
        f"start {counts} there only because {their} first event, an unsubscribe "
        "or a cleaning, comes later, such as contacts imported without an "
        "opt-in date; the rate may be too high or too low."
    )


def list_growth_series(
    events: pl.DataFrame,
    period: Period = ALL_DATA,
    grain: str = "month",
    variant: str = "with_cleaned",
) -> pl.DataFrame:
    """Return the list growth per month (or week, quarter, year).

    One row per calendar bucket clipped to the period: period_start,
    period_end, contacts_at_start, new_subscribers, unsubscribes, cleaned
    and growth_rate (percent as in ``list_growth_rate``, null when the
    bucket starts with no contacts, and for the first bucket of all data).
    Empty when the log has no dated events.
    """
    _check_variant(variant)
    log, _ = _event_log(events)
    if log.is_empty():
        return pl.DataFrame(schema=_SERIES_SCHEMA)
    start = period.start or log["occurred_at"].min()
    end = period.end or log["occurred_at"].max()
    buckets = calendar_buckets(start, max(start, end), grain)
    inside = log.select("occurred_at", "kind", "joined", "left").filter(
        pl.col("occurred_at").is_between(start, end)
    )
    bucket_start = pl.max_horizontal(
        pl.col("occurred_at").dt.truncate(grain_every(grain)), pl.lit(start)
    )
    changes = inside.with_columns(period_start=bucket_start)
    series = _series(changes, buckets, _contacts_before(log, period.start), variant)
    if period.start is not None:
        return series
    # Over all data the first bucket starts with the log, so its only
    # contacts at the start are those whose first event is a removal. They
    # are no base for a rate, as in ``list_growth_rate``.
    first = pl.int_range(pl.len()) == 0
    return series.with_columns(
        growth_rate=pl.when(first).then(None).otherwise(pl.col("growth_rate"))
    )


def email_events_from_audience(audience: pl.DataFrame) -> pl.DataFrame:
    """Turn a Mailchimp audience export into email_events rows.

    Expects "Email Address", the time columns OPTIN_TIME, CONFIRM_TIME,
    LAST_CHANGED, UNSUB_TIME and CLEAN_TIME (text "YYYY-MM-DD HH:MM:SS" or
    dates, any of them may be missing) and list_status (subscribed,
    unsubscribed or cleaned). Without list_status the status follows from
    UNSUB_TIME and CLEAN_TIME.
    Each member gives a subscribe at OPTIN_TIME, else CONFIRM_TIME (imported
    contacts have no opt-in time), else LAST_CHANGED for a subscribed
    member; an unsubscribed member adds an unsubscribe at UNSUB_TIME and a
    cleaned member a cleaned event at CLEAN_TIME, each else LAST_CHANGED.
    Returns email, event and occurred_at (a date, null when unknown).
    """
    return audience_events_with_sources(audience).drop("source")


def audience_events_with_sources(audience: pl.DataFrame) -> pl.DataFrame:
    """Turn a Mailchimp audience export into email_events rows as
    ``email_events_from_audience`` does, with a ``source`` column that names
    the time column each event is dated by, such as "UNSUB_TIME", or null
    for an event without a date."""
    if "Email Address" not in audience.columns:
        raise MissingColumnError(
            "the audience export has no 'Email Address' column; export the "
            "audience from Mailchimp with its standard columns",
            column="Email Address",
        )
    members = audience.select(
        email=pl.col("Email Address").cast(pl.String),
        status=_audience_status(audience),
        **{name.lower(): _audience_date(audience, name) for name in _MAILCHIMP_DATES},
    )
    subscribed = pl.col("status") == "subscribed"
    joined_at, joined_from = _first_date(
        ("OPTIN_TIME", pl.col("optin_time")),
        ("CONFIRM_TIME", pl.col("confirm_time")),
        ("LAST_CHANGED", pl.when(subscribed).then(pl.col("last_changed"))),
    )
    joins = members.filter(joined_at.is_not_null() | subscribed).select(
        "email", event=pl.lit(SUBSCRIBE), occurred_at=joined_at, source=joined_from
    )
    cleaned = pl.col("status") == "cleaned"
    cleaned_at, cleaned_from = _first_date(
        ("CLEAN_TIME", pl.col("clean_time")), ("LAST_CHANGED", pl.col("last_changed"))
    )
    left_at, left_from = _first_date(
        ("UNSUB_TIME", pl.col("unsub_time")), ("LAST_CHANGED", pl.col("last_changed"))
    )
    removals = members.filter(~subscribed).select(
        "email",
        event=pl.when(cleaned).then(pl.lit(CLEANED)).otherwise(pl.lit(UNSUBSCRIBE)),
        occurred_at=pl.when(cleaned).then(cleaned_at).otherwise(left_at),
        source=pl.when(cleaned).then(cleaned_from).otherwise(left_from),
    )
    return pl.concat([joins, removals])


def _first_date(*candidates: tuple[str, pl.Expr]) -> tuple[pl.Expr, pl.Expr]:
    """Return the first filled date of ``candidates``, pairs of a time
    column's name and its dates, and the name of the column it comes from,
    both null where none is filled."""
    dates = pl.coalesce(*(expr for _, expr in candidates))
    source = pl.lit(None, dtype=pl.String)
    for name, expr in reversed(candidates):
        source = pl.when(expr.is_not_null()).then(pl.lit(name)).otherwise(source)
    return dates, source


def _audience_status(audience: pl.DataFrame) -> pl.Expr:
    if "list_status" in audience.columns:
        return (
            pl.col("list_status").cast(pl.String).str.strip_chars().str.to_lowercase()
        )
    removed_at = {
        name: _audience_date(audience, name) for name in ("UNSUB_TIME", "CLEAN_TIME")
    }
    return (
        pl.when(removed_at["CLEAN_TIME"].is_not_null())
        .then(pl.lit("cleaned"))
        .when(removed_at["UNSUB_TIME"].is_not_null())
        .then(pl.lit("unsubscribed"))
        .otherwise(pl.lit("subscribed"))
    )


def _audience_date(audience: pl.DataFrame, column: str) -> pl.Expr:
    """Read a Mailchimp time column as a date: "2024-03-15 10:22:00" as
    Mailchimp writes it, or "15.03.2024 10:22" as German Excel saves it
    again. Other text gives null (see ``unreadable_audience_dates``)."""
    if column not in audience.columns:
        return pl.lit(None, dtype=pl.Date)
    if audience.schema[column] != pl.String:
        return pl.col(column).cast(pl.Date)
    text = pl.col(column).str.strip_chars()
    iso = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    dotted = text.str.extract(r"^(\d{1,2}\.\d{1,2}\.\d{4})(?:\s|$)", 1)
    return pl.coalesce(iso, dotted.str.to_date("%d.%m.%Y", strict=False))


def unreadable_audience_dates(audience: pl.DataFrame) -> pl.DataFrame:
    """Return the column and text of each filled Mailchimp time cell that
    ``_audience_date`` cannot read, with the row's other columns."""
    found = [
        audience.filter(
            pl.col(name).cast(pl.String).str.strip_chars().str.len_chars().fill_null(0)
            > 0,
            _audience_date(audience, name).is_null(),
        ).with_columns(column=pl.lit(name), text=pl.col(name).cast(pl.String))
        for name in _MAILCHIMP_DATES
        if name in audience.columns
    ]
    if not found:
        return audience.clear().with_columns(
            column=pl.lit(None, pl.String), text=pl.lit(None, pl.String)
        )
    return pl.concat(found, how="diagonal_relaxed")


def _check_variant(variant: str) -> None:
    if variant not in LIST_GROWTH_VARIANTS:
        raise InvalidSettingError(
            f"unknown list growth variant {variant!r}; use one of "
            f"{', '.join(LIST_GROWTH_VARIANTS)}"
        )


# An event that leaves its address as it was, such as a second subscribe.
_REPEATED = ~pl.col("joined") & ~pl.col("left")
_REPEAT_REASON = "event repeats the address's current state"


@reuse_last_result
def _event_log(events: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    """Return the dated events in replay order with the state of the address
    before and after each, and the count of rows left out per reason.

    The growth rate and its series both start here, so the last log is
    reused for the same frame object.
    """
    frame = _normalised_events(events)
    reason = (
        pl.when(pl.col("email").is_null() | (pl.col("email") == ""))
        .then(pl.lit("no email address"))
        .when(pl.col("kind").is_null())
        .then(pl.lit(_UNKNOWN_EVENT))
        .when(pl.col("occurred_at").is_null())
        .then(pl.lit("no event date"))
    )
    frame, excluded = _split(frame, reason)

    # The log is kept for reuse and the counts read only the states, so it
    # leaves out the addresses.
    log = _with_states(frame).drop("email")
    repeats = log.select(_REPEATED.sum()).item()
    if repeats:
        excluded[_REPEAT_REASON] = repeats
    return log, excluded


def join_dates(events: pl.DataFrame) -> pl.Series:
    """Return the day of each event by which an address joins the list, as
    the growth rate counts new subscribers: a subscribe of an address not on
    the list. A repeated subscribe of an address already on it is not a join."""
    log, _excluded = _event_log(events)
    return log.filter(pl.col("joined")).get_column("occurred_at").cast(pl.Date)


def _unknown_events_warning(
    events: pl.DataFrame, excluded: dict[str, int]
) -> str | None:
    """Warn when ``UNKNOWN_EVENT_SHARE`` percent or more of the rows have an
    event label that is not a subscribe or removal, naming the labels.

    A contacts export with one status per contact ("Active") mapped as the
    event column gives such rows. The rate then counts removals without the
    subscribes that balance them.
    """
    unknown = excluded.get(_UNKNOWN_EVENT, 0)
    if events.height == 0 or unknown / events.height * 100 < UNKNOWN_EVENT_SHARE:
        return None
    labels = events.get_column("event").cast(pl.String).drop_nulls().unique()
    kinds = labels.str.strip_chars().str.to_lowercase()
    others = sorted(labels.filter(~kinds.is_in(list(EVENT_NAMES))).to_list())
    shown = ", ".join(repr(label) for label in others[:5])
    more = f" and {len(others) - 5:,} more" if len(others) > 5 else ""
    share = format_share(unknown / events.height * 100)
    return (
        f"{unknown:,} of {events.height:,} rows ({share} %) have an event the "
        f"app does not read as a subscribe or removal: {shown}{more}. A contacts "
        "export with one status per contact is not an event log. Map a column "
        "whose values name events, or upload the audience export of the "
        "mailing tool."
    )


def _normalised_events(events: pl.DataFrame) -> pl.DataFrame:
    """Return email (trimmed, lower case), kind (subscribe, unsubscribe,
    cleaned or null) and occurred_at as a date."""
    for column in ("email", "event"):
        if column not in events.columns:
            raise MissingColumnError(
                f"the email events table has no {column} column; map it in the "
                "column mapping",
                column=column,
            )
    occurred = pl.lit(None, dtype=pl.Date)
    if "occurred_at" in events.columns:
        occurred = pl.col("occurred_at").cast(pl.Date)
    return events.select(
        email=pl.col("email").cast(pl.String).str.strip_chars().str.to_lowercase(),
        kind=_event_kind(events),
        occurred_at=occurred,
    )


def _event_kind(events: pl.DataFrame) -> pl.Expr:
    """Map each event label to subscribe, unsubscribe, cleaned or null.

    A log has a handful of distinct labels, so they are trimmed and looked
    up once each, and the rows are then mapped label by label.
    """
    labels = events.get_column("event").cast(pl.String).unique().drop_nulls()
    kinds = (
        labels.str.strip_chars()
        .str.to_lowercase()
        .replace_strict(EVENT_NAMES, default=None, return_dtype=pl.String)
    )
    return (
        pl.col("event")
        .cast(pl.String)
        .replace_strict(labels, kinds, default=None, return_dtype=pl.String)
    )


def _with_states(frame: pl.DataFrame) -> pl.DataFrame:
    after = pl.col("kind") == SUBSCRIBE
    # Before its first event an address is on the list exactly when that
    # event removes it. On rows sorted by address, the previous row's state
    # is much faster than a shift window per address.
    before = pl.when(pl.col("first")).then(~after).otherwise(after.shift(1))
    return (
        _by_address(frame)
        .with_columns(after=after, before=before)
        .with_columns(
            joined=pl.col("after") & ~pl.col("before"),
            left=~pl.col("after") & pl.col("before"),
        )
    )


def _by_address(frame: pl.DataFrame) -> pl.DataFrame:
    """Sort the events so that each address's rows are together, in date
    order with file order on ties, and mark each address's first event in
    ``first``. The order between addresses is arbitrary.

    Sorting on a 64-bit hash of the address is several times faster than on
    the text. Two addresses with the same hash would be interleaved, so then
    the text sort is used instead. Two stable sorts on one key each, date
    first, give the order of one stable sort on both keys in less time.
    """
    keyed = frame.with_columns(_key=pl.col("email").hash())
    ordered = keyed.sort("occurred_at", maintain_order=True).sort(
        "_key", maintain_order=True
    )
    # Rows with different hashes have different addresses, so only rows
    # whose hash repeats the previous row's need the text compared.
    same_key = (pl.col("_key") == pl.col("_key").shift(1)).fill_null(False)
    earlier_email = pl.col("email").shift(1)
    clash = (pl.col("email").filter(same_key) != earlier_email.filter(same_key)).any()
    if not ordered.select(clash).item():
        return ordered.with_columns(first=~same_key).drop("_key")
    ordered = keyed.sort("email", "occurred_at", maintain_order=True)
    same_email = (pl.col("email") == earlier_email).fill_null(False)
    return ordered.with_columns(first=~same_email).drop("_key")


def _split(frame: pl.DataFrame, reason: pl.Expr) -> tuple[pl.DataFrame, dict[str, int]]:
    marked = frame.with_columns(reason=reason)
    counts = marked.filter(pl.col("reason").is_not_null()).group_by("reason").len()
    excluded = {row["reason"]: int(row["len"]) for row in counts.iter_rows(named=True)}
    return marked.filter(pl.col("reason").is_null()).drop("reason"), excluded


def _contacts_before(log: pl.DataFrame, day: date | None) -> int:
    """Count the addresses on the list at the start of ``day``, or before the
    first event when there is no day.

    The log keeps each address's events together in date order, so the
    events before ``day`` are the first few of each address. An address
    counts with its state after the last of them, or with its state before
    its first event when it has none.
    """
    first = pl.col("first")
    if day is None:
        return int(log.select((first & pl.col("before")).sum()).item())
    earlier = pl.col("occurred_at") < day
    last_earlier = earlier & (
        first.shift(-1, fill_value=True) | ~earlier.shift(-1, fill_value=False)
    )
    listed = (last_earlier & pl.col("after")) | (first & ~earlier & pl.col("before"))
    return int(log.select(listed.sum()).item())


def _counts(log: pl.DataFrame, inside: pl.Expr) -> dict[str, int]:
    """Count the changes of the events where ``inside`` is true, and the
    events there that change nothing."""
    joined = inside & pl.col("joined")
    left = inside & pl.col("left")
    row = log.select(
        new=joined.sum(),
        unsubscribed=(left & (pl.col("kind") == UNSUBSCRIBE)).sum(),
        cleaned=(left & (pl.col("kind") == CLEANED)).sum(),
        repeats=(inside & _REPEATED).sum(),
    ).row(0, named=True)
    return {name: int(value or 0) for name, value in row.items()}


def _growth_result(
    at_start: int, counts: dict[str, int], variant: str, excluded: dict[str, int]
) -> KpiResult:
    new, unsubscribed, cleaned = (
        counts["new"],
        counts["unsubscribed"],
        counts["cleaned"],
    )
    removed = unsubscribed + (cleaned if variant == "with_cleaned" else 0)
    value = (new - removed) / at_start * 100
    terms = f"{new:,} - {unsubscribed:,}"
    if variant == "with_cleaned" and cleaned:
        terms += f" - {cleaned:,}"
    return KpiResult(
        key="list_growth_rate",
        status="ok",
        unit="percent",
        value=value,
        numerator=new - removed,
        denominator=at_start,
        n=at_start,
        variant=variant,
        formula=f"({terms}) / {at_start:,} x 100 = {format_number(value, 1)} %",
        excluded=excluded,
        extra={
            "new_subscribers": new,
            "unsubscribes": unsubscribed,
            "cleaned": cleaned,
            "contacts_at_start": at_start,
            "contacts_at_end": at_start + new - unsubscribed - cleaned,
        },
    )


def _series(
    log: pl.DataFrame, buckets: pl.DataFrame, at_start: int, variant: str
) -> pl.DataFrame:
    """Count the changes per bucket and carry the list size forward. Each
    event of ``log`` names its bucket in period_start."""
    left = pl.col("left")
    changes = log.group_by("period_start").agg(
        new_subscribers=pl.col("joined").sum(),
        unsubscribes=(left & (pl.col("kind") == UNSUBSCRIBE)).sum(),
        cleaned=(left & (pl.col("kind") == CLEANED)).sum(),
    )
    counted = ("new_subscribers", "unsubscribes", "cleaned")
    table = (
        buckets.join(changes, on="period_start", how="left")
        .with_columns(pl.col(*counted).fill_null(0).cast(pl.Int64))
        .sort("period_start")
    )
    net = pl.col("new_subscribers") - pl.col("unsubscribes") - pl.col("cleaned")
    removed = pl.col("unsubscribes")
    if variant == "with_cleaned":
        removed = removed + pl.col("cleaned")
    contacts = at_start + net.cum_sum().shift(1, fill_value=0)
    return table.with_columns(contacts_at_start=contacts).select(
        "period_start",
        "period_end",
        "contacts_at_start",
        *counted,
        growth_rate=pl.when(pl.col("contacts_at_start") > 0).then(
            (pl.col("new_subscribers") - removed) / pl.col("contacts_at_start") * 100
        ),
    )
