"""Name a survey column that looks like the NPS score but was rejected.

``find_score_column`` and ``find_near_score_column`` take a column as the
score only when at most 1 %, or under a header that reads like the NPS
question at most 10 %, of its answers are not whole numbers from 0 to 10.
A column with more such answers is rejected, and without this module the
messages would only say that no score column was found.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from kpi_core.import_problems import LINE
from kpi_core.mapping import Mapping
from kpi_core.nps import (
    DETRACTOR_MAX,
    NEAR_SCORE_SHARE,
    drop_scale_labels,
    looks_like_nps_question,
    names_recommendation,
)

# The number of answers that are not scores a message quotes.
_SHOWN = 5


@dataclass(frozen=True)
class RejectedScores:
    """A column rejected as the NPS score, with its answers that are not
    whole numbers from 0 to 10 (columns "value" and ``LINE``)."""

    column: str
    filled: int
    misses: pl.DataFrame
    asks_question: bool

    def quoted_misses(self, style: str = "line first") -> str:
        """Quote the first answers that are not scores with their lines, as
        "line 10 '11'" or, with ``style`` "value first", "'11' on line 10"."""
        if style == "line first":
            parts = [
                f"line {line} {value!r}"
                for value, line in self.misses.head(_SHOWN).iter_rows()
            ]
        else:
            parts = [
                f"{value!r} on line {line}"
                for value, line in self.misses.head(_SHOWN).iter_rows()
            ]
        shown = ", ".join(parts)
        if self.misses.height > _SHOWN:
            shown += f" and {self.misses.height - _SHOWN:,} more"
        return shown

    def counted(self) -> str:
        """Return "2 of its 10 answers are not", with the verb in number."""
        verb = "is" if self.misses.height == 1 else "are"
        return f"{self.misses.height:,} of its {self.filled:,} answers {verb} not"


def find_rejected_score_column(
    frame: pl.DataFrame, *, by_values: bool, skip: Collection[str] = ()
) -> RejectedScores | None:
    """Find a column that looks like the NPS score but has too many answers
    that are not whole numbers from 0 to 10 to be taken as the score.

    Its header reads like the NPS question (``looks_like_nps_question``) or,
    with ``by_values``, more than half of its filled cells are scores. In
    both cases more than half of its filled cells are scores, but fewer than
    ``NEAR_SCORE_SHARE``, and the scores include one of 7 or more and one of
    6 or less, as ``find_near_score_column`` requires. Among several such
    columns a header that reads like the question wins, then one that names
    recommending, then the higher share of scores. Columns in ``skip``,
    such as those mapped to other fields, are not looked at. Returns None
    when no column, or more than one equally good column, fits.
    """
    found = []
    for name in frame.columns:
        if name == LINE or name in skip:
            continue
        asks_question = looks_like_nps_question(name)
        if not (asks_question or by_values):
            continue
        rejected = _rejected(frame, name, asks_question)
        if rejected is not None:
            share = 1 - rejected.misses.height / rejected.filled
            found.append(((asks_question, names_recommendation(name), share), rejected))
    if not found:
        return None
    found.sort(key=lambda item: item[0], reverse=True)
    if len(found) > 1 and found[0][0] == found[1][0]:
        return None
    return found[0][1]


def _rejected(
    frame: pl.DataFrame, name: str, asks_question: bool
) -> RejectedScores | None:
    text = frame[name].alias("value").cast(pl.String).str.strip_chars()
    text = drop_scale_labels(text)
    filled = text.is_not_null() & (text != "")
    whole = text.str.contains(r"^[0-9]{1,2}$").fill_null(False)
    in_range = text.cast(pl.Int64, strict=False).is_between(0, 10).fill_null(False)
    is_score = whole & in_range
    count = int(filled.sum())
    scores = text.filter(is_score).cast(pl.Int64)
    # More than half are scores, but too few for find_near_score_column.
    if count == 0 or scores.len() * 2 <= count:
        return None
    if scores.len() >= NEAR_SCORE_SHARE * count:
        return None
    if scores.max() <= DETRACTOR_MAX or scores.min() > DETRACTOR_MAX:
        return None
    original = frame[name].alias("value").cast(pl.String).str.strip_chars()
    misses = pl.DataFrame([original, frame[LINE]]).filter(filled & ~is_score)
    return RejectedScores(name, count, misses, asks_question)


def _tolerance() -> str:
    return f"{round((1 - NEAR_SCORE_SHARE) * 100)} %"


def unknown_type_hint(rejected: RejectedScores) -> str:
    """Say why a file whose column reads like the NPS question was not read
    as a survey, and how to import it."""
    return (
        f"The column {rejected.column!r} reads like the NPS question, but it "
        f"is not taken as the score because {rejected.counted()} whole "
        f"numbers from 0 to 10 ({rejected.quoted_misses()}), and a score "
        f"column may have at most {_tolerance()} such answers. To use it, "
        "choose the table type NPS survey responses on the Data page: the "
        "column is then proposed as Score and every such line is named. "
        "Otherwise correct them in the export."
    )


def missing_score_hint(frame: pl.DataFrame, mapping: Mapping) -> str | None:
    """Name the column that came closest to the NPS score when the mapping
    of a survey has no column for it, or return None. A column mapped to
    another field is not named."""
    if mapping.table != "nps" or "score" not in mapping.missing_required:
        return None
    used = mapping.used_columns().values()
    rejected = find_rejected_score_column(frame, by_values=True, skip=used)
    return _missing_score_text(rejected) if rejected is not None else None


def _missing_score_text(rejected: RejectedScores) -> str:
    if rejected.asks_question:
        looks = "reads like the NPS question"
        not_scores = f"{rejected.counted()} whole numbers from 0 to 10"
    else:
        looks = "is mostly whole numbers from 0 to 10"
        not_scores = rejected.counted()
    return (
        f"The column {rejected.column!r} {looks}, but it is not taken as the "
        f"score because {not_scores} "
        f"({rejected.quoted_misses()}), and a score column may have at most "
        f"{_tolerance()} such answers. Choose it as Score in the column "
        "mapping to see every such line named, or correct them in the export."
    )


def chosen_score_note(rejected: RejectedScores) -> str:
    """Say that a rejected column is the score only because the user chose
    the table type, and name its answers that are not scores."""
    return (
        f"the column {rejected.column!r} reads like the NPS question and is "
        "taken as the score because the table type NPS survey responses was "
        f"chosen, although {rejected.counted()} whole numbers from 0 to 10: "
        f"{rejected.quoted_misses('value first')}. That is more than the "
        f"{_tolerance()} a score column may have. These are not counted as "
        "scores; correct them in the file if they should be."
    )
