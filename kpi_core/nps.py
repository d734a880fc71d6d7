"""Net Promoter Score from survey responses.

Input columns (the canonical nps table): score, a whole number from 0 to 10
where a blank is no response, and the optional responded_at (Date or
Datetime), customer_id, channel, segment and ``_line`` (the file line,
used in error messages). Promoters give 9 or 10, passives 7 or 8 and
detractors 0 to 6. Files on a 1-10 scale are taken as they are.
"""

from __future__ import annotations

import math
import re

import polars as pl

from kpi_core.errors import InvalidSettingError, InvalidValueError, MissingColumnError
from kpi_core.formatting import format_number
from kpi_core.period import Period, grain_every
from kpi_core.results import KpiResult, not_available
from kpi_core.stats import wilson_interval

ALL_DATA = Period()
NO_SEGMENT = "(none)"
NPS_VARIANTS = {
    "all": "every response",
    "latest_per_customer": "latest response per customer",
}
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
# The highest score of a five-point rating, such as a 1-5 satisfaction score
# (CSAT). Scores that all stay at or below it most likely come from such a
# rating, on which every response is a detractor and the NPS is -100.
FIVE_POINT_MAX = 5
# 1.96 is the two-sided 95 % quantile of the standard normal distribution.
_Z95 = 1.96
_ROWS_SHOWN = 5
_ORDER = "_order"
_UNDATED = "response without a date"
_UNSCORED = "response without a score"
# Word stems of recommending in the NPS question ("How likely are you to
# recommend us?"), in English, German ("weiterempfehlen"), French
# ("recommanderiez"), Spanish ("recomendarías", "recomiende"), Portuguese
# ("recomendaria", "indicaria") and Italian ("consiglieresti",
# "raccomanderesti"), or the abbreviation NPS. Compared in lower case.
_RECOMMEND_HEADER = re.compile(
    r"recommend|empfehl|recommand|recomend|recomiend|raccomand|consigli(?:are|er)"
    r"|\bindica(?:r|ria)\b|\bnps\b"
)
# Words of a question's likelihood: "How likely are you to recommend us?"
# has them, but so does a deal's "Likely to close (0-10)".
_LIKELY_HEADER = re.compile(r"likely|wahrscheinlich")
# Hints that a header is a question on a 0-10 scale, in the languages
# above: "0 to 10", "de 0 à 10", "0-10", a word for scale, or a question
# mark. Other ratings have them too, such as "Priority (scale 1-5)".
_SCALE_HINT = re.compile(
    r"\b0\s*(?:-|–|to|à|a|al|bis)\s*10\b"
    r"|\b(?:scale|skala|échelle|echelle|escala|scala)\b|[?¿]"
)
# The share of filled cells a column whose header reads like the NPS
# question must have as scores (find_near_score_column).
NEAR_SCORE_SHARE = 0.9
# Rows of each column checked before the whole column in find_score_column.
_SCORE_SAMPLE_ROWS = 1_000
# A score followed by its scale label, as survey tools export the ends of
# the scale: "10 - äußerst wahrscheinlich", "0 – not at all likely",
# "10 (extremely likely)" or "9 = sehr wahrscheinlich". The label starts
# with a letter, so "7 Tage", "5 - 6" and "10.5" do not match, and only 0
# to 10 is captured, so "11 - x" does not either.
_LABELLED_SCORE = r"^(10|[0-9])\s*(?:[-–—=:]\s*\p{L}.*|\(\s*\p{L}[^)]*\))$"

_IS_PROMOTER = pl.col("score") >= PROMOTER_MIN
_IS_DETRACTOR = pl.col("score") <= DETRACTOR_MAX


