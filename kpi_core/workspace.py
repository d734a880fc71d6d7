"""The workspace: imported tables stored on disk so they survive a restart.

Each table is one Parquet file under ``<root>/tables``; a SQLite catalog
(``<root>/catalog.sqlite``) lists name, source file, table type, mapping,
upload time and row count, and remembers column mappings the user corrected.
Tables are stored by id. Their names are labels, which ``save`` and ``rename``
keep unique; workspaces from before that rule may still hold duplicates.
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
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import polars as pl

from kpi_core.audience_members import source_audience
from kpi_core.errors import InvalidSettingError
from kpi_core.mapping import Mapping
from kpi_core.schema import TABLES
from kpi_core.table_versions import shared_id_field

log = logging.getLogger(__name__)

WORKSPACE_ENV = "CRM_KPI_WORKSPACE"
LEFTOVER_AGE_SECONDS = 3600
_TABLE_ID = re.compile(r"^[0-9a-f]{32}$")
# The counter that makes a taken name distinct, as in "orders (2)".
_COUNTER_SUFFIX = re.compile(r" \((\d+)\)$")
# The name of a table whose file name has no letter or digit.
FALLBACK_NAME = "Imported table"

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
    is_sample integer not null default 0,
    source_key text not null default '',
    audience text not null default ''
);
create table if not exists remembered_mappings (
    signature text not null,
    table_type text not null,
    mapping text not null,
    primary key (signature, table_type)
);
create table if not exists settings (
    name text primary key,
    value text not null
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
    # The caller's key of the uploaded content, or "" when none was given.
    source_key: str = ""
    # The id of the Mailchimp audience the table was exported from, or "".
    audience: str = ""

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
    """Stored tables, remembered mappings and settings under one folder."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else default_root()
        self.tables_dir = self.root / "tables"
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        with self._catalog() as db:
            db.executescript(_SCHEMA)
            columns = {row["name"] for row in db.execute("pragma table_info(tables)")}
            if "source_key" not in columns:
                # Catalogs from before imports recorded their content.
                db.execute(
                    "alter table tables add column source_key text not null default ''"
                )
            if "audience" not in columns:
                # Catalogs from before imports recorded the audience id.
                db.execute(
                    "alter table tables add column audience text not null default ''"
                )
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
        source_key: str = "",
        remove_samples: bool = False,
        replace_version: int | None = None,
        audience: str = "",
    ) -> TableEntry:
        """Store a prepared table, or a newer version of ``replace_id``.

        The name is cleaned with ``clean_table_name``, and gets a counter
        such as " (2)" when another table has it; the returned entry has the
        name stored. ``source_key`` identifies the uploaded content for
        ``find_source``, and ``audience`` the Mailchimp audience of an
        audience export for ``stored_from_audience``. With ``remove_samples``
        the sample tables are deleted in the same catalog transaction, so no
        read of the catalog finds the new table next to them.
        ``replace_version`` is the version of ``replace_id`` the user chose
        to replace. Raises InvalidSettingError when the name is empty, or
        when another import replaced the table after that version, because
        storing would silently drop that import.
        """
        table_id = replace_id or secrets.token_hex(16)
        _check_id(table_id)
        requested = _require_name(name)
        previous = self.get(replace_id) if replace_id else None
        expected = previous.version + 1 if previous else 1
        staged = self._stage_parquet(frame, self._path(table_id, expected))
        try:
            with self._catalog() as db:
                # The lock keeps another session from taking the name between
                # the check and the insert, and from giving a concurrent
                # replacement of this table the same version.
                db.execute("begin immediate")
                row = db.execute(
                    "select version from tables where id = ?", (table_id,)
                ).fetchone()
                if replace_id and row is None:
                    raise InvalidSettingError(
                        f"the table {previous.name!r} was deleted while the file "
                        "was stored; import it again as a new table"
                    )
                old_version = row["version"] if row else None
                if replace_version is not None and old_version != replace_version:
                    raise InvalidSettingError(
                        f"the table {previous.name!r} was replaced by another "
                        "import while this file was stored, so nothing was "
                        "imported; check the choices and click Import again"
                    )
                version = old_version + 1 if row else 1
                os.replace(staged, self._path(table_id, version))
                db.execute(
                    "insert or replace into tables (id, name, table_type, "
                    "source_file, mapping, rows, uploaded_at, version, is_sample, "
                    "source_key, audience) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        table_id,
                        _unique_name(db, requested, table_id),
                        table_type,
                        source_file,
                        json.dumps(mapping.columns),
                        frame.height,
                        datetime.now(UTC).isoformat(timespec="seconds"),
                        version,
                        int(is_sample),
                        source_key,
                        audience,
                    ),
                )
                samples = []
                if remove_samples:
                    samples = db.execute(
                        "select id, version from tables "
                        "where is_sample = 1 and id != ?",
                        (table_id,),
                    ).fetchall()
                    db.execute(
                        "delete from tables where is_sample = 1 and id != ?",
                        (table_id,),
                    )
        finally:
            staged.unlink(missing_ok=True)
        if old_version is not None:
            self._path(table_id, old_version).unlink(missing_ok=True)
        for sample in samples:
            self._path(sample["id"], sample["version"]).unlink(missing_ok=True)
        if samples:
            log.info("removed %d sample tables", len(samples))
        log.info("stored table %s (%s, %d rows)", table_id, table_type, frame.height)
        return self.get(table_id)

    def load(self, table_id: str) -> pl.DataFrame:
        entry = self.get(table_id)
        return pl.read_parquet(self._path(table_id, entry.version))

    def rename(self, table_id: str, name: str) -> str:
        """Rename a table to ``name`` cleaned with ``clean_table_name`` and
        return that name.

        Raises InvalidSettingError when the name is empty or another table
        has it, ignoring case.
        """
        self.get(table_id)
        requested = _require_name(name)
        with self._catalog() as db:
            db.execute("begin immediate")
            holder = _name_holder(db, requested, table_id)
            if holder is not None:
                raise InvalidSettingError(
                    f"the name {requested!r} is taken by another stored table "
                    f"({TABLES[holder['table_type']].label}, "
                    f"{holder['rows']:,} rows); choose another name, or rename "
                    "or delete that table first"
                )
            db.execute("update tables set name = ? where id = ?", (requested, table_id))
        log.info("renamed table %s", table_id)
        return requested

    def unique_name(self, name: str, exclude_id: str | None = None) -> str:
        """Return the name ``save`` would store ``name`` under: cleaned, and
        with a counter such as " (2)" when a table other than ``exclude_id``
        has it. An empty name stays empty."""
        requested = clean_table_name(name)
        if not requested:
            return requested
        with self._catalog() as db:
            return _unique_name(db, requested, exclude_id)

    def find_source(self, source_key: str, table_type: str) -> TableEntry | None:
        """Return the newest table of ``table_type`` stored from the content
        ``source_key`` names, or None."""
        if not source_key:
            return None
        with self._catalog() as db:
            row = db.execute(
                "select * from tables where source_key = ? and table_type = ? "
                "order by uploaded_at desc, rowid desc limit 1",
                (source_key, table_type),
            ).fetchone()
        return _entry(row) if row is not None else None

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

    def forget_mapping(self, signature: str, table_type: str) -> None:
        """Drop the saved mapping for these headers, so files with them get
        the app's guess again."""
        with self._catalog() as db:
            db.execute(
                "delete from remembered_mappings "
                "where signature = ? and table_type = ?",
                (signature, table_type),
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

    def save_setting(self, name: str, value: dict[str, str]) -> None:
        """Store a setting of the workspace, such as the working time, for
        every later session."""
        with self._catalog() as db:
            db.execute(
                "insert or replace into settings values (?, ?)",
                (name, json.dumps(value)),
            )

    def setting(self, name: str) -> dict[str, str]:
        """Return the stored setting ``name``, or {} when none is stored."""
        with self._catalog() as db:
            row = db.execute(
                "select value from settings where name = ?", (name,)
            ).fetchone()
        return {} if row is None else json.loads(row["value"])

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

    def _stage_parquet(self, frame: pl.DataFrame, target: Path) -> Path:
        """Write ``frame`` to a temporary file next to ``target``, flushed to
        disk, and return its path. The caller moves it into place."""
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            frame.write_parquet(temporary)
            with open(temporary, "rb") as handle:
                os.fsync(handle.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return temporary

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


def clean_table_name(text: str) -> str:
    """Return ``text`` fit to show as a table name.

    The text is NFC-normalised, white space of any kind becomes one space,
    and control, format and surrogate characters (Unicode categories Cc, Cf
    and Cs) are removed. Format characters include the bidi controls, which
    make a name display reversed, and the zero-width characters, which make
    two names look alike. Letters such as é and 𝔘 are kept.
    """
    characters = []
    for char in unicodedata.normalize("NFC", text):
        if char.isspace():
            characters.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cf", "Cs"):
            characters.append(char)
    return " ".join("".join(characters).split())


def default_table_name(file_name: str) -> str:
    """Return the name a table imported from ``file_name`` gets by default:
    the file's stem without folders, cleaned with ``clean_table_name``.

    Both "/" and "\\" separate folders, because a browser on Windows may
    send either. A stem without a letter or digit gives ``FALLBACK_NAME``.
    """
    base = re.split(r"[\\/]", file_name)[-1]
    name = clean_table_name(PurePosixPath(base).stem)
    return name if any(char.isalnum() for char in name) else FALLBACK_NAME


def name_notes(entries: list[TableEntry]) -> dict[str, str]:
    """Return, by id, a note for each entry whose name another entry shares,
    ignoring case: its import time, plus the start of its id when another of
    them was imported in the same second. Pickers add it to the label."""
    groups: dict[str, list[TableEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.name.casefold(), []).append(entry)
    notes: dict[str, str] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        times = Counter(_import_time(entry) for entry in group)
        for entry in group:
            note = f"imported {_import_time(entry)}"
            if times[_import_time(entry)] > 1:
                note += f", id {entry.id[:8]}"
            notes[entry.id] = note
    return notes


def replacement_losses(
    entry: TableEntry,
    rows: int,
    mapping: dict[str, str | None],
    missing_ids: int = 0,
    emptied: dict[str, int] | None = None,
) -> list[str]:
    """Name what storing ``rows`` rows with ``mapping`` in place of ``entry``
    would lose: rows, rows whose id the new file lacks (``missing_ids``, from
    ``count_missing_ids``), fields the stored table has a column for, or the
    values of the ``emptied`` fields (from ``emptied_fields``, with the
    values the new file has left). A replaced table is not kept, so a
    shorter file of the same name should not replace it unnoticed."""
    losses = []
    if rows < entry.rows:
        fewer = entry.rows - rows
        noun = "row" if fewer == 1 else "rows"
        losses.append(f"{fewer:,} {noun} ({rows:,} instead of {entry.rows:,})")
    elif missing_ids:
        noun = "row" if missing_ids == 1 else "rows"
        losses.append(f"{missing_ids:,} {noun} whose id is not in the new file")
    schema = TABLES[entry.table_type]
    lost = sorted(
        schema.field_label(name)
        for name, column in entry.mapping.items()
        if column and not mapping.get(name)
    )
    if lost:
        noun = "column" if len(lost) == 1 else "columns"
        losses.append(f"the {noun} for {', '.join(lost)}")
    for name in sorted(emptied or {}):
        column = mapping.get(name)
        if not entry.mapping.get(name) or not column:
            continue
        left = emptied[name]
        label = schema.field_label(name)
        if left:
            losses.append(
                f"most values of {label} (the new file's column {column!r} has "
                f"{left:,} of {rows:,} filled)"
            )
        else:
            losses.append(
                f"every value of {label} (the new file's column {column!r} is empty)"
            )
    return losses


# A field is emptied when the share of rows that fill it fell below this
# part of the stored table's share. Half is far more than exports of one
# system differ by, and a loss only makes "Store as a new table" the default.
_EMPTIED_SHARE = 0.5


def emptied_fields(
    new: pl.DataFrame,
    mapping: dict[str, str | None],
    stored: pl.DataFrame,
    stored_mapping: dict[str, str | None],
) -> dict[str, int]:
    """Return the fields that ``new`` maps and fills in far fewer rows than
    ``stored`` did, each with its number of filled values in ``new``.

    An export that wrote "n/a" in every amount, or in all but one, keeps its
    column but not its values. A field counts when its share of filled rows
    fell below half of the stored share. A column that was empty before
    too, such as an unused "Deal Type", loses nothing.
    """
    found = {}
    for name, column in mapping.items():
        if not column or not stored_mapping.get(name):
            continue
        if name not in new.columns or name not in stored.columns:
            continue
        before = stored.height - stored[name].null_count()
        left = new.height - new[name].null_count()
        if not before:
            continue
        if left / max(new.height, 1) < _EMPTIED_SHARE * before / stored.height:
            found[name] = left
    return found


# The spend fields whose emptying weighs more than counting spend twice.
_SPEND_VALUES = ("amount", "spent_at", "period_start", "period_end")


def default_replacement(
    same: TableEntry | None,
    earlier: TableEntry | None,
    rows: int,
    mapping: dict[str, str | None],
    missing_ids: int = 0,
    emptied: dict[str, int] | None = None,
    table_type: str = "",
) -> TableEntry | None:
    """Return the stored table an import of ``rows`` rows with ``mapping``
    replaces by default, or None for a new table. ``missing_ids`` counts the
    rows of ``earlier`` whose id the import lacks.

    ``same`` is the table stored from the same content, and ``earlier`` that
    table or else one stored from a file of the same name. The same content
    always replaces its table. A file of the same name replaces its table
    only when ``replacement_losses`` finds nothing lost, because a shorter
    file may be an extract rather than a corrected export. For a spend
    ``table_type`` only emptied amounts and dates count.
    """
    if same is not None:
        return same
    if table_type == "spend" and emptied:
        # The pages add up every spend table, so a second table would count
        # the spend twice. Emptied labels are named when replacing instead,
        # but emptied amounts or dates would wipe out the spend itself.
        emptied = {
            name: left for name, left in emptied.items() if name in _SPEND_VALUES
        }
    if earlier is None or replacement_losses(
        earlier, rows, mapping, missing_ids, emptied
    ):
        return None
    return earlier


def stored_from_audience(
    entries: list[TableEntry], audience: str | None
) -> TableEntry | None:
    """Return the newest of ``entries`` imported from an export of the
    Mailchimp audience ``audience``, from its zip or its member files, or
    None. Tables stored before the catalog recorded the audience give it by
    their source file name (see ``source_audience``)."""
    if not audience:
        return None
    matches = [
        entry
        for entry in entries
        if entry.table_type == "email_events"
        and not entry.is_sample
        and (entry.audience or source_audience(entry.source_file)) == audience
    ]
    return max(matches, key=lambda entry: entry.uploaded_at, default=None)


def count_missing_ids(stored: pl.DataFrame, new: pl.DataFrame, table_type: str) -> int:
    """Count the rows of ``stored`` whose id no row of ``new`` has, by the
    first id field of ``table_type`` that both frames have. A re-export of
    the same size can still leave out records, such as deals moved to
    another pipeline. Returns 0 when the frames share no id field."""
    name = shared_id_field(stored, new, table_type)
    if name is None:
        return 0
    ids = new.get_column(name).drop_nulls().unique().cast(pl.String)
    kept = stored.get_column(name).cast(pl.String).is_in(ids.implode())
    return int((~kept & stored.get_column(name).is_not_null()).sum())


def _import_time(entry: TableEntry) -> str:
    # uploaded_at is ISO 8601 in UTC, such as 2026-12-05T10:31:22+00:00.
    return entry.uploaded_at[:19].replace("T", " ") + " UTC"


def _require_name(name: str) -> str:
    cleaned = clean_table_name(name)
    if cleaned:
        return cleaned
    removed = " once control and invisible characters are removed" if name else ""
    raise InvalidSettingError(
        f"the table name {name!r} is empty{removed}; type a name with visible "
        "characters"
    )


def _name_holder(
    db: sqlite3.Connection, name: str, exclude_id: str | None
) -> sqlite3.Row | None:
    """Return the catalog row of another table named ``name``, ignoring
    case, or None."""
    for row in db.execute("select id, name, table_type, rows from tables"):
        if row["id"] == exclude_id:
            continue
        if clean_table_name(row["name"]).casefold() == name.casefold():
            return row
    return None


def _unique_name(db: sqlite3.Connection, name: str, exclude_id: str | None) -> str:
    """Return ``name``, or ``name`` with the lowest free counter such as
    " (2)" when another table has it. A counter already in ``name`` is
    replaced, so "orders (2)" can become "orders (3)"."""
    taken = {
        clean_table_name(row["name"]).casefold()
        for row in db.execute("select id, name from tables")
        if row["id"] != exclude_id
    }
    if name.casefold() not in taken:
        return name
    base = _COUNTER_SUFFIX.sub("", name)
    counter = 2
    while f"{base} ({counter})".casefold() in taken:
        counter += 1
    return f"{base} ({counter})"


def _entry(row: sqlite3.Row) -> TableEntry:
    return TableEntry(
        id=row["id"],
        # Names stored before names were cleaned may hold bidi controls.
        name=clean_table_name(row["name"]) or row["name"],
        table_type=row["table_type"],
        source_file=row["source_file"],
        mapping=json.loads(row["mapping"]),
        rows=row["rows"],
        uploaded_at=row["uploaded_at"],
        version=row["version"],
        is_sample=bool(row["is_sample"]),
        source_key=row["source_key"],
        audience=row["audience"],
    )


def _check_id(table_id: str) -> None:
    # Ids reach file paths, and a shared link carries them, so only the
    # generated form is accepted.
    if not _TABLE_ID.match(table_id):
        raise InvalidSettingError(f"invalid table id {table_id!r}")
