"""The Excel report: a settings sheet with the period, report currency,
exchange rates and stored tables, then one sheet per page with the KPI
table, the formulas in words and native Excel charts of the time series.

Text from uploads is written as text cells, never as formulas, so an owner
named ``=HYPERLINK(...)`` cannot run in Excel. Characters that XML 1.0 does not
allow, such as ESC or NUL, are written as U+FFFD, so no uploaded value can stop
a workbook from being saved.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kpi_core.column_labels import (
    DAYS,
    HOURS,
    MONEY,
    P_VALUE,
    PERCENT,
    SCORE,
    column_kind,
    column_label,
)
from kpi_core.exclusion_warnings import exclusion_warnings
from kpi_core.exporting import FORMULA_STARTS
from kpi_core.kpi_names import kpi_name
from kpi_core.results import SMALL_SAMPLE, KpiResult

# The last column contains the KPI's key, as in the command line's JSON report.
KPI_COLUMNS = [
    "KPI", "Status", "Value", "Unit", "n", "95 % CI low", "95 % CI high",
    "Variant", "How it is calculated", "Rows left out", "Notes and warnings",
    "Key",
]  # fmt: skip
KEY_COLUMN = len(KPI_COLUMNS) - 1
SETTINGS_SHEET = "Settings"
SOURCE_COLUMNS = ["Table", "Stored table", "Rows"]
# The report currency cell when none was chosen: each money KPI is then in
# the only currency of its data, named in its Unit column.
NO_REPORT_CURRENCY = "as in the data (see the Unit column)"
_BOLD = Font(bold=True)
# Notes are italic and run over the empty cells to their right, so they do
# not widen their column.
_NOTE = Font(italic=True)
# Characters that an XLSX file cannot contain: the C0 control characters
# other than tab, line feed and carriage return, and U+FFFE and U+FFFF, which
# XML 1.0 does not allow, and lone surrogates, which UTF-8 cannot encode.
# openpyxl 3.1 raises IllegalCharacterError for the control characters.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Each of them is written as the Unicode replacement character, "�".
REPLACEMENT_CHARACTER = "\ufffd"
# Rows a chart covers, so the next table starts below it.
_CHART_ROWS = 16
# Number formats. The cells keep the unrounded values, so a reader can check
# the arithmetic. Percent values are in percent units (48.2 for 48.2 %), as
# on the pages and in the JSON report, so the percent format writes a
# literal "%" and does not multiply by 100 as Excel's "0.0%" would.
PERCENT_FORMAT = '0.0" %"'
# A difference of two percentages, in percentage points.
POINTS_FORMAT = '+0.0" pp";-0.0" pp";0.0" pp"'
ONE_DECIMAL_FORMAT = "#,##0.0"
TWO_DECIMALS_FORMAT = "#,##0.00"
WHOLE_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
# Money shows its cents, so a sum in the report can be checked to the cent.
MONEY_FORMAT = TWO_DECIMALS_FORMAT
# Formats by value kind.
_KIND_FORMATS = {
    MONEY: MONEY_FORMAT,
    PERCENT: PERCENT_FORMAT,
    DAYS: ONE_DECIMAL_FORMAT,
    HOURS: ONE_DECIMAL_FORMAT,
    SCORE: WHOLE_FORMAT,
    P_VALUE: "0.000",
}
# Formats of the KPI table's values by KPI unit. Any other unit is a
# currency code.
_UNIT_FORMATS = {
    "percent": PERCENT_FORMAT,
    "days": ONE_DECIMAL_FORMAT,
    "hours": ONE_DECIMAL_FORMAT,
    "months": ONE_DECIMAL_FORMAT,
    "score": WHOLE_FORMAT,
    "count": TWO_DECIMALS_FORMAT,
    "ratio": TWO_DECIMALS_FORMAT,
}


@dataclass(frozen=True)
class ReportChart:
    """A native chart of a report table: a "bar" or "line" chart of
    ``columns`` (frame column names, of one unit) over the first column."""

    title: str
    columns: tuple[str, ...]
    kind: str = "bar"


@dataclass(frozen=True)
class ReportTable:
    """A named table of a page sheet with its readable headers and charts.

    Each column's header and number format come from
    ``kpi_core.column_labels``, with ``unit`` as the currency of the money
    columns. ``headers`` maps a frame column to a header that replaces that
    label, and ``kinds`` gives the value kind of a column that
    ``column_labels.COLUMNS`` does not list. ``note`` is a line of text
    written under the name, such as why a chart or the whole table is
    missing. Without a ``frame`` the sheet shows only the note.

    A table whose rows are different KPIs names in ``unit_column`` the
    column that holds each row's KPI unit ("percent", "days", a currency
    code...), and the numbers of its columns ``row_unit_columns`` take the
    format of that unit, as the KPI table's values do.
    """

    frame: pl.DataFrame | None = None
    headers: dict[str, str] = field(default_factory=dict)
    charts: tuple[ReportChart, ...] = ()
    note: str | None = None
    unit: str | None = None
    kinds: dict[str, str] = field(default_factory=dict)
    unit_column: str | None = None
    row_unit_columns: tuple[str, ...] = ()
    # Columns of ``row_unit_columns`` that hold differences, whose percent
    # rows are percentage points.
    point_columns: tuple[str, ...] = ()


def build_excel_report(
    title: str,
    period_label: str,
    pages: dict[str, list[KpiResult] | None],
    series: dict[str, dict[str, pl.DataFrame | ReportTable]],
    *,
    grain: str | None = None,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
    choices: list[tuple[str, str]] | None = None,
    sources: list[tuple[str, str, int]] | None = None,
) -> bytes:
    """Return an .xlsx file with a settings sheet and one sheet per page.

    ``pages`` maps a sheet name to its KPI results, or to None for a sheet
    without a KPI table; ``series`` maps the same sheet name to named
    tables (a time series or a breakdown) that are written below the KPI
    table. A ``ReportTable`` gets the charts and the note it names, a bare
    frame one native chart of its first four numeric columns. The first
    sheet, "Settings", lists the period, ``grain`` (unless None), the report
    ``currency`` and the exchange rates ``fx`` (currency code to the value
    of one unit in ``currency``), so a reader can check the money figures,
    the other settings behind the figures as ``choices`` of (name, value),
    and the stored tables behind the figures: ``sources`` gives each as
    (table type, stored name, row count).
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    settings = workbook.create_sheet(SETTINGS_SHEET)
    _write_settings(settings, title, period_label, grain, currency, fx, choices)
    if sources is not None:
        _write_sources(settings, sources)
    fit_columns(settings)
    for sheet_name, results in pages.items():
        sheet = workbook.create_sheet(sheet_name[:31])
        write_cell(sheet, 1, 1, f"{title}: {sheet_name}").font = Font(
            bold=True, size=14
        )
        write_cell(sheet, 2, 1, f"Period: {period_label}")
        if currency is not None:
            write_cell(
                sheet,
                3,
                1,
                f"Money in {currency}, converted with the rates on the "
                f"{SETTINGS_SHEET} sheet.",
            )
        row = 3 if results is None else _write_kpis(sheet, 4, results)
        for table_name, table in series.get(sheet_name, {}).items():
            if isinstance(table, pl.DataFrame):
                table = _with_automatic_chart(table_name, table)
            row = _write_report_table(sheet, row + 2, table_name, table)
        fit_columns(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_settings(
    sheet: Worksheet,
    title: str,
    period_label: str,
    grain: str | None,
    currency: str | None,
    fx: dict[str, float] | None,
    choices: list[tuple[str, str]] | None,
) -> None:
    write_cell(sheet, 1, 1, f"{title}: settings").font = Font(bold=True, size=14)
    rows = [
        ("Period", period_label),
        *([("Group by", grain)] if grain is not None else []),
        ("Report currency", currency or NO_REPORT_CURRENCY),
        *(choices or []),
    ]
    for row, (name, value) in enumerate(rows, start=3):
        write_cell(sheet, row, 1, name).font = _BOLD
        write_cell(sheet, row, 2, value)
    row = len(rows) + 4
    if not fx:
        write_cell(sheet, row, 1, "Exchange rates").font = _BOLD
        write_cell(sheet, row, 2, "none")
    else:
        write_cell(sheet, row, 1, "Currency").font = _BOLD
        write_cell(sheet, row, 2, f"Value of 1 unit in {currency}").font = _BOLD
        for code, rate in sorted(fx.items()):
            row += 1
            write_cell(sheet, row, 1, code)
            write_cell(sheet, row, 2, rate)


def _write_sources(sheet: Worksheet, sources: list[tuple[str, str, int]]) -> None:
    row = sheet.max_row + 2
    if not sources:
        write_cell(sheet, row, 1, "Tables").font = _BOLD
        write_cell(sheet, row, 2, "none")
        return
    for column, header in enumerate(SOURCE_COLUMNS, start=1):
        write_cell(sheet, row, column, header).font = _BOLD
    for label, name, rows in sources:
        row += 1
        write_cell(sheet, row, 1, label)
        write_cell(sheet, row, 2, name)
        write_cell(sheet, row, 3, rows).number_format = WHOLE_FORMAT


def _write_kpis(sheet: Worksheet, row: int, results: list[KpiResult]) -> int:
    for column, header in enumerate(KPI_COLUMNS, start=1):
        write_cell(sheet, row, column, header).font = _BOLD
    for result in results:
        row += 1
        low, high = result.ci95 if result.ci95 else (None, None)
        # Written as the pages write them: "2,089 rows: open deal without a
        # close date", or in the reason's own unit, such as "3 deals".
        left_out = "; ".join(
            f"{result.left_out(reason)}: {reason}" for reason in result.excluded
        )
        values = [
            kpi_name(result.key),
            "available" if result.available else "not available",
            _scalar(result.value),
            result.unit,
            result.n,
            low,
            high,
            result.variant,
            result.formula if result.available else result.reason,
            left_out,
            _notes(result),
            result.key,
        ]
        value_format = _kpi_format(result)
        for column, value in enumerate(values, start=1):
            cell = write_cell(sheet, row, column, value)
            if not isinstance(value, int | float):
                continue
            # Columns 3, 6 and 7 are the value and its interval, 5 the count.
            if column in (3, 6, 7) and value_format:
                cell.number_format = value_format
            elif column == 5:
                cell.number_format = WHOLE_FORMAT
    return row


def _kpi_format(result: KpiResult) -> str | None:
    """Return the number format of a KPI's value, by its unit."""
    if not result.unit or isinstance(result.value, dict):
        return None
    if result.unit in _UNIT_FORMATS:
        return _UNIT_FORMATS[result.unit]
    if isinstance(result.value, int | float):
        return MONEY_FORMAT
    return None


def _unit_format(unit: str | None, value: float) -> str:
    """Return the number format of ``value`` in a KPI ``unit``: that of
    ``_UNIT_FORMATS``, money for a currency code, two decimals without a
    unit. A whole count reads whole."""
    if unit == "count" and float(value).is_integer():
        return WHOLE_FORMAT
    if not unit:
        return TWO_DECIMALS_FORMAT
    return _UNIT_FORMATS.get(unit, MONEY_FORMAT)


def _notes(result: KpiResult) -> str:
    """Write the notes and warnings the pages show with a KPI's card: a note
    on a surprising value, a small sample, a large share of rows left out
    for a data problem, and the KPI's own warnings."""
    if not result.available:
        return ""
    notes = [result.note] if result.note else []
    if result.small_sample:
        notes.append(f"Small sample: fewer than {SMALL_SAMPLE} observations.")
    notes += exclusion_warnings({result.key: result}, {result.key: "This figure"})
    notes += result.warnings
    return " ".join(notes)


def _with_automatic_chart(name: str, frame: pl.DataFrame) -> ReportTable:
    """Return ``frame`` as a table with one chart named ``name`` of its first
    four numeric columns after the first: a line chart over dates, else a
    bar chart."""
    numeric = [
        column for column, dtype in list(frame.schema.items())[1:] if dtype.is_numeric()
    ]
    if not numeric:
        return ReportTable(frame)
    dated = frame.dtypes[0] in (pl.Date, pl.Datetime)
    chart = ReportChart(name, tuple(numeric[:4]), "line" if dated else "bar")
    return ReportTable(frame, charts=(chart,))


def _write_report_table(
    sheet: Worksheet, row: int, name: str, table: ReportTable
) -> int:
    """Write ``table`` under its name and return its last row."""
    write_cell(sheet, row, 1, name).font = _BOLD
    last_row = row
    if table.note:
        last_row += 1
        write_cell(sheet, last_row, 1, table.note).font = _NOTE
    frame = table.frame
    if frame is None:
        return last_row
    header_row = last_row + 1
    for column, name in enumerate(frame.columns, start=1):
        label = table.headers.get(name) or column_label(name, table.unit)
        write_cell(sheet, header_row, column, label).font = _BOLD
    formats = [_column_format(table, name) for name in frame.columns]
    by_unit = [name in table.row_unit_columns for name in frame.columns]
    points = [name in table.point_columns for name in frame.columns]
    units = (
        frame[table.unit_column].to_list()
        if table.unit_column is not None
        else [None] * frame.height
    )
    rows = zip(frame.iter_rows(), units, strict=True)
    for offset, (values, unit) in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = write_cell(sheet, header_row + offset, column, value)
            if isinstance(value, date | datetime):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, int | float) and not isinstance(value, bool):
                if points[column - 1] and unit == "percent":
                    cell.number_format = POINTS_FORMAT
                elif by_unit[column - 1]:
                    cell.number_format = _unit_format(unit, value)
                else:
                    cell.number_format = formats[column - 1]
    last_row = header_row + frame.height
    if frame.is_empty() or not table.charts:
        return last_row
    _add_charts(sheet, row, header_row, frame, table.charts)
    return max(last_row, row + len(table.charts) * _CHART_ROWS)


