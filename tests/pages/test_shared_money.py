"""Exchange rates, table choice and shared settings across the pages.

Each test works on hand-made deals tables in place of the sample data, so
every expected figure below is worked out by hand from the CSV text.
"""

from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal
from kpi_core.importing import load_file
from kpi_core.sharing import ViewStore
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

MIXED_DEALS = b"""\
Deal ID,Deal Name,Deal Stage,Amount,Currency,Create Date,Close Date
1,Alpha,Closed won,1000,EUR,2025-01-02,2025-01-10
2,Beta,Closed won,500,USD,2025-01-03,2025-01-12
3,Gamma,Closed lost,200,EUR,2025-01-04,2025-01-15
"""
OLDER_DEALS = b"""\
Deal ID,Deal Name,Deal Stage,Amount,Currency,Create Date,Close Date
1,A,Closed won,100,EUR,2025-01-10,2025-02-10
2,B,Closed lost,100,EUR,2025-02-10,2025-03-10
3,C,Closed won,300,EUR,2025-04-10,2025-05-10
4,D,Closed won,300,EUR,2025-05-10,2025-06-10
5,E,Closed lost,,EUR,2025-06-10,2025-06-20
"""
RATE_KEY = "fx_USD_EUR"


def _workspace_with(root, *tables: tuple[str, bytes]) -> Workspace:
    """Replace the sample data by the given deals tables, oldest first."""
    AppTest.from_file(APP, default_timeout=60).run()
    store = Workspace(root)
    for entry in store.list_tables():
        store.delete(entry.id)
    for name, data in tables:
        prepared = load_file(f"{name}.csv", data, table="deals")
        store.save(
            prepared.frame,
            name=name,
            table_type="deals",
            source_file=f"{name}.csv",
            mapping=prepared.mapping,
        )
    return store


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _compare_row(at: AppTest, label: str) -> dict:
    table = at.dataframe[0].value
    return table[table["KPI"] == label].iloc[0].to_dict()


def _share_with_rate(root) -> str:
    """Share the Sales page over all data with 1 USD = 0.9 EUR."""
    sender = AppTest.from_file(APP, default_timeout=60).run()
    sender.sidebar.selectbox(key="period").set_value("all").run()
    sender.sidebar.number_input(key=RATE_KEY).set_value(0.9).run()
    sender.sidebar.button(key="share").click().run()
    assert not sender.exception
    [view] = ViewStore(root).list()
    return view.token


def _open_link(token: str, **params: str) -> AppTest:
    viewer = AppTest.from_file(APP, default_timeout=60)
    viewer.query_params["view"] = token
    for name, value in params.items():
        viewer.query_params[name] = value
    return viewer.run()


def _assert_rate_fixed(at: AppTest) -> None:
    rate = at.sidebar.number_input(key=RATE_KEY)
    assert rate.value == 0.9
    assert rate.disabled
    assert at.sidebar.selectbox(key="currency").disabled


def test_shared_rate_on_every_page(fresh_workspace):
    _workspace_with(fresh_workspace, ("Mixed", MIXED_DEALS))
    GoalStore(fresh_workspace).save(
        Goal(
            "Deal size in January",
            "average_deal_size",
            800,
            date(2025, 1, 1),
            date(2025, 1, 31),
        )  # fmt: skip
    )
    token = _share_with_rate(fresh_workspace)

    viewer = _open_link(token)
    assert not viewer.exception
    # Won: 1000 EUR + 500 USD x 0.9 = 1,450 EUR over 2 won deals = 725 EUR.
    assert _metrics(viewer)["Won value"] == "1,450 EUR"
    assert _metrics(viewer)["Average deal size"] == "725 EUR"
    _assert_rate_fixed(viewer)

    viewer.switch_page("pages/goals.py").run()
    assert not viewer.exception
    assert not viewer.error
    _assert_rate_fixed(viewer)
    # The deadline has passed, so the current value is January's 725 EUR.
    assert _metrics(viewer)["Current"] == "725 EUR"

    viewer.switch_page("pages/compare.py").run()
    assert not viewer.exception
    assert not viewer.error
    _assert_rate_fixed(viewer)
    # The default date is the middle of 2025-01-02 to 2025-01-15, 2025-01-08,
    # so after is 2025-01-08 to 2025-01-13: both won deals, (1000 + 450) / 2.
    assert _compare_row(viewer, "Average deal size")["After"] == "725 EUR"

    viewer.switch_page("pages/marketing.py").run()
    assert not viewer.exception
    assert not viewer.error

    viewer.switch_page("pages/sales.py").run()
    assert not viewer.exception
    assert _metrics(viewer)["Won value"] == "1,450 EUR"
    assert viewer.sidebar.selectbox(key="period").value == "all"
    _assert_rate_fixed(viewer)


def test_shared_rate_ignores_url_rate(fresh_workspace):
    _workspace_with(fresh_workspace, ("Mixed", MIXED_DEALS))
    token = _share_with_rate(fresh_workspace)
    viewer = _open_link(token, **{RATE_KEY: "2", "currency": "USD"})
    assert not viewer.exception
    # Still 1000 EUR + 500 x 0.9, not 500 x 2.
    assert _metrics(viewer)["Won value"] == "1,450 EUR"
    _assert_rate_fixed(viewer)


