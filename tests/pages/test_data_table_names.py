"""Data page and table pickers: the same file imported twice, names that
another table has, names from hostile file names, and older workspaces
with duplicate names."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.mapping import Mapping
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# The header of the Needful Things orders export, with three orders.
ORDERS = (
    "id,customer_key,order_datetime,order_month,state,item,category,sales,"
    "channel,channel_group,channel_month\n"
    "1,C-1,2025-08-17 12:32:34,2025-08-01,Ohio,Lamp,Odd,34.0,Google,Search,x\n"
    "2,C-2,2025-11-20 23:39:59,2025-11-01,Iowa,Pendant,Odd,8.0,Tiktok,Social,x\n"
    "3,C-1,2025-12-01 08:00:00,2025-12-01,Ohio,Lamp,Odd,12.5,Google,Search,x\n"
)


def _data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    return at


def _upload(at: AppTest, path: Path, file_name: str | None = None) -> str:
    data = path.read_bytes()
    name = file_name or path.name
    at.file_uploader(key="uploads").set_value([(name, data, "text/csv")]).run()
    assert not at.exception
    return hashlib.sha256(data).hexdigest()[:16]


def _orders_file(tmp_path: Path) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    return path


def _name_field(at: AppTest):
    [field] = [field for field in at.text_input if field.label == "Name"]
    return field


def _import_orders(tmp_path: Path, root: Path) -> str:
    """Import orders.csv in a session of its own and return its table id."""
    at = _data_page()
    key = _upload(at, _orders_file(tmp_path))
    at.selectbox(key=f"{key}:table").set_value("orders").run()
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    assert at.success[0].value == "Imported 3 rows as 'orders'."
    [entry] = Workspace(root).list_tables("orders")
    return entry.id


def test_same_file_again_replaces_by_default(tmp_path, fresh_workspace):
    first_id = _import_orders(tmp_path, fresh_workspace)
    # A new session, as after a reload, uploads the same bytes again.
    at = _data_page()
    key = _upload(at, _orders_file(tmp_path))
    at.selectbox(key=f"{key}:table").set_value("orders").run()
    infos = [info.value for info in at.info]
    assert any(
        text.startswith("This file is already stored as 'orders' (3 rows, imported ")
        and "Importing replaces that table" in text
        for text in infos
    ), infos
    assert at.selectbox(key=f"{key}:target").value == first_id
    assert _name_field(at).value == "orders"

    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    entries = Workspace(fresh_workspace).list_tables("orders")
    assert [(e.id, e.name, e.version) for e in entries] == [(first_id, "orders", 2)]


def test_same_file_as_new_copy_distinct(tmp_path, fresh_workspace):
    _import_orders(tmp_path, fresh_workspace)
    at = _data_page()
    key = _upload(at, _orders_file(tmp_path))
    at.selectbox(key=f"{key}:table").set_value("orders").run()
    at.selectbox(key=f"{key}:target").set_value("").run()
    assert _name_field(at).value == "orders"
    infos = [info.value for info in at.info]
    assert any("Importing it again stores a second copy." in t for t in infos)
    assert (
        "A stored table is already named 'orders', so this one is stored as "
        "'orders (2)'. Type another name to change it."
    ) in infos

    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    assert at.success[0].value == "Imported 3 rows as 'orders (2)'."
    names = sorted(e.name for e in Workspace(fresh_workspace).list_tables("orders"))
    assert names == ["orders", "orders (2)"]


def test_typed_taken_name_gets_counter(tmp_path, fresh_workspace):
    _import_orders(tmp_path, fresh_workspace)
    other = tmp_path / "autumn.csv"
    other.write_text(ORDERS.replace("34.0", "35.0"), encoding="utf-8")
    at = _data_page()
    key = _upload(at, other)
    at.selectbox(key=f"{key}:table").set_value("orders").run()
    # Different bytes: no note about a stored copy, and a new table by default.
    assert not any("already stored as" in info.value for info in at.info)
    assert at.selectbox(key=f"{key}:target").value == ""
    _name_field(at).set_value("Orders").run()
    assert (
        "A stored table is already named 'Orders', so this one is stored as "
        "'Orders (2)'. Type another name to change it."
    ) in [info.value for info in at.info]
    at.button(key=f"{key}:import").click().run()
    names = sorted(e.name for e in Workspace(fresh_workspace).list_tables("orders"))
    assert names == ["Orders (2)", "orders"]


def test_rename_to_taken_name_rejected(fresh_workspace):
    at = _data_page()
    store = Workspace(fresh_workspace)
    deals = next(e for e in store.list_tables() if e.name == "Sample deals")
    at.selectbox(key="stored:table").set_value(deals.id).run()
    at.text_input(key="stored:name").input("sample ORDERS").run()
    at.button(key="stored:rename").click().run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith(
        "The name 'sample ORDERS' is taken by another stored table (Orders, "
    )
    assert "choose another name, or rename or delete that table first" in error.value
    assert Workspace(fresh_workspace).get(deals.id).name == "Sample deals"


def test_rename_strips_invisible_characters(fresh_workspace):
    at = _data_page()
    store = Workspace(fresh_workspace)
    deals = next(e for e in store.list_tables() if e.name == "Sample deals")
    at.selectbox(key="stored:table").set_value(deals.id).run()
    at.text_input(key="stored:name").input("\u202eDeals\u200b 2025").run()
    at.button(key="stored:rename").click().run()
    assert not at.exception
    assert not at.error
    assert Workspace(fresh_workspace).get(deals.id).name == "Deals 2025"


def test_hostile_file_name_default(tmp_path):
    at = _data_page()
    hostile = "../../..\\Déals \u202evsc.evil\u200b 𝔘.csv"
    key = _upload(at, _orders_file(tmp_path), file_name=hostile)
    at.selectbox(key=f"{key}:table").set_value("orders").run()
    assert _name_field(at).value == "Déals vsc.evil 𝔘"
    headers = [header.value for header in at.subheader]
    assert not any("\u202e" in header or "\u200b" in header for header in headers)


def test_old_duplicate_names_told_apart(fresh_workspace):
    at = _data_page()
    store = Workspace(fresh_workspace)
    sample = next(e for e in store.list_tables("orders"))
    copy = store.save(
        store.load(sample.id),
        name="Sample orders",
        table_type="orders",
        source_file="orders.csv",
        mapping=Mapping(sample.table_type, sample.mapping),
    )
    assert copy.name == "Sample orders (2)"
    # A workspace from before unique names could hold the same name twice.
    with sqlite3.connect(fresh_workspace / "catalog.sqlite") as db:
        db.execute(
            "update tables set name = 'Sample orders', uploaded_at = ? where id = ?",
            ("2026-12-05T10:31:22+00:00", copy.id),
        )
        db.execute(
            "update tables set uploaded_at = ? where id = ?",
            ("2026-12-01T08:00:00+00:00", sample.id),
        )
    db.close()

    at.run()
    assert not at.exception
    labels = at.selectbox(key="stored:table").options
    assert "Sample orders (Orders, imported 2026-12-05 10:31:22 UTC)" in labels
    assert "Sample orders (Orders, imported 2026-12-01 08:00:00 UTC)" in labels

    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    options = at.sidebar.selectbox(key="table_orders").options
    rows = f"{sample.rows:,} rows"
    assert options == [
        f"Sample orders (imported 2026-12-05 10:31:22 UTC, {rows})",
        f"Sample orders (imported 2026-12-01 08:00:00 UTC, {rows})",
    ]
