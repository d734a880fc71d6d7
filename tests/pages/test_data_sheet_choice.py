"""Data page: a workbook whose first sheet holds only a note."""

from __future__ import annotations

import hashlib
import io

from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from kpi_core.workbook import MAX_SHEETS
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _handmade() -> bytes:
    book = Workbook()
    book.active.title = "Hinweise"
    book.active["A1"] = "Diese Mappe wird von Hand gepflegt."
    deals = book.create_sheet("Deals 2024")
    deals.append(["Deal ID", "Stage", "Created", "Amount"])
    deals.append(["D1", "Won", "2024-01-02", 100])
    deals.append(["D2", "Won", "2024-01-03", "#DIV/0!"])
    deals.append(["D3", "Lost", "2024-01-04", 50])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(data: bytes) -> tuple[AppTest, str]:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([("handmade.xlsx", data, XLSX)]).run()
    return at, hashlib.sha256(data).hexdigest()[:16]


def test_sheet_box_starts_at_table():
    at, key = _upload(_handmade())
    assert not at.exception
    assert at.selectbox(key=f"{key}:sheet").value == "Deals 2024"
    assert not at.error
    read = next(c.value for c in at.caption if c.value.startswith("Read as"))
    assert "because sheet 'Hinweise' has no table" in read
    assert "3 rows read" in " ".join(m.value for m in at.markdown)


def test_error_cell_shown_as_warning():
    at, _ = _upload(_handmade())
    # The page escapes "#" for Markdown.
    warnings = [warning.value.replace("\\#", "#") for warning in at.warning]
    assert (
        "Sheet 'Deals 2024', column 'Amount', line 3: the cell shows the Excel "
        "error #DIV/0!, so it was read as empty; fix the formula in the workbook"
    ) in warnings


def test_note_sheet_picked_shows_error():
    at, key = _upload(_handmade())
    at.selectbox(key=f"{key}:sheet").set_value("Hinweise").run()
    assert not at.exception
    errors = [error.value for error in at.error]
    assert len(errors) == 1
    assert "sheet 'Hinweise', line 1" in errors[0]
    assert at.selectbox(key=f"{key}:sheet").value == "Hinweise"


def _summary_first() -> bytes:
    # A summary sheet with a small table of three columns before the data:
    # the reader takes it for the table, but no table type fits it.
    book = Workbook()
    book.active.title = "Übersicht"
    book.active.append(["Quartal", "Summe", "Anteil"])
    book.active.append(["Q1", 1200, "40 %"])
    data = book.create_sheet("Daten")
    data.append(["Deal ID", "Stage", "Created", "Amount"])
    data.append(["D1", "Won", "2024-01-02", 100])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_unknown_sheet_names_other_sheets():
    at, key = _upload(_summary_first())
    assert not at.exception
    assert at.selectbox(key=f"{key}:sheet").value == "Übersicht"
    [notice] = [info.value for info in at.info if "Sheet box" in info.value]
    assert (
        "The workbook has other sheets (“Daten”): if the data is on one of "
        "them, choose it in the Sheet box. Otherwise, choose the table type to "
        "map the columns."
    ) in notice


def _yearly(rows_2025: int) -> bytes:
    # Deals per year on their own sheets, the older year first.
    book = Workbook()
    book.active.title = "Deals 2024"
    book.active.append(["Deal ID", "Stage", "Created", "Amount"])
    book.active.append(["A1", "Won", "2024-03-02", 100])
    later = book.create_sheet("Deals 2025")
    later.append(["Deal ID", "Stage", "Created", "Amount"])
    for number in range(rows_2025):
        later.append([f"B{number}", "Lost", "2025-03-02", 50])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload_named(at: AppTest, name: str, data: bytes) -> str:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(name, data, XLSX)]).run()
    return hashlib.sha256(data).hexdigest()[:16]


def test_new_version_opens_imported_sheet():
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload_named(at, "deals.xlsx", _yearly(2))
    assert at.selectbox(key=f"{key}:sheet").value == "Deals 2024"
    at.selectbox(key=f"{key}:sheet").set_value("Deals 2025").run()
    [button] = [b for b in at.button if b.label.startswith("Import")]
    button.click().run()
    assert not at.exception
    assert "Imported 2 rows" in " ".join(s.value for s in at.success)

    # A month later: the same file name with three rows on the 2025 sheet.
    later = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload_named(later, "deals.xlsx", _yearly(3))
    assert later.selectbox(key=f"{key}:sheet").value == "Deals 2025"
    assert "3 rows read" in " ".join(m.value for m in later.markdown)

    # Another file name starts at the first sheet with a table.
    other = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload_named(other, "pipeline.xlsx", _yearly(4))
    assert other.selectbox(key=f"{key}:sheet").value == "Deals 2024"


def _import(at: AppTest) -> None:
    [button] = [b for b in at.button if b.label.startswith("Import")]
    button.click().run()
    assert not at.exception
    assert at.success


def test_new_version_replaces_each_sheets_table(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload_named(at, "deals.xlsx", _yearly(2))
    _import(at)
    at.selectbox(key=f"{key}:sheet").set_value("Deals 2025").run()
    _import(at)
    tables = {
        entry.source_file + entry.name: entry.id
        for entry in Workspace(fresh_workspace).list_tables("deals")
    }
    first, second = tables["deals.xlsxdeals"], tables["deals.xlsxdeals (2)"]

    # Next month's workbook opens at the 2025 sheet, whose table it replaces.
    later = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload_named(later, "deals.xlsx", _yearly(3))
    assert _target(later, key) == second
    # The 2024 sheet replaces the table imported from the 2024 sheet, not
    # the newest table of the file name.
    later.selectbox(key=f"{key}:sheet").set_value("Deals 2024").run()
    assert _target(later, key) == first


def _target(at: AppTest, key: str) -> str:
    # The Store box's key names the upload and the sheet read.
    [target] = [
        box.value
        for box in at.selectbox
        if box.key.startswith(key) and box.key.endswith(":target")
    ]
    return target


def _one_sheet(title: str, rows: int) -> bytes:
    book = Workbook()
    book.active.title = title
    book.active.append(["Deal ID", "Stage", "Created", "Amount"])
    for number in range(rows):
        book.active.append([f"A{number}", "Won", "2024-03-02", 100])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_renamed_sheet_replaces_its_table(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _upload_named(at, "deals.xlsx", _one_sheet("Jan-Jun", 1))
    _import(at)
    [stored] = Workspace(fresh_workspace).list_tables("deals")

    # Next month's workbook names its sheet anew; its old sheet is gone.
    later = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload_named(later, "deals.xlsx", _one_sheet("Jan-Dec", 2))
    assert _target(later, key) == stored.id


def _over_sheet_limit() -> bytes:
    # One sheet more than the reader looks at without a choice. The deals
    # are on the first sheet, where the box starts.
    book = Workbook()
    book.active.title = "Deals"
    book.active.append(["Deal ID", "Stage", "Created", "Amount"])
    book.active.append(["D1", "Won", "2024-01-02", 100])
    book.active.append(["D2", "Lost", "2024-01-03", 50])
    for number in range(2, MAX_SHEETS + 2):
        book.create_sheet(f"Notiz {number}").append(["Notiz"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_first_sheet_read_over_sheet_limit():
    # Without a choice such a workbook is rejected, so the box's first sheet
    # must be read as chosen, not as the reader's own pick.
    at, key = _upload(_over_sheet_limit())
    assert not at.exception
    assert at.selectbox(key=f"{key}:sheet").value == "Deals"
    assert not at.error
    assert "2 rows read" in " ".join(m.value for m in at.markdown)
