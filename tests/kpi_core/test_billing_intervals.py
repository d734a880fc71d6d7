"""Billing intervals written in German and English, one-time fees and
intervals the import cannot read, through the real import, the
subscription KPIs and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.prepare import PreparedTable
from kpi_core.report import ReportOptions, build_report
from kpi_core.subscription_data import paying_starts
from kpi_core.subscriptions import arr, churn_rate
from tests.conftest import PROJECT

HEADER = (
    "Vertragsnummer;Kundennummer;Vertragsbeginn;Vertragsende;Preis;"
    "Abrechnungsintervall\n"
)
# The ARR on the last day of 2025, when every subscription below runs.
YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))


def _load(tmp_path: Path, name: str, text: str) -> PreparedTable:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes())


def _report(
    tmp_path: Path, name: str, text: str, *period: str
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path), *period],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_report_reads_month_counts(tmp_path):
    text = (
        HEADER + "V-1;K-1;01.01.2025;;1.200,00 €;jährlich\n"
        "V-2;K-2;01.01.2025;;100,00 €;monatlich\n"
        "V-3;K-3;01.02.2025;;300,00 €;3 Monate\n"
    )
    result = _report(tmp_path, "abos_intervall.csv", text)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [table] = report["inputs"]
    assert table["rows_used"] == 3
    assert table["excluded"] == {}
    # MRR: 1,200 / 12 + 100 / 1 + 300 / 3 = 100 + 100 + 100 = 300 EUR.
    # ARR: 300 x 12 = 3,600 EUR.
    assert report["kpis"]["arr"]["value"] == 3600.0
    assert report["kpis"]["arr"]["unit"] == "EUR"
    assert report["warnings"] == []


# Each label with the months one price covers, checked by hand. Spellings
# that were read before, such as "Quartal", "year" and "einmalig", are
# tested with the subscription KPIs.
SPELLINGS = [
    ("3 Monate", 3),
    ("6 Monate", 6),
    ("12 Monate", 12),
    ("1 Monat", 1),
    ("24 Monate", 24),
    ("2 Jahre", 24),
    ("jährl.", 12),
    ("Jaehrlich", 12),
    ("monatl.", 1),
    ("mtl.", 1),
    ("p.a.", 12),
    ("p.M.", 1),
    ("pro Jahr", 12),
    ("pro Monat", 1),
    ("per annum", 12),
    ("vierteljährl.", 3),
    ("halbjährl.", 6),
    ("every 3 months", 3),
    ("alle 6 Monate", 6),
    ("3-monatlich", 3),
    ("Monthly plan", 1),
    ("Annual plan", 12),
    ("3-month plan", 3),
    ("yearly billing", 12),
    ("billed quarterly", 3),
    ("billed every 3 months", 3),
    ("Billed every 2 weeks", 2 * 12 / 52),
]


@pytest.mark.parametrize(("label", "months"), SPELLINGS)
def test_interval_spelling_sets_mrr(tmp_path, label, months):
    text = HEADER + f"V-1;K-1;01.01.2025;;1.200,00 €;{label}\n"
    prepared = _load(tmp_path, "abos.csv", text)
    assert prepared.problems == ()
    result = arr(prepared.frame, YEAR_2025)
    # ARR = 1,200 / months x 12, such as 1,200 / 3 x 12 = 4,800 for a
    # quarter and 1,200 / 24 x 12 = 600 for two years.
    assert result.value == pytest.approx(1200 / months * 12)


@pytest.mark.parametrize("label", ["Einmalzahlung", "One-off", "non-recurring"])
def test_one_time_words_left_out_of_arr(tmp_path, label):
    text = (
        HEADER + "V-1;K-1;01.01.2025;;100,00 €;monatlich\n"
        f"V-2;K-2;01.01.2025;;500,00 €;{label}\n"
    )
    prepared = _load(tmp_path, "abos.csv", text)
    assert prepared.problems == ()
    result = arr(prepared.frame, YEAR_2025)
    # Only the monthly 100 recurs: 100 x 12 = 1,200.
    assert result.value == 1200.0
    assert result.excluded == {"one-time fee": 1}


UNKNOWN = (
    HEADER + "V-1;K-1;01.01.2025;;1.200,00 €;jährlich\n"
    "V-2;K-2;01.01.2025;;100,00 €;nach Vereinbarung\n"
    "V-3;K-3;01.02.2025;;300,00 €;3 Monate\n"
)


def test_unknown_interval_keeps_row(tmp_path):
    prepared = _load(tmp_path, "abos.csv", UNKNOWN)
    assert prepared.frame["customer_id"].to_list() == ["K-1", "K-2", "K-3"]
    assert prepared.frame["interval"].to_list() == [
        "jährlich",
        "nach Vereinbarung",
        "3 Monate",
    ]
    [problem] = prepared.problems
    assert problem.row_kept
    assert problem.cell_kept
    assert problem.describe() == (
        "1 row with an unknown billing interval in column 'Abrechnungsintervall' "
        "(line 3; for example 'nach Vereinbarung')"
    )
    assert problem.outcome().startswith(
        "the row is kept for counts such as churn, but its MRR is unknown, so "
        "MRR, ARR and the other money KPIs leave it out and count it; write the "
        "billing interval as monthly, quarterly"
    )
    assert "'3 Monate'" in problem.outcome()
    assert "one-time (einmalig)" in problem.outcome()
    # The row is neither left out nor read as empty.
    assert prepared.excluded_summary() == {}
    assert prepared.emptied_summary() == {}
    result = arr(prepared.frame, YEAR_2025)
    # MRR of K-1 and K-3: 1,200 / 12 + 300 / 3 = 200; ARR 200 x 12 = 2,400.
    assert result.value == 2400.0
    assert result.excluded == {"unknown billing interval": 1}


@pytest.mark.parametrize(
    "label", ["nach Vereinbarung", "Monthly (billed annually)", "biannual"]
)
def test_ambiguous_interval_stays_unknown(tmp_path, label):
    text = (
        HEADER + "V-1;K-1;01.01.2025;;100,00 €;monatlich\n"
        f"V-2;K-2;01.01.2025;;1.200,00 €;{label}\n"
    )
    prepared = _load(tmp_path, "abos.csv", text)
    [problem] = prepared.problems
    assert problem.kind == "an unknown billing interval"
    assert problem.lines == (3,)
    result = arr(prepared.frame, YEAR_2025)
    # Only K-1 has a known MRR: 100 x 12 = 1,200.
    assert result.value == 1200.0
    assert result.excluded == {"unknown billing interval": 1}


def test_report_warns_of_unknown_interval(tmp_path):
    result = _report(tmp_path, "abos.csv", UNKNOWN)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [warning] = report["warnings"]
    assert warning.startswith(
        "abos.csv: 1 row with an unknown billing interval in column "
        "'Abrechnungsintervall' (line 3; for example 'nach Vereinbarung'); "
        "the row is kept for counts such as churn, but its MRR is unknown"
    )
    assert "; write the billing interval as" in warning
    [table] = report["inputs"]
    assert table["rows_used"] == 3
    assert table["excluded"] == {}
    assert table["emptied"] == {}
    assert report["kpis"]["arr"]["value"] == 2400.0
    assert report["kpis"]["arr"]["excluded"] == {"unknown billing interval": 1}


# Subscriptions with a monthly charge, as a CRM exports them: the interval
# is never needed, whatever its value.
MONTHLY_CHARGES = (
    "subscription_id,account_id,start_date,end_date,mrr_amount,billing_frequency\n"
    "S1,A1,2024-01-01,,100,{0}\n"
    "S2,A2,2024-01-01,,200,{1}\n"
    "S3,A3,2024-01-01,2025-02-15,300,{2}\n"
    "S4,A4,2024-01-01,,150,{3}\n"
)


@pytest.mark.parametrize(
    "labels",
    [
        ("monthly", "biannual", "Monthly (billed annually)", "annual"),
        ("Monthly plan", "Annual plan", "Annual plan", "Monthly plan"),
        ("x", "y", "z", "w"),
    ],
)
def test_monthly_charge_needs_no_interval(tmp_path, labels):
    text = MONTHLY_CHARGES.format(*labels)
    result = _report(
        tmp_path, "subs.csv", text, "--from", "2025-01-01", "--to", "2025-03-31"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [table] = report["inputs"]
    assert table["columns"]["monthly_charge"] == "mrr_amount"
    assert table["columns"]["interval"] == "billing_frequency"
    assert table["rows_used"] == 4
    assert table["excluded"] == {}
    assert report["warnings"] == []
    kpis = report["kpis"]
    # A3 ends on 15 February: 1 of the 4 customers at the start churned.
    assert kpis["churn_rate"]["value"] == 25.0
    # MRR on 31 March: 100 + 200 + 150 = 450; ARR 450 x 12 = 5,400.
    assert kpis["arr"]["value"] == 5400.0
    assert "excluded" not in kpis["arr"]
    # Monthly churn of January, February and March: (0 / 4 + 1 / 4 + 0 / 3)
    # / 3 = 1 / 12. ARPA on 31 March: 450 / 3 = 150. CLV = 150 x 12 = 1,800.
    assert kpis["clv"]["value"] == pytest.approx(1800.0)


MIXED_CHARGES = (
    "subscription_id,account_id,start_date,end_date,mrr_amount,amount,interval\n"
    "S1,A1,2025-01-01,,100,1200,x\n"
    "S2,A2,2025-01-01,,,1200,y\n"
    "S3,A3,2025-01-01,,,1200,yearly\n"
    "S4,A4,2025-01-01,,,,z\n"
)


def test_unknown_interval_named_where_needed(tmp_path):
    prepared = _load(tmp_path, "subs.csv", MIXED_CHARGES)
    assert prepared.frame.height == 4
    # A1 has a monthly charge and A4 no amount, so only A2 needs its
    # interval.
    [problem] = prepared.problems
    assert problem.lines == (3,)
    assert problem.examples == ("y",)
    result = arr(prepared.frame, YEAR_2025)
    # MRR: A1 100 + A3 1,200 / 12 = 200; ARR 200 x 12 = 2,400.
    assert result.value == 2400.0
    assert result.excluded == {"unknown billing interval": 1, "no amount": 1}


# A subscriptions export in Stripe's columns whose Interval names how many
# months or weeks one price covers. "whenever" names no interval, so its
# MRR stays unknown.
STRIPE_COUNTED_INTERVALS = (
    "id,Customer ID,Status,Created (UTC),Canceled At (UTC),Plan,Quantity,Amount,"
    "Currency,Interval\n"
    "sub_1,cus_1,active,2025-01-05 10:00,,Pro,1,90.00,eur,billed every 3 months\n"
    "sub_2,cus_2,active,2025-01-06 10:00,,Pro,1,90.00,eur,every 3 months\n"
    "sub_3,cus_3,active,2025-01-07 10:00,,Pro,1,26.00,eur,Every 2 weeks\n"
    "sub_4,cus_4,active,2025-01-08 10:00,,Pro,1,60.00,eur,alle 3 Monate\n"
    "sub_5,cus_5,active,2025-01-09 10:00,,Pro,1,13.00,eur,Billed every 2 weeks\n"
    "sub_6,cus_6,active,2025-01-10 10:00,,Pro,1,50.00,eur,whenever\n"
)


def test_report_reads_counted_intervals(tmp_path):
    result = _report(tmp_path, "subscriptions.csv", STRIPE_COUNTED_INTERVALS)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    arr_kpi = report["kpis"]["arr"]
    # MRR: 90 / 3 + 90 / 3 + 26 x 52 / 12 / 2 + 60 / 3 + 13 x 52 / 12 / 2
    # = 30 + 30 + 56.33 + 20 + 28.17 = 164.5 EUR; ARR 164.5 x 12 = 1,974 EUR.
    # sub_6's MRR is unknown.
    assert arr_kpi["value"] == pytest.approx(1974.0)
    assert arr_kpi["n"] == 5
    assert arr_kpi["excluded"] == {"unknown billing interval": 1}
    [warning] = report["warnings"]
    assert warning.startswith(
        "subscriptions.csv: 1 row with an unknown billing interval in column "
        "'Interval' (line 7; for example 'whenever')"
    )


CHURN = (
    HEADER + "V-1;K-1;01.01.2024;;1.200,00 €;jährlich\n"
    "V-2;K-2;01.01.2024;;100,00 €;nach Vereinbarung\n"
    "V-3;K-3;01.01.2024;15.02.2025;50,00 €;monatlich\n"
    "V-4;K-4;01.01.2024;;80,00 €;monatlich\n"
)
Q1_2025 = Period(date(2025, 1, 1), date(2025, 3, 31))


def test_churn_counts_unknown_interval(tmp_path):
    prepared = _load(tmp_path, "abos.csv", CHURN)
    result = churn_rate(prepared.frame, Q1_2025)
    # K-3 ends on 15 February: 1 of the 4 customers at the start churned,
    # K-2 included, so 1 / 4 x 100 = 25 %.
    assert result.value == 25.0
    assert result.n == 4
    revenue = churn_rate(prepared.frame, Q1_2025, "revenue")
    # MRR at the start without K-2: 100 + 50 + 80 = 230; lost: 50.
    assert revenue.value == pytest.approx(50 / 230 * 100)
    assert revenue.excluded == {"unknown billing interval": 1}


def test_paying_starts_keep_unknown_interval(tmp_path):
    prepared = _load(tmp_path, "abos.csv", CHURN)
    # K-2 pays 100 per interval, more than 0 whatever the interval.
    starts = paying_starts(prepared.frame)
    assert starts["customer_id"].to_list() == ["K-1", "K-2", "K-3", "K-4"]


def test_column_of_unknown_intervals_stops(tmp_path):
    text = (
        HEADER + "V-1;K-1;01.01.2025;;10,00 €;x\n"
        "V-2;K-2;01.01.2025;;10,00 €;y\n"
        "V-3;K-3;01.02.2025;;10,00 €;z\n"
    )
    result = _report(tmp_path, "abos.csv", text)
    assert result.returncode == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "Traceback" not in message
    assert message.startswith(
        "error: abos.csv, column 'Abrechnungsintervall': no filled cell of this "
        "column can be used as Billing interval: 3 rows with an unknown billing "
        "interval"
    )
    assert "(lines 2, 3, 4; for example 'x', 'y', 'z')" in message
    assert message.endswith("or as one-time (einmalig) for a fee that does not recur")


def test_stored_unknown_interval_left_out():
    # A table stored by a version that did not check intervals keeps the
    # row, which ARR leaves out and counts.
    stored = pl.DataFrame(
        {
            "customer_id": ["K-1", "K-2"],
            "started_at": [date(2025, 1, 1), date(2025, 1, 1)],
            "amount": [100.0, 100.0],
            "interval": ["monthly", "nach Vereinbarung"],
            "_line": [2, 3],
        }
    )
    result = arr(stored, YEAR_2025)
    # Only K-1: 100 x 12 = 1,200.
    assert result.value == 1200.0
    assert result.excluded == {"unknown billing interval": 1}


def test_monthly_price_beside_annual_plan_is_monthly_charge(tmp_path):
    # "Monthly price" is the charge per month, so "Annual plan" beside it
    # does not divide it by 12. On the last day C1 and C3 pay: ARR
    # (100 + 90) x 12 = 2,280.
    text = (
        "Subscription ID,Customer ID,Start date,End date,Monthly price,Interval\n"
        "1,C1,2023-01-01,,100,Monthly plan\n"
        "2,C2,2023-02-01,2024-02-15,80,Annual plan\n"
        "3,C3,2023-03-01,,90,Annual plan\n"
    )
    path = tmp_path / "subscriptions.csv"
    path.write_text(text, encoding="utf-8")

    report = build_report([path], ReportOptions())

    assert report["inputs"][0]["columns"]["monthly_charge"] == "Monthly price"
    assert report["kpis"]["arr"]["value"] == pytest.approx(2280.0)
