"""The Service page explains charts left empty by NPS responses without dates."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_period_span import TICKETS, _store_only

UNDATED_NPS = """\
Customer ID,Score
C1,9
C2,3
C3,10
"""


def _nps_infos(tmp_path, workspace_root, query: dict) -> list[str]:
    _store_only(
        tmp_path,
        workspace_root,
        {
            "tickets.csv": (TICKETS, "tickets"),
            "nps.csv": (UNDATED_NPS, "nps"),
        },
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params.update(query)
    at.switch_page("pages/service.py").run()
    assert not at.exception
    return [info.value for info in at.main.info]


def test_undated_responses_named_in_period(tmp_path, fresh_workspace):
    query = {"period": "Custom", "dates": ["2025-03-01", "2025-03-31"]}
    infos = _nps_infos(tmp_path, fresh_workspace, query)
    assert (
        "The responses have no dates, so there is no trend. Map a date column "
        "to responded_at on the Data page to see one." in infos
    )
    assert (
        "Scores are not shown. The responses have no dates, so none falls into "
        "this period; choose All data to see them." in infos
    )
    assert not any("No response falls into this period" in info for info in infos)


def test_undated_responses_all_data_show_scores(tmp_path, fresh_workspace):
    infos = _nps_infos(tmp_path, fresh_workspace, {"period": "All data"})
    # All data counts the 3 undated responses, so the scores are shown and
    # only the trend needs dates.
    assert not any(info.startswith("Scores are not shown") for info in infos)
    assert (
        "The responses have no dates, so there is no trend. Map a date column "
        "to responded_at on the Data page to see one." in infos
    )


NO_CUSTOMER_NPS = """\
Response ID,Score,Date
r1,9,2025-03-02
r2,3,2025-03-05
"""


def test_latest_per_customer_without_ids_named(tmp_path, fresh_workspace):
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "tickets.csv": (TICKETS, "tickets"),
            "nps.csv": (NO_CUSTOMER_NPS, "nps"),
        },
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/service.py").run()
    at.sidebar.radio(key="service_nps_variant").set_value("latest_per_customer").run()
    assert not at.exception
    infos = [info.value for info in at.main.info]
    assert (
        "The trend and the scores are not shown: the responses have no customer "
        "id column, so the latest response per customer cannot be chosen. Map a "
        "customer id column on the Data page, or count every response." in infos
    )
    assert not any("no dates" in info for info in infos)
