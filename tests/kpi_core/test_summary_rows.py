"""Subtotal, summary and unlabelled total rows in CSV and XLSX exports, and
the values that look like their labels but belong to data rows."""

from __future__ import annotations

import io

from openpyxl import Workbook

from kpi_core.importing import preview_file
from kpi_core.reading import read_table


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Deals"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _skip_notes(notes: tuple[str, ...]) -> list[str]:
    return [note for note in notes if note.startswith("skipped")]


def test_german_excel_subtotals_in_csv():
    # German Excel's Subtotal command writes "<group> Ergebnis" below each
    # owner and "Gesamtergebnis" at the end. The deal "Projekt Ergebnis" on
    # line 6 ends in the same word, but "Projekt" is no deal name next to it.
    data = (
        "Vertriebler;Deal;Betrag\n"
        "Anna Müller;Alpha;1.000,00\n"
        "Anna Müller;Beta;2.500,50\n"
        "Anna Müller Ergebnis;;3.500,50\n"
        "Ben Kaiser;Gamma;400,00\n"
        "Ben Kaiser;Projekt Ergebnis;50,00\n"
        "Ben Kaiser Ergebnis;;450,00\n"
        "Gesamtergebnis;;3.950,50\n"
    ).encode("cp1252")
    raw = read_table("deals.csv", data)
    deals = raw.frame["Deal"].to_list()
    assert deals == ["Alpha", "Beta", "Gamma", "Projekt Ergebnis"]
    assert raw.frame["_line"].to_list() == [2, 3, 5, 6]
    assert raw.info.skipped_lines == (4, 7, 8)
    assert _skip_notes(raw.info.notes) == ["skipped 3 total rows on lines 4, 7-8"]


def test_nested_subtotals_in_workbook():
    # English Excel with a sum and a count per owner, then per region. Each
    # count row sits below the sum row of its group, and the region's total
    # row leaves the owner empty.
    data = _workbook(
        [
            ["Region", "Owner", "Amount"],
            ["North", "Anna", 100],
            ["North", "Anna", 200],
            [None, "Anna Total", 300],
            [None, "Anna Count", 2],
            ["North", "Ben", 50],
            [None, "Ben Total", 50],
            [None, "Ben Count", 1],
            ["North Total", None, 350],
            ["Grand Total", None, 350],
        ]
    )
    raw = read_table("deals.xlsx", data)
    assert raw.frame["Owner"].to_list() == ["Anna", "Anna", "Ben"]
    assert raw.info.skipped_lines == (4, 5, 7, 8, 9, 10)
    assert _skip_notes(raw.info.notes) == ["skipped 6 total rows on rows 4-5, 7-10"]


def test_product_name_like_subtotal_kept():
    # Excel's count per product: "Phone Pro Count" below the two "Phone Pro"
    # orders, "Phone Pro Max Count" below the one "Phone Pro Max" order, and
    # "Grand Count" = 3 orders. The product "Phone Pro Max" ends in "Max"
    # below "Phone Pro" as a subtotal label would, but its order has an id.
    data = (
        b"Order ID,Product,Amount\n"
        b"O1,Phone Pro,1000\n"
        b"O3,Phone Pro,900\n"
        b",Phone Pro Count,2\n"
        b"O2,Phone Pro Max,1200\n"
        b",Phone Pro Max Count,1\n"
        b",Grand Count,3\n"
    )
    raw = read_table("orders.csv", data)
    assert raw.frame["Order ID"].to_list() == ["O1", "O3", "O2"]
    assert raw.frame["Product"].to_list() == [
        "Phone Pro",
        "Phone Pro",
        "Phone Pro Max",
    ]
    assert _skip_notes(raw.info.notes) == [
        "skipped 2 total rows on lines 4, 6",
        "skipped the summary row (average, count, minimum or maximum) on line 7",
    ]


