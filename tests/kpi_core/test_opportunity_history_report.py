"""Salesforce's "Opportunity History" report, whose rows go from one stage
to the next, without the opportunity id column."""

from datetime import datetime

import polars as pl
import pytest

from kpi_core.errors import MissingColumnError
from kpi_core.importing import load_file, preview_file
from kpi_core.stage_transitions import names_without_one_chain
from kpi_core.stages import stage_duration_days

HEADER = (
    '"Opportunity Owner","Opportunity Name","From Stage","To Stage","Amount",'
    '"Probability (%)","Close Date","Stage Duration","Last Modified",'
    '"Last Modified By"\n'
)
# Acme: Prospecting 1/1 to 1/6 (5 days), Qualification to 1/16 (10),
# Proposal to 1/26 (10), then won. Beta: Prospecting 3, Qualification 7,
# then lost. Gamma goes back from Proposal to Qualification: Prospecting
# 2/1 to 2/3 (2), Qualification 7 + 6 = 13, Proposal 4 + 10 = 14 (2024
# is a leap year, so 2/20 to 3/1 is 10 days). Delta is still in
# Prospecting.
ROWS = (
    '"Jane Doe","Acme","","Prospecting","10000","10","3/31/2024","5",'
    '"1/1/2024 10:00 AM","Jane Doe"\n'
    '"Jane Doe","Acme","Prospecting","Qualification","10000","20","3/31/2024",'
    '"10","1/6/2024 10:00 AM","Jane Doe"\n'
    '"Jane Doe","Acme","Qualification","Proposal","12000","75","2/15/2024",'
    '"10","1/16/2024 10:00 AM","Jane Doe"\n'
    '"Jane Doe","Acme","Proposal","Closed Won","12000","100","1/26/2024","0",'
    '"1/26/2024 10:00 AM","Jane Doe"\n'
    '"John Roe","Beta","","Prospecting","5000","10","4/30/2024","3",'
    '"1/10/2024 11:00 AM","John Roe"\n'
    '"John Roe","Beta","Prospecting","Qualification","5000","20","4/30/2024",'
    '"7","1/13/2024 11:00 AM","John Roe"\n'
    '"John Roe","Beta","Qualification","Closed Lost","5000","0","1/20/2024",'
    '"0","1/20/2024 11:00 AM","John Roe"\n'
    '"Jane Doe","Gamma","","Prospecting","8000","10","5/31/2024","2",'
    '"2/1/2024 11:00 AM","Jane Doe"\n'
    '"Jane Doe","Gamma","Prospecting","Qualification","8000","20","5/31/2024",'
    '"7","2/3/2024 11:00 AM","Jane Doe"\n'
    '"Jane Doe","Gamma","Qualification","Proposal","8000","75","5/31/2024",'
    '"4","2/10/2024 11:00 AM","Jane Doe"\n'
    '"Jane Doe","Gamma","Proposal","Qualification","8000","20","5/31/2024",'
    '"6","2/14/2024 11:00 AM","Jane Doe"\n'
    '"Jane Doe","Gamma","Qualification","Proposal","8000","75","5/31/2024",'
    '"10","2/20/2024 11:00 AM","Jane Doe"\n'
    '"Jane Doe","Gamma","Proposal","Closed Won","8000","100","3/1/2024","0",'
    '"3/1/2024 11:00 AM","Jane Doe"\n'
    '"John Roe","Delta","","Prospecting","3000","10","6/30/2024","25",'
    '"2/5/2024 11:00 AM","John Roe"\n'
)


def _write(tmp_path, text: str):
    path = tmp_path / "opportunity_history.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_report_without_id_is_history(tmp_path):
    path = _write(tmp_path, HEADER + ROWS)
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "stage_history"
    assert prepared.mapping.columns["deal_id"] == "Opportunity Name"
    assert prepared.mapping.columns["stage"] == "To Stage"
    assert prepared.mapping.columns["entered_at"] == "Last Modified"
    notes = preview_file(path.name, path.read_bytes()).raw.info.notes
    assert any("'Opportunity Name' identifies the deals" in note for note in notes)


def test_report_without_id_stage_days(tmp_path):
    path = _write(tmp_path, HEADER + ROWS)
    history = load_file(path.name, path.read_bytes()).frame
    result = stage_duration_days(history, as_of=datetime(2024, 3, 31))
    # Prospecting 5, 3, 2 -> median 3; Qualification 10, 7, 13 -> median
    # 10; Proposal 10, 14 -> median 12. Delta's visit is still going on.
    assert result.value == {"Prospecting": 3.0, "Qualification": 10.0, "Proposal": 12.0}
    assert result.n == 8
    assert result.excluded == {"deal still in the stage": 1}
    assert result.extra["bottleneck"] == "Proposal"


def test_shared_name_asks_for_id(tmp_path):
    # A second "Acme" opportunity, created in March, makes two creations
    # under one name.
    second = (
        '"Jane Doe","Acme","","Prospecting","900","10","6/30/2024","1",'
        '"3/4/2024 09:00 AM","Jane Doe"\n'
    )
    path = _write(tmp_path, HEADER + ROWS + second)
    preview = preview_file(path.name, path.read_bytes())
    assert preview.table == "stage_history"
    assert preview.mapping.columns["deal_id"] is None
    with pytest.raises(MissingColumnError) as raised:
        load_file(path.name, path.read_bytes())
    message = str(raised.value)
    assert "deal stage history" in message
    assert "without a deal id column" in message
    assert "the changes of 'Acme' do not form one chain" in message
    assert "Add the opportunity or deal id to the report" in message


def test_report_without_name_asks_for_id(tmp_path):
    text = (
        '"From Stage","To Stage","Amount","Last Modified"\n'
        '"","Prospecting","100","1/1/2024 10:00 AM"\n'
        '"Prospecting","Qualification","100","1/6/2024 10:00 AM"\n'
    )
    path = _write(tmp_path, text)
    with pytest.raises(MissingColumnError) as raised:
        load_file(path.name, path.read_bytes())
    message = str(raised.value)
    assert "no column found for Deal ID" in message
    assert "of a deal stage history table" in message
    assert "created_at" not in message


@pytest.mark.parametrize(
    ("changes", "listed"),
    [
        # A revisit goes back and forth but stays one chain.
        ([("", "P"), ("P", "Q"), ("Q", "P"), ("P", "Q"), ("Q", "Won")], []),
        # Two creations under one name.
        ([("", "P"), ("P", "Q"), ("", "P")], ["A"]),
        # Two deals whose creation is not in the export both leave P.
        ([("P", "Q"), ("P", "Q")], ["A"]),
        # Two chains without a shared stage: P -> Q and R -> S.
        ([("P", "Q"), ("R", "S")], ["A"]),
    ],
)
def test_names_without_one_chain(changes, listed):
    frame = pl.DataFrame(
        {
            "name": ["A"] * len(changes),
            "from": [left or None for left, _ in changes],
            "to": [entered for _, entered in changes],
        }
    )
    assert names_without_one_chain(frame, "name", "from", "to") == listed
