"""Data page with two sessions on one workspace: an import stores what its
user saw when clicking, not what another session changed meanwhile."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# Two different exports that both arrive as pipeline.csv. B's file has A's
# deals, one row more and the same columns, so once A's table is stored,
# B's file is preset to replace it as a corrected export of the same name.
PIPELINE_A = b"deal_id,stage,created_at\nA1,Won,2025-01-02\nA2,Lost,2025-01-03\n"
PIPELINE_B = (
    b"deal_id,stage,created_at\n"
    b"A1,Won,2025-01-02\n"
    b"A2,Won,2025-01-03\n"
    b"B3,Lost,2025-02-04\n"
)


def _open_data_page(name: str, data: bytes) -> tuple[AppTest, str]:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(name, data, "text/csv")]).run()
    assert not at.exception
    return at, hashlib.sha256(data).hexdigest()[:16]


def _user_deals(root) -> list:
    entries = Workspace(root).list_tables("deals")
    return [entry for entry in entries if not entry.is_sample]


def _import_label(at: AppTest, key: str) -> str:
    return at.button(key=f"{key}:import").label


def test_same_file_name_keeps_both_tables(fresh_workspace):
    a, key_a = _open_data_page("pipeline.csv", PIPELINE_A)
    b, key_b = _open_data_page("pipeline.csv", PIPELINE_B)
    assert _import_label(a, key_a) == "Import 2 rows as new table 'pipeline'"
    assert _import_label(b, key_b) == "Import 3 rows as new table 'pipeline'"

    a.button(key=f"{key_a}:import").click().run()
    assert not a.exception
    [stored_a] = _user_deals(fresh_workspace)
    assert stored_a.rows == 2

    # B clicks the button drawn before A's table existed.
    b.button(key=f"{key_b}:import").click().run()
    assert not b.exception
    [still_a] = _user_deals(fresh_workspace)
    assert still_a.id == stored_a.id
    assert still_a.rows == 2
    assert still_a.version == 1
    assert not [s.value for s in b.success]
    warnings = [w.value for w in b.warning]
    assert any(
        "A table 'pipeline' was stored meanwhile from a file of the same name" in w
        for w in warnings
    ), warnings
    assert any("Nothing was imported" in w for w in warnings), warnings
    # The button now shows B the new plan, and B chooses again.
    assert _import_label(b, key_b) == "Import 3 rows in place of 'pipeline'"
    b.selectbox(key=f"{key_b}:target").set_value("").run()
    assert _import_label(b, key_b) == "Import 3 rows as new table 'pipeline (2)'"
    b.button(key=f"{key_b}:import").click().run()
    assert not b.exception
    stored = {entry.name: entry.rows for entry in _user_deals(fresh_workspace)}
    assert stored == {"pipeline": 2, "pipeline (2)": 3}


def test_name_taken_meanwhile_stops_import(fresh_workspace):
    # B's file has fewer rows than A's, so it is not preset to replace A's
    # table. Only the name B saw on the button is taken meanwhile.
    a, key_a = _open_data_page("pipeline.csv", PIPELINE_B)
    b, key_b = _open_data_page("pipeline.csv", PIPELINE_A)
    a.button(key=f"{key_a}:import").click().run()
    b.button(key=f"{key_b}:import").click().run()
    assert not b.exception
    assert [entry.rows for entry in _user_deals(fresh_workspace)] == [3]
    warnings = [w.value for w in b.warning]
    assert any(
        "Another table took the name 'pipeline' meanwhile, so this file would be "
        "stored as 'pipeline (2)'" in w
        for w in warnings
    ), warnings
    assert _import_label(b, key_b) == "Import 2 rows as new table 'pipeline (2)'"
    b.button(key=f"{key_b}:import").click().run()
    stored = {entry.name: entry.rows for entry in _user_deals(fresh_workspace)}
    assert stored == {"pipeline": 3, "pipeline (2)": 2}


def test_replaced_table_deleted_meanwhile(fresh_workspace):
    a, key_a = _open_data_page("pipeline.csv", PIPELINE_A)
    a.button(key=f"{key_a}:import").click().run()
    [stored] = _user_deals(fresh_workspace)

    b, key_b = _open_data_page("pipeline.csv", PIPELINE_B)
    assert _import_label(b, key_b) == "Import 3 rows in place of 'pipeline'"
    Workspace(fresh_workspace).delete(stored.id)
    b.button(key=f"{key_b}:import").click().run()
    assert not b.exception
    assert _user_deals(fresh_workspace) == []
    warnings = [w.value for w in b.warning]
    assert any(
        "The table 'pipeline' that this file was to replace was deleted meanwhile" in w
        for w in warnings
    ), warnings
    assert _import_label(b, key_b) == "Import 3 rows as new table 'pipeline'"


def test_typed_name_with_click_imports(fresh_workspace):
    # A name typed just before the click arrives with the click. That change
    # is the user's own, so it does not stop the import.
    b, key_b = _open_data_page("pipeline.csv", PIPELINE_B)
    b.text_input(key=f"{key_b}:name").set_value("Q1 pipeline")
    b.button(key=f"{key_b}:import").click().run()
    assert not b.exception
    assert [entry.name for entry in _user_deals(fresh_workspace)] == ["Q1 pipeline"]
    assert [s.value for s in b.success] == ["Imported 3 rows as 'Q1 pipeline'."]


PIPELINE_C = (
    b"deal_id,stage,created_at\n"
    b"A1,Won,2025-01-02\n"
    b"A2,Lost,2025-01-03\n"
    b"B3,Won,2025-02-04\n"
    b"C4,Lost,2025-03-05\n"
)


def test_replaced_meanwhile_stops_second_replace(fresh_workspace):
    first, key_first = _open_data_page("pipeline.csv", PIPELINE_A)
    first.button(key=f"{key_first}:import").click().run()
    [stored] = _user_deals(fresh_workspace)
    # Both files have more rows than the stored 2, so both are preset to
    # replace 'pipeline' as corrected exports of the same name.
    a, key_a = _open_data_page("pipeline.csv", PIPELINE_B)
    b, key_b = _open_data_page("pipeline.csv", PIPELINE_C)
    assert _import_label(a, key_a) == "Import 3 rows in place of 'pipeline'"
    assert _import_label(b, key_b) == "Import 4 rows in place of 'pipeline'"

    a.button(key=f"{key_a}:import").click().run()
    assert not a.exception
    # B clicks the button drawn before A replaced the table (version 2).
    b.button(key=f"{key_b}:import").click().run()
    assert not b.exception
    [now] = _user_deals(fresh_workspace)
    assert now.id == stored.id
    assert now.version == 2
    assert now.rows == 3
    warnings = " ".join(w.value for w in b.warning)
    assert "The table 'pipeline' was replaced meanwhile (now 3 rows)" in warnings
    assert "Nothing was imported" in warnings
    # Clicking again replaces the newer version on purpose.
    b.button(key=f"{key_b}:import").click().run()
    [last] = _user_deals(fresh_workspace)
    assert last.version == 3
    assert last.rows == 4


def test_own_import_is_no_change_meanwhile(fresh_workspace):
    a, key_a = _open_data_page("pipeline.csv", PIPELINE_A)
    a.button(key=f"{key_a}:import").click().run()
    first = a.button(key=f"{key_a}:import")
    # Its own import is no change by another session, so a second click
    # imports again: the same content replaces its table.
    first.click().run()
    assert not a.exception
    assert not [w.value for w in a.warning if "meanwhile" in w.value]
    [stored] = _user_deals(fresh_workspace)
    assert stored.version == 2
    assert stored.rows == 2
