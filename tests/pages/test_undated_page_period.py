"""A page whose tables have no dates shows all data with a note, and keeps
the period and comparison of its URL for the other pages and a shared view."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpi_core.sharing import ViewStore
from tests.pages.conftest import APP
from tests.pages.test_period_span import DEALS, _store_only
from tests.pages.test_service_nps_undated import UNDATED_NPS

# Tickets whose creation dates are all empty.
UNDATED_TICKETS = """\
Ticket ID,Created at,Status,Priority
T1,,solved,high
T2,,open,low
T3,,solved,low
"""
LINK = {
    "period": "Custom",
    "dates": ["2024-04-01", "2024-06-30"],
    "compare_with": "Previous period",
}
NOTE = (
    "No table of this page has dates, so the figures cover all data in place "
    "of the period 2024-04-01 to 2024-06-30, without a comparison with the "
    "previous period. Pages with dated tables use that period and comparison."
)
CAPTION = (
    "No table of this page has dates, so there is no period to pick and the "
    "figures cover all data."
)


def _open_service(
    tmp_path: Path,
    workspace_root: Path,
    query: dict[str, str | list[str]],
    undated: tuple[str, str] = (UNDATED_NPS, "nps"),
) -> AppTest:
    """Open the Service page with the URL parameters ``query``, in a
    workspace with dated deals and the undated table ``undated`` (content
    and table type)."""
    _store_only(
        tmp_path,
        workspace_root,
        {"deals.csv": (DEALS, "deals"), "undated.csv": undated},
    )
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.switch_page("pages/service.py").run()
    assert not at.exception
    return at


def _url_values(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize(
    "undated",
    [(UNDATED_NPS, "nps"), (UNDATED_TICKETS, "tickets")],
    ids=["nps", "tickets"],
)
def test_undated_page_names_url_period(tmp_path, fresh_workspace, undated):
    at = _open_service(tmp_path, fresh_workspace, LINK, undated)
    assert NOTE in [info.value for info in at.main.info]
    captions = [caption.value for caption in at.sidebar.caption]
    assert CAPTION in captions
    assert not any("Pick one above" in caption for caption in captions)
    assert _url_values(at, "period") == ["Custom"]
    assert _url_values(at, "dates") == ["2024-04-01", "2024-06-30"]
    assert _url_values(at, "compare_with") == ["Previous period"]


def test_undated_page_quick_period_named(tmp_path, fresh_workspace):
    at = _open_service(tmp_path, fresh_workspace, {"period": "last_quarter"})
    infos = [info.value for info in at.main.info]
    assert (
        "No table of this page has dates, so the figures cover all data in "
        "place of the period “Last full quarter”. Pages with dated tables use "
        "that period." in infos
    )


def test_undated_page_all_data_no_note(tmp_path, fresh_workspace):
    at = _open_service(tmp_path, fresh_workspace, {"period": "All data"})
    infos = [info.value for info in at.main.info]
    assert not any(info.startswith("No table of this page") for info in infos)
    assert CAPTION in [caption.value for caption in at.sidebar.caption]


def test_undated_page_passes_period_on(tmp_path, fresh_workspace):
    at = _open_service(tmp_path, fresh_workspace, LINK)
    # The sidebar navigation of a browser drops the URL parameters of the
    # page it leaves.
    at.query_params.clear()
    at.switch_page("pages/sales.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="period").value == "custom"
    assert at.sidebar.date_input(key="dates").value == (
        date(2024, 4, 1),
        date(2024, 6, 30),
    )
    assert at.sidebar.selectbox(key="compare_with").value == "previous"
    assert _url_values(at, "compare_with") == ["Previous period"]


def test_undated_page_share_keeps_period(tmp_path, fresh_workspace):
    at = _open_service(tmp_path, fresh_workspace, LINK)
    at.sidebar.button(key="share").click().run()
    assert not at.exception
    store = ViewStore(fresh_workspace)
    [view] = store.list()
    settings = store.get(view.token).settings
    assert settings["period"] == "custom"
    assert settings["dates"] == [{"date": "2024-04-01"}, {"date": "2024-06-30"}]
    assert settings["compare_with"] == "previous"

    viewer = AppTest.from_file(APP, default_timeout=60)
    viewer.query_params["view"] = view.token
    viewer.switch_page("pages/service.py").run()
    assert not viewer.exception
    assert NOTE in [info.value for info in viewer.main.info]
    viewer.switch_page("pages/sales.py").run()
    assert not viewer.exception
    assert viewer.sidebar.date_input(key="dates").value == (
        date(2024, 4, 1),
        date(2024, 6, 30),
    )
    assert viewer.sidebar.selectbox(key="compare_with").value == "previous"
