"""Reading uploaded exports into text columns, and what ReadInfo reports.

The files under tests/data come from tests/data/make_files.py; every expected
table below was written out by hand from the text in that script.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from kpi_core.errors import EmptyDataError, InputError, UnreadableFileError
from kpi_core.raw_table import RawTable
from kpi_core.reading import read_table, sheet_names
from kpi_core.text_grid import read_grid
from kpi_core.values import parse_dates, parse_numbers

DATA = Path(__file__).resolve().parents[1] / "data"


def read(name: str, **options: object) -> RawTable:
    return read_table(name, (DATA / name).read_bytes(), **options)


def expected(columns: dict[str, list[str | None]], lines: list[int]) -> pl.DataFrame:
    frame = pl.DataFrame(columns, schema={name: pl.String for name in columns})
    return frame.with_columns(pl.Series("_line", lines, dtype=pl.Int64))


def test_german_cp1252_semicolons() -> None:
    raw = read("hubspot_deals_de_cp1252.csv")
    table = expected(
        {
            "Record ID": ["1001", "1002", "1003"],
            "Deal Name": [
                "Müller GmbH – Rahmenvertrag",
                "Bäckerei Schäfer",
                "Öko-Strom AG",
            ],
            "Deal Stage": ["Closed Won", "Closed Lost", "Appointment Scheduled"],
            "Amount": ["1.234,56 €", "2.000", "980,00"],
            "Close Date": ["31.12.2024", "15.01.2025", None],
            "Create Date": ["02.10.2024", "05.11.2024", "20.01.2025"],
            "Deal owner": ["Jürgen Weiß", "Anna Groß", "Jürgen Weiß"],
        },
        [2, 3, 4],
    )
    assert_frame_equal(raw.frame, table)
    assert raw.info.encoding == "cp1252"
    assert raw.info.delimiter == ";"
    assert raw.info.format == "csv"


def test_german_values_parse() -> None:
    frame = read("hubspot_deals_de_cp1252.csv").frame
    assert parse_numbers(frame["Amount"]).to_list() == [1234.56, 2000.0, 980.0]
    closed = parse_dates(frame["Close Date"]).to_list()
    assert closed[0].isoformat() == "2024-12-31T00:00:00"
    assert closed[2] is None


def test_utf8_bom_header_clean() -> None:
    raw = read("meta_ads_utf8_bom.csv")
    assert raw.frame.columns == [
        "Reporting starts",
        "Reporting ends",
        "Campaign name",
        "Amount spent (EUR)",
        "Impressions",
        "Link clicks",
        "CPM (cost per 1,000 impressions) (EUR)",
        "_line",
    ]
    assert raw.frame["Campaign name"].to_list() == ["Frühjahrsaktion", "Retargeting"]
    assert raw.info.encoding == "utf-8-sig"


def test_tab_delimited_stripe() -> None:
    raw = read("stripe_subscriptions.tsv")
    assert raw.info.delimiter == "\t"
    assert raw.frame["Canceled At (UTC)"].to_list() == [None, "2024-04-30 23:59"]
    assert raw.frame["_line"].to_list() == [2, 3]


def test_pipe_delimited_pipedrive() -> None:
    raw = read("pipedrive_deals_pipe.csv")
    assert raw.info.delimiter == "|"
    assert raw.frame["Deal - Value"].to_list() == ["15000", "4800"]
    assert raw.frame["Deal - Won time"].to_list() == [None, "2024-03-05 16:40:00"]


def test_quoted_multiline_lines() -> None:
    raw = read("freshdesk_tickets_multiline.csv")
    # Ticket 301 spans lines 2-4, 302 is line 5, 303 spans lines 6-8.
    assert raw.frame["_line"].to_list() == [2, 5, 6]
    assert raw.frame["Description"].to_list() == [
        'Customer writes:\n"I cannot log in, since Monday."\nTried a reset.',
        "Needs the March invoice",
        "CSV export stops at 10,000 rows\n\nsee attachment",
    ]
    assert raw.frame["Resolved time"][2] is None


def test_blank_and_empty_rows_skipped() -> None:
    raw = read("zendesk_tickets_blank_lines.csv")
    assert raw.frame["Id"].to_list() == ["5001", "5002"]
    assert raw.frame["_line"].to_list() == [3, 6]
    # 2 and 5 are blank, 4 holds only commas, 7 only spaces.
    assert raw.info.skipped_lines == (2, 4, 5, 7)


def test_title_lines_and_totals() -> None:
    raw = read("google_ads_report_totals.csv")
    assert raw.info.header_line == 3
    assert raw.frame["Campaign"].to_list() == ["Brand DE", "Generic"]
    assert raw.frame["_line"].to_list() == [4, 5]
    assert raw.info.skipped_lines == (1, 2, 6, 7)
    assert raw.info.notes == (
        "encoding: UTF-8",
        "delimiter: comma",
        "header: line 3",
        "skipped 2 title rows above the header on lines 1-2",
        "skipped 2 total rows on lines 6-7",
    )


def test_utf16_tab_excel_variant() -> None:
    raw = read("google_ads_excel_utf16.csv")
    assert raw.info.encoding == "utf-16"
    assert raw.info.delimiter == "\t"
    table = expected(
        {
            "Campaign": ["Brand DE", "Generic"],
            "Day": ["2024-05-01", "2024-05-02"],
            "Cost": ["1.234,50", "20,00"],
            "Clicks": ["410", "31"],
        },
        [4, 5],
    )
    assert_frame_equal(raw.frame, table)
    assert raw.info.skipped_lines == (1, 2, 6)


def test_salesforce_footer_skipped() -> None:
    raw = read("salesforce_opportunities_footer.csv")
    assert raw.frame["Opportunity Name"].to_list() == [
        "Acme - 200 Widgets",
        "Globex renewal",
    ]
    assert raw.info.skipped_lines == (4, 5, 6, 7, 8, 9)
    assert "skipped 5 footer rows on lines 5-9" in raw.info.notes


def test_excel_wrapped_lines_unwrapped() -> None:
    raw = read("hubspot_contacts_excel_wrapped.csv")
    table = expected(
        {
            "Record ID": ["501", "502"],
            "First Name": ["Lena", "Tom"],
            "Last Name": ["Krüger", "Berg"],
            "Email": ["lena@example.com", "tom@example.net"],
            "Lifecycle Stage": ["customer", "lead"],
        },
        [2, 3],
    )
    assert_frame_equal(raw.frame, table)
    assert raw.info.delimiter == ";"


def test_aligned_text_columns() -> None:
    raw = read("pipeline_report_aligned.txt")
    table = expected(
        {
            "Deal Name": ["Acme renewal", "Beta pilot", "Gamma GmbH"],
            "Amount": ["1200.00", "50.00", "12000.50"],
            "Close Date": ["2024-01-05", None, "2024-02-01"],
            "Owner": ["Jane Doe", "Raj Patel", "Jane Doe"],
        },
        [4, 5, 6],
    )
    assert_frame_equal(raw.frame, table)
    assert raw.info.format == "text"
    assert raw.info.delimiter is None


def test_workbook_two_row_header() -> None:
    raw = read("surveymonkey_and_deals.xlsx")
    table = expected(
        {
            "Respondent ID": ["114412", "114413", "114414"],
            "Start Date": [
                "2024-05-02 09:15:00",
                "2024-05-03 17:40:00",
                "2024-05-04 08:05:00",
            ],
            # "Response" only marks that the answer follows, so it is dropped.
            "How likely are you to recommend us to a friend?": [
                "9",
                "6",
                "10",
            ],
            "Which products do you use? CRM": ["CRM", "CRM", None],
            "Which products do you use? Helpdesk": [None, "Helpdesk", "Helpdesk"],
        },
        [5, 6, 7],
    )
    assert_frame_equal(raw.frame, table)
    assert raw.info.sheet == "Responses"
    assert raw.info.sheets == ("Responses", "Deals")
    assert raw.info.header_line == 3
    assert raw.info.skipped_lines == (1, 2)


def test_workbook_chosen_sheet() -> None:
    raw = read("surveymonkey_and_deals.xlsx", sheet="Deals")
    table = expected(
        {
            "Record ID": ["1", "2", "3"],
            "Deal Name": ["Acme renewal", "Beta pilot", "Gamma expansion"],
            # Text in a number column stays text instead of turning null.
            "Amount": ["1200.5", "n/a", "45000"],
            # Date cells become ISO text without a midnight time.
            "Close Date": ["2024-03-01", "2024-03-15", "TBD"],
            "Deal Stage": ["closedwon", "closedlost", "contractsent"],
        },
        [2, 3, 4],
    )
    assert_frame_equal(raw.frame, table)
    assert raw.info.format == "xlsx"


def test_workbook_sheet_names() -> None:
    data = (DATA / "surveymonkey_and_deals.xlsx").read_bytes()
    assert sheet_names("survey.xlsx", data) == ["Responses", "Deals"]


def test_text_file_has_no_sheets() -> None:
    assert sheet_names("a.csv", b"a,b\n1,2\n") == []


def test_workbook_missing_sheet() -> None:
    with pytest.raises(UnreadableFileError) as caught:
        read("surveymonkey_and_deals.xlsx", sheet="Summary")
    assert str(caught.value) == (
        "surveymonkey_and_deals.xlsx: the workbook has no sheet 'Summary'; it has "
        "Responses, Deals"
    )


def test_mailchimp_zip_one_table() -> None:
    raw = read("mailchimp_audience_export.zip")
    frame = raw.frame
    assert frame["Email Address"].to_list() == [
        "ana@example.com",
        "ben@example.org",
        "cara@example.com",
        "dan@example.net",
    ]
    assert frame["list_status"].to_list() == [
        "subscribed",
        "subscribed",
        "unsubscribed",
        "cleaned",
    ]
    assert frame["_line"].to_list() == [2, 3, 2, 2]
    assert frame.columns[-3:] == ["list_status", "member_file", "_line"]
    assert frame["UNSUB_REASON"].to_list() == [
        None,
        None,
        "I no longer want to receive these emails",
        None,
    ]
    assert frame["CLEAN_TIME"][3] == "2024-05-02 07:00:00"
    assert raw.info.format == "zip"
    assert len(raw.info.sheets) == 3


def test_zip_member_chosen() -> None:
    raw = read(
        "mailchimp_audience_export.zip",
        sheet="cleaned_members_export_4f1c2d9e0a.csv",
    )
    assert raw.frame["Email Address"].to_list() == ["dan@example.net"]
    assert "list_status" not in raw.frame.columns


def test_zip_of_unrelated_tables() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("deals.csv", "a,b\n1,2\n")
        archive.writestr("tickets.csv", "c,d\n3,4\n")
    with pytest.raises(UnreadableFileError) as caught:
        read_table("export.zip", buffer.getvalue())
    assert str(caught.value) == (
        "export.zip: the zip contains 2 tables (deals.csv, tickets.csv), and only a "
        "Mailchimp audience export is read as one table. Unpack the zip and upload "
        "the files you need; the uploader takes several at once"
    )


def test_latin1_fallback() -> None:
    # 0x81 is undefined in Windows-1252, so only Latin-1 can decode it.
    raw = read_table("legacy.csv", b"name,code\nA\x81,1\n")
    assert raw.info.encoding == "latin-1"
    assert raw.frame["name"].to_list() == ["A\x81"]


def test_duplicate_and_empty_headers() -> None:
    raw = read_table("dup.csv", b" Amount ,Amount,,_line\n1,2,3,4\n")
    assert raw.frame.columns == [
        "Amount",
        "Amount (2)",
        "column_3",
        "_line (2)",
        "_line",
    ]


def test_classic_mac_line_endings() -> None:
    raw = read_table("mac.csv", b"a,b\r1,2\r3,4\r")
    assert raw.frame["_line"].to_list() == [2, 3]


def test_stray_quote_exact_fallback() -> None:
    # A quote inside an unquoted field upsets the fast parser; the exact one
    # keeps it as a character.
    raw = read_table("stray.csv", b'item,qty\n12" pipe,3\n"valve",4\n')
    assert raw.frame["item"].to_list() == ['12" pipe', "valve"]
    assert raw.frame["_line"].to_list() == [2, 3]


def test_total_word_inside_name_kept() -> None:
    raw = read_table("c.csv", b"Account,Amount\nTotal Wine & More,5\nTotal,5\n")
    assert raw.frame["Account"].to_list() == ["Total Wine & More"]
    assert raw.info.skipped_lines == (3,)


def test_deal_names_like_totals_kept() -> None:
    # "Total 360 rollout" and "Gesamt-Paket Nord" are deal names, and "Total:
    # Wine" sits beside the stage "Won", so only the last line is a total.
    data = (
        b"Deal ID,Deal Name,Deal Stage,Amount,Currency\n"
        b"D1,Total 360 rollout,Closed Won,5000,EUR\n"
        b"D2,Gesamt-Paket Nord,Closed Won,700,EUR\n"
        b"D3,Total: Wine,Won,40,EUR\n"
        b"D4,Beta,Closed Lost,400,EUR\n"
        b"Total,,,6140,EUR\n"
    )
    raw = read_table("deals.csv", data)
    assert raw.frame["Deal ID"].to_list() == ["D1", "D2", "D3", "D4"]
    assert raw.info.skipped_lines == (6,)


def test_total_labels_with_counts_dropped() -> None:
    data = (
        b"Owner,Amount\nAnna,10\nBen,20\n"
        b"Grand Totals (2 records),30\nSumme 2024,30\nGesamt - Nord,30\n"
    )
    raw = read_table("report.csv", data)
    assert raw.frame["Owner"].to_list() == ["Anna", "Ben"]
    assert raw.info.skipped_lines == (4, 5, 6)


def test_file_over_size_limit() -> None:
    with pytest.raises(UnreadableFileError) as caught:
        read_table("big.csv", b"a,b\n" + b"1,2\n" * 300_000, max_bytes=1_000_000)
    assert str(caught.value) == (
        "big.csv: the file has 1.1 MB, more than the limit of 1 MB; export a "
        "shorter period or fewer columns"
    )


def test_line_over_length_limit() -> None:
    data = b"a,b\n" + b"x" * 1_000_001 + b",1\n"
    with pytest.raises(UnreadableFileError) as caught:
        read_table("long.csv", data)
    assert str(caught.value) == (
        "long.csv, line 2: line has 1,000,003 characters, more than the limit of "
        "1,000,000; the file is probably not a table. Check the export settings, "
        "or split the file"
    )


def test_too_many_columns() -> None:
    header = ",".join(f"c{i}" for i in range(10_001))
    with pytest.raises(UnreadableFileError) as caught:
        read_table("wide.csv", (header + "\n" + header + "\n").encode())
    assert str(caught.value) == (
        "wide.csv: the table has 10,001 columns, more than the limit of 10,000; "
        "check the delimiter and export settings"
    )


def test_empty_file() -> None:
    with pytest.raises(EmptyDataError) as caught:
        read_table("empty.csv", b"")
    assert str(caught.value) == (
        "empty.csv: the file has no data: every line is empty. Export the table "
        "again with its rows"
    )


def test_header_without_rows() -> None:
    with pytest.raises(EmptyDataError) as caught:
        read_table("deals.csv", b"Deal Name,Amount\n\n")
    assert str(caught.value) == (
        "deals.csv, line 1: found the header (Deal Name, Amount) but no data rows "
        "below it; export the table with its rows, or check the report's filters"
    )


def test_binary_data_rejected() -> None:
    with pytest.raises(UnreadableFileError) as caught:
        read_table("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert str(caught.value) == (
        "photo.csv: expected a CSV or text table, but the file contains binary data "
        "(control characters such as NUL). Upload a CSV, TXT or XLSX export, or a "
        "zip of CSV files"
    )


def test_stray_nul_named_by_line() -> None:
    data = b"Id,Assignee,Category\n1,Ann,Billing\n2,B\x00ob,Billing\n"
    with pytest.raises(UnreadableFileError) as caught:
        read_table("tickets.csv", data)
    assert str(caught.value) == (
        "tickets.csv: found 1 NUL character on line 3, which a text table never "
        "has. Delete it in a text editor or export the file again"
    )


def test_stray_nuls_on_two_lines() -> None:
    data = b"Id,Assignee\n1,A\x00nn\n2,Bob\n3,C\x00arl\n"
    with pytest.raises(UnreadableFileError) as caught:
        read_table("tickets.csv", data)
    assert "found 2 NUL characters on lines 2, 4," in str(caught.value)


def test_old_xls_rejected() -> None:
    with pytest.raises(UnreadableFileError) as caught:
        read_table("deals.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert str(caught.value) == (
        "deals.xls: this is an old Excel 97-2003 workbook (.xls), a format the "
        "app cannot read; open it in Excel or LibreOffice and save it as .xlsx or "
        "CSV"
    )


def test_misnamed_xlsx_rejected() -> None:
    with pytest.raises(UnreadableFileError) as caught:
        read_table("deals.xlsx", b"a,b\n1,2\n")
    assert str(caught.value) == (
        "deals.xlsx: the name ends in .xlsx, but the content is not a zip archive, "
        "so the file is damaged or misnamed; export it again"
    )


def test_truncated_workbook_rejected() -> None:
    data = (DATA / "surveymonkey_and_deals.xlsx").read_bytes()
    with pytest.raises(UnreadableFileError) as caught:
        read_table("cut.xlsx", data[: len(data) // 2])
    assert str(caught.value).startswith(
        "cut.xlsx: the file starts like a zip archive (XLSX files are zip "
        "archives) but cannot be opened ("
    )


def test_zip_bomb_workbook_rejected() -> None:
    source = zipfile.ZipFile(DATA / "surveymonkey_and_deals.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for name in source.namelist():
            bomb.writestr(name, source.read(name))
        # 20 MB of zeros packs into about 20 KB, a ratio near 1000:1.
        bomb.writestr("xl/worksheets/sheet3.xml", b"0" * 20_000_000)
    with pytest.raises(UnreadableFileError) as caught:
        read_table("bomb.xlsx", buffer.getvalue())
    message = re.fullmatch(
        r"bomb\.xlsx: the archive would unpack to ([\d,]+) times its size, more "
        r"than the limit of 100:1, which is how zip bombs look; save the workbook "
        r"again in Excel or export it as CSV",
        str(caught.value),
    )
    assert message is not None
    assert int(message.group(1).replace(",", "")) > 100


def test_zip_bomb_over_total_size() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for index in range(3):
            bomb.writestr(f"part{index}.csv", b"0" * 70 * 2**20)
    with pytest.raises(UnreadableFileError) as caught:
        read_table("huge.zip", buffer.getvalue())
    # Three members of 70 MB unpack to 210 MB.
    assert str(caught.value) == (
        "huge.zip: the archive would unpack to 210 MB, more than the limit of "
        "200 MB; export fewer rows or split the file"
    )


SHEET_START = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Deal ID</t></is></c></row>'
)


def with_deals_sheet(rows: str) -> bytes:
    """Return the sample workbook with the Deals sheet replaced by ``rows``."""
    source = zipfile.ZipFile(DATA / "surveymonkey_and_deals.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as workbook:
        for name in source.namelist():
            if name != "xl/worksheets/sheet2.xml":
                workbook.writestr(name, source.read(name))
        workbook.writestr(
            "xl/worksheets/sheet2.xml", SHEET_START + rows + "</sheetData></worksheet>"
        )
    return buffer.getvalue()


def test_workbook_far_cell_rejected() -> None:
    data = with_deals_sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    with pytest.raises(UnreadableFileError) as caught:
        read_table("far.xlsx", data, sheet="Deals")
    # 1,048,576 rows x 16,384 columns = 17,179,869,184 cells.
    assert str(caught.value) == (
        "far.xlsx, sheet 'Deals': the sheet's cells reach row 1,048,576 and "
        "column 16,384 (XFD1048576), so it spans 17,179,869,184 cells, more than "
        "the limit of 20,000,000; delete the stray cells far from the table, or "
        "copy the table to a new sheet"
    )


def test_workbook_far_cell_other_sheet() -> None:
    data = with_deals_sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    raw = read_table("far.xlsx", data, sheet="Responses")
    assert raw.info.sheet == "Responses"


def test_workbook_cells_without_reference() -> None:
    # Cells without r follow each other: 30 columns in row 1,048,576.
    data = with_deals_sheet('<row r="1048576">' + "<c><v>1</v></c>" * 30 + "</row>")
    with pytest.raises(UnreadableFileError) as caught:
        read_table("implied.xlsx", data, sheet="Deals")
    # 1,048,576 x 30 = 31,457,280 cells.
    assert "spans 31,457,280 cells" in str(caught.value)


def test_workbook_column_past_xfd_rejected() -> None:
    data = with_deals_sheet('<row r="2"><c r="XFE2"><v>1</v></c></row>')
    with pytest.raises(UnreadableFileError) as caught:
        read_table("wide.xlsx", data, sheet="Deals")
    # XFE is column 16,385, one past the last Excel column XFD.
    assert "reach row 2 and column 16,385, so it spans 32,770 cells" in str(
        caught.value
    )


def test_workbook_wide_table_accepted() -> None:
    # 2 rows x 702 columns (A to ZZ) = 1,404 cells, well under the limit.
    data = with_deals_sheet('<row r="2"><c r="ZZ2"><v>5</v></c></row>')
    raw = read_table("wide.xlsx", data, sheet="Deals")
    assert raw.frame.height == 1


def test_workbook_stream_longer_than_declared() -> None:
    data = bytearray(with_deals_sheet('<row r="2"><c r="A2"><v>5</v></c></row>'))
    content = zipfile.ZipFile(io.BytesIO(bytes(data))).read("xl/worksheets/sheet2.xml")
    declared = len(content) - 10
    name = b"xl/worksheets/sheet2.xml"
    # Local header: CRC at 14, size at 22; central header: CRC at 16, size at 24.
    headers = ((b"PK\x03\x04", 30, 14), (b"PK\x01\x02", 46, 16))
    for signature, name_at, crc_at in headers:
        position = data.find(signature)
        while position >= 0:
            if data[position + name_at : position + name_at + len(name)] == name:
                crc = zlib.crc32(content[:declared])
                struct.pack_into("<I", data, position + crc_at, crc)
                struct.pack_into("<I", data, position + crc_at + 8, declared)
            position = data.find(signature, position + 4)
    with pytest.raises(UnreadableFileError, match="Bad CRC-32"):
        read_table("forged.xlsx", bytes(data), sheet="Deals")


def csv_module_rows(path: Path) -> int:
    """Count data rows with Python's csv module, independently of read_table."""
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if path.name == "bank.csv" else ","
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
    return len(rows) - 1


