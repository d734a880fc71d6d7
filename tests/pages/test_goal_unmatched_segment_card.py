"""Goals page: the card of a goal whose segment matches no row says the goal
is not available and why, and shows no "At risk" forecast."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal, parse_segments
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

# Three deals created in February and March 2025, owned by Lea and Tim.
DEALS = (
    "Deal ID,Deal Name,Deal Stage,Amount,Deal owner,Create Date,Close Date\n"
    "1,Alpha,Closed won,1000,Lea,2025-02-03,2025-02-20\n"
    "2,Beta,Appointment scheduled,500,Tim,2025-02-10,\n"
    "3,Gamma,Closed lost,200,Lea,2025-03-01,2025-03-20\n"
)


def test_unmatched_segment_card(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (DEALS, "deals")})
    goal = Goal(
        "Evil opens 3 deals", "new_deals", 3, date(2025, 2, 1), date(2025, 4, 30),
        segments=parse_segments("owner = <script>", "deals"),
    )  # fmt: skip
    GoalStore(fresh_workspace).save(goal)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    texts = [element.value for element in at.markdown]
    assert any("Not available" in text for text in texts)
    assert not any("At risk" in text for text in texts)
    captions = " ".join(caption.value for caption in at.main.caption)
    assert "no rows of the deals table match the goal" in captions
    metrics = {metric.label: metric.value for metric in at.metric}
    # The card shows an en dash for a figure it does not have.
    assert metrics["Current"] == "\u2013"
    assert metrics["Forecast at the deadline"] == "\u2013"
    assert metrics["Target"] == "3"
