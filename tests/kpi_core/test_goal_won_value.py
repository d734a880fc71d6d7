"""Won value goals: the amounts of the deals won in the window add up like a
count, in the deals' currency, with a pace and a forecast in money."""

from datetime import date
from pathlib import Path

import pytest

from kpi_core.errors import InvalidSettingError
from kpi_core.goal_checks import PASS, WARN, smart_check
from kpi_core.goal_metrics import METRICS, SegmentFilter
from kpi_core.goal_progress import NOT_AVAILABLE, OFF_TRACK, evaluate_goal
from kpi_core.goals import Goal
from kpi_core.goals_workbook import GoalRow, goals_workbook
from kpi_core.importing import load_file

D = date
# The goal runs 92 days, 1 October to 31 December 2025 (31 + 30 + 31), so
# its baseline runs the 92 days from 1 July to 30 September 2025.
START, DEADLINE = D(2025, 10, 1), D(2025, 12, 31)
# Evaluated on 30 November: 61 days so far (31 + 30), 31 days left.
AS_OF = D(2025, 11, 30)
MONTH_DAYS = 365.25 / 12  # 30.4375
HEADER = "Deal ID,Deal Stage,Create Date,Close Date,Amount,Deal Owner"
ROWS = [
    # Won before the baseline, so the data covers the whole baseline window.
    "0,Closed Won,2025-02-01,2025-03-10,500,Ben",
    "1,Closed Won,2025-05-01,2025-06-15,3000,Anna",
    # The baseline: 4,000 won on 10 August.
    "2,Closed Won,2025-07-01,2025-08-10,4000,Ben",
    "3,Closed Lost,2025-07-01,2025-09-01,9000,Anna",
    # The window so far: 1,000 + 2,500 in October, 1,500 in November.
    "4,Closed Won,2025-09-01,2025-10-05,1000,Anna",
    "5,Closed Won,2025-09-01,2025-10-20,2500,Ben",
    "6,Closed Won,2025-09-15,2025-11-10,1500,Anna",
    "7,Open,2025-10-01,,8000,Ben",
]


def _deals(tmp_path: Path, rows: list[str], currencies: list[str] | None = None):
    """Write the rows to a real CSV file, with a Currency column when
    ``currencies`` gives one code per row, and load it as the Data page does."""
    lines = [HEADER + (",Currency" if currencies else "")]
    for index, row in enumerate(rows):
        lines.append(row + (f",{currencies[index]}" if currencies else ""))
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"deals": load_file(path.name, path.read_bytes()).frame}


def _goal(**changes) -> Goal:
    values = {
        "title": "Won value Q4",
        "metric": "won_value",
        "target": 10000,
        "start": START,
        "deadline": DEADLINE,
        "currency": "EUR",
    }
    return Goal(**{**values, **changes})


def test_won_value_is_goal_metric():
    metric = METRICS["won_value"]
    assert metric.label == "Won value"
    assert metric.table == "deals"
    assert metric.date_column == "closed_at"


def test_won_value_progress_pace_forecast(tmp_path):
    status = evaluate_goal(_goal(), _deals(tmp_path, ROWS), AS_OF)
    assert status.unit == "EUR"
    assert status.target == 10000
    # 1,000 + 2,500 + 1,500 = 5,000 EUR won from 1 October to 30 November.
    assert status.current == pytest.approx(5000)
    # Won from 1 July to 30 September: 4,000 EUR (the lost 9,000 is not won).
    assert status.baseline == pytest.approx(4000)
    # 5,000 EUR / (61 days / 30.4375 days per month) = 2,494.88 EUR a month.
    assert status.pace_so_far == pytest.approx(5000 / (61 / MONTH_DAYS))
    assert status.pace_so_far == pytest.approx(2494.877, abs=0.001)
    # (10,000 - 5,000) / (31 / 30.4375) = 4,909.27 EUR a month still needed.
    assert status.required_pace == pytest.approx(5000 / (31 / MONTH_DAYS))
    assert status.required_pace == pytest.approx(4909.274, abs=0.001)
    # 5,000 + 2,494.88 x 31 / 30.4375 = 5,000 x 92 / 61 = 7,540.98 EUR, not
    # rounded to a whole number as a count would be.
    assert status.forecast == pytest.approx(5000 * 92 / 61)
    assert status.forecast == pytest.approx(7540.984, abs=0.001)
    # The forecast misses 10,000 by more than 10 %, and a sum has no band.
    assert status.forecast_band is None
    assert status.status == OFF_TRACK
    # (7,540.98 - 4,000) / (10,000 - 4,000) x 100 = 59.02 %.
    assert status.progress == pytest.approx((5000 * 92 / 61 - 4000) / 6000 * 100)
    assert status.projected
    assert not status.reached


