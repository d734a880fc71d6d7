"""Salesforce's German "Phasenverlauf" report (opportunity stage history):
one row per stage change with "Von Phase" (the stage left) and "Zu Phase"
(the stage entered)."""

import json
import subprocess
import sys

import pytest

from kpi_core.errors import MissingColumnError
from kpi_core.importing import load_file, preview_file
from kpi_core.mapping import guess_mapping
from tests.conftest import PROJECT

HEADER = (
    '"Verkaufschancen-ID";"Verkaufschancenname";"Von Phase";"Zu Phase";'
    '"Betrag";"Letzte Änderung"\n'
)
# Deal 1: Qualifizierung 01.03. to 05.03. (4 days), Angebot to 15.03. (10),
# Verhandlung to 21.03. (6), then won.
# Deal 2: Qualifizierung 02.03. to 08.03. (6 days), Angebot to 10.03. (2),
# Verhandlung to 30.03. (20), then lost.
# Medians: Qualifizierung (4 + 6) / 2 = 5, Angebot (10 + 2) / 2 = 6,
# Verhandlung (6 + 20) / 2 = 13, so Verhandlung is the bottleneck.
# Read with "Von Phase" as the stage, each deal would enter Qualifizierung
# on its second row and Verhandlung on its last, which gives other times.
ROWS = (
    '"0060000001";"Projekt 1";"";"Qualifizierung";"1.000,00 €";"01.03.2025 09:00"\n'
    '"0060000001";"Projekt 1";"Qualifizierung";"Angebot";"1.000,00 €";'
    '"05.03.2025 09:00"\n'
    '"0060000001";"Projekt 1";"Angebot";"Verhandlung";"1.000,00 €";'
    '"15.03.2025 09:00"\n'
    '"0060000001";"Projekt 1";"Verhandlung";"Geschlossen und gewonnen";'
    '"1.000,00 €";"21.03.2025 09:00"\n'
    '"0060000002";"Projekt 2";"";"Qualifizierung";"2.500,00 €";"02.03.2025 09:00"\n'
    '"0060000002";"Projekt 2";"Qualifizierung";"Angebot";"2.500,00 €";'
    '"08.03.2025 09:00"\n'
    '"0060000002";"Projekt 2";"Angebot";"Verhandlung";"2.500,00 €";'
    '"10.03.2025 09:00"\n'
    '"0060000002";"Projekt 2";"Verhandlung";"Geschlossen und verloren";'
    '"2.500,00 €";"30.03.2025 09:00"\n'
)
PHASENVERLAUF = HEADER + ROWS


def _write(tmp_path, text: str, name: str = "phasenverlauf.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_phasenverlauf_detected_as_history(tmp_path):
    path = _write(tmp_path, PHASENVERLAUF)
    preview = preview_file(path.name, path.read_bytes())
    assert preview.table == "stage_history"
    assert preview.mapping.columns["deal_id"] == "Verkaufschancen-ID"
    assert preview.mapping.columns["stage"] == "Zu Phase"
    assert preview.mapping.columns["entered_at"] == "Letzte Änderung"


def test_phasenverlauf_rows_all_read(tmp_path):
    path = _write(tmp_path, PHASENVERLAUF)
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "stage_history"
    assert prepared.frame.height == 8
    assert prepared.frame["stage"].to_list()[:4] == [
        "Qualifizierung",
        "Angebot",
        "Verhandlung",
        "Geschlossen und gewonnen",
    ]


def test_phasenverlauf_stage_medians_cli(tmp_path):
    path = _write(tmp_path, PHASENVERLAUF)
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [source] = report["inputs"]
    assert source["table"] == "stage_history"
    assert source["columns"]["stage"] == "Zu Phase"
    stages = report["kpis"]["stage_duration_days"]
    # See the comment on ROWS: 5, 6 and 13 days, from 2 + 2 + 2 visits.
    assert stages["value"] == {
        "Qualifizierung": 5.0,
        "Angebot": 6.0,
        "Verhandlung": 13.0,
    }
    assert stages["n"] == 6
    assert stages["bottleneck"] == "Verhandlung"


def test_phasenverlauf_without_id_uses_name(tmp_path):
    # The report without the id column: the deal name serves as the deal
    # id, as "Opportunity Name" does in the English report.
    text = "".join(
        ";".join(line.split(";")[1:]) + "\n" for line in PHASENVERLAUF.splitlines()
    )
    path = _write(tmp_path, text)
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "stage_history"
    assert prepared.mapping.columns["deal_id"] == "Verkaufschancenname"
    assert prepared.mapping.columns["stage"] == "Zu Phase"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        # The stage left comes first, and both only contain "Phase".
        (["Deal ID", "Vorherige Phase", "Phase neu", "Datum"], "Phase neu"),
        (["Deal ID", "Von Phase", "Nach Phase", "Datum"], "Nach Phase"),
        (
            ["Opportunity ID", "Previous Stage", "Stage now", "Created Date"],
            "Stage now",
        ),
        (["Opportunity ID", "From Stage", "Stage", "Last Modified"], "Stage"),
    ],
)
def test_from_stage_never_stage(headers, expected):
    assert guess_mapping(headers, "stage_history").columns["stage"] == expected
    assert guess_mapping(headers, "deals").columns["stage"] == expected


@pytest.mark.parametrize("source", ["Von Phase", "From Stage", "Vorherige Phase"])
def test_only_from_stage_named(tmp_path, source):
    text = f"Deal ID;{source};Geändert am\nD1;Angebot;05.03.2025 09:00\n"
    path = _write(tmp_path, text, "from_only.csv")
    with pytest.raises(MissingColumnError) as raised:
        load_file(path.name, path.read_bytes(), table="stage_history")
    message = str(raised.value)
    assert "from_only.csv" in message
    assert f"{source!r} is the stage before each change" in message


def test_german_deals_report_stays_deals(tmp_path):
    # A guard: the German opportunity report with "Phase", one row per deal,
    # also has an id and a "Letzte Änderung", which a stage history has.
    text = (
        '"Verkaufschancen-ID";"Verkaufschancenname";"Accountname";"Phase";'
        '"Betrag";"Abschlussdatum";"Erstelldatum";"Letzte Änderung"\n'
        '"0060000001";"Projekt 1";"Kunde A";"Geschlossen und gewonnen";'
        '"1.000,00 €";"25.04.2025";"01.04.2025";"25.04.2025 09:00"\n'
        '"0060000002";"Projekt 2";"Kunde B";"Angebot";"2.500,00 €";'
        '"13.05.2025";"09.03.2025";"10.03.2025 09:00"\n'
    )
    path = _write(tmp_path, text, "verkaufschancen.csv")
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "deals"
    assert prepared.mapping.columns["stage"] == "Phase"
    assert prepared.mapping.columns["deal_id"] == "Verkaufschancen-ID"
    assert prepared.frame.height == 2
