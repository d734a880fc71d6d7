"""Churn rate of a customer list without dates (a snapshot), under both
variants, as the KPI, the command-line JSON and the Excel report give it."""

import csv
import io
import json
import subprocess
import sys
from datetime import date

import polars as pl
import pytest
from openpyxl import load_workbook

from kpi_core.churn import churn_rate, churn_series
from kpi_core.goal_metrics import METRICS, measure
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes
from kpi_core.subscriptions import arr
from kpi_core.whatif_baseline import baseline_levers
from tests.conftest import PROJECT

# 4 customers, 2 churned. Customers lost: 2 / 4 = 50 %. Revenue lost:
# (30.00 + 20.00) / (30.00 + 50.00 + 20.00 + 100.00) = 50 / 200 = 25 %.
CUSTOMER_LIST = (
    "customerID,Churn,MonthlyCharges\n"
    "a,Yes,30.00\n"
    "b,No,50.00\n"
    "c,Yes,20.00\n"
    "d,No,100.00\n"
)
TELCO = "ibm-telco-churn/Telco-Customer-Churn.csv"


def _load(tmp_path, text: str, name: str = "customers.csv") -> pl.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes()).frame


def _read(tmp_path, text: str) -> pl.DataFrame:
    """Read a CSV as it is, without the app's column mapping."""
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    return pl.read_csv(path, infer_schema=False)


def test_revenue_variant_hand_worked(tmp_path):
    result = churn_rate(_load(tmp_path, CUSTOMER_LIST), variant="revenue")
    assert result.status == "ok"
    assert result.value == pytest.approx(25.0)
    assert result.numerator == pytest.approx(50.0)
    assert result.denominator == pytest.approx(200.0)
    assert result.n == 4
    assert result.variant == "revenue, snapshot"
    assert result.extra == {"retention": pytest.approx(75.0)}
    assert result.formula == (
        "50.00 EUR monthly charges flagged churned / 200.00 EUR monthly charges "
        "in the list x 100 = 25.0 %"
    )


def test_customers_variant_label(tmp_path):
    result = churn_rate(_load(tmp_path, CUSTOMER_LIST))
    assert result.value == pytest.approx(50.0)
    assert result.numerator == 2
    assert result.denominator == 4
    assert result.variant == "customers, snapshot"


def test_revenue_same_for_every_period(tmp_path):
    frame = _load(tmp_path, CUSTOMER_LIST)
    period = Period(date(2025, 1, 1), date(2025, 3, 31))
    assert churn_rate(frame, period, "revenue").value == pytest.approx(25.0)


def test_several_rows_per_customer(tmp_path):
    text = (
        "customerID,Churn,MonthlyCharges\n"
        "a,Yes,10.00\n"
        "a,Yes,20.00\n"
        "b,Yes,15.00\n"
        "b,No,25.00\n"
        "c,No,30.00\n"
    )
    frame = _load(tmp_path, text)
    customers = churn_rate(frame)
    # Only a has every row churned; b keeps a subscription: 1 / 3 customers.
    assert customers.numerator == 1
    assert customers.denominator == 3
    revenue = churn_rate(frame, variant="revenue")
    # Each churned row loses its charge, b's cancelled 15.00 too:
    # (10 + 20 + 15) / (10 + 20 + 15 + 25 + 30) = 45 / 100 = 45 %.
    assert revenue.numerator == pytest.approx(45.0)
    assert revenue.denominator == pytest.approx(100.0)
    assert revenue.value == pytest.approx(45.0)
    assert revenue.n == 3


def test_missing_and_negative_charges_excluded(tmp_path):
    text = (
        "customerID,Churn,MonthlyCharges\n"
        "a,Yes,40.00\n"
        "b,No,60.00\n"
        "c,Yes,\n"
        "d,No,-5.00\n"
        "e,Yes,0.00\n"
    )
    frame = _load(tmp_path, text)
    revenue = churn_rate(frame, variant="revenue")
    # c and d are left out: (40 + 0) / (40 + 60 + 0) = 40 / 100 = 40 %.
    assert revenue.value == pytest.approx(40.0)
    assert revenue.n == 3
    assert revenue.excluded == {"no monthly charge": 1, "negative monthly charge": 1}
    customers = churn_rate(frame)
    # Counting customers needs no charge: a, c and e of 5 = 60 %.
    assert customers.value == pytest.approx(60.0)
    assert customers.excluded == {}


def test_arr_leaves_out_negative_charge(tmp_path):
    text = "customerID,Churn,MonthlyCharges\na,No,40.00\nb,No,-5.00\nc,Yes,10.00\n"
    result = arr(_load(tmp_path, text))
    # Only a is active with a usable charge: 12 x 40.00 = 480.00.
    assert result.value == pytest.approx(480.0)
    assert result.excluded == {"negative monthly charge": 1}


def test_revenue_without_charge_column(tmp_path):
    frame = _read(tmp_path, "customer_id,churned,started_at\na,Yes,\nb,No,\n")
    result = churn_rate(frame, variant="revenue")
    assert result.status == "not_available"
    assert result.value is None
    assert result.variant == "revenue, snapshot"
    assert "no monthly charge column" in result.reason
    assert "monthly_charge" in result.reason
    # The customer figure stays under its own label.
    assert churn_rate(frame).value == pytest.approx(50.0)


