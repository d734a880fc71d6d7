"""A quote that opens a cell and never closes would read every later line
into that cell, so the rows after it would be lost without a word."""

from __future__ import annotations

import pytest

from kpi_core.errors import UnreadableFileError
from kpi_core.importing import load_file
from kpi_core.reading import read_table

HEADER = "Deal ID,Owner,Stage,Created,Closed,Amount,Campaign"


def _deals(count: int = 20) -> list[str]:
    return [
        f"D{n},Alice,Won,2024-01-{n % 28 + 1:02d},2024-02-01,{100 + n},Spring"
        for n in range(count)
    ]


def _file(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def test_quote_open_to_end_rejected():
    rows = _deals()
    rows[9] = rows[9].replace(",Alice,", ',"Alice,')
    with pytest.raises(UnreadableFileError) as raised:
        read_table("deals.csv", _file(rows))
    # Row 10 of the data is line 11, with the header on line 1.
    assert raised.value.line == 11
    assert "never closed" in str(raised.value)
    assert "“Alice,Won,2024-01-10" in str(raised.value)


def test_quote_in_last_column_rejected():
    rows = _deals()
    rows[9] = rows[9].replace(",Spring", ',"Spring')
    with pytest.raises(UnreadableFileError) as raised:
        read_table("deals.csv", _file(rows))
    assert raised.value.line == 11


def test_quote_closed_by_later_cell_rejected():
    # A quoted cell further down closes the stray quote, so the lines in
    # between would become one cell and the file would read on.
    rows = _deals(40)
    rows[9] = rows[9].replace(",Alice,", ',"Alice,')
    rows[30] = rows[30].replace(",Spring", ',"Spring, big"')
    with pytest.raises(UnreadableFileError) as raised:
        read_table("deals.csv", _file(rows))
    assert raised.value.line == 11
    # Lines 12 to 32 are taken in: line 32 contains row 30, whose last cell's
    # opening quote closes the stray one.
    assert "takes in 21 lines shaped like rows" in str(raised.value)


def test_real_multiline_cells_read():
    text = (
        "Id,Name,Note,Amount\n"
        '1,A,"Call back,\nthen send the offer, today",5\n'
        "2,B,plain,6\n"
        '3,C,"first\nsecond",7\n'
    )
    frame = read_table("notes.csv", text.encode()).frame
    assert frame["Id"].to_list() == ["1", "2", "3"]
    assert frame["Note"][0] == "Call back,\nthen send the offer, today"


def test_open_quote_on_last_line_read():
    rows = _deals(5)
    rows[4] = rows[4].replace(",Spring", ',"Spring')
    frame = read_table("deals.csv", _file(rows)).frame
    assert frame.height == 5


def test_closed_note_shaped_like_rows_read():
    # A closed note whose lines hold as many commas as a row: its quotes
    # pair up, so it is one cell.
    text = (
        "Deal ID,Stage,Created,Closed,Amount,Note\n"
        'D1,Won,2025-01-02,2025-02-01,100,"Quote sent:\n'
        "CRM licence, 10 seats, 1200 EUR, yearly, paid, Q1\n"
        'Support, 10 seats, 300 EUR, yearly, paid, Q1"\n'
        "D2,Lost,2025-01-03,2025-02-02,200,\n"
        "D3,Won,2025-01-04,2025-02-03,300,\n"
    )
    frame = read_table("deals.csv", text.encode()).frame
    assert frame["Deal ID"].to_list() == ["D1", "D2", "D3"]
    assert frame["Note"][0].count("\n") == 2


def test_two_stray_quotes_warned():
    # Two stray quotes pair up with each other, so the rows between them
    # become one cell. The file reads, and a warning names that cell.
    rows = _deals(20)
    rows[2] = rows[2].replace(",Spring", ',"Spring sale')
    rows[7] = rows[7].replace(",Spring", ',"Summer sale')
    table = load_file("deals.csv", _file(rows))
    # Rows 4 to 8 of the data are in row 3's cell: 15 of 20 read.
    assert table.rows_used == 15
    [warning] = [w for w in table.read_warnings if "shaped like rows" in w]
    # Row 3 of the data is line 4.
    assert warning.startswith("line 4: the cell that starts “Spring sale” takes in")
    assert "those rows are missing from the table" in warning


def test_pasted_log_read_with_warning():
    # A closed cell with a pasted log whose lines start with numbers, as
    # the ticket ids do: every ticket is read, and the warning names it.
    text = (
        "Id,Subject,Status,Created at,Solved at,Description\n"
        '101,Checkout fails,solved,2025-03-03 09:00,2025-03-03 10:00,"Log:\n'
        "500,POST,/checkout,timeout,retry,1200ms\n"
        '502,POST,/checkout,bad gateway,retry,900ms"\n'
        "102,Login,solved,2025-03-04 09:00,2025-03-04 10:00,\n"
    )
    table = load_file("tickets.csv", text.encode())
    assert table.rows_used == 2
    assert any("line 2: the cell that starts “Log:”" in w for w in table.read_warnings)


def test_inch_mark_inside_value_not_counted():
    # The pasted log's quotes pair up. The inch mark inside the unquoted
    # subject of another ticket opens no cell, so the file is not rejected.
    text = (
        "Id,Subject,Status,Created at,Solved at,Description\n"
        '101,Checkout fails,solved,2025-03-03 09:00,2025-03-03 10:00,"Log:\n'
        "500,POST,/checkout,timeout,retry,1200ms\n"
        '502,POST,/checkout,bad gateway,retry,900ms"\n'
        '102,12" display flickers,solved,2025-03-04 09:00,2025-03-04 10:00,\n'
    )
    table = load_file("tickets.csv", text.encode())
    assert table.rows_used == 2
    assert any("line 2: the cell that starts “Log:”" in w for w in table.read_warnings)


def test_inch_mark_does_not_hide_stray_quote():
    # One stray quote and one inch mark: the stray quote is still the only
    # quote at the edge of a cell, so the file is rejected.
    rows = _deals(40)
    rows[9] = rows[9].replace(",Alice,", ',"Alice,')
    rows[30] = rows[30].replace(",Spring", ',"Spring, big"')
    rows[35] = rows[35].replace("Spring", 'Spring 12" banner')
    with pytest.raises(UnreadableFileError) as raised:
        read_table("deals.csv", _file(rows))
    assert raised.value.line == 11


def test_unclosed_quote_in_large_file_named():
    # The rest of a long file in one cell passes the CSV reader's limit of
    # 131,072 characters, which the message explains in the user's words.
    rows = _deals(6000)
    rows[9] = rows[9].replace(",Alice,", ',"Alice,')
    with pytest.raises(UnreadableFileError) as raised:
        read_table("deals.csv", _file(rows))
    assert raised.value.line == 11
    assert "field limit" not in str(raised.value)
    assert "never closes" in str(raised.value)