def net_promoter_score(
    responses: pl.DataFrame, period: Period = ALL_DATA, variant: str = "all"
) -> KpiResult:
    """Compute the Net Promoter Score of the responses in the period.

    Formula: % promoters (9-10) - % detractors (0-6), a score from -100 to
    100, from score and responded_at. The 95 % interval is NPS +- 1.96 x
    sqrt((p + d - (p - d)^2) / n) x 100, clipped to -100..100. Here p and d
    are the promoter and detractor shares, and the square root is the
    standard error of the difference of two shares of one sample.
    ``extra`` contains the promoter, passive and detractor counts. Variant
    "latest_per_customer" keeps each customer's latest response. Blank
    scores are not responses. With an explicit period, responses without a
    date are left out and counted. No response, as with an empty frame,
    gives not available. A score outside 0-10 raises InvalidValueError
    naming the rows.
    """
    chosen, excluded = _chosen_responses(responses, period, variant)
    if chosen is None:
        return not_available("nps", NO_CUSTOMER_ID, excluded=excluded)
    if chosen.is_empty():
        reason = _no_responses_reason(responses, excluded)
        return not_available("nps", reason, excluded=excluded)

    counts = chosen.select(_bucket_counts()).row(0, named=True)
    n = counts["responses"]
    promoters, detractors = counts["promoters"], counts["detractors"]
    score = (promoters - detractors) / n * 100
    scale_warning = five_point_warning(_scored(responses)["score"])
    formula = (
        "(promoters - detractors) / responses x 100 = "
        f"({promoters:,} - {detractors:,}) / {n:,} x 100 = "
        f"{format_number(score, 1)}"
    )
    return KpiResult(
        key="nps",
        status="ok",
        unit="score",
        value=score,
        numerator=promoters - detractors,
        denominator=n,
        n=n,
        ci95=nps_interval(promoters, detractors, n),
        variant=NPS_VARIANTS[variant],
        formula=formula,
        excluded=excluded,
        extra={
            "promoters": promoters,
            "passives": counts["passives"],
            "detractors": detractors,
        },
        warnings=() if scale_warning is None else (scale_warning,),
        note=_one_group_note(promoters, counts["passives"], detractors),
    )


def five_point_range(scores: pl.Series) -> tuple[int, int] | None:
    """Return the lowest and highest score when no score is above
    ``FIVE_POINT_MAX``, as on a 1-5 rating, else None. Blank scores are
    ignored, and a column without scores gives None."""
    known = scores.drop_nulls()
    if known.is_empty() or known.max() > FIVE_POINT_MAX:
        return None
    return int(known.min()), int(known.max())


def five_point_warning(scores: pl.Series, column: str | None = None) -> str | None:
    """Return a warning when the scores look like a five-point rating
    (``five_point_range``), else None. ``column`` is the file's header of
    the scores, named in the warning when given."""
    found = five_point_range(scores)
    if found is None:
        return None
    low, high = found
    where = f" in {column!r}" if column else ""
    values = f"is {low}" if low == high else f"lies between {low} and {high}"
    return (
        f"every score{where} {values}, so every response counts as a detractor "
        "and the NPS is -100. The NPS needs the 0-10 answers to 'How likely are "
        "you to recommend us?', and a 1-5 satisfaction score is CSAT, not NPS. "
        "Map the column with the 0-10 answers to the score on the Data page, "
        "or leave this file out of the NPS."
    )


def _one_group_note(promoters: int, passives: int, detractors: int) -> str:
    """Explain the interval of responses that all fall into one group, or
    return "" when they do not.

    The standard error is then 0, so the interval has no width, although a
    few responses leave the score far from certain. The lower end L of a
    95 % Wilson interval for the group's share bounds the score instead.
    The NPS of detractors is at most 100 - 2L, that of promoters at least
    2L - 100, and that of passives within 100 - L of 0.
    """
    n = promoters + passives + detractors
    groups = {
        "promoter": promoters,
        "passive": passives,
        "detractor": detractors,
    }
    group = next((name for name, count in groups.items() if count == n), None)
    if group is None or n == 0:
        return ""
    low_share = wilson_interval(n, n)[0]
    bounds = {
        "promoter": (2 * low_share - 100, 100.0),
        "passive": (low_share - 100, 100 - low_share),
        "detractor": (-100.0, 100 - 2 * low_share),
    }[group]
    low, high = (format_number(bound, 1) for bound in bounds)
    subject = f"The only response is a {group}"
    if n > 1:
        subject = f"All {n:,} responses are {group}s"
    return (
        f"{subject}, so the standard error is 0 and the 95 % interval has no width. "
        "That does not make the score certain: a 95 % Wilson interval for the "
        f"share of {group}s, {format_number(low_share, 1)} % to 100 %, puts it "
        f"between {low} and {high}."
    )


