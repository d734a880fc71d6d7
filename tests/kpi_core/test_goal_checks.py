import csv
from datetime import date, timedelta

import polars as pl
import pytest

from kpi_core.goal_checks import FAIL, PASS, WARN, smart_check
from kpi_core.goals import Goal, SegmentFilter, evaluate_goal
from kpi_core.importing import load_file

D = date
DEALS_SCHEMA = {
    "deal_id": pl.String,
    "created_at": pl.Date,
    "closed_at": pl.Date,
    "status": pl.String,
    "source": pl.String,
}
WEBSITE = (SegmentFilter("source", "Website"),)


def _deals(days: list[date], source: str = "Website") -> pl.DataFrame:
    rows = [(f"d{i}", day, None, "open", source) for i, day in enumerate(days)]
    return pl.DataFrame(rows, schema=DEALS_SCHEMA, orient="row")


def _history(best: int) -> dict[str, pl.DataFrame]:
    """One deal on 1 January 2024 and ``best`` on 1 June 2024, so the best
    90-day window before the goal contains ``best`` deals."""
    return {"deals": _deals([D(2024, 1, 1)] + [D(2024, 6, 1)] * best)}


def _goal(**changes) -> Goal:
    # 90 days: 1 January to 31 March 2025.
    values = {
        "title": "20 website leads",
        "metric": "new_deals",
        "target": 20,
        "start": D(2025, 1, 1),
        "deadline": D(2025, 3, 31),
        "segments": WEBSITE,
        "owner": "Anna Becker",
    }
    return Goal(**{**values, **changes})


def test_smart_check_letters_in_order():
    checks = smart_check(_goal(), _history(25))
    assert list(checks) == ["S", "M", "A", "R", "T"]
    assert [check.name for check in checks.values()] == [
        "Specific",
        "Measurable",
        "Achievable",
        "Relevant",
        "Time-bound",
    ]


def test_specific_pass():
    check = smart_check(_goal(), _history(25))["S"]
    assert check.verdict == PASS
    assert check.message == (
        "names the metric (New deals), the segment (source = Website) and the owner"
    )


def test_specific_warn_without_segment():
    check = smart_check(_goal(segments=()), _history(25))["S"]
    assert check.verdict == WARN
    assert "no segment" in check.message


def test_specific_warn_without_owner():
    check = smart_check(_goal(owner=""), _history(25))["S"]
    assert check.verdict == WARN
    assert "nobody who owns the goal" in check.message


def test_measurable_pass():
    check = smart_check(_goal(), _history(25))["M"]
    assert check.verdict == PASS
    assert check.message == "measured from the deals table (created_at)"


def test_measurable_fail_without_table():
    goal = _goal(metric="tickets", target=-25, target_kind="relative", segments=())
    check = smart_check(goal, _history(25))["M"]
    assert check.verdict == FAIL
    assert check.message == (
        "there is no tickets table; to measure this goal, upload one on the Data page"
    )


def test_measurable_fail_without_segment_column():
    goal = _goal(segments=(SegmentFilter("channel", "phone"),))
    check = smart_check(goal, _history(25))["M"]
    assert check.verdict == FAIL
    assert check.message.startswith(
        "the deals table has no channel column; map it on upload. A segment "
        "names a column of the table by its field name:"
    )


def test_measurable_warn_no_matching_rows():
    goal = _goal(segments=(SegmentFilter("source", "Webinar"),))
    check = smart_check(goal, _history(25))["M"]
    assert check.verdict == WARN
    assert "no rows of the deals table match" in check.message


def test_achievable_pass_below_best():
    check = smart_check(_goal(), _history(25))["A"]
    assert check.verdict == PASS
    # 20 in 90 days and 25 in the best 90 days, per month of 30.4375 days:
    # 20 / 2.957 = 6.8 and 25 / 2.957 = 8.5.
    assert check.message == (
        "needs 6.8 per month over the window; the best 90-day window before the "
        "start reached 8.5 per month"
    )


def test_achievable_warn_stretch():
    # 20 is 2 beyond the best 18, within 20 % of 18 (3.6).
    check = smart_check(_goal(), _history(18))["A"]
    assert check.verdict == WARN
    assert check.message.startswith("a stretch: needs 6.8 per month over the window")


def test_achievable_fail_beyond_best():
    # 20 is 10 beyond the best 10, more than 20 % of 10.
    check = smart_check(_goal(), _history(10))["A"]
    assert check.verdict == FAIL
    assert check.message.startswith("beyond past form")


