"""The Service page gives an annualised churn rate only for a period with a
whole calendar month, because a rate of a few days is no monthly rate."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP


def _churn_caption(dates: list[str]) -> str:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["period"] = "Custom"
    at.query_params["dates"] = dates
    at.run()
    at.switch_page("pages/service.py").run()
    assert not at.exception
    return next(c.value for c in at.caption if c.value.startswith("Retention"))


def test_ten_days_no_annualised_churn():
    caption = _churn_caption(["2026-03-10", "2026-03-19"])
    assert "No annualised churn" in caption
    assert "Annualised churn" not in caption


def test_whole_month_annualised_churn():
    caption = _churn_caption(["2026-03-01", "2026-03-31"])
    assert "Annualised churn" in caption
