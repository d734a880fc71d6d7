"""Time deals spend in each pipeline stage, from the stage history.

The canonical stage history has one row per entry of a deal into a stage:
deal_id (String), stage (String) and entered_at (Datetime "us", naive). A
deal stays in a stage from entering it until it enters its next stage. A
revisited stage adds up all its visits for that deal, and a skipped stage
has no row at all rather than zero days. The last stage of a deal that is not
won or lost is ongoing up to ``as_of`` and is kept apart from the completed
durations. A final won or lost stage has no duration. The page, the Excel
report and the command line take ``as_of`` from ``history_end``, the latest
stage change in the history.

A history built from HubSpot's stage-calculated properties has one row per
deal and stage with the latest entry only, and may have two more columns:
exited_at (Datetime, the latest exit) and cumulative_ms (Float64, HubSpot's
total time in the stage over all visits). See ``_stage_times`` for how they
correct the times of a deal that re-entered a stage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from typing import TypeVar

import polars as pl

from kpi_core.errors import InvalidValueError, MissingColumnError
from kpi_core.formatting import count_noun, format_number
from kpi_core.period import Period
from kpi_core.results import KpiResult, not_available
from kpi_core.reuse import reuse_last_result
from kpi_core.schema import deal_status_expr

_First = TypeVar("_First")
_Second = TypeVar("_Second")
# Period() is immutable, so one shared instance is a safe default argument.
ALL_DATA = Period()
_DAY_SECONDS = 86_400
# HubSpot's stage-calculated properties, one column per property and stage,
# as in 'Date exited "Closed Won (Sales Pipeline)"'. The label in quotes
# names the stage and, in brackets, its pipeline, which may be missing.
# The lookbehind lets the pipeline part start only where a run of spaces
# begins, or after the first character of the label. The shortest stage
# always starts it there, and without the lookbehind every position in a
# long run of spaces would scan the rest of the run (quadratic time).
_WIDE_COLUMN = re.compile(
    r"^(?P<property>date entered|date exited|cumulative time in)\s*"
    r'["“](?P<label>(?P<stage>.+?)'
    r'(?:(?:(?<=\S)|(?<=["“]\s))\s*\((?P<pipeline>[^()]*)\))?)["”]$',
    re.IGNORECASE,
)
ENTERED_PROPERTY = "date entered"
EXITED_PROPERTY = "date exited"
CUMULATIVE_PROPERTY = "cumulative time in"
_STAGE_FIELDS = ("StageName", "Stage")
# The Field value of the row Salesforce's field history writes when a record
# is created.
CREATED_FIELD = "created"
# Optional history columns from HubSpot's "Date exited" and "Cumulative time
# in" properties.
EXITED = "exited_at"
CUMULATIVE = "cumulative_ms"
_MS_PER_DAY = 86_400_000
# The exports write stage dates to the minute, so a time measured between
# two of them can differ from HubSpot's cumulative milliseconds by up to a
# minute for a deal that never re-entered the stage.
_CUMULATIVE_TOLERANCE_DAYS = 60 / _DAY_SECONDS
# How many rows before and after a visit are compared to find the deal's
# other visits to the same stage. Deals with more rows are hashed instead.
_LOOKBACK = 8
# About how many rows are sampled to find the stage names.
_STAGE_SAMPLE = 2_000
# How many deal ids a warning names.
_DEALS_SHOWN = 5
# The reason for leaving out a stage entry whose deal id is empty. Such
# entries cannot be matched to their deal, and all of them together would
# count as one more deal.
WITHOUT_DEAL_ID = "stage entry without a deal id"
# The reason for leaving out the time of a deal that has not left its stage.
STILL_IN_STAGE = "deal still in the stage"
# The reason given when no row of a history has a deal id, as when the
# column mapped to deal_id is empty.
NO_DEAL_IDS = (
    "no row of the stage history has a deal ID, so no stage time can be "
    "measured. Map the column with the deal IDs to deal_id on the Data page, "
    "or fill in the deal IDs and import the file again"
)


def stage_durations(history: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """Sum the days each deal spent in each stage it entered up to ``as_of``.

    Columns: deal_id, stage, days (float, all visits added up), visits (how
    often the history has the deal enter the stage) and ongoing (the deal is
    still in the stage, so days only counts up to ``as_of``). When a deal is
    back in a stage it visited before, the whole row is ongoing. days is
    null where the history contains latest entries only and the deal re-entered
    a stage, unless its cumulative_ms gives a completed time (see
    ``_stage_times``). Entries after ``as_of`` are ignored. Rows are sorted
    by deal and first entry, ties in row order. An empty history gives an
    empty frame.
    """
    (keyed, stages), _none = _keyed_history(history)
    per_deal, _none = _stage_times(history, as_of, ALL_DATA)
    return pl.DataFrame(
        [
            history["deal_id"].gather(per_deal["_row"]),
            stages["stage"].gather(per_deal["_stage"]),
            per_deal["days"],
            per_deal["visits"],
            per_deal["ongoing"],
        ]
    )


def history_end(history: pl.DataFrame) -> datetime:
    """Return the time of the latest stage change in ``history``, up to which
    a deal still in a stage is measured.

    An export is a snapshot taken after its last change, so measuring up to
    that change gives the same figures on any day the file is read. Measuring
    up to the current time would instead ignore the changes after it, such as
    an entry of tomorrow from an export written in a time zone ahead of the
    server's.
    A history without a dated entry gives ``datetime.min``, which keeps no row.
    """
    latest = history["entered_at"].max()
    return latest if isinstance(latest, datetime) else datetime.min


def stage_summary(
    history: pl.DataFrame,
    as_of: datetime,
    stage_order: list[str] | None = None,
    period: Period = ALL_DATA,
) -> pl.DataFrame:
    """Summarise the time in each stage and the conversion between stages.

    Columns: stage, deals (deals with a known completed time in the stage),
    mean_days and median_days over those deals, ongoing_deals and reached
    (deals that entered the stage). conversion_to_next is the percent of
    the deals reaching the stage that later reach a further stage of
    ``stage_order``, where lost stages do not count. Without ``stage_order`` the
    order is inferred from the history, with won and lost stages last.
    conversion_to_next is null for lost stages and the last stage of the
    order. Rows follow the stage order. An empty history gives an empty frame.

    With a ``period``, the times are those of the visits entered in the
    period, as in ``stage_duration_days``, measured to the deal's next stage
    even after the period. reached counts the deals whose first entry into
    the stage lies in the period, and their later progress counts up to
    ``as_of``. Stages no deal entered in the period have no row.
    """
    (keyed, stages), _none = _keyed_history(history)

    def ordered_entries() -> tuple[pl.DataFrame, pl.DataFrame]:
        # The same frame object lets _first_entries reuse the result that
        # stage_duration_days computed from it.
        first_entries, _none = _first_entries(_entered_by(keyed, as_of))
        return first_entries, _stage_order(first_entries, stages, stage_order)

    durations, (first_entries, order) = run_in_parallel(
        lambda: _stage_times(history, as_of, period)[0], ordered_entries
    )
    completed = pl.col("days").filter(~pl.col("ongoing"))
    times, conversion = run_in_parallel(
        lambda: durations.group_by("_stage").agg(
            # A time that _stage_times could not correct is null.
            completed.count().cast(pl.Int64).alias("deals"),
            completed.mean().alias("mean_days"),
            completed.median().alias("median_days"),
            pl.col("ongoing").sum().cast(pl.Int64).alias("ongoing_deals"),
        ),
        lambda: _conversion(first_entries, stages, order, period),
    )
    summary = conversion.join(times, on="_stage", how="left")
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
    deals still in a stage are left out and counted. So are the times of a
    deal that re-entered a stage where the history contains latest entries and
    no cumulative time, with a warning that names the deals (see
    ``_stage_times``), and the entries without a deal id
    (``WITHOUT_DEAL_ID``). ``excluded`` counts those entries in rows and the
    other reasons in the units of ``_EXCLUDED_UNITS``. ``as_of`` defaults to
    ``history_end``. An empty history, or no completed visit in the period,
    gives not available, and so does a history without any deal id
    (``NO_DEAL_IDS``).
    """
    if as_of is None:
        as_of = history_end(history)
    if history.height and history["deal_id"].null_count() == history.height:
        without_id = _entries_without_deal(history, as_of, period)
        excluded = {WITHOUT_DEAL_ID: without_id} if without_id else {}
        return not_available("stage_duration_days", NO_DEAL_IDS, excluded=excluded)
    (keyed, stages), _none = _keyed_history(history)
    per_deal, order = run_in_parallel(
        lambda: _stage_times(history, as_of, period)[0],
        lambda: _stage_order(_first_entries(keyed)[0], stages, None),
    )
    ongoing = int(per_deal["ongoing"].sum())
    excluded = {STILL_IN_STAGE: ongoing} if ongoing else {}
    without_id = _entries_without_deal(history, as_of, period)
    if without_id:
        excluded[WITHOUT_DEAL_ID] = without_id
    named = _named(stages)
    unnamed = per_deal.height - int(per_deal.select(named.sum()).item())
    if unnamed:
        excluded[WITHOUT_STAGE_NAME] = unnamed
    completed = per_deal.filter(~pl.col("ongoing") & named)
    notes, warnings = "", ()
    if "_reentered" in completed.columns:
        completed, notes, warnings = _reentered_times(history, completed, excluded)
    if completed.is_empty():
        reason = "no deal completed a pipeline stage entered in this period"
        if warnings:
            reason = f"no completed stage time of this period is known. {warnings[0]}"
        return not_available(
            "stage_duration_days",
            reason,
            excluded=excluded,
            excluded_units=_units_of(excluded),
            warnings=warnings,
        )

    stats = (
        completed.group_by("_stage")
        .agg(
            pl.col("days").median().alias("median"),
            pl.col("days").mean().alias("mean"),
        )
        .join(stages, on="_stage")
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
            f"{format_number(bottleneck['median'].item(), 1)} days{notes}"
        ),
        excluded=excluded,
        excluded_units=_units_of(excluded),
        extra={
            "bottleneck": bottleneck["stage"].item(),
            "mean_days": dict(zip(stats["stage"], stats["mean"], strict=True)),
        },
        warnings=warnings,
    )


