"""A total row with an amount such as "EUR 8.500,00" is dropped, the German
and English grand-total labels are known, and a row with a total label that
a problem leaves out gets no "read as a data row" warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_core.importing import load_file

HEADER = (
    '"Verkaufschancenname","Accountname","Phase","Betrag","Schlusstermin",'
    '"Erstelldatum"'
)
ROWS = [
    '"SF-1","Brauerei","Geschlossen und gewonnen","EUR 1.200,00","15.03.2025",'
    '"01.02.2025"',
    '"SF-2","Kita","Geschlossen und verloren","EUR 800,00","20.04.2025","10.03.2025"',
    '"SF-3","Spedition","Angebot","EUR 4.000,00","30.06.2025","01.04.2025"',
]
FOOTER = ['""', '"Copyright (c) 2000-2025 salesforce.com, inc."']


def _load(tmp_path: Path, lines: list[str]):
    path = tmp_path / "opps.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return load_file(path.name, path.read_bytes())


@pytest.mark.parametrize(
    "label", ["Gesamtsumme", "Gesamtbetrag", "Gesamtwert", "Insgesamt", "Grand total"]
)
def test_total_with_currency_code_dropped(tmp_path, label):
    # 1.200 + 800 + 4.000 = 6.000 on line 5, above a Salesforce footer.
    total = f'"{label}","","","EUR 6.000,00","",""'
    table = _load(tmp_path, [*ROWS, '""', total, *FOOTER])
    assert table.frame["_line"].to_list() == [2, 3, 4]
    assert "skipped the total row on line 6" in table.read_notes
    assert table.problems == ()
    assert table.read_warnings == ()


def test_left_out_total_not_warned(tmp_path):
    # "Gesamtsumme" beside the new account "Bäckerei" stays a data row; its
    # empty Phase leaves it out, so no warning says it counts twice.
    row = '"Gesamtsumme","Bäckerei","","EUR 6.000,00","","01.04.2025"'
    table = _load(tmp_path, [*ROWS, row, *FOOTER])
    assert [p.lines for p in table.problems] == [(5,)]
    assert not table.problems[0].row_kept
    assert not any("read as a data row" in w for w in table.read_warnings)
