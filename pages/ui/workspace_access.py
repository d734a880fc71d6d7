"""The workspace of one server process and the cached reads behind the
pages: stored tables, uploads being checked, and the demo data.

Nothing here computes a KPI. This module connects Streamlit's caches to
``kpi_core``, and the other page helpers build on it.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from kpi_core.importing import FilePreview, preview_audience, preview_file
from kpi_core.mapping import Mapping
from kpi_core.money import with_default_currency
from kpi_core.prepare import PreparedTable, prepare_table
from kpi_core.workspace import TableEntry, Workspace
from sample_data import SAMPLE_FILES

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
_SAMPLE_MARKER = ".sample-loaded"


@st.cache_resource
def workspace() -> Workspace:
    """Open the workspace once per server process, with the demo data on
    first start."""
    store = Workspace()
    marker = store.root / _SAMPLE_MARKER
    if not marker.exists():
        load_sample_data(store)
        marker.touch()
    return store


@st.cache_resource(max_entries=16)
def load_table(table_id: str, version: int) -> pl.DataFrame:
    """Load a stored table; the version in the key drops replaced content.

    The frame is shared between sessions, so callers must not change it in
    place (Polars operations return new frames).
    """
    del version
    return workspace().load(table_id)


def load_entry(entry: TableEntry | None) -> pl.DataFrame | None:
    """Load a stored table, or return None when there is no entry."""
    return load_table(entry.id, entry.version) if entry is not None else None


def load_with_currency(entry: TableEntry | None) -> pl.DataFrame | None:
    """Load a stored table as ``load_entry`` does, with the currency EUR on
    every row when it has money but no currency code.

    The Data page stores amounts in its default currency, EUR, without a
    code, so a page that converts them into another report currency or
    sets them against another table's money needs the code.
    """
    if entry is None:
        return None
    return _with_currency(entry.id, entry.version)


@st.cache_resource(max_entries=16)
def _with_currency(table_id: str, version: int) -> pl.DataFrame:
    """Add the code once per version, because ``with_default_currency``
    scans the table for its currency codes."""
    return with_default_currency(load_table(table_id, version))


def entries_key(*entries: TableEntry | None) -> str:
    """Return a cache key that changes when any of the tables changes."""
    return "|".join(entry.cache_key if entry else "-" for entry in entries)


def load_sample_data(store: Workspace) -> None:
    """Import the built-in demo files into the workspace, marked as samples."""
    for file_name, table_type in SAMPLE_FILES.items():
        path = SAMPLE_DIR / file_name
        preview = preview_file(file_name, path.read_bytes(), table=table_type)
        prepared: PreparedTable = prepare_table(preview.raw, preview.mapping)
        store.save(
            prepared.frame,
            name=f"Sample {table_type.replace('_', ' ')}",
            table_type=table_type,
            source_file=f"sample_data/{file_name}",
            mapping=prepared.mapping,
            is_sample=True,
        )


# The upload caches share their results between sessions instead of copying
# them on every rerun as st.cache_data would, which unpickles the whole
# preview of a large file each time. Their keys name the content, so the
# bytes are not hashed on every rerun either.
@st.cache_resource(max_entries=4, show_spinner="Reading the file...")
def cached_preview(
    upload_key: str,
    file_name: str,
    _data: bytes,
    sheet: str | None,
    table: str | None,
) -> FilePreview:
    """Read and recognise an upload once per content (``upload_key``), sheet
    and table type, within the upload limit of the server setting."""
    limit = st.get_option("server.maxUploadSize") * 2**20
    return preview_file(file_name, _data, sheet=sheet, table=table, max_bytes=limit)


def cached_prepare(
    upload_key: str,
    mapping_items: tuple[tuple[str, str | None], ...],
    order_items: tuple[tuple[str, str], ...],
    _preview: FilePreview,
) -> PreparedTable:
    """Parse an upload with the user's mapping, once per upload, choice and
    day, because the dates of events after today are read as empty.

    ``upload_key`` identifies the content, sheet and table type of
    ``_preview``, which is left out of the hash.
    """
    return _cached_prepare(
        upload_key, mapping_items, order_items, date.today(), _preview
    )


@st.cache_resource(max_entries=4, show_spinner="Checking the values...")
def _cached_prepare(
    upload_key: str,
    mapping_items: tuple[tuple[str, str | None], ...],
    order_items: tuple[tuple[str, str], ...],
    today: date,
    _preview: FilePreview,
) -> PreparedTable:
    mapping = Mapping(_preview.mapping.table, dict(mapping_items))
    return prepare_table(_preview.raw, mapping, dict(order_items), today)


@st.cache_resource(max_entries=4, show_spinner="Joining the audience files...")
def cached_audience_preview(
    audience_key: str, _members: tuple[FilePreview, ...]
) -> FilePreview:
    """Join the member CSVs of one Mailchimp audience export once per set of
    contents (``audience_key``); see ``preview_audience``."""
    return preview_audience(list(_members))


def content_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]
