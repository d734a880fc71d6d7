from datetime import date

import streamlit as st
from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal
from kpi_core.mapping import Mapping
from kpi_core.sharing import ViewStore
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP


def _share_sales_view(workspace_root) -> str:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.selectbox(key="period").set_value("last_quarter").run()
    at.sidebar.segmented_control(key="grain").set_value("quarter").run()
    at.sidebar.button(key="share").click().run()
    assert not at.exception
    [view] = ViewStore(workspace_root).list()
    assert f"?view={view.token}" in at.sidebar.code[0].value
    return view.token


def test_shared_link_opens_same_view_read_only(fresh_workspace):
    token = _share_sales_view(fresh_workspace)
    # A restart: the server process loses every cache and session.
    st.cache_resource.clear()
    st.cache_data.clear()
    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = token
    manager.run()
    assert not manager.exception
    assert manager.sidebar.selectbox(key="period").value == "last_quarter"
    assert manager.sidebar.segmented_control(key="grain").value == "quarter"
    assert "Read-only view" in manager.sidebar.info[0].value
    assert not [b for b in manager.sidebar.button if b.key == "share"]
    assert len(manager.get("vega_lite_chart")) >= 6


def test_revoked_link_shows_message(fresh_workspace):
    token = _share_sales_view(fresh_workspace)
    ViewStore(fresh_workspace).revoke(token)
    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = token
    manager.run()
    assert not manager.exception
    assert "revoked" in manager.error[0].value
    assert not manager.get("vega_lite_chart")


def test_data_page_lists_and_revokes_links(fresh_workspace):
    token = _share_sales_view(fresh_workspace)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.button(key=f"revoke:{token}").click().run()
    assert not at.exception
    assert ViewStore(fresh_workspace).list()[0].active is False


def _open_link(token: str, page: str | None = None) -> AppTest:
    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = token
    manager.run()
    if page is not None:
        manager.switch_page(page).run()
    assert not manager.exception
    return manager


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_link_to_deleted_table_says_so(fresh_workspace):
    token = _share_sales_view(fresh_workspace)
    store = Workspace(fresh_workspace)
    [deals] = store.list_tables("deals")
    store.delete(deals.id)
    manager = _open_link(token)
    assert [warning.value for warning in manager.warning] == [
        "Since this link was made, the deals table was deleted. The figures "
        "that need it are left out; ask the sender of this link for a new one."
    ]
    # The upsell rate still comes from the subscriptions; no deal figure does.
    assert "Close rate" not in _metrics(manager)
    assert not manager.error


def test_goals_link_after_delete_banner(fresh_workspace):
    token = _share_sales_view(fresh_workspace)
    store = Workspace(fresh_workspace)
    [deals] = store.list_tables("deals")
    store.delete(deals.id)
    viewer = _open_link(token, "pages/goals.py")
    assert [warning.value for warning in viewer.warning][0] == (
        "Since this link was made, the deals table was deleted. Goals measured "
        "on it now follow the table their owner moved them to, which the page "
        "names; ask the sender of this link for a new one."
    )


def test_deleted_table_leaves_the_rest_of_the_link(fresh_workspace):
    token = _share_sales_view(fresh_workspace)
    store = Workspace(fresh_workspace)
    sales = _metrics(_open_link(token))
    [nps] = store.list_tables("nps")
    store.delete(nps.id)
    # The Sales page uses no NPS responses and shows the same figures.
    manager = _open_link(token)
    assert _metrics(manager) == sales
    assert "the NPS survey responses table was deleted" in manager.warning[0].value
    service = _metrics(_open_link(token, "pages/service.py"))
    assert service["Net Promoter Score"] == "Not available"
    assert service["Time to resolution"] != "Not available"


def test_link_missing_spend_has_no_cac(fresh_workspace):
    token = _share_sales_view(fresh_workspace)
    store = Workspace(fresh_workspace)
    before = _metrics(_open_link(token, "pages/marketing.py"))
    assert before["Customer acquisition cost"] != "Not available"
    [spend] = store.list_tables("spend")
    store.delete(spend.id)
    manager = _open_link(token, "pages/marketing.py")
    # Spend from fewer tables than the link was made with would make the
    # cost too low, so none is used.
    assert _metrics(manager)["Customer acquisition cost"] == "Not available"
    assert "the marketing spend table was deleted" in manager.warning[0].value


def _marketing_tables(at: AppTest) -> list:
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    return [frame.value for frame in at.dataframe]