def dataset_files(folder: Path, suffix: str) -> list[Path]:
    return sorted(folder.glob(f"*/*{suffix}"))


def test_datasets_csv_row_counts(datasets_dir: Path) -> None:
    files = dataset_files(datasets_dir, ".csv")
    assert len(files) == 16
    for path in files:
        raw = read_table(path.name, path.read_bytes())
        assert raw.frame.height == csv_module_rows(path), path.name


def test_datasets_text_files_read(datasets_dir: Path) -> None:
    # The .txt files are prose column descriptions, not tables; they must
    # still read without an error.
    for path in dataset_files(datasets_dir, ".txt"):
        raw = read_table(path.name, path.read_bytes())
        assert raw.frame.height > 0, path.name


def test_excel_mangled_dataset_columns(datasets_dir: Path) -> None:
    path = datasets_dir / "uci-bank-marketing" / "bank-additional_excel-mangled.csv"
    raw = read_table(path.name, path.read_bytes())
    assert raw.frame.columns[:3] == ["age", "job", "marital"]
    assert raw.frame.columns[-2:] == ["y", "_line"]
    assert raw.frame.row(0)[:3] == ("30", "blue-collar", "married")


def test_sales_pipeline_parses(datasets_dir: Path) -> None:
    path = datasets_dir / "maven-crm-sales" / "sales_pipeline.csv"
    frame = read_table(path.name, path.read_bytes()).frame
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    engaged = sum(1 for row in rows if row["engage_date"])
    total = sum(float(row["close_value"]) for row in rows if row["close_value"])
    assert parse_dates(frame["engage_date"]).drop_nulls().len() == engaged
    assert parse_numbers(frame["close_value"]).sum() == pytest.approx(total)


