"""The relation of an upload to a stored table that it may be a new version
of: whether its file is the same export, and what it changes by id."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

import polars as pl

from kpi_core.formatting import count_noun
from kpi_core.schema import ID, TABLES

# The suffixes of the files read as one table. A CSV export that Excel saved
# as a workbook, or a workbook saved as CSV, keeps its stem, so these count
# as the same export. A zip contains several files, and the reader rejects
# an .xls workbook.
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")

# The number of ids that ``describe_id_changes`` names for each kind of change.
EXAMPLE_IDS = 3


def same_export_file(stored: str, uploaded: str) -> bool:
    """Tell whether the file name ``uploaded`` names the export that a table
    was stored from (``stored``): the same name, or the same stem with
    another suffix of ``TABLE_SUFFIXES`` (case-insensitive)."""
    if stored == uploaded:
        return True
    before, after = PurePosixPath(stored), PurePosixPath(uploaded)
    return (
        before.stem == after.stem
        and before.suffix.lower() in TABLE_SUFFIXES
        and after.suffix.lower() in TABLE_SUFFIXES
    )


def shared_id_field(
    stored: pl.DataFrame, new: pl.DataFrame, table_type: str
) -> str | None:
    """Return the first id field of ``table_type`` that both frames have, or
    None."""
    for schema_field in TABLES[table_type].fields:
        name = schema_field.name
        if schema_field.kind == ID and name in stored.columns and name in new.columns:
            return name
    return None


@dataclass(frozen=True)
class IdChanges:
    """What replacing a stored table with a new one changes, by the id field
    ``id_field``. An id is changed when the set of its rows differs in a
    compared column. ``fields`` are the columns that differ in the first row
    of each changed id. Each ``*_examples`` contains the first ids in file
    order, at most ``EXAMPLE_IDS``."""

    table_type: str
    id_field: str
    added: int
    changed: int
    removed: int
    added_examples: tuple[str, ...]
    changed_examples: tuple[str, ...]
    removed_examples: tuple[str, ...]
    fields: tuple[str, ...]
    # The number of distinct ids in the new frame.
    ids: int

    @property
    def none(self) -> bool:
        return not (self.added or self.changed or self.removed)


def id_changes(
    stored: pl.DataFrame, new: pl.DataFrame, table_type: str
) -> IdChanges | None:
    """Compare ``new`` with ``stored`` by the first id field of
    ``table_type`` that both have, or return None without one.

    The columns both frames have are compared, except internal ones whose
    name starts with "_", such as the file line. Rows without an id are left
    out. The comparison hashes each row and joins on the id and hash, so a
    million rows take joins rather than a loop. A hash collision could hide
    a change, which for 64-bit hashes is negligible.
    """
    id_field = shared_id_field(stored, new, table_type)
    if id_field is None:
        return None
    columns = [
        name
        for name in stored.columns
        if name in new.columns and not name.startswith("_")
    ]
    before, after = _comparable(stored, new, columns, id_field)
    before_ids = before.select(id_field).unique(maintain_order=True)
    after_ids = after.select(id_field).unique(maintain_order=True)
    added = after_ids.join(before_ids, on=id_field, how="anti")
    removed = before_ids.join(after_ids, on=id_field, how="anti")
    # An id whose rows differ has a row hash on one side only.
    keys = [id_field, "_row_hash"]
    differing = pl.concat(
        [
            before.join(after, on=keys, how="anti").select(id_field),
            after.join(before, on=keys, how="anti").select(id_field),
        ]
    )
    changed = after_ids.join(differing, on=id_field, how="semi").join(
        before_ids, on=id_field, how="semi"
    )
    return IdChanges(
        table_type=table_type,
        id_field=id_field,
        added=added.height,
        changed=changed.height,
        removed=removed.height,
        added_examples=_examples(added, id_field),
        changed_examples=_examples(changed, id_field),
        removed_examples=_examples(removed, id_field),
        fields=_changed_fields(before, after, changed, id_field, columns),
        ids=after_ids.height,
    )


def describe_id_changes(changes: IdChanges, table_name: str) -> str:
    """Return a sentence such as "Compared by Ticket ID with 'tickets', this
    file has 1 new ticket (1024); 2 changed (1003, 1007: Solved date); 0 no
    longer in the file." """
    schema = TABLES[changes.table_type]
    id_label = schema.field_label(changes.id_field)
    start = f"Compared by {id_label} with {table_name!r}, this file has"
    noun = _id_noun(id_label)
    if changes.none:
        same = count_noun(changes.ids, noun, _plural(noun))
        return f"{start} the same {same} with the same values."
    added = count_noun(changes.added, f"new {noun}", f"new {_plural(noun)}")
    changed = f"{changes.changed:,} changed"
    if changes.changed_examples:
        labels = ", ".join(schema.field_label(name) for name in changes.fields)
        listed = ", ".join(changes.changed_examples) + _more(changes.changed)
        changed += f" ({listed}: {labels})" if labels else f" ({listed})"
    parts = [
        added + _listed(changes.added_examples, changes.added),
        changed,
        f"{changes.removed:,} no longer in the file"
        + _listed(changes.removed_examples, changes.removed),
    ]
    return f"{start} {'; '.join(parts)}."


