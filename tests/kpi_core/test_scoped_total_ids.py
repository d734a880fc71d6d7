"""Data rows whose campaign or product reads like a total with its scope
("Total Q1", "Total for Business") and that carry an id or a date: they
stay data rows without a warning, while real totals are still skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from kpi_core.importing import load_file
from tests.conftest import PROJECT

# Line 4 is an order of the campaign "Total Q1" by customer 1003, without a
# date. Its 80 is no sum of the orders above it (100 + 200 = 300).
NUMBERED_ORDERS = (
    "Kampagne;Kundennummer;Bestelldatum;Betrag\n"
    "Newsletter;1001;05.01.2025;100,00\n"
    "Google;1002;06.02.2025;200,00\n"
    "Total Q1;1003;;80,00\n"
    "Google;1004;06.03.2025;50,00\n"
    "Newsletter;1005;07.03.2025;60,00\n"
)
ORDERS_HEADER = "Bestellnummer;Kundennummer;Bestelldatum;Betrag;Kampagne\n"


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


def test_report_keeps_order_with_customer_number(tmp_path: Path):
    path = _write(tmp_path, "orders.csv", NUMBERED_ORDERS)
    report = _report(str(path), "--lifespan-years", "1")
    [orders] = report["inputs"]
    assert orders["rows"] == 5
    assert not [note for note in orders["read"] if note.startswith("skipped")]
    revenue = report["kpis"]["campaign_revenue"]
    # Google 200 + 50 = 250, Newsletter 100 + 60 = 160, "Total Q1" 80.
    assert revenue["value"] == {"Google": 250.0, "Newsletter": 160.0, "Total Q1": 80.0}
    # 250 + 160 + 80 = 490.
    assert revenue["total"] == 490.0
    clv = report["kpis"]["clv"]
    # 490 / 5 purchases = 98, by 5 purchases / 5 customers = 1.0, by 1 year.
    assert clv["average_purchase_value"] == 98.0
    assert clv["value"] == 98.0
    assert not [text for text in report["warnings"] if "total label" in text]


def test_unnamed_number_column_keeps_order(tmp_path: Path):
    # "Kunde" names no id, but every other row has a whole number of its own.
    text = NUMBERED_ORDERS.replace("Kundennummer", "Kunde")
    path = _write(tmp_path, "orders.csv", text)
    table = load_file(path.name, path.read_bytes(), table="orders")
    assert table.frame["_line"].to_list() == [2, 3, 4, 5, 6]
    # 100 + 200 + 80 + 50 + 60 = 490.
    assert table.frame["amount"].sum() == 490.0
    assert table.read_warnings == ()


def test_workbook_customer_number_kept(tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Kampagne", "Kundennummer", "Bestelldatum", "Betrag"])
    sheet.append(["Newsletter", 1001, "2025-01-05", 100])
    sheet.append(["Google", 1002, "2025-02-06", 200])
    sheet.append(["Total Q1", 1003, None, 80])
    sheet.append(["Google", 1004, "2025-03-06", 50])
    path = tmp_path / "orders.xlsx"
    book.save(path)
    table = load_file(path.name, path.read_bytes(), table="orders")
    assert table.frame["customer_id"].to_list() == ["1001", "1002", "1003", "1004"]
    # 100 + 200 + 80 + 50 = 430.
    assert table.frame["amount"].sum() == 430.0
    assert table.read_warnings == ()


@pytest.mark.parametrize(
    ("customer", "case"),
    [
        ("", "no number"),
        ("3", "a count of 3 orders, shorter than the ids"),
        ("3006", "the sum of the ids 1001 + 1002 + 1003"),
    ],
)
def test_total_beside_numbered_ids_skipped(tmp_path: Path, customer: str, case: str):
    path = _write(
        tmp_path,
        "orders.csv",
        "Kampagne;Kundennummer;Bestelldatum;Betrag\n"
        "Newsletter;1001;05.01.2025;100,00 €\n"
        "Google;1002;06.02.2025;200,00 €\n"
        "Google;1003;06.03.2025;300,00 €\n"
        f"Summe Q1;{customer};;600,00 €\n",
    )
    table = load_file(path.name, path.read_bytes(), table="orders")
    assert table.frame["_line"].to_list() == [2, 3, 4], case
    assert "skipped the total row on line 5" in table.read_notes, case
    # 100 + 200 + 300 = 600, without the total row's 600.
    assert table.frame["amount"].sum() == 600.0, case


def test_whole_number_spend_total_skipped(tmp_path: Path):
    # "Kosten" has a whole number of its own on every row, as a column of
    # ids would, but 650 is the sum 100 + 200 + 350 above it.
    orders = _write(
        tmp_path,
        "orders.csv",
        ORDERS_HEADER
        + "B-1;K-1;05.01.2025;100,00 €;Brand\n"
        + "B-2;K-2;06.02.2025;200,00 €;Generic\n",
    )
    spend = _write(
        tmp_path,
        "spend.csv",
        "Kampagne;Datum;Kosten\n"
        "Brand;15.01.2025;100\n"
        "Generic;15.02.2025;200\n"
        "Remarketing;15.03.2025;350\n"
        "Summe Q1;;650\n",
    )
    report = _report(str(orders), str(spend))
    spend_input = report["inputs"][1]
    assert spend_input["rows"] == 3
    assert "skipped the total row on line 5" in spend_input["read"]
    cac = report["kpis"]["cac"]
    # Spend 100 + 200 + 350 = 650 over the new customers K-1 and K-2.
    assert cac["numerator"] == 650.0
    assert cac["denominator"] == 2
    assert cac["value"] == 325.0


def test_named_orders_with_ids_not_warned(tmp_path: Path):
    # Every order has its id and date, and its campaign or product only reads
    # like a total with its scope.
    path = _write(
        tmp_path,
        "orders.csv",
        "Bestellnummer;Kundennummer;Bestelldatum;Betrag;Kampagne;Produkt\n"
        "B-1;K-1;05.01.2025;100,00 €;Total Q1;Summe Plus\n"
        "B-2;K-2;06.01.2025;200,00 €;Ergebnis Marketing;Gesamtpaket Januar\n"
        "B-3;K-3;07.02.2025;300,00 €;Total for Business;Ergebnis der Analyse\n"
        "B-4;K-4;08.02.2025;50,00 €;Summe Januar;Total Year\n"
        "B-5;K-1;09.03.2025;70,00 €;Newsletter;Ergebnis\n",
    )
    table = load_file(path.name, path.read_bytes(), table="orders")
    assert table.frame["order_id"].to_list() == ["B-1", "B-2", "B-3", "B-4", "B-5"]
    # 100 + 200 + 300 + 50 + 70 = 720.
    assert table.frame["amount"].sum() == 720.0
    assert table.read_warnings == ()


def test_order_without_id_or_date_warned(tmp_path: Path):
    # Line 3 has neither an id nor a date beside "Total Q1", only the word
    # "YouTube", which keeps it a data row. Line 5 is an order of the
    # campaign "Summe", which the reader has always named.
    path = _write(
        tmp_path,
        "orders.csv",
        "Kampagne;Kanal;Kundennummer;Bestelldatum;Betrag\n"
        "Brand;Google;K-1;05.01.2025;100,00\n"
        "Total Q1;YouTube;;;300,00\n"
        "Generic;Meta;K-2;06.02.2025;200,00\n"
        "Summe;Meta;K-3;07.02.2025;50,00\n",
    )
    table = load_file(path.name, path.read_bytes(), table="orders")
    assert table.frame["_line"].to_list() == [2, 3, 4, 5]
    assert table.read_warnings == (
        "2 rows of orders.csv contain a total label ('Total Q1', 'Summe') but "
        "were read as data rows: lines 3, 5. A total read as a data row counts "
        "its rows twice in the KPIs. Delete the rows in the file that are "
        "totals, or ignore this if they are real records",
    )
