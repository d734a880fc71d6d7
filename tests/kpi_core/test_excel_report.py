import io
from datetime import date

import polars as pl
from openpyxl import Workbook, load_workbook

from kpi_core.excel_report import (
    KEY_COLUMN,
    KPI_COLUMNS,
    SOURCE_COLUMNS,
    build_excel_report,
    write_cell,
)
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.report_tables import excel_report_bytes
from kpi_core.results import KpiResult, not_available
from tests.conftest import PROJECT

WIN_RATE = KpiResult(
    key="win_rate",
    status="ok",
    unit="percent",
    value=2 / 3 * 100,
    n=3,
    ci95=(20.77, 93.85),
    variant="won / (won + lost)",
    formula="2 won / (2 won + 1 lost) x 100 = 66.67 %",
    excluded={"open deal": 1},
)
SERIES = pl.DataFrame(
    {
        "period_start": [date(2025, 1, 1), date(2025, 2, 1)],
        "win_rate": [50.0, 100.0],
    }
)
OWNERS = pl.DataFrame(
    {
        "owner": ['=HYPERLINK("http://127.0.0.1:9/x","y")', "Anna"],
        "won_value": [1.0, 2.0],
    }
)


def _workbook():
    data = build_excel_report(
        "CRM KPIs",
        "all data",
        {"Sales": [WIN_RATE], "Service": [not_available("nps", "no responses")]},
        {"Sales": {"Win rate by month": SERIES, "By owner": OWNERS}},
    )
    return load_workbook(io.BytesIO(data))


def test_one_sheet_per_page():
    assert _workbook().sheetnames == ["Settings", "Sales", "Service"]


def test_kpi_table_values():
    sheet = _workbook()["Sales"]
    assert [c.value for c in sheet[4]][: len(KPI_COLUMNS)] == KPI_COLUMNS
    row = [c.value for c in sheet[5]]
    assert row[0] == "Win rate"
    assert row[1] == "available"
    assert row[KEY_COLUMN] == "win_rate"
    assert row[2] == 2 / 3 * 100
    assert row[4] == 3
    assert row[8] == "2 won / (2 won + 1 lost) x 100 = 66.67 %"
    assert row[9] == "1 row: open deal"


def test_kpi_row_carries_note_and_warnings():
    cac = KpiResult(
        key="cac",
        status="ok",
        unit="EUR",
        value=5.2,
        n=40,
        note="Paid from the spend table.",
        warnings=("Spend is recorded 2021-01-01 to 2021-06-30.",),
    )
    data = build_excel_report("CRM KPIs", "all data", {"Marketing": [cac]}, {})
    sheet = load_workbook(io.BytesIO(data))["Marketing"]
    notes = KPI_COLUMNS.index("Notes and warnings")
    assert [c.value for c in sheet[4]][notes] == "Notes and warnings"
    row = [c.value for c in sheet[5]]
    assert row[notes] == (
        "Paid from the spend table. Spend is recorded 2021-01-01 to 2021-06-30."
    )


def test_kpi_row_carries_page_warnings():
    hours = KpiResult(
        key="resolution_hours",
        status="ok",
        unit="hours",
        value=0.0,
        n=2,
        excluded={"open ticket": 95, "ticket solved before it was created": 97},
    )
    data = build_excel_report("CRM KPIs", "all data", {"Service": [hours]}, {})
    row = [c.value for c in load_workbook(io.BytesIO(data))["Service"][5]]
    # 97 of the 2 + 97 = 99 solved tickets are left out for a data problem
    # (98 %); the 95 open tickets are ordinary.
    assert row[KPI_COLUMNS.index("Notes and warnings")] == (
        "Small sample: fewer than 30 observations. This figure leaves out 97 "
        "of 99 solved tickets (98 %): ticket solved before it was created. "
        "Check the columns mapped to created_at and solved_at on the Data page."
    )


def test_not_available_row_gives_reason():
    row = [c.value for c in _workbook()["Service"][5]]
    assert row[1] == "not available"
    assert row[2] is None
    assert row[8] == "no responses"


def test_native_charts_per_table():
    sheet = _workbook()["Sales"]
    assert len(sheet._charts) == 2


def test_formula_text_stays_text():
    sheet = _workbook()["Sales"]
    cells = [
        c
        for row in sheet.iter_rows()
        for c in row
        if c.value and "HYPERLINK" in str(c.value)
    ]
    assert len(cells) == 1
    assert cells[0].data_type == "s"
    assert cells[0].value.startswith("=HYPERLINK")
    # Excel keeps a cell with the quote prefix text when it is edited.
    assert cells[0].quotePrefix


