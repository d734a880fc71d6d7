"""SurveyMonkey's second header row is part of the header, not a response."""

from datetime import date

from kpi_core.importing import load_file, preview_file
from kpi_core.nps import net_promoter_score
from kpi_core.period import Period

# SurveyMonkey writes the question in row 1 and "Response" or "Open-Ended
# Response" in row 2 under each question; the other columns are blank there.
SURVEY = b"""\
Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,\
How likely are you to recommend us to a friend?,What should we improve?
,,,,,,Response,Open-Ended Response
1001,42,06/20/2025 10:00:00 AM,06/20/2025 10:02:00 AM,,a@example.com,10,
1002,42,06/21/2025 11:00:00 AM,06/21/2025 11:03:00 AM,,b@example.com,9,Faster replies
1003,42,06/22/2025 09:00:00 AM,06/22/2025 09:01:00 AM,,c@example.com,6,Price
1004,42,06/23/2025 02:00:00 PM,06/23/2025 02:05:00 PM,,d@example.com,8,
"""


def test_second_row_read_as_header():
    prepared = load_file("survey.csv", SURVEY)
    assert prepared.table == "nps"
    assert prepared.rows_read == 4
    assert prepared.problems == ()
    assert prepared.mapping.columns["score"] == (
        "How likely are you to recommend us to a friend?"
    )


def test_second_row_header_note():
    notes = preview_file("survey.csv", SURVEY).raw.info.notes
    assert "header: lines 1 and 2, merged" in notes


def test_survey_nps_by_hand():
    frame = load_file("survey.csv", SURVEY).frame
    # 2 promoters (10, 9), 1 detractor (6), 1 passive (8) of 4:
    # (2 - 1) / 4 x 100 = 25.
    result = net_promoter_score(frame, Period(date(2025, 6, 1), date(2025, 6, 30)))
    assert result.value == 25.0
    assert result.n == 4
