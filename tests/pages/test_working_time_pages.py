"""The Goals and Before and after pages count the hours to resolution in the
working time set on the Service page, say so, and keep it in shared links."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal
from kpi_core.sharing import ViewStore
from tests.kpi_core.test_compare_coverage import HOUR_TICKETS
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

LONG_DAYS_CAPTION = (
    "Time to resolution counts business hours of Mon-Fri 07:00-19:00 "
    "Europe/Berlin, holidays DE, the working time set on the Service page."
)


def _workspace(tmp_path, root) -> None:
    _store_only(tmp_path, root, {"tickets.csv": (HOUR_TICKETS, "tickets")})
    goal = Goal(
        "Faster answers",
        "resolution_hours",
        5.0,
        date(2025, 3, 1),
        date(2025, 3, 4),
        department="service",
    )
    GoalStore(root).save(goal)


def _after_service(hours: str) -> AppTest:
    """Open the Service page and enter ``hours`` as the working hours."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/service.py").run()
    at.sidebar.text_input(key="service_hours").input(hours).run()
    assert not at.exception
    return at


def _open_compare(at: AppTest) -> AppTest:
    at.switch_page("pages/compare.py").run()
    at.sidebar.date_input(key="compare_date").set_value(date(2025, 3, 1)).run()
    at.sidebar.number_input(key="compare_months").set_value(1).run()
    assert not at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.main.metric}


def _captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.main.caption]


def _resolution_row(at: AppTest) -> dict:
    table = at.dataframe[0].value
    [row] = table[table["KPI"] == "Time to resolution"].to_dict("records")
    return row


def test_goals_use_service_working_time(tmp_path, fresh_workspace):
    _workspace(tmp_path, fresh_workspace)
    at = _after_service("07:00-19:00")
    # The Service card: T0 10 h, T1 10 h and T2 2 h in 07:00-19:00, so
    # (10 + 10 + 2) / 3 = 7.3 h.
    assert _metrics(at)["Time to resolution"] == "7.3 h"

    at.switch_page("pages/goals.py").run()
    assert not at.exception
    metrics = _metrics(at)
    # Current: T1 Mon 08:00-18:00 = 10 h and T2 Tue 07:30-09:30 = 2 h, so
    # (10 + 2) / 2 = 6.0 h; with 09:00-17:00 it would be (8 + 0.5) / 2 = 4.3.
    assert metrics["Current"] == "6.0 h"
    # Baseline: T0 Tue 25 February 08:00-18:00 = 10 h (8 h in 09:00-17:00).
    assert metrics["Baseline"] == "10.0 h"
    assert LONG_DAYS_CAPTION in _captions(at)


def test_compare_uses_service_working_time(tmp_path, fresh_workspace):
    _workspace(tmp_path, fresh_workspace)
    at = _open_compare(_after_service("07:00-19:00"))
    row = _resolution_row(at)

    # 25 to 28 February (T0) against 1 to 4 March (T1, T2), 4 days each,
    # because the tickets run from 25 February to 4 March.
    # Before: 10 h. After: (10 + 2) / 2 = 6.0 h. In 09:00-17:00 they would
    # read 8.0 h and 4.3 h.
    assert row["Before"] == "10.0 h"
    assert row["After"] == "6.0 h"
    assert row["Days each"] == 4
    assert LONG_DAYS_CAPTION in _captions(at)


def test_default_working_time_before_service(tmp_path, fresh_workspace):
    _workspace(tmp_path, fresh_workspace)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/goals.py").run()
    assert not at.exception

    # 09:00-17:00: T1 8 h, T2 09:00-09:30 = 0.5 h, (8 + 0.5) / 2 = 4.25,
    # which reads 4.3 h.
    assert _metrics(at)["Current"] == "4.3 h"
    assert (
        "Time to resolution counts business hours of Mon-Fri 09:00-17:00 "
        "Europe/Berlin, holidays DE, the working time set on the Service page."
    ) in _captions(at)


def test_goals_link_keeps_working_time(tmp_path, fresh_workspace):
    _workspace(tmp_path, fresh_workspace)
    at = _after_service("07:00-19:00")
    at.switch_page("pages/goals.py").run()
    at.sidebar.button(key="share").click().run()
    assert not at.exception
    [view] = ViewStore(fresh_workspace).list()
    assert view.settings["service_hours"] == "07:00-19:00"

    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = view.token
    manager.run()
    manager.switch_page("pages/goals.py").run()
    assert not manager.exception
    assert _metrics(manager)["Current"] == "6.0 h"
    assert LONG_DAYS_CAPTION in _captions(manager)


