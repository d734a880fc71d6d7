"""The workspace: imported tables stored on disk so they survive a restart.

Each table is one Parquet file under ``<root>/tables``; a SQLite catalog
(``<root>/catalog.sqlite``) lists name, source file, table type, mapping,
upload time and row count, and remembers column mappings the user corrected.
Each version of a table is written to a temporary name, moved into place
with ``os.replace``, and only then made current by one catalog transaction,
so a failed or interrupted import leaves the previous version intact.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from kpi_core.errors import InvalidSettingError
from kpi_core.mapping import Mapping

log = logging.getLogger(__name__)

WORKSPACE_ENV = "CRM_KPI_WORKSPACE"
LEFTOVER_AGE_SECONDS = 3600
_TABLE_ID = re.compile(r"^[0-9a-f]{32}$")

_SCHEMA = """
create table if not exists tables (
    id text primary key,
    name text not null,
    table_type text not null,
    source_file text not null,
    mapping text not null,
    rows integer not null,
    uploaded_at text not null,
    version integer not null default 1,
    is_sample integer not null default 0
);
create table if not exists remembered_mappings (
    signature text not null,
    table_type text not null,
    mapping text not null,
    primary key (signature, table_type)
);
"""


@dataclass(frozen=True)
class TableEntry:
    """One stored table as listed in the catalog."""

    id: str
    name: str
    table_type: str
    source_file: str
    mapping: dict[str, str | None]
    rows: int
    uploaded_at: str
    version: int
    is_sample: bool

    @property
    def cache_key(self) -> str:
        """A key that changes whenever the stored content changes."""
        return f"{self.id}:{self.version}"


def default_root() -> Path:
    """Return the workspace folder: $CRM_KPI_WORKSPACE, else ./workspace
    next to the app."""
    configured = os.environ.get(WORKSPACE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(__file__).resolve().parents[1] / "workspace"


class Workspace:
    """Stored tables and remembered mappings under one folder."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else default_root()
        self.tables_dir = self.root / "tables"
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        with self._catalog() as db:
            db.executescript(_SCHEMA)
        self._remove_leftovers()

    def list_tables(self, table_type: str | None = None) -> list[TableEntry]:
        """Return stored tables, newest first, optionally of one type."""
        query = "select * from tables"
        params: tuple[str, ...] = ()
        if table_type:
            query += " where table_type = ?"
            params = (table_type,)
        with self._catalog() as db:
            rows = db.execute(query + " order by uploaded_at desc, rowid desc", params)
            return [_entry(row) for row in rows.fetchall()]

    def get(self, table_id: str) -> TableEntry:
        _check_id(table_id)
        with self._catalog() as db:
            row = db.execute(
                "select * from tables where id = ?", (table_id,)
            ).fetchone()
        if row is None:
            raise InvalidSettingError(
                f"no stored table with id {table_id}; it may have been deleted"
            )
        return _entry(row)

    def save(
        self,
        frame: pl.DataFrame,
        *,
        name: str,
        table_type: str,
        source_file: str,
        mapping: Mapping,
        replace_id: str | None = None,
        is_sample: bool = False,
    ) -> TableEntry:
        """Store a prepared table, or a newer version of ``replace_id``."""
        table_id = replace_id or secrets.token_hex(16)
        _check_id(table_id)
        previous = self.get(replace_id) if replace_id else None
        version = previous.version + 1 if previous else 1
        self._write_parquet(frame, self._path(table_id, version))
        with self._catalog() as db:
            db.execute(
                "insert or replace into tables values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    table_id,
                    name,
                    table_type,
                    source_file,
                    json.dumps(mapping.columns),
                    frame.height,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    version,
                    int(is_sample),
                ),
            )
        if previous:
            self._path(table_id, previous.version).unlink(missing_ok=True)
        log.info("stored table %s (%s, %d rows)", table_id, table_type, frame.height)
        return self.get(table_id)

    def load(self, table_id: str) -> pl.DataFrame:
        entry = self.get(table_id)
        return pl.read_parquet(self._path(table_id, entry.version))

    def rename(self, table_id: str, name: str) -> None:
        self.get(table_id)
        with self._catalog() as db:
            db.execute("update tables set name = ? where id = ?", (name, table_id))

    def delete(self, table_id: str) -> None:
        entry = self.get(table_id)
        with self._catalog() as db:
            db.execute("delete from tables where id = ?", (table_id,))
        self._path(table_id, entry.version).unlink(missing_ok=True)
        log.info("deleted table %s", table_id)

    def remember_mapping(self, signature: str, mapping: Mapping) -> None:
        """Store a user-corrected mapping for files with the same headers."""
        with self._catalog() as db:
            db.execute(
                "insert or replace into remembered_mappings values (?, ?, ?)",
                (signature, mapping.table, json.dumps(mapping.columns)),
            )

    def recall_mapping(self, signature: str, table_type: str) -> Mapping | None:
        with self._catalog() as db:
            row = db.execute(
                "select mapping from remembered_mappings "
                "where signature = ? and table_type = ?",
                (signature, table_type),
            ).fetchone()
        if row is None:
            return None
        columns = json.loads(row["mapping"])
        confidence = {name: 1.0 if column else 0.0 for name, column in columns.items()}
        return Mapping(table_type, columns, confidence)

    def _remove_leftovers(self) -> None:
        """Delete temporary and unlisted table files that an interrupted
        save left behind.

        Only files older than ``LEFTOVER_AGE_SECONDS`` go, so a save that
        another process is running right now keeps its temporary file.
        """
        current = {
            self._path(entry.id, entry.version).name for entry in self.list_tables()
        }
        cutoff = time.time() - LEFTOVER_AGE_SECONDS
        for path in self.tables_dir.iterdir():
            if path.name in current or path.stat().st_mtime > cutoff:
                continue
            path.unlink(missing_ok=True)
            log.info("removed leftover file %s", path.name)

    def _path(self, table_id: str, version: int) -> Path:
        # Each version gets its own file, and the catalog switches to it only
        # after it is complete, so a crash mid-write keeps the old version.
        return self.tables_dir / f"{table_id}.v{version}.parquet"

    def _write_parquet(self, frame: pl.DataFrame, target: Path) -> None:
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            frame.write_parquet(temporary)
            with open(temporary, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)

    def _catalog(self) -> AbstractContextManager[sqlite3.Connection]:
        return open_catalog(self.root)


@contextmanager
def open_catalog(root: Path) -> Iterator[sqlite3.Connection]:
    """Open the workspace's SQLite catalog for one transaction, then close it."""
    connection = sqlite3.connect(Path(root) / "catalog.sqlite", timeout=10)
    connection.row_factory = sqlite3.Row
    try:
        with connection:
            yield connection
    finally:
        connection.close()


def _entry(row: sqlite3.Row) -> TableEntry:
    return TableEntry(
        id=row["id"],
        name=row["name"],
        table_type=row["table_type"],
        source_file=row["source_file"],
        mapping=json.loads(row["mapping"]),
        rows=row["rows"],
        uploaded_at=row["uploaded_at"],
        version=row["version"],
        is_sample=bool(row["is_sample"]),
    )


def _check_id(table_id: str) -> None:
    # Ids reach file paths, and a shared link carries them, so only the
    # generated form is accepted.
    if not _TABLE_ID.match(table_id):
        raise InvalidSettingError(f"invalid table id {table_id!r}")
