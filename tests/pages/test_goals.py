from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal
from kpi_core.sharing import ViewStore
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only
from tests.pages.test_table_choice import older_and_newer

FORM = "goal_form_new"
STATUS_LABELS = (
    "On track",
    "At risk",
    "Off track",
    "Achieved",
    "Not started",
    "Not available",
)
# The sample deals run from 2025-01-01 to 2026-11-30.
START = date(2026, 6, 1)
EXAMPLES = [
    {
        "title": "20 new leads from the company website within 3 months",
        "department": "sales",
        "metric": "new_deals",
        "segments": "source = Website",
        "kind": "absolute",
        "target": 20.0,
        "deadline": date(2026, 8, 31),
    },
    {
        "title": "1,000 new newsletter subscribers within 6 months",
        "department": "marketing",
        "metric": "new_subscribers",
        "segments": "",
        "kind": "absolute",
        "target": 1000.0,
        "deadline": date(2026, 11, 30),
    },
    {
        "title": "25 % fewer phone complaints about late deliveries within 1 year",
        "department": "service",
        "metric": "tickets",
        "segments": "channel = phone; category = late delivery",
        "kind": "relative",
        "target": -25.0,
        "deadline": date(2027, 5, 31),
    },
]


def _open_goals() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    return at


def _submit_goal(at: AppTest, values: dict) -> None:
    at.text_input(key=f"{FORM}_title").input(values["title"])
    at.selectbox(key=f"{FORM}_department").set_value(values["department"])
    at.selectbox(key=f"{FORM}_metric").set_value(values["metric"])
    at.text_input(key=f"{FORM}_segments").input(values["segments"])
    at.radio(key=f"{FORM}_kind").set_value(values["kind"])
    at.number_input(key=f"{FORM}_target").set_value(values["target"])
    at.date_input(key=f"{FORM}_start").set_value(START)
    at.date_input(key=f"{FORM}_deadline").set_value(values["deadline"])
    at.text_input(key=f"{FORM}_owner").input("Anna Becker")
    next(button for button in at.button if button.label == "Save goal").click().run()


def test_goals_page_without_goals():
    at = _open_goals()
    assert not at.exception
    assert "No goals yet" in at.info[0].value


def test_goals_page_creates_three_examples(fresh_workspace):
    at = _open_goals()
    for values in EXAMPLES:
        _submit_goal(at, values)
        assert not at.exception
        assert not at.error
    stored = GoalStore(fresh_workspace).list_goals()
    assert sorted(goal.title for goal in stored) == sorted(
        values["title"] for values in EXAMPLES
    )
    subheaders = [element.value for element in at.subheader]
    for values in EXAMPLES:
        assert values["title"] in subheaders


def test_goals_page_example_segments_stored(fresh_workspace):
    at = _open_goals()
    _submit_goal(at, EXAMPLES[2])
    (goal,) = GoalStore(fresh_workspace).list_goals()
    assert [segment.label() for segment in goal.segments] == [
        "channel = phone",
        "category = late delivery",
    ]
    assert goal.target_kind == "relative"
    assert goal.target == -25.0


def test_goals_page_status_cards_render():
    at = _open_goals()
    for values in EXAMPLES:
        _submit_goal(at, values)
    assert not at.exception
    statuses = [
        element.value
        for element in at.markdown
        if any(label in element.value for label in STATUS_LABELS)
    ]
    assert len(statuses) == 3
    labels = [metric.label for metric in at.metric]
    assert labels.count("Forecast at the deadline") == 3
    # Each card checks the five SMART letters.
    letters = [element.value for element in at.markdown if element.value[:2] == "**"]
    assert len(letters) == 3 * 5


def test_goals_page_invalid_segment_shows_error():
    at = _open_goals()
    _submit_goal(at, {**EXAMPLES[0], "segments": "source Website"})
    assert not at.exception
    # The message starts with a capital, as on the Data page.
    assert at.error[0].value.startswith("Invalid segment filter")


