"""A subtotal row labelled with a total word and its group, such as "Summe
Anna Müller" below Anna's deals in a Salesforce report sorted by owner, is
skipped with a note, and a deal whose name starts with "Summe" stays."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl

from kpi_core.importing import load_file
from tests.conftest import PROJECT

HEADER = (
    '"Verkaufschancen-ID";"Verkaufschancenname";"Accountname";"Phase";"Betrag";'
    '"Abschlussdatum";"Erstelldatum";"Verkaufschancen-Inhaber"'
)
ANNA = [
    '"0060001";"Projekt 1";"Brauerei";"Geschlossen und gewonnen";"1.000,00 €";'
    '"15.03.2025";"01.02.2025";"Anna Müller"',
    '"0060002";"Projekt 2";"Kita";"Geschlossen und verloren";"500,50 €";'
    '"20.03.2025";"01.02.2025";"Anna Müller"',
]
BERND = [
    '"0060003";"Projekt 3";"Spedition";"Geschlossen und gewonnen";"2.000,00 €";'
    '"10.04.2025";"01.03.2025";"Bernd Schmidt"',
    '"0060004";"Projekt 4";"Bäckerei";"Angebot";"250,25 €";"30.06.2025";'
    '"01.04.2025";"Bernd Schmidt"',
]
# 1.000,00 + 500,50 = 1.500,50 and 2.000,00 + 250,25 = 2.250,25.
SUM_ANNA = '"Summe Anna Müller";"";"";"";"1.500,50 €";"";"";"Anna Müller"'
SUM_BERND = '"Summe Bernd Schmidt";"";"";"";"2.250,25 €";"";"";"Bernd Schmidt"'
# 1.500,50 + 2.250,25 = 3.750,75.
GRAND = '"Gesamtsumme";"";"";"";"3.750,75 €";"";"";""'
NOTE = (
    "skipped 2 subtotal rows on lines 4, 7 ('Summe Anna Müller', 'Summe Bernd Schmidt')"
)


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "verkaufschancen.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8-sig")
    return path


def _load(path: Path):
    return load_file(path.name, path.read_bytes())


def test_owner_subtotals_skipped_with_note(tmp_path):
    path = _write(tmp_path, [*ANNA, SUM_ANNA, *BERND, SUM_BERND, GRAND])
    table = _load(path)
    assert table.frame["_line"].to_list() == [2, 3, 5, 6]
    assert table.problems == ()
    assert NOTE in table.read_notes
    assert "skipped the total row on line 8" in table.read_notes
    assert table.read_warnings == ()


def test_subtotal_without_amount_skipped(tmp_path):
    # No amount to check, but the label names Anna, whose deals are above,
    # and the id, stage and date cells are empty.
    row = '"Summe Anna Müller";"";"";"";"";"";"";"Anna Müller"'
    table = _load(_write(tmp_path, [*ANNA, row, *BERND]))
    assert table.frame["_line"].to_list() == [2, 3, 5, 6]
    assert table.problems == ()
    assert "skipped the subtotal row on line 4 ('Summe Anna Müller')" in (
        table.read_notes
    )


def test_subtotals_in_workbook_skipped(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Verkaufschancen"
    sheet.append(["Verkaufschancen nach Inhaber"])
    sheet.append([])
    sheet.append([cell.strip('"') for cell in HEADER.split(";")])
    owners = (("Anna Müller", ANNA), ("Bernd Schmidt", BERND))
    # The amounts are numbers: 1000 + 500.5 = 1500.5, 2000 + 250.25 = 2250.25.
    amounts = {"Anna Müller": 1500.5, "Bernd Schmidt": 2250.25}
    for owner, lines in owners:
        for line in lines:
            cells = [cell.strip('"') for cell in line.split(";")]
            number = cells[4].removesuffix(" €").replace(".", "").replace(",", ".")
            cells[4] = float(number)
            sheet.append(cells)
        sheet.append([f"Summe {owner}", None, None, None, amounts[owner]])
        sheet.cell(sheet.max_row, 8, owner)
    # 1500.5 + 2250.25 = 3750.75.
    sheet.append(["Gesamtsumme", None, None, None, 3750.75])
    path = tmp_path / "verkaufschancen.xlsx"
    book.save(path)
    table = _load(path)
    assert table.frame["_line"].to_list() == [4, 5, 7, 8]
    assert table.problems == ()
    assert (
        "skipped 2 subtotal rows on rows 6, 9 ('Summe Anna Müller', "
        "'Summe Bernd Schmidt')"
    ) in table.read_notes
    assert "skipped the total row on row 10" in table.read_notes


def test_cli_names_subtotals_not_stages(tmp_path):
    path = _write(tmp_path, [*ANNA, SUM_ANNA, *BERND, SUM_BERND, GRAND])
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [deals] = report["inputs"]
    assert deals["rows_used"] == 4
    assert NOTE in deals["read"]
    assert not any("Phase" in warning for warning in report["warnings"])
    kpis = report["kpis"]
    # Won: 1.000,00 (line 2) + 2.000,00 (line 5) = 3.000,00, 2 of 4 deals.
    assert kpis["won_value"]["value"] == 3000.0
    assert kpis["close_rate"]["value"] == 2 / 4 * 100


def test_deal_named_summe_stays(tmp_path):
    # Guard: "Summe Consulting GmbH" follows a deal of the account
    # "Consulting GmbH" with the same amount, but it has an id, a stage and
    # dates, so it is a deal of its own. Won: 700 + 700 + 1.000 = 2.400.
    rows = [
        ANNA[0],
        '"0060005";"Projekt 5";"Consulting GmbH";"Geschlossen und gewonnen";'
        '"700,00 €";"01.04.2025";"01.03.2025";"Anna Müller"',
        '"0060006";"Summe Consulting GmbH";"";"Geschlossen und gewonnen";'
        '"700,00 €";"02.04.2025";"01.03.2025";"Anna Müller"',
    ]
    table = _load(_write(tmp_path, rows))
    assert table.frame["_line"].to_list() == [2, 3, 4]
    assert table.problems == ()
    assert not any("subtotal" in note for note in table.read_notes)


def test_subtotal_with_wrong_sum_kept(tmp_path):
    # Guard: 1.600,00 is not 1.000,00 + 500,50 = 1.500,50, so the row is
    # no sure subtotal. It stays in the file's rows, and its empty stage
    # leaves it out as a problem, as before.
    row = '"Summe Anna Müller";"";"";"";"1.600,00 €";"";"";"Anna Müller"'
    table = _load(_write(tmp_path, [*ANNA, row, *BERND]))
    assert table.frame["_line"].to_list() == [2, 3, 5, 6]
    assert [problem.lines for problem in table.problems] == [(4,)]
    assert not any("subtotal" in note for note in table.read_notes)