def _entries_without_deal(
    history: pl.DataFrame, as_of: datetime, period: Period
) -> int:
    """Count the rows with a null deal_id entered up to ``as_of`` in the
    period, which ``_keyed_history`` leaves out."""
    if not history["deal_id"].null_count():
        return 0
    entered = (pl.col("entered_at") <= as_of) & entered_in(period)
    return history.filter(pl.col("deal_id").is_null() & entered).height


# The reason for leaving out a completed time that _stage_times could not
# correct.
REENTERED_WITHOUT_TOTAL = "deal re-entered a stage, no cumulative time"
# The reason for leaving out the visits of a deal to a stage without a name.
WITHOUT_STAGE_NAME = "stage entry without a stage name"
# The unit of each count in the ``excluded`` of ``stage_duration_days``
# that is not rows. These counts are rows of ``_per_deal``, one per deal and
# stage. A deal is still in one stage at most and has one stage without a
# name at most, but a re-entered deal can lose several stage times.
_EXCLUDED_UNITS = {
    STILL_IN_STAGE: "deal",
    WITHOUT_STAGE_NAME: "deal",
    REENTERED_WITHOUT_TOTAL: "stage time",
}


def _units_of(excluded: dict[str, int]) -> dict[str, str]:
    units = {}
    for reason in excluded:
        if reason in _EXCLUDED_UNITS:
            units[reason] = _EXCLUDED_UNITS[reason]
    return units