def test_count_subtotal_without_total_word():
    # No cell contains "total", "gesamt" or "summe", so only the scan for
    # Excel's count label lets the total pass run.
    data = b"Owner,Deal,Amount\nAnna,A1,10\nAnna,A2,20\nAnna Anzahl,,2\nBen,B1,5\n"
    raw = read_table("deals.csv", data)
    assert raw.frame["Deal"].to_list() == ["A1", "A2", "B1"]
    assert _skip_notes(raw.info.notes) == ["skipped the total row on line 4"]


def test_summary_rows_below_csv_table():
    # Amounts: 1,000.00 + 2,500.50 + 400.00 = 3,900.50, mean 3,900.50 / 3 =
    # 1,300.1666..., written rounded as 1.300,17. Probabilities: 100 + 0 +
    # 50 = 150, mean 50. Three deals, so "Anzahl" is 3 in both columns.
    # Maxima: 2,500.50 and 100.
    data = (
        "Deal ID;Stage;Amount;Probability\n"
        "D1;Won;1.000,00;100\n"
        "D2;Lost;2.500,50;0\n"
        "D3;Open;400,00;50\n"
        "Durchschnitt;;1.300,17;50\n"
        "Anzahl:;;3;3\n"
        "Max;;2.500,50;100\n"
    ).encode("cp1252")
    raw = read_table("deals.csv", data)
    assert raw.frame["Deal ID"].to_list() == ["D1", "D2", "D3"]
    assert raw.info.skipped_lines == (5, 6, 7)
    assert _skip_notes(raw.info.notes) == [
        "skipped 3 summary rows (average, count, minimum or maximum) on lines 5-7"
    ]


def test_summary_rows_below_workbook_table():
    # Amounts 120, 80 and 40: mean 240 / 3 = 80, minimum 40; three deals.
    # The labels are in the column left of the amounts, and the cells to
    # their left are empty.
    data = _workbook(
        [
            ["Deal ID", "Stage", "Amount"],
            ["D1", "Won", 120],
            ["D2", "Lost", 80],
            ["D3", "Won", 40],
            [None, "Average:", 80],
            [None, "Count", 3],
            [None, "Minimum", 40],
        ]
    )
    raw = read_table("deals.xlsx", data)
    assert raw.frame["Deal ID"].to_list() == ["D1", "D2", "D3"]
    assert _skip_notes(raw.info.notes) == [
        "skipped 3 summary rows (average, count, minimum or maximum) on rows 5-7"
    ]


def test_summary_words_in_data_rows_kept():
    # "Count Industries" and the stage "Maximum" are values of deals, and
    # "Mittelwert" below them is the mean: (300 + 100 + 200) / 3 = 200.
    deals = (
        b"Deal ID,Account,Stage,Amount\n"
        b"D1,Count Industries,Won,300\n"
        b"D2,Acme,Maximum,100\n"
        b"D3,Beta,Won,200\n"
        b"Mittelwert,,,200\n"
    )
    raw = read_table("deals.csv", deals)
    assert raw.frame["Account"].to_list() == ["Count Industries", "Acme", "Beta"]
    assert raw.frame["Stage"].to_list() == ["Won", "Maximum", "Won"]
    assert raw.info.skipped_lines == (5,)
    # A rating named "Average" is no mean here: (10 + 4) / 2 = 7, not 6.
    ratings = b"Rating,Responses\nGood,10\nPoor,4\nAverage,6\n"
    raw = read_table("ratings.csv", ratings)
    assert raw.frame["Rating"].to_list() == ["Good", "Poor", "Average"]
    assert raw.info.skipped_lines == ()


def test_max_row_alone_kept_as_name():
    # Max scored 9, the highest score, so the row reads as a summary too;
    # alone it stays a response.
    alone = b"Name;Score\nAnna;7\nBen;9\nMax;9\n"
    raw = read_table("survey.csv", alone)
    assert raw.frame["Name"].to_list() == ["Anna", "Ben", "Max"]
    assert raw.info.skipped_lines == ()
    # Beside "Min" (the lowest score of Anna and Ben, 7) both are summaries.
    summarised = b"Name;Score\nAnna;7\nBen;9\nMax;9\nMin;7\n"
    raw = read_table("survey.csv", summarised)
    assert raw.frame["Name"].to_list() == ["Anna", "Ben"]
    assert raw.info.skipped_lines == (4, 5)