def fuzz_outcome(name: str, data: bytes) -> None:
    try:
        raw = read_table(name, data)
    except InputError:
        return
    assert isinstance(raw, RawTable)
    assert raw.frame.columns[-1] == "_line"


SAMPLE_CSV = (DATA / "freshdesk_tickets_multiline.csv").read_bytes()
SAMPLE_XLSX = (DATA / "surveymonkey_and_deals.xlsx").read_bytes()
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@FUZZ
@given(st.binary(max_size=2_000))
def test_fuzz_random_bytes(data: bytes) -> None:
    fuzz_outcome("random.csv", data)


@FUZZ
@given(st.integers(0, len(SAMPLE_CSV)), st.binary(max_size=20))
def test_fuzz_truncated_csv(cut: int, noise: bytes) -> None:
    fuzz_outcome("cut.csv", SAMPLE_CSV[:cut] + noise)


@FUZZ
@given(
    st.lists(
        st.lists(st.text(alphabet=',;"\t| \nab1.', max_size=6), max_size=5),
        max_size=8,
    ),
    st.sampled_from([",", ";", "\t", "|"]),
)
def test_fuzz_generated_csv(rows: list[list[str]], delimiter: str) -> None:
    text = "\n".join(delimiter.join(row) for row in rows)
    fuzz_outcome("generated.txt", text.encode("utf-8"))


