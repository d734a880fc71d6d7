"""Service page: tickets without a solve-date column show why the time to
resolution and the follow-ups per ticket are missing, instead of reporting
that no ticket was solved."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

# "Closed" is a yes/no flag, not a date, so the import maps no solve date.
# T-1, T-2 and T-4 are marked solved or closed, and T-3 is open.
TICKETS_CSV = (
    "Ticket ID,Created,Status,Assignee,Closed,Replies\n"
    "T-1,2025-03-03 09:00,Solved,Anna,yes,2\n"
    "T-2,2025-03-04 10:00,Closed,Ben,yes,1\n"
    "T-3,2025-03-05 08:00,Open,Anna,no,0\n"
    "T-4,2025-03-10 12:00,Gelöst,Ben,yes,3\n"
).encode()
REASON = (
    "the tickets have no solve-date column, so no ticket counts as solved. "
    "3 of 4 tickets are marked solved or closed in the status column. Map a "
    "solve or close date column to solved_at on the Data page"
)
# The reason as the sentences under the section titles start it.
SENTENCES = f"{REASON[:1].upper()}{REASON[1:]}."


def _import(at: AppTest, name: str, data: bytes) -> None:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(name, data, "text/csv")])
    at.run()
    [button] = [b for b in at.button if b.label.startswith("Import")]
    button.click().run()
    assert at.success, [e.value for e in at.error]


def test_service_page_names_missing_column():
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, "tickets.csv", TICKETS_CSV)
    at.switch_page("pages/service.py").run()
    assert not at.exception

    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Time to resolution"] == "Not available"
    assert metrics["Follow-ups per ticket"] == "Not available"
    captions = [caption.value for caption in at.main.caption]
    assert captions.count(REASON) == 2
    infos = [info.value for info in at.main.info]
    assert f"Time to resolution is not shown. {SENTENCES}" in infos
    assert f"Follow-ups per ticket are not shown. {SENTENCES}" in infos
    assert not [info for info in infos if "No ticket was solved" in info]
    assert not at.main.dataframe
