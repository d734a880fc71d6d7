"""Stored table names: cleaned of invisible characters, unique in the
workspace, and distinguished in pickers when an older workspace has
duplicates. Also the message for a zip of many tables."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile

import polars as pl
import pytest

from kpi_core.errors import InvalidSettingError, UnreadableFileError
from kpi_core.mapping import Mapping
from kpi_core.reading import read_table
from kpi_core.workspace import (
    FALLBACK_NAME,
    Workspace,
    clean_table_name,
    default_table_name,
    name_notes,
)

MAPPING = Mapping("orders", {"customer_id": "customer_id"})
# Bidi controls, zero-width and invisible characters, and ASCII controls.
REMOVED = [
    *(chr(code) for code in range(0x202A, 0x202F)),
    *(chr(code) for code in range(0x2066, 0x206A)),
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\x00",
    "\x1b",
    "\x7f",
]
OLD_SCHEMA = """
create table tables (
    id text primary key,
    name text not null,
    table_type text not null,
    source_file text not null,
    mapping text not null,
    rows integer not null,
    uploaded_at text not null,
    version integer not null default 1,
    is_sample integer not null default 0
)
"""


def _save(store: Workspace, name: str, **options) -> str:
    frame = pl.DataFrame({"customer_id": ["C1", "C2"]})
    entry = store.save(
        frame,
        name=name,
        table_type=options.pop("table_type", "orders"),
        source_file="orders.csv",
        mapping=MAPPING,
        **options,
    )
    return entry.id


def _names(store: Workspace) -> list[str]:
    return sorted(entry.name for entry in store.list_tables())


@pytest.mark.parametrize("char", REMOVED, ids=lambda char: f"U+{ord(char):04X}")
def test_clean_name_removes_char(char):
    assert clean_table_name(f"Deals{char} 2025{char}") == "Deals 2025"


def test_clean_name_keeps_letters():
    assert clean_table_name("Déals 𝔘 ü") == "Déals 𝔘 ü"


def test_clean_name_composes_accents():
    # "e" followed by a combining acute accent becomes the one letter é.
    assert clean_table_name("De\u0301als") == "Déals"


def test_clean_name_joins_white_space():
    assert clean_table_name("  a\tb\n\u2028c\u00a0 d ") == "a b c d"


def test_default_name_of_hostile_file_name():
    name = "../../..\\Déals \u202evsc.evil\u200b 𝔘.csv"
    assert default_table_name(name) == "Déals vsc.evil 𝔘"


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("orders.csv", "orders"),
        ("C:\\Users\\ann\\orders.csv", "orders"),
        ("exports/2025/orders.xlsx", "orders"),
        ("../orders", "orders"),
        ("\u202e\u200b.csv", FALLBACK_NAME),
        ("..\\..\\..csv", FALLBACK_NAME),
    ],
)
def test_default_name_cases(file_name, expected):
    assert default_table_name(file_name) == expected


def test_save_taken_name_gets_counter(tmp_path):
    store = Workspace(tmp_path)
    first = _save(store, "orders")
    second = _save(store, "orders")
    third = _save(store, "orders")
    assert len({first, second, third}) == 3
    assert store.get(first).name == "orders"
    assert store.get(second).name == "orders (2)"
    assert store.get(third).name == "orders (3)"


def test_save_taken_name_ignores_case(tmp_path):
    store = Workspace(tmp_path)
    _save(store, "orders")
    assert store.get(_save(store, "Orders")).name == "Orders (2)"


def test_save_counter_name_taken(tmp_path):
    store = Workspace(tmp_path)
    _save(store, "orders")
    _save(store, "orders")
    # "orders (2)" is taken, so the next free counter is used.
    assert store.get(_save(store, "orders (2)")).name == "orders (3)"


def test_save_taken_across_types(tmp_path):
    store = Workspace(tmp_path)
    _save(store, "2025")
    other = _save(store, "2025", table_type="spend")
    assert store.get(other).name == "2025 (2)"


def test_replace_keeps_own_name(tmp_path):
    store = Workspace(tmp_path)
    table_id = _save(store, "orders")
    _save(store, "orders", replace_id=table_id)
    assert store.get(table_id).name == "orders"
    assert store.get(table_id).version == 2


def test_save_cleans_name(tmp_path):
    store = Workspace(tmp_path)
    table_id = _save(store, "\u202eorders\u200b")
    assert store.get(table_id).name == "orders"


def test_save_invisible_name_rejected(tmp_path):
    store = Workspace(tmp_path)
    with pytest.raises(InvalidSettingError, match="empty"):
        _save(store, "\u200b\u202e")
    assert store.list_tables() == []


def test_unique_name_preview(tmp_path):
    store = Workspace(tmp_path)
    table_id = _save(store, "orders")
    assert store.unique_name("orders") == "orders (2)"
    assert store.unique_name("orders", exclude_id=table_id) == "orders"
    assert store.unique_name("spend") == "spend"


def test_rename_to_taken_name_rejected(tmp_path):
    store = Workspace(tmp_path)
    _save(store, "orders")
    other = _save(store, "returns")
    with pytest.raises(InvalidSettingError) as caught:
        store.rename(other, "Orders")
    message = str(caught.value)
    assert "'Orders' is taken by another stored table (Orders, 2 rows)" in message
    assert "choose another name" in message
    assert _names(store) == ["orders", "returns"]


def test_rename_own_name_other_case(tmp_path):
    store = Workspace(tmp_path)
    table_id = _save(store, "orders")
    assert store.rename(table_id, "Orders") == "Orders"
    assert store.get(table_id).name == "Orders"


def test_rename_cleans_name(tmp_path):
    store = Workspace(tmp_path)
    table_id = _save(store, "orders")
    assert store.rename(table_id, " \u202eshop\u200b orders ") == "shop orders"
    assert store.get(table_id).name == "shop orders"


def test_rename_invisible_name_rejected(tmp_path):
    store = Workspace(tmp_path)
    table_id = _save(store, "orders")
    with pytest.raises(InvalidSettingError) as caught:
        store.rename(table_id, "\u200b")
    assert "empty once control and invisible characters are removed" in str(
        caught.value
    )
    assert store.get(table_id).name == "orders"


def test_find_source_same_type_only(tmp_path):
    store = Workspace(tmp_path)
    table_id = _save(store, "orders", source_key="abc123")
    found = store.find_source("abc123", "orders")
    assert found is not None
    assert found.id == table_id
    assert store.find_source("abc123", "spend") is None
    assert store.find_source("other", "orders") is None
    assert store.find_source("", "orders") is None


def _old_workspace(root, rows: list[tuple[str, str, str]]) -> None:
    """Write a catalog in the layout from before source keys and unique
    names, with one table file per (id, name, uploaded_at) row."""
    (root / "tables").mkdir(parents=True)
    with sqlite3.connect(root / "catalog.sqlite") as db:
        db.execute(OLD_SCHEMA)
        for table_id, name, uploaded_at in rows:
            db.execute(
                "insert into tables values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    table_id,
                    name,
                    "orders",
                    "orders.csv",
                    json.dumps(MAPPING.columns),
                    2,
                    uploaded_at,
                    1,
                    0,
                ),
            )
            pl.DataFrame({"customer_id": ["C1", "C2"]}).write_parquet(
                root / "tables" / f"{table_id}.v1.parquet"
            )
    db.close()


def test_old_duplicate_names_load(tmp_path):
    first, second = "a" * 32, "b" * 32
    _old_workspace(
        tmp_path,
        [
            (first, "orders", "2026-12-01T09:00:00+00:00"),
            (second, "orders", "2026-12-02T10:30:00+00:00"),
        ],
    )
    store = Workspace(tmp_path)
    entries = store.list_tables()
    assert [entry.name for entry in entries] == ["orders", "orders"]
    assert store.load(first).height == 2
    assert store.load(second).height == 2
    assert entries[0].source_key == ""
    assert name_notes(entries) == {
        first: "imported 2026-12-01 09:00:00 UTC",
        second: "imported 2026-12-02 10:30:00 UTC",
    }
    # A new table still gets a name of its own.
    assert store.get(_save(store, "orders")).name == "orders (2)"


def test_name_notes_same_second_add_id(tmp_path):
    first, second, third = "a" * 32, "b" * 32, "c" * 32
    same_time = "2026-12-01T09:00:00+00:00"
    _old_workspace(
        tmp_path,
        [
            (first, "orders", same_time),
            (second, "Orders", same_time),
            (third, "spend", same_time),
        ],
    )
    notes = name_notes(Workspace(tmp_path).list_tables())
    assert notes == {
        first: "imported 2026-12-01 09:00:00 UTC, id aaaaaaaa",
        second: "imported 2026-12-01 09:00:00 UTC, id bbbbbbbb",
    }


def test_old_name_with_bidi_shown_clean(tmp_path):
    table_id = "a" * 32
    _old_workspace(
        tmp_path, [(table_id, "..\\D\u202evsc\u200b", "2026-12-01T09:00:00+00:00")]
    )
    assert Workspace(tmp_path).get(table_id).name == "..\\Dvsc"


def test_zip_of_600_tables_short_message(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(600):
            archive.writestr(f"part_{number:03}.csv", f"id,value\n{number},1\n")
    with pytest.raises(UnreadableFileError) as caught:
        read_table("many.zip", path.read_bytes())
    message = str(caught.value)
    # Five names of 12 characters and the count of the other 595.
    assert "(part_000.csv, part_001.csv, part_002.csv, part_003.csv, " in message
    assert "part_004.csv and 595 more)" in message
    assert "part_005.csv" not in message
    assert "the zip contains 600 tables" in message
    assert "Unpack the zip and upload the files you need" in message
    assert len(message) < 300


def test_zip_missing_member_short_message(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(7):
            archive.writestr(f"part_{number}.csv", "id\n1\n")
    with pytest.raises(UnreadableFileError) as caught:
        read_table("seven.zip", buffer.getvalue(), sheet="other.csv")
    message = str(caught.value)
    assert message.endswith("part_3.csv, part_4.csv and 2 more")
    assert "part_5.csv" not in message