def test_service_link_sets_compare_hours(tmp_path, fresh_workspace):
    _workspace(tmp_path, fresh_workspace)
    at = _after_service("07:00-19:00")
    at.sidebar.button(key="share").click().run()
    [view] = ViewStore(fresh_workspace).list()

    # A manager who opens the Service link and moves on to Before and after
    # gets the link's working time there too.
    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = view.token
    manager.run()
    manager.switch_page("pages/service.py").run()
    manager.switch_page("pages/compare.py").run()
    assert not manager.exception
    # The link leaves the date at its default, the middle of the tickets'
    # dates: 25 February + 7 // 2 days = 28 February. The windows are 3 days
    # each, 25 to 27 February (T0, 10 h; 8 h in 09:00-17:00) against 28
    # February to 2 March, when no ticket was solved.
    row = _resolution_row(manager)
    assert row["Before"] == "10.0 h"
    assert row["After"] == "no data"
    assert LONG_DAYS_CAPTION in _captions(manager)


def test_invalid_working_time_stops_hours(tmp_path, fresh_workspace):
    _workspace(tmp_path, fresh_workspace)
    at = _after_service("9-17")
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    reason = (
        "Time to resolution is not shown, because the working time set on the "
        "Service page is invalid: invalid working hours '9-17'"
    )
    [warning] = [warning.value for warning in at.main.warning]
    assert warning.startswith(f"Faster answers: {reason}")
    assert "Current" not in _metrics(at)

    at = _open_compare(at)
    assert "Time to resolution" not in at.dataframe[0].value["KPI"].tolist()
    assert any(caption.startswith(reason) for caption in _captions(at))


def test_working_time_kept_for_new_sessions(tmp_path, fresh_workspace):
    _workspace(tmp_path, fresh_workspace)
    _after_service("07:00-19:00")

    # A later session, as after a browser reload, starts on Goals with the
    # working time last entered on the Service page.
    later = AppTest.from_file(APP, default_timeout=60)
    later.switch_page("pages/goals.py").run()
    assert not later.exception
    # (10 + 2) / 2 = 6.0 h in 07:00-19:00, as in the session that set it.
    assert _metrics(later)["Current"] == "6.0 h"
    assert LONG_DAYS_CAPTION in _captions(later)

    later.switch_page("pages/service.py").run()
    assert later.sidebar.text_input(key="service_hours").value == "07:00-19:00"
    assert _metrics(later)["Time to resolution"] == "7.3 h"


def test_invalid_working_time_not_kept(tmp_path, fresh_workspace):
    _workspace(tmp_path, fresh_workspace)
    at = _after_service("07:00-19:00")
    at.sidebar.text_input(key="service_hours").input("9-17").run()
    assert not at.exception

    later = AppTest.from_file(APP, default_timeout=60)
    later.switch_page("pages/goals.py").run()
    # The invalid entry is not stored, so the last valid one still counts.
    assert _metrics(later)["Current"] == "6.0 h"


def test_viewer_working_time_not_kept(tmp_path, fresh_workspace):
    _workspace(tmp_path, fresh_workspace)
    viewer = AppTest.from_file(APP, default_timeout=60)
    viewer.secrets["editor_password"] = "s3cret"
    viewer.switch_page("pages/service.py").run()
    viewer.sidebar.text_input(key="service_hours").input("07:00-19:00").run()
    assert not viewer.exception
    # The viewer's own session counts the hours in 07:00-19:00 ...
    assert _metrics(viewer)["Time to resolution"] == "7.3 h"
    captions = [caption.value for caption in viewer.sidebar.caption]
    assert (
        "Without the editor password, changes here last for this session only."
        in captions
    )

    # ... but without the editor password nothing is stored, so a later
    # session keeps 09:00-17:00: (8 + 0.5) / 2 = 4.25, which reads 4.3 h.
    later = AppTest.from_file(APP, default_timeout=60)
    later.switch_page("pages/goals.py").run()
    assert _metrics(later)["Current"] == "4.3 h"


def test_older_session_does_not_revert_working_time(tmp_path, fresh_workspace):
    _workspace(tmp_path, fresh_workspace)
    older = AppTest.from_file(APP, default_timeout=60)
    older.switch_page("pages/service.py").run()
    _after_service("07:00-19:00")

    # The older session still shows 09:00-17:00; a rerun there stores
    # nothing, because its user changed nothing.
    older.run()
    later = AppTest.from_file(APP, default_timeout=60)
    later.switch_page("pages/goals.py").run()
    assert _metrics(later)["Current"] == "6.0 h"


def test_url_working_time_not_stored(tmp_path, fresh_workspace):
    _workspace(tmp_path, fresh_workspace)
    visitor = AppTest.from_file(APP, default_timeout=60)
    visitor.query_params["service_hours"] = "07:00-19:00"
    visitor.run()
    visitor.switch_page("pages/service.py").run()
    assert visitor.sidebar.text_input(key="service_hours").value == "07:00-19:00"

    # Opening a URL is no change, so later sessions keep 09:00-17:00:
    # (8 + 0.5) / 2 = 4.25, which reads 4.3 h.
    later = AppTest.from_file(APP, default_timeout=60)
    later.switch_page("pages/goals.py").run()
    assert _metrics(later)["Current"] == "4.3 h"
