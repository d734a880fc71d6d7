"""Goals page: a money goal keeps its currency when the table is replaced
by one in another currency."""

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from kpi_core.importing import load_file
from kpi_core.sharing import ViewStore
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

FORM = "goal_form_new"
HEADER = "Deal ID,Deal Stage,Create Date,Close Date,Amount"
# "Deal size H2" runs 1 July to 31 December 2025. Won in it: 9,000 and
# 13,000, a mean of 11,000. Won in its baseline (28 December 2024 to
# 30 June 2025): 10,000 and 12,000, also 11,000.
ROWS = [
    "0,Closed Lost,2024-11-01,2024-12-01,5000",
    "1,Closed Won,2024-12-01,2025-03-01,10000",
    "2,Closed Won,2025-01-10,2025-05-01,12000",
    "3,Closed Won,2025-06-01,2025-08-01,9000",
    "4,Closed Won,2025-07-01,2025-10-01,13000",
]
AS_OF = date(2025, 12, 31)


def _csv(currency: str | None) -> str:
    lines = [HEADER + (",Currency" if currency else "")]
    lines += [row + (f",{currency}" if currency else "") for row in ROWS]
    return "\n".join(lines) + "\n"


def _replace_with_usd(tmp_path: Path, workspace_root: Path) -> None:
    """Store the same rows marked USD in place of the deals table, as the
    Data page does with Replace."""
    _replace(tmp_path, workspace_root, "USD")


def _replace(tmp_path: Path, workspace_root: Path, currency: str | None) -> None:
    """Store the rows with ``currency`` in a Currency column (None: without
    the column) in place of the deals table."""
    store = Workspace(workspace_root)
    (entry,) = store.list_tables()
    path = tmp_path / f"deals-{currency or 'plain'}.csv"
    path.write_text(_csv(currency), encoding="utf-8")
    prepared = load_file(path.name, path.read_bytes(), table="deals")
    store.save(
        prepared.frame,
        name=entry.name,
        table_type="deals",
        source_file=path.name,
        mapping=prepared.mapping,
        replace_id=entry.id,
    )


def _create_goal(
    tmp_path: Path, workspace_root: Path, currency: str | None = None
) -> AppTest:
    """Store the deals (with ``currency`` in a Currency column) and create
    the goal "Deal size H2" on the Goals page."""
    files = {"deals.csv": (_csv(currency), "deals")}
    _store_only(tmp_path, workspace_root, files)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    at.sidebar.date_input(key="goals_as_of").set_value(AS_OF).run()
    at.text_input(key=f"{FORM}_title").input("Deal size H2")
    at.selectbox(key=f"{FORM}_metric").set_value("average_deal_size")
    at.number_input(key=f"{FORM}_target").set_value(12000.0)
    at.date_input(key=f"{FORM}_start").set_value(date(2025, 7, 1))
    at.date_input(key=f"{FORM}_deadline").set_value(date(2025, 12, 31))
    next(button for button in at.button if button.label == "Save goal").click().run()
    return at


def _figures(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_goal_stores_table_currency(tmp_path, fresh_workspace):
    at = _create_goal(tmp_path, fresh_workspace)
    assert not at.exception
    (goal,) = GoalStore(fresh_workspace).list_goals()
    # Without a Currency column the amounts are EUR.
    assert goal.currency == "EUR"
    figures = _figures(at)
    assert figures["Target"] == "12,000 EUR"
    assert figures["Current"] == "11,000 EUR"


def test_replaced_table_in_usd(tmp_path, fresh_workspace):
    at = _create_goal(tmp_path, fresh_workspace)
    _replace_with_usd(tmp_path, fresh_workspace)
    at.run()
    assert not at.exception
    figures = _figures(at)
    # The target stays 12,000 EUR, and no USD figure is set against it.
    assert figures["Target"] == "12,000 EUR"
    assert figures["Current"] == "–"
    assert figures["Baseline"] == "–"
    assert any("Not available" in element.value for element in at.markdown)
    captions = " ".join(caption.value for caption in at.caption)
    assert "set in EUR" in captions
    assert "deals table are in USD" in captions
    assert "Enter the rate under Currencies in the sidebar." in captions


def test_replaced_table_with_rate(tmp_path, fresh_workspace):
    at = _create_goal(tmp_path, fresh_workspace)
    _replace_with_usd(tmp_path, fresh_workspace)
    at.run()
    # Report currency EUR with 1 USD = 0.9 EUR: the won deals of the goal's
    # window average 11,000 x 0.9 = 9,900 EUR, as does the baseline.
    at.sidebar.number_input(key="fx_USD_EUR").set_value(0.9).run()
    assert not at.exception
    figures = _figures(at)
    assert figures["Target"] == "12,000 EUR"
    assert figures["Current"] == "9,900 EUR"
    assert figures["Baseline"] == "9,900 EUR"


def test_shared_link_in_usd(tmp_path, fresh_workspace):
    _create_goal(tmp_path, fresh_workspace)
    _replace_with_usd(tmp_path, fresh_workspace)
    view = ViewStore(fresh_workspace).create(
        "goals", "Goals", {"goals_as_of": AS_OF.isoformat()}
    )
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = view.token
    at.run()
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    figures = _figures(at)
    assert figures["Target"] == "12,000 EUR"
    assert figures["Current"] == "–"
    captions = " ".join(caption.value for caption in at.caption)
    assert "deals table are in USD" in captions
    assert "ask for a new link with the rate" in captions


def test_usd_goal_on_table_without_currency(tmp_path, fresh_workspace):
    at = _create_goal(tmp_path, fresh_workspace, "USD")
    (goal,) = GoalStore(fresh_workspace).list_goals()
    assert goal.currency == "USD"
    # The replacement has no Currency column, so its amounts are EUR, and
    # the sidebar offers the rate between EUR and the target's USD.
    _replace(tmp_path, fresh_workspace, None)
    at.run()
    at.sidebar.number_input(key="fx_USD_EUR").set_value(0.9).run()
    assert not at.exception
    figures = _figures(at)
    # 12,000 USD x 0.9 = 10,800 EUR; the won deals of the window average
    # (9,000 + 13,000) / 2 = 11,000 EUR, as do those of the baseline.
    assert figures["Target"] == "10,800 EUR"
    assert figures["Current"] == "11,000 EUR"
    captions = " ".join(caption.value for caption in at.caption)
    assert "The target of 12,000 USD is converted at 1 USD = 0.9 EUR" in captions
