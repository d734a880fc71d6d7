import csv
import json
import statistics
import subprocess
import sys
from datetime import date

import pytest

from tests.conftest import PROJECT

MAVEN = "maven-crm-sales/sales_pipeline.csv"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _maven_rows(datasets_dir) -> list[dict[str, str]]:
    with (datasets_dir / MAVEN).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_report_maven_all_data(datasets_dir):
    rows = _maven_rows(datasets_dir)
    won = [r for r in rows if r["deal_stage"] == "Won"]
    lost = [r for r in rows if r["deal_stage"] == "Lost"]
    cycles = [
        (
            date.fromisoformat(r["close_date"]) - date.fromisoformat(r["engage_date"])
        ).days
        for r in won
    ]
    result = _run(str(datasets_dir / MAVEN))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    kpis = report["kpis"]
    assert kpis["win_rate"]["numerator"] == len(won) == 4238
    assert kpis["win_rate"]["denominator"] == len(won) + len(lost) == 6711
    assert kpis["win_rate"]["value"] == pytest.approx(4238 / 6711 * 100, abs=1e-4)
    assert kpis["close_rate"]["denominator"] == 8800
    assert kpis["won_value"]["value"] == pytest.approx(
        sum(float(r["close_value"]) for r in won)
    )
    assert kpis["sales_cycle_days"]["value"] == pytest.approx(
        statistics.mean(cycles), abs=1e-4
    )
    assert kpis["sales_cycle_days"]["median"] == pytest.approx(
        statistics.median(cycles)
    )
    assert report["inputs"][0]["rows"] == 8800
    assert report["inputs"][0]["columns"]["created_at"] == "engage_date"
    assert report["period"] == {"from": None, "to": None}


def test_report_maven_period(datasets_dir):
    rows = _maven_rows(datasets_dir)
    first, last = date(2017, 4, 1), date(2017, 6, 30)

    def closed_inside(r):
        return r["close_date"] and first <= date.fromisoformat(r["close_date"]) <= last

    won = [r for r in rows if r["deal_stage"] == "Won" and closed_inside(r)]
    decided = [
        r for r in rows if r["deal_stage"] in ("Won", "Lost") and closed_inside(r)
    ]
    created = [
        r
        for r in rows
        if r["engage_date"] and first <= date.fromisoformat(r["engage_date"]) <= last
    ]
    undated = sum(1 for r in rows if not r["engage_date"])
    result = _run(
        str(datasets_dir / MAVEN), "--from", "2017-04-01", "--to", "2017-06-30"
    )
    assert result.returncode == 0, result.stderr
    kpis = json.loads(result.stdout)["kpis"]
    assert kpis["win_rate"]["numerator"] == len(won)
    assert kpis["win_rate"]["denominator"] == len(decided)
    assert kpis["close_rate"]["denominator"] == len(created)
    assert sum(kpis["close_rate"]["excluded"].values()) == undated == 500


