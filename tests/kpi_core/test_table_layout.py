"""Short rows below an empty worksheet row or a blank text line.

A footnote is skipped as a footer. A short data row stays, such as a
response with only its score or a deal with only its id."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from kpi_core.errors import UnreadableFileError
from kpi_core.importing import load_file
from kpi_core.nps import net_promoter_score

NPS_HEADER = ["Date", "NPS score", "Comment", "Customer"]
# Rows 2-11: odd days score 9 (5 promoters), even days score 3 (5 detractors).
NPS_ROWS = [
    [f"2025-05-{day:02d}", 9 if day % 2 else 3, "ok" if day == 1 else None, f"C{day}"]
    for day in range(1, 11)
]
# Six more responses of only a score of 10, after the empty row or blank line.
SCORE_ONLY = [[None, 10, None, None]] * 6
# Promoters 5 + 6 = 11, detractors 5, of 16 responses: (11 - 5) / 16 = 37.5 %.
NPS_ALL = 37.5

DEALS_HEADER = ["Deal ID", "Deal Stage", "Create Date", "Amount"]
# Rows 2-9: eight deals.
DEALS = [[f"D{n}", "Closed Won", f"2025-01-{n:02d}", 100 * n] for n in range(1, 9)]


def _write_sheet(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _csv(rows: list[list[object]]) -> bytes:
    lines = [
        ",".join("" if cell is None else str(cell) for cell in row) for row in rows
    ]
    return ("\n".join(lines) + "\n").encode()


def test_score_only_rows_after_empty_row(tmp_path: Path):
    path = _write_sheet(tmp_path / "nps.xlsx", [NPS_HEADER, *NPS_ROWS, [], *SCORE_ONLY])
    responses = load_file(path.name, path.read_bytes(), table="nps")
    assert responses.frame.height == 16
    result = net_promoter_score(responses.frame)
    assert result.n == 16
    assert result.value == pytest.approx(NPS_ALL)


def test_score_only_lines_after_blank_line():
    data = _csv([NPS_HEADER, *NPS_ROWS, [], *SCORE_ONLY])
    responses = load_file("nps.csv", data, table="nps")
    assert responses.frame.height == 16
    result = net_promoter_score(responses.frame)
    assert result.n == 16
    assert result.value == pytest.approx(NPS_ALL)


def test_deal_id_after_empty_row_kept(tmp_path: Path):
    path = _write_sheet(tmp_path / "deals.xlsx", [DEALS_HEADER, *DEALS, [], ["D10"]])
    deals = load_file(path.name, path.read_bytes(), table="deals")
    assert deals.rows_read == 9
    assert not any("footer" in note for note in deals.read_notes)


def test_formula_deal_after_empty_row_rejected(tmp_path: Path):
    # openpyxl saves "=D9*2" without its result. The row is a deal with an
    # id and a formula amount, so the amount is needed.
    rows = [DEALS_HEADER, *DEALS, [], ["D10", None, None, "=D9*2"]]
    path = _write_sheet(tmp_path / "deals.xlsx", rows)
    with pytest.raises(UnreadableFileError) as caught:
        load_file(path.name, path.read_bytes(), table="deals")
    message = str(caught.value)
    assert caught.value.line == 11
    assert "the formula in cell D11 has no saved result" in message
    assert "open the workbook in Excel or LibreOffice, save it" in message


def test_formula_footnote_after_empty_row_skipped(tmp_path: Path):
    # A guard: "Stand" with an unsaved =TODAY() is a footnote.
    rows = [DEALS_HEADER, *DEALS, [], ["Stand", "=TODAY()"]]
    path = _write_sheet(tmp_path / "deals.xlsx", rows)
    deals = load_file(path.name, path.read_bytes(), table="deals")
    assert deals.rows_read == 8
    assert "skipped the footer row on row 11" in deals.read_notes


@pytest.mark.parametrize(
    "footnote", ["Quelle: eigene Auswertung", "Stand 01.05.2025", "Source: CRM"]
)
def test_footnote_after_blank_line_skipped(footnote: str):
    # A guard: a text footnote after a blank line is still a footer.
    data = _csv([DEALS_HEADER, *DEALS, [], [footnote]])
    deals = load_file("deals.csv", data, table="deals")
    assert deals.rows_read == 8
    assert "skipped the footer row on line 11" in deals.read_notes


def test_stamp_below_note_skipped():
    # "Stand" and the export's date on the next line are one footnote, so
    # the date counts for no deal and no date order.
    data = _csv([DEALS_HEADER, *DEALS, [], ["Stand"], ["30/04/2025"]])
    deals = load_file("deals.csv", data, table="deals")
    assert deals.rows_read == 8
    assert "skipped 2 footer rows on lines 11-12" in deals.read_notes


def test_note_after_score_rows_skipped():
    # The six score-only responses are data, and the source note after them
    # is the footer: 16 responses and NPS 37.5 as without the note.
    data = _csv([NPS_HEADER, *NPS_ROWS, [], *SCORE_ONLY, ["Quelle: Umfrage"]])
    responses = load_file("nps.csv", data, table="nps")
    assert responses.frame.height == 16
    assert "skipped the footer row on line 19" in responses.read_notes
    assert net_promoter_score(responses.frame).value == pytest.approx(NPS_ALL)


@pytest.mark.parametrize("footnote", ["Stand:01.05.2025", "Export-ID:4711"])
def test_labelled_token_after_blank_line_skipped(footnote: str):
    data = _csv([DEALS_HEADER, *DEALS, [], [footnote]])
    deals = load_file("deals.csv", data, table="deals")
    assert deals.rows_read == 8
    assert "skipped the footer row on line 11" in deals.read_notes