def _column_format(table: ReportTable, name: str) -> str:
    """Return the number format of the numbers in column ``name``."""
    kind = table.kinds.get(name) or column_kind(name)
    series = table.frame[name]
    if kind in _KIND_FORMATS:
        return _KIND_FORMATS[kind]
    # Counts and columns of another kind: whole numbers stay whole.
    if series.dtype.is_integer():
        return WHOLE_FORMAT
    return TWO_DECIMALS_FORMAT


def _add_charts(
    sheet: Worksheet,
    row: int,
    header_row: int,
    frame: pl.DataFrame,
    charts: tuple[ReportChart, ...],
) -> None:
    """Draw ``charts`` of the table written from ``header_row``, one below
    the other to the right of it, from ``row`` down."""
    last_row = header_row + frame.height
    anchor = get_column_letter(len(frame.columns) + 2)
    for index, spec in enumerate(charts):
        chart = BarChart() if spec.kind == "bar" else LineChart()
        chart.height, chart.width = 7.5, 16
        chart.title = xml_safe_text(spec.title)
        for column_name in spec.columns:
            column = frame.columns.index(column_name) + 1
            data = Reference(
                sheet, min_col=column, min_row=header_row, max_row=last_row
            )
            chart.add_data(data, titles_from_data=True)
        categories = Reference(
            sheet, min_col=1, min_row=header_row + 1, max_row=last_row
        )
        chart.set_categories(categories)
        chart_row = row + index * _CHART_ROWS
        sheet.add_chart(chart, f"{anchor}{chart_row}")


