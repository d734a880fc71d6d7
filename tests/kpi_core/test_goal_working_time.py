"""Goals on the time to resolution count the working hours they are given,
as the Service page does."""

from __future__ import annotations

from datetime import date, time

import pytest

from kpi_core.business_hours import WorkingTime, parse_working_time
from kpi_core.errors import InvalidSettingError
from kpi_core.goals import Goal, evaluate_goal, smart_check
from kpi_core.importing import load_file
from tests.kpi_core.test_compare_coverage import HOUR_TICKETS

LONG_DAYS = WorkingTime(start=time(7), end=time(19))


def _tickets(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(HOUR_TICKETS, encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table="tickets").frame


def _goal() -> Goal:
    # Baseline: the 4 days before the start, 25 to 28 February 2025 (T0).
    return Goal(
        "Faster answers",
        "resolution_hours",
        5.0,
        date(2025, 3, 1),
        date(2025, 3, 4),
        department="service",
    )


def test_goal_hours_in_given_working_time(tmp_path):
    tables = {"tickets": _tickets(tmp_path)}
    status = evaluate_goal(_goal(), tables, date(2025, 3, 4), working=LONG_DAYS)

    # 07:00-19:00: T1 Mon 08:00-18:00 = 10 h, T2 Tue 07:30-09:30 = 2 h, so
    # (10 + 2) / 2 = 6.0 h. T0 Tue 08:00-18:00 = 10 h.
    assert status.current == pytest.approx(6.0)
    assert status.baseline == pytest.approx(10.0)
    [last] = status.path.filter(status.path["date"] == date(2025, 3, 4)).rows()
    assert last[1] == pytest.approx(6.0)


def test_goal_hours_default_working_time(tmp_path):
    tables = {"tickets": _tickets(tmp_path)}
    status = evaluate_goal(_goal(), tables, date(2025, 3, 4))

    # 09:00-17:00: T1 = 8 h, T2 = 09:00-09:30 = 0.5 h, (8 + 0.5) / 2 = 4.25
    # h. T0 = 8 h.
    assert status.current == pytest.approx(4.25)
    assert status.baseline == pytest.approx(8.0)


def test_achievable_check_uses_working_time(tmp_path):
    tables = {"tickets": _tickets(tmp_path)}
    checks = smart_check(_goal(), tables, working=LONG_DAYS)

    # The only 4-day window before the start is the baseline, T0 at 10 h in
    # 07:00-19:00. A target of 5 h is 5 h below it, more than 20 % of 10 h.
    assert checks["A"].verdict == "fail"
    assert checks["A"].message.endswith("reached 10.0 h")


def test_parse_working_time_entries():
    working = parse_working_time(" UTC ", "07:00-19:00", "Mon-Sat", "none")
    assert working == WorkingTime(
        timezone="UTC",
        start=time(7),
        end=time(19),
        weekdays=frozenset({0, 1, 2, 3, 4, 5}),
        holidays=None,
    )


def test_parse_working_time_invalid_zone():
    with pytest.raises(InvalidSettingError, match="unknown time zone 'Mars/Base'"):
        parse_working_time("Mars/Base", "09:00-17:00", "Mon-Fri", "DE")