def test_goals_page_delete_goal(fresh_workspace):
    at = _open_goals()
    _submit_goal(at, EXAMPLES[0])
    (goal,) = GoalStore(fresh_workspace).list_goals()
    at.button(key=f"delete_goal_{goal.id}").click().run()
    at.button(key=f"delete_goal_confirm_{goal.id}").click().run()
    assert not at.exception
    assert GoalStore(fresh_workspace).list_goals() == []


def test_goals_page_edit_goal(fresh_workspace):
    at = _open_goals()
    _submit_goal(at, EXAMPLES[0])
    (goal,) = GoalStore(fresh_workspace).list_goals()
    form = f"goal_form_{goal.id}"
    at.number_input(key=f"{form}_target").set_value(30.0)
    save_buttons = [button for button in at.button if button.label == "Save goal"]
    save_buttons[-1].click().run()
    assert not at.exception
    assert GoalStore(fresh_workspace).get(goal.id).target == 30.0


def test_example_goals_button_adds_three():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    at.button(key="goals_examples").click().run()
    assert not at.exception
    titles = " ".join(e.value for e in at.get("subheader"))
    assert "20 new leads from the company website" in titles
    assert "1,000 new newsletter subscribers" in titles
    assert "25 % fewer phone complaints" in titles


def test_goals_page_locked_no_form_hint():
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["editor_password"] = "s3cret"
    at.run()
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    assert at.info[0].value == "No goals yet."


def test_goals_page_shared_no_form_hint(fresh_workspace):
    AppTest.from_file(APP, default_timeout=60).run()
    view = ViewStore(fresh_workspace).create("goals", "Goals", {})
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = view.token
    at.run()
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    assert not at.get("form")
    assert at.info[0].value == "No goals yet."


def test_goals_page_editable_form_hint():
    at = _open_goals()
    assert at.info[0].value == "No goals yet. Create one with the form above."


def _open_with_goal(goal: Goal, workspace) -> AppTest:
    at = _open_goals()
    GoalStore(workspace).save(goal)
    at.run()
    return at


def test_goals_page_progress_label_formula(fresh_workspace):
    # A goal that ended before the data ends, so the count is final.
    goal = Goal(
        "A million deals", "new_deals", 1_000_000, date(2026, 1, 1),
        date(2026, 3, 31),
    )  # fmt: skip
    at = _open_with_goal(goal, fresh_workspace)
    assert not at.exception
    (bar,) = at.get("progress")
    assert "(current − baseline) / (target − baseline)" in bar.proto.text


def test_goals_page_baseline_meets_target(fresh_workspace):
    # Any close rate of the sample deals is above 0.1 %.
    goal = Goal(
        "Close rate 0.1 %", "close_rate", 0.1, date(2026, 1, 1), date(2026, 3, 31)
    )
    at = _open_with_goal(goal, fresh_workspace)
    assert not at.exception
    assert not at.get("progress")
    captions = [element.value for element in at.caption]
    assert any("already meets the target of 0.1 %" in text for text in captions)


def test_fractional_count_target_shown(tmp_path, fresh_workspace):
    # The baseline of March 2025 is 29 January to 28 February: 3 new deals,
    # so +50 % aims at 3 x 1.5 = 4.5 deals. The deal of 10 January shows
    # that the data covers the whole window.
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "deals.csv": (
                "Record ID,Deal Stage,Create Date\n"
                "1,Open,2025-01-10\n2,Open,2025-02-01\n3,Open,2025-02-10\n"
                "4,Open,2025-02-20\n5,Open,2025-03-05\n",
                "deals",
            )
        },
    )
    goal = Goal(
        "More deals", "new_deals", 50, date(2025, 3, 1), date(2025, 3, 31),
        target_kind="relative",
    )  # fmt: skip
    at = _open_with_goal(goal, fresh_workspace)
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Target"] == "4.5"
    assert metrics["Baseline"] == "3"


