"""A link whose URL parameters a page cannot read shows a warning that names
the parameter, its value, the value used instead and the valid values."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

PERIODS = (
    "“All data”, “Last 12 full months”, “This year”, “Last full quarter”, “Custom”"
)


def _open(params: dict[str, str | list[str]], page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception
    return at


def _warnings(at: AppTest) -> list[str]:
    return [warning.value for warning in at.main.warning]


def test_misspelt_period_warns():
    at = _open({"period": "Last 12 months"})
    assert at.sidebar.selectbox(key="period").value == "all"
    assert (
        "The link's URL parameter period=Last 12 months is invalid, so the page "
        f"shows “All data” instead. Valid values are {PERIODS}."
    ) in _warnings(at)


def test_period_key_accepted():
    at = _open({"period": "last_12_months"})
    assert at.sidebar.selectbox(key="period").value == "last_12_months"
    assert not any("period=" in text for text in _warnings(at))


def test_period_label_accepted():
    at = _open({"period": "This year", "grain": "quarter"})
    assert at.sidebar.selectbox(key="period").value == "this_year"
    assert at.sidebar.segmented_control(key="grain").value == "quarter"
    assert not any("URL parameter" in text for text in _warnings(at))


def test_misspelt_grain_warns():
    at = _open({"grain": "monthly"})
    assert at.sidebar.segmented_control(key="grain").value == "month"
    assert (
        "The link's URL parameter grain=monthly is invalid, so the page shows "
        "“month” instead. Valid values are “week”, “month”, “quarter”, “year”."
    ) in _warnings(at)


def test_comparison_key_accepted():
    at = _open({"period": "This year", "compare_with": "last_year"})
    assert at.sidebar.selectbox(key="compare_with").value == "last_year"
    assert not any("URL parameter" in text for text in _warnings(at))


def test_misspelt_variant_warns():
    at = _open({"sales_close_rate_variant": "close"})
    assert at.sidebar.radio(key="sales_close_rate_variant").value == "cohort"
    assert (
        "The link's URL parameter sales_close_rate_variant=close is invalid, so "
        "the page shows “won / deals created” instead. Valid values are "
        "“won / deals created”, “won / (won + lost) closed”."
    ) in _warnings(at)


def test_variant_key_accepted():
    at = _open({"service_nps_variant": "latest_per_customer"}, "pages/service.py")
    assert at.sidebar.radio(key="service_nps_variant").value == "latest_per_customer"
    assert not any("URL parameter" in text for text in _warnings(at))


def test_warning_stays_until_changed():
    at = _open({"period": "Last 12 months"})
    at.run()
    assert any("period=Last 12 months" in text for text in _warnings(at))
    at.sidebar.selectbox(key="period").set_value("this_year").run()
    assert not any("period=" in text for text in _warnings(at))


def test_invalid_custom_dates_warn():
    at = _open({"period": "Custom", "dates": ["2025-13-01", "2025-03-31"]})
    texts = [text for text in _warnings(at) if "dates=" in text]
    assert len(texts) == 1
    assert texts[0].startswith(
        "The link's URL parameter dates=2025-13-01&dates=2025-03-31 is invalid"
    )
    assert texts[0].endswith(
        "Give the first and the last day as YYYY-MM-DD, such as 2025-01-31."
    )


def test_window_out_of_range_warns():
    at = _open({"compare_months": "99"}, "pages/compare.py")
    assert at.sidebar.number_input(key="compare_months").value == 6
    assert (
        "The link's URL parameter compare_months=99 is invalid, so the page "
        "shows 6 instead. Give a number from 1 to 36."
    ) in _warnings(at)


def test_valid_window_no_warning():
    at = _open({"compare_months": "3"}, "pages/compare.py")
    assert at.sidebar.number_input(key="compare_months").value == 3
    assert not any("URL parameter" in text for text in _warnings(at))


def test_negative_lifespan_warns():
    at = _open({"marketing_lifespan": "-2"}, "pages/marketing.py")
    assert at.sidebar.number_input(key="marketing_lifespan").value == 0.0
    assert (
        "The link's URL parameter marketing_lifespan=-2 is invalid, so the page "
        "shows 0 instead. Give a number from 0 to 100."
    ) in _warnings(at)