def test_report_with_mixed_currencies_explains_itself():
    deals = pl.DataFrame(
        {
            "deal_id": ["1", "2"],
            "owner": ["A", "B"],
            "stage": ["Won", "Won"],
            "status": ["won", "won"],
            "created_at": [date(2025, 1, 1), date(2025, 1, 2)],
            "closed_at": [date(2025, 2, 1), date(2025, 2, 2)],
            "amount": [100.0, 200.0],
            "currency": ["EUR", "USD"],
        }
    )
    workbook = load_workbook(
        io.BytesIO(excel_report_bytes({"deals": deals}, KpiSettings()))
    )
    assert workbook.sheetnames[:2] == ["Settings", "Sales"]
    kpis = _kpi_rows(workbook["Sales"])
    # The KPIs without money stay: 2 won / 2 created x 100 = 100 %.
    assert kpis["close_rate"][1] == "available"
    assert kpis["close_rate"][2] == 100.0
    won_value = kpis["won_value"]
    assert won_value[1] == "not available"
    assert "EUR, USD" in won_value[8]
    assert "--fx" in won_value[8]
    # The deals were created in January and won in February. January won
    # nothing, so 0; February's 100 EUR and 200 USD are left blank, not added.
    # A note under the title gives the reason the values are blank.
    [note] = _table_below(workbook["Sales"], "Won value by month")[0]
    assert note.startswith("The money figures are blank. The amounts are in")
    series = _table_below(workbook["Sales"], "Won value by month", skip=1)
    # The last close is on 2 February, so February is a partial month.
    assert series == [
        ("Period start", "Won value (EUR)", "Partial period"),
        ("2025-01-01", 0, None),
        ("2025-02-01", None, "2025-02-01 to 2025-02-02 only"),
    ]


MIXED_DEALS = pl.DataFrame(
    {
        "deal_id": ["1", "2", "3"],
        "stage": ["Won", "Won", "Lost"],
        "status": ["won", "won", "lost"],
        "created_at": [date(2025, 1, 2), date(2025, 1, 3), date(2025, 1, 4)],
        "closed_at": [date(2025, 1, 10), date(2025, 1, 12), date(2025, 1, 15)],
        "amount": [1000.0, 500.0, 200.0],
        "currency": ["EUR", "USD", "EUR"],
    }
)


def _sheet_rows(sheet) -> dict:
    return {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row[0]}


