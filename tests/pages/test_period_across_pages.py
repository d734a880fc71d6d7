"""The period, dates, grain and comparison of a link stay when the user
opens another page, and an option named by its key in the URL is written
back as its label."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP


def _open(params: dict[str, str | list[str]], page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception
    return at


def _url_values(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def test_period_key_written_as_label():
    at = _open(
        {"period": "custom", "dates": ["2024-04-01", "2024-06-30"]},
        "pages/service.py",
    )
    assert at.sidebar.selectbox(key="period").value == "custom"
    assert _url_values(at, "period") == ["Custom"]
    assert not at.main.warning


def test_comparison_key_written_as_label():
    at = _open({"period": "last_quarter", "compare_with": "previous"})
    assert at.sidebar.selectbox(key="compare_with").value == "previous"
    assert _url_values(at, "compare_with") == ["Previous period"]
    assert _url_values(at, "period") == ["Last full quarter"]


def test_custom_period_kept_on_switch():
    at = _open({"period": "Custom", "dates": ["2024-04-01", "2024-06-30"]})
    at.switch_page("pages/service.py").run()
    assert not at.exception
    assert at.title[0].value == "Customer service"
    assert at.sidebar.selectbox(key="period").value == "custom"
    assert at.sidebar.date_input(key="dates").value == (
        date(2024, 4, 1),
        date(2024, 6, 30),
    )
    assert _url_values(at, "dates") == ["2024-04-01", "2024-06-30"]


def test_grain_and_comparison_kept_on_switch():
    at = _open(
        {
            "period": "Last full quarter",
            "grain": "week",
            "compare_with": "Same period last year",
        }
    )
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="period").value == "last_quarter"
    assert at.sidebar.selectbox(key="compare_with").value == "last_year"
    assert _url_values(at, "grain") == ["week"]
    assert _url_values(at, "compare_with") == ["Same period last year"]


def test_all_data_stays_after_switch():
    at = _open({})
    at.switch_page("pages/service.py").run()
    assert at.sidebar.selectbox(key="period").value == "all"
    assert "period" not in at.query_params


def test_comparison_without_period_says_so():
    at = _open({"compare_with": "Previous period"})
    captions = " ".join(caption.value for caption in at.sidebar.caption)
    assert "The link asks for a comparison, which needs a period" in captions
