"""The import warning for deals whose labels give no won and no lost deal."""

import json
import subprocess
import sys

import pytest

from kpi_core.importing import load_file
from tests.conftest import PROJECT

# A HubSpot pipeline whose closing stages were renamed to "Zusage" (won) and
# "Absage" (lost), words the app does not read as won or lost.
RENAMED_STAGES = (
    "Datensatz-ID;Deal-Phase;Betrag;Erstelldatum\n"
    "1;Termin geplant;100,00;01.03.2025\n"
    "2;Vertrag gesendet;200,00;02.03.2025\n"
    "3;Zusage;300,00;03.03.2025\n"
    "4;Absage;400,00;04.03.2025\n"
    "5;Zusage;500,00;05.03.2025\n"
    "6;Für Kauf qualifiziert;600,00;06.03.2025\n"
    "7;Präsentation vereinbart;700,00;07.03.2025\n"
)
RENAMED_WARNING = (
    "none of the labels in column 'Deal-Phase' ('Termin geplant', 'Vertrag "
    "gesendet', 'Zusage', 'Absage' and 2 more) reads as won or lost, so all 7 "
    "deals count as open and the close rate and win rate find no won deal. Map "
    "a status column or Won and Closed yes/no columns on the Data page, or "
    "rename the won and lost stages to Won and Lost (or Gewonnen and Verloren) "
    "in the file."
)


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8") -> bytes:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path.read_bytes()


def test_unknown_labels_warn(tmp_path):
    data = _write(tmp_path, "deals.csv", RENAMED_STAGES, "cp1252")
    deals = load_file("deals.csv", data)
    assert deals.warnings == (RENAMED_WARNING,)
    # The warning leaves every row in.
    assert deals.rows_used == 7
    assert deals.problems == ()


def test_unknown_labels_in_cli_warnings(tmp_path):
    path = tmp_path / "hubspot_deals.csv"
    path.write_bytes(RENAMED_STAGES.encode("cp1252"))
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    assert f"hubspot_deals.csv: {RENAMED_WARNING}" in warnings


@pytest.mark.parametrize("closing", ["Gewonnen", "Verloren", "Closed won", "Lost"])
def test_one_known_label_no_warning(tmp_path, closing):
    text = RENAMED_STAGES.replace("4;Absage;", f"4;{closing};")
    data = _write(tmp_path, "deals.csv", text)
    assert load_file("deals.csv", data).warnings == ()


def test_flags_decide_no_warning(tmp_path):
    # Won and Closed flags of 0 make every deal open, so the labels decide nothing.
    text = (
        "Opportunity Name,Stage,Created Date,Won,Closed\n"
        "A,Qualification,2025-03-01,0,0\n"
        "B,Negotiation,2025-03-02,0,0\n"
        "C,Prospecting,2025-03-03,0,0\n"
    )
    data = _write(tmp_path, "report.csv", text)
    deals = load_file("report.csv", data)
    assert deals.mapping.columns["won"] == "Won"
    assert deals.frame["status"].to_list() == ["open", "open", "open"]
    assert deals.warnings == ()


def test_status_and_stage_columns_named(tmp_path):
    text = (
        "Deal - ID,Deal - Phase,Deal - Status,Deal - Deal erstellt\n"
        "1,Kontakt hergestellt,Offen,2025-02-01\n"
        "2,Angebot gemacht,Erledigt,2025-02-02\n"
        "3,Angebot gemacht,,2025-02-03\n"
    )
    data = _write(tmp_path, "pipedrive.csv", text)
    deals = load_file("pipedrive.csv", data)
    assert deals.warnings == (
        "none of the labels in columns 'Deal - Status' ('Offen', 'Erledigt') and "
        "'Deal - Phase' ('Kontakt hergestellt', 'Angebot gemacht') reads as won "
        "or lost, so all 3 deals count as open and the close rate and win rate "
        "find no won deal. Map another status column or Won and Closed yes/no "
        "columns on the Data page, or rename the won and lost stages to Won and "
        "Lost (or Gewonnen and Verloren) in the file.",
    )


def test_other_tables_no_warning(tmp_path):
    text = "Ticket ID,Created at,Status\nT1,2025-03-01 10:00,Offen\n"
    data = _write(tmp_path, "tickets.csv", text)
    tickets = load_file("tickets.csv", data)
    assert tickets.table == "tickets"
    assert tickets.warnings == ()
