"""Data page captions and questions about an upload."""

import hashlib
import io

from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

MIXED_DATES = (
    b"Deal ID,Stage,Created,Close date,Amount\n"
    b"B1,Won,13/04/2025,05/06/2025,10\n"
    b"B2,Won,04/13/2025,02/03/2025,20\n"
    b"B3,Lost,04/05/2025,06/07/2025,30\n"
)


def _upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> str:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(name, data, mime)]).run()
    return hashlib.sha256(data).hexdigest()[:16]


def test_mixed_date_orders_named_with_examples():
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "dates_both.csv", MIXED_DATES)
    assert not at.exception
    created = at.radio(key=f"{key}:order:created_at").label
    assert "mixes day-first dates such as '13/04/2025'" in created
    assert "month-first dates such as '04/13/2025'" in created
    assert "fits both orders" not in created
    assert "upload it again" in created
    # Every close date reads both ways, so that question stays as it was.
    closed = at.radio(key=f"{key}:order:closed_at").label
    assert closed.startswith("Every date in 'Close date' fits both orders.")


def test_mixed_date_order_choice_lists_misfit():
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "dates_both.csv", MIXED_DATES)
    at.radio(key=f"{key}:order:created_at").set_value("dmy").run()
    at.radio(key=f"{key}:order:closed_at").set_value("dmy").run()
    assert not at.exception
    # Day-first cannot read B2's 04/13/2025 (no 13th month), so that date is
    # read as empty; 04/05/2025 on line 4 is read as empty too (a date of both
    # orders among month-first ones), so 2 of the 3 rows kept have empty cells.
    assert "3 rows read, 3 kept, 2 of them with cells read as empty (see below)." in [
        m.value for m in at.markdown
    ]
    assert any(
        "'04/13/2025'" in w.value and "Read as empty" in w.value for w in at.warning
    )


def _workbook() -> bytes:
    book = Workbook()
    deals = book.active
    deals.title = "Deals"
    deals.append(["Deal ID", "Stage", "Created", "Amount"])
    deals.append(["1", "Won", "2025-01-02", 100])
    deals.append(["2", "Lost", "2025-01-03", 50])
    book.create_sheet("Notes").append(["hello"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_caption_names_sheet_once():
    at = AppTest.from_file(APP, default_timeout=60).run()
    _upload(at, "deals.xlsx", _workbook(), "application/vnd.ms-excel")
    assert not at.exception
    read = next(c.value for c in at.caption if c.value.startswith("Read as"))
    assert "sheet: Deals (of 2)" in read
    assert read.count("Deals") == 1


def test_duplicate_header_shown_as_warning():
    data = (
        b"Deal ID,Stage,Created,Amount,Amount\n"
        b"D1,Won,2025-01-10,10,30\n"
        b"D2,Lost,2025-01-12,20,40\n"
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    _upload(at, "dup_headers.csv", data)
    assert not at.exception
    warnings = [warning.value for warning in at.warning]
    assert any("The header 'Amount' occurs in columns 4 and 5" in w for w in warnings)
    captions = " ".join(caption.value for caption in at.caption)
    assert "occurs in columns" not in captions


def test_date_order_taken_from_other_column():
    # 13/04/2025 and 25/05/2025 only read day first, so the close dates,
    # which read both ways, start as day first too.
    data = (
        b"Deal ID,Stage,Created,Close date,Amount\n"
        b"C1,Won,13/04/2025,05/06/2025,10\n"
        b"C2,Lost,25/05/2025,02/07/2025,20\n"
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "dates_hint.csv", data)
    assert not at.exception
    closed = at.radio(key=f"{key}:order:closed_at")
    assert closed.value == "dmy"
    assert closed.label == (
        "Every date in 'Close date' fits both orders. Which is it? The dates in "
        "'Created' are day first, so day first is chosen; change it if this "
        "column differs."
    )
    assert "2 rows read, 2 kept." in [m.value for m in at.markdown]


def test_date_order_not_taken_when_columns_differ():
    # Created only reads day first (13/04), Lost time only month first
    # (04/13), so the close dates get no order chosen for them.
    data = (
        b"Deal ID,Stage,Created,Close date,Lost time,Amount\n"
        b"D1,Won,13/04/2025,05/06/2025,,10\n"
        b"D2,Lost,12/05/2025,02/07/2025,04/13/2025,20\n"
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "dates_split.csv", data)
    assert not at.exception
    closed = at.radio(key=f"{key}:order:closed_at")
    assert closed.value is None
    assert closed.label == (
        "Every date in 'Close date' fits both orders. Which is it? The other "
        "date columns disagree: 'Created' is day first, 'Lost time' month first."
    )
    assert "Choose the date order of 'Close date' to go on." in at.info[-1].value