def _reentered_times(
    history: pl.DataFrame, completed: pl.DataFrame, excluded: dict[str, int]
) -> tuple[pl.DataFrame, str, tuple[str, ...]]:
    """Leave out the completed times of re-entered deals that
    ``_stage_times`` left null, and count them in ``excluded``.

    Returns the times kept, a note for the formula on the deals measured by
    their cumulative time, and a warning that names the deals left out.
    """
    reentered = completed.filter("_reentered")
    unknown = reentered.filter(pl.col("days").is_null())
    measured = reentered.height - unknown.height
    notes, warnings = "", ()
    if measured:
        notes = (
            f"; {count_noun(measured, 'time')} of deals that re-entered a stage "
            "come from the cumulative time in the stage"
        )
    if unknown.height:
        excluded[REENTERED_WITHOUT_TOTAL] = unknown.height
        deals = history["deal_id"].gather(unknown["_row"]).unique(maintain_order=True)
        listed_ids = ", ".join(deals.head(_DEALS_SHOWN).to_list())
        if deals.len() > _DEALS_SHOWN:
            listed_ids += f" and {deals.len() - _DEALS_SHOWN:,} more"
        warnings = (
            f"{count_noun(unknown.height, 'stage time')} of "
            f"{count_noun(deals.len(), 'deal')} that re-entered a stage "
            f"{'is' if unknown.height == 1 else 'are'} left out (deal "
            f"{listed_ids}). The history has only the latest entry into each stage "
            "and no cumulative time, so the time of the earlier visits is "
            "unknown. To include them, export the deals from HubSpot with "
            'their "Cumulative time in" stage properties as well.',
        )
    return completed.filter(pl.col("days").is_not_null()), notes, warnings


def wide_stage_columns(
    headers: list[str], property_name: str = ENTERED_PROPERTY
) -> dict[str, str]:
    """Map each HubSpot header of ``property_name``, by default ``Date entered
    "<Stage> (<Pipeline>)"``, to its stage name; other headers are left out."""
    return {
        name: match["stage"].strip()
        for name, match in _wide_matches(headers, property_name).items()
    }


def stage_property_columns(headers: list[str], property_name: str) -> list[str | None]:
    """Return the header of ``property_name``, such as "date exited", of each
    stage of ``wide_stage_columns(headers)`` in that order, or None for a
    stage without one.

    The columns of one stage have the same label in quotes, as in
    "Closed Won (Sales Pipeline)", so two pipelines with a stage of the same
    name keep their columns apart.
    """
    by_label = {
        match["label"].strip(): name
        for name, match in _wide_matches(headers, property_name).items()
    }
    entered = _wide_matches(headers, ENTERED_PROPERTY).values()
    return [by_label.get(match["label"].strip()) for match in entered]


def _wide_matches(headers: list[str], property_name: str) -> dict[str, re.Match[str]]:
    matches = {}
    for name in headers:
        match = _WIDE_COLUMN.match(name.strip())
        if match and match["property"].lower() == property_name:
            matches[name] = match
    return matches


