from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import ScenarioStore
from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP


def _open_whatif() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/whatif.py").run()
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _apply(at: AppTest) -> None:
    next(button for button in at.button if button.label == "Apply").click().run()


def test_whatif_page_sample_data_renders():
    at = _open_whatif()
    assert not at.exception
    assert not at.error
    assert set(_metrics(at)) == {
        "Won revenue in 12 months",
        "ARR in 12 months",
        "CLV : CAC",
    }
    assert _metrics(at)["Won revenue in 12 months"] != "–"


def test_whatif_page_close_rate_slider():
    at = _open_whatif()
    shown = _metrics(at)["Won revenue in 12 months"]
    # The sample deals have no currency column, so money is in EUR.
    assert shown.endswith(" EUR")
    baseline = float(shown.removesuffix(" EUR").replace(",", ""))
    at.slider(key="whatif_close_rate").set_value(10)
    _apply(at)
    assert not at.exception
    scenario = float(
        _metrics(at)["Won revenue in 12 months"].removesuffix(" EUR").replace(",", "")
    )
    # Won revenue is proportional to the close rate, so +10 % gives +10 %;
    # the cards round to whole units, so the check allows 1.1 of rounding.
    assert abs(scenario - baseline * 1.1) <= 1.1


def _without_subscriptions(workspace) -> AppTest:
    """Open What if, then delete the subscriptions and spend, so ARR and
    CLV : CAC need typed inputs."""
    at = _open_whatif()
    store = Workspace(workspace)
    for table_type in ("subscriptions", "spend"):
        for entry in store.list_tables(table_type):
            store.delete(entry.id)
    return at.run()


def _type_inputs(at: AppTest, monthly_spend: float, new_subscribers: float) -> None:
    at.number_input(key="whatif_base_churn_rate").set_value(20.0)
    at.number_input(key="whatif_base_arpa").set_value(100.0)
    at.number_input(key="whatif_base_monthly_spend").set_value(monthly_spend)
    at.number_input(key="whatif_base_active_customers").set_value(50.0)
    # The first run had a subscriptions table, so won deals stay apart from
    # the subscribers and their number is typed too.
    at.number_input(key="whatif_base_new_subscribers_per_month").set_value(
        new_subscribers
    )
    _apply(at)


def test_whatif_page_entered_inputs_fill_arr(fresh_workspace):
    at = _without_subscriptions(fresh_workspace)
    assert _metrics(at)["ARR in 12 months"] == "–"
    _type_inputs(at, monthly_spend=10000.0, new_subscribers=5.0)
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["ARR in 12 months"] != "–"
    assert metrics["CLV : CAC"] != "–"
    assert len(at.get("vega_lite_chart")) == 2
    # The subscriptions table is gone, so the caption names the typed number.
    captions = " ".join(caption.value for caption in at.caption)
    assert "take the new subscribers per month entered above" in captions
    assert "from the subscriptions table" not in captions


def test_whatif_missing_change_is_dash(fresh_workspace):
    at = _open_whatif()
    store = Workspace(fresh_workspace)
    for table_type in ("subscriptions", "spend"):
        for entry in store.list_tables(table_type):
            store.delete(entry.id)
    at.run()
    table = at.dataframe[0].value
    changes = dict(zip(table["Figure"], table["Change (%)"], strict=True))
    # No lever moved, so won revenue is unchanged; ARR needs the churn rate
    # and ARPA that the deleted tables gave.
    assert changes["Won revenue in 12 months"] == "+0.0"
    assert changes["ARR in 12 months"] == "–"


def test_whatif_page_save_and_load_scenario(fresh_workspace):
    at = _open_whatif()
    at.slider(key="whatif_leads_per_month").set_value(20)
    _apply(at)
    at.text_input(key="scenario_name").input("More leads")
    next(b for b in at.button if b.label == "Save scenario").click().run()
    assert not at.exception
    (scenario,) = ScenarioStore(fresh_workspace).list_scenarios()
    assert scenario.changes == {"leads_per_month": 20.0}

    at.slider(key="whatif_leads_per_month").set_value(0)
    _apply(at)
    at.button(key="scenario_load").click().run()
    assert not at.exception
    assert at.slider(key="whatif_leads_per_month").value == 20


MIXED_CURRENCY_DEALS = b"""\
Deal ID,Deal Name,Deal Stage,Amount,Currency,Create Date,Close Date
1,Alpha,Closed won,1000,EUR,2024-03-02,2024-03-10
2,Beta,Closed won,500,USD,2024-04-03,2024-04-12
3,Gamma,Closed lost,200,EUR,2024-05-04,2024-05-15
4,Delta,Qualified,,EUR,2025-01-05,
"""


def test_whatif_page_mixed_currencies_need_rate(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    prepared = load_file("mixed.csv", MIXED_CURRENCY_DEALS, table="deals")
    store = Workspace(fresh_workspace)
    # The baseline counts back from the last date of every table the page
    # uses, so the sample subscriptions and spend of 2026 go too.
    for entry in store.list_tables():
        store.delete(entry.id)
    store.save(
        prepared.frame,
        name="Mixed currencies",
        table_type="deals",
        source_file="mixed.csv",
        mapping=prepared.mapping,
    )
    at.switch_page("pages/whatif.py").run()
    assert not at.exception
    assert not at.error
    assert any("1 USD in EUR" in warning.value for warning in at.main.warning)
    assert not at.slider

    at.sidebar.number_input(key="fx_USD_EUR").set_value(0.9).run()
    assert not at.exception
    assert not at.error
    # The baseline is 2024, the last 12 full months before the 2025 deal:
    # (1000 EUR + 500 USD x 0.9) / 2 won deals = 725 EUR.
    label = at.slider(key="whatif_average_deal_size").label
    assert label == "Average deal size (baseline 725.0 EUR)"


def test_whatif_small_money_keeps_its_cents(fresh_workspace):
    at = _without_subscriptions(fresh_workspace)
    _type_inputs(at, monthly_spend=300.0, new_subscribers=80.0)
    table = at.dataframe[0].value
    cac = table.loc[table["Figure"] == "Customer acquisition cost (CAC)"].iloc[0]
    # 300 EUR spend a month / 80 new subscribers a month = 3.75 EUR, which
    # whole units would show as 4 EUR.
    assert cac["Baseline"] == "3.75 EUR"
