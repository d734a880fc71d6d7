"""A link to a one-day custom period reopens as that day, and a custom
period with only its first day picked shows the figures of that day."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_period_span import TICKETS, _store_only

MARCH_3 = date(2025, 3, 3)


def _open_service(tmp_path, workspace_root, dates: list[str]) -> AppTest:
    """Open the Service page fresh with ``dates``, as a reload or a bookmark
    of the address does."""
    _store_only(tmp_path, workspace_root, {"tickets.csv": (TICKETS, "tickets")})
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"period": "Custom", "dates": dates})
    at.switch_page("pages/service.py").run()
    assert not at.exception
    return at


def _card(at: AppTest, label: str) -> tuple[str, list[str]]:
    """Return the value of the card ``label`` and the captions under it."""
    [metric] = [metric for metric in at.metric if metric.label == label]
    return metric.value, [caption.value for caption in at.main.caption]


def test_one_day_link_reopens_one_day(tmp_path, fresh_workspace):
    at = _open_service(tmp_path, fresh_workspace, ["2025-03-03", "2025-03-03"])

    assert at.sidebar.date_input(key="dates").value == (MARCH_3, MARCH_3)
    assert not [info.value for info in at.sidebar.info]
    assert not [text.value for text in at.main.warning if "dates=" in text.value]
    # Only T1 is solved on Monday 3 March: 09:00 to 15:00 = 6 business hours.
    # Up to the end of the data T2 would count too (Wednesday 12 March 10:00
    # to Thursday 11:00 = 7 + 2 = 9 h), giving (6 + 9) / 2 = 7.5 h.
    value, captions = _card(at, "Time to resolution")
    assert value == "6.0 h"
    assert any(caption.startswith("n = 1,") for caption in captions)
    assert any(caption.endswith("2025-03-03 to 2025-03-03.") for caption in captions)


def test_one_day_link_stays_on_rerun(tmp_path, fresh_workspace):
    at = _open_service(tmp_path, fresh_workspace, ["2025-03-03", "2025-03-03"])
    at.run()
    assert not at.exception

    assert at.sidebar.date_input(key="dates").value == (MARCH_3, MARCH_3)
    assert _card(at, "Time to resolution")[0] == "6.0 h"


def test_one_date_link_opens_one_day(tmp_path, fresh_workspace):
    # The URL of a restored one-day link gives the day once, so a reload of
    # it must open the same period.
    at = _open_service(tmp_path, fresh_workspace, ["2025-03-03"])

    assert at.sidebar.date_input(key="dates").value == (MARCH_3, MARCH_3)
    assert not [info.value for info in at.sidebar.info]
    assert _card(at, "Time to resolution")[0] == "6.0 h"


def test_first_day_only_is_one_day(tmp_path, fresh_workspace):
    at = _open_service(tmp_path, fresh_workspace, ["2025-03-03", "2025-03-13"])
    # As in the browser after a click on the first day only.
    at.sidebar.date_input(key="dates").set_value((MARCH_3,)).run()
    assert not at.exception

    assert at.sidebar.date_input(key="dates").value == (MARCH_3,)
    assert [info.value for info in at.sidebar.info] == [
        "Only the first day is picked, so the figures are for 2025-03-03 alone. "
        "Pick the last day of the period too."
    ]
    # T1 alone, as in test_one_day_link_reopens_one_day, and not the 7.5 h
    # of 3 March to the end of the data.
    value, captions = _card(at, "Time to resolution")
    assert value == "6.0 h"
    assert any(caption.endswith("2025-03-03 to 2025-03-03.") for caption in captions)


def test_two_day_link_unchanged(tmp_path, fresh_workspace):
    at = _open_service(tmp_path, fresh_workspace, ["2025-03-03", "2025-03-13"])

    assert at.sidebar.date_input(key="dates").value == (MARCH_3, date(2025, 3, 13))
    # T1 (6 h) and T2 (9 h) are solved from 3 to 13 March: (6 + 9) / 2 = 7.5 h.
    assert _card(at, "Time to resolution")[0] == "7.5 h"


def test_three_dates_use_the_two_shown(tmp_path, fresh_workspace):
    dates = ["2025-03-03", "2025-03-05", "2025-03-31"]
    at = _open_service(tmp_path, fresh_workspace, dates)

    warnings = " ".join(text.value for text in at.sidebar.warning)
    assert "gives 3 dates" in warnings
    # 3 to 5 March holds only T1's solve: 6 business hours. Up to 31 March
    # T2 (9 h) would count too, giving 7.5 h.
    value, captions = _card(at, "Time to resolution")
    assert value == "6.0 h"
    assert any(caption.endswith("2025-03-03 to 2025-03-05.") for caption in captions)
