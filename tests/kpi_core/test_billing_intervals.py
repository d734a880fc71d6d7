"""Billing intervals written in German and English, one-time fees and
intervals the import cannot read, through the real import, ARR and
command line."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from kpi_core.errors import InvalidValueError
from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.prepare import PreparedTable
from kpi_core.subscriptions import arr
from tests.conftest import PROJECT

HEADER = (
    "Vertragsnummer;Kundennummer;Vertragsbeginn;Vertragsende;Preis;"
    "Abrechnungsintervall\n"
)
# The ARR on the last day of 2025, when every subscription below runs.
YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))


def _load(tmp_path: Path, name: str, text: str) -> PreparedTable:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes())


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


def test_report_reads_month_counts(tmp_path):
    text = (
        HEADER + "V-1;K-1;01.01.2025;;1.200,00 €;jährlich\n"
        "V-2;K-2;01.01.2025;;100,00 €;monatlich\n"
        "V-3;K-3;01.02.2025;;300,00 €;3 Monate\n"
    )
    result = _report(tmp_path, "abos_intervall.csv", text)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [table] = report["inputs"]
    assert table["rows_used"] == 3
    assert table["excluded"] == {}
    # MRR: 1,200 / 12 + 100 / 1 + 300 / 3 = 100 + 100 + 100 = 300 EUR.
    # ARR: 300 x 12 = 3,600 EUR.
    assert report["kpis"]["arr"]["value"] == 3600.0
    assert report["kpis"]["arr"]["unit"] == "EUR"
    assert report["warnings"] == []


# Each label with the months one price covers, checked by hand. Spellings
# that were read before, such as "Quartal", "year" and "einmalig", are
# tested with the subscription KPIs.
SPELLINGS = [
    ("3 Monate", 3),
    ("6 Monate", 6),
    ("12 Monate", 12),
    ("1 Monat", 1),
    ("24 Monate", 24),
    ("2 Jahre", 24),
    ("jährl.", 12),
    ("Jaehrlich", 12),
    ("monatl.", 1),
    ("mtl.", 1),
    ("p.a.", 12),
    ("p.M.", 1),
    ("pro Jahr", 12),
    ("pro Monat", 1),
    ("per annum", 12),
    ("vierteljährl.", 3),
    ("halbjährl.", 6),
    ("every 3 months", 3),
    ("alle 6 Monate", 6),
    ("3-monatlich", 3),
]


@pytest.mark.parametrize(("label", "months"), SPELLINGS)
def test_interval_spelling_sets_mrr(tmp_path, label, months):
    text = HEADER + f"V-1;K-1;01.01.2025;;1.200,00 €;{label}\n"
    prepared = _load(tmp_path, "abos.csv", text)
    assert prepared.problems == ()
    result = arr(prepared.frame, YEAR_2025)
    # ARR = 1,200 / months x 12, such as 1,200 / 3 x 12 = 4,800 for a
    # quarter and 1,200 / 24 x 12 = 600 for two years.
    assert result.value == pytest.approx(1200 / months * 12)


@pytest.mark.parametrize("label", ["Einmalzahlung", "One-off", "non-recurring"])
def test_one_time_words_left_out_of_arr(tmp_path, label):
    text = (
        HEADER + "V-1;K-1;01.01.2025;;100,00 €;monatlich\n"
        f"V-2;K-2;01.01.2025;;500,00 €;{label}\n"
    )
    prepared = _load(tmp_path, "abos.csv", text)
    assert prepared.problems == ()
    result = arr(prepared.frame, YEAR_2025)
    # Only the monthly 100 recurs: 100 x 12 = 1,200.
    assert result.value == 1200.0
    assert result.excluded == {"one-time fee": 1}


UNKNOWN = (
    HEADER + "V-1;K-1;01.01.2025;;1.200,00 €;jährlich\n"
    "V-2;K-2;01.01.2025;;100,00 €;nach Vereinbarung\n"
    "V-3;K-3;01.02.2025;;300,00 €;3 Monate\n"
)


def test_unknown_interval_leaves_row_out(tmp_path):
    prepared = _load(tmp_path, "abos.csv", UNKNOWN)
    assert prepared.frame["customer_id"].to_list() == ["K-1", "K-3"]
    [problem] = prepared.problems
    assert not problem.row_kept
    assert problem.describe() == (
        "1 row with an unknown billing interval in column 'Abrechnungsintervall' "
        "(line 3; for example 'nach Vereinbarung')"
    )
    assert problem.outcome().startswith(
        "this row is left out; write the billing interval as monthly, quarterly"
    )
    assert "'3 Monate'" in problem.outcome()
    assert "one-time (einmalig)" in problem.outcome()
    assert prepared.excluded_summary() == {
        "an unknown billing interval in 'Abrechnungsintervall'": 1
    }
    # MRR of the rows kept: 1,200 / 12 + 300 / 3 = 200; ARR 200 x 12 = 2,400.
    assert arr(prepared.frame, YEAR_2025).value == 2400.0


def test_report_warns_of_unknown_interval(tmp_path):
    result = _report(tmp_path, "abos.csv", UNKNOWN)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [warning] = report["warnings"]
    assert warning.startswith(
        "abos.csv: 1 row with an unknown billing interval in column "
        "'Abrechnungsintervall' (line 3; for example 'nach Vereinbarung'); "
        "this row is left out; write the billing interval as"
    )
    assert report["inputs"][0]["rows_used"] == 2
    assert report["kpis"]["arr"]["value"] == 2400.0


def test_column_of_unknown_intervals_stops(tmp_path):
    text = (
        HEADER + "V-1;K-1;01.01.2025;;10,00 €;x\n"
        "V-2;K-2;01.01.2025;;10,00 €;y\n"
        "V-3;K-3;01.02.2025;;10,00 €;z\n"
    )
    result = _report(tmp_path, "abos.csv", text)
    assert result.returncode == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "Traceback" not in message
    assert message.startswith(
        "error: abos.csv, column 'Abrechnungsintervall': no filled cell of this "
        "column can be used as interval: 3 rows with an unknown billing interval"
    )
    assert "(lines 2, 3, 4; for example 'x', 'y', 'z')" in message
    assert message.endswith("or as one-time (einmalig) for a fee that does not recur")


def test_stored_table_names_unknown_lines():
    # A table imported by a version that did not check intervals still has
    # its file lines, which the error names.
    stored = pl.DataFrame(
        {
            "customer_id": ["K-1", "K-2"],
            "started_at": [date(2025, 1, 1), date(2025, 1, 1)],
            "amount": [100.0, 100.0],
            "interval": ["monthly", "nach Vereinbarung"],
            "_line": [2, 3],
        }
    )
    with pytest.raises(InvalidValueError) as caught:
        arr(stored, YEAR_2025)
    message = str(caught.value)
    assert message.startswith(
        "unknown billing interval 'nach Vereinbarung' on line 3; write the "
        "billing interval as monthly"
    )
    assert message.endswith("and import the file again")
