"""A table deleted in one session while another session shows it: the other
session's page names once the table that was deleted and which it shows now."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# 3 deals stored first, so "deals" is the older table.
DEALS = (
    b"deal_id,stage,created_at\n"
    b"D1,Won,2025-01-02\n"
    b"D2,Lost,2025-01-03\n"
    b"D3,Won,2025-01-04\n"
)
# 2 deals stored second, so "pipeline" is the newest and the default.
PIPELINE = b"deal_id,stage,created_at\nP1,Won,2025-01-05\nP2,Lost,2025-01-06\n"
NOTICE = "The deals table 'pipeline' you were viewing was deleted."


def _save(store: Workspace, name: str, data: bytes):
    prepared = load_file(f"{name}.csv", data, table="deals")
    return store.save(
        prepared.frame,
        name=name,
        table_type="deals",
        source_file=f"{name}.csv",
        mapping=prepared.mapping,
    )


def _two_deals_tables(root):
    """Store the two deals tables in place of the sample data."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".sample-loaded").touch()
    store = Workspace(root)
    return store, _save(store, "deals", DEALS), _save(store, "pipeline", PIPELINE)


def _open_sales() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/sales.py").run()
    assert not at.exception
    return at


def _notices(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "you were viewing was deleted" in w.value]


def test_deleted_newest_table_noticed_once(fresh_workspace):
    store, _, pipeline = _two_deals_tables(fresh_workspace)
    b = _open_sales()
    assert any(c.value.startswith("Deals from pipeline (2 rows)") for c in b.caption)
    assert _notices(b) == []

    # Another session deletes the table B is viewing, then B acts.
    store.delete(pipeline.id)
    b.run()
    assert not b.exception
    assert _notices(b) == [f"{NOTICE} This page now shows 'deals' (3 rows)."]
    assert any(c.value.startswith("Deals from deals (3 rows)") for c in b.caption)

    b.run()
    assert _notices(b) == []


def test_deleted_chosen_table_noticed(fresh_workspace):
    # B chose the older table in the sidebar, so the URL names it by id. The
    # notice replaces the warning about an unknown table in the address.
    store, older, _ = _two_deals_tables(fresh_workspace)
    _save(store, "later", PIPELINE)
    b = _open_sales()
    b.selectbox(key="table_deals").set_value(older.id).run()
    assert b.query_params["table_deals"] == older.id
    store.delete(older.id)
    b.run()
    assert not b.exception
    notices = _notices(b)
    assert notices == [
        "The deals table 'deals' you were viewing was deleted. This page now "
        "shows 'later' (2 rows)."
    ]
    warnings = [w.value for w in b.sidebar.warning]
    assert not [w for w in warnings if "not stored any more" in w], warnings


def test_last_table_deleted_noticed(fresh_workspace):
    fresh_workspace.mkdir(parents=True, exist_ok=True)
    (fresh_workspace / ".sample-loaded").touch()
    store = Workspace(fresh_workspace)
    pipeline = _save(store, "pipeline", PIPELINE)
    b = _open_sales()
    store.delete(pipeline.id)
    b.run()
    assert not b.exception
    assert _notices(b) == [f"{NOTICE} No other deals table is stored."]


def test_renamed_table_not_noticed(fresh_workspace):
    store, _, pipeline = _two_deals_tables(fresh_workspace)
    b = _open_sales()
    store.rename(pipeline.id, "Q1 pipeline")
    b.run()
    assert _notices(b) == []
    assert any(c.value.startswith("Deals from Q1 pipeline") for c in b.caption)