def test_achievable_warn_short_history():
    tables = {"deals": _deals([D(2024, 12, 1)] * 30)}
    check = smart_check(_goal(), tables)["A"]
    assert check.verdict == WARN
    assert "holds no complete window of the goal's 90 days" in check.message


def test_achievable_fewer_goal_uses_lowest():
    # Relative -25 % on 40 complaints in the 90 days before the start: at
    # most 30. The lowest 90 days of the history held 0, so 30 is within it.
    rows = [("b", D(2024, 11, 15), "phone")] * 40 + [("a", D(2024, 1, 1), "phone")]
    tickets = pl.DataFrame(
        rows,
        schema={"ticket_id": pl.String, "created_at": pl.Date, "channel": pl.String},
        orient="row",
    )
    goal = _goal(
        metric="tickets",
        target=-25,
        target_kind="relative",
        segments=(SegmentFilter("channel", "phone"),),
    )
    check = smart_check(goal, {"tickets": tickets})["A"]
    assert check.verdict == PASS


def test_achievable_history_starts_with_table():
    # The phone tickets start on 15 November, but the table on 1 January,
    # so the months before count as months without phone tickets.
    rows = [("b", D(2024, 11, 15), "phone")] * 40 + [("a", D(2024, 1, 1), "email")]
    tickets = pl.DataFrame(
        rows,
        schema={"ticket_id": pl.String, "created_at": pl.Date, "channel": pl.String},
        orient="row",
    )
    goal = _goal(
        metric="tickets",
        target=-25,
        target_kind="relative",
        segments=(SegmentFilter("channel", "phone"),),
    )
    check = smart_check(goal, {"tickets": tickets})["A"]
    assert check.verdict == PASS
    assert check.message.endswith("reached 0.0 per month")


def test_achievable_rate_goal_stretch():
    # Best 30-day close rate before April 2024 is 3 of 4 (75 %); 80 % is
    # 5 points beyond it, within 20 % of 75 (15 points).
    rows = [
        ("a", D(2024, 1, 5), D(2024, 1, 9), "won", "Website"),
        ("b", D(2024, 1, 6), D(2024, 1, 9), "lost", "Website"),
        ("c", D(2024, 2, 10), D(2024, 2, 20), "won", "Website"),
        ("d", D(2024, 2, 11), D(2024, 2, 20), "won", "Website"),
        ("e", D(2024, 2, 12), D(2024, 2, 20), "won", "Website"),
        ("f", D(2024, 2, 13), D(2024, 2, 20), "lost", "Website"),
    ]
    deals = pl.DataFrame(rows, schema=DEALS_SCHEMA, orient="row")
    goal = _goal(
        metric="close_rate", target=80, start=D(2024, 4, 1), deadline=D(2024, 4, 30)
    )
    check = smart_check(goal, {"deals": deals})["A"]
    assert check.verdict == WARN
    assert "needs 80.0 %" in check.message
    assert "reached 75.0 %" in check.message


def test_achievable_warn_when_not_measurable():
    goal = _goal(metric="tickets", target=-25, target_kind="relative", segments=())
    check = smart_check(goal, _history(25))["A"]
    assert check.verdict == WARN
    assert check.message.startswith("cannot be judged")


def test_relevant_warn_vanity_count():
    check = smart_check(_goal(), _history(25))["R"]
    assert check.verdict == WARN
    assert check.message == (
        "new deals count activity, not results; pair this goal with a goal on "
        "close rate or win rate or won deals"
    )


def test_relevant_pass_with_outcome_goal():
    outcome = _goal(title="Close rate", metric="close_rate", target=30)
    check = smart_check(_goal(), _history(25), [outcome])["R"]
    assert check.verdict == PASS


def test_relevant_vanity_not_paired_with_itself():
    goal = _goal()
    check = smart_check(goal, _history(25), [goal])["R"]
    assert check.verdict == WARN


def test_relevant_fail_harmful_direction():
    # 10 % more tickets is the wrong way.
    goal = _goal(metric="tickets", target=10, target_kind="relative", segments=())
    check = smart_check(goal, _history(25))["R"]
    assert check.verdict == FAIL
    assert check.message == (
        "the target makes tickets higher, but lower is better; flip the sign of "
        "the change"
    )