def test_shared_period_and_grain_survive_pages(fresh_workspace):
    _workspace_with(fresh_workspace, ("Older", OLDER_DEALS))
    sender = AppTest.from_file(APP, default_timeout=60).run()
    sender.sidebar.selectbox(key="period").set_value("last_quarter").run()
    sender.sidebar.segmented_control(key="grain").set_value("quarter").run()
    sender.sidebar.selectbox(key="compare_with").set_value("previous").run()
    sender.sidebar.button(key="share").click().run()
    [view] = ViewStore(fresh_workspace).list()

    viewer = _open_link(view.token)
    # Goals draws no period box, so Streamlit drops its state on the way.
    for page in ("pages/goals.py", "pages/service.py", "pages/sales.py"):
        viewer.switch_page(page).run()
        assert not viewer.exception
    period = viewer.sidebar.selectbox(key="period")
    assert period.value == "last_quarter"
    assert period.disabled
    assert viewer.sidebar.segmented_control(key="grain").value == "quarter"
    assert viewer.sidebar.selectbox(key="compare_with").value == "previous"
    # The last date is 2025-06-20, so the last full quarter is January to
    # March 2025: deals 1 (won) and 2 (lost) were created then, 1 / 2.
    assert _metrics(viewer)["Close rate"] == "50.0 %"


def _choose_older(store: Workspace) -> AppTest:
    older = next(e for e in store.list_tables("deals") if e.name == "Older")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.selectbox(key="table_deals").set_value(older.id).run()
    assert not at.exception
    return at


def test_compare_uses_chosen_older_table(fresh_workspace):
    store = _workspace_with(
        fresh_workspace, ("Older", OLDER_DEALS), ("Mixed", MIXED_DEALS)
    )
    at = _choose_older(store)
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert not at.error
    assert at.sidebar.selectbox(key="table_deals").value == next(
        e.id for e in store.list_tables("deals") if e.name == "Older"
    )
    at.sidebar.date_input(key="compare_date").set_value(date(2025, 4, 1)).run()
    at.sidebar.number_input(key="compare_months").set_value(3).run()
    assert not at.exception
    # The older deals run from 2025-01-10 to 2025-06-20, so both windows
    # shrink to 81 days: 2025-01-10 to 2025-03-31 and 2025-04-01 to
    # 2025-06-20. Created before: deals 1 and 2; after: 3, 4 and 5.
    new_deals = _compare_row(at, "New deals")
    assert new_deals["Before"] == "2"
    assert new_deals["After"] == "3"
    # Close rate: 1 won / 2 before, 2 won / 3 after.
    close_rate = _compare_row(at, "Close rate")
    assert close_rate["Before"] == "50.0 %"
    assert close_rate["After"] == "66.7 %"


def test_goals_use_chosen_older_table(fresh_workspace):
    store = _workspace_with(
        fresh_workspace, ("Older", OLDER_DEALS), ("Mixed", MIXED_DEALS)
    )
    GoalStore(fresh_workspace).save(
        Goal(
            "Ten new deals in Q2", "new_deals", 10, date(2025, 4, 1), date(2025, 6, 30)
        )  # fmt: skip
    )
    at = _choose_older(store)
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    assert not at.error
    # Evaluated as of the last older date, 2025-06-20: deals 3, 4 and 5
    # were created since 2025-04-01. The newer table ends in January.
    assert at.sidebar.date_input(key="goals_as_of").value == date(2025, 6, 20)
    assert _metrics(at)["Current"] == "3"


def test_missing_rate_keeps_other_figures(fresh_workspace):
    _workspace_with(fresh_workspace, ("Mixed", MIXED_DEALS))
    goals = GoalStore(fresh_workspace)
    goals.save(
        Goal(
            "Deal size in January",
            "average_deal_size",
            800,
            date(2025, 1, 1),
            date(2025, 1, 31),
        )  # fmt: skip
    )
    goals.save(
        Goal(
            "Three new deals in January",
            "new_deals",
            3,
            date(2025, 1, 1),
            date(2025, 1, 31),
        )  # fmt: skip
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert not at.error
    # Default date 2025-01-08: before is 2025-01-02 to 2025-01-07 (deals 1,
    # 2 and 3 created, 2 won), after 2025-01-08 to 2025-01-13 (none created).
    close_rate = _compare_row(at, "Close rate")
    assert close_rate["Before"] == "66.7 %"
    assert close_rate["After"] == "no data"
    deal_size = _compare_row(at, "Average deal size")
    assert deal_size["After"] == "no data"
    assert "1 USD in EUR" in deal_size["Note"]
    assert "Currencies in the sidebar" in deal_size["Note"]
    # The first warning explains the 6-day windows under the headline.
    assert any("1 USD in EUR" in warning.value for warning in at.warning)

    at.switch_page("pages/goals.py").run()
    assert not at.exception
    assert not at.error
    notes = [element.value for element in at.warning]
    assert any(
        "Deal size in January" in note and "1 USD in EUR" in note for note in notes
    )
    # Deals 1, 2 and 3 were created in January.
    assert _metrics(at)["Current"] == "3"

    at.sidebar.number_input(key=RATE_KEY).set_value(0.9).run()
    assert not at.warning
    assert [m.value for m in at.metric if m.label == "Current"] == ["725 EUR", "3"]


def test_goal_on_one_currency_needs_no_rate(fresh_workspace):
    # The goal is measured on Older (one currency) while Mixed, newer and
    # in USD and EUR, is in use, so its deal size needs no rate.
    store = _workspace_with(
        fresh_workspace, ("Older", OLDER_DEALS), ("Mixed", MIXED_DEALS)
    )
    older = next(e for e in store.list_tables("deals") if e.name == "Older")
    GoalStore(fresh_workspace).save(
        Goal(
            "Deal size",
            "average_deal_size",
            100,
            date(2025, 1, 1),
            date(2025, 6, 30),
            table_id=older.id,
        )  # fmt: skip
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    # The sidebar still requests the rate of the table in use.
    assert not at.main.warning
    # Won from 1 January to 20 June (the last date): 100 + 300 + 300 = 700
    # over 3 deals.
    assert _metrics(at)["Current"] == "233 EUR"