def nps_interval(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """Return the 95 % interval of an NPS from its counts, clipped to -100..100."""
    promoter_share, detractor_share = promoters / n, detractors / n
    difference = promoter_share - detractor_share
    variance = promoter_share + detractor_share - difference**2
    margin = _Z95 * math.sqrt(max(variance, 0.0) / n) * 100
    score = difference * 100
    return max(score - margin, -100.0), min(score + margin, 100.0)


def nps_distribution(
    responses: pl.DataFrame, period: Period = ALL_DATA, variant: str = "all"
) -> pl.DataFrame:
    """Count the responses per score for a bar chart of the 0-10 scale.

    Columns: score (0 to 10, every score listed), count, share (percent of
    the responses, null when there are none) and bucket ("detractor",
    "passive" or "promoter"). Responses are chosen as in
    ``net_promoter_score``. An empty frame gives eleven rows of zero.
    """
    chosen, _excluded = _chosen_responses(responses, period, variant)
    if chosen is None:
        chosen = pl.DataFrame(schema={"score": pl.Int64})
    counts = chosen.group_by("score").agg(pl.len().cast(pl.Int64).alias("count"))
    scale = pl.DataFrame({"score": list(range(11))}, schema={"score": pl.Int64})
    table = scale.join(counts, on="score", how="left").with_columns(
        pl.col("count").fill_null(0)
    )
    total = table["count"].sum()
    share = pl.col("count") / total * 100 if total else pl.lit(None, pl.Float64)
    return table.with_columns(
        share.alias("share"), _bucket_label(pl.col("score")).alias("bucket")
    ).sort("score")


def nps_series(
    responses: pl.DataFrame,
    period: Period = ALL_DATA,
    grain: str = "month",
    variant: str = "all",
) -> pl.DataFrame:
    """Compute the NPS per week, month, quarter or year of responded_at.

    Columns: period_start (Date), responses, promoters, passives,
    detractors, nps and its 95 % bounds nps_low and nps_high. Only buckets
    with responses are listed. Responses without a date cannot be placed
    and are left out. Raises InvalidSettingError for an unknown grain. An
    empty frame, or one without responded_at, gives an empty table.
    """
    every = grain_every(grain)
    chosen, _excluded = _chosen_responses(responses, period, variant)
    if chosen is None or "responded_at" not in chosen.columns:
        chosen = pl.DataFrame(schema={"score": pl.Int64, "responded_at": pl.Date})
    dated = chosen.filter(pl.col("responded_at").is_not_null())
    start = pl.col("responded_at").cast(pl.Date).dt.truncate(every)
    table = dated.group_by(start.alias("period_start")).agg(_bucket_counts())
    return _with_scores(table).sort("period_start")


def nps_breakdown(
    responses: pl.DataFrame,
    period: Period = ALL_DATA,
    segment: str = "segment",
    variant: str = "all",
) -> pl.DataFrame:
    """Compute the NPS per value of a segment column such as channel.

    Columns: the segment (an empty value becomes "(none)"), responses,
    promoters, passives, detractors, nps, nps_low and nps_high. Responses
    are chosen as in ``net_promoter_score``. Sorted by NPS, lowest first, so
    the weakest segment leads. Raises MissingColumnError when the segment
    column is absent. An empty frame gives an empty table.
    """
    if segment not in responses.columns:
        raise MissingColumnError(
            f"the NPS responses have no {segment!r} column to break the score "
            "down by; map a column to it or choose another segment",
            column=segment,
        )
    chosen, _excluded = _chosen_responses(responses, period, variant)
    if chosen is None:
        chosen = responses.clear()
    key = pl.col(segment).cast(pl.String).fill_null(NO_SEGMENT)
    table = chosen.group_by(key.alias(segment)).agg(_bucket_counts())
    return _with_scores(table).sort("nps", segment)


def names_recommendation(header: str) -> bool:
    """Tell whether a header names recommending or NPS, as the NPS question
    does in English, German, French, Spanish, Portuguese or Italian ("How
    likely are you to recommend us?", "Würden Sie uns weiterempfehlen?",
    "Quelle est la probabilité que vous nous recommandiez ?")."""
    return _RECOMMEND_HEADER.search(header.lower()) is not None


def looks_like_nps_question(header: str) -> bool:
    """Tell whether a header reads like an NPS question: it names
    recommending (``names_recommendation``) or is a question of likelihood
    ("How likely ...", "Wie wahrscheinlich ...")."""
    return names_recommendation(header) or (
        _LIKELY_HEADER.search(header.lower()) is not None
    )


def hints_at_score_scale(header: str) -> bool:
    """Tell whether a header names a 0-10 scale ("On a scale from 0 to 10,
    how happy ...", "de 0 a 10") or is a question, as a survey's score
    column can be without naming recommending."""
    return _SCALE_HINT.search(header.lower()) is not None


def drop_scale_labels(text: pl.Series) -> pl.Series:
    """Replace each score written with its scale label, such as "10 -
    äußerst wahrscheinlich" or "10 (extremely likely)", by the score alone
    ("10"). Other cells, such as "7", "7 Tage" or "11 - x", stay as they
    are. ``text`` is a String series of stripped cells."""
    return pl.select(_label_dropped(pl.lit(text))).to_series()


def labelled_scores(text: pl.Series) -> pl.Series:
    """Return the cells of a String series of stripped cells that are a
    score with its scale label (``drop_scale_labels``)."""
    return text.filter(text.str.contains(_LABELLED_SCORE).fill_null(False))


def find_score_column(
    frame: pl.DataFrame, columns: list[str] | None = None
) -> str | None:
    """Find the NPS column of a survey export by its values, not its header.

    A candidate column has a score in at least one non-empty cell, and at
    most 1 % of its non-empty cells (none in a column of fewer than 100) are
    not whole numbers from 0 to 10, written alone or with their scale label
    (``drop_scale_labels``), both over the whole column and over its
    first 1,000 rows. The import leaves those rows out and lists them, so
    one stray value does not hide the question. With several
    candidates, the one whose header reads like the NPS question
    (``looks_like_nps_question``) wins, and among several of those the one
    that names recommending or NPS. Returns None when no column, or more
    than one equally good column, fits, so the user chooses. ``columns``
    limits the search to these columns.
    """
    # The rule for the first rows rules most columns of a survey out
    # without a pass over every row. Each column is renamed, because Series
    # methods go through pl.col(name), where a header such as "*" would act
    # as a wildcard.
    candidates = []
    for name in frame.columns if columns is None else columns:
        values = frame[name].alias("value")
        sample = _score_misses(values.head(_SCORE_SAMPLE_ROWS))
        if sample is None or sample[1] > _allowed_misses(sample[0]):
            continue
        filled, misses = _score_misses(values)
        if filled > misses and misses <= _allowed_misses(filled):
            candidates.append(name)
    if len(candidates) > 1:
        candidates = [name for name in candidates if looks_like_nps_question(name)]
    if len(candidates) > 1:
        candidates = [name for name in candidates if names_recommendation(name)]
    return candidates[0] if len(candidates) == 1 else None


def find_near_score_column(
    frame: pl.DataFrame, columns: list[str] | None = None
) -> tuple[str, pl.Series] | None:
    """Find a score column that ``find_score_column`` misses because a few
    answers are not scores, as in a small survey with "k.A." or "9,5".

    A candidate's header reads like the NPS question, and at least 90 %
    (``NEAR_SCORE_SHARE``) of its filled cells are whole numbers from 0 to
    10, alone or with their scale label. Those scores must include one of 7
    or more and one of 6 or less, so that a 1-5 rating under a similar
    question does not qualify. Returns the column and the mask of its
    filled cells that are not scores, or None when no column, or more than
    one, fits.
    """
    found = []
    for name in frame.columns if columns is None else columns:
        if not looks_like_nps_question(name) or frame[name].dtype != pl.String:
            continue
        text = drop_scale_labels(frame[name].alias("value").str.strip_chars())
        filled = text.is_not_null() & (text != "")
        whole = text.str.contains(r"^[0-9]{1,2}$").fill_null(False)
        in_range = text.cast(pl.Int64, strict=False).is_between(0, 10)
        is_score = whole & in_range.fill_null(False)
        scores = text.filter(is_score).cast(pl.Int64)
        count = int(filled.sum())
        if count == 0 or scores.len() < NEAR_SCORE_SHARE * count:
            continue
        if scores.max() <= DETRACTOR_MAX or scores.min() > DETRACTOR_MAX:
            continue
        found.append((name, filled & ~is_score))
    return found[0] if len(found) == 1 else None


def _label_dropped(text: pl.Expr) -> pl.Expr:
    return pl.coalesce(text.str.extract(_LABELLED_SCORE, 1), text)


def _allowed_misses(filled: int) -> int:
    """Return how many non-score cells a score column of ``filled``
    non-empty cells may have: 1 %, rounded down."""
    return filled // 100


def _score_misses(values: pl.Series) -> tuple[int, int] | None:
    """Count the non-empty cells of a column and those that are not whole
    numbers from 0 to 10, or return None for a column of another type."""
    if values.dtype == pl.String:
        text = drop_scale_labels(values.str.strip_chars())
        text = text.filter(text.is_not_null() & (text != ""))
        fits = text.filter(text.str.contains(r"^[0-9]{1,2}$"))
        scores = int(fits.cast(pl.Int64).is_between(0, 10).sum())
        return text.len(), text.len() - scores
    if values.dtype.is_integer():
        numbers = values.drop_nulls()
        return numbers.len(), numbers.len() - int(numbers.is_between(0, 10).sum())
    return None


def counted_responses(
    responses: pl.DataFrame, period: Period, variant: str = "all"
) -> pl.DataFrame:
    """Return the responses ``net_promoter_score`` counts for the period and
    variant, so their number is its n: scored, dated in the period, and for
    "latest_per_customer" the latest of each customer."""
    chosen, _excluded = _chosen_responses(responses, period, variant)
    return responses.clear() if chosen is None else chosen


NO_CUSTOMER_ID = (
    "the responses have no customer id column, so the latest response per "
    "customer cannot be chosen"
)


def variant_gap(responses: pl.DataFrame, variant: str) -> str | None:
    """Return why ``variant`` cannot choose among ``responses``, or None.

    Only "latest_per_customer" can fail, on responses without a customer
    id column; the series and the distribution are then empty.
    """
    if variant == "latest_per_customer" and "customer_id" not in responses.columns:
        return NO_CUSTOMER_ID
    return None


def _chosen_responses(
    responses: pl.DataFrame, period: Period, variant: str
) -> tuple[pl.DataFrame | None, dict[str, int]]:
    """Return the scored responses a KPI counts and the excluded counts.

    The frame is None when the variant needs a customer id column that the
    responses lack.
    """
    if variant not in NPS_VARIANTS:
        raise InvalidSettingError(
            f"unknown variant {variant!r} for nps; use one of {', '.join(NPS_VARIANTS)}"
        )
    scored = _scored(responses)
    excluded: dict[str, int] = {}
    if "responded_at" in scored.columns:
        in_period = scored.filter(period.contains("responded_at"))
        answers = responses.filter(period.contains("responded_at")).height
        undated = scored["responded_at"].null_count()
    else:
        in_period = scored if period.is_all else scored.clear()
        answers = responses.height if period.is_all else 0
        undated = scored.height
    if not period.is_all and undated:
        excluded[_UNDATED] = undated
    if answers > in_period.height:
        excluded[_UNSCORED] = answers - in_period.height
    if variant == "all":
        return in_period, excluded
    if "customer_id" not in in_period.columns:
        return None, excluded
    return _latest_per_customer(in_period, excluded)


_NO_CUSTOMER = "response without a customer id"


def _no_responses_reason(responses: pl.DataFrame, excluded: dict[str, int]) -> str:
    """Explain an empty period: the responses may have no dates at all, or,
    for the latest response per customer, no customer id."""
    undated = excluded.get(_UNDATED, 0)
    if undated and undated == _scored(responses).height:
        return (
            "the responses have no dates; map a date column to responded_at to "
            "use periods, or use all data (All data on the pages, no --from or "
            "--to on the command line)"
        )
    if excluded.get(_NO_CUSTOMER):
        return (
            "no response of this period has a customer id (an anonymous survey "
            "has none), so there is no latest response per customer; count all "
            "responses instead"
        )
    return "no NPS responses in this period"


def _latest_per_customer(
    responses: pl.DataFrame, excluded: dict[str, int]
) -> tuple[pl.DataFrame, dict[str, int]]:
    known = responses.filter(pl.col("customer_id").is_not_null())
    order = [pl.col(_ORDER)]
    if "responded_at" in known.columns:
        order.insert(0, pl.col("responded_at"))
    # Nulls sort first, so a dated response beats an undated one and, on equal
    # dates, the later row of the file wins.
    latest = (
        known.with_row_index(_ORDER)
        .sort(order, nulls_last=False)
        .unique(subset="customer_id", keep="last", maintain_order=True)
        .drop(_ORDER)
    )
    counts = {
        _NO_CUSTOMER: responses.height - known.height,
        "earlier response of the same customer": known.height - latest.height,
    }
    excluded = excluded | {reason: count for reason, count in counts.items() if count}
    return latest, excluded


def _scored(responses: pl.DataFrame) -> pl.DataFrame:
    """Drop blank scores, cast the rest to Int64 and reject those outside
    0-10. A text score may carry its scale label (``drop_scale_labels``)."""
    if "score" not in responses.columns:
        raise MissingColumnError(
            "the NPS responses have no score column; map the column with the "
            "0-10 answers to score",
            column="score",
        )
    raw = pl.col("score")
    if responses.schema["score"] == pl.String:
        text = _label_dropped(raw.str.strip_chars())
        blank = text.is_null() | (text == "")
        number = text.cast(pl.Float64, strict=False)
    else:
        blank = raw.is_null() | raw.cast(pl.Float64).is_nan()
        number = raw.cast(pl.Float64)
    whole = number.is_between(0, 10) & (number.round(0) == number)
    marked = responses.with_columns(
        blank.alias("_blank"), whole.fill_null(False).alias("_whole")
    )
    invalid = marked.filter(~pl.col("_blank") & ~pl.col("_whole"))
    if not invalid.is_empty():
        raise _invalid_scores(marked, invalid)
    answered = marked.filter(~pl.col("_blank")).drop("_blank", "_whole")
    return answered.with_columns(number.cast(pl.Int64).alias("score"))


def _invalid_scores(marked: pl.DataFrame, invalid: pl.DataFrame) -> InvalidValueError:
    if "_line" in marked.columns:
        places = [f"line {line}" for line in invalid["_line"].to_list()]
    else:
        positions = marked.with_row_index("_row", offset=1).filter(
            ~pl.col("_blank") & ~pl.col("_whole")
        )
        places = [f"row {row}" for row in positions["_row"].to_list()]
    values = invalid["score"].cast(pl.String).to_list()
    listed = ", ".join(
        f"{place} ({value!r})"
        for place, value in zip(places[:_ROWS_SHOWN], values, strict=False)
    )
    if len(places) > _ROWS_SHOWN:
        listed += f" and {len(places) - _ROWS_SHOWN:,} more"
    return InvalidValueError(
        f"invalid NPS score on {listed}; a score must be a whole number from 0 "
        "to 10. Correct or remove these rows and load the file again",
        column="score",
    )


def _bucket_counts() -> list[pl.Expr]:
    return [
        pl.len().cast(pl.Int64).alias("responses"),
        _IS_PROMOTER.sum().cast(pl.Int64).alias("promoters"),
        (~_IS_PROMOTER & ~_IS_DETRACTOR).sum().cast(pl.Int64).alias("passives"),
        _IS_DETRACTOR.sum().cast(pl.Int64).alias("detractors"),
    ]


def _with_scores(table: pl.DataFrame) -> pl.DataFrame:
    """Add nps, nps_low and nps_high to a table of bucket counts."""
    n = pl.col("responses").cast(pl.Float64)
    promoter_share = pl.col("promoters") / n
    detractor_share = pl.col("detractors") / n
    difference = promoter_share - detractor_share
    variance = promoter_share + detractor_share - difference.pow(2)
    margin = _Z95 * (variance.clip(lower_bound=0.0) / n).sqrt() * 100
    score = difference * 100
    return table.with_columns(
        score.alias("nps"),
        (score - margin).clip(lower_bound=-100.0).alias("nps_low"),
        (score + margin).clip(upper_bound=100.0).alias("nps_high"),
    )


def _bucket_label(score: pl.Expr) -> pl.Expr:
    return (
        pl.when(score >= PROMOTER_MIN)
        .then(pl.lit("promoter"))
        .when(score <= DETRACTOR_MAX)
        .then(pl.lit("detractor"))
        .otherwise(pl.lit("passive"))
    )
