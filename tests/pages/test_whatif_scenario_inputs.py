"""A saved what-if scenario keeps the baselines typed on the page and the
choice where new subscribers come from, so loading it shows the saved
figures again."""

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import ScenarioStore
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP


def _apply(at: AppTest) -> None:
    next(button for button in at.button if button.label == "Apply").click().run()


def _arr(at: AppTest) -> str:
    return next(metric.value for metric in at.metric if metric.label.startswith("ARR"))


def test_scenario_keeps_typed_new_subscribers(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/whatif.py").run()
    # Without subscriptions and spend, ARR needs typed inputs. The first run
    # had a subscriptions table, so the toggle stays off and the new
    # subscribers are typed too.
    store = Workspace(fresh_workspace)
    for table_type in ("subscriptions", "spend"):
        for entry in store.list_tables(table_type):
            store.delete(entry.id)
    at.run()
    at.number_input(key="whatif_base_churn_rate").set_value(20.0)
    at.number_input(key="whatif_base_arpa").set_value(100.0)
    at.number_input(key="whatif_base_active_customers").set_value(50.0)
    at.number_input(key="whatif_base_new_subscribers_per_month").set_value(5.0)
    _apply(at)
    # 20 % churn a year is m = 1 - 0.8^(1/12) = 1.8423 % a month, and the
    # new subscribers of month k keep 0.981577^(13 - k), so
    # S = 0.981577 x 0.2 / 0.018423 = 10.6557.
    # (50 customers x (1 - 0.20) + 5 a month x 10.6557) x 100 EUR x 12
    # = (40 + 53.2786) x 1,200 = 111,934 EUR.
    assert _arr(at) == "111,934 EUR"
    at.text_input(key="scenario_name").input("Five a month")
    next(b for b in at.button if b.label == "Save scenario").click().run()
    assert not at.exception

    (saved,) = ScenarioStore(fresh_workspace).list_scenarios()
    assert saved.inputs == {
        "churn_rate": 20.0,
        "arpa": 100.0,
        "active_customers": 50.0,
        "new_subscribers_per_month": 5.0,
    }
    assert saved.deals_are_subscribers is False

    at.number_input(key="whatif_base_new_subscribers_per_month").set_value(8.0)
    _apply(at)
    # (40 + 8 x 10.6557) x 1,200 = 125.2457 x 1,200 = 150,295 EUR.
    assert _arr(at) == "150,295 EUR"
    at.button(key="scenario_load").click().run()
    assert not at.exception
    assert at.number_input(key="whatif_base_new_subscribers_per_month").value == 5.0
    assert _arr(at) == "111,934 EUR"


def test_scenario_restores_subscriber_choice(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/whatif.py").run()
    # The sample data has subscriptions, so won deals are not subscribers.
    assert at.toggle(key="whatif_deals_are_subscribers").value is False
    at.toggle(key="whatif_deals_are_subscribers").set_value(True)
    _apply(at)
    at.text_input(key="scenario_name").input("Deals subscribe")
    next(b for b in at.button if b.label == "Save scenario").click().run()

    at.toggle(key="whatif_deals_are_subscribers").set_value(False)
    _apply(at)
    at.button(key="scenario_load").click().run()
    assert not at.exception
    assert at.toggle(key="whatif_deals_are_subscribers").value is True
