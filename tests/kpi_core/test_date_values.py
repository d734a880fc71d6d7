"""Converting repeated values once, and year-first columns with empty cells."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from kpi_core.date_values import (
    convert_distinct,
    convert_unique,
    detect_and_parse_dates,
    parse_dates,
)


def lengths(unique: pl.Series) -> tuple[str, pl.Series]:
    return "lengths", unique.str.len_chars().fill_null(-1)


def test_convert_unique_maps_repeated_values():
    values = ["ab", "c", None, "ab", "def", "c"] * 2000
    label, converted = convert_unique(pl.Series("cell", values), lengths)
    assert label == "lengths"
    assert converted.name == "cell"
    assert converted.head(6).to_list() == [2, 1, -1, 2, 3, 1]
    assert converted.to_list() == [2, 1, -1, 2, 3, 1] * 2000


def test_convert_unique_passes_distinct_values_in_order():
    seen: list[list[str | None]] = []

    def record(unique: pl.Series) -> tuple[str, pl.Series]:
        seen.append(unique.to_list())
        return "", unique

    convert_unique(pl.Series(["b", "a", None, "b", "a"] * 3000), record)
    assert seen == [["b", "a", None]]


def test_convert_distinct_with_colliding_hashes():
    # Every value gets the same hash, as if all of them collided.
    text = pl.Series("cell", ["x", "yy", None, "x", "zzz", "yy"])
    hashes = pl.Series([7] * 6, dtype=pl.UInt64)
    label, converted = convert_distinct(text, hashes, lengths)
    assert label == "lengths"
    assert converted.name == "cell"
    assert converted.to_list() == [1, 2, -1, 1, 3, 2]


def test_convert_distinct_with_two_colliding_values():
    text = pl.Series(["a", "b", "c", "b", "a"])
    hashes = pl.Series([1, 2, 1, 2, 1], dtype=pl.UInt64)
    _, converted = convert_distinct(text, hashes, lambda u: ("", u.str.to_uppercase()))
    assert converted.to_list() == ["A", "B", "C", "B", "A"]


def test_year_first_with_empty_cells():
    values = pl.Series("Closed", ["2024-03-01 14:05", None, "2024-03-02 09:30", None])
    found, parsed = detect_and_parse_dates(values, stripped=True)
    assert found.order == "iso"
    assert found.has_time
    assert parsed.name == "Closed"
    assert parsed.to_list() == [
        datetime(2024, 3, 1, 14, 5),
        None,
        datetime(2024, 3, 2, 9, 30),
        None,
    ]


def test_year_first_with_empty_cells_rejects_padded_fields():
    # Polars 2.1 parses "2024- 3- 1 14:05" and "+2024-03-01 14:05" with
    # "%Y-%m-%d %H:%M", but neither is a year-first date. The values are
    # distinct, so the column is parsed as a whole. Its ranking sample takes
    # every second value and misses both.
    values = [f"2024-03-01 {m // 60:02d}:{m % 60:02d}" for m in range(600)]
    values += [None] * 10
    values[1] = "2024- 3- 1 14:05"
    values[3] = "+2024-03-01 14:05"
    parsed = parse_dates(pl.Series(values), "iso", stripped=True)
    assert parsed[2] == datetime(2024, 3, 1, 0, 2)
    assert parsed[1] is None
    assert parsed[3] is None
    assert parsed.null_count() == 12


def test_year_first_with_empty_cells_and_other_formats():
    values = pl.Series(
        ["2024-03-01 14:05", None, "2024-03-02T09:30:15Z", "2024-03-03"] * 40
    )
    parsed = parse_dates(values, "iso", stripped=True)
    assert parsed.head(4).to_list() == [
        datetime(2024, 3, 1, 14, 5),
        None,
        datetime(2024, 3, 2, 9, 30, 15),
        datetime(2024, 3, 3),
    ]
    assert parsed.null_count() == 40
