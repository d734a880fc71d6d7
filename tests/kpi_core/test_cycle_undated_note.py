"""The sales-cycle card names the won deals without a usable close date,
counted over the whole table, because no period can place them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kpi_core.exclusion_warnings import exclusion_warnings
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.period import Period
from kpi_core.sales import sales_cycle_days

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))
LABELS = {"sales_cycle_days": "Sales cycle length"}

# 12 won deals, 1 lost and 1 open. Won deals 1 to 6 close in 2025 after 10,
# 20, 30, 10, 20 and 30 days, deal 7 in 2024 after 19 days, and deal 8
# closes 9 days before it was created. Deals 9 to 11 have unreadable close
# dates and deal 12 an empty one: 4 won deals without a usable close date.
DEALS = """\
Deal ID,Stage,Created,Closed
1,Closed won,2025-01-02,2025-01-12
2,Closed won,2025-01-03,2025-01-23
3,Closed won,2025-01-04,2025-02-03
4,Closed won,2025-01-05,2025-01-15
5,Closed won,2025-01-06,2025-01-26
6,Closed won,2025-01-07,2025-02-06
7,Closed won,2024-12-01,2024-12-20
8,Closed won,2025-03-10,2025-03-01
9,Closed won,2025-01-05,31.02.2025
10,Closed won,2025-01-06,soon
11,Closed won,2025-01-07,2025-02-30
12,Closed won,2025-01-08,
13,Closed lost,2025-01-09,2025-02-09
14,Open,2025-01-10,
"""

NOTE = (
    "4 of the 12 won deals in the table have no usable close date (empty or "
    "unreadable), so they are left out of every period. Check the column "
    "mapped to closed_at on the Data page."
)


def _load(tmp_path: Path, text: str):
    path = tmp_path / "deals.csv"
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes())


def test_unreadable_close_dates_kept(tmp_path):
    prepared = _load(tmp_path, DEALS)
    assert prepared.rows_used == 14
    # Deals 9, 10 and 11: three unreadable cells read as empty.
    assert sum(p.count for p in prepared.problems if p.column == "Closed") == 3
    assert all(p.row_kept for p in prepared.problems)
    assert prepared.frame["closed_at"][8:12].to_list() == [None] * 4


def test_cycle_note_counts_whole_table(tmp_path):
    deals = _load(tmp_path, DEALS).frame
    kpis = compute_kpis({"deals": deals}, KpiSettings(period=YEAR))
    cycle = kpis["sales_cycle_days"]
    # 2025: deals 1 to 6, (10 + 20 + 30 + 10 + 20 + 30) / 6 = 120 / 6 = 20.
    assert cycle.n == 6
    assert cycle.value == pytest.approx(20.0)
    assert cycle.excluded["won deal without a close date"] == 4
    assert cycle.excluded["won deal closed before it was created"] == 1
    assert cycle.note == NOTE
    assert cycle.to_json()["note"] == NOTE
    # The period share still counts only the deals the period places: deal
    # 8 of 6 + 1 = 7 won deals closed in 2025, 1 / 7 = 14 %.
    assert exclusion_warnings(kpis, LABELS) == [
        "Sales cycle length leaves out 1 of 7 won deals (14 %): won deal closed "
        "before it was created. Check the columns mapped to closed_at and "
        "created_at on the Data page."
    ]


def test_cycle_note_same_for_all_data(tmp_path):
    deals = _load(tmp_path, DEALS).frame
    cycle = sales_cycle_days(deals)
    # All data adds deal 7: (120 + 19) / 7 = 139 / 7 = 19.857 days.
    assert cycle.n == 7
    assert cycle.value == pytest.approx(139 / 7)
    assert cycle.note == NOTE


def test_cycle_note_closed_variant(tmp_path):
    deals = _load(tmp_path, DEALS).frame
    cycle = sales_cycle_days(deals, YEAR, variant="closed")
    # Won and lost: 12 won + 1 lost = 13, of which deals 9 to 12 are undated.
    assert cycle.note == (
        "4 of the 13 won or lost deals in the table have no usable close date "
        "(empty or unreadable), so they are left out of every period. Check "
        "the column mapped to closed_at on the Data page."
    )


def test_cycle_note_one_undated_deal(tmp_path):
    # Only deal 12 lacks a close date once deals 9 to 11 are removed: 1 of 9.
    lines = [
        line
        for line in DEALS.splitlines(keepends=True)
        if not line.startswith(("9,", "10,", "11,"))
    ]
    cycle = sales_cycle_days(_load(tmp_path, "".join(lines)).frame, YEAR)
    assert cycle.note == (
        "1 of the 9 won deals in the table has no usable close date (empty or "
        "unreadable), so it is left out of every period. Check the column "
        "mapped to closed_at on the Data page."
    )


def test_cycle_without_undated_has_no_note(tmp_path):
    # Deals 1 to 8 and 13 all have a close date.
    lines = [
        line
        for line in DEALS.splitlines(keepends=True)
        if not line.startswith(("9,", "10,", "11,", "12,", "14,"))
    ]
    cycle = sales_cycle_days(_load(tmp_path, "".join(lines)).frame, YEAR)
    assert cycle.available
    assert cycle.note == ""