def test_count_goal_prediction_range(tmp_path, fresh_workspace):
    # 1 new deal from 1 to 10 March 2025, the last date in the data, in a
    # goal of 30 days: 20 days are left, a third of the time is observed.
    # The deals to come are negative binomial with size 1.5 and p = 1/3:
    # P(0) = (1/3)^1.5 = 0.19245 already exceeds 2.5 %, and the ratios
    # (j + 1.5) x (2/3) / (j + 1) give P(Y <= 10) = 0.9722 and
    # P(Y <= 11) = 0.9808. So the final count lies in 1 + 0 to 1 + 11.
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "deals.csv": (
                "Record ID,Deal Stage,Create Date\n"
                "1,Open,2025-01-10\n2,Open,2025-03-10\n",
                "deals",
            )
        },
    )
    goal = Goal("12 deals", "new_deals", 12, date(2025, 3, 1), date(2025, 3, 30))
    at = _open_with_goal(goal, fresh_workspace)
    assert not at.exception
    captions = [element.value for element in at.caption]
    assert any("Forecast range (95 %): 1 to 12." in text for text in captions)
    # The forecast 1 x 3 = 3 misses 12, but the upper bound 12 reaches it.
    assert any("At risk" in element.value for element in at.markdown)


def test_as_of_follows_chosen_table(fresh_workspace):
    _, older, newer = older_and_newer(fresh_workspace)
    at = _open_goals()
    as_of = at.sidebar.date_input(key="goals_as_of")
    # The newer deals end with deal 4's close date.
    assert as_of.value == date(2025, 1, 31)
    at.sidebar.selectbox(key="table_deals").set_value(older.id).run()
    assert not at.exception
    # The older deals end with deal 5's close date.
    assert at.sidebar.date_input(key="goals_as_of").value == date(2025, 6, 20)
    assert "The last date in the data is 2025-06-20." in [
        caption.value for caption in at.sidebar.caption
    ]
    # The new-goal form starts on the first of that month and runs 3 months.
    assert at.date_input(key=f"{FORM}_start").value == date(2025, 6, 1)
    assert at.date_input(key=f"{FORM}_deadline").value == date(2025, 8, 31)
    at.sidebar.selectbox(key="table_deals").set_value(newer.id).run()
    assert at.sidebar.date_input(key="goals_as_of").value == date(2025, 1, 31)
    assert at.date_input(key=f"{FORM}_start").value == date(2025, 1, 1)
    assert at.date_input(key=f"{FORM}_deadline").value == date(2025, 3, 31)


def test_as_of_set_by_user_stays(fresh_workspace):
    _, older, _ = older_and_newer(fresh_workspace)
    at = _open_goals()
    at.sidebar.date_input(key="goals_as_of").set_value(date(2025, 3, 1)).run()
    at.sidebar.selectbox(key="table_deals").set_value(older.id).run()
    assert not at.exception
    assert at.sidebar.date_input(key="goals_as_of").value == date(2025, 3, 1)


def _current(at: AppTest) -> str:
    return {metric.label: metric.value for metric in at.metric}["Current"]


def test_goal_keeps_its_table(fresh_workspace):
    _, older, newer = older_and_newer(fresh_workspace)
    at = _open_goals()
    _submit_goal(
        at,
        {
            "title": "Ten new deals",
            "department": "sales",
            "metric": "new_deals",
            "segments": "",
            "kind": "absolute",
            "target": 10.0,
            "deadline": date(2026, 6, 30),
        },
    )
    (goal,) = GoalStore(fresh_workspace).list_goals()
    assert goal.table_id == newer.id
    at.sidebar.selectbox(key="table_deals").set_value(older.id).run()
    assert not at.exception
    captions = [caption.value for caption in at.caption]
    assert (
        "Measured on the deals table “Newer”, not on “Older” chosen in the sidebar."
        in (captions)
    )
    assert GoalStore(fresh_workspace).get(goal.id).table_id == newer.id