@FUZZ
@given(st.integers(0, len(SAMPLE_XLSX)), st.integers(0, 255))
def test_fuzz_damaged_xlsx(position: int, value: int) -> None:
    damaged = bytearray(SAMPLE_XLSX)
    if position < len(damaged):
        damaged[position] = value
    fuzz_outcome("damaged.xlsx", bytes(damaged))


@FUZZ
@given(st.integers(0, len(SAMPLE_XLSX)))
def test_fuzz_truncated_xlsx(cut: int) -> None:
    fuzz_outcome("cut.xlsx", SAMPLE_XLSX[:cut])


def test_special_header_names() -> None:
    # "*" and "^a$" mean all columns and a regex inside pl.col.
    raw = read_table("odd.csv", b"*,^a$\nTotal,1\nx,2\n")
    assert raw.frame.columns == ["*", "^a$", "_line"]
    assert raw.frame["*"].to_list() == ["x"]


# Polars parses UTF-8 files with the header on the first line straight from
# the bytes. These tests check that path against tables worked out by hand.


def test_direct_utf8_blank_lines_and_quoted_break() -> None:
    data = b'\xef\xbb\xbfid;note;amount\n1;plain;12,5\n\n2;"two\nlines";3\n   \n3;;7\n'
    raw = read_table("export.csv", data)
    assert_frame_equal(
        raw.frame,
        expected(
            {
                "id": ["1", "2", "3"],
                "note": ["plain", "two\nlines", None],
                "amount": ["12,5", "3", "7"],
            },
            [2, 4, 7],
        ),
    )
    assert raw.info.encoding == "utf-8-sig"
    assert raw.info.delimiter == ";"
    assert raw.info.skipped_lines == (3, 6)
    assert raw.cells_stripped


