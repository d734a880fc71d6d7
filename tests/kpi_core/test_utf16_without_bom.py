"""Some tools save CSV as UTF-16 without a byte order mark. Its Latin
letters are ASCII bytes with a NUL byte beside each."""

from __future__ import annotations

import pytest

from kpi_core.errors import UnreadableFileError
from kpi_core.importing import load_file
from kpi_core.sales import win_rate

TEXT = (
    "Deal ID,Stage,Created,Closed,Amount\n"
    "D1,Won,2025-01-02,2025-02-01,100\n"
    "D2,Lost,2025-01-03,2025-02-02,200\n"
    "D3,Won,2025-01-04,2025-02-03,300\n"
)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_read(codec):
    prepared = load_file("deals.csv", TEXT.encode(codec))
    assert prepared.frame["deal_id"].to_list() == ["D1", "D2", "D3"]
    # 2 of the 3 decided deals are won.
    assert win_rate(prepared.frame).value == pytest.approx(2 / 3 * 100)
    assert any("no byte order mark" in note for note in prepared.read_notes)


def test_binary_with_nuls_still_rejected():
    data = bytes(range(256)) * 40
    with pytest.raises(UnreadableFileError):
        load_file("deals.csv", data)


def test_utf16_with_wide_characters_read():
    # U+3000 (an ideographic space) and U+0100 have a zero in both bytes'
    # places of a Latin letter.
    text = TEXT.replace("D2,Lost", "D2\u3000\u0100,Lost")
    prepared = load_file("deals.csv", text.encode("utf-16-le"))
    assert prepared.frame["deal_id"].to_list() == ["D1", "D2\u3000\u0100", "D3"]