def _with_shared_settings() -> AppTest:
    """Open the app with the period and grain of ``_share_sales_view``."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["period"] = "last_quarter"
    at.session_state["grain"] = "quarter"
    return at.run()


def test_link_keeps_its_deals_table_on_marketing(fresh_workspace):
    AppTest.from_file(APP, default_timeout=60).run()
    # Without orders the marketing page takes campaign revenue from the deals.
    store = Workspace(fresh_workspace)
    [orders] = store.list_tables("orders")
    store.delete(orders.id)
    token = _share_sales_view(fresh_workspace)
    shared_tables = _marketing_tables(_with_shared_settings())
    # A newer deals upload after the link was made: the first 20 sample deals.
    [deals] = store.list_tables("deals")
    store.save(
        store.load(deals.id).head(20),
        name="Newer deals",
        table_type="deals",
        source_file="newer.csv",
        mapping=Mapping("deals", deals.mapping),
    )
    st.cache_data.clear()
    later = _marketing_tables(_with_shared_settings())
    assert any(not a.equals(b) for a, b in zip(shared_tables, later, strict=True)), (
        "the newer deals table should change the marketing page"
    )
    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = token
    manager.run()
    for seen, expected in zip(_marketing_tables(manager), shared_tables, strict=True):
        assert seen.equals(expected)


def test_link_to_page_without_data_has_no_traceback(fresh_workspace):
    # Only deals remain, so the Service page of the link has nothing to show
    # and must not link to the Data page, which a shared view lacks.
    AppTest.from_file(APP, default_timeout=60).run()
    store = Workspace(fresh_workspace)
    for entry in store.list_tables():
        if entry.table_type not in ("deals", "stage_history"):
            store.delete(entry.id)
    token = _share_sales_view(fresh_workspace)
    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = token
    manager.run()
    manager.switch_page("pages/service.py").run()
    assert not manager.exception
    assert "yet" in manager.info[-1].value
    # In a browser the link raises StreamlitPageNotFoundError; AppTest only
    # records it, so the check is that no such link is drawn.
    assert not manager.get("page_link")


def test_link_keeps_token_on_every_page(fresh_workspace):
    token = _share_sales_view(fresh_workspace)
    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = token
    manager.run()
    for page in ("pages/marketing.py", "pages/goals.py", "pages/whatif.py"):
        # The sidebar navigation drops the URL parameters.
        manager.query_params.clear()
        manager.switch_page(page).run()
        assert not manager.exception
        assert manager.query_params["view"] == token, page
        assert "Read-only view" in manager.sidebar.info[0].value, page


def test_reloaded_page_of_link_stays_read_only(fresh_workspace):
    token = _share_sales_view(fresh_workspace)
    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = token
    manager.run()
    manager.query_params.clear()
    manager.switch_page("pages/marketing.py").run()
    # A reload starts a new session with the address of the Marketing page.
    reloaded = AppTest.from_file(APP, default_timeout=60)
    reloaded.query_params.update(manager.query_params)
    reloaded.run()
    reloaded.switch_page("pages/marketing.py").run()
    assert not reloaded.exception
    assert "Read-only view" in reloaded.sidebar.info[0].value
    assert reloaded.sidebar.selectbox(key="period").value == "last_quarter"
    assert reloaded.sidebar.selectbox(key="period").disabled
    assert not [b for b in reloaded.sidebar.button if b.key == "share"]


def test_link_names_one_of_its_spend_tables(fresh_workspace):
    AppTest.from_file(APP, default_timeout=60).run()
    store = Workspace(fresh_workspace)
    [spend] = store.list_tables("spend")
    # Two spend exports of one's own, which the pages add up.
    for name in ("Ads spend", "More spend"):
        store.save(
            store.load(spend.id).head(5),
            name=name,
            table_type="spend",
            source_file=f"{name}.csv",
            mapping=Mapping("spend", spend.mapping),
        )
    token = _share_sales_view(fresh_workspace)
    [more] = [
        entry for entry in store.list_tables("spend") if entry.name == "More spend"
    ]
    store.delete(more.id)
    manager = _open_link(token, "pages/marketing.py")
    assert manager.warning[0].value.startswith(
        "Since this link was made, a marketing spend table was deleted."
    )
    assert _metrics(manager)["Customer acquisition cost"] == "Not available"


def test_goal_without_its_table_names_who_can_upload(fresh_workspace):
    AppTest.from_file(APP, default_timeout=60).run()
    goal = Goal("Fewer tickets", "tickets", 100, date(2025, 1, 1), date(2025, 12, 31))
    GoalStore(fresh_workspace).save(goal)
    token = _share_sales_view(fresh_workspace)
    store = Workspace(fresh_workspace)
    [tickets] = store.list_tables("tickets")
    store.delete(tickets.id)
    manager = _open_link(token, "pages/goals.py")
    captions = [caption.value for caption in manager.caption]
    # The viewer of a link has no Data page, so the reason names who has it.
    assert any(
        "to measure this goal, upload one on the Data page, which only the "
        "sender of this link can open" in caption
        for caption in captions
    )