def test_group_totals_dropped_before_detection():
    # Each "Summe" row repeats its stage. Read as data, the id "Summe" would
    # have two stages, which makes the file a stage history.
    data = (
        "Deal ID;Deal Name;Stage;Amount;Created Date\n"
        "D1;Alpha;Gewonnen;1000;01.03.2024\n"
        "D2;Beta;Gewonnen;2000;02.03.2024\n"
        "Summe;;Gewonnen;3000;\n"
        "D3;Gamma;Verloren;500;03.03.2024\n"
        "Summe;;Verloren;500;\n"
    ).encode("cp1252")
    preview = preview_file("deals.csv", data)
    assert preview.table == "deals"
    assert preview.raw.frame["Deal ID"].to_list() == ["D1", "D2", "D3"]
    assert preview.raw.info.skipped_lines == (4, 6)
    assert "skipped 2 total rows on lines 4, 6" in preview.raw.info.notes


def test_stage_totals_below_mixed_stages():
    # The totals per stage follow deals of every stage, so no total sits
    # next to its group. Its stage is still one of the column's values.
    data = (
        "Deal ID;Deal Name;Stage;Amount;Created Date\n"
        "D1;Alpha;Gewonnen;1000;01.03.2024\n"
        "D2;Beta;Verloren;500;02.03.2024\n"
        "D3;Gamma;Gewonnen;2000;03.03.2024\n"
        "D4;Delta;Angebot;700;04.03.2024\n"
        "Summe;;Gewonnen;3000;\n"
        "Summe;;Verloren;500;\n"
    ).encode("cp1252")
    preview = preview_file("deals.csv", data)
    assert preview.table == "deals"
    assert preview.raw.frame["Deal ID"].to_list() == ["D1", "D2", "D3", "D4"]
    assert preview.raw.info.skipped_lines == (6, 7)


def test_customer_named_total_kept():
    # The customer "Total" has the stage of the deal above, but the row
    # fills every column, as the other deals do.
    data = b"Account;Stage;Amount\nAcme;Won;300\nTotal;Won;200\nBeta;Lost;100\n"
    raw = read_table("deals.csv", data)
    assert raw.frame["Account"].to_list() == ["Acme", "Total", "Beta"]
    assert raw.info.skipped_lines == ()
    # Where every deal has a name, a row without one that repeats the stage
    # above is the total of its group: the won deals sum to 300.
    data = (
        b"Account;Deal;Stage;Amount\n"
        b"Acme;A1;Won;300\nTotal;;Won;300\nBeta;B1;Lost;100\n"
    )
    raw = read_table("deals.csv", data)
    assert raw.frame["Account"].to_list() == ["Acme", "Beta"]
    assert raw.info.skipped_lines == (3,)


def test_unlabelled_total_row_in_csv():
    # Amounts: 1,000.00 + 2,500.50 + 400.00 = 3,900.50. Weighted: 1,000.00 +
    # 1,250.25 + 0.00 = 2,250.25. The id column counts the 3 deals.
    data = (
        "Deal ID;Deal Name;Stage;Amount;Weighted\n"
        "D1;Alpha;Won;1.000,00;1.000,00\n"
        "D2;Beta;Open;2.500,50;1.250,25\n"
        "D3;Gamma;Lost;400,00;0,00\n"
        "3;;;3.900,50;2.250,25\n"
    ).encode("cp1252")
    raw = read_table("deals.csv", data)
    assert raw.frame["Deal ID"].to_list() == ["D1", "D2", "D3"]
    assert _skip_notes(raw.info.notes) == [
        "skipped the total row without a label on line 5, whose numbers are the "
        "sums and counts of the columns above"
    ]


