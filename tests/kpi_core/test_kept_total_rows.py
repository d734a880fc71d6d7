"""Rows with a total label that the reader keeps as data rows, because
dropping them could drop real records: each import warns about them with
the file, the lines, the label and what to do."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kpi_core.importing import load_file, preview_file
from kpi_core.sales import won_value
from tests.conftest import PROJECT

ADVICE = (
    "A total read as a data row counts its rows twice in the KPIs. Delete the "
    "row in the file if it is a total, or ignore this if it is a real record"
)

# "Summe" on line 5 follows the won deals D1 and D2 and the lost deal D3,
# and more deals follow it. Its stage "Gewonnen" is not the stage of the
# deal above or below it, so the reader cannot tell it from a deal.
MID_TABLE_SUMME = (
    "Deal-ID;Deal-Name;Phase;Betrag;Erstellt am;Abgeschlossen am\n"
    "D1;Alpha;Gewonnen;4.000,00 €;01.03.2024;10.03.2024\n"
    "D2;Beta;Gewonnen;6.007,28 €;02.03.2024;12.03.2024\n"
    "D3;Gamma;Verloren;500,00 €;03.03.2024;15.03.2024\n"
    ";Summe;Gewonnen;10.007,28 €;;\n"
    "D4;Delta;Angebot;700,00 €;04.03.2024;\n"
    "D5;Epsilon;Gewonnen;1.200,00 €;05.03.2024;20.03.2024\n"
)


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Deals"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _without_line(text: str, line: int) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(lines[: line - 1] + lines[line:])


def test_mid_table_summe_kept_warns():
    data = MID_TABLE_SUMME.encode("cp1252")
    table = load_file("deals.csv", data, table="deals")
    # The row stays: 5 deals and the "Summe" row. Won: 4,000.00 + 6,007.28
    # + 10,007.28 (the total) + 1,200.00 = 21,214.56.
    assert table.rows_used == 6
    assert won_value(table.frame).value == pytest.approx(21_214.56)
    assert table.read_warnings == (
        "line 5 of deals.csv contains the total label 'Summe' but was read as "
        f"a data row. {ADVICE}",
    )
    # Deleted as the warning advises, the row and the warning go.
    data = _without_line(MID_TABLE_SUMME, 5).encode("cp1252")
    without = load_file("deals.csv", data, table="deals")
    # Won: 4,000.00 + 6,007.28 + 1,200.00 = 11,207.28.
    assert without.rows_used == 5
    assert won_value(without.frame).value == pytest.approx(11_207.28)
    assert without.read_warnings == ()


def test_partial_subtotal_in_workbook_warns():
    # Row 6 sums Anna's won deals only (1,000 + 3,000 = 4,000) and fills her
    # name and the stage, as a deal does.
    rows = [
        ["Deal ID", "Deal Name", "Stage", "Amount", "Created", "Closed", "Owner"],
        ["D1", "Alpha", "Won", 1000, "2024-03-01", "2024-03-10", "Anna"],
        ["D2", "Beta", "Won", 2000, "2024-03-02", "2024-03-12", "Ben"],
        ["D3", "Gamma", "Won", 3000, "2024-03-03", "2024-03-13", "Anna"],
        ["D4", "Delta", "Lost", 400, "2024-03-04", "2024-03-14", "Ben"],
        [None, "Subtotal (Anna)", "Won", 4000, None, None, "Anna"],
    ]
    table = load_file("deals.xlsx", _workbook(rows), table="deals")
    # Won: 1,000 + 2,000 + 3,000 + 4,000 (the subtotal) = 10,000.
    assert table.rows_used == 5
    assert won_value(table.frame).value == pytest.approx(10_000)
    assert table.read_warnings == (
        "row 6 of sheet 'Deals' in deals.xlsx contains the total label "
        f"'Subtotal (Anna)' but was read as a data row. {ADVICE}",
    )
    without = load_file("deals.xlsx", _workbook(rows[:-1]), table="deals")
    # Won: 1,000 + 2,000 + 3,000 = 6,000.
    assert won_value(without.frame).value == pytest.approx(6_000)
    assert without.read_warnings == ()


def test_customer_named_total_kept_warns():
    data = (
        b"Deal ID;Customer;Stage;Created;Closed;Amount\n"
        b"D1;Acme;Won;2024-03-01;2024-03-10;300\n"
        b"D2;Total;Won;2024-03-02;2024-03-12;200\n"
        b"D3;Beta;Lost;2024-03-03;2024-03-15;100\n"
    )
    table = load_file("deals.csv", data, table="deals")
    # The customer "Total" has a real deal: won 300 + 200 = 500.
    assert table.frame["deal_id"].to_list() == ["D1", "D2", "D3"]
    assert won_value(table.frame).value == pytest.approx(500)
    assert table.read_warnings == (
        "line 3 of deals.csv contains the total label 'Total' but was read as "
        f"a data row. {ADVICE}",
    )


def test_warning_names_only_kept_rows():
    # Line 4 is a label beside the sum of the column, so it is dropped, and
    # line 6 is the customer "Total" with a stage and dates.
    data = (
        b"Deal ID;Customer;Stage;Created;Closed;Amount\n"
        b"D1;Acme;Won;2024-03-01;2024-03-10;300\n"
        b"D2;Beta;Lost;2024-03-02;2024-03-12;200\n"
        b"Total;;;;;500\n"
        b"D3;Gamma;Lost;2024-03-03;2024-03-15;100\n"
        b"D4;Total;Won;2024-03-04;2024-03-16;50\n"
    )
    preview = preview_file("deals.csv", data)
    notes = preview.raw.info.notes
    assert preview.raw.info.skipped_lines == (4,)
    assert "skipped the total row on line 4" in notes
    assert [note for note in notes if note.startswith("warning: ")] == [
        "warning: line 6 of deals.csv contains the total label 'Total' but was "
        f"read as a data row. {ADVICE}"
    ]


def test_many_kept_totals_listed_short():
    # 12 deals of customers whose names are total labels, on lines 2-13,
    # with 5 different names. The warning shows the first 10 lines and the
    # first 3 names.
    customers = ["Total", "Summe", "Gesamt", "Total", "Subtotal", "Total 2"] * 2
    rows = [
        f"D{number};{customer};Won;2024-03-{number:02};2024-03-{number + 10:02};100"
        for number, customer in enumerate(customers, start=1)
    ]
    text = "Deal ID;Customer;Stage;Created;Closed;Amount\n" + "\n".join(rows)
    table = load_file("deals.csv", text.encode("utf-8"), table="deals")
    # 12 won deals of 100 each.
    assert table.rows_used == 12
    assert won_value(table.frame).value == pytest.approx(1_200)
    assert table.read_warnings == (
        "12 rows of deals.csv contain a total label ('Total', 'Summe', 'Gesamt' "
        "and 2 more) but were read as data rows: lines 2, 3, 4, 5, 6, 7, 8, 9, "
        "10, 11 and 2 more. A total read as a data row counts its rows twice in "
        "the KPIs. Delete the rows in the file that are totals, or ignore this "
        "if they are real records",
    )


def test_zip_member_keeps_warning():
    # The deals export zipped: the customer "Total" on line 3 of the member.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "deals.csv",
            "Deal ID;Customer;Stage;Created;Closed;Amount\n"
            "D1;Acme;Won;2024-03-01;2024-03-10;300\n"
            "D2;Total;Won;2024-03-02;2024-03-12;200\n",
        )
    table = load_file("export.zip", buffer.getvalue(), table="deals")
    # Won: 300 + 200 = 500.
    assert won_value(table.frame).value == pytest.approx(500)
    assert table.read_warnings == (
        "zip member deals.csv: line 3 of deals.csv contains the total label "
        f"'Total' but was read as a data row. {ADVICE}",
    )


def test_report_lists_kept_total(tmp_path: Path):
    # "Summe" on line 6 is below deals of other stages, and the first column
    # contains the stage, not the label.
    path = tmp_path / "deals.csv"
    path.write_text(
        "Phase;Deal-ID;Deal-Name;Betrag;Erstellt am\n"
        "Gewonnen;D1;Alpha;4.000,00 €;01.03.2024\n"
        "Verloren;D2;Beta;500,00 €;02.03.2024\n"
        "Gewonnen;D3;Gamma;6.007,28 €;03.03.2024\n"
        "Angebot;D4;Delta;700,00 €;04.03.2024\n"
        "Gewonnen;Summe;;10.007,28 €;\n",
        encoding="cp1252",
    )
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["inputs"][0]["rows"] == 5
    # Won: 4,000.00 + 6,007.28 + 10,007.28 (the total) = 20,014.56.
    assert report["kpis"]["won_value"]["value"] == pytest.approx(20_014.56)
    assert (
        "deals.csv: line 6 of deals.csv contains the total label 'Summe' but was "
        f"read as a data row. {ADVICE}"
    ) in report["warnings"]


def test_dated_order_with_total_campaign_kept():
    # Orders 1 to 4 of 50 each; orders 1 and 3 came from the campaign
    # "Summe 2024". A date beside the label marks a record, so all four
    # orders count: 4 x 50 = 200, and the two labelled ones are named.
    data = (
        b"Order ID,Customer ID,Order Date,Amount,Campaign\n"
        b"1,C1,2024-01-05,50,Summe 2024\n"
        b"2,C2,2024-01-06,50,Spring\n"
        b"3,C3,2024-01-07,50,Summe 2024\n"
        b"4,C4,2024-01-08,50,Spring\n"
    )
    table = load_file("orders.csv", data, table="orders")
    assert table.rows_used == 4
    assert table.frame["amount"].sum() == 200
    [warning] = table.read_warnings
    # Orders 1 and 3 stand on lines 2 and 4.
    assert warning.startswith(
        "2 rows of orders.csv contain a total label ('Summe 2024') but were read "
        "as data rows: lines 2, 4."
    )
