"""A shared view fixes every setting that changes its figures."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.sharing import ViewStore
from tests.pages.conftest import APP
from tests.pages.test_period_span import EMAIL_EVENTS, _store_only


def _share(at: AppTest, workspace_root) -> str:
    at.sidebar.button(key="share").click().run()
    assert not at.exception
    [view] = ViewStore(workspace_root).list()
    return view.token


def _open_link(token: str, page: str) -> AppTest:
    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = token
    manager.run()
    manager.switch_page(page).run()
    assert not manager.exception
    return manager


def _caption_text(at: AppTest) -> str:
    return " ".join(caption.value for caption in at.main.caption)


def _headline(at: AppTest) -> str:
    return " ".join(subheader.value for subheader in at.main.subheader)


def test_compare_link_fixes_date_and_window(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    at.sidebar.date_input(key="compare_date").set_value(date(2026, 1, 1)).run()
    at.sidebar.number_input(key="compare_months").set_value(3).run()
    token = _share(at, fresh_workspace)

    manager = _open_link(token, "pages/compare.py")
    window = manager.sidebar.number_input(key="compare_months")
    pivot = manager.sidebar.date_input(key="compare_date")
    assert window.disabled
    assert pivot.disabled
    assert window.value == 3
    assert pivot.value == date(2026, 1, 1)
    # January to March 2026 has 31 + 28 + 31 = 90 days.
    assert "90 days each" in _headline(manager)

    # A browser cannot change a disabled widget, and AppTest refuses to. An
    # edited URL does not change the link's 3 months either.
    manager.query_params["compare_months"] = "6"
    manager.run()
    assert not manager.exception
    assert manager.sidebar.number_input(key="compare_months").value == 3
    assert "90 days each" in _headline(manager)


def test_service_link_fixes_working_time_and_variants(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/service.py").run()
    at.sidebar.text_input(key="service_hours").set_value("08:00-16:00").run()
    at.sidebar.radio(key="service_churn_variant").set_value("revenue").run()
    token = _share(at, fresh_workspace)

    manager = _open_link(token, "pages/service.py")
    hours = manager.sidebar.text_input(key="service_hours")
    churn = manager.sidebar.radio(key="service_churn_variant")
    assert hours.disabled
    assert churn.disabled
    assert hours.value == "08:00-16:00"
    assert churn.value == "revenue"
    for key in ("service_timezone", "service_days", "service_holidays"):
        assert manager.sidebar.text_input(key=key).disabled, key
    for key in ("service_resolution_variant", "service_nps_variant"):
        assert manager.sidebar.radio(key=key).disabled, key


def test_marketing_link_fixes_variants(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    token = _share(at, fresh_workspace)

    manager = _open_link(token, "pages/marketing.py")
    assert manager.sidebar.number_input(key="marketing_lifespan").disabled
    for key in ("marketing_clv_variant", "marketing_growth_variant"):
        assert manager.sidebar.radio(key=key).disabled, key


def test_link_dates_outside_data_kept(tmp_path, fresh_workspace):
    _store_only(
        tmp_path, fresh_workspace, {"events.csv": (EMAIL_EVENTS, "email_events")}
    )
    # A link made before the tables were replaced by ones that end sooner.
    settings = {
        "period": "custom",
        "dates": [{"date": "2030-01-01"}, {"date": "2030-01-31"}],
    }
    view = ViewStore(fresh_workspace).create("marketing", "Marketing", settings)

    manager = _open_link(view.token, "pages/marketing.py")
    picker = manager.sidebar.date_input(key="dates")
    assert picker.disabled
    assert picker.value == (date(2030, 1, 1), date(2030, 1, 31))
    # The events run from the first subscription on 2024-04-01 to the
    # cleaning on 2025-01-25.
    captions = [caption.value for caption in manager.sidebar.caption]
    assert (
        "No table of this page has dates in this period. The data runs from "
        "2024-04-01 to 2025-01-25." in captions
    )


def test_sales_link_keeps_chosen_variants(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.radio(key="sales_close_rate_variant").set_value("closed").run()
    at.sidebar.radio(key="sales_cycle_variant").set_value("closed").run()
    token = _share(at, fresh_workspace)

    manager = _open_link(token, "pages/sales.py")
    for key in ("sales_close_rate_variant", "sales_cycle_variant"):
        radio = manager.sidebar.radio(key=key)
        assert radio.disabled, key
        assert radio.value == "closed", key


def test_marketing_link_keeps_lifespan(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    at.sidebar.number_input(key="marketing_lifespan").set_value(7).run()
    token = _share(at, fresh_workspace)

    manager = _open_link(token, "pages/marketing.py")
    assert manager.sidebar.number_input(key="marketing_lifespan").value == 7


def test_goals_link_fixes_evaluation_day(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    at.sidebar.date_input(key="goals_as_of").set_value(date(2025, 6, 30)).run()
    token = _share(at, fresh_workspace)

    manager = _open_link(token, "pages/goals.py")
    as_of = manager.sidebar.date_input(key="goals_as_of")
    assert as_of.disabled
    assert as_of.value == date(2025, 6, 30)


def test_link_clv_reason_names_sender(fresh_workspace):
    # The subscription CLV of ten days has no whole month to take a churn
    # rate from, so it requests a lifespan, which a viewer cannot enter.
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "Custom"
    at.query_params["dates"] = ["2026-03-10", "2026-03-19"]
    at.run()
    at.switch_page("pages/marketing.py").run()
    at.radio(key="marketing_clv_variant").set_value("subscription").run()
    assert "enter a lifespan in years" in _caption_text(at)
    token = _share(at, fresh_workspace)

    manager = _open_link(token, "pages/marketing.py")
    text = _caption_text(manager)
    assert "the sender of this link can enter a lifespan in years" in text