def test_goal_moves_to_chosen_table(fresh_workspace):
    _, older, newer = older_and_newer(fresh_workspace)
    goal = Goal(
        "Ten new deals", "new_deals", 10, date(2025, 1, 1), date(2025, 6, 30),
        table_id=newer.id,
    )  # fmt: skip
    at = _open_goals()
    GoalStore(fresh_workspace).save(goal)
    at.sidebar.selectbox(key="table_deals").set_value(older.id).run()
    assert not at.exception
    # Evaluated as of 20 June 2025, the older deals' last date. Newer has 4
    # deals created in the window (2-5 January), and Older would give 5.
    assert _current(at) == "4"
    form = f"goal_form_{goal.id}"
    at.checkbox(key=f"{form}_move").check()
    save_buttons = [button for button in at.button if button.label == "Save goal"]
    save_buttons[-1].click().run()
    assert not at.exception
    assert GoalStore(fresh_workspace).get(goal.id).table_id == older.id
    # The five older deals were created 10 January to 10 June 2025.
    assert _current(at) == "5"


def test_move_box_shows_table_name_as_text(fresh_workspace):
    store, older, newer = older_and_newer(fresh_workspace)
    # A widget label renders Markdown: an image would be fetched from the
    # address, and the stars would make bold text.
    name = "![x](http://127.0.0.1:9/probe.png) **bold**"
    store.rename(older.id, name)
    goal = Goal(
        "Ten new deals", "new_deals", 10, date(2025, 1, 1), date(2025, 6, 30),
        table_id=newer.id,
    )  # fmt: skip
    at = _open_goals()
    GoalStore(fresh_workspace).save(goal)
    at.sidebar.selectbox(key="table_deals").set_value(older.id).run()
    assert not at.exception
    label = at.checkbox(key=f"goal_form_{goal.id}_move").label
    assert "![x](" not in label
    assert "**bold**" not in label
    assert label.startswith("Measure this goal on “")


def test_goal_of_deleted_table(fresh_workspace):
    store, older, newer = older_and_newer(fresh_workspace)
    goal = Goal(
        "Ten new deals", "new_deals", 10, date(2025, 1, 1), date(2025, 6, 30),
        table_id=newer.id,
    )  # fmt: skip
    GoalStore(fresh_workspace).save(goal)
    store.delete(newer.id)
    at = _open_goals()
    assert not at.exception
    assert _current(at) == "5"
    captions = [caption.value for caption in at.caption]
    assert (
        "The table this goal was measured on is no longer stored, so it is "
        "measured on the deals table “Older” in use. Tick the box under Edit or "
        "delete to keep measuring it on that table." in captions
    )


def test_new_goal_card_has_no_table_note(fresh_workspace):
    _, older, _ = older_and_newer(fresh_workspace)
    at = _open_goals()
    at.sidebar.selectbox(key="table_deals").set_value(older.id).run()
    _submit_goal(at, EXAMPLES[0])
    assert not at.exception
    (goal,) = GoalStore(fresh_workspace).list_goals()
    assert goal.table_id == older.id
    captions = [caption.value for caption in at.caption]
    assert not [text for text in captions if "no longer stored" in text]
    assert not [text for text in captions if text.startswith("Measured on")]


def test_goal_day_ignores_sidebar_table(fresh_workspace):
    _, older, newer = older_and_newer(fresh_workspace)
    goal = Goal(
        "Ten new deals", "new_deals", 10, date(2025, 1, 1), date(2025, 6, 30),
        table_id=older.id,
    )  # fmt: skip
    GoalStore(fresh_workspace).save(goal)
    at = _open_goals()
    # Newer is in use, but the goal's table, Older, ends on 20 June 2025.
    assert at.sidebar.date_input(key="goals_as_of").value == date(2025, 6, 20)
    assert _current(at) == "5"
    at.sidebar.selectbox(key="table_deals").set_value(newer.id).run()
    assert at.sidebar.date_input(key="goals_as_of").value == date(2025, 6, 20)
    assert _current(at) == "5"
