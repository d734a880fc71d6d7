"""An invalid working time on the Service page stops only the time to
resolution: NPS, churn and their charts stay."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_period_span import CHURN_SUBSCRIPTIONS, TICKETS, _store_only

# Two promoters (9, 10) and one detractor (3) in the first quarter of 2024.
NPS = """\
Response ID,Score,Date
r1,9,2024-01-10
r2,3,2024-02-10
r3,10,2024-03-10
"""
REASON = "Not computed, because the working time in the sidebar is invalid: "


@pytest.mark.parametrize(
    ("hours", "problem"),
    [
        ("25:00-26:00", "invalid working hours '25:00-26:00'"),
        ("9-17", "invalid working hours '9-17'"),
        ("17:00-09:00", "invalid working hours '17:00-09:00'"),
    ],
)
def test_invalid_hours_keep_other_kpis(tmp_path, fresh_workspace, hours, problem):
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "tickets.csv": (TICKETS, "tickets"),
            "nps.csv": (NPS, "nps"),
            "subscriptions.csv": (CHURN_SUBSCRIPTIONS, "subscriptions"),
        },
    )
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"period": "Custom", "dates": ["2024-01-01", "2024-03-31"]})
    at.switch_page("pages/service.py").run()
    at.sidebar.text_input(key="service_hours").input(hours).run()
    assert not at.exception

    metrics = {metric.label: metric.value for metric in at.metric}
    # (2 promoters - 1 detractor) / 3 responses * 100 = 33.3.
    assert metrics["Net Promoter Score"] == "33"
    # A, B, C and D are active on 1 January 2024, and B and D end in the
    # quarter: 2 / 4 = 50.0 %.
    assert metrics["Churn rate"] == "50.0 %"
    assert metrics["Time to resolution"] == "Not available"
    # The NPS trend, the score distribution and churn by month.
    assert len(at.get("vega_lite_chart")) >= 3
    assert not at.main.error

    [error] = [error.value for error in at.sidebar.error]
    assert error.startswith(problem[:1].upper() + problem[1:])
    assert error.endswith(
        "The time to resolution is not available until the working time is valid."
    )
    captions = [caption.value for caption in at.main.caption]
    assert any(caption.startswith(REASON + problem) for caption in captions)
    infos = [info.value for info in at.main.info]
    assert any(info.startswith(REASON + problem) for info in infos)


def test_valid_hours_again_restore_resolution(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"tickets.csv": (TICKETS, "tickets")})
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/service.py").run()
    at.sidebar.text_input(key="service_hours").input("9-17").run()
    at.sidebar.text_input(key="service_hours").input("09:00-17:00").run()
    assert not at.exception

    # T1: Monday 3 March 2025 09:00 to 15:00 = 6 h. T2: Wednesday 12 March
    # 10:00 to Thursday 11:00 = 7 + 2 = 9 h. (6 + 9) / 2 = 7.5 h.
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Time to resolution"] == "7.5 h"
    assert not at.sidebar.error
