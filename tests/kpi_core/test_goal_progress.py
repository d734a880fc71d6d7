import csv
from datetime import date

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_core.goal_metrics import DOWN, MONTH_DAYS, UP, SegmentFilter
from kpi_core.goal_progress import (
    ACHIEVED,
    AT_RISK,
    NOT_AVAILABLE,
    NOT_STARTED,
    OFF_TRACK,
    ON_TRACK,
    evaluate_goal,
    goal_status,
    progress_percent,
)
from kpi_core.goals import Goal
from kpi_core.importing import load_file

D = date
# The leads goal runs 90 days, 1 January to 31 March 2025 (31 + 28 + 31),
# so its baseline is the 90 days from 3 October to 31 December 2024. On
# 30 January, 30 days have passed and 60 are left.
START, DEADLINE, AS_OF = D(2025, 1, 1), D(2025, 3, 31), D(2025, 1, 30)
DEALS_SCHEMA = {
    "deal_id": pl.String,
    "created_at": pl.Date,
    "closed_at": pl.Date,
    "status": pl.String,
    "source": pl.String,
}
TICKETS_SCHEMA = {
    "ticket_id": pl.String,
    "created_at": pl.Date,
    "channel": pl.String,
    "category": pl.String,
}


def _predictive_cdf(count: int, observed_share: float, upto: int) -> list[float]:
    """P(Y <= k) for k = 0 to ``upto``, summed term by term, where Y is the
    count still to come after ``count`` events in ``observed_share`` of the
    time: negative binomial with size count + 1/2 and p = observed_share,
    P(Y = 0) = p^size and P(Y = j + 1) = P(Y = j) x (j + size)(1 - p) / (j + 1).
    """
    size = count + 0.5
    term = observed_share**size
    total = 0.0
    cdf = []
    for j in range(upto + 1):
        total += term
        cdf.append(total)
        term *= (j + size) * (1 - observed_share) / (j + 1)
    return cdf


def _leads(in_window: int, in_baseline: int = 9) -> dict[str, pl.DataFrame]:
    """Website deals: ``in_window`` on 10 January 2025, ``in_baseline`` on
    15 November 2024, and one each just outside both windows."""
    days = (
        [D(2025, 1, 10)] * in_window
        + [D(2024, 11, 15)] * in_baseline
        + [D(2025, 1, 31), D(2024, 10, 2)]
    )
    rows = [(f"d{i}", day, None, "open", "Website") for i, day in enumerate(days)]
    rows.append(("other", D(2025, 1, 10), None, "open", "Referral"))
    return {"deals": pl.DataFrame(rows, schema=DEALS_SCHEMA, orient="row")}


def _leads_goal(**changes) -> Goal:
    values = {
        "title": "20 website leads",
        "metric": "new_deals",
        "target": 20,
        "start": START,
        "deadline": DEADLINE,
        "segments": (SegmentFilter("source", "website"),),
    }
    return Goal(**{**values, **changes})


def _complaints(in_window: int) -> dict[str, pl.DataFrame]:
    """40 phone complaints about late delivery in the baseline, ``in_window``
    on 20 January 2025, and email tickets that the segment leaves out. The
    first email ticket, on 1 October 2024, shows that the data covers the
    whole baseline window from 3 October."""
    rows = [("b", D(2024, 11, 15), "Phone", "Late delivery")] * 40
    rows += [("w", D(2025, 1, 20), "phone", "late delivery")] * in_window
    rows += [("e", D(2025, 1, 20), "Email", "Late delivery")] * 5
    rows.append(("e0", D(2024, 10, 1), "Email", "Late delivery"))
    return {"tickets": pl.DataFrame(rows, schema=TICKETS_SCHEMA, orient="row")}


def _complaints_goal() -> Goal:
    return Goal(
        "25 % fewer phone complaints",
        "tickets",
        -25,
        START,
        DEADLINE,
        target_kind="relative",
        segments=(
            SegmentFilter("channel", "phone"),
            SegmentFilter("category", "late delivery"),
        ),
        department="service",
    )


