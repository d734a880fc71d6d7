"""The purchases CLV notes a measured lifespan that one-day buyers shorten."""

from __future__ import annotations

import json

import pytest

from kpi_core.__main__ import main
from kpi_core.clv import clv
from kpi_core.importing import load_file

HEADER = "Order ID,Customer ID,Order date,Amount"
# r1 and r2 buy twice, 100 days apart (2023-01-10 to 2023-04-20 is
# 21 + 28 + 31 + 20 days, 2023-02-01 to 2023-05-12 is 28 + 31 + 30 + 11).
REPEAT_BUYERS = [
    "1,r1,2023-01-10,50",
    "2,r1,2023-04-20,50",
    "3,r2,2023-02-01,50",
    "4,r2,2023-05-12,50",
]
ONE_DAY_BUYERS = [
    "5,o1,2023-03-01,50",
    "6,o2,2023-03-15,50",
    "7,o3,2023-04-01,50",
    "8,o4,2023-05-01,50",
    "9,o5,2023-06-01,50",
    "10,o6,2023-06-15,50",
]
# The latest order is on 2025-06-30, so a customer lapsed when their last
# order is before 2024-06-30 (more than 365 days earlier). a1 and a2 are
# still active. Every 2023 customer lapsed.
ACTIVE_BUYERS = [
    "11,a1,2025-03-01,80",
    "12,a2,2025-06-30,80",
]
# The whole 12-month spans that end on 2025-06-30 start on 2023-07-01 and
# 2024-07-01. Only a1 and a2 buy in them, so the frequency is 2 purchases /
# 2 customer-years = 1.0 a year. The average purchase value is
# (10 x 50 + 2 x 80) / 12 = 660 / 12 = 55.
PURCHASE_VALUE = 55.0
FREQUENCY = 1.0
# 8 lapsed customers: (100 + 100 + 6 x 0) / 8 = 25 days.
ONE_DAY_NOTE = (
    "6 of the 8 lapsed customers bought on a single day only, so each of "
    "them counts with a lifespan of 0 days, and the measured lifespan is a "
    "mean of 25.0 days (0.07 years). For a CLV that counts repeat purchases, "
    'enter a lifespan in years: in the app under "Customer lifespan for CLV" '
    "in the Marketing page's sidebar, or on the command line with "
    "--lifespan-years."
)


def _write(tmp_path, rows: list[str]):
    path = tmp_path / "orders.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _orders(tmp_path, rows: list[str]):
    path = _write(tmp_path, rows)
    return load_file(path.name, path.read_bytes(), table="orders").frame


def test_mostly_one_day_buyers_noted(tmp_path):
    rows = REPEAT_BUYERS + ONE_DAY_BUYERS + ACTIVE_BUYERS
    result = clv(_orders(tmp_path, rows))
    lifespan = 25 / 365.25
    assert result.available
    assert result.extra["lifespan_years"] == pytest.approx(lifespan)
    assert (
        result.extra["lifespan_source"]
        == "from first to last purchase of 8 lapsed customers"
    )
    # 55 x 1.0 x 0.0684 = 3.76 EUR.
    assert result.value == pytest.approx(PURCHASE_VALUE * FREQUENCY * lifespan)
    assert result.note == ONE_DAY_NOTE


def test_one_day_note_in_cli_report(tmp_path, capsys):
    path = _write(tmp_path, REPEAT_BUYERS + ONE_DAY_BUYERS + ACTIVE_BUYERS)
    assert main(["report", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    clv_report = report["kpis"]["clv"]
    # 1,375 / 365.25 = 3.764544..., rounded to 4 decimals in the report.
    assert clv_report["value"] == pytest.approx(3.7645)
    assert clv_report["note"] == ONE_DAY_NOTE


def test_mostly_repeat_buyers_no_note(tmp_path):
    # Guard: r1, r2 and r3 repeat-bought, o1 alone bought on one day, so
    # 1 of 4 lapsed customers is not more than half.
    r3 = ["13,r3,2023-01-02,50", "14,r3,2023-04-12,50"]
    rows = REPEAT_BUYERS + r3 + ONE_DAY_BUYERS[:1] + ACTIVE_BUYERS
    result = clv(_orders(tmp_path, rows))
    # (100 + 100 + 100 + 0) / 4 = 75 days.
    assert result.extra["lifespan_years"] == pytest.approx(75 / 365.25)
    assert result.note == ""


def test_half_one_day_buyers_no_note(tmp_path):
    # Guard: 2 of 4 lapsed customers bought on one day, exactly half, and
    # the note needs more than half.
    rows = REPEAT_BUYERS + ONE_DAY_BUYERS[:2] + ACTIVE_BUYERS
    result = clv(_orders(tmp_path, rows))
    # (100 + 100 + 0 + 0) / 4 = 50 days.
    assert result.extra["lifespan_years"] == pytest.approx(50 / 365.25)
    assert result.note == ""


def test_entered_lifespan_no_one_day_note(tmp_path):
    # Guard: an entered lifespan does not rest on the lapsed customers.
    rows = REPEAT_BUYERS + ONE_DAY_BUYERS + ACTIVE_BUYERS
    result = clv(_orders(tmp_path, rows), lifespan_years=3)
    assert result.value == pytest.approx(PURCHASE_VALUE * FREQUENCY * 3)
    assert result.note == ""
