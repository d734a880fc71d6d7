"""Data page after an import: the upload that stays in the uploader is
reported as stored, not offered for import again as the next step."""

from __future__ import annotations

import hashlib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# Three orders with plain amounts, so the page shows a currency box.
ORDERS = (
    "Order ID,Customer ID,Order date,Amount\n"
    "1,c1,2025-01-05,100.00\n"
    "2,c2,2025-01-06,50.00\n"
    "3,c3,2025-01-07,20.00\n"
)
# A HubSpot deals export with "Date entered" columns: deal 101 entered two
# stages and deal 102 one, so 2 deals and 2 + 1 = 3 stage entries.
HUBSPOT = (
    "Record ID,Deal Name,Deal Stage,Create Date,Amount,"
    '"Date entered ""Appointment scheduled (Sales Pipeline)""",'
    '"Date entered ""Closed won (Sales Pipeline)"""\n'
    "101,Acme,Closed won,2025-01-02 10:00,1000,2025-01-02 10:00,2025-01-20 12:00\n"
    "102,Beta,Appointment scheduled,2025-01-03 11:00,500,2025-01-03 11:00,\n"
)
STORED_NOTE = "This file is now stored as "
SECOND_COPY = "To keep a second copy, choose 'Store as a new table' under Store."


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _open(path: Path) -> tuple[AppTest, str]:
    data = path.read_bytes()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(path.name, data, "text/csv")]).run()
    assert not at.exception
    return at, hashlib.sha256(data).hexdigest()[:16]


def _infos(at: AppTest) -> list[str]:
    return [info.value for info in at.info]


def _alerts(at: AppTest) -> list[tuple[str, str]]:
    """Return the success, info and warning messages in page order."""
    kinds = {"success", "info", "warning"}
    return [(node.type, node.value) for node in at.main if node.type in kinds]


def _user_tables(root: Path, table_type: str):
    entries = Workspace(root).list_tables(table_type)
    return [entry for entry in entries if not entry.is_sample]


def test_import_then_reports_stored(tmp_path, fresh_workspace):
    at, key = _open(_write(tmp_path, "orders.csv", ORDERS))
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    [stored] = _user_tables(fresh_workspace, "orders")
    imported = stored.uploaded_at[:16].replace("T", " ")

    infos = _infos(at)
    assert not [text for text in infos if "already stored" in text], infos
    assert not [text for text in infos if "Importing replaces" in text], infos
    assert (
        f"{STORED_NOTE}'orders' (3 rows, imported {imported} UTC), so there is "
        f"nothing new to import. {SECOND_COPY}"
    ) in infos
    # The result comes first, then the note that the file is stored.
    alerts = _alerts(at)
    assert alerts[0] == ("success", "Imported 3 rows as 'orders'.")
    notes = [i for i, (_, text) in enumerate(alerts) if text.startswith(STORED_NOTE)]
    assert len(notes) == 1, alerts
    assert notes[0] > 0, alerts
    button = at.button(key=f"{key}:import")
    assert button.label == "Import again: 3 rows in place of 'orders'"
    assert button.proto.type == "secondary"


def test_stored_note_stays_on_rerun(tmp_path, fresh_workspace):
    at, key = _open(_write(tmp_path, "orders.csv", ORDERS))
    at.button(key=f"{key}:import").click().run()
    at.run()
    assert not at.exception
    assert not at.success
    assert [text for text in _infos(at) if text.startswith(STORED_NOTE)]
    assert at.button(key=f"{key}:import").proto.type == "secondary"


def test_paired_import_names_both_tables(tmp_path, fresh_workspace):
    at, key = _open(_write(tmp_path, "hubspot.csv", HUBSPOT))
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    [history] = _user_tables(fresh_workspace, "stage_history")
    [deals] = _user_tables(fresh_workspace, "deals")
    notes = [text for text in _infos(at) if text.startswith(STORED_NOTE)]
    assert notes == [
        f"{STORED_NOTE}'hubspot stage history' (3 rows, imported "
        f"{history.uploaded_at[:16].replace('T', ' ')} UTC) and 'hubspot' "
        f"(2 rows, imported {deals.uploaded_at[:16].replace('T', ' ')} UTC), so "
        f"there is nothing new to import. {SECOND_COPY}"
    ]
    button = at.button(key=f"{key}:import")
    assert button.label == (
        "Import again: 3 rows in place of 'hubspot stage history' and 2 rows "
        "in place of 'hubspot'"
    )
    assert button.proto.type == "secondary"


def test_new_table_choice_offers_copy(tmp_path, fresh_workspace):
    # Guard: choosing a new table after the import is a request for a
    # second copy, which the page offers as usual.
    at, key = _open(_write(tmp_path, "orders.csv", ORDERS))
    at.button(key=f"{key}:import").click().run()
    at.selectbox(key=f"{key}:target").set_value("").run()
    assert not at.exception
    infos = _infos(at)
    assert not [text for text in infos if text.startswith(STORED_NOTE)], infos
    assert [text for text in infos if "Importing it again stores a second copy" in text]
    button = at.button(key=f"{key}:import")
    assert button.label == "Import 3 rows as new table 'orders (2)'"
    assert button.proto.type == "primary"


def test_changed_currency_offers_import(tmp_path, fresh_workspace):
    # Guard: another currency changes the stored rows, so importing again
    # is the next step once more.
    at, key = _open(_write(tmp_path, "orders.csv", ORDERS))
    at.button(key=f"{key}:import").click().run()
    at.selectbox(key=f"{key}:currency").set_value("USD").run()
    assert not at.exception
    infos = _infos(at)
    assert not [text for text in infos if text.startswith(STORED_NOTE)], infos
    assert [text for text in infos if "Importing replaces that table" in text]
    button = at.button(key=f"{key}:import")
    assert button.label == "Import 3 rows in place of 'orders'"
    assert button.proto.type == "primary"


def test_replaced_elsewhere_offers_import(tmp_path, fresh_workspace):
    # Guard: once another session replaced the table, it no longer contains
    # what this session stored, so the page offers the import again.
    path = _write(tmp_path, "orders.csv", ORDERS)
    a, key = _open(path)
    a.button(key=f"{key}:import").click().run()
    b, _ = _open(path)
    b.button(key=f"{key}:import").click().run()
    [stored] = _user_tables(fresh_workspace, "orders")
    assert stored.version == 2

    a.run()
    assert not a.exception
    infos = _infos(a)
    assert not [text for text in infos if text.startswith(STORED_NOTE)], infos
    assert a.button(key=f"{key}:import").proto.type == "primary"