def history_from_wide(frame: pl.DataFrame) -> pl.DataFrame:
    """Turn HubSpot's wide "Date entered" columns into the long stage history.

    Takes deal_id plus columns named ``Date entered "<Stage> (<Pipeline>)"``
    (the pipeline part is optional), already parsed to Date or Datetime.
    Empty cells are stages the deal never entered. Returns deal_id, stage and
    entered_at sorted by deal and time. The stages' ``Date exited`` columns,
    parsed to dates, add exited_at, and their ``Cumulative time in``
    columns, parsed to numbers of milliseconds, add cumulative_ms. Raises
    MissingColumnError when deal_id or every "Date entered" column is
    missing, and InvalidValueError when a date column still contains text
    or a cumulative time column is not numeric.
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
    exited = stage_property_columns(frame.columns, EXITED_PROPERTY)
    cumulative = stage_property_columns(frame.columns, CUMULATIVE_PROPERTY)
    for name in [*stages, *filter(None, exited)]:
        if not frame.schema[name].is_temporal():
            raise InvalidValueError(
                "invalid column type: it contains text where dates are expected; "
                "parse it as dates first",
                column=name,
            )
    for name in filter(None, cumulative):
        if not frame.schema[name].is_numeric():
            raise InvalidValueError(
                "invalid column type: it contains text where milliseconds are "
                "expected; parse it as numbers first",
                column=name,
            )

    long = frame.select(
        pl.col("deal_id").cast(pl.String),
        *(pl.col(name).cast(pl.Datetime("us")) for name in stages),
    ).unpivot(
        index="deal_id", on=list(stages), variable_name="stage", value_name="entered_at"
    )
    properties = (
        (EXITED, exited, pl.Datetime("us")),
        (CUMULATIVE, cumulative, pl.Float64),
    )
    for name, columns, dtype in properties:
        if any(columns):
            long = long.with_columns(
                stage_property_values(frame, list(stages), columns, dtype).alias(name)
            )
    return (
        long.drop_nulls("entered_at")
        .with_columns(pl.col("stage").replace_strict(stages))
        .sort("deal_id", "entered_at", maintain_order=True)
    )


def stage_property_values(
    frame: pl.DataFrame,
    entered: list[str],
    columns: list[str | None],
    dtype: pl.DataType,
) -> pl.Series:
    """Unpivot ``columns``, one per stage of ``entered``, into one Series in
    the row order of unpivoting ``entered``; a stage without a column gives
    nulls."""
    values = frame.select(
        (pl.col(column) if column else pl.lit(None)).cast(dtype).alias(stage)
        for stage, column in zip(entered, columns, strict=True)
    )
    return values.unpivot(on=entered)["value"]


def history_from_field_history(frame: pl.DataFrame) -> pl.DataFrame:
    """Turn Salesforce OpportunityFieldHistory rows into the long stage history.

    Takes the columns OpportunityId, Field, NewValue and CreatedDate (parsed
    to Datetime) and keeps the rows whose Field is StageName or Stage. With
    an OldValue column, the stage a deal was created in is added as well,
    entered at its "created" row (see ``first_stages``). Returns deal_id,
    stage and entered_at sorted by deal and time. Raises MissingColumnError
    naming any of the four columns that is absent.
    """
    needed = ("OpportunityId", "Field", "NewValue", "CreatedDate")
    missing = [name for name in needed if name not in frame.columns]
    if missing:
        raise MissingColumnError(
            f"the field history has no {', '.join(missing)} column; export "
            f"OpportunityFieldHistory with {', '.join(needed)}",
            column=missing[0],
        )
    history = frame.select(
        pl.col("OpportunityId").cast(pl.String).alias("deal_id"),
        pl.col("NewValue").cast(pl.String).alias("stage"),
        pl.col("CreatedDate").cast(pl.Datetime("us")).alias("entered_at"),
    )
    is_stage = pl.col("Field").is_in(_STAGE_FIELDS)
    changes = history.filter(frame.select(is_stage).to_series())
    if "OldValue" in frame.columns:
        # NOTE: a deal without a "created" row still loses the stage it was
        # created in, because nothing dates the entry into it.
        kind = pl.when(is_stage).then(pl.lit("stage"))
        kind = kind.when(pl.col("Field") == CREATED_FIELD).then(pl.lit("created"))
        found = first_stages(
            frame.select(
                pl.col("OpportunityId").cast(pl.String).alias("deal_id"),
                kind.alias("kind"),
                pl.col("OldValue").cast(pl.String).alias("previous_stage"),
                pl.col("CreatedDate").cast(pl.Datetime("us")).alias("changed_at"),
                pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"),
            )
        ).drop_nulls(["stage", "created_row"])
        created = history.select(
            pl.col("deal_id").gather(found["created_row"]),
            found["stage"],
            pl.col("entered_at").gather(found["created_row"]),
        )
        changes = pl.concat([created, changes])
    return changes.sort("deal_id", "entered_at", maintain_order=True)


def first_stages(changes: pl.DataFrame) -> pl.DataFrame:
    """Find the stage each deal of a field history was created in.

    A field history records a stage only when it changes, so a deal was
    created in the previous stage (OldValue) of its first stage change, and
    entered it when it was created. ``changes`` has the columns deal_id,
    kind ("stage" for a stage change, "created" for the row written at
    creation, null for other rows), previous_stage, changed_at (Datetime)
    and _row, a row number.

    Returns one row per deal with a stage change or a created row, with
    the columns deal_id, stage, change_row and created_row. stage is the
    previous stage of the first change, null when that is empty or the deal
    has no change. change_row is the _row of that change, or null.
    created_row is the _row of the deal's first created row when the deal
    has no stage change or was created on or before its first change, else
    null. Ties in changed_at go by _row, and a null changed_at comes last.
    """
    ordered = changes.filter(pl.col("kind").is_not_null()).sort(
        "changed_at", "_row", nulls_last=True
    )
    # A group keeps the order of its rows, so its first row is the earliest.
    first = ordered.group_by("deal_id", "kind").first()
    previous = pl.col("previous_stage").str.strip_chars()
    change = first.filter(pl.col("kind") == "stage").select(
        "deal_id",
        pl.when(previous != "").then(previous).alias("stage"),
        pl.col("changed_at").alias("_changed_at"),
        pl.col("_row").alias("change_row"),
    )
    created = first.filter(pl.col("kind") == "created").select(
        "deal_id",
        pl.col("changed_at").alias("_created_at"),
        pl.col("_row").alias("created_row"),
    )
    joined = change.join(created, on="deal_id", how="full", coalesce=True)
    in_time = pl.col("change_row").is_null() | (
        pl.col("_created_at") <= pl.col("_changed_at")
    )
    return joined.select(
        "deal_id",
        "stage",
        "change_row",
        pl.when(in_time).then(pl.col("created_row")).alias("created_row"),
    ).sort("deal_id")


def run_in_parallel(
    first: Callable[[], _First], second: Callable[[], _Second]
) -> tuple[_First, _Second]:
    """Run two independent steps at once and return both results.

    Many of the Polars steps below use one core, and Polars releases the GIL
    while it computes, so running the first step on a second thread lets
    the two overlap.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = pool.submit(first)
        second_result = second()
        return started.result(), second_result


