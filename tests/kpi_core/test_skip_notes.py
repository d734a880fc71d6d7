"""Reader notes that name the skipped lines, and the NPS reason for a
period when the responses have no dates."""

from datetime import date
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from kpi_core.importing import load_file
from kpi_core.nps import net_promoter_score
from kpi_core.period import Period
from kpi_core.reading import read_table

JANUARY = Period(date(2025, 1, 1), date(2025, 1, 31))


def _notes(path: Path) -> tuple[str, ...]:
    return read_table(path.name, path.read_bytes()).info.notes


def test_one_total_row_named_by_line(tmp_path):
    path = tmp_path / "totals.csv"
    path.write_text(
        "Deal ID,Deal Stage,Create Date,Amount\n"
        "T1,Closed Won,2025-03-01,1000\n"
        "T2,Closed Lost,2025-03-02,400\n"
        "Total,,,1400\n",
        encoding="utf-8",
    )
    notes = _notes(path)
    assert "skipped the total row on line 4" in notes
    assert not any("rows skipped" in note for note in notes)


def test_several_empty_lines_counted_and_named(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text(
        "Deal ID,Deal Stage,Create Date\n"
        "T1,Closed Won,2025-03-01\n"
        ",,\n"
        "T2,Closed Lost,2025-03-02\n"
        ",,\n"
        ",,\n"
        "T3,Closed Won,2025-03-03\n",
        encoding="utf-8",
    )
    # Lines 3, 5 and 6 hold only delimiters: 3 empty rows.
    assert "skipped 3 empty rows on lines 3, 5-6" in _notes(path)


def test_one_title_line_named(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text(
        "Campaign report\n"
        "Campaign,Day,Cost\n"
        "Brand,2025-01-01,10\n"
        "Generic,2025-01-02,20\n",
        encoding="utf-8",
    )
    assert "skipped the title row above the header on line 1" in _notes(path)


def test_workbook_notes_say_row(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Deals"
    sheet.append(["Deal ID", "Stage", "Amount"])
    sheet.append(["D1", "Won", 100])
    sheet.append(["D2", "Lost", 50])
    sheet.append(["Total", None, 150])
    sheet.append(["Grand total", None, 150])
    path = tmp_path / "deals.xlsx"
    book.save(path)
    assert "skipped 2 total rows on rows 4-5" in _notes(path)


def _responses(tmp_path: Path, text: str) -> pl.DataFrame:
    path = tmp_path / "nps.csv"
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table="nps").frame


def test_nps_without_date_column_says_so(tmp_path):
    responses = _responses(tmp_path, "response_id,score\nR1,9\nR2,3\nR3,10\n")
    result = net_promoter_score(responses, JANUARY)
    assert result.status == "not_available"
    assert result.reason == (
        "the responses have no dates; map a date column to responded_at to use "
        "periods, or use all data (All data on the pages, no --from or --to on "
        "the command line)"
    )
    assert result.excluded == {"response without a date": 3}


def test_nps_empty_dates_say_so(tmp_path):
    responses = _responses(
        tmp_path, "response_id,score,responded_at\nR1,9,\nR2,3,\nR3,,\n"
    )
    result = net_promoter_score(responses, JANUARY)
    assert result.reason.startswith("the responses have no dates;")
    # R3 has no score, so it is no response: 2 responses without a date.
    assert result.excluded == {"response without a date": 2}


def test_nps_dates_outside_period_keep_reason(tmp_path):
    responses = _responses(
        tmp_path,
        "response_id,score,responded_at\nR1,9,2025-03-01\nR2,3,\nR3,10,2025-03-02\n",
    )
    result = net_promoter_score(responses, JANUARY)
    assert result.reason == "no NPS responses in this period"
    assert result.excluded == {"response without a date": 1}


def test_nps_undated_all_data_counts(tmp_path):
    responses = _responses(tmp_path, "response_id,score\nR1,9\nR2,3\nR3,10\n")
    result = net_promoter_score(responses)
    # 2 promoters (9, 10) and 1 detractor (3): (2 - 1) / 3 x 100 = 33.3.
    assert result.status == "ok"
    assert round(result.value, 1) == 33.3