def test_direct_utf8_crlf_strips_and_drops_totals() -> None:
    data = b'Name,Amount\r\n Anna ,10\r\nBen,"20"\r\nTotal,30\r\n'
    raw = read_table("export.csv", data)
    assert_frame_equal(
        raw.frame,
        expected({"Name": ["Anna", "Ben"], "Amount": ["10", "20"]}, [2, 3]),
    )
    assert raw.info.skipped_lines == (4,)


def test_crlf_quoted_break_keeps_line_feed() -> None:
    # Polars would keep the carriage return inside the quotes, so this file
    # is read the general way, which turns CRLF into LF first.
    data = b'id,note\r\n1,"a\r\nb"\r\n2,c\r\n'
    raw = read_table("export.csv", data)
    assert_frame_equal(
        raw.frame,
        expected({"id": ["1", "2"], "note": ["a\nb", "c"]}, [2, 4]),
    )


def test_direct_utf8_tab_blank_line_of_tabs() -> None:
    data = b"a\tb\n1\t2\n\t\t\n3\t\n5\t6\n"
    raw = read_table("export.tsv", data)
    assert_frame_equal(
        raw.frame,
        expected({"a": ["1", "3", "5"], "b": ["2", None, "6"]}, [2, 4, 5]),
    )
    assert raw.info.skipped_lines == (3,)


