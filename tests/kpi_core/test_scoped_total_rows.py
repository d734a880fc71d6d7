"""Total rows whose label names a period or scope ("Summe Q1", "Summe
Januar", "Summe aller Bestellungen"), and data rows whose names read like
such labels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from kpi_core.importing import load_file
from kpi_core.sales import close_rate, won_value
from tests.conftest import PROJECT

ORDERS_HEADER = "Bestellnummer;Kundennummer;Bestelldatum;Betrag;Kampagne\n"
ORDERS = (
    "B-1;K-1;05.01.2025;100,00 €;Newsletter\n"
    "B-2;K-2;06.01.2025;200,00 €;Google\n"
    "B-3;K-3;07.02.2025;300,00 €;Google\n"
)
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


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _report(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_report_skips_summe_q1_order(tmp_path: Path):
    path = _write(
        tmp_path, "orders.csv", ORDERS_HEADER + ORDERS + "Summe Q1;;;600,00 €;\n"
    )
    report = _report(str(path), "--lifespan-years", "1")
    [orders] = report["inputs"]
    assert orders["rows"] == 3
    assert "skipped the total row on line 5" in orders["read"]
    revenue = report["kpis"]["campaign_revenue"]
    # Google 200 + 300 = 500, Newsletter 100, no unattributed 600.
    assert revenue["value"] == {"Google": 500.0, "Newsletter": 100.0}
    assert revenue["total"] == 600.0
    clv = report["kpis"]["clv"]
    # (100 + 200 + 300) / 3 purchases = 200; 200 x 1.0 a year x 1 year.
    assert clv["average_purchase_value"] == 200.0
    assert clv["value"] == 200.0


def test_report_counts_spend_once(tmp_path: Path):
    orders = _write(tmp_path, "bestellungen.csv", BESTELLUNGEN)
    spend = _write(
        tmp_path,
        "spend.csv",
        "Datum;Kanal;Kosten\n"
        "15.01.2025;Google;1.000,00 €\n"
        "15.02.2025;Google;500,00 €\n"
        "15.03.2025;Newsletter;200,00 €\n"
        "Summe Q1;;1.700,00 €\n",
    )
    report = _report(str(orders), str(spend))
    spend_input = report["inputs"][1]
    assert spend_input["file"] == "spend.csv"
    assert "skipped the total row on line 5" in spend_input["read"]
    cac = report["kpis"]["cac"]
    # Spend 1,000 + 500 + 200 = 1,700 over the new customers K-1 to K-5.
    assert cac["numerator"] == 1700.0
    assert cac["denominator"] == 5
    assert cac["value"] == 340.0


def test_stage_column_total_not_a_deal(tmp_path: Path):
    # The label is in the stage column, and the row has no id and no dates.
    path = _write(
        tmp_path,
        "deals.csv",
        "Deal-ID;Kundennummer;Phase;Betrag;Erstellt am;Abschlussdatum\n"
        "D-1;K-1;Gewonnen;1.000,00 €;02.01.2025;15.01.2025\n"
        "D-2;K-2;Verloren;2.000,00 €;10.01.2025;20.02.2025\n"
        "D-3;K-3;Gewonnen;3.000,00 €;01.02.2025;28.02.2025\n"
        ";;Summe Q1;6.000,00 €;;\n",
    )
    table = load_file(path.name, path.read_bytes(), table="deals")
    assert table.rows_used == 3
    assert "skipped the total row on line 5" in table.read_notes
    assert table.read_warnings == ()
    # D-1 and D-3 won of 3 deals: 2 / 3.
    rate = close_rate(table.frame)
    assert rate.numerator == 2
    assert rate.denominator == 3


@pytest.mark.parametrize(
    "label",
    [
        "Summe Q1",
        "Total Q1",
        "Summe Januar",
        "Summe Dezember",
        "Summe gesamt",
        "Endsumme",
        "Ergebnis",
        "Summe aller Bestellungen",
        "Summe Q1 2025",
        "Summe Jan. - Feb. 2025",
        "Total 01/2025",
        "Zwischensumme 1. Quartal",
        "Grand Total Q1:",
        "Gesamtsumme KW 1-6",
    ],
)
def test_scoped_label_rows_skipped(tmp_path: Path, label: str):
    text = ORDERS_HEADER + ORDERS + f"{label};;;600,00 €;\n"
    path = _write(tmp_path, "orders.csv", text)
    table = load_file(path.name, path.read_bytes(), table="orders")
    assert table.frame["order_id"].to_list() == ["B-1", "B-2", "B-3"]
    assert "skipped the total row on line 5" in table.read_notes
    # 100 + 200 + 300 = 600, without the total row's 600.
    assert table.frame["amount"].sum() == 600.0


def test_monthly_subtotals_skipped(tmp_path: Path):
    # A subtotal below each month's orders and a total for the quarter.
    path = _write(
        tmp_path,
        "orders.csv",
        ORDERS_HEADER
        + "B-1;K-1;05.01.2025;100,00 €;Newsletter\n"
        + "B-2;K-2;06.01.2025;200,00 €;Google\n"
        + "Summe Januar;;;300,00 €;\n"
        + "B-3;K-3;07.02.2025;300,00 €;Google\n"
        + "Summe Februar;;;300,00 €;\n"
        + "Summe Q1;;;600,00 €;\n",
    )
    table = load_file(path.name, path.read_bytes(), table="orders")
    assert table.frame["_line"].to_list() == [2, 3, 5]
    assert "skipped 3 total rows on lines 4, 6-7" in table.read_notes
    # 100 + 200 + 300 = 600.
    assert table.frame["amount"].sum() == 600.0


def test_orders_named_like_totals_kept(tmp_path: Path):
    # Line 2 is an order of the campaign "Total Q1" with its own date, line
    # 3 an order with its id but no date, and line 7 an order with a number
    # as id. Lines 4-6 name campaigns that only start with a total word.
    # Line 8 is the total, with neither id nor date.
    path = _write(
        tmp_path,
        "orders.csv",
        ORDERS_HEADER
        + "B-1;K-1;05.01.2025;100,00 €;Total Q1\n"
        + "B-2;K-2;;200,00 €;Summe Januar\n"
        + "B-3;K-3;07.02.2025;300,00 €;Total Recall\n"
        + "B-4;K-4;08.02.2025;50,00 €;Summe Plus\n"
        + "B-5;K-5;09.02.2025;50,00 €;Gesamtpaket Q1\n"
        + "6;K-6;;25,00 €;Ergebnis\n"
        + "Summe Q1;;;725,00 €;\n",
    )
    table = load_file(path.name, path.read_bytes(), table="orders")
    assert table.frame["_line"].to_list() == [2, 3, 4, 5, 6, 7]
    assert "skipped the total row on line 8" in table.read_notes
    # 100 + 200 + 300 + 50 + 50 + 25 = 725.
    assert table.frame["amount"].sum() == 725.0
    # Lines 2, 3 and 7 have an id, so their labels name campaigns and get
    # no warning.
    assert table.read_warnings == ()


def test_deals_named_like_totals_kept(tmp_path: Path):
    # "Gesamtpaket Q1" and "Summe Plus" are deal names, and "Total Q1" is a
    # deal with its id, stage and dates. Line 5 is the total.
    path = _write(
        tmp_path,
        "deals.csv",
        "Deal-ID;Deal-Name;Phase;Betrag;Erstellt am;Abschlussdatum\n"
        "D-1;Gesamtpaket Q1;Gewonnen;1.000,00 €;02.01.2025;15.01.2025\n"
        "D-2;Summe Plus;Verloren;2.000,00 €;10.01.2025;20.02.2025\n"
        "D-3;Total Q1;Gewonnen;3.000,00 €;01.02.2025;28.02.2025\n"
        ";Summe Q1;;6.000,00 €;;\n",
    )
    table = load_file(path.name, path.read_bytes(), table="deals")
    assert table.frame["deal_id"].to_list() == ["D-1", "D-2", "D-3"]
    assert "skipped the total row on line 5" in table.read_notes
    # Won: 1,000 + 3,000 = 4,000; close rate 2 / 3.
    assert won_value(table.frame).value == pytest.approx(4_000)
    assert close_rate(table.frame).denominator == 3
    # "Total Q1" beside its id D-3 and its dates names a deal: no warning.
    assert table.read_warnings == ()


def test_workbook_summe_q1_skipped(tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Bestellungen"
    sheet.append(["Bestellnummer", "Kundennummer", "Bestelldatum", "Betrag"])
    sheet.append(["B-1", "K-1", "2025-01-05", 100])
    sheet.append(["B-2", "K-2", "2025-01-06", 200])
    sheet.append(["B-3", "K-3", "2025-02-07", 300])
    sheet.append(["Summe Q1", None, None, 600])
    path = tmp_path / "orders.xlsx"
    book.save(path)
    table = load_file(path.name, path.read_bytes(), table="orders")
    assert table.frame["order_id"].to_list() == ["B-1", "B-2", "B-3"]
    assert "skipped the total row on row 5" in table.read_notes
    # 100 + 200 + 300 = 600.
    assert table.frame["amount"].sum() == 600.0