def _close_rates(won_before: int, won_now: int) -> dict[str, pl.DataFrame]:
    """10 deals created on 1 September 2024 and 10 on 15 January 2025, of
    which the given numbers were won."""
    rows = [
        (f"b{i}", D(2024, 9, 1), D(2024, 10, 1), "won" if i < won_before else "lost")
        for i in range(10)
    ]
    rows += [
        (f"n{i}", D(2025, 1, 15), D(2025, 2, 1), "won" if i < won_now else "lost")
        for i in range(10)
    ]
    frame = pl.DataFrame(rows, schema=list(DEALS_SCHEMA)[:4], orient="row")
    return {"deals": frame}


def _close_rate_goal(target: float, kind: str = "absolute") -> Goal:
    # 181 days, 1 January to 30 June 2025; baseline from 4 July 2024.
    return Goal(
        "Close rate up", "close_rate", target, START, D(2025, 6, 30), target_kind=kind
    )


def test_count_goal_current_and_baseline():
    status = evaluate_goal(_leads_goal(), _leads(6), AS_OF)
    assert status.current == 6
    assert status.baseline == 9
    assert status.target == 20
    assert status.unit == "count"
    assert status.n == 6


def _leads_from_november(in_window: int) -> dict[str, pl.DataFrame]:
    """The leads without the deal of 2 October 2024, so the data starts on
    15 November 2024, inside the baseline window that starts on 3 October."""
    deals = _leads(in_window)["deals"]
    return {"deals": deals.filter(pl.col("created_at") != D(2024, 10, 2))}


def test_count_baseline_before_data_missing():
    # Counting the 9 leads of 15 November as the whole 90-day baseline
    # would understate it: the data covers 47 of its 90 days.
    status = evaluate_goal(_leads_goal(), _leads_from_november(6), AS_OF)
    assert status.baseline is None
    assert status.progress is None
    assert "the data starts on 2024-11-15" in status.progress_note
    assert status.current == 6
    assert status.target == 20


