"""Before and after page: a link's compare_date outside the days a period
can cover, or unreadable, gets the warning that names it, not a traceback."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

VALID = "Give dates from 1900-01-01 to 2199-12-31 as YYYY-MM-DD, such as 2025-01-31."


def _open(compare_date: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["compare_date"] = compare_date
    at.run()
    at.switch_page("pages/compare.py").run()
    return at


@pytest.mark.parametrize(
    "compare_date",
    ["9999-12-31", "0001-01-01", "2200-01-01", "1899-12-31", "2025-02-30"],
)
def test_far_compare_date_warns(compare_date):
    at = _open(compare_date)

    assert not at.exception
    assert not at.main.error
    shown = at.sidebar.date_input(key="compare_date").value
    warning = (
        f"The link's URL parameter compare_date={compare_date} is invalid, so the "
        f"page shows {shown} instead. {VALID}"
    )
    assert warning in [item.value for item in at.main.warning]
    # The page compares around the date it shows.
    assert at.dataframe


def test_compare_date_outside_data_errors():
    at = _open("2150-01-01")

    assert not at.exception
    [error] = [item.value for item in at.main.error]
    assert error.startswith("the date 2150-01-01 leaves no data on one side")
