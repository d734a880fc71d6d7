"""HubSpot's "Date entered" columns contain the latest entry into each stage, so
a deal that re-entered a stage needs its "Date exited" and "Cumulative time
in" columns to give the right time in each stage."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime

import polars as pl

from kpi_core.importing import load_file_tables
from kpi_core.period import Period
from kpi_core.stages import (
    history_from_wide,
    stage_duration_days,
    stage_durations,
    stage_summary,
)
from tests.conftest import PROJECT

AS = "Appointment Scheduled"
QTB = "Qualified To Buy"
CS = "Contract Sent"
# The reason under which stage_duration_days counts the times it leaves out.
REENTERED_WITHOUT_TOTAL = "deal re-entered a stage, no cumulative time"


def _columns(stage: str, exited: bool, cumulative: bool) -> list[str]:
    label = f'""{stage} (Sales Pipeline)""'
    columns = [f'"Date entered {label}"']
    if exited:
        columns.append(f'"Date exited {label}"')
    if cumulative:
        columns.append(f'"Cumulative time in {label}"')
    return columns


def _hubspot_export(rows: list[str], exited: bool, cumulative: bool) -> str:
    """Write a HubSpot deals export with the stage columns of AS, QTB and
    CS and the "Date entered" column of Closed Won.

    Each row gives the cells of AS, QTB and CS as entered, exited and
    cumulative, then the entry into Closed Won. The cells of the columns
    that ``exited`` or ``cumulative`` leave out are dropped."""
    header = ["Record ID", "Deal Stage", "Create Date", "Amount"]
    for stage in (AS, QTB, CS):
        header += _columns(stage, exited, cumulative)
    header += _columns("Closed Won", False, False)
    lines = [",".join(header)]
    keep = [True, exited, cumulative]
    for row in rows:
        cells = row.split(",")
        fixed, stages, won = cells[:4], cells[4:13], cells[13:]
        stage_cells = [cell for index, cell in enumerate(stages) if keep[index % 3]]
        lines.append(",".join(fixed + stage_cells + won))
    return "\n".join(lines) + "\n"


# Deal 201 went AS 1 Jan, QTB 5 Jan, CS 10 Jan, back to QTB 15 Jan, CS 20 Jan
# and won 30 Jan. Its "Date entered" cells hold the latest entries (QTB 15
# Jan, CS 20 Jan). Its cumulative times are AS 4 days (345,600,000 ms), QTB
# 5 + 5 = 10 days (864,000,000 ms) and CS 5 + 10 = 15 days (1,296,000,000
# ms). Deal 202 went straight through: AS 4, QTB 5 and CS 10 days.
REVISIT_ROWS = [
    "201,Closed Won,2024-01-01 09:00,1000,"
    "2024-01-01 09:00,2024-01-05 09:00,345600000,"
    "2024-01-15 09:00,2024-01-20 09:00,864000000,"
    "2024-01-20 09:00,2024-01-30 09:00,1296000000,"
    "2024-01-30 09:00",
    "202,Closed Won,2024-02-01 09:00,2000,"
    "2024-02-01 09:00,2024-02-05 09:00,345600000,"
    "2024-02-05 09:00,2024-02-10 09:00,432000000,"
    "2024-02-10 09:00,2024-02-20 09:00,864000000,"
    "2024-02-20 09:00",
]


def _history(tmp_path, text: str) -> pl.DataFrame:
    path = tmp_path / "hubspot_deals.csv"
    path.write_text(text, encoding="utf-8")
    tables = load_file_tables(path.name, path.read_bytes())
    [history] = [table for table in tables if table.table == "stage_history"]
    return history.frame


def test_cumulative_time_for_reentered_deal(tmp_path):
    history = _history(tmp_path, _hubspot_export(REVISIT_ROWS, True, True))
    result = stage_duration_days(history)
    # AS (4 + 4) / 2 = 4, QTB (10 + 5) / 2 = 7.5, CS (15 + 10) / 2 = 12.5.
    assert result.value == {AS: 4.0, QTB: 7.5, CS: 12.5}
    assert result.n == 6
    assert result.excluded == {}
    assert result.warnings == ()
    assert result.extra["bottleneck"] == CS
    assert "3 times of deals that re-entered a stage" in result.formula


def test_reentered_deal_in_period(tmp_path):
    history = _history(tmp_path, _hubspot_export(REVISIT_ROWS, True, True))
    january = Period(date(2024, 1, 1), date(2024, 1, 31))
    result = stage_duration_days(history, january)
    # Only deal 201 entered its stages in January: 4, 10 and 15 days.
    assert result.value == {AS: 4.0, QTB: 10.0, CS: 15.0}


def test_reentered_deal_without_cumulative(tmp_path):
    history = _history(tmp_path, _hubspot_export(REVISIT_ROWS, True, False))
    result = stage_duration_days(history)
    # Deal 201 left AS on 5 Jan but entered its next stage on 15 Jan, so it
    # re-entered a stage, and its 3 times are unknown. Deal 202 alone: AS 4,
    # QTB 5 and CS 10 days.
    assert result.value == {AS: 4.0, QTB: 5.0, CS: 10.0}
    assert result.n == 3
    assert result.excluded == {REENTERED_WITHOUT_TOTAL: 3}
    [warning] = result.warnings
    assert "3 stage times of 1 deal that re-entered a stage are left out" in warning
    assert "(deal 201)" in warning


def test_reentered_deal_stage_summary(tmp_path):
    history = _history(tmp_path, _hubspot_export(REVISIT_ROWS, True, False))
    summary = stage_summary(history, datetime(2024, 3, 1))
    rows = {row["stage"]: row for row in summary.iter_rows(named=True)}
    # Both deals reached each stage and went on, but only deal 202 has a
    # known time there.
    for stage in (AS, QTB, CS):
        assert rows[stage]["deals"] == 1
        assert rows[stage]["reached"] == 2
        assert rows[stage]["conversion_to_next"] == 100.0
    assert rows[QTB]["median_days"] == 5.0


def test_reentered_deal_still_in_stage(tmp_path):
    # Deal 203 went AS 1 Jan, QTB 5 Jan, CS 10 Jan and back to QTB on 15
    # Jan, where it still is: QTB was last left on 10 Jan, before its latest
    # entry.
    rows = [
        "203,Qualified To Buy,2024-01-01 09:00,500,"
        "2024-01-01 09:00,2024-01-05 09:00,,"
        "2024-01-15 09:00,2024-01-10 09:00,,"
        "2024-01-10 09:00,2024-01-15 09:00,,"
        ""
    ]
    history = _history(tmp_path, _hubspot_export(rows, True, False))
    as_of = datetime(2024, 1, 20)
    durations = stage_durations(history, as_of)
    assert durations["stage"].to_list() == [AS, CS, QTB]
    assert durations["ongoing"].to_list() == [False, False, True]
    # Each time misses the earlier visits, so none is known.
    assert durations["days"].null_count() == 3
    summary = stage_summary(history, as_of)
    qualified = summary.filter(pl.col("stage") == QTB).row(0, named=True)
    assert qualified["ongoing_deals"] == 1
    assert qualified["deals"] == 0


def test_unknown_times_only_not_available(tmp_path):
    history = _history(tmp_path, _hubspot_export(REVISIT_ROWS[:1], True, False))
    result = stage_duration_days(history)
    assert not result.available
    assert result.reason.startswith("no completed stage time of this period is known")
    assert "(deal 201)" in result.reason
    assert result.excluded == {REENTERED_WITHOUT_TOTAL: 3}


# Deal 301: AS 1 Mar 09:00, QTB 3 Mar 21:00 (2.5 days), won 10 Mar 09:00
# (6.5 days in QTB). Deal 302: AS 2 Mar 10:00, QTB 6 Mar 10:00 (4 days), still
# in QTB. HubSpot's cumulative times are exact to the millisecond, but the
# dates are written to the minute, so the two differ by seconds. AS of 301
# is 2.5 days + 20 s (216,020,000 ms), QTB of 301 6.5 days - 15 s
# (561,585,000 ms).
STRAIGHT_ROWS = [
    "301,Closed Won,2024-03-01 09:00,100,"
    "2024-03-01 09:00,2024-03-03 21:00,216020000,"
    "2024-03-03 21:00,2024-03-10 09:00,561585000,"
    ",,,"
    "2024-03-10 09:00",
    "302,Qualified To Buy,2024-03-02 10:00,200,"
    "2024-03-02 10:00,2024-03-06 10:00,345600000,"
    "2024-03-06 10:00,,,"
    ",,,"
    "",
]


def test_export_without_reentries_unchanged(tmp_path):
    entered_only = stage_duration_days(
        _history(tmp_path, _hubspot_export(STRAIGHT_ROWS, False, False))
    )
    with_totals = stage_duration_days(
        _history(tmp_path, _hubspot_export(STRAIGHT_ROWS, True, True))
    )
    # AS (2.5 + 4) / 2 = 3.25 days; QTB 6.5 days, deal 302 is still there.
    assert entered_only.value == {AS: 3.25, QTB: 6.5}
    assert with_totals.value == entered_only.value
    assert with_totals.extra == entered_only.extra
    assert with_totals.n == entered_only.n == 3
    assert with_totals.excluded == {"deal still in the stage": 1}
    assert with_totals.formula == entered_only.formula


def test_history_from_wide_exit_and_cumulative():
    wide = pl.DataFrame(
        {
            "deal_id": ["1", "2"],
            'Date entered "Lead (Sales)"': [datetime(2024, 1, 1), datetime(2024, 1, 2)],
            'Date exited "Lead (Sales)"': [datetime(2024, 1, 3), None],
            'Cumulative time in "Lead (Sales)"': [172_800_000, None],
            'Date entered "Won (Sales)"': [datetime(2024, 1, 3), None],
        }
    )
    history = history_from_wide(wide)
    assert history.columns == [
        "deal_id",
        "stage",
        "entered_at",
        "exited_at",
        "cumulative_ms",
    ]
    assert history["stage"].to_list() == ["Lead", "Won", "Lead"]
    assert history["exited_at"].to_list() == [datetime(2024, 1, 3), None, None]
    assert history["cumulative_ms"].to_list() == [172_800_000.0, None, None]


def test_report_reentered_deal(tmp_path):
    path = tmp_path / "hubspot_deals_revisit.csv"
    path.write_text(_hubspot_export(REVISIT_ROWS, True, True), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    stages = report["kpis"]["stage_duration_days"]
    assert stages["value"] == {AS: 4.0, QTB: 7.5, CS: 12.5}
    assert stages["bottleneck"] == CS
    [history] = [i for i in report["inputs"] if i["table"] == "stage_history"]
    # The report names the file's columns behind the exits and totals.
    assert history["columns"]["exited_at"] == [
        f'Date exited "{stage} (Sales Pipeline)"' for stage in (AS, QTB, CS)
    ]
    assert history["columns"]["cumulative_ms"] == [
        f'Cumulative time in "{stage} (Sales Pipeline)"' for stage in (AS, QTB, CS)
    ]
