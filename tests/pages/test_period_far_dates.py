"""A link whose period reaches far beyond the data, to year 1 or 9999, is
cut to ten years around the data with a warning."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP


@pytest.mark.parametrize(
    ("page", "dates", "grain"),
    [
        ("pages/sales.py", ["0001-01-01", "9999-12-31"], "week"),
        ("pages/sales.py", ["9999-12-31", "9999-12-31"], "month"),
        ("pages/marketing.py", ["0001-01-01", "2025-12-31"], "year"),
    ],
    ids=["sales-weeks", "sales-last-day", "marketing-years"],
)
def test_far_period_cut_to_data(page, dates, grain):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["period"] = "Custom"
    at.query_params["dates"] = dates
    at.query_params["grain"] = grain
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    [warning] = [w.value for w in at.sidebar.warning if "years beyond" in w.value]
    assert warning.startswith(f"The period {dates[0]} to {dates[1]} reaches more")
