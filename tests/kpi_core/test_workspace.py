import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import polars as pl
import pytest

from kpi_core.errors import InvalidSettingError
from kpi_core.mapping import Mapping
from kpi_core.workspace import (
    TableEntry,
    Workspace,
    count_missing_ids,
    default_replacement,
    emptied_fields,
    open_catalog,
    replacement_losses,
    stored_from_audience,
)

PROJECT = Path(__file__).resolve().parents[2]
MAPPING = Mapping("deals", {"deal_id": "Record ID", "stage": "Deal Stage"})


def _frame(rows: int) -> pl.DataFrame:
    return pl.DataFrame({"deal_id": [str(i) for i in range(rows)]})


def test_save_and_load_round_trip(tmp_path):
    store = Workspace(tmp_path)
    entry = store.save(
        _frame(3),
        name="Deals",
        table_type="deals",
        source_file="d.csv",
        mapping=MAPPING,
    )
    assert store.load(entry.id)["deal_id"].to_list() == ["0", "1", "2"]
    assert entry.rows == 3
    assert entry.mapping == {"deal_id": "Record ID", "stage": "Deal Stage"}


def test_replace_bumps_version_and_removes_old_file(tmp_path):
    store = Workspace(tmp_path)
    first = store.save(
        _frame(3), name="D", table_type="deals", source_file="a.csv", mapping=MAPPING
    )
    second = store.save(
        _frame(5),
        name="D",
        table_type="deals",
        source_file="b.csv",
        mapping=MAPPING,
        replace_id=first.id,
    )
    assert second.id == first.id
    assert second.version == 2
    assert store.load(first.id).height == 5
    assert [p.name for p in (tmp_path / "tables").iterdir()] == [
        f"{first.id}.v2.parquet"
    ]


def test_replace_of_replaced_version_rejected(tmp_path):
    # Two sessions both chose to replace version 1. The first stores 5 rows,
    # so the second, still planned against version 1, must not drop them.
    store = Workspace(tmp_path)
    first = store.save(
        _frame(3), name="D", table_type="deals", source_file="a.csv", mapping=MAPPING
    )
    options = {"name": "D", "table_type": "deals", "source_file": "a.csv"}
    store.save(
        _frame(5), **options, mapping=MAPPING, replace_id=first.id, replace_version=1
    )
    with pytest.raises(InvalidSettingError) as raised:
        store.save(
            _frame(7),
            **options,
            mapping=MAPPING,
            replace_id=first.id,
            replace_version=1,
        )
    assert "was replaced by another import" in str(raised.value)
    assert store.load(first.id).height == 5
    assert store.get(first.id).version == 2
    assert [p.name for p in (tmp_path / "tables").iterdir()] == [
        f"{first.id}.v2.parquet"
    ]


def test_failed_write_keeps_previous_version(tmp_path):
    store = Workspace(tmp_path)
    entry = store.save(
        _frame(3), name="D", table_type="deals", source_file="a.csv", mapping=MAPPING
    )
    # A frame Parquet cannot store (an Object column) fails mid-save.
    broken = pl.DataFrame({"deal_id": pl.Series([object()], dtype=pl.Object)})
    with pytest.raises(Exception):  # noqa: B017 - any write failure will do
        store.save(
            broken,
            name="D",
            table_type="deals",
            source_file="b.csv",
            mapping=MAPPING,
            replace_id=entry.id,
        )
    assert store.get(entry.id).version == 1
    assert store.load(entry.id).height == 3
    assert not list((tmp_path / "tables").glob(".*tmp"))


def test_rename_and_delete(tmp_path):
    store = Workspace(tmp_path)
    entry = store.save(
        _frame(1), name="D", table_type="deals", source_file="a.csv", mapping=MAPPING
    )
    store.rename(entry.id, "Q3 deals")
    assert store.get(entry.id).name == "Q3 deals"
    store.delete(entry.id)
    assert store.list_tables() == []
    assert not list((tmp_path / "tables").iterdir())


def test_invalid_id_rejected(tmp_path):
    store = Workspace(tmp_path)
    with pytest.raises(InvalidSettingError, match="invalid table id"):
        store.load("../../etc/passwd")


