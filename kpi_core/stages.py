"""Time deals spend in each pipeline stage, from the stage history.

The canonical stage history has one row per entry of a deal into a stage:
deal_id (String), stage (String) and entered_at (Datetime "us", naive). A
deal stays in a stage from entering it until it enters its next stage. A
revisited stage adds up all its visits for that deal, and a skipped stage
has no row at all rather than zero days. The last stage of a deal that is not
won or lost is ongoing up to ``as_of`` and is kept apart from the completed
durations. A final won or lost stage has no duration.
"""

from __future__ import annotations

import re
from datetime import datetime

import polars as pl

from kpi_core.errors import InvalidValueError, MissingColumnError
from kpi_core.period import Period
from kpi_core.results import KpiResult, not_available
from kpi_core.schema import LOST_STAGES, WON_STAGES

# Period() is immutable, so one shared instance is a safe default argument.
ALL_DATA = Period()
_DAY_SECONDS = 86_400
_WIDE_COLUMN = re.compile(
    r'^date entered\s*["“](?P<stage>.+?)(?:\s*\((?P<pipeline>[^()]*)\))?["”]$',
    re.IGNORECASE,
)
_STAGE_FIELDS = ("StageName", "Stage")


def stage_durations(history: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """Sum the days each deal spent in each stage it entered up to ``as_of``.

    Columns: deal_id, stage, days (float, all visits added up), visits (how
    often the deal entered the stage) and ongoing (the deal is still in the
    stage, so days only counts up to ``as_of``). When a deal is back in a
    stage it visited before, the whole row is ongoing. Entries after
    ``as_of`` are ignored. Rows are sorted by deal and first entry. An empty
    history gives an empty frame.
    """
    return _per_deal(_visits(_by_deal(history), as_of))


def stage_summary(
    history: pl.DataFrame,
    as_of: datetime,
    stage_order: list[str] | None = None,
) -> pl.DataFrame:
    """Summarise the time in each stage and the conversion between stages.

    Columns: stage, deals (deals with a completed time in the stage),
    mean_days and median_days over those deals, ongoing_deals and reached
    (deals that ever entered the stage). conversion_to_next is the percent of
    the deals reaching the stage that later reach a further stage of
    ``stage_order``, where lost stages do not count. Without ``stage_order`` the
    order is inferred from the history, with won and lost stages last.
    conversion_to_next is null for lost stages and the last stage of the
    order. Rows follow the stage order. An empty history gives an empty frame.
    """
    history = _by_deal(history.filter(pl.col("entered_at") <= as_of))
    first_entries = _first_entries(history)
    order = _stage_order(first_entries, stage_order)
    durations = _per_deal(_visits(history, as_of))
    completed = pl.col("days").filter(~pl.col("ongoing"))
    times = durations.group_by("stage").agg(
        (~pl.col("ongoing")).sum().cast(pl.Int64).alias("deals"),
        completed.mean().alias("mean_days"),
        completed.median().alias("median_days"),
        pl.col("ongoing").sum().cast(pl.Int64).alias("ongoing_deals"),
    )
    summary = _conversion(first_entries, order).join(times, on="stage", how="left")
    summary = summary.with_columns(
        pl.col("deals", "ongoing_deals").fill_null(0),
    )
    return summary.sort("_order").select(
        "stage",
        "deals",
        "mean_days",
        "median_days",
        "ongoing_deals",
        "reached",
        "conversion_to_next",
    )


def stage_duration_days(
    history: pl.DataFrame, period: Period = ALL_DATA, as_of: datetime | None = None
) -> KpiResult:
    """Compute the median days per stage over stage entries in the period.

    Value: a mapping of stage to median days (unit "days") over the completed
    per-deal times of the visits whose entered_at lies in the period, in
    stage order. ``extra`` contains "bottleneck" (the stage with the longest
    median, the earlier stage on a tie) and "mean_days" per stage. Visits of
    deals still in a stage are left out and counted. ``as_of`` defaults to
    now. An empty history, or no completed visit in the period, gives not
    available.
    """
    as_of = as_of or datetime.now()
    history = _by_deal(history)
    visits = _visits(history, as_of).filter(period.contains("entered_at"))
    per_deal = _per_deal(visits)
    ongoing = int(per_deal["ongoing"].sum())
    excluded = {"deal still in the stage": ongoing} if ongoing else {}
    unnamed = int(per_deal["stage"].null_count())
    if unnamed:
        excluded["stage entry without a stage name"] = unnamed
    completed = per_deal.filter(~pl.col("ongoing") & pl.col("stage").is_not_null())
    if completed.is_empty():
        reason = "no deal completed a pipeline stage entered in this period"
        return not_available("stage_duration_days", reason, excluded=excluded)

    order = _stage_order(_first_entries(history), None)
    stats = (
        completed.group_by("stage")
        .agg(
            pl.col("days").median().alias("median"),
            pl.col("days").mean().alias("mean"),
        )
        .join(order, on="stage")
        .sort("_order")
    )
    medians = dict(zip(stats["stage"], stats["median"], strict=True))
    bottleneck = stats.sort("median", descending=True, maintain_order=True)[0]
    return KpiResult(
        key="stage_duration_days",
        status="ok",
        unit="days",
        value=medians,
        n=completed.height,
        formula=(
            f"median days per stage over {completed.height:,} completed stage "
            f"times; longest median: {bottleneck['stage'].item()} with "
            f"{bottleneck['median'].item():.1f} days"
        ),
        excluded=excluded,
        extra={
            "bottleneck": bottleneck["stage"].item(),
            "mean_days": dict(zip(stats["stage"], stats["mean"], strict=True)),
        },
    )


def wide_stage_columns(headers: list[str]) -> dict[str, str]:
    """Map each HubSpot ``Date entered "<Stage> (<Pipeline>)"`` header to its
    stage name; other headers are left out."""
    return {
        name: match["stage"].strip()
        for name in headers
        if (match := _WIDE_COLUMN.match(name.strip()))
    }


def history_from_wide(frame: pl.DataFrame) -> pl.DataFrame:
    """Turn HubSpot's wide "Date entered" columns into the long stage history.

    Takes deal_id plus columns named ``Date entered "<Stage> (<Pipeline>)"``
    (the pipeline part is optional), already parsed to Date or Datetime.
    Empty cells are stages the deal never entered. Returns deal_id, stage and
    entered_at sorted by deal and time. Raises MissingColumnError when
    deal_id or every such column is missing, and InvalidValueError when such
    a column still contains text.
    """
    if "deal_id" not in frame.columns:
        raise MissingColumnError(
            "the stage history has no deal_id column; map the record id to it",
            column="deal_id",
        )
    stages = wide_stage_columns(frame.columns)
    if not stages:
        raise MissingColumnError(
            'no column is named like Date entered "<Stage> (<Pipeline>)"; export '
            'the deals with their "Date entered" stage properties'
        )
    for name in stages:
        if not frame.schema[name].is_temporal():
            raise InvalidValueError(
                "invalid column type: it contains text where dates are expected; "
                "parse it as dates first",
                column=name,
            )

    long = frame.select(
        pl.col("deal_id").cast(pl.String),
        *(pl.col(name).cast(pl.Datetime("us")) for name in stages),
    ).unpivot(
        index="deal_id", on=list(stages), variable_name="stage", value_name="entered_at"
    )
    return (
        long.drop_nulls("entered_at")
        .with_columns(pl.col("stage").replace_strict(stages))
        .sort("deal_id", "entered_at", maintain_order=True)
    )


def history_from_field_history(frame: pl.DataFrame) -> pl.DataFrame:
    """Turn Salesforce OpportunityFieldHistory rows into the long stage history.

    Takes the columns OpportunityId, Field, NewValue and CreatedDate (parsed
    to Datetime) and keeps the rows whose Field is StageName or Stage. Returns
    deal_id, stage and entered_at sorted by deal and time. Raises
    MissingColumnError naming any of the four columns that is absent.
    """
    needed = ("OpportunityId", "Field", "NewValue", "CreatedDate")
    missing = [name for name in needed if name not in frame.columns]
    if missing:
        raise MissingColumnError(
            f"the field history has no {', '.join(missing)} column; export "
            f"OpportunityFieldHistory with {', '.join(needed)}",
            column=missing[0],
        )
    # NOTE: Field history records changes only, so the stage an opportunity was
    # created in has no row here and its time is missing from the durations.
    changes = frame.filter(pl.col("Field").is_in(_STAGE_FIELDS))
    return changes.select(
        pl.col("OpportunityId").cast(pl.String).alias("deal_id"),
        pl.col("NewValue").cast(pl.String).alias("stage"),
        pl.col("CreatedDate").cast(pl.Datetime("us")).alias("entered_at"),
    ).sort("deal_id", "entered_at", maintain_order=True)


def _by_deal(history: pl.DataFrame) -> pl.DataFrame:
    """Sort the history by deal and entered_at, nulls first, ties in row order.

    Every step below relies on this order, and sorting once is cheaper than
    a window per deal in each of them.
    """
    return history.sort("deal_id", "entered_at", maintain_order=True)


def _visits(ordered: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """Measure every stage visit: deal_id, stage, entered_at, days, ongoing.

    ``ordered`` is a history sorted by ``_by_deal``.
    """
    ordered = ordered.filter(pl.col("entered_at") <= as_of)
    # A shift over the whole sorted frame, masked where the next row belongs
    # to another deal, is much faster than a window per deal.
    same_deal = pl.col("deal_id").eq_missing(pl.col("deal_id").shift(-1))
    ordered = ordered.with_columns(
        pl.when(same_deal).then(pl.col("entered_at").shift(-1)).alias("_next_entry")
    )
    left_at = pl.col("_next_entry")
    is_last = left_at.is_null()
    closing = pl.col("stage").is_in(_closing_stages(ordered))
    visits = ordered.with_columns(
        pl.when(is_last).then(pl.lit(as_of)).otherwise(left_at).alias("_left_at"),
        (is_last & ~closing).alias("ongoing"),
        (is_last & closing).alias("_final"),
    )
    elapsed = pl.col("_left_at") - pl.col("entered_at")
    return visits.filter(~pl.col("_final")).select(
        "deal_id",
        "stage",
        "entered_at",
        (elapsed.dt.total_seconds(fractional=True) / _DAY_SECONDS).alias("days"),
        "ongoing",
    )


def _per_deal(visits: pl.DataFrame) -> pl.DataFrame:
    """Add up the visits of each deal and stage; ``visits`` comes from
    ``_visits``, so each deal's rows are together in deal order."""
    # A run number per deal groups and sorts faster than the deal_id text,
    # and on this order it sorts the deals the same way.
    keyed = visits.with_columns(pl.col("deal_id").rle_id().alias("_deal"))
    per_deal = keyed.group_by("_deal", "stage").agg(
        pl.col("deal_id").first(),
        pl.col("days").sum(),
        pl.len().cast(pl.Int64).alias("visits"),
        pl.col("ongoing").any(),
        pl.col("entered_at").min().alias("_first"),
    )
    return per_deal.sort("_deal", "_first").select(
        "deal_id", "stage", "days", "visits", "ongoing"
    )


def _first_entries(ordered: pl.DataFrame) -> pl.DataFrame:
    """Keep the first entry of each deal into each stage, with _position: its
    1-based rank among the deal's first entries by entered_at, ties in row
    order, null where entered_at is null.

    ``ordered`` is a history sorted by ``_by_deal``. On that order a running
    count over the whole frame gives the rank without a window per deal.
    """
    first = ordered.filter(pl.struct("deal_id", "stage").is_first_distinct())
    dated = pl.col("entered_at").is_not_null().cast(pl.Int64)
    dated_so_far = dated.cum_sum()
    new_deal = pl.col("deal_id").ne_missing(pl.col("deal_id").shift(1))
    new_deal = new_deal | (pl.int_range(pl.len()) == 0)
    before_deal = pl.when(new_deal).then(dated_so_far - dated).forward_fill()
    position = (dated_so_far - before_deal).cast(pl.UInt32)
    return first.with_columns(pl.when(dated == 1).then(position).alias("_position"))


def _stage_order(
    first_entries: pl.DataFrame, stage_order: list[str] | None
) -> pl.DataFrame:
    """Number the stages: the given order first, then the rest as inferred.

    The inferred order sorts stages by their mean position in the deals'
    sequences (``_first_entries``), then puts won stages and after them lost
    stages last.
    """
    inferred = (
        first_entries.group_by("stage")
        .agg(pl.col("_position").mean())
        .with_columns(_is_won(), _is_lost())
        .sort("lost", "won", "_position", "stage")["stage"]
        .to_list()
    )
    known = list(stage_order or [])
    stages = known + [stage for stage in inferred if stage not in known]
    return pl.DataFrame(
        {"stage": stages, "_order": range(len(stages))},
        schema={"stage": pl.String, "_order": pl.Int64},
    )


def _conversion(first_entries: pl.DataFrame, order: pl.DataFrame) -> pl.DataFrame:
    """Count the deals reaching each stage and the share that went further."""
    reached = first_entries.select("deal_id", "stage").join(order, on="stage")
    lost_stages = order.filter(_is_lost())["stage"].to_list()
    progress = pl.when(~pl.col("stage").is_in(lost_stages)).then(pl.col("_order"))
    reached = reached.with_columns(progress.max().over("deal_id").alias("_furthest"))
    went_further = (pl.col("_furthest") > pl.col("_order")).fill_null(False)

    last_step = order.filter(~_is_lost())["_order"].max()
    has_next = pl.lit(False) if last_step is None else pl.col("_order") < last_step
    has_next = has_next & ~_is_lost()
    table = reached.group_by("stage", "_order").agg(
        pl.len().cast(pl.Int64).alias("reached"),
        (went_further.mean() * 100).alias("conversion_to_next"),
    )
    return table.with_columns(
        pl.when(has_next).then(pl.col("conversion_to_next")).alias("conversion_to_next")
    )


def _closing_stages(history: pl.DataFrame) -> list[str]:
    """Return the stage names of ``history`` that are won or lost stages.

    Matching the few distinct names and then the rows against them is
    faster than trimming and lower-casing millions of stage cells.
    """
    stages = history.select(pl.col("stage").unique())
    return stages.filter(_is_won() | _is_lost())["stage"].to_list()


def _label() -> pl.Expr:
    return pl.col("stage").str.strip_chars().str.to_lowercase()


def _is_won() -> pl.Expr:
    return _label().is_in(list(WON_STAGES)).alias("won")


def _is_lost() -> pl.Expr:
    return _label().is_in(list(LOST_STAGES)).alias("lost")
