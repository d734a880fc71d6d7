"""A field history that records changes of several fields, such as
Salesforce's OpportunityFieldHistory, gives its stage changes only."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from kpi_core.importing import load_file
from kpi_core.stages import history_from_field_history, stage_duration_days

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


HEADER = (
    '"Id","OpportunityId","CreatedById","CreatedDate","Field","DataType",'
    '"OldValue","NewValue","IsDeleted"\n'
)
# Opportunity 1 was created on 1 January in Prospecting, moved to
# Qualification on 21 January and was won on 26 January. Opportunity 2 was
# created on 10 January, moved on 9 February and was lost on 15 February.
CREATED_ROWS = HEADER + (
    '"017B001","0061","0051","2024-01-01T09:00:00.000Z","created","","","","false"\n'
    '"017B002","0061","0051","2024-01-21T09:00:00.000Z","StageName","Picklist",'
    '"Prospecting","Qualification","false"\n'
    '"017B003","0061","0051","2024-01-26T09:00:00.000Z","StageName","Picklist",'
    '"Qualification","Closed Won","false"\n'
    '"017B004","0062","0052","2024-01-10T10:00:00.000Z","created","","","","false"\n'
    '"017B005","0062","0052","2024-02-09T10:00:00.000Z","StageName","Picklist",'
    '"Prospecting","Qualification","false"\n'
    '"017B006","0062","0052","2024-02-15T10:00:00.000Z","StageName","Picklist",'
    '"Qualification","Closed Lost","false"\n'
)


def _load(tmp_path, text: str, date_order: str | None = None):
    path = tmp_path / "OpportunityFieldHistory.csv"
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes(), date_order=date_order)


def test_created_row_dates_first_stage(tmp_path):
    history = _load(tmp_path, CREATED_ROWS)
    first = history.frame.filter(pl.col("deal_id") == "0061")
    assert first["stage"].to_list() == ["Prospecting", "Qualification", "Closed Won"]
    # The entry into Prospecting is the "created" row on line 2.
    assert first["_line"].to_list() == [2, 3, 4]
    assert history.read_warnings == ()
    assert history.read_notes[-1] == (
        "added 2 entries into the stage a deal was created in, the 'OldValue' "
        "of its first stage change, dated by its 'created' row"
    )


def test_created_stage_is_bottleneck(tmp_path):
    result = stage_duration_days(_load(tmp_path, CREATED_ROWS).frame)
    # Prospecting: 1 to 21 January = 20 days, 10 January to 9 February = 30
    # days, median 25. Qualification: 21 to 26 January = 5 days, 9 to 15
    # February = 6 days, median 5.5.
    assert result.value == {
        "Prospecting": pytest.approx(25.0),
        "Qualification": pytest.approx(5.5),
    }
    assert result.extra["bottleneck"] == "Prospecting"
    assert result.n == 4


def test_created_only_deal_named(tmp_path):
    text = CREATED_ROWS + (
        '"017B007","0063","0052","2024-02-05T10:00:00.000Z","created","","","",'
        '"false"\n'
    )
    history = _load(tmp_path, text)
    assert "0063" not in history.frame["deal_id"].to_list()
    assert history.read_warnings == (
        "1 deal has a 'created' row but no stage change (line 8). The field "
        "history names a stage only when it changes, so the stage it is still "
        "in is unknown, and it is left out of the time in each stage",
    )


def test_first_stage_without_created_row(tmp_path):
    # Only the StageName rows were exported, so nothing dates the entry into
    # Prospecting.
    stage_rows = [line for line in CREATED_ROWS.splitlines() if "StageName" in line]
    history = _load(tmp_path, HEADER + "\n".join(stage_rows) + "\n")
    assert history.frame["stage"].to_list() == [
        "Qualification",
        "Closed Won",
        "Qualification",
        "Closed Lost",
    ]
    assert history.read_warnings == (
        "2 deals have no 'created' row dated on or before their first stage "
        "change (lines 2, 4). The stage they were created in, the 'OldValue' "
        "of that change, has no entry date, so its time is left out",
    )
    result = stage_duration_days(history.frame)
    assert list(result.value) == ["Qualification"]


def test_created_after_first_change(tmp_path):
    text = HEADER + (
        '"017C001","0071","0051","2024-03-05T09:00:00.000Z","created","","","",'
        '"false"\n'
        '"017C002","0071","0051","2024-03-01T09:00:00.000Z","StageName",'
        '"Picklist","Prospecting","Qualification","false"\n'
    )
    history = _load(tmp_path, text)
    assert history.frame["stage"].to_list() == ["Qualification"]
    assert history.read_warnings[0].startswith(
        "1 deal has no 'created' row dated on or before its first stage change "
        "(line 3)."
    )


def test_first_change_depends_on_date_order(tmp_path):
    # Every date reads day first and month first. Day first, the change on
    # 05/03 (5 March) comes before the one on 03/04 (3 April). Month first,
    # 03/04 (4 March) comes before 05/03 (3 May). So the first stage is
    # Qualification in one reading and Prospecting in the other.
    text = (
        "OpportunityId,Field,OldValue,NewValue,CreatedDate\n"
        "0081,created,,,01/02/2024 09:00\n"
        "0081,StageName,Prospecting,Qualification,03/04/2024 09:00\n"
        "0081,StageName,Qualification,Proposal,05/03/2024 09:00\n"
    )
    history = _load(tmp_path, text, date_order="dmy")
    assert history.frame["stage"].to_list() == ["Qualification", "Proposal"]
    assert history.read_warnings == (
        "the first stage change of 1 deal depends on whether 'CreatedDate' is "
        "read day first or month first (lines 3, 4), so the stage it was "
        "created in is left out",
    )


def test_history_from_field_history_created_row():
    rows = pl.DataFrame(
        {
            "OpportunityId": ["006A", "006A", "006A", "006B"],
            "Field": ["created", "StageName", "StageName", "created"],
            "OldValue": [None, "Prospecting", "Qualification", None],
            "NewValue": [None, "Qualification", "Closed Won", None],
            "CreatedDate": [
                datetime(2024, 1, 1),
                datetime(2024, 1, 4),
                datetime(2024, 1, 9),
                datetime(2024, 1, 2),
            ],
        }
    )
    history = history_from_field_history(rows)
    assert history.rows() == [
        ("006A", "Prospecting", datetime(2024, 1, 1)),
        ("006A", "Qualification", datetime(2024, 1, 4)),
        ("006A", "Closed Won", datetime(2024, 1, 9)),
    ]
