"""Workspace.save with remove_samples: the user's table and the removal of
the sample tables are one catalog transaction."""

import polars as pl
import pytest

from kpi_core.errors import InvalidSettingError
from kpi_core.mapping import Mapping
from kpi_core.workspace import Workspace

DEALS = Mapping("deals", {"deal_id": "Record ID"})
NPS = Mapping("nps", {"response_id": "Response ID"})


def _frame(rows: int) -> pl.DataFrame:
    return pl.DataFrame({"deal_id": [str(i) for i in range(rows)]})


def _save(store: Workspace, name: str, rows: int, **options):
    mapping = NPS if options.pop("nps", False) else DEALS
    return store.save(
        _frame(rows),
        name=name,
        table_type=mapping.table,
        source_file=f"{name}.csv",
        mapping=mapping,
        **options,
    )


def _files(store: Workspace) -> list[str]:
    return sorted(path.name for path in store.tables_dir.iterdir())


def test_save_removes_sample_tables(tmp_path):
    store = Workspace(tmp_path)
    sample_deals = _save(store, "Sample deals", 4, is_sample=True)
    _save(store, "Sample nps", 2, is_sample=True, nps=True)
    own = _save(store, "pipeline", 3, remove_samples=True)

    entries = store.list_tables()
    assert [(e.name, e.rows, e.is_sample) for e in entries] == [("pipeline", 3, False)]
    assert _files(store) == [f"{own.id}.v1.parquet"]
    # The name freed by the removed sample is not taken by the new table.
    assert own.name == "pipeline"
    with pytest.raises(InvalidSettingError):
        store.get(sample_deals.id)


def test_save_keeps_samples_by_default(tmp_path):
    store = Workspace(tmp_path)
    _save(store, "Sample deals", 4, is_sample=True)
    _save(store, "pipeline", 3)
    names = sorted(entry.name for entry in store.list_tables())
    assert names == ["Sample deals", "pipeline"]


def test_replacing_sample_keeps_it_as_own(tmp_path):
    # Replacing a sample table with the user's file keeps that table, now the
    # user's own with the new 5 rows, and removes the other sample.
    store = Workspace(tmp_path)
    sample = _save(store, "Sample deals", 4, is_sample=True)
    _save(store, "Sample nps", 2, is_sample=True, nps=True)
    own = _save(store, "pipeline", 5, replace_id=sample.id, remove_samples=True)

    assert own.id == sample.id
    assert own.version == 2
    entries = store.list_tables()
    assert [(e.id, e.rows, e.is_sample) for e in entries] == [(sample.id, 5, False)]
    assert _files(store) == [f"{sample.id}.v2.parquet"]


def test_failed_save_keeps_samples(tmp_path):
    # The replaced table is deleted before the save, so the save fails and
    # the sample tables stay, as does the user's other table.
    store = Workspace(tmp_path)
    sample = _save(store, "Sample deals", 4, is_sample=True)
    other = _save(store, "older", 2)
    gone = _save(store, "gone", 3)
    store.delete(gone.id)
    with pytest.raises(InvalidSettingError, match="deleted"):
        _save(store, "gone", 6, replace_id=gone.id, remove_samples=True)

    ids = sorted(entry.id for entry in store.list_tables())
    assert ids == sorted([sample.id, other.id])
    assert _files(store) == sorted(
        [f"{sample.id}.v1.parquet", f"{other.id}.v1.parquet"]
    )
