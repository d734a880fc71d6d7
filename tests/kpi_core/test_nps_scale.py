"""NPS responses whose scores look like a 1-5 satisfaction rating, and the
interval of responses that all fall into one group."""

from __future__ import annotations

import polars as pl

from kpi_core.importing import load_file
from kpi_core.nps import net_promoter_score

# A support-ticket export with a 1-5 satisfaction score, imported as NPS.
CSAT_TICKETS = b"""\
ticket_id,submitted_at,satisfaction_score
T1,2025-01-02,4
T2,2025-01-03,5
T3,2025-01-04,
T4,2025-01-05,3
T5,2025-01-06,5
"""

NPS_SURVEY = b"""\
response_id,responded_at,How likely are you to recommend us?
R1,2025-01-02,10
R2,2025-01-03,3
R3,2025-01-04,8
R4,2025-01-05,9
"""


def _scores(values: list[int | None]) -> pl.DataFrame:
    return pl.DataFrame({"score": values}, schema={"score": pl.Int64})


def test_import_warns_on_five_point_scores():
    prepared = load_file("tickets.csv", CSAT_TICKETS, table="nps")
    assert prepared.mapping.columns["score"] == "satisfaction_score"
    [warning] = prepared.warnings
    assert warning.startswith(
        "every score in 'satisfaction_score' lies between 3 and 5,"
    )
    assert "the NPS is -100" in warning
    assert "0-10 answers to 'How likely are you to recommend us?'" in warning
    assert "CSAT, not NPS" in warning
    # Scores of 8, 9 and 10 are not on a 1-5 rating.
    survey = load_file("survey.csv", NPS_SURVEY, table="nps")
    assert survey.warnings == ()


def test_card_warns_on_five_point_scores():
    prepared = load_file("tickets.csv", CSAT_TICKETS, table="nps")
    result = net_promoter_score(prepared.frame)
    # 4 responses, all 0-6: (0 - 4) / 4 x 100 = -100.
    assert result.value == -100.0
    [warning] = result.warnings
    assert warning.startswith("every score lies between 3 and 5,")
    assert "CSAT, not NPS" in warning


def test_single_score_five_point_wording():
    result = net_promoter_score(_scores([4, 4, None]))
    [warning] = result.warnings
    assert warning.startswith("every score is 4,")


def test_score_above_five_only_note():
    # A 6 cannot be on a 1-5 rating, although every score is a detractor.
    result = net_promoter_score(_scores([2, 6, 5]))
    assert result.value == -100.0
    assert result.warnings == ()
    assert result.note.startswith("All 3 responses are detractors,")


def test_all_detractors_note_bounds_score():
    result = net_promoter_score(_scores([3, 4, 5, 3]))
    assert result.ci95 == (-100.0, -100.0)
    # Wilson lower bound of 4 of 4: 4 / (4 + 1.96^2) = 4 / 7.8416 = 51.01 %.
    # The NPS is at most 100 - 2 x 51.01 = -2.02.
    assert result.note == (
        "All 4 responses are detractors, so the standard error is 0 and the "
        "95 % interval has no width. That does not make the score certain: a "
        "95 % Wilson interval for the share of detractors, 51.0 % to 100 %, "
        "puts it between -100.0 and -2.0."
    )
    # One passive among them gives the interval a width, and no note.
    mixed = net_promoter_score(_scores([3, 4, 5, 3, 7]))
    assert mixed.ci95[1] > -100.0
    assert mixed.note == ""


def test_all_promoters_note_bounds_score():
    result = net_promoter_score(_scores([9, 10] * 5))
    assert result.value == 100.0
    # Wilson lower bound of 10 of 10: 10 / 13.8416 = 72.25 %, so the NPS is
    # at least 2 x 72.25 - 100 = 44.49.
    assert "share of promoters, 72.2 % to 100 %" in result.note
    assert result.note.endswith("puts it between 44.5 and 100.0.")


def test_all_passives_note_bounds_score():
    result = net_promoter_score(_scores([7]))
    assert result.value == 0.0
    # Wilson lower bound of 1 of 1: 1 / 4.8416 = 20.65 %, so the NPS lies
    # within 100 - 20.65 = 79.35 of 0.
    assert result.note.startswith("The only response is a passive,")
    assert result.note.endswith("puts it between -79.3 and 79.3.")
