"""The figures of a goal card: the target of a goal that cannot be measured,
a count's forecast as a whole number inside its range, and a target that is
already reached."""

import re
from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.goals import Goal
from tests.pages.test_goals import _open_with_goal
from tests.pages.test_period_span import _store_only

# Deal 1 shows that the data covers the baseline window before March. In
# March, deal 2 is created on the 2nd and won on the 5th, and deal 3 is
# created and lost on the 7th, the last date in the data.
DEALS = (
    "Record ID,Deal Stage,Create Date,Close Date\n"
    "1,Closed lost,2025-01-10,2025-01-20\n"
    "2,Closed won,2025-03-02,2025-03-05\n"
    "3,Closed lost,2025-03-07,2025-03-07\n"
)
START, DEADLINE = date(2025, 3, 1), date(2025, 3, 30)


def _card(tmp_path, workspace, goal: Goal) -> AppTest:
    _store_only(tmp_path, workspace, {"deals.csv": (DEALS, "deals")})
    at = _open_with_goal(goal, workspace)
    assert not at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.caption]


def test_missing_table_shows_target(tmp_path, fresh_workspace):
    goal = Goal("At most 50 tickets", "tickets", 50, START, DEADLINE)
    at = _card(tmp_path, fresh_workspace, goal)
    assert any("Not available" in element.value for element in at.markdown)
    assert any("there is no tickets table" in text for text in _captions(at))
    metrics = _metrics(at)
    assert metrics["Current"] == "–"
    assert metrics["Target"] == "50"


def test_missing_table_shows_rate_target(tmp_path, fresh_workspace):
    goal = Goal("Churn under 5 %", "churn_rate", 5, START, DEADLINE)
    at = _card(tmp_path, fresh_workspace, goal)
    assert any("there is no subscriptions table" in t for t in _captions(at))
    metrics = _metrics(at)
    assert metrics["Current"] == "–"
    assert metrics["Target"] == "5.0 %"


def test_relative_target_without_baseline_shown(tmp_path, fresh_workspace):
    # The baseline of a goal from 1 January runs from 3 October 2024 to
    # 31 December 2024, before the first deal of 10 January 2025.
    goal = Goal(
        "Half as many deals again", "new_deals", 50, date(2025, 1, 1),
        date(2025, 3, 31), target_kind="relative",
    )  # fmt: skip
    at = _card(tmp_path, fresh_workspace, goal)
    assert any("a relative target needs a baseline" in t for t in _captions(at))
    assert _metrics(at)["Target"] == "Baseline +50 %"


def test_count_forecast_whole_in_range(tmp_path, fresh_workspace):
    # 2 deals created from 1 to 7 March, 7 of the goal's 30 days: 23 days
    # are left, so the forecast is 2 + 2 x 23 / 7 = 2 + 6.571 = 8.571,
    # shown as 9.
    goal = Goal("Twenty new deals", "new_deals", 20, START, DEADLINE)
    at = _card(tmp_path, fresh_workspace, goal)
    assert _metrics(at)["Forecast at the deadline"] == "9"
    ranges = [
        match
        for text in _captions(at)
        if (match := re.search(r"Forecast range \(95 %\): (\d+) to (\d+)\.", text))
    ]
    assert len(ranges) == 1
    low, high = (int(bound) for bound in ranges[0].groups())
    assert low <= 9
    assert high >= 9


def test_reached_count_names_no_pace(tmp_path, fresh_workspace):
    # 2 deals created by 7 March meet the target of 2. The pace so far is
    # 2 deals in 7 days, 2 / (7 / 30.4375) = 8.70 per month.
    goal = Goal("Two new deals", "new_deals", 2, START, DEADLINE)
    at = _card(tmp_path, fresh_workspace, goal)
    captions = _captions(at)
    assert any(
        "The target is already reached. Pace so far 8.7 per month." in text
        for text in captions
    )
    assert not any("Pace needed" in text for text in captions)


def test_reached_rate_names_no_pace(tmp_path, fresh_workspace):
    # Deals 2 and 3 were created in March and 1 of them won: 50 %, above
    # the target of 40 %.
    goal = Goal("Close rate 40 %", "close_rate", 40, START, DEADLINE)
    at = _card(tmp_path, fresh_workspace, goal)
    assert _metrics(at)["Current"] == "50.0 %"
    captions = _captions(at)
    assert any("The target is already reached." in text for text in captions)
    assert not any("Pace needed" in text for text in captions)
    assert not any("+0.00" in text for text in captions)


def test_unreached_goal_keeps_pace(tmp_path, fresh_workspace):
    # 18 more deals in the 23 days left: 18 / (23 / 30.4375) = 23.8 a month.
    goal = Goal("Twenty new deals", "new_deals", 20, START, DEADLINE)
    at = _card(tmp_path, fresh_workspace, goal)
    assert any(
        "Pace needed 23.8 per month, pace so far 8.7 per month." in text
        for text in _captions(at)
    )


