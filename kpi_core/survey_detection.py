"""Recognise an NPS survey export and its score column.

A survey names its NPS question in free text, so the score column is found
by its 0-10 values and a header that reads like the question, also in a
file whose columns first matched another table type.
"""

from __future__ import annotations

import polars as pl

from kpi_core.import_problems import LINE
from kpi_core.mapping import Mapping, guess_mapping
from kpi_core.nps import (
    drop_scale_labels,
    find_near_score_column,
    find_score_column,
    five_point_range,
    hints_at_score_scale,
    looks_like_nps_question,
    names_recommendation,
)
from kpi_core.raw_table import RawTable
from kpi_core.read_notes import WARNING_PREFIX, with_note
from kpi_core.rejected_scores import (
    RejectedScores,
    chosen_score_note,
    find_rejected_score_column,
)
from kpi_core.schema import DATE, ID


def nps_scores(
    raw: RawTable,
    headers: list[str],
    numbers: list[str],
    chosen: str | None,
    mapping: Mapping | None,
) -> tuple[RawTable, str] | None:
    """Find the score column of a file that may be an NPS survey, and return
    the table with any note about it and the column, or None.

    A survey export names its NPS question in free text. So the score
    column is found by its values (whole numbers 0-10) and by a header that
    reads like the question, because small counts alone are too common. It
    also beats a header match such as "reason for your score", and a
    guessed table type that misses a required column (a Typeform export's
    "#" and dates look like orders without an amount). A header that names
    recommending is enough. A header with only a weaker hint (how likely, a
    0-10 scale, a question mark) turns a file of another guessed type into
    a survey only when ``_survey_shaped`` and with a score above 5. A note
    then names the column.
    """
    notes = []
    score_column = find_score_column(raw.frame, headers)
    # A score column the NPS headers already matched, such as "Score", is
    # replaced only by a column that reads like the NPS question.
    readable = _may_ask_score
    if chosen == "nps" and mapping is not None and mapping.columns.get("score"):
        readable = looks_like_nps_question
    if score_column is None or not readable(score_column):
        near = find_near_score_column(raw.frame, headers)
        if near is not None:
            score_column = near[0]
            notes.append(_near_score_note(raw, *near))
        else:
            rejected = _chosen_question(raw, chosen, mapping)
            if rejected is None:
                return None
            score_column = rejected.column
            notes.append(WARNING_PREFIX + chosen_score_note(rejected))
    if chosen != "nps" and not names_recommendation(score_column):
        text = raw.frame[score_column].cast(pl.String).str.strip_chars()
        scores = drop_scale_labels(text).cast(pl.Int64, strict=False)
        if five_point_range(scores) is not None:
            return None
        if not _survey_shaped(headers, numbers, mapping):
            return None
        notes.insert(0, _question_score_note(score_column))
    for note in notes:
        raw = with_note(raw, note)
    return raw, score_column


def _chosen_question(
    raw: RawTable, chosen: str | None, mapping: Mapping | None
) -> RejectedScores | None:
    """Find the column that reads like the NPS question in a file the user
    chose to read as NPS responses, when the score has no column and too
    many of its answers are not scores for the rules above.

    The user expects that column as the score. The import names every
    answer that is not a score, so the column is proposed with a warning.
    """
    if chosen != "nps" or (mapping is not None and mapping.columns.get("score")):
        return None
    rejected = find_rejected_score_column(raw.frame, by_values=False)
    if rejected is None or not rejected.asks_question:
        return None
    return rejected


def _may_ask_score(header: str) -> bool:
    """Tell whether a header may be a survey's 0-10 question: it reads like
    the NPS question or hints at a 0-10 scale."""
    return looks_like_nps_question(header) or hints_at_score_scale(header)


def _survey_shaped(
    headers: list[str], numbers: list[str], mapping: Mapping | None
) -> bool:
    """Tell whether a file may be a survey export although another table
    type was guessed: that type matches it only by ids, dates and fields
    any record has, and no column reads as an amount of any table type.

    So a deals export with "Likely to close (0-10)" beside its stage and
    amount stays a deals table, while a Typeform export, whose response
    token, email and dates read as an order without an amount, is a survey.
    """
    if mapping is not None:
        for name in mapping.used_columns():
            field = mapping.schema.field(name)
            if field.kind not in (ID, DATE) and name not in _ANY_RECORD_FIELDS:
                return False
    return not any(
        guess_mapping(headers, table, (), numbers).columns.get(field)
        for table, field in _AMOUNT_FIELDS
    )


# The money fields whose column in a file marks a table of deals, orders,
# subscriptions or spend rather than a survey.
_AMOUNT_FIELDS = (
    ("deals", "amount"),
    ("orders", "amount"),
    ("subscriptions", "amount"),
    ("subscriptions", "monthly_charge"),
    ("spend", "amount"),
)


def _question_score_note(column: str) -> str:
    """Say why a column whose header does not name recommending was taken
    as the NPS score."""
    return (
        f"the column {column!r} is read as the NPS score: its answers are "
        "whole numbers from 0 to 10 and its header reads like a survey "
        "question, although it does not name recommending. If the file is "
        "not an NPS survey, pick its table type and columns on the Data page"
    )


def survey_asks_nps(
    table: str | None, mapping: Mapping | None, raw: RawTable, headers: list[str]
) -> bool:
    """Tell whether a file of no chosen type is a survey that another type
    matched only by columns any record has, as "id", "submitted_at" and
    "status" read as a ticket's. Such a survey has a column of 0-10 scores
    under a header that reads like the recommendation question. A tickets or
    deals export with a column of its own, such as a solve date or an
    amount, stays that table, even beside such a question."""
    if table is not None or mapping is None:
        return False
    own = [
        name
        for name in mapping.used_columns()
        if mapping.schema.field(name).kind != ID and name not in _ANY_RECORD_FIELDS
    ]
    if own:
        return False
    # The headers come first, so a file without such a question costs no
    # look at its values.
    questions = [header for header in headers if names_recommendation(header)]
    return bool(questions) and find_score_column(raw.frame, questions) is not None


# Fields that a survey's columns can match as well as another table's,
# besides ids: its creation time, status, customer, channel and segment.
_ANY_RECORD_FIELDS = frozenset(
    {"created_at", "status", "customer_id", "channel", "segment"}
)


def _near_score_note(raw: RawTable, column: str, misses: pl.Series) -> str:
    """Name the cells of the score column ``find_near_score_column`` chose
    that are not scores, with their file lines."""
    cells = raw.frame.select(
        raw.frame[column].alias("value").str.strip_chars(), pl.col(LINE)
    ).filter(misses)
    shown = ", ".join(
        f"{value!r} on line {line}" for value, line in cells.head(5).iter_rows()
    )
    if cells.height > 5:
        shown += f" and {cells.height - 5:,} more"
    filled = int(
        raw.frame[column].alias("value").str.strip_chars().fill_null("").ne("").sum()
    )
    not_scores = (
        "is not a whole number" if cells.height == 1 else "are not whole numbers"
    )
    return (
        f"{WARNING_PREFIX}the column {column!r} reads like the NPS question and "
        f"is taken as the score, although {cells.height:,} of its {filled:,} "
        f"answers {not_scores} from 0 to 10: {shown}. These are not "
        "counted as scores; correct them in the file if they should be."
    )
