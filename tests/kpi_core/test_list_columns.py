"""A list of contacts with joined and left days, turned into list events,
is described by the file's own columns: in the report's `columns` and
`detected`, and in the warnings and errors on its cells."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kpi_core.importing import load_file
from tests.conftest import PROJECT

NEWSLETTER = (
    "E-Mail-Adresse;Anmeldedatum;Abmeldedatum\n"
    "a@x.de;01.12.2024;\n"
    "b@x.de;15.12.2024;10.02.2025\n"
    "c@x.de;05.01.2025;\n"
    "d@x.de;20.01.2025;25.03.2025\n"
    "e@x.de;01.03.2025;\n"
    "f@x.de;10.11.2024;\n"
)


def _report(tmp_path: Path, name: str, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_report_names_list_columns(tmp_path):
    result = _report(tmp_path, "newsletter_de.csv", NEWSLETTER)
    assert result.returncode == 0, result.stderr
    [table] = json.loads(result.stdout)["inputs"]
    assert table["table"] == "email_events"
    # 6 subscribes and the unsubscribes of b and d.
    assert table["rows"] == 8
    assert table["columns"] == {
        "email": "E-Mail-Adresse",
        "event": ["Anmeldedatum", "Abmeldedatum"],
        "occurred_at": ["Anmeldedatum", "Abmeldedatum"],
    }
    assert table["detected"] == {
        "Anmeldedatum": "dates day first",
        "Abmeldedatum": "dates day first",
    }


def test_report_names_single_joined_column(tmp_path):
    text = "Email,Subscribed at\na@x.de,2025-11-01\nb@x.de,2026-01-05\n"
    result = _report(tmp_path, "list.csv", text)
    assert result.returncode == 0, result.stderr
    [table] = json.loads(result.stdout)["inputs"]
    assert table["columns"] == {
        "email": "Email",
        "event": "Subscribed at",
        "occurred_at": "Subscribed at",
    }


def test_invalid_left_day_names_its_column(tmp_path):
    # 31 February on line 5 is no date.
    text = NEWSLETTER.replace("25.03.2025", "31.02.2025")
    path = tmp_path / "newsletter.csv"
    path.write_text(text, encoding="utf-8")
    prepared = load_file(path.name, path.read_bytes())
    [problem] = prepared.problems
    assert problem.column == "Abmeldedatum"
    assert problem.describe() == (
        "1 row with an invalid date in column 'Abmeldedatum' (line 5; for "
        "example '31.02.2025')"
    )
    assert prepared.emptied_summary() == {"an invalid date in 'Abmeldedatum'": 1}


def test_invalid_days_split_by_column(tmp_path):
    # Line 3 has an invalid joined day, line 5 an invalid left day.
    text = NEWSLETTER.replace("15.12.2024", "32.12.2024").replace(
        "25.03.2025", "31.02.2025"
    )
    result = _report(tmp_path, "newsletter.csv", text)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["inputs"][0]["emptied"] == {
        "an invalid date in 'Anmeldedatum'": 1,
        "an invalid date in 'Abmeldedatum'": 1,
    }
    assert report["warnings"][:2] == [
        "newsletter.csv: 1 row with an invalid date in column 'Anmeldedatum' "
        "(line 3; for example '32.12.2024'); read as empty; the row is kept, so "
        "KPIs that need 'Anmeldedatum' leave it out",
        "newsletter.csv: 1 row with an invalid date in column 'Abmeldedatum' "
        "(line 5; for example '31.02.2025'); read as empty; the row is kept, so "
        "KPIs that need 'Abmeldedatum' leave it out",
    ]


def test_ambiguous_list_days_name_both_columns(tmp_path):
    text = (
        "E-Mail-Adresse;Anmeldedatum;Abmeldedatum\n"
        "a@x.de;01/02/2025;\n"
        "b@x.de;03/04/2025;05/06/2025\n"
    )
    result = _report(tmp_path, "newsletter.csv", text)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: newsletter.csv, columns 'Anmeldedatum' and 'Abmeldedatum': every "
        "date fits both day-first and month-first order"
    )
    assert "Occurred at" not in result.stderr
