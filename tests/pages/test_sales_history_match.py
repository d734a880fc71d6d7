"""Sales page: a stage history that contains none of the deals in use is
named, because its times describe other deals."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# Two deals whose ids the sample deals do not have.
OTHER_HISTORY = b"""Opportunity ID,Stage,Entered at
X-1,Prospecting,2025-01-02 09:00
X-1,Qualification,2025-01-05 09:00
X-2,Prospecting,2025-01-03 09:00
"""


def _warnings(at: AppTest) -> list[str]:
    return [warning.value for warning in at.warning]


def test_sample_history_matches_sample_deals():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert not [w for w in _warnings(at) if "holds none of the deals" in w]


def test_history_of_other_deals_named(fresh_workspace):
    AppTest.from_file(APP, default_timeout=60).run()
    history = load_file("history.csv", OTHER_HISTORY, table="stage_history")
    Workspace(fresh_workspace).save(
        history.frame,
        name="Other history",
        table_type="stage_history",
        source_file="history.csv",
        mapping=history.mapping,
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert (
        "The stage history 'Other history' holds none of the deals of "
        "'Sample deals', so its times describe other deals. Choose the stage "
        "history of these deals in the sidebar."
    ) in _warnings(at)