def _comparable(
    stored: pl.DataFrame, new: pl.DataFrame, columns: list[str], id_field: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return both frames with the id as text and a "_row_hash" column of
    the compared columns, for rows with an id. A column whose type differs
    is compared as Float64 when both types are numeric, so 100 equals 100.0,
    in the stored type when both are temporal, and else as text."""
    before, after = stored.select(columns), new.select(columns)
    for name in columns:
        dtype, new_dtype = before[name].dtype, after[name].dtype
        if new_dtype == dtype:
            continue
        common: pl.DataType = pl.String()
        if dtype.is_numeric() and new_dtype.is_numeric():
            common = pl.Float64()
        elif dtype.is_temporal() and new_dtype.is_temporal():
            common = dtype
        before = before.with_columns(pl.col(name).cast(common))
        after = after.with_columns(pl.col(name).cast(common))
    frames = []
    for frame in (before, after):
        frame = frame.filter(pl.col(id_field).is_not_null())
        frame = frame.with_columns(
            pl.col(id_field).cast(pl.String),
            pl.Series("_row_hash", frame.hash_rows(seed=0)),
        )
        frames.append(frame)
    return frames[0], frames[1]


def _changed_fields(
    before: pl.DataFrame,
    after: pl.DataFrame,
    changed: pl.DataFrame,
    id_field: str,
    columns: list[str],
) -> tuple[str, ...]:
    """Return the columns that differ between the first stored and the first
    new row of the ``changed`` ids, in the table's column order."""
    if changed.is_empty():
        return ()
    first = [
        frame.join(changed, on=id_field, how="semi").unique(
            id_field, keep="first", maintain_order=True
        )
        for frame in (before, after)
    ]
    paired = first[0].join(first[1], on=id_field, suffix="_new")
    compared = [name for name in columns if name != id_field]
    if not compared:
        return ()
    differs = paired.select(
        pl.col(name).ne_missing(pl.col(f"{name}_new")).any() for name in compared
    ).row(0)
    return tuple(name for name, flag in zip(compared, differs, strict=True) if flag)


def _examples(ids: pl.DataFrame, id_field: str) -> tuple[str, ...]:
    return tuple(ids.get_column(id_field).head(EXAMPLE_IDS).to_list())


def _listed(examples: tuple[str, ...], count: int) -> str:
    return f" ({', '.join(examples)}{_more(count)})" if examples else ""


def _more(count: int) -> str:
    return ", …" if count > EXAMPLE_IDS else ""


def _id_noun(id_label: str) -> str:
    """Return "ticket" for "Ticket ID", and a label without " ID" in lower
    case, such as "email address"."""
    noun = id_label.removesuffix(" ID")
    return noun if noun.isupper() else noun.lower()


def _plural(noun: str) -> str:
    return f"{noun}es" if noun.endswith("s") else f"{noun}s"
