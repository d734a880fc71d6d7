"""A header that names the field itself wins over a looser alias of the
field, such as a custom "Kategorie" column beside Freshdesk's "Type"."""

from __future__ import annotations

import pytest

from kpi_core.importing import load_file, preview_file

# Freshdesk's built-in columns, in its export order. Every ticket's "Type"
# is "Question", the default, while the custom fields hold the real values.
FRESHDESK_HEADER = (
    "Ticket ID,Subject,Status,Priority,Source,Type,Agent,Group,Created time,"
    "Resolved time,Closed time"
)
FRESHDESK_ROWS = [
    "4001,Bestellung 1,Closed,High,Email,Question,Lea,Service,"
    "2024-06-01 09:00:00,2024-06-01 10:00:00,2024-06-03 10:00:00",
    "4002,Bestellung 2,Closed,Low,Chat,Question,Murat,Service,"
    "2024-06-02 09:00:00,2024-06-02 12:00:00,2024-06-04 12:00:00",
    "4003,Bestellung 3,Open,Medium,Phone,Question,Lea,Service,2024-06-03 09:00:00,,",
]


def _freshdesk(tmp_path, extra: dict[str, list[str]]):
    """Write a Freshdesk tickets export with the custom columns in ``extra``,
    one value per ticket."""
    header = ",".join([FRESHDESK_HEADER, *extra])
    lines = [header]
    for index, row in enumerate(FRESHDESK_ROWS):
        lines.append(",".join([row, *(values[index] for values in extra.values())]))
    path = tmp_path / "freshdesk_tickets.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_kategorie_beats_type(tmp_path):
    categories = ["Lieferverzug", "Produktfrage", "Lieferverzug"]
    path = _freshdesk(tmp_path, {"Kategorie": categories})
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "tickets"
    assert prepared.mapping.columns["category"] == "Kategorie"
    assert prepared.frame["category"].to_list() == categories


def test_kanal_beats_source(tmp_path):
    path = _freshdesk(tmp_path, {"Kanal": ["Shop", "App", "Shop"]})
    preview = preview_file(path.name, path.read_bytes())
    assert preview.table == "tickets"
    assert preview.mapping.columns["channel"] == "Kanal"


@pytest.mark.parametrize(
    ("extra", "category"),
    [
        ({}, "Type"),
        ({"Category": ["Lieferung", "Produkt", "Lieferung"]}, "Category"),
    ],
    ids=["type-only", "english-category"],
)
def test_category_column_guard(tmp_path, extra, category):
    # Guard: without a column named after the field, Freshdesk's "Type" is
    # still the category, and the English field name already won.
    path = _freshdesk(tmp_path, extra)
    preview = preview_file(path.name, path.read_bytes())
    assert preview.table == "tickets"
    assert preview.mapping.columns["category"] == category
    assert preview.mapping.columns["channel"] == "Source"
