"""Progress of a count goal whose data starts after its baseline window.

The goal "20 new deals in the first half of 2026" runs 181 days, 1 January
to 30 June 2026 (31 + 28 + 31 + 30 + 31 + 30), so its baseline window is
the 181 days from 4 July to 31 December 2025. Evaluated on 14 April 2026,
104 days have passed (31 + 28 + 31 + 14) and 77 are left.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from kpi_core.goal_checks import smart_check
from kpi_core.goal_metrics import MONTH_DAYS
from kpi_core.goal_progress import AT_RISK, NOT_AVAILABLE, evaluate_goal
from kpi_core.goals import Goal
from kpi_core.goals_workbook import GoalRow, goals_workbook
from kpi_core.importing import load_file

START, DEADLINE, AS_OF = date(2026, 1, 1), date(2026, 6, 30), date(2026, 4, 14)
# Eight deals created from 7 January to 14 April 2026, none before.
DEAL_DAYS = (
    "2026-01-07", "2026-01-20", "2026-02-03", "2026-02-17",
    "2026-03-04", "2026-03-18", "2026-04-01", "2026-04-14",
)  # fmt: skip
PIPEDRIVE_HEADER = (
    "Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Stage,"
    "Deal - Status,Deal - Deal created,Deal - Won time"
)


def _pipedrive_deals(tmp_path: Path, earlier_days: tuple[str, ...] = ()):
    """Write a Pipedrive deals export with the deals of ``DEAL_DAYS`` and
    ``earlier_days`` to ``tmp_path`` and load it as the app does."""
    lines = [PIPEDRIVE_HEADER]
    for number, day in enumerate(earlier_days + DEAL_DAYS, start=1):
        lines.append(f"{number},Deal {number},1000,EUR,Qualified,open,{day} 10:00,")
    path = tmp_path / "pipedrive_deals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"deals": load_file(path.name, path.read_bytes()).frame}


def _tickets(tmp_path: Path):
    """Write a tickets export with 8 tickets on the days of ``DEAL_DAYS``."""
    lines = ["Id,Status,Created at,Solved at"]
    for number, day in enumerate(DEAL_DAYS, start=1):
        lines.append(f"{number},Solved,{day} 09:00,{day} 10:00")
    path = tmp_path / "tickets.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"tickets": load_file(path.name, path.read_bytes()).frame}


def _twenty_deals(**changes) -> Goal:
    values = {
        "title": "20 neue Deals im ersten Halbjahr",
        "metric": "new_deals",
        "target": 20,
        "start": START,
        "deadline": DEADLINE,
    }
    return Goal(**{**values, **changes})


def test_count_without_baseline_progress_from_zero(tmp_path):
    status = evaluate_goal(_twenty_deals(), _pipedrive_deals(tmp_path), AS_OF)
    # The forecast continues the pace so far: 8 / (104 / 30.4375) per month
    # for 77 / 30.4375 months, so 8 + 8 x 77 / 104 = 8 x 181 / 104 = 13.92,
    # rounded half up to 14. Progress from 0 is 14 / 20 x 100 = 70 %.
    assert status.baseline is None
    assert status.current == 8
    assert status.forecast == 14
    assert status.progress == pytest.approx(70.0)
    assert status.progress_from_zero
    assert status.progress_note == (
        "Progress is measured from 0 because the data starts on 2026-01-07, "
        "after the baseline window, so no count before the start is known. "
        "The count of this goal starts at 0 on 2026-01-01."
    )


def test_count_from_zero_keeps_other_figures(tmp_path):
    status = evaluate_goal(_twenty_deals(), _pipedrive_deals(tmp_path), AS_OF)
    # Pace so far 8 / (104 / 30.4375) = 2.341 per month. Pace needed
    # (20 - 8) / (77 / 30.4375) = 4.744 per month. The forecast 14 misses
    # 20, and the status depends on the band, not on progress.
    assert status.pace_so_far == pytest.approx(8 / (104 / MONTH_DAYS))
    assert status.pace_so_far == pytest.approx(2.341, abs=0.001)
    assert status.required_pace == pytest.approx((20 - 8) / (77 / MONTH_DAYS))
    assert status.required_pace == pytest.approx(4.744, abs=0.001)
    assert status.forecast == 14
    assert status.status == AT_RISK
    assert status.target == 20


def test_count_with_baseline_keeps_old_rule(tmp_path):
    # Guard: the deal of 1 July 2025 shows that the data covers the whole
    # baseline window from 4 July, which contains the 4 deals of August to
    # November. Progress = (14 - 4) / (20 - 4) x 100 = 62.5 %.
    earlier = ("2025-07-01", "2025-08-12", "2025-09-09", "2025-10-14", "2025-11-18")
    tables = _pipedrive_deals(tmp_path, earlier)
    status = evaluate_goal(_twenty_deals(), tables, AS_OF)
    assert status.baseline == 4
    assert status.forecast == 14
    assert status.progress == pytest.approx(62.5)
    assert status.progress_note == ""


def test_relative_count_without_baseline_no_progress(tmp_path):
    # Guard: "+50 %" needs the baseline to have a value at all.
    goal = _twenty_deals(target=50, target_kind="relative")
    status = evaluate_goal(goal, _pipedrive_deals(tmp_path), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert status.progress is None
    assert "a relative target needs a baseline" in status.reason


def test_down_count_without_baseline_no_progress(tmp_path):
    # Guard: at most 20 tickets is a ceiling, so its direction is down.
    goal = Goal(
        "At most 20 tickets", "tickets", 20, START, DEADLINE, department="service"
    )
    status = evaluate_goal(goal, _tickets(tmp_path), AS_OF)
    assert goal.direction == "down"
    assert status.current == 8
    assert status.baseline is None
    assert status.progress is None
    assert status.progress_note.startswith("Progress needs a baseline")


def test_goals_workbook_progress_from_zero(tmp_path):
    tables = _pipedrive_deals(tmp_path)
    goal = _twenty_deals()
    row = GoalRow(
        goal, evaluate_goal(goal, tables, AS_OF), smart_check(goal, tables), ""
    )
    sheet = openpyxl.load_workbook(io.BytesIO(goals_workbook([row], AS_OF)))["Goals"]
    headers, values = (
        list(line) for line in sheet.iter_rows(min_row=4, max_row=5, values_only=True)
    )
    cells = dict(zip(headers, values, strict=True))
    # 14 / 20 x 100, as on the card.
    assert cells["Progress (%)"] == pytest.approx(70.0)
