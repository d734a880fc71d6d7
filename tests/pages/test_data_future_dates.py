"""The Data page names the dates of events after today."""

from __future__ import annotations

from datetime import date, timedelta

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP


def test_future_solve_date_warned():
    # The server's own date decides on the page, so the file's solve date
    # is a year after it, whenever the test runs.
    later = date.today() + timedelta(days=365)
    data = (
        "Id,Status,Created at,Solved at\n"
        "1,Solved,2026-03-02 10:00,2026-03-02 12:00\n"
        f"2,Solved,2026-03-03 10:00,{later.isoformat()} 10:00\n"
    ).encode()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([("tickets.csv", data, "text/csv")])
    at.run()

    assert not at.exception
    # Line 3 holds ticket 2, whose solve date is read as empty.
    assert "2 rows read, 2 kept, 1 of them with cells read as empty (see below)." in [
        m.value for m in at.markdown
    ]
    warnings = [w.value for w in at.warning if "after today" in w.value]
    assert len(warnings) == 1
    assert (
        "1 row with a date after today in column 'Solved at' (line 3" in (warnings[0])
    )
    assert "check the date; it lies after today's date" in warnings[0]
    assert date.today().isoformat() in warnings[0].replace("\\", "")