def test_last_record_like_total_kept():
    # The last response has no name, and its score 5 is the sum of 2 and 3,
    # but a sum of two scores is too likely to be chance.
    scores = b"Name,Score\nAnna,2\nBen,3\n,5\n"
    raw = read_table("survey.csv", scores)
    assert raw.frame["Score"].to_list() == ["2", "3", "5"]
    assert raw.info.skipped_lines == ()
    # Deal 4 has only an amount, 500, which is not 100 + 200 + 300 = 600.
    kept = b"Deal ID,Deal Name,Amount\n1,Alpha,100\n2,Beta,200\n3,Gamma,300\n4,,500\n"
    raw = read_table("deals.csv", kept)
    assert raw.frame["Deal ID"].to_list() == ["1", "2", "3", "4"]
    assert raw.info.skipped_lines == ()
    # With 600 and the count 3 in the id column, the row is their total.
    total = b"Deal ID,Deal Name,Amount\n1,Alpha,100\n2,Beta,200\n3,Gamma,300\n3,,600\n"
    raw = read_table("deals.csv", total)
    assert raw.frame["Deal ID"].to_list() == ["1", "2", "3"]
    assert raw.info.skipped_lines == (5,)


def test_unlabelled_total_rows_in_workbook():
    # A sum row and a count row: 120 + 80 + 40 = 240 and 3 deals; the count
    # row counts 3 amounts too.
    data = _workbook(
        [
            ["Deal ID", "Stage", "Amount", "Currency"],
            ["D1", "Won", 120, "EUR"],
            ["D2", "Lost", 80, "EUR"],
            ["D3", "Won", 40, "EUR"],
            [None, None, 240, "EUR"],
            [3, None, 3, None],
        ]
    )
    raw = read_table("deals.xlsx", data)
    assert raw.frame["Deal ID"].to_list() == ["D1", "D2", "D3"]
    assert raw.info.skipped_lines == (5, 6)
    assert _skip_notes(raw.info.notes) == [
        "skipped 2 total rows without a label on rows 5-6, whose numbers are the "
        "sums and counts of the columns above"
    ]


def test_german_account_named_total_kept():
    # An open deal of the account "Total" beside the stage and owner of the
    # deal above. Its German date is no number, so the row is a record.
    data = (
        "opportunity_id;account;deal_stage;close_value;sales_agent;engage_date;"
        "close_date\n"
        "101;Alpha;Engaging;1.000,00;Anna;02.01.2024;02.02.2024\n"
        "102;Total;Engaging;5.000,00;Anna;05.01.2024;\n"
        "103;Beta;Lost;2.000,00;Ben;03.01.2024;03.02.2024\n"
        "104;Gamma;Won;3.000,00;Ben;04.01.2024;01.03.2024\n"
    ).encode("cp1252")
    raw = read_table("deals.csv", data)
    assert raw.frame["account"].to_list() == ["Alpha", "Total", "Beta", "Gamma"]
    assert raw.info.skipped_lines == ()


def test_guest_order_of_product_max_kept():
    # "AirPods Max" below "AirPods" ends like a subtotal label, but the row
    # has an order id and a date: a guest order without a customer id.
    data = (
        "order_id;customer_id;order_date;product;quantity;amount\n"
        "1001;C1;02.01.2024;AirPods;1;179,00\n"
        "1002;;02.01.2024;AirPods Max;1;579,00\n"
        "1003;C3;03.01.2024;iPhone 15;1;949,00\n"
    ).encode("cp1252")
    raw = read_table("orders.csv", data)
    assert raw.frame["order_id"].to_list() == ["1001", "1002", "1003"]


def test_last_respondent_named_max_kept():
    # Max's scores equal both column maxima, but a lone "Max" row with no
    # other summary row beside it is a person.
    data = b"Name,NPS Score,Orders\nAnna,9,3\nBen,7,5\nCarl,10,8\nMax,10,8\n"
    raw = read_table("nps.csv", data)
    assert raw.frame["Name"].to_list() == ["Anna", "Ben", "Carl", "Max"]
