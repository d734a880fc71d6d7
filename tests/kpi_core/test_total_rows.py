"""Total rows in files whose free text also contains total words."""

from __future__ import annotations

from kpi_core.reading import read_table


def test_totals_among_free_text_labels():
    # Lines 3 and 5 have a label in the comment but a status word beside it.
    # Line 4 is a label alone, line 6 a label beside a currency code and
    # line 7 two labels, so those three are totals.
    data = (
        b"Ticket,Status,Comment\n"
        b"T1,solved,Total outage for 2 hours\n"
        b"T2,open,Summe: 40 EUR\n"
        b"Total,,\n"
        b"T3,closed,total\n"
        b"Total:,EUR,\n"
        b"Total,Summe,\n"
    )
    raw = read_table("tickets.csv", data)
    assert raw.frame["Ticket"].to_list() == ["T1", "T2", "T3"]
    assert raw.frame["_line"].to_list() == [2, 3, 5]
    assert raw.info.skipped_lines == (4, 6, 7)
    assert "skipped 3 total rows on lines 4, 6-7" in raw.info.notes


def test_free_text_labels_only_keep_every_row():
    data = b"Ticket,Status,Comment\nT1,open,Total\nT2,solved,Gesamt: 3\n"
    raw = read_table("tickets.csv", data)
    assert raw.frame["Ticket"].to_list() == ["T1", "T2"]
    assert raw.info.skipped_lines == ()