def test_report_records_currency_and_rates():
    data = excel_report_bytes(
        {"deals": MIXED_DEALS}, KpiSettings(currency="EUR", fx={"USD": 0.9})
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[:2] == ["Settings", "Sales"]
    settings = _sheet_rows(workbook["Settings"])
    assert settings["Report currency"][0] == "EUR"
    assert settings["Period"][0] == "all data"
    assert settings["Group by"][0] == "month"
    assert settings["Currency"][0] == "Value of 1 unit in EUR"
    assert settings["USD"][0] == 0.9
    sales = workbook["Sales"]
    assert "Money in EUR" in sales["A3"].value
    kpis = _kpi_rows(sales)
    # Won: 1000 EUR + 500 USD x 0.9 = 1,450 EUR.
    assert kpis["won_value"][2] == 1450.0
    assert kpis["won_value"][3] == "EUR"


def test_report_without_rates_says_none():
    one_currency = MIXED_DEALS.with_columns(currency=pl.lit("EUR"))
    workbook = load_workbook(
        io.BytesIO(excel_report_bytes({"deals": one_currency}, KpiSettings()))
    )
    settings = _sheet_rows(workbook["Settings"])
    assert settings["Report currency"][0].startswith("as in the data")
    assert settings["Exchange rates"][0] == "none"
    assert workbook["Sales"]["A3"].value is None


def test_report_without_rate_records_currency():
    # No rate for USD: the money KPIs are not available, the others are.
    data = excel_report_bytes({"deals": MIXED_DEALS}, KpiSettings(currency="EUR"))
    workbook = load_workbook(io.BytesIO(data))
    assert _sheet_rows(workbook["Settings"])["Report currency"][0] == "EUR"
    kpis = _kpi_rows(workbook["Sales"])
    # Win rate: 2 won / (2 won + 1 lost) = 66.67 %.
    assert round(kpis["win_rate"][2], 2) == 66.67
    for key in ("won_value", "average_deal_size"):
        assert kpis[key][1] == "not available"
        assert "no exchange rate for USD" in kpis[key][8]


def _kpi_rows(sheet) -> dict:
    """Return the KPI table of a page sheet by KPI key."""
    rows = sheet.iter_rows(min_row=5, max_col=len(KPI_COLUMNS), values_only=True)
    return {
        row[KEY_COLUMN]: row
        for row in rows
        if row[0] and row[1] in ("available", "not available")
    }


def _table_below(sheet, title: str, skip: int = 0) -> list[tuple]:
    """Return the header and rows of the table written under ``title``,
    after ``skip`` rows of notes."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == title) + 1 + skip
    width = sum(1 for cell in rows[start] if cell is not None)
    table = []
    for row in rows[start:]:
        if row[0] is None:
            break
        table.append(tuple(_text(cell) for cell in row[:width]))
    return table


def _text(cell):
    return cell.isoformat()[:10] if hasattr(cell, "isoformat") else cell


def test_settings_sheet_codes_stay_text():
    code = '=HYPERLINK("http://127.0.0.1:9/x","y")'
    data = build_excel_report(
        "CRM KPIs", "all data", {}, {}, grain="month", currency="-EUR", fx={code: 2.0}
    )
    sheet = load_workbook(io.BytesIO(data))["Settings"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    for text in (code, "-EUR"):
        [cell] = [cell for cell in cells if cell.value == text]
        assert cell.data_type == "s"


def _source_rows(sheet) -> list[tuple]:
    """Return the header and rows of the stored-tables list of Settings."""
    rows = list(sheet.iter_rows(values_only=True))
    start = rows.index(tuple(SOURCE_COLUMNS))
    listed = []
    for row in rows[start:]:
        if row[0] is None:
            break
        listed.append(row[:3])
    return listed


def test_settings_sheet_lists_tables():
    spend = pl.DataFrame(
        {"date": [date(2025, 1, 1)], "channel": ["Ads"], "amount": [10.0]}
    )
    data = excel_report_bytes(
        {"deals": MIXED_DEALS, "spend": spend},
        KpiSettings(),
        sources={"spend": ("=Ads 2025", 1), "deals": ("sales_pipeline", 3)},
    )
    sheet = load_workbook(io.BytesIO(data))["Settings"]
    # In the order of the table types: deals before marketing spend.
    assert _source_rows(sheet) == [
        tuple(SOURCE_COLUMNS),
        ("Deals", "sales_pipeline", 3),
        ("Marketing spend", "=Ads 2025", 1),
    ]
    [name] = [
        cell for row in sheet.iter_rows() for cell in row if cell.value == "=Ads 2025"
    ]
    assert name.data_type == "s"


def test_settings_sheet_without_tables_says_none():
    data = excel_report_bytes({}, KpiSettings(), sources={})
    settings = _sheet_rows(load_workbook(io.BytesIO(data))["Settings"])
    assert settings["Tables"][0] == "none"


def test_failed_report_still_lists_tables():
    # A negative exchange rate is rejected, so no KPI is computed.
    data = excel_report_bytes(
        {"deals": MIXED_DEALS},
        KpiSettings(currency="EUR", fx={"USD": -1.0}),
        sources={"deals": ("Mixed", 3)},
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Settings", "Error"]
    assert ("Deals", "Mixed", 3) in _source_rows(workbook["Settings"])


# The C0 control characters that XML does not allow, which are all but tab,
# line feed and carriage return. The CSV reader rejects NUL, so the owner in
# the CSV has the others.
XML_ILLEGAL = [chr(code) for code in range(32) if chr(code) not in "\t\n\r"]


def _sample_with(tmp_path, name: str, old: str, new: str) -> pl.DataFrame:
    """Write the sample file ``name`` with its first ``old`` value replaced
    by ``new`` and import it as an upload."""
    text = (PROJECT / "sample_data" / name).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_file(name, path.read_bytes()).frame


def test_report_control_characters_as_stand_in(tmp_path):
    owner = "Evil" + "".join(XML_ILLEGAL[1:]) + "Owner"
    campaign = "Evil\x1bCampaign"
    tables = {
        "deals": _sample_with(tmp_path, "deals.csv", "Miriam Schulz", owner),
        "orders": _sample_with(tmp_path, "orders.csv", "Newsletter 2025-01", campaign),
    }
    assert owner in tables["deals"]["owner"].to_list()
    assert campaign in tables["orders"]["campaign"].to_list()

    data = excel_report_bytes(tables, KpiSettings())

    workbook = load_workbook(io.BytesIO(data))
    texts = [
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert "Evil\ufffdCampaign" in texts
    assert "Evil" + "\ufffd" * (len(XML_ILLEGAL) - 1) + "Owner" in texts


def test_write_cell_control_characters_and_formula(tmp_path):
    values = [
        "".join(XML_ILLEGAL),
        "=1+1\x00",
        "\x1b=1+1",
        "\t=1+1",
        "tab\tline\nend",
        "\ufffe\uffff\ud800",
    ]
    workbook = Workbook()
    for row, value in enumerate(values, start=1):
        write_cell(workbook.active, row, 1, value)
    path = tmp_path / "cells.xlsx"
    workbook.save(path)

    sheet = load_workbook(path).active
    cells = [sheet.cell(row=row, column=1) for row in range(1, len(values) + 1)]
    assert cells[0].value == "\ufffd" * len(XML_ILLEGAL)
    # A formula stays text, and its illegal character is still replaced.
    assert cells[1].value == "=1+1\ufffd"
    assert cells[1].data_type == "s"
    assert cells[1].quotePrefix
    # The replacement comes first, so the cell no longer starts like a formula.
    assert cells[2].value == "\ufffd=1+1"
    assert cells[3].value == "\t=1+1"
    assert cells[3].quotePrefix
    assert cells[4].value == "tab\tline\nend"
    assert cells[5].value == "\ufffd\ufffd\ufffd"
