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


# Nine deals whose ids run from 1001 to 1009 without gaps.
DEALS_HEADER = "Deal Name;Deal ID;Deal Stage;Create Date;Amount\n"
DEALS = (
    "Anna;1001;Closed Won;02.01.2025;100\n"
    "Berta;1002;Closed Won;03.01.2025;200\n"
    "Carl;1003;Closed Lost;06.01.2025;300\n"
    "Dora;1004;Closed Won;07.01.2025;400\n"
    "Emil;1005;Closed Won;08.01.2025;500\n"
    "Frida;1006;Closed Lost;09.02.2025;600\n"
    "Gustav;1007;Closed Won;10.02.2025;700\n"
    "Hanna;1008;Closed Won;11.03.2025;800\n"
    "Ida;1009;Closed Won;12.03.2025;900\n"
)


@pytest.mark.parametrize("label", ["Summe Q1", "Summe aller Deals"])
def test_total_far_from_id_run_skipped(tmp_path: Path, label: str):
    # 1234 has four digits as the ids do, but lies far past the run
    # 1001-1009, so it is the total's count and no deal id.
    path = _write(
        tmp_path, "deals.csv", DEALS_HEADER + DEALS + f"{label};1234;;;4500\n"
    )
    table = load_file(path.name, path.read_bytes(), table="deals")
    assert table.frame["_line"].to_list() == list(range(2, 11))
    assert "skipped the total row on line 11" in table.read_notes
    # 100 + 200 + ... + 900 = 4,500, without the total row's 4,500.
    assert table.frame["amount"].sum() == 4500.0


def test_total_count_beside_id_column_skipped(tmp_path: Path):
    # "Contacts" contains a distinct four-digit number on every deal, as a
    # column of ids would, but "Deal ID" is the id column, and the total
    # row leaves it empty. 1234 is no sum of the contacts above it.
    path = _write(
        tmp_path,
        "deals.csv",
        "Deal ID;Deal Name;Deal Stage;Create Date;Contacts;Amount\n"
        "1001;Anna;Closed Won;02.01.2025;1180;100\n"
        "1002;Berta;Closed Won;03.01.2025;1025;200\n"
        "1003;Carl;Closed Lost;06.01.2025;1310;300\n"
        "1004;Dora;Closed Won;07.01.2025;1072;400\n"
        ";Summe Q1;;;1234;1000\n",
    )
    table = load_file(path.name, path.read_bytes(), table="deals")
    assert table.frame["deal_id"].to_list() == ["1001", "1002", "1003", "1004"]
    assert "skipped the total row on line 6" in table.read_notes
    # 100 + 200 + 300 + 400 = 1,000.
    assert table.frame["amount"].sum() == 1000.0


def test_workbook_total_far_from_ids_skipped(tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Deal Name", "Deal ID", "Deal Stage", "Create Date", "Amount"])
    for line in DEALS.splitlines():
        name, deal_id, stage, _, amount = line.split(";")
        sheet.append([name, int(deal_id), stage, "2025-01-02", int(amount)])
    sheet.append(["Summe Q1", 1234, None, None, 4500])
    path = tmp_path / "deals.xlsx"
    book.save(path)
    table = load_file(path.name, path.read_bytes(), table="deals")
    assert table.frame.height == 9
    assert "skipped the total row on row 11" in table.read_notes
    # 100 + 200 + ... + 900 = 4,500.
    assert table.frame["amount"].sum() == 4500.0


def test_next_id_beside_scoped_label_kept(tmp_path: Path):
    # A guard: 1012 lies just past the run 1001-1009, so "Total Q1" names
    # the campaign of deal 1012, which stays a data row.
    path = _write(
        tmp_path, "deals.csv", DEALS_HEADER + DEALS + "Total Q1;1012;Closed Won;;80\n"
    )
    table = load_file(path.name, path.read_bytes(), table="deals")
    assert table.frame["_line"].to_list() == list(range(2, 12))
    assert not [note for note in table.read_notes if note.startswith("skipped")]
    # 4,500 + 80 = 4,580.
    assert table.frame["amount"].sum() == 4580.0


def test_deal_named_like_total_kept(tmp_path: Path):
    # A guard: a customer whose name starts with "Total" or "Summe", with an
    # id and a close date, is a deal.
    path = _write(
        tmp_path,
        "deals.csv",
        "Deal Name;Deal ID;Deal Stage;Create Date;Close Date;Amount\n"
        "Anna;1001;Closed Won;02.01.2025;10.01.2025;100\n"
        "Berta;1002;Closed Won;03.01.2025;11.01.2025;200\n"
        "Total Fitness GmbH;1005;Closed Won;06.01.2025;14.01.2025;300\n"
        "Summe Q1 Kampagne;1003;Closed Won;07.01.2025;15.01.2025;400\n"
        "Dora;1004;Closed Won;08.01.2025;16.01.2025;500\n",
    )
    table = load_file(path.name, path.read_bytes(), table="deals")
    assert table.frame["deal_id"].to_list() == ["1001", "1002", "1005", "1003", "1004"]
    assert not [note for note in table.read_notes if note.startswith("skipped")]
    assert table.read_warnings == ()
    # 100 + 200 + 300 + 400 + 500 = 1,500.
    assert table.frame["amount"].sum() == 1500.0