def test_won_value_path_accumulates(tmp_path):
    status = evaluate_goal(_goal(), _deals(tmp_path, ROWS), AS_OF)
    path = {row["date"]: row for row in status.path.iter_rows(named=True)}
    # The 92-day goal is charted per week; the week ending 7 October holds
    # the 1,000 won on 5 October, and 30 November holds all 5,000.
    assert path[D(2025, 10, 7)]["actual"] == pytest.approx(1000)
    assert path[AS_OF]["actual"] == pytest.approx(5000)
    # The target path rises from 0: 61 of 92 days x 10,000 = 6,630.43 EUR.
    assert path[AS_OF]["target_path"] == pytest.approx(10000 * 61 / 92)
    assert path[DEADLINE]["actual"] is None


def test_won_value_owner_segment(tmp_path):
    goal = _goal(segments=(SegmentFilter("owner", "anna"),), target=4000)
    status = evaluate_goal(goal, _deals(tmp_path, ROWS), AS_OF)
    # Anna's won deals: 1,000 on 5 October and 1,500 on 10 November.
    assert status.current == pytest.approx(2500)
    # Anna won nothing from 1 July to 30 September, but she had a deal in
    # the pipeline then (lost on 1 September), so her baseline is 0.
    assert status.baseline == pytest.approx(0)
    # 2,500 x 92 / 61 = 3,770.49 EUR, within 10 % of 4,000 (3,600 or more).
    assert status.forecast == pytest.approx(2500 * 92 / 61)
    assert status.status == "at risk"


def test_won_value_without_baseline_data(tmp_path):
    # Without the deals of May to September the data starts on 1 September,
    # after the baseline window starts on 1 July: a total would be too low.
    rows = [row for row in ROWS if not row.startswith(("0,", "1,", "2,", "3,"))]
    status = evaluate_goal(_goal(), _deals(tmp_path, rows), AS_OF)
    assert status.baseline is None
    assert status.current == pytest.approx(5000)
    # The first close date, 5 October, lies after the start, so progress is
    # measured from 0: 7,540.98 / 10,000 x 100 = 75.41 %.
    assert status.progress_from_zero
    assert status.progress == pytest.approx(5000 * 92 / 61 / 10000 * 100)


def test_won_value_mixed_currencies(tmp_path):
    currencies = ["EUR", "EUR", "EUR", "EUR", "EUR", "USD", "EUR", "EUR"]
    tables = _deals(tmp_path, ROWS, currencies)
    status = evaluate_goal(_goal(), tables, AS_OF)
    assert status.status == NOT_AVAILABLE
    assert status.current is None
    assert status.target == 10000
    assert status.unit == "EUR"
    assert "several currencies (EUR, USD)" in status.reason
    assert "give a rate" in status.reason
    check = smart_check(_goal(), tables)["A"]
    assert check.verdict == WARN
    assert "several currencies (EUR, USD)" in check.message


def test_won_value_other_currency_rate(tmp_path):
    tables = _deals(tmp_path, ROWS, ["USD"] * len(ROWS))
    # 1 USD = 0.8 EUR, so the target of 10,000 EUR is 10,000 / 0.8 = 12,500
    # USD, and the pace needed (12,500 - 5,000) / (31 / 30.4375) USD a month.
    fx = {"EUR": 1.0, "USD": 0.8}
    status = evaluate_goal(_goal(), tables, AS_OF, fx)
    assert status.unit == "USD"
    assert status.target == pytest.approx(12500)
    assert status.current == pytest.approx(5000)
    assert status.required_pace == pytest.approx(7500 / (31 / MONTH_DAYS))


def test_won_value_achievable_names_money(tmp_path):
    # The KPI windows of 92 days start on the 1st of each month from the
    # first close date, 10 March, on: 1 April, 1 May, 1 June and 1 July.
    # 1 June to 31 August holds 3,000 (15 June) + 4,000 (10 August) =
    # 7,000 EUR, the best; the baseline window from 1 July holds 4,000.
    check = smart_check(_goal(), _deals(tmp_path, ROWS))["A"]
    assert check.message.endswith(
        "needs 10,000 EUR; the best 92-day window before the start reached 7,000 EUR"
    )


def test_won_value_negative_target_rejected():
    with pytest.raises(InvalidSettingError, match="a won value cannot reach -5"):
        _goal(target=-5)


def test_won_value_in_workbook(tmp_path):
    from openpyxl import load_workbook

    tables = _deals(tmp_path, ROWS)
    status = evaluate_goal(_goal(), tables, AS_OF)
    checks = smart_check(_goal(), tables)
    data = goals_workbook([GoalRow(_goal(), status, checks, "deals")], AS_OF)
    path = tmp_path / "goals.xlsx"
    path.write_bytes(data)
    sheet = load_workbook(path).active
    headers = [cell.value for cell in sheet[4]]
    row = dict(zip(headers, [cell.value for cell in sheet[5]], strict=True))
    assert row["Metric"] == "Won value"
    assert row["Unit"] == "EUR"
    assert row["Current"] == pytest.approx(5000)
    assert row["Forecast at the deadline"] == pytest.approx(5000 * 92 / 61)
    assert row["Pace needed per month"] == pytest.approx(5000 / (31 / MONTH_DAYS))
    assert checks["M"].verdict == PASS
