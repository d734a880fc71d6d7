"""A HubSpot deals file stores its deals and its stage history, and a file
of the same name replaces each stored table by default only when that loses
no rows or columns (``default_replacement``)."""

from __future__ import annotations

from pathlib import Path

from kpi_core.importing import load_file_tables
from kpi_core.prepare import PreparedTable
from kpi_core.workspace import Workspace, default_replacement, replacement_losses

HEADER = (
    "Record ID,Deal Name,Deal Stage,Create Date,Amount,"
    '"Date entered ""Appointment scheduled (Sales Pipeline)""",'
    '"Date entered ""Closed won (Sales Pipeline)"""\n'
)
# Deal 101 entered two stages and deal 102 one: 2 deals, 3 stage entries.
HUBSPOT = HEADER + (
    "101,Acme,Closed won,2025-01-02 10:00,1000,2025-01-02 10:00,2025-01-20 12:00\n"
    "102,Beta,Appointment scheduled,2025-01-03 11:00,500,2025-01-03 11:00,\n"
)
# Deal 103 adds one deal and two stage entries: 3 deals, 5 stage entries.
HUBSPOT_MORE = HUBSPOT + (
    "103,Gamma,Closed won,2025-01-04 09:00,700,2025-01-04 09:00,2025-01-09 09:00\n"
)
# Deal 101 only: 1 deal, 2 stage entries.
HUBSPOT_SHORTER = HEADER + (
    "101,Acme,Closed won,2025-01-02 10:00,1000,2025-01-02 10:00,2025-01-20 12:00\n"
)
# The same deals without the Amount column: the stage history keeps its 3
# entries, and the deals lose the column for amount.
HUBSPOT_NO_AMOUNT = (
    "\n".join(
        ",".join(cell for i, cell in enumerate(line.split(",")) if i != 4)
        for line in HUBSPOT.splitlines()
    )
    + "\n"
)


def _tables(tmp_path: Path, text: str) -> dict[str, PreparedTable]:
    path = tmp_path / "hubspot.csv"
    path.write_text(text, encoding="utf-8")
    tables = load_file_tables(path.name, path.read_bytes())
    return {table.table: table for table in tables}


def _store_first(tmp_path: Path) -> tuple[Workspace, dict]:
    store = Workspace(tmp_path / "workspace")
    stored = {}
    for table in _tables(tmp_path, HUBSPOT).values():
        stored[table.table] = store.save(
            table.frame,
            name=table.table,
            table_type=table.table,
            source_file=table.file,
            mapping=table.mapping,
            source_key="first",
        )
    return store, stored


def _defaults(stored: dict, tables: dict[str, PreparedTable]) -> dict:
    # The upload has other content, so no stored table has the same content.
    return {
        name: default_replacement(
            None, stored[name], table.rows_used, table.mapping.columns
        )
        for name, table in tables.items()
    }


def test_file_holds_both_tables(tmp_path):
    tables = _tables(tmp_path, HUBSPOT)
    assert tables["deals"].rows_used == 2
    assert tables["stage_history"].rows_used == 3


def test_longer_file_replaces_both(tmp_path):
    _store, stored = _store_first(tmp_path)
    tables = _tables(tmp_path, HUBSPOT_MORE)
    assert _defaults(stored, tables) == stored


def test_shorter_file_replaces_neither(tmp_path):
    _store, stored = _store_first(tmp_path)
    tables = _tables(tmp_path, HUBSPOT_SHORTER)
    assert _defaults(stored, tables) == {"deals": None, "stage_history": None}
    deals, history = tables["deals"], tables["stage_history"]
    # Deals: 2 stored - 1 = 1 row fewer. Stage entries: 3 stored - 2 = 1.
    assert replacement_losses(
        stored["deals"], deals.rows_used, deals.mapping.columns
    ) == ["1 row (1 instead of 2)"]
    assert replacement_losses(
        stored["stage_history"], history.rows_used, history.mapping.columns
    ) == ["1 row (2 instead of 3)"]


def test_lost_column_keeps_deals_only(tmp_path):
    _store, stored = _store_first(tmp_path)
    tables = _tables(tmp_path, HUBSPOT_NO_AMOUNT)
    assert tables["deals"].mapping.columns.get("amount") is None
    defaults = _defaults(stored, tables)
    assert defaults["stage_history"] == stored["stage_history"]
    assert defaults["deals"] is None
    deals = tables["deals"]
    assert replacement_losses(
        stored["deals"], deals.rows_used, deals.mapping.columns
    ) == ["the column for Amount"]


def test_same_content_always_replaced(tmp_path):
    store, stored = _store_first(tmp_path)
    deals = _tables(tmp_path, HUBSPOT_SHORTER)["deals"]
    same = store.find_source("first", "deals")
    assert same == stored["deals"]
    # Content stored before is replaced even where a loss is found.
    chosen = default_replacement(same, same, deals.rows_used, deals.mapping.columns)
    assert chosen == stored["deals"]


def test_nothing_stored_gives_new_table(tmp_path):
    deals = _tables(tmp_path, HUBSPOT)["deals"]
    assert default_replacement(None, None, deals.rows_used, {}) is None