@reuse_last_result
def _keyed_history(
    history: pl.DataFrame,
) -> tuple[tuple[pl.DataFrame, pl.DataFrame], dict[str, int]]:
    """Sort the history by deal and entered_at, nulls first, ties in row order,
    with integer keys in place of the text columns.

    Returns the sorted frame and the stage table. In the frame, _deal is the
    rank of deal_id in sort order, and _stage is the stage's row in the
    stage table. _closing marks won and lost stages and is null for a null
    stage, and _row is the row's index in ``history``. Rows with a null
    deal_id are left out. The stage table has stage and _stage for every distinct
    stage, a null stage last. Every step below relies on this order.
    """
    deal_id = history["deal_id"]
    # A run number needs no sort, and on sorted ids it is the rank.
    deal = pl.col("deal_id")
    deal = deal.rle_id() if deal_id.is_sorted() else deal.rank("dense")
    names, stage = _stage_codes(history["stage"])
    keyed = history.select(
        deal.fill_null(0).cast(pl.UInt32).alias("_deal"),
        stage.alias("_stage"),
        "entered_at",
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"),
    )
    nulls = history["stage"].null_count()
    if keyed["_stage"].null_count() > nulls:
        # The sample missed a stage name, so every row is hashed instead.
        names = history["stage"].unique().drop_nulls().sort()
        stage = pl.col("stage").cast(pl.Enum(names)).to_physical().cast(pl.UInt32)
        keyed = keyed.with_columns(history.select(stage.alias("_stage")).to_series())
    if nulls:
        keyed = keyed.with_columns(pl.col("_stage").fill_null(len(names)))
        names = names.extend(pl.Series([None], dtype=pl.String))
    stages = pl.DataFrame(
        {
            "stage": names,
            "_stage": pl.int_range(len(names), dtype=pl.UInt32, eager=True),
        }
    )
    closing = stages.select(_is_won() | _is_lost()).to_series()
    keyed = _sorted_by_deal(keyed).with_columns(
        pl.lit(closing).gather(pl.col("_stage")).alias("_closing")
    )
    if deal_id.null_count():
        # Rows without a deal id belong to no known deal, and taken
        # together they would be one made-up deal, so every KPI leaves them
        # out (``WITHOUT_DEAL_ID``). _row still indexes ``history``.
        has_id = pl.lit(deal_id.is_not_null()).gather(pl.col("_row"))
        keyed = keyed.filter(has_id)
    return (keyed, stages), {}


