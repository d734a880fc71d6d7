"""Spend columns of months without a day in which some cells are no month,
such as "k.A.": the months are read, and those cells are unreadable dates."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kpi_core.importing import load_file
from kpi_core.marketing_data import spend_dates, spend_in_period
from kpi_core.period import Period
from tests.conftest import PROJECT

FIRST_QUARTER = Period(date(2025, 1, 1), date(2025, 3, 31))
# Five customers; B-4 is cancelled, but K-3 bought again with B-5.
BESTELLUNGEN = (
    "Bestellnummer;Kundennummer;Bestelldatum;Betrag;Status;Kampagne\n"
    "B-1;K-1;05.01.2024;100,00 €;bezahlt;Newsletter\n"
    "B-2;K-1;10.06.2024;50,00 €;bezahlt;Newsletter\n"
    "B-3;K-2;15.02.2024;200,00 €;bezahlt;Google\n"
    "B-4;K-3;20.03.2024;80,00 €;storniert;Google\n"
    "B-5;K-3;01.04.2024;120,00 €;bezahlt;\n"
    "B-6;K-1;15.01.2025;70,00 €;bezahlt;Newsletter\n"
    "B-7;K-4;01.03.2025;300,00 €;bezahlt;Google\n"
    "B-8;K-2;01.12.2025;40,00 €;bezahlt;Google\n"
    "B-9;K-5;31.12.2025;60,00 €;bezahlt;Newsletter\n"
)


def _spend_text(months: list[str]) -> str:
    amounts = ["1.000,00 €", "500,00 €", "200,00 €", "300,00 €", "100,00 €"]
    channels = ["Google", "Google", "Newsletter", "Newsletter", "Google"]
    rows = [
        f"{month};{channel};{amount}"
        for month, channel, amount in zip(months, channels, amounts, strict=True)
    ]
    return "Monat;Kanal;Kosten\n" + "\n".join(rows) + "\n"


def _load(tmp_path: Path, text: str):
    path = tmp_path / "spend.csv"
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table="spend")


@pytest.mark.parametrize(
    "months",
    [
        ["Januar 2025", "Februar 2025", "März 2025", "April 2025"],
        ["01.2025", "02.2025", "03.2025", "04.2025"],
        ["2025-01", "2025-02", "2025-03", "2025-04"],
        ["Jan. 2025", "Feb. 2025", "Mär. 2025", "Apr. 2025"],
    ],
)
def test_unreadable_month_cell_kept(tmp_path: Path, months: list[str]):
    table = _load(tmp_path, _spend_text([*months, "k.A."]))
    assert table.rows_used == 5
    assert table.detected["Monat"] == "months without a day, each covering its month"
    [problem] = table.problems
    assert problem.kind == "an invalid date"
    assert problem.lines == (6,)
    assert problem.examples == ("k.A.",)
    assert problem.row_kept
    assert spend_dates(table.frame) == (date(2025, 1, 1), date(2025, 4, 30))
    # All data: 1,000 + 500 + 200 + 300 + 100 (the k.A. row) = 2,100.
    assert table.frame["amount"].sum() == 2_100.0
    # January to March: 1,000 + 500 + 200 = 1,700. The k.A. row fits no
    # period.
    rows = spend_in_period(table.frame, FIRST_QUARTER, None, None).frame
    assert rows["amount"].sum() == 1_700.0
    assert table.warnings[0] == (
        "1 of 5 spend rows have no date in 'Monat', on line 6. Their spend "
        "counts over all data but in no period, so a CAC or ROI of a period "
        "leaves it out. Fill in their dates and upload the file again."
    )


def test_report_cac_with_unreadable_month(tmp_path: Path):
    orders = tmp_path / "bestellungen.csv"
    orders.write_text(BESTELLUNGEN, encoding="utf-8")
    spend = tmp_path / "spend_monate_ka.csv"
    months = ["Januar 2025", "Februar 2025", "März 2025", "April 2025", "k.A."]
    spend.write_text(_spend_text(months), encoding="utf-8")

    periods = {"all": [], "2025": ["--from", "2025-01-01", "--to", "2025-12-31"]}
    reports = {}
    for name, period in periods.items():
        result = subprocess.run(
            [sys.executable, "-m", "kpi_core", "report", str(orders), str(spend)]
            + period,
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        reports[name] = json.loads(result.stdout)

    spend_input = reports["all"]["inputs"][1]
    assert spend_input["emptied"] == {"an invalid date in 'Monat'": 1}
    cac = reports["all"]["kpis"]["cac"]
    # All data: 1,000 + 500 + 200 + 300 + 100 = 2,100 over K-1 to K-5.
    assert cac["numerator"] == 2_100.0
    assert cac["denominator"] == 5
    assert cac["value"] == 420.0

    cac = reports["2025"]["kpis"]["cac"]
    # 2025: the months January to April, 1,000 + 500 + 200 + 300 = 2,000,
    # without the undated 100, over K-4 and K-5, new in 2025: 2,000 / 2.
    assert cac["numerator"] == 2_000.0
    assert cac["denominator"] == 2
    assert cac["value"] == 1_000.0


def test_column_read_as_most_cells_read(tmp_path: Path):
    # Two months among three other cells: no cell reads as a whole date, so
    # the two months are read and the import does not stop.
    months = ["Januar 2025", "Februar 2025", "k.A.", "offen", "später"]
    table = _load(tmp_path, _spend_text(months))
    [problem] = table.problems
    assert problem.lines == (4, 5, 6)
    assert spend_dates(table.frame) == (date(2025, 1, 1), date(2025, 2, 28))
    # Three of five cells are months, so the column is read as months. The
    # whole date on line 4 is read as its day, and only "k.A." is not read.
    months = ["Januar 2025", "Februar 2025", "15.03.2025", "April 2025", "k.A."]
    table = _load(tmp_path, _spend_text(months))
    [problem] = table.problems
    assert problem.lines == (6,)
    assert problem.examples == ("k.A.",)
    assert spend_dates(table.frame) == (date(2025, 1, 1), date(2025, 4, 30))
    # Three of five cells are whole dates, so they stay days, and the month
    # on line 5 is a cell that is not read.
    months = ["15.01.2025", "15.02.2025", "15.03.2025", "April 2025", "k.A."]
    table = _load(tmp_path, _spend_text(months))
    [problem] = table.problems
    assert problem.lines == (5, 6)
    assert problem.examples == ("April 2025", "k.A.")
    assert spend_dates(table.frame) == (date(2025, 1, 15), date(2025, 3, 15))