def test_revenue_all_charges_zero(tmp_path):
    frame = _read(tmp_path, "customer_id,churned,monthly_charge\na,Yes,0\nb,No,0\n")
    result = churn_rate(frame, variant="revenue")
    assert result.status == "not_available"
    assert "above zero" in result.reason


def test_snapshot_series_empty_both_variants(tmp_path):
    frame = _load(tmp_path, CUSTOMER_LIST)
    assert churn_series(frame).is_empty()
    assert churn_series(frame, variant="revenue").is_empty()


def test_whatif_snapshot_not_annual(tmp_path):
    frame = _load(tmp_path, CUSTOMER_LIST)
    period = Period(date(2025, 1, 1), date(2025, 12, 31))
    levers, notes = baseline_levers({"subscriptions": frame}, period)
    assert levers.churn_rate is None
    assert "(50.0 %) has no time base" in notes["churn_rate"]


def test_goal_measures_customer_variant(tmp_path):
    frame = _read(
        tmp_path,
        "customer_id,churned,monthly_charge,started_at\n"
        "a,Yes,30.00,\n"
        "b,No,50.00,\n"
        "c,Yes,20.00,\n"
        "d,No,100.00,\n",
    )
    period = Period(date(2025, 1, 1), date(2025, 3, 31))
    measured = measure(METRICS["churn_rate"], frame, period)
    # A goal on churn counts customers: 2 / 4 = 50 %, not 50 / 200 = 25 %.
    assert measured.value == pytest.approx(50.0)
    assert measured.n == 4


def _cli(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)["kpis"]["churn_rate"]


def test_cli_revenue_variant(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMER_LIST, encoding="utf-8")
    revenue = _cli(str(path), "--variant", "churn_rate=revenue")
    assert revenue["value"] == pytest.approx(25.0)
    assert revenue["numerator"] == pytest.approx(50.0)
    assert revenue["denominator"] == pytest.approx(200.0)
    assert revenue["variant"] == "revenue, snapshot"
    customers = _cli(str(path))
    assert customers["value"] == pytest.approx(50.0)
    assert customers["variant"] == "customers, snapshot"


def _service_row(workbook) -> tuple:
    rows = workbook["Service"].iter_rows(values_only=True)
    return next(row for row in rows if row[0] == "Churn rate")


def test_excel_settings_and_row_agree(tmp_path):
    tables = {"subscriptions": _load(tmp_path, CUSTOMER_LIST)}
    settings = KpiSettings(variants={"churn_rate": "revenue"})
    workbook = load_workbook(io.BytesIO(excel_report_bytes(tables, settings)))

    recorded = {
        row[0]: row[1]
        for row in workbook["Settings"].iter_rows(values_only=True)
        if row[0]
    }
    assert recorded["Variant of Churn rate"] == "revenue, snapshot (chosen on the page)"
    row = _service_row(workbook)
    assert row[1] == "available"
    assert row[2] == pytest.approx(25.0)
    assert row[7] == "revenue, snapshot"
    assert row[8] == (
        "50.00 EUR monthly charges flagged churned / 200.00 EUR monthly charges "
        "in the list x 100 = 25.0 %"
    )


def test_excel_revenue_not_available_row(tmp_path):
    frame = _read(tmp_path, "customer_id,churned,started_at\na,Yes,\nb,No,\n")
    settings = KpiSettings(variants={"churn_rate": "revenue"})
    workbook = load_workbook(
        io.BytesIO(excel_report_bytes({"subscriptions": frame}, settings))
    )
    row = _service_row(workbook)
    assert row[1] == "not available"
    assert row[2] is None
    assert row[7] == "revenue, snapshot"
    assert "monthly_charge" in row[8]


def test_telco_revenue_variant(datasets_dir):
    path = datasets_dir / TELCO
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = sum(float(row["MonthlyCharges"]) for row in rows)
    lost = sum(float(row["MonthlyCharges"]) for row in rows if row["Churn"] == "Yes")
    # 139,130.85 / 456,116.60 x 100 = 30.50 %.
    assert round(lost, 2) == 139130.85
    assert round(total, 2) == 456116.60

    frame = load_file(path.name, path.read_bytes()).frame
    result = churn_rate(frame, variant="revenue")
    assert result.value == pytest.approx(lost / total * 100)
    assert round(result.value, 2) == 30.50
    assert result.n == 7043
    assert result.excluded == {}
    assert result.variant == "revenue, snapshot"


# K1 pays 100.00 a month from June 2024, K2 50.00 a month until 1 February
# 2025 and K3 1,200.00 a year (100.00 a month) from 10 February 2025.
DATED = (
    "id,Customer ID,Status,Start Date (UTC),Ended At (UTC),Amount,Currency,Interval\n"
    "s1,K1,active,2024-06-01 00:00,,100.00,EUR,month\n"
    "s2,K2,canceled,2024-07-01 00:00,2025-02-01 00:00,50.00,EUR,month\n"
    "s3,K3,active,2025-02-10 00:00,,1200.00,EUR,year\n"
)


