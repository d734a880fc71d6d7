"""Sales KPIs computed from the canonical deals frame.

Input columns: deal_id, owner, stage, status ("won", "lost" or "open"),
created_at and closed_at (Date, nullable) and amount (Float64, nullable),
plus the optional first_contact_at (Date), currency, product, account,
deal_type, source and pipeline. Cohort KPIs count deals by creation date
and outcome KPIs count them by close date. The tables per stage, per time
bucket and per segment live in ``kpi_core.sales_tables`` and are
re-exported here.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from kpi_core.errors import InvalidSettingError
from kpi_core.formatting import count_noun, format_inputs, format_number
from kpi_core.money import convert_amounts
from kpi_core.period import Period
from kpi_core.results import KpiResult, money_kpi, not_available
from kpi_core.sales_tables import (
    ALL_DATA,
    DECIDED,
    FIRST_CONTACT,
    WON,
    cycle_days,
    from_first_contact,
    pipeline_by_stage,
    sales_breakdown,
    sales_series,
)
from kpi_core.schema import TABLES
from kpi_core.stats import wilson_interval

__all__ = [
    "average_deal_size",
    "close_rate",
    "pipeline_by_stage",
    "sales_breakdown",
    "sales_cycle_days",
    "sales_kpis",
    "sales_series",
    "upsell_customers",
    "upsell_rate",
    "win_rate",
    "won_value",
]

CLOSE_RATE_VARIANTS = {
    "cohort": "won / deals created in the period",
    "closed": "won / (won + lost) by close date",
}
CYCLE_VARIANTS = {"won": "won deals", "closed": "won and lost deals"}
WIN_RATE_VARIANT = "won / (won + lost)"
# The warning on the sales KPIs of a deals table without a won or lost deal.
_ALL_OPEN = (
    "No deal in the whole table is won or lost, so every deal counts as open. "
    "If the export names its won and lost stages in other words, map a status "
    "column, or Won and Closed yes/no columns, on the Data page."
)

# Deal types that sell more to an existing customer, compared after lower-casing
# and removing everything but letters: HubSpot's "Existing Business",
# Salesforce's "Existing Customer - Upgrade", "Add-on", "Cross-sell" and the
# German "Zusatzverkauf", "Erweiterung" and HubSpot's "Bestehendes Geschäft".
# That last one is matched up to "gesch", so "Geschaeft" and a decomposed "ä"
# (whose combining mark is removed) match too. HubSpot's "Neues Geschäft" is
# new business.
UPSELL_PATTERN = (
    "upsell|upsale|expansion|crosssell|upgrade|addon|existingbusiness"
    "|zusatzverkauf|erweiterung|bestehendesgesch"
)


def close_rate(
    deals: pl.DataFrame, period: Period = ALL_DATA, *, variant: str = "cohort"
) -> KpiResult:
    """Compute the share of the deals created in the period that were won.

    Formula: won / deals created x 100, in percent, over the cohort of deals
    whose created_at lies in the period (status, created_at). With all data,
    deals without a creation date belong to the cohort. With an explicit
    period they are left out and counted. Variant "closed" returns the
    ``win_rate`` figure under this key. No deals created in the period, as
    with an empty frame, gives not available.
    """
    if variant == "closed":
        decided = win_rate(deals, period)
        return replace(decided, key="close_rate", variant=CLOSE_RATE_VARIANTS[variant])
    _check_variant("close_rate", variant, CLOSE_RATE_VARIANTS)

    excluded = _undated(deals, "created_at", period, "deal without a creation date")
    in_cohort = period.contains("created_at")
    cohort = _count(deals, in_cohort)
    won = _count(deals, in_cohort & WON)
    if cohort == 0:
        reason = "no deals were created in this period"
        return not_available("close_rate", reason, excluded=excluded)
    rate = won / cohort * 100
    created = count_noun(cohort, "deal")
    formula = f"{won:,} won / {created} x 100 = {format_number(rate, 2)} %"
    variant_text = CLOSE_RATE_VARIANTS[variant]
    return _rate_result("close_rate", won, cohort, variant_text, formula, excluded)


def win_rate(deals: pl.DataFrame, period: Period = ALL_DATA) -> KpiResult:
    """Compute the share of the decided deals closed in the period that were won.

    Formula: won / (won + lost) x 100, in percent, by closed_at (status,
    closed_at). Won or lost deals without a close date count with all data,
    but with an explicit period they are left out and counted. Open deals are
    not part of this rate. No won or lost deal in the period, as with an empty
    frame, gives not available.
    """
    in_period = DECIDED & period.contains("closed_at")
    closed = _count(deals, in_period)
    won = _count(deals, in_period & WON)
    excluded = {}
    if not period.is_all:
        undated = _count(deals, DECIDED & pl.col("closed_at").is_null())
        if undated:
            excluded["won or lost deal without a close date"] = undated
    lost = closed - won
    if closed == 0:
        reason = _no_close_dates(deals, DECIDED, period, "won or lost deal")
        reason = reason or "no deals were won or lost in this period"
        return not_available("win_rate", reason, excluded=excluded)
    rate = won / closed * 100
    formula = (
        f"{won:,} won / ({won:,} won + {lost:,} lost) x 100 = "
        f"{format_number(rate, 2)} %"
    )
    return _rate_result("win_rate", won, closed, WIN_RATE_VARIANT, formula, excluded)


def average_deal_size(
    deals: pl.DataFrame,
    period: Period = ALL_DATA,
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> KpiResult:
    """Compute the mean amount of the deals won in the period.

    Formula: sum of won amounts / won deals with an amount, in the currency
    unit described in ``won_value``, by closed_at (status, closed_at, amount,
    currency). The median is in ``extra``. Won deals without an amount are
    left out and counted, never treated as 0. No won deal with an amount in
    the period, as with an empty frame, gives not available.
    """
    amounts, unit, excluded, _won = _won_amounts(deals, period, currency, fx)
    if amounts.is_empty():
        reason = _no_close_dates(deals, WON, period, "won deal")
        reason = reason or "no deals with an amount were won in this period"
        return not_available("average_deal_size", reason, excluded=excluded)
    total = float(amounts.sum())
    mean = total / amounts.len()
    deals_won = count_noun(amounts.len(), "won deal")
    (shown_total,) = format_inputs(
        (total,), lambda summed: summed / amounts.len(), mean, 2
    )
    formula = f"{shown_total} {unit} / {deals_won} = {format_number(mean, 2)} {unit}"
    return KpiResult(
        key="average_deal_size",
        status="ok",
        unit=unit,
        value=mean,
        numerator=total,
        denominator=amounts.len(),
        n=amounts.len(),
        formula=formula,
        excluded=excluded,
        extra={"median": float(amounts.median())},
    )


def won_value(
    deals: pl.DataFrame,
    period: Period = ALL_DATA,
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> KpiResult:
    """Compute the total amount of the deals won in the period.

    Formula: sum of the amounts of won deals by closed_at (status, closed_at,
    amount, currency). The unit is the currency code: ``currency``, else the
    only code in the currency column, else EUR. Several codes need ``fx``
    rates into ``currency``, otherwise InvalidValueError is raised. Won deals
    without an amount are left out and counted, never treated as 0. A period
    with deals but none won gives 0 with a ``note`` that says so. A period
    without any deal (see ``_active_in``), as with an empty frame, and won
    deals of which none has an amount give not available.
    """
    amounts, unit, excluded, won = _won_amounts(deals, period, currency, fx)
    undated = None if won else _no_close_dates(deals, WON, period, "won deal")
    if undated:
        return not_available("won_value", undated, excluded=excluded)
    if won and amounts.is_empty():
        reason = (
            "the deal won in this period has no amount"
            if won == 1
            else f"none of the {won:,} deals won in this period has an amount"
        )
        return not_available("won_value", reason, excluded=excluded)
    if not won and _count(deals, _active_in(period)) == 0:
        reason = "no deal was created, open or closed in this period"
        return not_available("won_value", reason, excluded=excluded)
    total = float(amounts.sum())
    note = "" if won else "no deal was won in this period"
    if won:
        summed = count_noun(amounts.len(), "won deal amount")
        formula = f"sum of {summed} = {format_number(total, 2)} {unit}"
    else:
        formula = f"{note}, so the sum is {format_number(total, 2)} {unit}"
    return KpiResult(
        key="won_value",
        status="ok",
        unit=unit,
        value=total,
        n=amounts.len(),
        formula=formula,
        excluded=excluded,
        note=note,
    )


def sales_cycle_days(
    deals: pl.DataFrame, period: Period = ALL_DATA, variant: str = "won"
) -> KpiResult:
    """Compute the mean days from start to close of deals won in the period.

    Formula: mean of closed_at - start in whole calendar days over the won
    deals closed in the period (status, created_at, first_contact_at if
    present, closed_at), with the median in ``extra``. A deal starts at its
    first_contact_at where it has one, else at its created_at, and
    ``extra["measured_from"]`` counts the measured deals per start field.
    Variant "closed" takes won and lost deals. Deals missing a close or a
    start date and deals closed before their start (before they were
    created, or before their first contact) are left out and counted. So
    are open deals, by close date as the KPI counts:
    those without one, which no period can place, and those whose expected
    close date lies in the period. An available result whose table has won
    (or won and lost) deals without a close date names their count over the
    whole table in ``note``. No usable deal, as with an empty frame, gives
    not available.
    """
    _check_variant("sales_cycle_days", variant, CYCLE_VARIANTS)
    statuses = ["won"] if variant == "won" else ["won", "lost"]
    label = "won deal" if variant == "won" else "won or lost deal"
    read = [
        c for c in ("status", "created_at", FIRST_CONTACT, "closed_at") if c in deals
    ]
    closed = deals.select(read).filter(pl.col("status").is_in(statuses))
    is_open = pl.col("status") == "open"
    undated = pl.col("closed_at").is_null()
    expected = is_open & ~undated & period.contains("closed_at")
    excluded = {
        "open deal without a close date": _count(deals, is_open & undated),
        "open deal with an expected close date in the period": _count(deals, expected),
        f"{label} without a close date": closed["closed_at"].null_count(),
    }

    in_period = closed.filter(
        period.contains("closed_at") & pl.col("closed_at").is_not_null()
    )
    measured = in_period.select(
        cycle_days(in_period.columns),
        from_first_contact(in_period.columns).alias("from_first_contact"),
    )
    days = measured["cycle_days"]
    first = measured["from_first_contact"]
    excluded[f"{label} without a creation date"] = days.null_count()
    excluded[f"{label} closed before it was created"] = int(((days < 0) & ~first).sum())
    excluded[f"{label} closed before its first contact"] = int(
        ((days < 0) & first).sum()
    )
    excluded = {reason: count for reason, count in excluded.items() if count}
    undated = _no_close_dates(closed, pl.lit(True), None, label)
    if undated:
        return not_available("sales_cycle_days", undated, excluded=excluded)
    valid = days >= 0
    starts = {"first_contact_at": int((valid & first).sum())}
    starts["created_at"] = int(valid.sum()) - starts["first_contact_at"]
    result = _cycle_result(days.filter(valid), variant, excluded, starts)
    note = _undated_note(closed["closed_at"].null_count(), closed.height, label)
    return replace(result, note=note) if result.available else result


def upsell_rate(deals: pl.DataFrame, period: Period = ALL_DATA) -> KpiResult:
    """Compute the share of active customers who bought an upsell in the period.

    Formula: distinct accounts with a won upsell deal closed in the period /
    distinct accounts with a deal active in the period x 100, in percent
    (account, deal_type, status, created_at, closed_at). A deal is active
    when it was created by the period end and was still open or closed on or
    after the period start. An upsell is a deal type that means upsell,
    expansion, cross-sell, upgrade or add-on. Deals without an account are
    left out and counted. Without the account or deal_type column, or
    without active customers, the KPI is not available.
    """
    missing = [name for name in ("account", "deal_type") if name not in deals.columns]
    if missing:
        labels = " or ".join(TABLES["deals"].field_label(name) for name in missing)
        reason = (
            f"the deals have no {labels} column; map both Account and Deal type "
            "on the Data page to compute the upsell rate"
        )
        return not_available("upsell_rate", reason)

    # Only the deals the period would count are named as left out.
    unknown = deals.filter(pl.col("account").is_null() & _active_in(period)).height
    excluded = {"deal without an account": unknown} if unknown else {}
    known = pl.col("account").is_not_null()
    customers = _distinct_accounts(deals, known & _active_in(period))
    is_upsell = _is_upsell(deals)
    upsold = known & WON & is_upsell & period.contains("closed_at")
    buyers = _distinct_accounts(deals, upsold)
    if customers == 0:
        reason = "no customers had a deal active in this period"
        return not_available("upsell_rate", reason, excluded=excluded)
    undated = None
    if buyers == 0:
        undated = _no_close_dates(
            deals, known & WON & is_upsell, period, "won upsell deal"
        )
    if undated:
        return not_available("upsell_rate", undated, excluded=excluded)
    rate = buyers / customers * 100
    formula = (
        f"{count_noun(buyers, 'customer')} with an upsell / "
        f"{count_noun(customers, 'active customer')} x 100 = "
        f"{format_number(rate, 2)} %"
    )
    return _rate_result("upsell_rate", buyers, customers, "", formula, excluded)


def upsell_customers(deals: pl.DataFrame, period: Period = ALL_DATA) -> pl.DataFrame:
    """List the customers behind ``upsell_rate``, one row per account with a
    deal active in the period.

    Columns: account, active_deals (its deals active in the period) and
    won_upsells (its won upsell deals closed in the period), with the
    customers who bought an upsell first. The row count is the rate's n.
    Without the account or deal_type column the frame is empty.
    """
    schema = {"account": pl.String, "active_deals": pl.Int64, "won_upsells": pl.Int64}
    if not {"account", "deal_type"} <= set(deals.columns):
        return pl.DataFrame(schema=schema)
    known = deals.filter(pl.col("account").is_not_null())
    upsell = WON & _is_upsell(deals) & period.contains("closed_at")
    table = (
        known.filter(_active_in(period))
        .group_by(pl.col("account").cast(pl.String))
        .agg(
            pl.len().cast(pl.Int64).alias("active_deals"),
            upsell.sum().cast(pl.Int64).alias("won_upsells"),
        )
    )
    return table.sort("won_upsells", "account", descending=[True, False]).select(
        list(schema)
    )


def sales_kpis(
    deals: pl.DataFrame,
    period: Period = ALL_DATA,
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
    variants: dict[str, str] | None = None,
) -> dict[str, KpiResult]:
    """Compute every sales KPI of the deals frame, keyed by its report key.

    ``variants`` may set "close_rate" ("cohort" or "closed") and
    "sales_cycle_days" ("won" or "closed"). Variants of other KPIs are
    ignored, so one mapping can serve every KPI family. Where the won amounts
    need an exchange rate that ``fx`` lacks, average_deal_size and won_value
    are "not available" with ``rate_missing`` set (see
    ``kpi_core.results.money_kpi``), and the KPIs without money are computed
    as usual.
    """
    chosen = variants or {}
    money = {"currency": currency, "fx": fx}
    results = {
        "close_rate": close_rate(
            deals, period, variant=chosen.get("close_rate", "cohort")
        ),
        "win_rate": win_rate(deals, period),
        "average_deal_size": money_kpi(
            "average_deal_size", lambda: average_deal_size(deals, period, **money)
        ),
        "won_value": money_kpi("won_value", lambda: won_value(deals, period, **money)),
        "sales_cycle_days": sales_cycle_days(
            deals, period, variant=chosen.get("sales_cycle_days", "won")
        ),
        "upsell_rate": upsell_rate(deals, period),
    }
    all_open = (
        deals.height > 0
        and "status" in deals.columns
        and not (deals["status"] != "open").any()
    )
    if all_open:
        # Stage labels in words the app does not know leave every deal open,
        # which would read as a close rate of 0 % without a word.
        results = {
            key: replace(result, warnings=(*result.warnings, _ALL_OPEN))
            if result.available
            else result
            for key, result in results.items()
        }
    return results


def _check_variant(key: str, variant: str, known: dict[str, str]) -> None:
    if variant not in known:
        raise InvalidSettingError(
            f"unknown variant {variant!r} for {key}; use one of {', '.join(known)}"
        )


def _count(deals: pl.DataFrame, condition: pl.Expr) -> int:
    """Count the rows where ``condition`` is true, as a filter would keep
    them. The lazy query reads only the columns of the condition, so no row
    of the frame is copied."""
    return deals.lazy().filter(condition).select(pl.len()).collect().item()


def _distinct_accounts(deals: pl.DataFrame, condition: pl.Expr) -> int:
    """Count the distinct accounts of the rows where ``condition`` is true,
    reading only the columns involved, as ``_count`` does."""
    accounts = deals.lazy().filter(condition).select("account").collect()
    # Counted on the Series: inside the query the count took about 0.07 s of
    # CPU instead of 0.04 s for the two counts of ``upsell_rate`` on a
    # million deals (Polars 2.1, 2 cores).
    return accounts.to_series().n_unique()


def _undated(
    deals: pl.DataFrame, column: str, period: Period, reason: str
) -> dict[str, int]:
    """Count the rows an explicit period leaves out for lack of a date."""
    missing = deals[column].null_count()
    if period.is_all or missing == 0:
        return {}
    return {reason: missing}


def _rate_result(
    key: str,
    successes: int,
    n: int,
    variant: str,
    formula: str,
    excluded: dict[str, int],
) -> KpiResult:
    return KpiResult(
        key=key,
        status="ok",
        unit="percent",
        value=successes / n * 100,
        numerator=successes,
        denominator=n,
        n=n,
        ci95=wilson_interval(successes, n),
        variant=variant,
        formula=formula,
        excluded=excluded,
    )


def _won_amounts(
    deals: pl.DataFrame,
    period: Period,
    currency: str | None,
    fx: dict[str, float] | None,
) -> tuple[pl.Series, str, dict[str, int], int]:
    """Return the converted amounts of the won deals closed in the period,
    their unit, the excluded counts and the number of won deals."""
    # Only these columns are copied by the filter.
    columns = [c for c in ("status", "closed_at", "amount", "currency") if c in deals]
    won = deals.select(columns).filter(WON)
    excluded = _undated(won, "closed_at", period, "won deal without a close date")
    won = won.filter(period.contains("closed_at"))
    converted, unit, without_code = convert_amounts(won, currency, fx)
    excluded["won deal without an amount"] = won["amount"].null_count()
    excluded["won deal without a currency code"] = without_code
    excluded = {reason: count for reason, count in excluded.items() if count}
    return converted["amount"].drop_nulls(), unit, excluded, won.height


def _cycle_result(
    days: pl.Series, variant: str, excluded: dict[str, int], starts: dict[str, int]
) -> KpiResult:
    """Build the sales-cycle result from the measured ``days`` and the
    number of deals measured from each start field in ``starts``."""
    if days.is_empty():
        reason = f"no {CYCLE_VARIANTS[variant]} with both dates closed in this period"
        return not_available("sales_cycle_days", reason, excluded=excluded)
    total = int(days.sum())
    mean = total / days.len()
    median = float(days.median())
    median_days = "1 day" if median == 1 else f"{median:g} days"
    formula = (
        f"{count_noun(total, 'day')} / {count_noun(days.len(), 'deal')} = "
        f"{format_number(mean, 1)} days (median {median_days}), "
        f"{describe_cycle_starts(starts)}"
    )
    return KpiResult(
        key="sales_cycle_days",
        status="ok",
        unit="days",
        value=mean,
        numerator=total,
        denominator=days.len(),
        n=days.len(),
        variant=CYCLE_VARIANTS[variant],
        formula=formula,
        excluded=excluded,
        extra={"median": median, "measured_from": starts},
    )


def describe_cycle_starts(starts: dict[str, int]) -> str:
    """Say from which date the sales cycle of the measured deals runs, as in
    "measured from creation to close" or "measured from first contact to
    close for 1 deal and from creation to close for 2". ``starts`` maps
    first_contact_at and created_at to the number of deals measured from
    them."""
    first, created = starts["first_contact_at"], starts["created_at"]
    if not first:
        return "measured from creation to close"
    if not created:
        return "measured from first contact to close"
    return (
        f"measured from first contact to close for {count_noun(first, 'deal')} "
        f"and from creation to close for {created:,}"
    )


def _no_close_dates(
    deals: pl.DataFrame, condition: pl.Expr, period: Period | None, label: str
) -> str | None:
    """Name why the deals matching ``condition`` cannot be placed in an
    explicit period when none of them has a close date, or return None.
    ``period=None`` checks regardless of the period, for a KPI that needs the
    close date itself.

    Counting them as 0 would read as "none in this period", although the
    close date column is empty or not mapped.
    """
    if period is not None and period.is_all:
        return None
    query = (
        deals.lazy()
        .filter(condition)
        .select(pl.len(), pl.col("closed_at").null_count())
    )
    total, undated = query.collect().row(0)
    if total == 0 or undated < total:
        return None
    if total == 1:
        subject = f"the {label} has no close date, so no period can place it"
    else:
        subject = (
            f"none of the {count_noun(total, label)} has a close date, so no "
            "period can place them"
        )
    return (
        f"{subject}. Map the column with the close dates to closed_at on the Data page"
    )


def _undated_note(undated: int, total: int, label: str) -> str:
    """Say how many of the table's ``total`` deals have no usable close date.

    No period can place such a deal, so the period's share of left-out
    deals never counts it. An unreadable date is read as empty at import,
    so it counts here too.
    """
    if not undated:
        return ""
    verb = "has" if undated == 1 else "have"
    subject = "it is" if undated == 1 else "they are"
    return (
        f"{undated:,} of the {count_noun(total, label)} in the table {verb} no "
        f"usable close date (empty or unreadable), so {subject} left out of every "
        "period. Check the column mapped to closed_at on the Data page."
    )


def _is_upsell(deals: pl.DataFrame) -> pl.Expr:
    """Flag the deals whose type matches ``UPSELL_PATTERN``.

    The pattern runs on the distinct deal types, which are few. On every row
    it took 0.2 s of CPU for a million deals of two types (benchmarks/run.py,
    Polars 2.1, 2 cores), more than the other sales KPIs together.
    """
    types = deals.get_column("deal_type").unique().drop_nulls()
    letters = types.str.to_lowercase().str.replace_all(r"[^a-zäöüß]", "")
    upsell_types = types.filter(letters.str.contains(UPSELL_PATTERN))
    return pl.col("deal_type").is_in(upsell_types.implode()).fill_null(False)


def _active_in(period: Period) -> pl.Expr:
    """Flag deals that were in the pipeline on at least one day of the period.

    A deal without a creation date, or a won or lost deal without a close
    date, counts only when its other date lies in the period.
    """
    if period.is_all:
        return pl.lit(True)
    entered = pl.lit(True) if period.end is None else pl.col("created_at") <= period.end
    entered = entered & pl.col("created_at").is_not_null()
    if period.start is None:
        remained = pl.lit(True)
    else:
        # An open deal is in the pipeline until today, even when its close
        # date, an expected one, lies before the period.
        remained = (
            pl.when(pl.col("status") == "open")
            .then(True)
            .when(pl.col("closed_at").is_null())
            .then(False)
            .otherwise(pl.col("closed_at") >= period.start)
        )
    overlaps = (entered & remained).fill_null(False)
    return overlaps | period.contains("created_at") | period.contains("closed_at")