def write_cell(sheet: Worksheet, row: int, column: int, value: Any):
    """Write ``value`` into a cell, text that starts like a formula as text.

    Each character that XML does not allow becomes
    ``REPLACEMENT_CHARACTER``, so the reader sees where the upload had one.
    """
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = xml_safe_text(value)
        cell.value = value
        # openpyxl turns a string starting with "=" into a formula; forcing
        # the string type keeps every uploaded value as plain text. The quote
        # prefix keeps it text when a reader edits the cell in Excel.
        if value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell
    cell.value = value
    return cell


def xml_safe_text(text: str) -> str:
    """Replace each character that XML 1.0 does not allow with
    ``REPLACEMENT_CHARACTER``."""
    return _XML_ILLEGAL.sub(REPLACEMENT_CHARACTER, text)


def _scalar(value: Any) -> Any:
    if isinstance(value, dict):
        return "; ".join(f"{name}: {item:,.2f}" for name, item in value.items())
    return value


def fit_columns(sheet: Worksheet) -> None:
    """Widen each column to its longest value in the first 200 rows, notes
    in italics aside, from 8 to 60 characters."""
    for column_cells in sheet.columns:
        widths = [
            len(str(cell.value or ""))
            for cell in column_cells[:200]
            if not cell.font.italic
        ]
        width = max(widths, default=0)
        letter = get_column_letter(column_cells[0].column)
        sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
