"""Cleaning mapped text cells before parsing, and headers that look like
column patterns."""

from __future__ import annotations

from datetime import date

import polars as pl

from kpi_core.cell_text import clean_text
from kpi_core.importing import preview_file
from kpi_core.prepare import prepare_table


def test_clean_text_markers_become_null():
    cells = pl.Series("Owner", ["Ann", "n/a", " NULL ", "", "-", "Bob", None, "N/A x"])
    cleaned = clean_text(cells, stripped=False)
    assert cleaned.to_list() == ["Ann", None, None, None, None, "Bob", None, "N/A x"]


def test_clean_text_keeps_long_cells():
    cells = pl.Series("Owner", ["Alice", "Bobby", None])
    assert clean_text(cells, stripped=True).to_list() == ["Alice", "Bobby", None]


def test_clean_text_finds_marker_after_long_cells():
    # The first 1,000 cells are longer than any marker, the last is one.
    cells = pl.Series("Owner", ["Alice"] * 1_000 + ["#N/A"])
    cleaned = clean_text(cells, stripped=True)
    assert cleaned.null_count() == 1
    assert cleaned[-1] is None


def test_clean_text_all_empty_column():
    cells = pl.Series("Owner", [None, None], dtype=pl.String)
    assert clean_text(cells, stripped=True).to_list() == [None, None]


def test_headers_like_column_patterns():
    data = (
        b"Record ID,^a$,*,Create Date,Close Date,Deal Stage\n"
        b"1,Ann,10,2024-01-05,2024-02-01,Closed won\n"
        b"2,n/a,abc,2024-01-06,,open\n"
        b"3,Bob,30,2024-01-07,,open\n"
    )
    preview = preview_file("deals.csv", data)
    mapping = preview.mapping.with_choice("owner", "^a$").with_choice("amount", "*")
    prepared = prepare_table(preview.raw, mapping)
    frame = prepared.frame
    # "abc" is read as empty, so its row stays.
    assert frame["owner"].to_list() == ["Ann", None, "Bob"]
    assert frame["amount"].to_list() == [10.0, None, 30.0]
    assert frame["closed_at"].to_list() == [date(2024, 2, 1), None, None]
    assert len(prepared.problems) == 1
    assert prepared.problems[0].column == "*"
    assert prepared.problems[0].lines == (3,)
    assert prepared.problems[0].examples == ("abc",)
