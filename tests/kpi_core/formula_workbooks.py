"""Deals written into workbooks by openpyxl, whose formulas have no saved
result, as in a workbook that no spreadsheet program has saved."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HEADER = ["Deal ID", "Deal Stage", "Create Date", "Amount"]
# Rows 2-9: eight deals, five of them won.
DEALS = [
    [1001, "Closed Won", "2025-01-06", 100],
    [1002, "Closed Lost", "2025-01-07", 200],
    [1003, "Closed Won", "2025-01-08", 300],
    [1004, "Closed Won", "2025-02-03", 400],
    [1005, "Closed Lost", "2025-02-04", 500],
    [1006, "Closed Won", "2025-02-05", 600],
    [1007, "Appointment", "2025-03-03", 700],
    [1008, "Closed Won", "2025-03-04", 800],
]
# 100 + 300 + 400 + 600 + 800 = 2,200.
WON_AMOUNT = 2200.0


def write_sheets(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Write one sheet per entry of ``sheets``, in order, and return ``path``."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path
