"""Data page: the stage history and the deals of a HubSpot file each replace
their stored table by default only when that loses no rows or columns, and
a chosen replacement that loses some names the loss."""

from __future__ import annotations

import hashlib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.workspace import Workspace
from tests.kpi_core.test_paired_replacement import (
    HUBSPOT,
    HUBSPOT_NO_AMOUNT,
    HUBSPOT_SHORTER,
)
from tests.pages.conftest import APP

DEALS_LOSS = (
    "Replacing 'hubspot' loses 1 row (1 instead of 2). The replaced table is "
    "not kept; store the deals as a new table to keep both."
)
HISTORY_LOSS = (
    "Replacing 'hubspot stage history' loses 1 row (2 instead of 3). The "
    "replaced table is not kept; store the file as a new table to keep both."
)


def _upload(tmp_path: Path, text: str) -> tuple[AppTest, str]:
    path = tmp_path / "hubspot.csv"
    path.write_text(text, encoding="utf-8")
    data = path.read_bytes()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(path.name, data, "text/csv")]).run()
    assert not at.exception
    return at, hashlib.sha256(data).hexdigest()[:16]


def _import_first(tmp_path: Path, workspace_dir: Path) -> dict:
    at, key = _upload(tmp_path, HUBSPOT)
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    return {entry.table_type: entry for entry in _user_tables(workspace_dir)}


def _user_tables(workspace_dir: Path, table_type: str | None = None) -> list:
    entries = Workspace(workspace_dir).list_tables(table_type)
    return [entry for entry in entries if not entry.is_sample]


def _labels(at: AppTest) -> list[str]:
    return [button.label for button in at.button]


def test_shorter_file_stores_both_as_new(tmp_path, fresh_workspace):
    stored = _import_first(tmp_path, fresh_workspace)

    # Deal 101 only: 1 deal instead of 2, 2 stage entries instead of 3.
    at, key = _upload(tmp_path, HUBSPOT_SHORTER)
    assert at.selectbox(key=f"{key}:target").value == ""
    paired = at.selectbox(key=f"{key}:paired_target:deals")
    assert paired.value == ""
    assert paired.label == "Store the deals"
    label = (
        "Import 2 rows as new table 'hubspot stage history (2)' and 1 row as "
        "new table 'hubspot (2)'"
    )
    assert label in _labels(at)
    assert not at.warning

    # Choosing to replace the stored deals names their loss.
    paired.set_value(stored["deals"].id).run()
    assert [w.value for w in at.warning] == [DEALS_LOSS]
    assert (
        "Import 2 rows as new table 'hubspot stage history (2)' and 1 row in "
        "place of 'hubspot'"
    ) in _labels(at)

    # Replacing both names the loss of each.
    at.selectbox(key=f"{key}:target").set_value(stored["stage_history"].id).run()
    assert [w.value for w in at.warning] == [HISTORY_LOSS, DEALS_LOSS]
    assert at.selectbox(key=f"{key}:paired_target:deals").value == stored["deals"].id

    # Nothing is stored until the import.
    assert [e.rows for e in _user_tables(fresh_workspace, "deals")] == [2]
    assert [e.rows for e in _user_tables(fresh_workspace, "stage_history")] == [3]


def test_shorter_file_import_keeps_old_tables(tmp_path, fresh_workspace):
    stored = _import_first(tmp_path, fresh_workspace)
    at, key = _upload(tmp_path, HUBSPOT_SHORTER)
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    deals = {e.name: e.rows for e in _user_tables(fresh_workspace, "deals")}
    history = {e.name: e.rows for e in _user_tables(fresh_workspace, "stage_history")}
    assert deals == {"hubspot": 2, "hubspot (2)": 1}
    assert history == {"hubspot stage history": 3, "hubspot stage history (2)": 2}
    original = Workspace(fresh_workspace).get(stored["deals"].id)
    assert original.version == 1


def test_lost_column_keeps_deals_only(tmp_path, fresh_workspace):
    stored = _import_first(tmp_path, fresh_workspace)

    # Without Amount the stage history still has 3 entries and replaces its
    # table, but the deals would lose the column for amount.
    at, key = _upload(tmp_path, HUBSPOT_NO_AMOUNT)
    assert at.selectbox(key=f"{key}:target").value == stored["stage_history"].id
    assert at.selectbox(key=f"{key}:paired_target:deals").value == ""
    label = (
        "Import 3 rows in place of 'hubspot stage history' and 2 rows as new "
        "table 'hubspot (2)'"
    )
    assert label in _labels(at)
    assert not at.warning

    at.selectbox(key=f"{key}:paired_target:deals").set_value(stored["deals"].id).run()
    assert [w.value for w in at.warning] == [
        "Replacing 'hubspot' loses the column for Amount. The replaced table is "
        "not kept; store the deals as a new table to keep both."
    ]


def test_chosen_lossy_replacement_stored(tmp_path, fresh_workspace):
    stored = _import_first(tmp_path, fresh_workspace)
    at, key = _upload(tmp_path, HUBSPOT_SHORTER)
    at.selectbox(key=f"{key}:paired_target:deals").set_value(stored["deals"].id).run()
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    [deals] = _user_tables(fresh_workspace, "deals")
    assert (deals.id, deals.name, deals.rows) == (stored["deals"].id, "hubspot", 1)
    assert len(_user_tables(fresh_workspace, "stage_history")) == 2


def test_unticked_pairs_give_no_warning(tmp_path, fresh_workspace):
    stored = _import_first(tmp_path, fresh_workspace)
    at, key = _upload(tmp_path, HUBSPOT_SHORTER)
    at.selectbox(key=f"{key}:paired_target:deals").set_value(stored["deals"].id).run()
    at.checkbox(key=f"{key}:paired:deals").uncheck().run()
    assert not at.warning
    assert "Import 2 rows as new table 'hubspot stage history (2)'" in _labels(at)
