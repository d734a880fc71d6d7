"""A goal whose segment matches no row of its table is not measurable: its
status says so and names the reason, on the card and in the workbook."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from kpi_core.goal_progress import NOT_AVAILABLE, evaluate_goal
from kpi_core.goals import Goal, parse_segments
from kpi_core.goals_workbook import GoalRow, goals_workbook
from kpi_core.importing import load_file

# Three deals created in February and March 2025, owned by Lea and Tim.
DEALS = (
    "Deal ID,Deal Name,Deal Stage,Amount,Deal owner,Create Date,Close Date\n"
    "1,Alpha,Closed won,1000,Lea,2025-02-03,2025-02-20\n"
    "2,Beta,Appointment scheduled,500,Tim,2025-02-10,\n"
    "3,Gamma,Closed lost,200,Lea,2025-03-01,2025-03-20\n"
)
REASON = (
    "no rows of the deals table match the goal's segment (owner = <script>); "
    "check the spelling of the values"
)


def _deals(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(DEALS, encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table="deals").frame


def _goal(segment: str) -> Goal:
    return Goal(
        "Opens 3 deals", "new_deals", 3, date(2025, 2, 1), date(2025, 4, 30),
        segments=parse_segments(segment, "deals"),
    )  # fmt: skip


def test_unmatched_count_not_available(tmp_path):
    goal = _goal("owner = <script>")
    status = evaluate_goal(goal, {"deals": _deals(tmp_path)}, date(2025, 3, 20))
    assert status.status == NOT_AVAILABLE
    assert status.reason == REASON
    # No count and no forecast, but the card keeps the target it was set.
    assert status.current is None
    assert status.forecast is None
    assert status.forecast_band is None
    assert status.target == 3


def test_matched_count_measured(tmp_path):
    # Guard: Lea created Alpha on 2025-02-03 and Gamma on 2025-03-01, so
    # her count is 2.
    status = evaluate_goal(
        _goal("owner = Lea"), {"deals": _deals(tmp_path)}, date(2025, 3, 20)
    )
    assert status.status != NOT_AVAILABLE
    assert status.current == 2


def test_unmatched_reason_in_workbook(tmp_path):
    goal = _goal("owner = <script>")
    status = evaluate_goal(goal, {"deals": _deals(tmp_path)}, date(2025, 3, 20))
    data = goals_workbook([GoalRow(goal, status, {}, "deals")], date(2025, 3, 20))
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers, values = rows[3], rows[4]
    row = dict(zip(headers, values, strict=True))
    assert row["Status"] == "Not available"
    assert row["Why not available"] == REASON
    assert row["Forecast at the deadline"] is None
    assert row["Forecast high (95 %)"] is None