def _stage_codes(stage: pl.Series) -> tuple[pl.Series, pl.Expr]:
    """Return the sorted distinct names of a sample of ``stage`` and an
    expression giving each row's index into them, null for a null stage or a
    name the sample missed.

    A history has a few stage names, and looking rows up in a short list
    costs less than hashing every row to find the names.
    """
    step = max(1, stage.len() // _STAGE_SAMPLE)
    names = stage.gather_every(step).cast(pl.String).unique().drop_nulls().sort()
    if names.is_empty():
        return names, pl.lit(None, dtype=pl.UInt32)
    codes = pl.int_range(names.len(), dtype=pl.UInt32, eager=True)
    text = pl.col("stage").cast(pl.String)
    return names, text.replace_strict(names, codes, default=None)


def _sorted_by_deal(keyed: pl.DataFrame) -> pl.DataFrame:
    """Sort ``keyed`` by _deal and entered_at, nulls first, ties in row order.

    Exports usually list each deal's rows together and mostly in time order.
    When _deal is already sorted, only the deals with a row out of time
    order are sorted, and they go back to the rows their deals occupied.
    """
    if not keyed["_deal"].is_sorted():
        return keyed.sort("_deal", "entered_at", maintain_order=True)
    if keyed.height < 2:
        return keyed
    # Each row is compared with the row before it through two slices, which
    # copy nothing, in place of a shifted copy of the columns.
    deal, entered = keyed["_deal"], keyed["entered_at"]
    after, before = entered.slice(1), entered.slice(0, keyed.height - 1)
    # A null entered_at sorts first, so it is out of order after a date.
    out_of_order = (after < before).fill_null(False)
    out_of_order = out_of_order | (after.is_null() & before.is_not_null())
    late = (deal.slice(1) == deal.slice(0, keyed.height - 1)) & out_of_order
    unsorted = deal.slice(1).filter(late).unique()
    if unsorted.is_empty():
        return keyed
    deal = pl.col("_deal")
    rows = keyed.filter(deal.is_in(unsorted.implode()))
    # _row numbers the rows of ``keyed``, so it gives the slots to refill.
    slots = rows["_row"]
    rows = rows.sort("_deal", "entered_at", maintain_order=True)
    # Each deal gets back its own rows, so _deal stays as it is.
    moved = (name for name in rows.columns if name != "_deal")
    refilled = (keyed[name].clone().scatter(slots, rows[name]) for name in moved)
    return keyed.with_columns(*refilled)


@reuse_last_result
def _visits(
    keyed: pl.DataFrame, as_of: datetime
) -> tuple[tuple[pl.DataFrame, pl.Series, pl.DataFrame], dict[str, int]]:
    """Measure every stage visit up to ``as_of`` without copying the visits
    out of ``keyed``.

    Returns three parts. The first is the rows of ``keyed`` entered up to
    ``as_of``, which is ``keyed`` itself when no row is dropped. The mask
    marks its rows that are visits, which leaves out final won or lost
    entries. The frame has the days and ongoing of those visits in order.
    """
    ordered = _entered_by(keyed, as_of)
    # A shift over the whole sorted frame, masked where the next row belongs
    # to another deal, is much faster than a window per deal.
    same_deal = pl.col("_deal") == pl.col("_deal").shift(-1)
    left_at = pl.when(same_deal).then(pl.col("entered_at").shift(-1))
    is_last = left_at.is_null()
    # _closing is null for a null stage, so its last entry is dropped.
    closing = pl.col("_closing")
    marks = ordered.select(
        "entered_at",
        left_at.fill_null(pl.lit(as_of)).alias("_left_at"),
        (is_last & ~closing).alias("ongoing"),
        (~(is_last & closing)).fill_null(False).alias("_visit"),
    )
    is_visit = marks["_visit"]
    # NOTE: a Polars 2.1 expression divides a one-row column by a number
    # exactly but a longer column by multiplying with the inverse, which can
    # differ in the last bit, so days are computed only on the kept rows.
    elapsed = pl.col("_left_at") - pl.col("entered_at")
    days = elapsed.dt.total_seconds(fractional=True) / _DAY_SECONDS
    measured = marks.filter(is_visit).select(days.alias("days"), "ongoing")
    return (ordered, is_visit, measured), {}


def _entered_by(keyed: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """Keep the rows entered up to ``as_of``, which drops a null entered_at.
    Returns ``keyed`` itself when that keeps every row."""
    entered_at = keyed["entered_at"]
    latest = entered_at.max()
    if entered_at.null_count() == 0 and (latest is None or latest <= as_of):
        return keyed
    return keyed.filter(pl.col("entered_at") <= as_of)


def entered_in(period: Period) -> pl.Expr:
    """Return ``period.contains("entered_at")`` computed on the datetimes.

    A day lies in the period exactly when its datetime lies between the
    first midnight of the period and the midnight after it, so the rows need
    no cast to dates.
    """
    entered = pl.col("entered_at")
    condition = pl.lit(True)
    if period.start is not None:
        condition = condition & (entered >= datetime.combine(period.start, time()))
    if period.end is not None and period.end < date.max:
        after_end = datetime.combine(period.end + timedelta(days=1), time())
        condition = condition & (entered < after_end)
    elif period.end is not None:
        # Every date is on or before date.max, which has no midnight after it.
        condition = condition & entered.is_not_null()
    if period.is_all:
        return condition
    return condition.fill_null(False)


@reuse_last_result
def _per_deal_in(
    keyed: pl.DataFrame, as_of: datetime, period: Period
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Return ``_per_deal`` of the visits up to ``as_of`` entered in the
    period. The median per stage and the stage summary of one page both
    need it."""
    (ordered, is_visit, measured), _none = _visits(keyed, as_of)
    if period.is_all:
        chosen = is_visit
    else:
        chosen = is_visit & ordered.select(entered_in(period)).to_series()
    visits = ordered.select("_deal", "_stage", "_row").filter(chosen)
    visits = visits.hstack(measured.filter(chosen.filter(is_visit)))
    return _per_deal(visits), {}


@reuse_last_result
def _stage_times(
    history: pl.DataFrame, as_of: datetime, period: Period
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Return ``_per_deal_in`` of ``history``, with the times of the deals
    that re-entered a stage corrected where the history has exited_at or
    cumulative_ms.

    Such a history has only the latest entry into each stage, so the times
    of a deal that re-entered a stage are measured between the wrong dates
    (``_reentered_deals``). Its completed times are then its cumulative_ms
    in days, or null where it has none, and its ongoing time is null,
    because its earlier visits are unknown. Those rows are marked in a
    _reentered column. Other deals keep their measured times, so an export
    without re-entries gives the same figures as without these columns.
    """
    (keyed, _stages), _none = _keyed_history(history)
    per_deal, _none = _per_deal_in(keyed, as_of, period)
    if EXITED not in history.columns and CUMULATIVE not in history.columns:
        return per_deal, {}
    every_visit = per_deal
    if not period.is_all:
        every_visit, _none = _per_deal_in(keyed, as_of, ALL_DATA)
    reentered = _reentered_deals(history, keyed, every_visit)
    if reentered.is_empty():
        return per_deal, {}
    rows = per_deal["_row"]
    cumulative = pl.repeat(None, rows.len(), dtype=pl.Float64, eager=True)
    if CUMULATIVE in history.columns:
        cumulative = history[CUMULATIVE].cast(pl.Float64).gather(rows) / _MS_PER_DAY
    marked = per_deal.with_columns(
        history["deal_id"].gather(rows).is_in(reentered.implode()).alias("_reentered"),
        cumulative.alias("_cumulative"),
    )
    days = pl.when(~pl.col("_reentered")).then("days")
    days = days.when(~pl.col("ongoing")).then("_cumulative")
    return marked.with_columns(days.alias("days")).drop("_cumulative"), {}


def _reentered_deals(
    history: pl.DataFrame, keyed: pl.DataFrame, visits: pl.DataFrame
) -> pl.Series:
    """Return the deal_id of each deal that re-entered a stage, as far as a
    history of latest entries shows it.

    A deal leaves a stage when it enters the next one. So a latest exit
    before the deal's next latest entry means that the stage entered then
    was entered again later, and an exit before the stage's own latest
    entry means that the deal came back to it. ``visits`` are the rows of
    ``_per_deal`` over all entries. A completed time there that differs from
    cumulative_ms by more than ``_CUMULATIVE_TOLERANCE_DAYS`` includes other
    visits as well.

    NOTE: a deal that went A, B, A, C has the latest entries B, A, C and
    exits that fit them, so without cumulative_ms its first visit to A is
    lost unnoticed.
    """
    marked = []
    if EXITED in history.columns:
        exits = keyed.select("_deal", "entered_at", "_row").with_columns(
            history[EXITED].gather(keyed["_row"])
        )
        same_deal = pl.col("_deal") == pl.col("_deal").shift(-1)
        next_entry = pl.when(same_deal).then(pl.col("entered_at").shift(-1))
        exited = pl.col(EXITED)
        early = (exited < next_entry) | (exited < pl.col("entered_at"))
        marked.append(exits.filter(early.fill_null(False))["_row"])
    if CUMULATIVE in history.columns:
        cumulative = history[CUMULATIVE].cast(pl.Float64).gather(visits["_row"])
        difference = (visits["days"] - cumulative / _MS_PER_DAY).abs()
        differs = (difference > _CUMULATIVE_TOLERANCE_DAYS) & ~visits["ongoing"]
        marked.append(visits["_row"].filter(differs.fill_null(False)))
    rows = pl.concat([row.cast(pl.UInt32) for row in marked])
    return history["deal_id"].gather(rows).unique()


def _per_deal(visits: pl.DataFrame) -> pl.DataFrame:
    """Add up the visits of each deal and stage: one row per deal and stage
    in order of first entry, with the _stage and _row of the first visit,
    days, visits and ongoing."""
    earlier, later = _repeated(visits)
    first = visits.select("_stage", "_row", "days", "ongoing").filter(~earlier)
    visits_count = pl.repeat(1, first.height, dtype=pl.Int64, eager=True)
    # Only stages that a deal entered more than once need a group. In Polars
    # 2.1 a hash group-by sums each group in entry order with the same float
    # kernel as a group-by over all visits, so the days stay bit-identical.
    totals = (
        visits.filter(earlier | later)
        .group_by(deal_stage_key(visits), maintain_order=True)
        .agg(
            pl.col("days").sum(),
            pl.len().cast(pl.Int64).alias("visits"),
            pl.col("ongoing").any(),
        )
    )
    # The groups come in order of first entry, like the first visits that
    # have a later visit, so the n-th such visit takes the n-th group.
    again = later.filter(~earlier).arg_true()
    return first.with_columns(
        first["days"].scatter(again, totals["days"]),
        visits_count.scatter(again, totals["visits"]).alias("visits"),
        first["ongoing"].scatter(again, totals["ongoing"]),
    )


def _repeated(frame: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """Flag the rows of ``frame`` (in deal order) whose deal has the same
    stage on an earlier row, and those whose deal has it on a later row.

    Comparing with the next few rows is much faster than hashing millions of
    keys, so only deals longer than ``_LOOKBACK + 1`` rows are hashed.
    """
    runs = frame["_deal"].rle().struct.field("len")
    longest = int(runs.max() or 0)
    keys = frame.select(deal_stage_key(frame)).to_series()
    rows = keys.len()
    earlier = pl.repeat(False, rows, eager=True)
    later = earlier
    for distance in range(1, min(longest, _LOOKBACK + 1)):
        # same[i] compares row i with row i + distance, through slices that
        # copy nothing.
        same = keys.slice(distance) == keys.slice(0, rows - distance)
        earlier = earlier | pl.repeat(False, distance, eager=True).append(same)
        later = later | same.extend_constant(False, distance)
    # The appended pieces are merged, so each mask has one chunk.
    earlier, later = earlier.rechunk(), later.rechunk()
    if longest <= _LOOKBACK + 1:
        return earlier, later

    deal_rows = frame.select(pl.lit(runs).gather(pl.col("_deal").rle_id()))
    is_long = deal_rows.to_series() > _LOOKBACK + 1
    long_keys = keys.filter(is_long)
    # The n-th row of a long deal takes the n-th flag of long_keys.
    slot = (is_long.cast(pl.Int64).cum_sum() - 1).clip(0)
    return (
        _hashed_where_long(earlier, long_keys.is_first_distinct(), is_long, slot),
        _hashed_where_long(later, long_keys.is_last_distinct(), is_long, slot),
    )


def _hashed_where_long(
    seen: pl.Series, distinct: pl.Series, is_long: pl.Series, slot: pl.Series
) -> pl.Series:
    """Take the negated ``distinct`` flag at ``slot`` on the rows of long
    deals, and ``seen`` on the other rows."""
    hashed = ~distinct.gather(slot)
    return pl.select(pl.when(is_long).then(hashed).otherwise(seen)).to_series()


def deal_stage_key(frame: pl.DataFrame) -> pl.Expr:
    """Return one integer per deal and stage of ``frame``, to compare or hash
    as a single key.

    The key is _deal * (largest _stage + 1) + _stage, a UInt32 when every
    key fits, which halves the memory of the comparisons, else a UInt64.
    """
    deals = int(frame["_deal"].max() or 0) + 1
    stages = int(frame["_stage"].max() or 0) + 1
    dtype = pl.UInt32 if deals * stages <= 2**32 else pl.UInt64
    deal, stage = pl.col("_deal").cast(dtype), pl.col("_stage").cast(dtype)
    return (deal * stages + stage).alias("_key")


@reuse_last_result
def _first_entries(ordered: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    """Keep the first entry of each deal into each stage: _deal, _stage and
    _position, its 1-based rank among the deal's first entries by
    entered_at, ties in row order, null where entered_at is null.

    ``ordered`` is in the order of ``_keyed_history``. On that order a running
    count over the whole frame gives the rank without a window per deal.
    """
    earlier, _later = _repeated(ordered)
    first = ordered.select("_deal", "_stage", "entered_at").filter(~earlier)
    new_deal = (pl.col("_deal") != pl.col("_deal").shift(1)).fill_null(True)
    if first["entered_at"].null_count() == 0:
        # Without nulls the rank is the row's distance from its deal's first
        # row, which is cheaper than a running count.
        row = pl.int_range(pl.len(), dtype=pl.UInt32)
        deal_start = row.filter(new_deal).gather(pl.col("_deal").rle_id())
        position = row - deal_start + 1
    else:
        dated = pl.col("entered_at").is_not_null().cast(pl.UInt32)
        dated_so_far = dated.cum_sum()
        before_deal = pl.when(new_deal).then(dated_so_far - dated).forward_fill()
        position = pl.when(dated == 1).then(dated_so_far - before_deal)
    first = first.select("_deal", "_stage", "entered_at", position.alias("_position"))
    return first, {}


def _stage_order(
    first_entries: pl.DataFrame, stages: pl.DataFrame, stage_order: list[str] | None
) -> pl.DataFrame:
    """Number the stages: the given order first, then the rest as inferred.

    The inferred order sorts stages by their mean position in the deals'
    sequences (``_first_entries``), then puts won stages and after them lost
    stages last.
    """
    positions, _none = _mean_positions(first_entries)
    inferred = (
        positions.join(stages, on="_stage")
        .with_columns(_is_won(), _is_lost())
        .sort("lost", "won", "_position", "stage")["stage"]
        .to_list()
    )
    known = list(stage_order or [])
    names = known + [stage for stage in inferred if stage not in known]
    return pl.DataFrame(
        {"stage": names, "_order": range(len(names))},
        schema={"stage": pl.String, "_order": pl.Int64},
    )


@reuse_last_result
def _mean_positions(
    first_entries: pl.DataFrame,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Average _position per _stage. Both KPIs of the stage chart order the
    stages by it."""
    return first_entries.group_by("_stage").agg(pl.col("_position").mean()), {}


def _conversion(
    first_entries: pl.DataFrame,
    stages: pl.DataFrame,
    order: pl.DataFrame,
    period: Period,
) -> pl.DataFrame:
    """Count the deals reaching each stage in the period and the share that
    went further, in or after the period.

    Returns _stage, stage, _order, reached and conversion_to_next. A null
    stage matches no stage of ``order`` and is left out.
    """
    numbered = stages.join(order, on="stage", how="left", maintain_order="left")
    numbered = numbered.with_columns(_is_lost())
    # Both lookups take one value per _stage code. Lost stages get progress
    # -1, below every stage order, so reaching one is no progress. A null
    # stage has no step, so its rows are not counted, and its -1 cannot raise
    # a deal's max.
    steps = numbered["_order"]
    progress = numbered.select(
        pl.when("lost").then(-1).otherwise("_order").fill_null(-1)
    ).to_series()
    step = pl.lit(steps).gather(pl.col("_stage"))
    furthest = _max_per_deal(
        pl.lit(progress).gather(pl.col("_stage")), lowest=-1, highest=order.height - 1
    )
    # The furthest stage is found over all entries, so progress after the
    # period still counts for a deal that reached the stage in it.
    kept = step.is_not_null() & entered_in(period)
    reached = (
        first_entries.lazy()
        .select(
            "_stage",
            kept.alias("_kept"),
            (furthest > step).alias("_went_further"),
        )
        .filter("_kept")
    )

    last_step = order.filter(~_is_lost())["_order"].max()
    has_next = pl.lit(False) if last_step is None else pl.col("_order") < last_step
    has_next = has_next & ~pl.col("lost")
    went_further = pl.col("_went_further")
    table = (
        reached.group_by("_stage")
        .agg(
            pl.len().cast(pl.Int64).alias("reached"),
            (went_further.mean() * 100).alias("conversion_to_next"),
        )
        .collect()
    )
    table = table.join(numbered, on="_stage")
    return table.with_columns(
        pl.when(has_next).then(pl.col("conversion_to_next")).alias("conversion_to_next")
    )


def _max_per_deal(values: pl.Expr, lowest: int, highest: int) -> pl.Expr:
    """Return the max of integer ``values`` in ``lowest..highest`` over each
    deal, on every row of a frame in deal order.

    Every sum _deal * width + value of an earlier deal is smaller than those
    of the current deal, so a running max over the whole frame restarts at
    each deal. Its value on a deal's last row is the deal's max, which goes
    back to the deal's rows by their run number. This avoids hashing the
    deals for a window.
    """
    width = highest - lowest + 1
    offset = pl.col("_deal").cast(pl.Int64) * width - lowest
    running = (offset + values).cum_max()
    last_row = (pl.col("_deal") != pl.col("_deal").shift(-1)).fill_null(True)
    per_deal = (running - offset).filter(last_row)
    return per_deal.gather(pl.col("_deal").rle_id())


def _named(stages: pl.DataFrame) -> pl.Expr:
    """Return an expression that is true where _stage is a named stage."""
    return pl.col("_stage").is_in(stages.drop_nulls("stage")["_stage"].to_list())


def _is_won() -> pl.Expr:
    return _outcome_is("won")


def _is_lost() -> pl.Expr:
    return _outcome_is("lost")


def _outcome_is(status: str) -> pl.Expr:
    # A null stage has no outcome, so it stays null rather than false.
    stage = pl.col("stage")
    outcome = deal_status_expr(stage) == status
    return pl.when(stage.is_not_null()).then(outcome).alias(status)


def deals_in_history(history: pl.DataFrame, deals: pl.DataFrame) -> int | None:
    """Count the deals of ``history`` whose id ``deals`` has, or return None
    when either table has no deal id column."""
    if "deal_id" not in history.columns or "deal_id" not in deals.columns:
        return None
    ids = deals["deal_id"].drop_nulls().unique().implode()
    return int(history["deal_id"].drop_nulls().unique().is_in(ids).sum())
