"""Every field's label, which the Data page and the missing-column error
show, is a header that the mapping reads as that field, so a user who names
a column after the label gets it mapped."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_core.importing import load_file, preview_file
from kpi_core.schema import DATE, DURATION, FLAG, ID, INTEGER, NUMBER, TABLES, TEXT

# A cell of each field kind that the mapping accepts for it. A date field
# takes no column of values that read as no date, and a yes/no field only a
# column of yes and no. A text field takes no column of numbers.
VALUES = {
    ID: "A-1",
    TEXT: "Alpha",
    DATE: "2024-01-05",
    NUMBER: "12.5",
    INTEGER: "3",
    FLAG: "yes",
    DURATION: "30",
}
FIELDS = [
    (table, schema_field.name)
    for table, schema in TABLES.items()
    for schema_field in schema.fields
]


def _write(tmp_path: Path, labels: list[str], values: list[str]) -> Path:
    path = tmp_path / "labels.csv"
    header = ",".join(f'"{label}"' for label in labels)
    path.write_text(f"{header}\n{','.join(values)}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("table", "field_name"), FIELDS, ids=[f"{table}.{name}" for table, name in FIELDS]
)
def test_label_header_maps_to_field(tmp_path, table, field_name):
    schema_field = TABLES[table].field(field_name)
    path = _write(tmp_path, [schema_field.label], [VALUES[schema_field.kind]])

    # A file of this one column misses the table's required fields, which
    # load_file rejects, so the mapping comes from the preview the Data page
    # shows.
    preview = preview_file(path.name, path.read_bytes(), table=table)
    assert preview.mapping is not None
    assert preview.mapping.columns[field_name] == schema_field.label


@pytest.mark.parametrize("table", list(TABLES))
def test_all_label_headers_load(tmp_path, table):
    fields = TABLES[table].fields
    labels = [schema_field.label for schema_field in fields]
    values = [VALUES[schema_field.kind] for schema_field in fields]
    path = _write(tmp_path, labels, values)

    prepared = load_file(path.name, path.read_bytes(), table=table)
    for schema_field in fields:
        assert prepared.mapping.columns[schema_field.name] == schema_field.label