def test_excel_dated_series_follows_variant(tmp_path):
    tables = {"subscriptions": _load(tmp_path, DATED, "subs.csv")}
    settings = KpiSettings(
        period=Period(date(2025, 1, 1), date(2025, 3, 31)),
        variants={"churn_rate": "revenue"},
    )
    workbook = load_workbook(io.BytesIO(excel_report_bytes(tables, settings)))
    rows = list(workbook["Service"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "Churn by month")
    header = [cell for cell in rows[start + 1] if cell is not None]
    # The last column names the days of a partial month.
    assert header[-4:] == [
        "MRR at start",
        "MRR lost",
        "Revenue churn (%)",
        "Partial period",
    ]
    monthly = [
        row[len(header) - 4 : len(header) - 1] for row in rows[start + 2 : start + 5]
    ]
    # January starts with K1 + K2 = 150.00 and loses nothing. February starts
    # with 150.00 and loses K2's 50.00: 50 / 150 = 33.3 %. The data ends with
    # K3's start on 10 February, so March has no days in the data and no
    # figures.
    assert monthly[0] == (pytest.approx(150.0), pytest.approx(0.0), pytest.approx(0.0))
    assert monthly[1] == (
        pytest.approx(150.0),
        pytest.approx(50.0),
        pytest.approx(50 / 150 * 100),
    )
    assert monthly[2] == (None, None, None)
    assert rows[start + 4][len(header) - 1] == "no days in the data"


# Start dates and churn flags but no end date: 2 of 5 customers churned.
SIGNUPS = (
    "Customer ID,Start Date,Churned,MRR,End Date\n"
    "a,2024-01-10,True,100,\n"
    "b,2024-02-10,False,200,\n"
    "c,2024-03-10,True,300,\n"
    "d,2024-04-10,False,400,\n"
    "e,2024-05-10,False,500,\n"
)


def _signups(text: str = SIGNUPS):
    return load_file("accounts.csv", text.encode(), table="subscriptions").frame


def test_undated_churn_flags_read_as_list():
    subs = _signups()
    assert "started_at" in subs.columns
    assert "churned" in subs.columns
    result = churn_rate(subs, Period(date(2024, 1, 1), date(2024, 12, 31)))
    # Read by the start dates alone no one would leave: 0 %. As a list,
    # 2 churned / 5 customers = 40 %.
    assert result.value == 40.0
    assert result.variant == "customers, snapshot"
    assert any("no end or cancellation date" in w for w in result.warnings)
    # ARR counts the customers not churned: (200 + 400 + 500) x 12.
    assert arr(subs).value == 13_200.0


def test_dated_churn_flags_keep_dates():
    subs = _signups(
        SIGNUPS.replace("a,2024-01-10,True,100,", "a,2024-01-10,True,100,2024-06-30")
    )
    # One end date is enough to read the table by its dates: 5 customers
    # active on 31 May, a ended on 30 June, so 1 / 5 = 20 % for June-July.
    result = churn_rate(subs, Period(date(2024, 6, 1), date(2024, 7, 31)))
    assert result.value == 20.0
    assert result.variant == "customers"
    # c is flagged churned but has no end date, so it counts as running.
    assert result.warnings == (
        "1 subscription flagged churned has no end or cancellation date, so "
        "the rate counts it as running. Fill in the date they ended.",
    )


# Three subscriptions started in the first quarter of 2024 and never ended.
STARTS = (
    "id,Customer ID,Status,Start Date (UTC),Ended At (UTC),Amount,Currency,Interval\n"
    "s1,A,active,2024-01-05 00:00,,100.00,EUR,month\n"
    "s2,B,active,2024-02-10 00:00,,200.00,EUR,month\n"
    "s3,C,active,2024-03-10 00:00,,300.00,EUR,month\n"
)


def test_excel_arr_kept_after_last_start(tmp_path):
    tables = {"subscriptions": _load(tmp_path, STARTS, "subs.csv")}
    settings = KpiSettings(period=Period(date(2024, 1, 1), date(2024, 6, 30)))
    workbook = load_workbook(io.BytesIO(excel_report_bytes(tables, settings)))
    rows = list(workbook["Marketing"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if str(row[0]).startswith("ARR by"))
    header = list(rows[start + 1])
    column = next(i for i, cell in enumerate(header) if str(cell).startswith("ARR ("))
    arr_values = [row[column] for row in rows[start + 2 : start + 8]]
    # MRR x 12 at each month end: 100 x 12 = 1,200 in January, (100 + 200) x
    # 12 = 3,600 in February, (100 + 200 + 300) x 12 = 7,200 from March. No
    # subscription ends, so April to June keep 7,200 although the last
    # dated change is the start on 10 March; the last value is the ARR card.
    assert arr_values == [1200, 3600, 7200, 7200, 7200, 7200]
    assert arr(tables["subscriptions"], settings.period).value == 7200
