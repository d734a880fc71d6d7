"""Opening a shared link logs no warning about widget state."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from streamlit.elements.lib import policies
from streamlit.testing.v1 import AppTest

from kpi_core.sharing import ViewStore
from tests.pages.conftest import APP


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def state_warnings(monkeypatch):
    """Collect the messages of Streamlit's widget policy checks. Streamlit
    logs the duplicate-value warning once per process, so the flag that
    records it is reset for this test."""
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    records = _Records()
    policies._LOGGER.addHandler(records)
    yield records.messages
    policies._LOGGER.removeHandler(records)


def test_sales_link_custom_period_logs_nothing(fresh_workspace, state_warnings):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.selectbox(key="period").set_value("custom").run()
    picked = (date(2025, 2, 1), date(2025, 4, 30))
    at.sidebar.date_input(key="dates").set_value(picked).run()
    at.sidebar.segmented_control(key="grain").set_value("week").run()
    at.sidebar.selectbox(key="compare_with").set_value("previous").run()
    at.sidebar.radio(key="sales_cycle_variant").set_value("closed").run()
    at.sidebar.button(key="share").click().run()
    assert not at.exception
    [view] = ViewStore(fresh_workspace).list()
    assert view.settings["grain"] == "week"

    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = view.token
    manager.run()
    manager.switch_page("pages/sales.py").run()
    # A rerun, as any click in the browser makes one.
    manager.run()
    assert not manager.exception
    assert state_warnings == []
    dates = manager.sidebar.date_input(key="dates")
    grain = manager.sidebar.segmented_control(key="grain")
    assert dates.value == picked
    assert dates.disabled
    assert grain.value == "week"
    assert grain.disabled


def test_service_link_working_time_logs_nothing(fresh_workspace, state_warnings):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/service.py").run()
    at.sidebar.text_input(key="service_hours").set_value("08:00-16:00").run()
    at.sidebar.text_input(key="service_holidays").set_value("DE-BY").run()
    at.sidebar.button(key="share").click().run()
    assert not at.exception
    [view] = ViewStore(fresh_workspace).list()

    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = view.token
    manager.run()
    manager.switch_page("pages/service.py").run()
    manager.run()
    assert not manager.exception
    assert state_warnings == []
    assert manager.sidebar.text_input(key="service_hours").value == "08:00-16:00"
    assert manager.sidebar.text_input(key="service_holidays").value == "DE-BY"


def test_goals_as_of_change_logs_nothing(fresh_workspace, state_warnings):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    # A new evaluation day moves the dates of the new-goal form through the
    # session state, which the form's date inputs then show.
    at.sidebar.date_input(key="goals_as_of").set_value(date(2025, 3, 31)).run()
    assert not at.exception
    assert state_warnings == []