def test_remembered_mapping_recalled(tmp_path):
    store = Workspace(tmp_path)
    store.remember_mapping("abc", MAPPING)
    recalled = store.recall_mapping("abc", "deals")
    assert recalled.columns == MAPPING.columns
    assert store.recall_mapping("abc", "tickets") is None


def test_tables_survive_new_process(tmp_path):
    store = Workspace(tmp_path)
    entry = store.save(
        _frame(4), name="Kept", table_type="deals", source_file="a.csv", mapping=MAPPING
    )
    script = textwrap.dedent(
        f"""
        from kpi_core.workspace import Workspace
        store = Workspace({str(tmp_path)!r})
        [entry] = store.list_tables()
        print(entry.id, entry.name, store.load(entry.id).height)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [entry.id, "Kept", "4"]


def test_old_leftovers_removed_on_open(tmp_path):
    store = Workspace(tmp_path)
    entry = store.save(
        _frame(2), name="D", table_type="deals", source_file="a.csv", mapping=MAPPING
    )
    tables = tmp_path / "tables"
    stale_temp = tables / ".x.v2.parquet.ab12.tmp"
    orphan = tables / f"{entry.id}.v7.parquet"
    fresh_temp = tables / ".y.v1.parquet.cd34.tmp"
    for path in (stale_temp, orphan, fresh_temp):
        path.write_bytes(b"partial")
    two_hours_ago = time.time() - 7200
    for path in (stale_temp, orphan):
        os.utime(path, (two_hours_ago, two_hours_ago))
    Workspace(tmp_path)
    assert not stale_temp.exists()
    assert not orphan.exists()
    # A save running in another process right now keeps its file.
    assert fresh_temp.exists()
    assert store.load(entry.id).height == 2


def test_replacement_losses_names_rows_and_columns():
    entry = TableEntry(
        id="t1",
        name="deals",
        table_type="deals",
        source_file="deals.csv",
        mapping={"deal_id": "Id", "amount": "Amount", "owner": None},
        rows=19,
        uploaded_at="2026-12-05T08:00:00+00:00",
        version=1,
        is_sample=False,
    )
    # 19 - 3 = 16 rows fewer, and amount had a column that the new file lacks.
    assert replacement_losses(entry, 3, {"deal_id": "Id", "amount": None}) == [
        "16 rows (3 instead of 19)",
        "the column for Amount",
    ]
    assert replacement_losses(entry, 19, {"deal_id": "Id", "amount": "Betrag"}) == []


def test_concurrent_replacements_get_own_versions(tmp_path):
    store = Workspace(tmp_path)
    first = store.save(
        _frame(3), name="D", table_type="deals", source_file="a.csv", mapping=MAPPING
    )
    # The large frame takes a while to write, so the small one is stored
    # while it is still being written. Each needs a version of its own.
    frames = {"large": _frame(2_000_000), "small": _frame(5)}
    errors: list[BaseException] = []

    def replace(size: str) -> None:
        try:
            store.save(
                frames[size],
                name="D",
                table_type="deals",
                source_file=f"{size}.csv",
                mapping=MAPPING,
                replace_id=first.id,
            )
        except BaseException as error:
            errors.append(error)

    large = threading.Thread(target=replace, args=("large",))
    large.start()
    time.sleep(0.05)
    replace("small")
    large.join()
    assert errors == []
    entry = store.get(first.id)
    # Version 1, then one version per replacement: 1 + 2 = 3.
    assert entry.version == 3
    assert store.load(first.id).height == entry.rows
    files = sorted(path.name for path in (tmp_path / "tables").iterdir())
    assert files == [f"{first.id}.v3.parquet"]


def test_count_missing_ids_by_deal_id():
    stored = pl.DataFrame({"deal_id": ["1", "2", "3", None], "amount": [1, 2, 3, 4]})
    new = pl.DataFrame({"deal_id": ["2", "3", "4", "5"], "amount": [2, 3, 4, 5]})
    # Deal 1 is not in the new frame; the row without an id is not counted.
    assert count_missing_ids(stored, new, "deals") == 1
    assert count_missing_ids(stored, stored, "deals") == 0
    # Without an id column on one side nothing can be compared.
    assert count_missing_ids(stored, new.drop("deal_id"), "deals") == 0


def test_replacement_losses_names_missing_ids(tmp_path):
    store = Workspace(tmp_path)
    entry = store.save(
        _frame(3), name="D", table_type="deals", source_file="a.csv", mapping=MAPPING
    )
    columns = MAPPING.columns
    assert replacement_losses(entry, 3, columns, missing_ids=2) == [
        "2 rows whose id is not in the new file"
    ]
    # Fewer rows are named as such, which already covers the missing ids.
    assert replacement_losses(entry, 2, columns, missing_ids=1) == [
        "1 row (2 instead of 3)"
    ]


def test_spend_with_emptied_values_still_replaces():
    # The year's export fills the campaign in fewer rows than the half-year
    # one did. Spend tables are added up, so a second table would count the
    # spend twice: the default stays a replacement, which names the loss.
    entry = TableEntry(
        id="t1", name="ads", table_type="spend", source_file="ads.csv",
        mapping={"amount": "Cost", "campaign": "Campaign"}, rows=4,
        uploaded_at="2025-01-01T00:00:00+00:00", version=1, is_sample=False,
        source_key="k1",
    )  # fmt: skip
    stored = pl.DataFrame({"amount": [10.0] * 4, "campaign": ["Spring"] * 4})
    new = pl.DataFrame({"amount": [10.0] * 8, "campaign": ["Spring"] + [None] * 7})
    mapping = entry.mapping
    emptied = emptied_fields(new, mapping, stored, mapping)
    assert emptied == {"campaign": 1}
    assert default_replacement(None, entry, 8, mapping, 0, emptied, "spend") is entry
    assert default_replacement(None, entry, 8, mapping, 0, emptied, "orders") is None
    # Emptied amounts would wipe out the spend itself, so they still count.
    amounts = {"amount": 1}
    assert default_replacement(None, entry, 8, mapping, 0, amounts, "spend") is None
    assert replacement_losses(entry, 8, mapping, 0, emptied) == [
        "most values of Campaign (the new file's column 'Campaign' has 1 of 8 filled)"
    ]


def test_catalog_without_audience_column(tmp_path):
    # A catalog from before the audience was recorded.
    with open_catalog(tmp_path) as db:
        db.execute(
            "create table tables (id text primary key, name text not null, "
            "table_type text not null, source_file text not null, "
            "mapping text not null, rows integer not null, "
            "uploaded_at text not null, version integer not null default 1, "
            "is_sample integer not null default 0, "
            "source_key text not null default '')"
        )
        db.execute(
            "insert into tables (id, name, table_type, source_file, mapping, "
            "rows, uploaded_at) values (?, ?, ?, ?, ?, ?, ?)",
            (
                "a" * 32,
                "newsletter",
                "email_events",
                "members_export_4f2a9b.zip",
                "{}",
                3,
                "2025-01-01T00:00:00+00:00",
            ),
        )
    [entry] = Workspace(tmp_path).list_tables()
    assert entry.audience == ""
    # The zip's name still gives its audience.
    assert stored_from_audience([entry], "4f2a9b") == entry
    assert stored_from_audience([entry], "9c8d7e") is None


def test_stored_from_audience_newest(tmp_path):
    store = Workspace(tmp_path)
    mapping = Mapping("email_events", {"email": "Email"})
    frame = pl.DataFrame({"email": ["a@example.com"]})
    saved = [
        store.save(
            frame,
            name=name,
            table_type="email_events",
            source_file=source,
            mapping=mapping,
            audience=audience,
        )
        for name, source, audience in [
            ("list", "export.zip", "4f2a9b"),
            ("joined", "Mailchimp audience 4f2a9b", "4f2a9b"),
            ("other", "Mailchimp audience 9c8d7e", "9c8d7e"),
        ]
    ]
    entries = store.list_tables()
    assert stored_from_audience(entries, "4f2a9b") == saved[1]
    assert stored_from_audience(entries, "9c8d7e") == saved[2]
    assert stored_from_audience(entries, None) is None