def test_relevant_pass_outcome_metric():
    goal = _goal(metric="tickets", target=-25, target_kind="relative", segments=())
    check = smart_check(goal, _history(25))["R"]
    assert check.verdict == PASS
    assert check.message == "Tickets: lower is better, and the target aims that way"


def test_time_bound_pass():
    check = smart_check(_goal(), _history(25))["T"]
    assert check.verdict == PASS
    assert check.message == "runs 90 days, from 2025-01-01 to 2025-03-31"


def test_time_bound_fail_without_deadline():
    check = smart_check(_goal(deadline=None), _history(25))["T"]
    assert check.verdict == FAIL
    assert "has no deadline" in check.message


def test_time_bound_fail_deadline_before_start():
    check = smart_check(_goal(deadline=D(2024, 12, 31)), _history(25))["T"]
    assert check.verdict == FAIL
    assert check.message.startswith("the deadline 2024-12-31 is not after the start")


def test_time_bound_warn_long_goal():
    # 1 January 2025 to 31 January 2027 is 761 days.
    check = smart_check(_goal(deadline=D(2027, 1, 31)), _history(25))["T"]
    assert check.verdict == WARN
    assert check.message.startswith("runs 761 days")


# Real data: the Maven Analytics CRM sales pipeline, as the Data page loads
# it. Close dates run from 1 March to 31 December 2017.

MAVEN = "maven-crm-sales/sales_pipeline.csv"


@pytest.fixture(scope="module")
def maven(datasets_dir):
    path = datasets_dir / MAVEN
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    won = [row for row in rows if row["deal_stage"] == "Won" and row["close_date"]]
    deals = load_file(path.name, path.read_bytes()).frame
    return won, {"deals": deals}


def _closed_in(won: list[dict[str, str]], first: date, days: int) -> list[dict]:
    last = first + timedelta(days=days - 1)
    return [
        row for row in won if first <= date.fromisoformat(row["close_date"]) <= last
    ]


def _csv_mean_amount(won: list[dict[str, str]], first: date, days: int) -> float:
    amounts = [float(row["close_value"]) for row in _closed_in(won, first, days)]
    return sum(amounts) / len(amounts)


def _csv_mean_cycle(won: list[dict[str, str]], first: date, days: int) -> float:
    cycles = [
        (
            date.fromisoformat(row["close_date"])
            - date.fromisoformat(row["engage_date"])
        ).days
        for row in _closed_in(won, first, days)
    ]
    return sum(cycles) / len(cycles)


def test_maven_deal_size_best_is_baseline(maven):
    won, tables = maven
    # 1 October 2017 to 31 March 2018 is 182 days, so the baseline runs 2
    # April to 30 September 2017. The only earlier window that starts
    # within the data, 2 March to 30 August, is lower.
    goal = Goal(
        "Deal size 2,500", "average_deal_size", 2500, D(2017, 10, 1), D(2018, 3, 31)
    )
    baseline = _csv_mean_amount(won, D(2017, 4, 2), 182)
    earlier = _csv_mean_amount(won, D(2017, 3, 2), 182)
    assert baseline == pytest.approx(2417.13, abs=0.005)
    assert earlier == pytest.approx(2355.76, abs=0.005)
    status = evaluate_goal(goal, tables, D(2017, 12, 31))
    assert status.baseline == pytest.approx(baseline)
    check = smart_check(goal, tables)["A"]
    assert check.message.endswith(
        "the best 182-day window before the start reached 2,417 EUR"
    )


def test_maven_cycle_best_is_baseline(maven):
    won, tables = maven
    # 1 September 2017 to 28 February 2018 is 181 days, so the baseline runs
    # 4 March to 31 August 2017. A month earlier would start before the
    # first close date, so the baseline is the only window. The windows
    # that start on 1 to 3 March give longer cycles, for example 50.40 days
    # from 1 March.
    goal = Goal(
        "Sales cycle -10 %", "sales_cycle_days", -10, D(2017, 9, 1), D(2018, 2, 28),
        target_kind="relative",
    )  # fmt: skip
    baseline = _csv_mean_cycle(won, D(2017, 3, 4), 181)
    assert baseline == pytest.approx(50.16, abs=0.005)
    assert _csv_mean_cycle(won, D(2017, 3, 1), 181) == pytest.approx(50.40, abs=0.005)
    status = evaluate_goal(goal, tables, D(2017, 12, 31))
    assert status.baseline == pytest.approx(baseline)
    check = smart_check(goal, tables)["A"]
    assert "the best 181-day window before the start reached 50.2 days" in check.message
