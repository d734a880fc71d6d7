"""What a goal card is built from: the target of a goal that cannot be
measured, a count's forecast as a whole number, and whether the target is
already reached."""

from datetime import date

import polars as pl
import pytest

from kpi_core.goal_metrics import MONTH_DAYS
from kpi_core.goal_progress import (
    ACHIEVED,
    AT_RISK,
    NOT_AVAILABLE,
    ON_TRACK,
    evaluate_goal,
)
from kpi_core.goals import Goal
from tests.kpi_core.test_goal_progress import (
    AS_OF,
    DEADLINE,
    START,
    _close_rate_goal,
    _close_rates,
    _complaints,
    _complaints_goal,
    _leads,
    _leads_from_november,
    _leads_goal,
)

D = date


def test_missing_table_keeps_count_target():
    goal = Goal("At most 50 tickets", "tickets", 50, START, DEADLINE)
    status = evaluate_goal(goal, _leads(6), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert status.reason == (
        "there is no tickets table; to measure this goal, upload one on the Data page"
    )
    assert status.current is None
    assert status.target == 50
    assert status.unit == "count"


def test_missing_column_keeps_rate_target():
    # Without the status column no deal can count as won.
    deals = _leads(6)["deals"].drop("status")
    goal = Goal("Close rate 30 %", "close_rate", 30, START, DEADLINE)
    status = evaluate_goal(goal, {"deals": deals}, AS_OF)
    assert status.status == NOT_AVAILABLE
    assert "no status column" in status.reason
    assert status.target == 30
    assert status.unit == "percent"


def test_missing_column_keeps_money_target():
    goal = Goal(
        "Deals of 1,000 USD", "average_deal_size", 1000, START, DEADLINE,
        currency="USD",
    )  # fmt: skip
    status = evaluate_goal(goal, _leads(6), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert "no amount column" in status.reason
    assert status.target == 1000
    assert status.unit == "USD"


def test_deadline_before_start_keeps_target():
    goal = _leads_goal(deadline=D(2024, 12, 31))
    status = evaluate_goal(goal, _leads(6), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert status.target == 20
    assert status.unit == "count"


def test_relative_target_without_baseline_has_no_value():
    # The data starts on 15 November 2024, inside the baseline window from
    # 3 October, so +50 % of the baseline has no value.
    goal = _leads_goal(target=50, target_kind="relative")
    status = evaluate_goal(goal, _leads_from_november(6), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert status.target is None


def test_count_forecast_rounds_half_up():
    # 5 leads on 10 January. On 23 January 23 of the 90 days have passed
    # and 67 are left: 5 + 5 x 67 / 23 = 5 + 14.565 = 19.565, which is 20
    # deals as a whole count.
    status = evaluate_goal(_leads_goal(), _leads(5), D(2025, 1, 23))
    assert status.pace_so_far == pytest.approx(5 / (23 / MONTH_DAYS))
    assert status.forecast == 20
    low, high = status.forecast_band
    assert low <= 20
    assert high >= 20
    # 20 meets the target of 20, while 19.565 alone would only be at risk.
    assert status.status == ON_TRACK
    # (20 - 9) / (20 - 9) of the way from the baseline of 9.
    assert status.progress == 100.0


def test_count_forecast_rounds_down():
    # 6 leads on 10 January and 1 on 31 January. On 31 January 31 of the
    # 90 days have passed and 59 are left: 7 + 7 x 59 / 31 = 7 + 13.323 =
    # 20.323, which is 20 deals.
    status = evaluate_goal(_leads_goal(), _leads(6), D(2025, 1, 31))
    assert status.current == 7
    assert status.forecast == 20
    low, high = status.forecast_band
    assert low <= 20
    assert high >= 20


def test_count_forecast_stays_in_band():
    # 1 deal on 1 January. On 31 March one day is left of a 91-day goal, so
    # the pace gives 1 + 1 x 1 / 90 = 1.011. The deals still to come are
    # negative binomial with size 1.5 and p = 90 / 91, so P(0) = (90 /
    # 91)^1.5 = exp(1.5 x -0.01105) = 0.9836, which passes both 2.5 % and
    # 97.5 %. The band is 1 to 1, and 1.011 rounds to 1, inside it.
    deals = pl.DataFrame(
        {
            "deal_id": ["a", "b"],
            "created_at": [D(2025, 1, 1), D(2024, 9, 1)],
        }
    )
    goal = Goal("Five deals", "new_deals", 5, D(2025, 1, 1), D(2025, 4, 1))
    status = evaluate_goal(goal, {"deals": deals}, D(2025, 3, 31))
    assert status.forecast_band == (1, 1)
    assert status.forecast == 1


def test_count_forecast_half_rounds_up():
    # 1 deal on 1 January in a goal of 1 to 3 January. On 2 January 2 days
    # have passed and 1 is left: 1 + 1 x 1 / 2 = 1.5, which rounds up to 2.
    deals = pl.DataFrame(
        {
            "deal_id": ["a", "b"],
            "created_at": [D(2025, 1, 1), D(2024, 9, 1)],
        }
    )
    goal = Goal("Five deals", "new_deals", 5, D(2025, 1, 1), D(2025, 1, 3))
    status = evaluate_goal(goal, {"deals": deals}, D(2025, 1, 2))
    assert status.forecast == 2


def test_rate_forecast_keeps_decimals():
    # 4 of 10 deals won: 40 %, not a count, so it is not rounded.
    status = evaluate_goal(_close_rate_goal(50), _close_rates(2, 4), D(2025, 2, 28))
    assert status.forecast == pytest.approx(40.0)
    # Wilson 95 % interval of 4 of 10: 16.8 % to 68.7 %.
    assert status.forecast_band[0] == pytest.approx(16.82, abs=0.01)


def test_upward_count_reached():
    # 25 leads on 10 January already pass the target of 20.
    status = evaluate_goal(_leads_goal(), _leads(25), AS_OF)
    assert status.reached
    assert status.required_pace == 0.0


def test_upward_count_not_reached():
    # 6 leads of 20.
    status = evaluate_goal(_leads_goal(), _leads(6), AS_OF)
    assert not status.reached


def test_downward_count_reached_only_at_deadline():
    # The baseline has 40 complaints, so -25 % allows 30. 9 complaints are
    # under 30, but more may arrive before 31 March.
    goal = _complaints_goal()
    assert not evaluate_goal(goal, _complaints(9), AS_OF).reached
    after = evaluate_goal(goal, _complaints(9), D(2025, 4, 15))
    assert after.status == ACHIEVED
    assert after.reached


def test_downward_count_over_ceiling_not_reached():
    # 35 complaints are already over the 30 allowed.
    status = evaluate_goal(_complaints_goal(), _complaints(35), AS_OF)
    assert not status.reached


def test_rate_goal_reached():
    # A close rate of 40 % already meets 25 %.
    status = evaluate_goal(_close_rate_goal(25), _close_rates(2, 4), D(2025, 2, 28))
    assert status.reached
    assert status.required_pace == 0.0


def test_rate_goal_not_reached():
    # 40 % of a target of 50 %.
    status = evaluate_goal(_close_rate_goal(50), _close_rates(2, 4), D(2025, 2, 28))
    assert status.status == AT_RISK
    assert not status.reached