def test_count_over_ceiling_says_so(tmp_path, fresh_workspace):
    tickets = (
        "Id,Status,Created at,Solved at\n"
        "1,Solved,2025-01-10 09:00,2025-01-10 10:00\n"
        "2,Solved,2025-03-03 09:00,2025-03-03 10:00\n"
        "3,Solved,2025-03-04 09:00,2025-03-04 10:00\n"
        "4,Solved,2025-03-05 09:00,2025-03-05 10:00\n"
    )
    _store_only(tmp_path, fresh_workspace, {"tickets.csv": (tickets, "tickets")})
    goal = Goal("At most 1 ticket", "tickets", 1, START, DEADLINE)
    at = _open_with_goal(goal, fresh_workspace)
    assert not at.exception
    # 3 tickets in March against a ceiling of 1: exceeded by 3 - 1 = 2, so
    # no pace needed is shown.
    captions = " ".join(_captions(at))
    assert "The ceiling of 1 is already exceeded by 2." in captions
    assert "Pace needed" not in captions


def test_new_goal_moves_evaluation_day(tmp_path, fresh_workspace):
    tickets = (
        "Id,Status,Created at,Solved at\n"
        "1,Solved,2025-01-10 09:00,2025-01-10 10:00\n"
        "2,Solved,2025-06-30 09:00,2025-06-30 10:00\n"
    )
    files = {"deals.csv": (DEALS, "deals"), "tickets.csv": (tickets, "tickets")}
    _store_only(tmp_path, fresh_workspace, files)
    goal = Goal("Two new deals", "new_deals", 2, START, DEADLINE)
    at = _open_with_goal(goal, fresh_workspace)
    # The deals goal alone: its table's last date, 7 March 2025.
    assert at.sidebar.date_input(key="goals_as_of").value == date(2025, 3, 7)

    at.text_input(key="goal_form_new_title").input("Fewer tickets")
    at.selectbox(key="goal_form_new_department").set_value("service")
    at.selectbox(key="goal_form_new_metric").set_value("tickets")
    at.number_input(key="goal_form_new_target").set_value(5)
    next(b for b in at.button if b.label == "Save goal").click().run()
    assert not at.exception
    # The tickets run to 30 June, so the same run evaluates on that day.
    assert at.sidebar.date_input(key="goals_as_of").value == date(2025, 6, 30)
    assert any("Saved the goal “Fewer tickets”" in s.value for s in at.success)


def test_rate_goal_explains_its_forecast(tmp_path, fresh_workspace):
    goal = Goal("Win rate 60 %", "win_rate", 60, START, DEADLINE)
    at = _card(tmp_path, fresh_workspace, goal)
    captions = " ".join(_captions(at))
    # Deals 2 (won) and 3 (lost) closed in March: 1 of 2 = 50.0 %.
    assert _metrics(at)["Current"] == "50.0 %"
    assert "Pace needed" in captions
    assert "The forecast of a rate or an average is its current value" in captions


def _churn_card(tmp_path, workspace, goal: Goal, leaving: list[str]) -> AppTest:
    """Open the card of a churn goal on 10 customers paying since 2024, of
    whom ``leaving`` leave on 5 March 2025 and c9 on 29 April, evaluated
    on 30 March."""
    rows = ["Customer ID,Start Date,Ended At,Amount,Interval,Currency"]
    for n in range(9):
        ended = "2025-03-05" if f"c{n}" in leaving else ""
        rows.append(f"c{n},2024-01-01,{ended},50,month,EUR")
    rows.append("c9,2024-01-01,2025-04-29,50,month,EUR")
    subs = "\n".join(rows) + "\n"
    _store_only(tmp_path, workspace, {"subs.csv": (subs, "subscriptions")})
    at = _open_with_goal(goal, workspace)
    assert not at.exception
    at.sidebar.date_input(key="goals_as_of").set_value(date(2025, 3, 30)).run()
    return at


def test_churn_goal_continued_at_pace(tmp_path, fresh_workspace):
    # c0 leaves on 5 March, and c9 on 29 April, after the day evaluated.
    goal = Goal("Churn under 12 %", "churn_rate", 12, START, date(2025, 5, 28))
    at = _churn_card(tmp_path, fresh_workspace, goal, ["c0"])
    captions = " ".join(_captions(at))
    metrics = _metrics(at)
    # 1 of 10 gone in the first 30 of 89 days: 10.0 % so far, and at that
    # monthly hazard 1 - 0.9^(89 / 30) = 26.8 % by 28 May.
    assert metrics["Current"] == "10.0 %"
    assert metrics["Forecast at the deadline"] == "26.8 %"
    assert "the forecast continues it at its pace" in captions
    assert "is its current value" not in captions


def test_goals_excel_offered(tmp_path, fresh_workspace):
    goal = Goal("Two new deals", "new_deals", 2, START, DEADLINE)
    at = _card(tmp_path, fresh_workspace, goal)
    labels = [button.label for button in at.sidebar.get("download_button")]
    assert "Download goals (Excel)" in labels


def test_churn_above_ceiling_named(tmp_path, fresh_workspace):
    # c0 and c1 leave on 5 March: 20 % so far, above a 10 % ceiling.
    goal = Goal("Churn under 10 %", "churn_rate", 10, START, date(2025, 5, 28))
    at = _churn_card(tmp_path, fresh_workspace, goal, ["c0", "c1"])
    captions = " ".join(_captions(at))
    assert "The churn so far, 20.0 %, is above the ceiling of 10.0 %." in captions
    assert "already exceeded" not in captions
    assert "Pace needed" not in captions
