"""A field history that records changes of several fields, such as
Salesforce's OpportunityFieldHistory, gives its stage changes only."""

from __future__ import annotations

import pytest

from kpi_core.importing import load_file
from kpi_core.stages import stage_duration_days

# Opportunity 006A enters Prospecting on 1 March, Qualification on 5 March
# and Closed Won on 12 March; its Amount changes on 1 March too.
FIELD_HISTORY = (
    b"OpportunityId,Field,OldValue,NewValue,DataType,CreatedDate,CreatedById\n"
    b"006A,StageName,,Prospecting,Text,2024-03-01T10:00:00.000Z,005X\n"
    b"006A,Amount,,1000,Currency,2024-03-01T10:00:00.000Z,005X\n"
    b"006A,StageName,Prospecting,Qualification,Text,2024-03-05T10:00:00.000Z,005X\n"
    b"006A,StageName,Qualification,Closed Won,Text,2024-03-12T10:00:00.000Z,005X\n"
)


def test_amount_change_is_no_stage():
    history = load_file("OpportunityFieldHistory.csv", FIELD_HISTORY)
    assert history.table == "stage_history"
    assert history.frame["stage"].to_list() == [
        "Prospecting",
        "Qualification",
        "Closed Won",
    ]
    assert history.read_notes[-1] == (
        "skipped 1 row that changes another field than the stage ('Amount') on line 3"
    )


def test_stage_days_ignore_the_amount_change():
    history = load_file("OpportunityFieldHistory.csv", FIELD_HISTORY).frame
    result = stage_duration_days(history)
    # Prospecting from 1 to 5 March: 4 days; Qualification from 5 to 12
    # March: 7 days. No stage "1000".
    assert result.value == {
        "Prospecting": pytest.approx(4.0),
        "Qualification": pytest.approx(7.0),
    }
