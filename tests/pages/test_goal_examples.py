"""The example goals on the sample data: each runs over the evaluation day
with its baseline inside the data, so its card shows a pace, a forecast and
its range.

The expected counts were taken from the sample CSV files by month: phone
tickets about late delivery, website deals by creation date and subscribe
events. Paces are per month of 365.25 / 12 = 30.4375 days.
"""

from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from tests.pages.conftest import APP

AS_OF = date(2026, 11, 30)


def _add_examples() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    # The sample data ends on 30 November 2026, the default evaluation day.
    at.sidebar.date_input(key="goals_as_of").set_value(AS_OF).run()
    at.button(key="goals_examples").click().run()
    assert not at.exception
    return at


def _cards(at: AppTest) -> dict[str, dict[str, str]]:
    """Return each card's figures and notes, keyed by the first word of its
    title.

    The cards come by department: marketing, sales, service.
    """
    titles = [header.value for header in at.get("subheader")]
    metrics = [metric.value for metric in at.metric]
    notes = [caption.value for caption in at.caption if "Pace" in caption.value]
    cards = {}
    for index, title in enumerate(titles):
        current, target, baseline, forecast = metrics[4 * index : 4 * index + 4]
        cards[title.split()[0]] = {
            "current": current,
            "target": target,
            "baseline": baseline,
            "forecast": forecast,
            "notes": notes[index],
        }
    return cards


def test_example_goals_dates(fresh_workspace):
    _add_examples()
    goals = {goal.metric: goal for goal in GoalStore(fresh_workspace).list_goals()}
    # 2 of 3, 4 of 6 and 8 of 12 months lie on or before 30 November.
    assert goals["new_deals"].start == date(2026, 10, 1)
    assert goals["new_deals"].deadline == date(2026, 12, 31)
    assert goals["new_subscribers"].start == date(2026, 8, 1)
    assert goals["new_subscribers"].deadline == date(2027, 1, 31)
    assert goals["tickets"].start == date(2026, 4, 1)
    assert goals["tickets"].deadline == date(2027, 3, 31)


def test_example_leads_card(fresh_workspace):
    leads = _cards(_add_examples())["20"]
    # 5 website deals in October and 5 in November; 7 + 2 + 12 = 21 from
    # July to September, the 92 days before the start.
    assert leads["current"] == "10"
    assert leads["baseline"] == "21"
    # 61 days = 2.0041 months gone: 10 / 2.0041 = 4.99 per month. 31 days
    # = 1.0185 months left: (20 - 10) / 1.0185 = 9.82 per month needed.
    # Forecast 10 + 4.99 x 1.0185 = 15.08, rounded to 15.
    assert leads["forecast"] == "15"
    assert "Pace needed 9.8 per month, pace so far 5.0 per month." in leads["notes"]
    assert "Forecast range (95 %):" in leads["notes"]


def test_example_subscribers_card(fresh_workspace):
    subscribers = _cards(_add_examples())["1,000"]
    # Subscribe events: 159 + 238 + 234 + 239 = 870 from August to November.
    assert subscribers["current"] == "870"
    # 122 days = 4.0082 months gone: 870 / 4.0082 = 217.05 per month. 62
    # days = 2.0370 months left: (1,000 - 870) / 2.0370 = 63.82 needed.
    # Forecast 870 + 217.05 x 2.0370 = 1,312.1, rounded to 1,312.
    assert subscribers["forecast"] == "1,312"
    notes = subscribers["notes"]
    assert "Pace needed 63.8 per month, pace so far 217.1 per month." in notes
    assert "Forecast range (95 %):" in notes


def test_example_complaints_card(fresh_workspace):
    complaints = _cards(_add_examples())["25"]
    # Phone tickets about late delivery from April 2025 to March 2026:
    # 5 + 4 + 4 + 1 + 4 + 5 + 7 + 12 + 9 + 7 + 6 + 14 = 78, so 25 % fewer
    # is 78 x 0.75 = 58.5. April to November 2026:
    # 7 + 2 + 2 + 2 + 3 + 2 + 3 + 3 = 24.
    assert complaints["baseline"] == "78"
    assert complaints["target"] == "58.5"
    assert complaints["current"] == "24"
    # 244 days = 8.0164 months gone: 24 / 8.0164 = 2.99 per month. 121 days
    # = 3.9754 months left: (58.5 - 24) / 3.9754 = 8.68 per month at most.
    # Forecast 24 + 2.99 x 3.9754 = 35.90, rounded to 36.
    assert complaints["forecast"] == "36"
    notes = complaints["notes"]
    assert "Pace needed 8.7 per month, pace so far 3.0 per month." in notes
    assert "Forecast range (95 %):" in notes
