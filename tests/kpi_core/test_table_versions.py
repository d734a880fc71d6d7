"""Same export across file suffixes, and the changes by id between a stored
table and its replacement."""

from __future__ import annotations

import polars as pl

from kpi_core.table_versions import describe_id_changes, id_changes, same_export_file


def test_same_export_across_suffixes():
    assert same_export_file("tickets.csv", "tickets.xlsx")
    assert same_export_file("tickets.XLSM", "tickets.tsv")
    assert same_export_file("tickets.txt", "tickets.txt")


def test_other_export_names():
    # Guard: the stem must match and both suffixes must be read as a table.
    assert not same_export_file("tickets.csv", "tickets_2025.xlsx")
    assert not same_export_file("tickets.csv", "tickets.zip")
    assert not same_export_file("tickets.xls", "tickets.xlsx")
    assert not same_export_file("tickets.csv", "Tickets.csv")


def test_id_changes_with_repeated_ids():
    # Deal 1 has two rows in both frames, and the new frame moves one of them
    # to another stage. Deal 2 is unchanged, deal 3 is gone, deals 4 and 5
    # are new, and a row without an id is left out on both sides.
    stored = pl.DataFrame(
        {
            "_line": [2, 3, 4, 5, 6],
            "deal_id": ["1", "1", "2", "3", None],
            "stage": ["Lead", "Won", "Lead", "Lost", "Lead"],
        }
    )
    new = pl.DataFrame(
        {
            "_line": [9, 8, 7, 6, 5],
            "deal_id": ["1", "1", "2", "4", "5"],
            "stage": ["Lead", "Lost", "Lead", "Won", "Won"],
        }
    )
    changes = id_changes(stored, new, "stage_history")
    assert changes is not None
    assert changes.id_field == "deal_id"
    assert changes.added == 2
    assert changes.added_examples == ("4", "5")
    assert changes.changed == 1
    assert changes.changed_examples == ("1",)
    assert changes.removed == 1
    assert changes.removed_examples == ("3",)
    # The first rows of deal 1 agree (Lead), so no field is named.
    assert changes.fields == ()
    assert describe_id_changes(changes, "stages") == (
        "Compared by Deal ID with 'stages', this file has 2 new deals (4, 5); "
        "1 changed (1); 1 no longer in the file (3)."
    )


def test_id_changes_cast_types():
    # The stored ids are text and the new ones numbers, and the amounts are
    # floats in one and whole numbers in the other: 100.0 equals 100.
    stored = pl.DataFrame({"order_id": ["7", "8"], "amount": [100.0, 20.0]})
    new = pl.DataFrame({"order_id": [7, 8], "amount": [100, 25]})
    changes = id_changes(stored, new, "orders")
    assert changes is not None
    assert changes.added == 0
    assert changes.removed == 0
    assert changes.changed == 1
    assert changes.changed_examples == ("8",)
    assert changes.fields == ("amount",)


def test_id_changes_same_rows():
    frame = pl.DataFrame({"ticket_id": ["1", "2", "3"], "status": ["a", "b", None]})
    changes = id_changes(frame, frame.reverse(), "tickets")
    assert changes is not None
    assert changes.none
    assert describe_id_changes(changes, "t") == (
        "Compared by Ticket ID with 't', this file has the same 3 tickets with "
        "the same values."
    )


def test_id_changes_name_first_ids():
    # Five new ids: the first three in file order are named, then "…".
    stored = pl.DataFrame({"ticket_id": ["1"]})
    new = pl.DataFrame({"ticket_id": ["1", "6", "5", "4", "3", "2"]})
    changes = id_changes(stored, new, "tickets")
    assert changes is not None
    assert changes.added == 5
    assert describe_id_changes(changes, "t") == (
        "Compared by Ticket ID with 't', this file has 5 new tickets "
        "(6, 5, 4, …); 0 changed; 0 no longer in the file."
    )


def test_id_changes_without_id():
    # Spend has no id field, so nothing is compared.
    frame = pl.DataFrame({"amount": [1.0]})
    assert id_changes(frame, frame, "spend") is None
