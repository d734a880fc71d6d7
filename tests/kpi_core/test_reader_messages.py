"""Messages of unreadable files name what is wrong in the user's words,
not in the words of the parsing library."""

from __future__ import annotations

import fastexcel
import pytest

from kpi_core.errors import UnreadableFileError
from kpi_core.reading import read_table
from kpi_core.workbook import damaged_workbook_error


def test_lone_carriage_return_named():
    # Line 3 ends with a carriage return alone, and line 4 with a quote
    # that makes the file take the slow, exact way.
    data = (
        b'Deal ID,Stage,Amount\nD1,Won,100\nD2,Lost,200\rD3,Won,"300"\nD4,Won,"4,00"\n'
    )
    with pytest.raises(UnreadableFileError) as raised:
        read_table("deals.csv", data)
    message = str(raised.value)
    assert "carriage return (CR) without a line feed" in message
    assert "universal-newline" not in message


def test_workbook_reader_words_left_out():
    # The workbook reader's own error on bytes that are no workbook.
    with pytest.raises(fastexcel.CalamineError) as raised:
        fastexcel.read_excel(b"PK\x03\x04 no workbook")
    message = str(damaged_workbook_error("report.xlsx", raised.value))
    assert "could not be read; it may be damaged, cut off or no XLSX file" in message
    assert "Cannot detect file format" not in message