def test_direct_utf8_quoted_empty_cell_is_null() -> None:
    data = b'a,b\n"",x\n" y ",""\n'
    raw = read_table("export.csv", data)
    assert_frame_equal(
        raw.frame, expected({"a": [None, "y"], "b": ["x", None]}, [2, 3])
    )


def test_grid_scan_flags() -> None:
    clean = read_grid("a.csv", b"a,b\n1,2\n3,4\n", aligned=False)
    assert not clean.may_need_strip
    assert not clean.may_have_totals
    spaced = read_grid("a.csv", b"a,b\n1, 2\n3,4\n", aligned=False)
    assert spaced.may_need_strip
    quoted = read_grid("a.csv", b'a,b\n1,"2 "\n3,4\n', aligned=False)
    assert quoted.may_need_strip
    trailing = read_grid("a.csv", b"a,b\n1,2\n3,4 ", aligned=False)
    assert trailing.may_need_strip
    non_ascii = read_grid("a.csv", "a,b\n1,\u00a02\n".encode(), aligned=False)
    assert non_ascii.may_need_strip
    totals = read_grid("a.csv", "a,b\nGE\u017fAMT,2\n".encode(), aligned=False)
    assert totals.may_have_totals


def test_grid_scan_flags_quotes_and_bom() -> None:
    bom = read_grid("a.csv", "\ufeffa,b\n1,2\n".encode(), aligned=False)
    assert bom.encoding == "utf-8-sig"
    assert not bom.may_need_strip
    quoted_clean = read_grid("a.csv", b'a,b\n"1",2\n', aligned=False)
    assert not quoted_clean.may_need_strip
    # The tab is inside quotes, so only the pattern for quotes finds it.
    quoted_tab = read_grid("a.csv", b'a,b\n"\t1",2\n', aligned=False)
    assert quoted_tab.may_need_strip
    raw = read_table("a.csv", b'a,b\n"\t1",2\n')
    assert_frame_equal(raw.frame, expected({"a": ["1"], "b": ["2"]}, [2]))


def test_title_row_goes_general_way() -> None:
    data = b"Deals report\nid,amount\n1,5\n"
    grid = read_grid("a.csv", data, aligned=False)
    # Only the direct way scans the bytes, so the general way keeps the
    # per-cell strip.
    assert grid.may_need_strip
    raw = read_table("a.csv", data)
    assert_frame_equal(raw.frame, expected({"id": ["1"], "amount": ["5"]}, [3]))
    assert raw.info.skipped_lines == (1,)
