"""Service page: tickets whose creation times have no time of day get a
warning under the cards that names the file's column and what it does to
the time to resolution.

The working time is the default, Mon-Fri 09:00-17:00 Europe/Berlin with the
German holidays; July 2024 has no holiday there and no clock change.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

# T1: created Monday 8 July, solved Tuesday 03:00. From Monday 00:00 that is
# the whole Monday, 8 business hours. T2: created Wednesday 10 July, solved
# Wednesday 15:00, 09:00-15:00 = 6 business hours. Mean (8 + 6) / 2 = 7.
DATE_ONLY_CSV = (
    b"ticket_id,submitted_at,closed_at\n"
    b"T1,2024-07-08,2024-07-09 03:00:00\n"
    b"T2,2024-07-10,2024-07-10 15:00:00\n"
)
WARNING = (
    "Time to resolution: 'submitted_at' has the time 00:00 on every measured "
    "ticket, which is how a date without a time of day is read. Each ticket "
    "counts from the start of the day it was created, which adds up to a "
    "working day (8 hours) to its time."
)


def _import(at: AppTest, name: str, data: bytes) -> None:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(name, data, "text/csv")])
    at.run()
    [button] = [b for b in at.button if b.label.startswith("Import")]
    button.click().run()
    assert at.success, [e.value for e in at.error]


def test_date_only_tickets_warned():
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, "tickets.csv", DATE_ONLY_CSV)
    at.switch_page("pages/service.py").run()
    assert not at.exception

    shown = {metric.label: metric.value for metric in at.metric}
    assert shown["Time to resolution"] == "7.0 h"
    warnings = [warning.value for warning in at.warning]
    assert WARNING in warnings


def test_timed_sample_tickets_not_warned():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/service.py").run()
    assert not at.exception

    # The sample tickets have times such as 2025-01-01 16:38:34.
    assert not [w.value for w in at.warning if "time of day" in w.value]