def test_relative_count_goal_needs_full_baseline():
    goal = _leads_goal(target=50, target_kind="relative")
    status = evaluate_goal(goal, _leads_from_november(6), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert "baseline window's start on 2024-10-03" in status.reason


def test_count_goal_pace_so_far():
    status = evaluate_goal(_leads_goal(), _leads(6), AS_OF)
    # 6 leads in 30 days.
    assert status.pace_so_far == pytest.approx(6 / (30 / MONTH_DAYS))


def test_count_goal_required_pace():
    status = evaluate_goal(_leads_goal(), _leads(6), AS_OF)
    # 14 more leads in the 60 days left.
    assert status.required_pace == pytest.approx(14 / (60 / MONTH_DAYS))


def test_count_goal_forecast():
    status = evaluate_goal(_leads_goal(), _leads(6), AS_OF)
    # 6 leads in 30 days, so 12 more in the 60 days left.
    assert status.forecast == pytest.approx(6 + 12)


def test_count_goal_forecast_band():
    status = evaluate_goal(_leads_goal(), _leads(6), AS_OF)
    low, high = status.forecast_band
    # 6 leads in 30 of 90 days: the 60 days left hold Y more, with
    # P(Y <= 2) = 0.0128 and P(Y <= 3) = 0.0290 around 2.5 %, and
    # P(Y <= 26) = 0.9689 and P(Y <= 27) = 0.9756 around 97.5 %.
    cdf = _predictive_cdf(6, 30 / 90, 27)
    assert cdf[2] < 0.025 <= cdf[3]
    assert cdf[26] < 0.975 <= cdf[27]
    assert low == 6 + 3
    assert high == 6 + 27


def test_count_goal_progress_from_baseline():
    status = evaluate_goal(_leads_goal(), _leads(6), AS_OF)
    # 6 leads in 30 of 90 days forecast 18; the baseline is 9, the target 20.
    assert status.progress == pytest.approx((18 - 9) / (20 - 9) * 100)


def test_count_goal_progress_after_deadline():
    # 17 leads on 10 January and the one of 31 January: the final count 18.
    status = evaluate_goal(_leads_goal(), _leads(17), D(2025, 4, 15))
    assert status.progress == pytest.approx((18 - 9) / (20 - 9) * 100)


def test_count_goal_progress_capped():
    # 25 leads in 30 days forecast 75, far beyond the target of 20.
    status = evaluate_goal(_leads_goal(), _leads(25), AS_OF)
    assert status.progress == 100.0


def test_count_goal_baseline_meets_target():
    # 30 leads in the baseline already reach the target of 20.
    status = evaluate_goal(_leads_goal(), _leads(6, in_baseline=30), AS_OF)
    assert status.progress is None
    assert status.progress_note == (
        "No progress is shown: the baseline of 30, from the same length of "
        "time before the start, already meets the target of 20 (at least), so "
        "there is no gap between them to measure. The status compares this "
        "goal's forecast with the target."
    )


def test_count_goal_at_risk():
    # Forecast 18 misses 20, but the upper bound 6 + 27 reaches it.
    assert evaluate_goal(_leads_goal(), _leads(6), AS_OF).status == AT_RISK


def test_count_goal_on_track():
    # 8 leads in 30 days forecast 24.
    assert evaluate_goal(_leads_goal(), _leads(8), AS_OF).status == ON_TRACK


def test_count_goal_off_track():
    # 1 lead forecasts 3; even the upper bound 1 + 11 stays below 20, with
    # P(Y <= 10) = 0.9722 and P(Y <= 11) = 0.9808 for the 60 days left.
    status = evaluate_goal(_leads_goal(), _leads(1), AS_OF)
    cdf = _predictive_cdf(1, 30 / 90, 11)
    assert cdf[10] < 0.975 <= cdf[11]
    assert status.forecast_band[1] == 1 + 11
    assert status.status == OFF_TRACK


def test_count_goal_reached_needs_no_pace():
    status = evaluate_goal(_leads_goal(), _leads(25), AS_OF)
    assert status.required_pace == 0.0


def test_count_goal_after_deadline_missed():
    # 17 leads on 10 January and the one of 31 January.
    status = evaluate_goal(_leads_goal(), _leads(17), D(2025, 4, 15))
    assert status.current == 18
    assert status.forecast == 18
    assert status.forecast_band == (18, 18)
    assert status.required_pace is None
    assert status.status == OFF_TRACK


def test_count_goal_after_deadline_met():
    status = evaluate_goal(_leads_goal(), _leads(19), D(2025, 4, 15))
    assert status.current == 20
    assert status.status == ACHIEVED


def test_count_goal_path_weekly():
    path = evaluate_goal(_leads_goal(), _leads(6), AS_OF).path
    # 13 week ends from 7 January, the deadline among them, plus 30 January.
    assert path.height == 14
    first = path.row(0, named=True)
    assert first["date"] == D(2025, 1, 7)
    assert first["actual"] == 0
    assert first["target_path"] == pytest.approx(20 * 7 / 90)


def test_count_goal_path_as_of_point():
    path = evaluate_goal(_leads_goal(), _leads(6), AS_OF).path
    point = path.filter(pl.col("date") == AS_OF).row(0, named=True)
    assert point["actual"] == 6
    assert point["target_path"] == pytest.approx(20 * 30 / 90)


def test_count_goal_path_future_null():
    path = evaluate_goal(_leads_goal(), _leads(6), AS_OF).path
    last = path.row(-1, named=True)
    assert last["date"] == DEADLINE
    assert last["actual"] is None
    assert last["target_path"] == pytest.approx(20)


def test_fewer_goal_target_from_baseline():
    status = evaluate_goal(_complaints_goal(), _complaints(12), AS_OF)
    # 40 complaints before the start, 25 % fewer: 30.
    assert status.baseline == 40
    assert status.target == pytest.approx(30)
    assert status.current == 12


def test_fewer_goal_progress_compares_paces():
    status = evaluate_goal(_complaints_goal(), _complaints(12), AS_OF)
    # Per day: baseline 40/90, target 30/90, so far 12/30.
    expected = (40 / 90 - 12 / 30) / (40 / 90 - 30 / 90) * 100
    assert status.progress == pytest.approx(expected)
    assert status.progress == pytest.approx(40.0)


def test_fewer_goal_baseline_meets_ceiling():
    # At most 50 complaints, with 40 in the baseline: already met.
    goal = Goal(
        "At most 50 phone complaints", "tickets", 50, START, DEADLINE,
        segments=_complaints_goal().segments, department="service",
    )  # fmt: skip
    status = evaluate_goal(goal, _complaints(12), AS_OF)
    assert status.progress is None
    assert "(at most)" in status.progress_note


def test_fewer_goal_allowed_pace():
    status = evaluate_goal(_complaints_goal(), _complaints(12), AS_OF)
    # At most 18 more complaints in the 60 days left.
    assert status.required_pace == pytest.approx(18 / (60 / MONTH_DAYS))


def test_fewer_goal_at_risk():
    # Forecast 36 is above 30; the lower bound 12 + 11 = 23 is not, with
    # P(Y <= 10) = 0.0248 and P(Y <= 11) = 0.0371 for the 60 days left.
    status = evaluate_goal(_complaints_goal(), _complaints(12), AS_OF)
    cdf = _predictive_cdf(12, 30 / 90, 11)
    assert cdf[10] < 0.025 <= cdf[11]
    assert status.forecast == pytest.approx(36)
    assert status.forecast_band[0] == 12 + 11
    assert status.status == AT_RISK


def test_fewer_goal_on_track():
    # 9 complaints forecast 27, under 30.
    assert evaluate_goal(_complaints_goal(), _complaints(9), AS_OF).status == ON_TRACK


def test_fewer_goal_off_track():
    # 16 complaints: the lower bound 16 + 16 = 32 is above 30, with
    # P(Y <= 15) = 0.0211 and P(Y <= 16) = 0.0298 for the 60 days left.
    status = evaluate_goal(_complaints_goal(), _complaints(16), AS_OF)
    cdf = _predictive_cdf(16, 30 / 90, 16)
    assert cdf[15] < 0.025 <= cdf[16]
    assert status.forecast_band[0] == 16 + 16
    assert status.status == OFF_TRACK


def test_fewer_goal_at_risk_at_bound():
    # 15 complaints: the lower bound 15 + 15 = 30 just meets the ceiling of
    # 30, with P(Y <= 14) = 0.0243 and P(Y <= 15) = 0.0344 for the 60 days
    # left. The forecast 45 misses it.
    status = evaluate_goal(_complaints_goal(), _complaints(15), AS_OF)
    cdf = _predictive_cdf(15, 30 / 90, 15)
    assert cdf[14] < 0.025 <= cdf[15]
    assert status.forecast_band[0] == 15 + 15
    assert status.status == AT_RISK


def test_rate_goal_values():
    status = evaluate_goal(_close_rate_goal(50), _close_rates(2, 4), D(2025, 2, 28))
    assert status.baseline == pytest.approx(2 / 10 * 100)
    assert status.current == pytest.approx(4 / 10 * 100)
    assert status.unit == "percent"
    assert status.forecast == pytest.approx(40.0)


def test_rate_goal_progress():
    status = evaluate_goal(_close_rate_goal(50), _close_rates(2, 4), D(2025, 2, 28))
    assert status.progress == pytest.approx((40 - 20) / (50 - 20) * 100)


def test_rate_goal_paces():
    status = evaluate_goal(_close_rate_goal(50), _close_rates(2, 4), D(2025, 2, 28))
    # 1 January to 28 February is 59 days; 122 days are left to 30 June.
    assert status.pace_so_far == pytest.approx((40 - 20) / (59 / MONTH_DAYS))
    assert status.required_pace == pytest.approx((50 - 40) / (122 / MONTH_DAYS))


def test_rate_goal_progress_moved_away():
    # 1 of 10 won: 10 %, down from the baseline of 20 % towards 50 %.
    status = evaluate_goal(_close_rate_goal(50), _close_rates(2, 1), D(2025, 2, 28))
    assert status.progress == 0.0


def test_rate_goal_baseline_meets_target():
    # A baseline of 20 % already meets a target of 15 %.
    status = evaluate_goal(_close_rate_goal(15), _close_rates(2, 4), D(2025, 2, 28))
    assert status.progress is None
    expected = (
        "baseline of 20.0 %, from the same length of time before the start, "
        "already meets the target of 15.0 %"
    )
    assert expected in status.progress_note


def test_rate_goal_met_baseline_flat_path():
    status = evaluate_goal(_close_rate_goal(15), _close_rates(2, 4), D(2025, 2, 28))
    assert status.path["target_path"].to_list() == [pytest.approx(15.0)] * 6


def test_rate_goal_band_is_wilson():
    status = evaluate_goal(_close_rate_goal(50), _close_rates(2, 4), D(2025, 2, 28))
    # Wilson 95 % interval of 4 of 10: 16.8 % to 68.7 %.
    low, high = status.forecast_band
    assert low == pytest.approx(16.82, abs=0.01)
    assert high == pytest.approx(68.73, abs=0.01)


def test_rate_goal_at_risk():
    status = evaluate_goal(_close_rate_goal(50), _close_rates(2, 4), D(2025, 2, 28))
    assert status.status == AT_RISK


def test_rate_goal_off_track():
    # 90 % is beyond the upper Wilson bound of 68.7 %.
    status = evaluate_goal(_close_rate_goal(90), _close_rates(2, 4), D(2025, 2, 28))
    assert status.status == OFF_TRACK


def test_rate_goal_relative_target_met():
    goal = _close_rate_goal(25, "relative")
    status = evaluate_goal(goal, _close_rates(2, 4), D(2025, 2, 28))
    # 20 % + 25 % of 20 % = 25 %, already passed by 40 %.
    assert status.target == pytest.approx(25.0)
    assert status.required_pace == 0.0
    assert status.status == ON_TRACK


def test_rate_goal_path_monthly():
    status = evaluate_goal(_close_rate_goal(50), _close_rates(2, 4), D(2025, 2, 28))
    path = status.path
    assert path["date"].to_list() == [
        D(2025, 1, 31),
        D(2025, 2, 28),
        D(2025, 3, 31),
        D(2025, 4, 30),
        D(2025, 5, 31),
        D(2025, 6, 30),
    ]
    assert path["actual"].to_list()[:3] == [pytest.approx(40.0), 40.0, None]
    assert path["target_path"][0] == pytest.approx(20 + 31 / 181 * (50 - 20))


def test_rate_goal_no_deals_yet():
    status = evaluate_goal(_close_rate_goal(50), _close_rates(2, 4), D(2025, 1, 10))
    assert status.status == NOT_AVAILABLE
    assert status.reason == "no deals were created in this period"


def test_goal_not_started():
    status = evaluate_goal(_leads_goal(), _leads(6), D(2024, 12, 15))
    assert status.status == NOT_STARTED
    assert status.baseline == 9
    assert status.current is None
    assert status.path["actual"].null_count() == status.path.height


def test_goal_missing_table():
    status = evaluate_goal(_complaints_goal(), _leads(6), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert status.reason == (
        "there is no tickets table; to measure this goal, upload one on the Data page"
    )


def test_goal_without_deadline():
    status = evaluate_goal(_leads_goal(deadline=None), _leads(6), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert status.reason == "the goal has no deadline"


def test_goal_deadline_before_start():
    goal = _leads_goal(deadline=D(2024, 12, 1))
    status = evaluate_goal(goal, _leads(6), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert "is not after the start" in status.reason


def test_relative_goal_zero_baseline():
    goal = _leads_goal(target=50, target_kind="relative")
    status = evaluate_goal(goal, _leads(6, in_baseline=0), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert "baseline other than 0" in status.reason


def test_goal_status_without_band_near_miss():
    # 10.5 hours against at most 10: a miss of 5 %, within 10 % of the target.
    assert goal_status(DOWN, 10.0, 10.5, None) == AT_RISK


def test_goal_status_without_band_far_miss():
    assert goal_status(DOWN, 10.0, 11.5, None) == OFF_TRACK


def test_goal_status_exact_target():
    assert goal_status(UP, 10.0, 10.0, None) == ON_TRACK


def test_rate_goal_no_baseline_note():
    # No deals in the baseline window, 4 July to 31 December 2024.
    deals = _close_rates(2, 4)["deals"].filter(pl.col("deal_id").str.starts_with("n"))
    status = evaluate_goal(_close_rate_goal(50), {"deals": deals}, D(2025, 2, 28))
    assert status.progress is None
    assert status.progress_note.startswith("Progress needs a baseline")


@pytest.mark.parametrize(
    ("direction", "value", "baseline", "target", "expected"),
    [
        (UP, 30.0, 20.0, 40.0, (30 - 20) / (40 - 20) * 100),
        (DOWN, 35.0, 40.0, 30.0, (35 - 40) / (30 - 40) * 100),
        (UP, 10.0, 20.0, 40.0, 0.0),
        (DOWN, 45.0, 40.0, 30.0, 0.0),
        (UP, 90.0, 20.0, 40.0, 100.0),
        (DOWN, 20.0, 40.0, 30.0, 100.0),
    ],
    ids=["up-half", "down-half", "up-away", "down-away", "up-beyond", "down-beyond"],
)
def test_progress_percent_cases(direction, value, baseline, target, expected):
    assert progress_percent(direction, value, baseline, target) == pytest.approx(
        expected
    )


@pytest.mark.parametrize(
    ("direction", "baseline", "target"),
    [(UP, 52.1, 50.0), (UP, 50.0, 50.0), (DOWN, 40.0, 50.0), (DOWN, 50.0, 50.0)],
    ids=["up-above", "up-equal", "down-below", "down-equal"],
)
def test_progress_percent_baseline_met(direction, baseline, target):
    assert progress_percent(direction, 43.6, baseline, target) is None


def test_progress_percent_no_baseline():
    assert progress_percent(UP, 43.6, None, 50.0) is None


NUMBERS = st.floats(-1e6, 1e6, allow_nan=False)


@given(st.sampled_from([UP, DOWN]), NUMBERS, NUMBERS, NUMBERS)
def test_progress_percent_within_bounds(direction, value, baseline, target):
    progress = progress_percent(direction, value, baseline, target)
    assert progress is None or 0.0 <= progress <= 100.0


# Real data: the Maven Analytics CRM sales pipeline, as the Data page loads it.

MAVEN = "maven-crm-sales/sales_pipeline.csv"


@pytest.fixture(scope="module")
def maven(datasets_dir):
    path = datasets_dir / MAVEN
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    deals = load_file(path.name, path.read_bytes()).frame
    return rows, {"deals": deals}


def _csv_day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _csv_close_rate(rows: list[dict[str, str]], first: date, last: date) -> float:
    created = [
        row for row in rows if first <= (_csv_day(row["engage_date"]) or D.min) <= last
    ]
    won = [row for row in created if row["deal_stage"] == "Won"]
    return len(won) / len(created) * 100


def _csv_won_deals(rows: list[dict[str, str]], agent: str, first: date, last: date):
    return sum(
        1
        for row in rows
        if row["sales_agent"] == agent
        and row["deal_stage"] == "Won"
        and first <= (_csv_day(row["close_date"]) or D.min) <= last
    )


def test_maven_close_rate_goal_baseline_met(maven):
    rows, tables = maven
    # Q3 2017 runs 92 days, so its baseline is 31 March to 30 June 2017.
    goal = Goal("Close rate 50 %", "close_rate", 50, D(2017, 7, 1), D(2017, 9, 30))
    status = evaluate_goal(goal, tables, D(2017, 12, 31))
    baseline = _csv_close_rate(rows, D(2017, 3, 31), D(2017, 6, 30))
    current = _csv_close_rate(rows, D(2017, 7, 1), D(2017, 9, 30))
    assert baseline == pytest.approx(52.1, abs=0.05)
    assert current == pytest.approx(43.6, abs=0.05)
    assert status.baseline == pytest.approx(baseline)
    assert status.current == pytest.approx(current)
    assert status.status == OFF_TRACK
    assert status.progress is None
    assert "already meets the target of 50.0 %" in status.progress_note


def test_maven_close_rate_goal_path_flat(maven):
    _rows, tables = maven
    goal = Goal("Close rate 50 %", "close_rate", 50, D(2017, 7, 1), D(2017, 9, 30))
    path = evaluate_goal(goal, tables, D(2017, 12, 31)).path
    assert path["target_path"].min() == pytest.approx(50.0)
    assert path["target_path"].max() == pytest.approx(50.0)


def test_maven_won_deals_goal_progress(maven):
    rows, tables = maven
    # Q3 2017 runs 92 days, so its baseline is 31 March to 30 June 2017,
    # after the first close date of 1 March.
    goal = Goal(
        "130 won deals", "won_deals", 130, D(2017, 7, 1), D(2017, 9, 30),
        segments=(SegmentFilter("owner", "darcel schlecht"),),
    )  # fmt: skip
    status = evaluate_goal(goal, tables, D(2017, 12, 31))
    agent = "Darcel Schlecht"
    baseline = _csv_won_deals(rows, agent, D(2017, 3, 31), D(2017, 6, 30))
    current = _csv_won_deals(rows, agent, D(2017, 7, 1), D(2017, 9, 30))
    assert (baseline, current) == (96, 115)
    assert status.baseline == baseline
    assert status.current == current
    assert status.progress == pytest.approx((115 - 96) / (130 - 96) * 100)
    assert status.progress == pytest.approx(55.88, abs=0.01)


def test_maven_won_deals_baseline_before_data(maven):
    _rows, tables = maven
    # Q2 2017's baseline starts on 31 December 2016, two months before the
    # first close date, so counting it would give March alone.
    goal = Goal(
        "100 won deals", "won_deals", 100, D(2017, 4, 1), D(2017, 6, 30),
        segments=(SegmentFilter("owner", "darcel schlecht"),),
    )  # fmt: skip
    status = evaluate_goal(goal, tables, D(2017, 12, 31))
    assert status.baseline is None
    assert status.progress is None
    assert status.current == 96
    assert "the data starts on 2017-03-01" in status.progress_note


def _csv_all_won(rows: list[dict[str, str]], first: date, last: date) -> int:
    return sum(
        1
        for row in rows
        if row["deal_stage"] == "Won"
        and first <= (_csv_day(row["close_date"]) or D.min) <= last
    )


def test_maven_won_deals_band_adds_future_noise(maven):
    rows, tables = maven
    # 1 October 2017 to 31 January 2018 is 31 + 30 + 31 + 31 = 123 days.
    # On 31 December, the last close date, 92 days have passed and 31 are
    # left.
    goal = Goal("1,640 won deals", "won_deals", 1640, D(2017, 10, 1), D(2018, 1, 31))
    status = evaluate_goal(goal, tables, D(2017, 12, 31))
    count = _csv_all_won(rows, D(2017, 10, 1), D(2017, 12, 31))
    assert count == 1196
    assert status.current == count
    # Forecast: 1,196 + 1,196 x 31 / 92 = 1,196 + 403.0 = 1,599.0.
    assert status.forecast == pytest.approx(1599.0, abs=0.05)
    # The remaining count has mean 1,196.5 x 31 / 92 = 403.2 and variance
    # 403.2 x 123 / 92 = 539.0 (sd 23.2): 403.2 +- 1.96 x 23.2 = 357.7 to
    # 448.7. The right skew moves both quantiles up by about 0.8, so the
    # final count lies in about 1,554 to 1,645.
    low, high = status.forecast_band
    assert low == pytest.approx(1196 + 358, abs=1)
    assert high == pytest.approx(1196 + 449, abs=1)
    # The forecast misses 1,640, but the upper bound reaches it.
    assert status.status == AT_RISK


def test_rate_baseline_names_the_days_the_data_covers():
    # The 181-day baseline runs 4 July to 31 December 2024, but the first
    # deal was created on 1 September: the rate keeps its value, 2 won of
    # 10 = 20 %, and the note names the days it covers.
    status = evaluate_goal(_close_rate_goal(15), _close_rates(2, 4), D(2025, 2, 28))
    assert status.baseline == pytest.approx(20.0)
    assert status.baseline_note == (
        "The baseline window runs from 2024-07-04 to 2024-12-31, but the data "
        "starts on 2024-09-01, so the baseline covers 2024-09-01 to 2024-12-31 "
        "only. The baseline rests on 10 observations, fewer than 30, so it may "
        "be far from the usual level, and a relative target moves with it."
    )


def test_count_goal_full_baseline_has_no_note():
    status = evaluate_goal(_leads_goal(), _leads(6), AS_OF)
    assert status.baseline_note == ""


def test_count_goal_before_data_not_available():
    # The leads run from 2 October 2024 to 31 January 2025. A goal for
    # April to June 2024 lies wholly before them, so its count is unknown,
    # not 0.
    goal = _leads_goal(start=D(2024, 4, 1), deadline=D(2024, 6, 30))
    status = evaluate_goal(goal, _leads(6), D(2025, 1, 31))
    assert status.status == NOT_AVAILABLE
    assert status.current is None
    assert status.reason == (
        "the data covers 2024-10-02 to 2025-01-31, outside this goal's window "
        "from 2024-04-01 to 2024-06-30, so nothing in the window can be "
        "counted. Import data of that time, or move the goal into the data"
    )


def test_count_goal_after_data_not_available():
    # A goal from March 2025 on, evaluated on 30 April: the leads end on
    # 31 January, before the goal starts.
    goal = _leads_goal(start=D(2025, 3, 1), deadline=D(2025, 5, 31))
    status = evaluate_goal(goal, _leads(6), D(2025, 4, 30))
    assert status.status == NOT_AVAILABLE
    assert "the data covers 2024-10-02 to 2025-01-31" in status.reason


def test_count_goal_unmatched_segment_not_available():
    # No deal of the whole table has the source partner, so a count of 0
    # would measure nothing: the goal is not available, and says why.
    goal = _leads_goal(segments=(SegmentFilter("source", "partner"),))
    status = evaluate_goal(goal, _leads(6), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert status.current is None
    assert status.reason.startswith(
        "no rows of the deals table match the goal's segment (source = partner)"
    )


def test_won_goal_ignores_expected_close_dates():
    # D1 and D2 were won in January and February 2025; D3 is open and
    # expected to close on 30 June. Its date is no recorded close, so the
    # table's recorded dates run from D1's creation on 2 January to D3's on
    # 10 March, before the goal's window.
    deals = pl.DataFrame(
        [
            ("D1", D(2025, 1, 2), D(2025, 1, 20), "won", "Web"),
            ("D2", D(2025, 1, 15), D(2025, 2, 10), "won", "Web"),
            ("D3", D(2025, 3, 10), D(2025, 6, 30), "open", "Web"),
        ],
        schema=DEALS_SCHEMA,
        orient="row",
    )
    goal = Goal("Five won deals", "won_deals", 5, D(2025, 4, 1), D(2025, 6, 30))
    status = evaluate_goal(goal, {"deals": deals}, D(2025, 6, 30))
    assert status.status == NOT_AVAILABLE
    assert "the data covers 2025-01-02 to 2025-03-10" in status.reason


def test_count_goal_after_table_end_noted():
    # The leads end on 31 January. The days up to 28 February may have had
    # no leads or lie outside the export. So the count stays 7 (6 on 10
    # January and 1 on 31 January), and the card names the table's last date.
    status = evaluate_goal(_leads_goal(), _leads(6), D(2025, 2, 28))
    assert status.current == 7
    assert status.as_of_note == (
        "Its table's last date is 2025-01-31, before 2025-02-28. If the export "
        "ends there, the days after it count as days without any row: choose "
        "2025-01-31 under Evaluated as of."
    )


def test_count_goal_inside_table_no_note():
    assert evaluate_goal(_leads_goal(), _leads(6), AS_OF).as_of_note == ""
