"""The goals as an Excel workbook: one row per goal with the figures of its
card on the Goals page, so a manager can keep or forward them."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from kpi_core.excel_report import fit_columns, write_cell
from kpi_core.goal_checks import SmartCheck
from kpi_core.goal_metrics import DOWN, METRICS
from kpi_core.goal_progress import GoalStatus
from kpi_core.goals import Goal, format_segments

SHEET = "Goals"
_HEADERS = (
    "Goal",
    "Department",
    "Metric",
    "Segment",
    "Owner",
    "Start",
    "Deadline",
    "Measured on",
    "Status",
    "Unit",
    "Baseline",
    "Target",
    "Current",
    "n",
    "Forecast at the deadline",
    "Forecast low (95 %)",
    "Forecast high (95 %)",
    "Progress (%)",
    "Pace so far per month",
    "Pace needed per month",
    "Why not available",
    "Warnings",
    "SMART check",
)


@dataclass(frozen=True)
class GoalRow:
    """A goal as its card shows it: the status on the evaluation day, the
    SMART check and the stored table it is measured on."""

    goal: Goal
    status: GoalStatus
    checks: Mapping[str, SmartCheck]
    table: str


def goals_workbook(rows: Sequence[GoalRow], as_of: date) -> bytes:
    """Return an .xlsx file with one row per goal, evaluated on ``as_of``.

    Values are in the goal's unit, named in the Unit column: a percent is
    written as 12.5 for 12.5 %, and money in the currency code the column
    names. A figure the card does not show, such as the forecast of a goal
    that has not started, is an empty cell.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    write_cell(sheet, 1, 1, "Goals").font = Font(bold=True, size=14)
    write_cell(sheet, 2, 1, f"Evaluated as of {as_of.isoformat()}")
    for column, header in enumerate(_HEADERS, start=1):
        write_cell(sheet, 4, column, header).font = Font(bold=True)
    for offset, row in enumerate(rows):
        for column, value in enumerate(_values(row), start=1):
            cell = write_cell(sheet, 5 + offset, column, value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    fit_columns(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _values(row: GoalRow) -> list[object]:
    goal, status = row.goal, row.status
    low, high = status.forecast_band or (None, None)
    checks = "; ".join(
        f"{check.letter}: {check.verdict}" for check in row.checks.values()
    )
    return [
        goal.title,
        goal.department.capitalize(),
        METRICS[goal.metric].label,
        format_segments(goal.segments),
        goal.owner,
        goal.start,
        goal.deadline,
        row.table,
        status.status.capitalize(),
        status.unit,
        status.baseline,
        status.target,
        status.current,
        status.n,
        status.forecast,
        low,
        high,
        status.progress,
        status.pace_so_far,
        _pace_needed(goal, status),
        status.reason,
        " ".join(status.warnings),
        checks,
    ]


def _pace_needed(goal: Goal, status: GoalStatus) -> float | None:
    """Return the pace needed, or None past a ceiling that rows or customers
    already counted exceed. No pace brings the value back under there, and a
    0 would read as nothing left to do; the card states it in words."""
    over = (
        goal.direction == DOWN
        and status.projected
        and status.current is not None
        and status.target is not None
        and status.current > status.target
    )
    return None if over else status.required_pace