def test_report_missing_file_one_line_error(tmp_path):
    result = _run(str(tmp_path / "nope.csv"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "nope.csv" in result.stderr


def test_report_unknown_columns_error(tmp_path):
    path = tmp_path / "colours.csv"
    path.write_text("colour,size\nred,3\n", encoding="utf-8")
    result = _run(str(path))
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: colours.csv: could not tell which kind of table"
    )


def test_report_bad_date_option(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "Record ID,Deal Stage,Create Date\n1,Won,2025-01-01\n", encoding="utf-8"
    )
    result = _run(str(path), "--from", "01.01.2025")
    assert result.returncode == 1
    assert "write it as YYYY-MM-DD" in result.stderr


def test_report_hand_checked_small_file(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(
        "Record ID;Deal Stage;Create Date;Close Date;Amount\n"
        "1;Closed won;03.01.2025;20.01.2025;1.000,50\n"
        "2;Closed won;10.01.2025;30.01.2025;2.000,00\n"
        "3;Closed lost;15.01.2025;01.02.2025;500,00\n"
        "4;Contract sent;20.01.2025;;\n",
        encoding="cp1252",
    )
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    kpis = json.loads(result.stdout)["kpis"]
    assert kpis["close_rate"]["value"] == pytest.approx(2 / 4 * 100)
    assert kpis["win_rate"]["value"] == pytest.approx(2 / 3 * 100, abs=1e-4)
    assert kpis["won_value"]["value"] == pytest.approx(3000.50)
    assert kpis["average_deal_size"]["value"] == pytest.approx(1500.25)
    # Cycles: 3 Jan -> 20 Jan = 17 days, 10 Jan -> 30 Jan = 20 days.
    assert kpis["sales_cycle_days"]["value"] == pytest.approx((17 + 20) / 2)


def test_report_hubspot_wide_file_gives_deals_and_stages(tmp_path):
    path = tmp_path / "hubspot.csv"
    path.write_text(
        "Record ID,Deal Stage,Create Date,Close Date,Amount,"
        '"Date entered ""Appointment scheduled (Sales Pipeline)""",'
        '"Date entered ""Closed won (Sales Pipeline)"""\n'
        "1,Closed won,2025-01-02,2025-01-12,100,2025-01-02 09:00,2025-01-12 09:00\n"
        "2,Appointment scheduled,2025-01-05,,,2025-01-05 09:00,\n",
        encoding="utf-8",
    )
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [i["table"] for i in report["inputs"]] == ["deals", "stage_history"]
    assert report["kpis"]["close_rate"]["value"] == pytest.approx(1 / 2 * 100)
    # Deal 1 spent 10 days in its first stage; deal 2 is still there.
    assert report["kpis"]["stage_duration_days"]["value"] == {
        "Appointment scheduled": 10.0
    }


def test_report_reads_chosen_sheet():
    path = PROJECT / "tests" / "data" / "surveymonkey_and_deals.xlsx"
    # The first sheet contains survey answers; the Deals sheet lacks a creation
    # date, which the error names, so the chosen sheet was the one read.
    result = _run(str(path), "--sheet", "Deals")
    assert result.returncode == 1
    assert "no column found for Created date" in result.stderr
    assert "of a deals table" in result.stderr


def test_report_names_date_order_taken_from_other_column(tmp_path):
    # 1/25/2025 only reads month first, so the close dates, which read both
    # ways, are month first too: 3/4 is 4 March, 25 January + 38 days.
    path = tmp_path / "us.csv"
    path.write_text(
        "Deal ID,Stage,Created Date,Close Date\n"
        "1,Closed Won,1/25/2025,3/4/2025\n"
        "2,Closed Won,2/1/2025,3/3/2025\n",
        encoding="utf-8",
    )
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["inputs"][0]["detected"]["Close Date"] == (
        "dates month first, as in column 'Created Date' (every date here fits "
        "both orders)"
    )
    # (38 + 30) / 2 days.
    assert report["kpis"]["sales_cycle_days"]["value"] == pytest.approx(34.0)


def test_report_names_the_rows_the_reader_skipped(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(
        "Deal ID,Deal Stage,Amount,Create Date\n"
        "D1,Closed Won,100,2024-01-02\n"
        "D2,Closed Won,200,2024-01-03\n"
        "Summe,,300,\n"
    )
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    [deals] = json.loads(result.stdout)["inputs"]
    # Line 4 sums lines 2 and 3, so the won value stays 100 + 200.
    assert deals["rows_used"] == 2
    assert deals["read"] == [
        "encoding: UTF-8",
        "delimiter: comma",
        "header: line 1",
        "skipped the total row on line 4",
    ]


def test_report_far_period_rejected():
    deals = PROJECT / "sample_data" / "subscriptions.csv"
    result = _run(str(deals), "--from", "0001-01-01", "--to", "2025-12-31")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: --from 0001-01-01 is outside the days")
