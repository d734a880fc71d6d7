"""The demo data set: reproducible, committed as generated, importable as
its table types, and consistent across tables.

The counts and figures here are taken from the CSV files with Python's csv
module, a route separate from the app's importer.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from kpi_core.churn import churn_series
from kpi_core.importing import load_file, preview_file
from kpi_core.period import Period
from kpi_core.service import resolution_hours
from sample_data import SAMPLE_FILES
from tests.conftest import PROJECT

SAMPLE_DIR = PROJECT / "sample_data"
LAST_DAY = "2026-11-30"
TWO_YEARS = Period(date(2025, 1, 1), date(2026, 11, 30))


def _generate(folder: Path, hash_seed: str) -> Path:
    # A different hash seed per run catches output that depends on set order.
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
    command = [sys.executable, "-m", "sample_data.generate", "--out", str(folder)]
    subprocess.run(command, cwd=PROJECT, env=environment, check=True)
    return folder


def _rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _load(name: str) -> pl.DataFrame:
    return load_file(name, (SAMPLE_DIR / name).read_bytes()).frame


@pytest.fixture(scope="module")
def fresh_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("first-run"), hash_seed="1")


def test_generator_runs_byte_identical(fresh_run, tmp_path):
    second_run = _generate(tmp_path, hash_seed="2")
    for name in SAMPLE_FILES:
        first = (fresh_run / name).read_bytes()
        assert first == (second_run / name).read_bytes(), name


def test_committed_files_match_fresh_run(fresh_run):
    for name in SAMPLE_FILES:
        committed = (SAMPLE_DIR / name).read_bytes()
        message = f"{name} is stale; run python -m sample_data.generate"
        assert committed == (fresh_run / name).read_bytes(), message


def test_generator_writes_no_other_file(fresh_run):
    assert sorted(path.name for path in fresh_run.iterdir()) == sorted(SAMPLE_FILES)


@pytest.mark.parametrize("name", list(SAMPLE_FILES))
def test_sample_file_under_one_megabyte(name):
    assert (SAMPLE_DIR / name).stat().st_size < 1_000_000


@pytest.mark.parametrize(("name", "table"), list(SAMPLE_FILES.items()))
def test_sample_file_detected_as_table(name, table):
    preview = preview_file(name, (SAMPLE_DIR / name).read_bytes())
    assert preview.table == table
    assert preview.mapping.missing_required == []


@pytest.mark.parametrize(("name", "table"), list(SAMPLE_FILES.items()))
def test_sample_file_imports_every_row(name, table):
    expected_rows = len(_rows(name))
    prepared = load_file(name, (SAMPLE_DIR / name).read_bytes())
    assert prepared.table == table
    assert prepared.rows_read == expected_rows
    assert prepared.rows_used == expected_rows
    assert prepared.rejected.height == 0
    assert prepared.problems == ()


@pytest.mark.parametrize(
    ("field", "header"),
    [
        pytest.param("category", "Category [list]", id="category-custom-field"),
        pytest.param("channel", "Via", id="channel"),
        pytest.param("customer_id", "Organization", id="organization"),
        pytest.param("solved_at", "Solved at", id="final-solve"),
    ],
)
def test_ticket_columns_mapped(field, header):
    preview = preview_file("tickets.csv", (SAMPLE_DIR / "tickets.csv").read_bytes())
    assert preview.mapping.columns[field] == header


@pytest.mark.parametrize(
    ("name", "column"),
    [
        pytest.param("deals.csv", "Create Date", id="deals"),
        pytest.param("orders.csv", "Order date", id="orders"),
        pytest.param("spend.csv", "Day", id="spend"),
        pytest.param("nps.csv", "Created", id="nps"),
        pytest.param("tickets.csv", "Created at", id="tickets"),
    ],
)
def test_sample_dates_cover_two_years(name, column):
    days = sorted(row[column][:10] for row in _rows(name))
    assert days[0][:7] == "2025-01"
    assert days[-1][:7] == "2026-11"


@pytest.mark.parametrize(
    ("name", "column"),
    [
        pytest.param("subscriptions.csv", "Start Date (UTC)", id="subscriptions"),
        pytest.param("subscriptions.csv", "Ended At (UTC)", id="ended"),
        pytest.param("email_events.csv", "Timestamp", id="email"),
        pytest.param("ticket_messages.csv", "Timestamp", id="messages"),
        pytest.param("tickets.csv", "Solved at", id="solved"),
    ],
)
def test_sample_dates_end_by_last_day(name, column):
    latest = max(row[column][:10] for row in _rows(name))
    assert latest <= LAST_DAY


@pytest.mark.parametrize(
    ("name", "column"),
    [
        pytest.param("orders.csv", "Customer ID", id="orders"),
        pytest.param("nps.csv", "Customer ID", id="nps"),
    ],
)
def test_customer_ids_known_to_billing(name, column):
    billed = {row["Customer ID"] for row in _rows("subscriptions.csv")}
    unknown = {row[column] for row in _rows(name)} - billed
    assert unknown == set()


def test_ticket_organizations_are_customers():
    customers = {row["Customer Name"] for row in _rows("subscriptions.csv")}
    unknown = {row["Organization"] for row in _rows("tickets.csv")} - customers
    assert unknown == set()


def test_won_deal_accounts_are_customers():
    customers = {row["Customer Name"] for row in _rows("subscriptions.csv")}
    won = {
        row["Associated Company"]
        for row in _rows("deals.csv")
        if row["Deal Stage"] == "Closed won"
    }
    assert won - customers == set()


def test_agent_messages_match_replies():
    tickets = _rows("tickets.csv")
    agent_messages = Counter(
        row["Ticket ID"]
        for row in _rows("ticket_messages.csv")
        if row["Author role"] == "agent"
    )
    mismatched = [
        row["Id"] for row in tickets if agent_messages[row["Id"]] != int(row["Replies"])
    ]
    assert mismatched == []


def test_tickets_include_open_and_reopened():
    tickets = _rows("tickets.csv")
    open_tickets = [row for row in tickets if not row["Solved at"]]
    reopened = [row for row in tickets if int(row["Reopens"]) > 0]
    assert len(open_tickets) >= 5
    assert len(reopened) >= 50


def test_subscriptions_cover_intervals_and_statuses():
    rows = _rows("subscriptions.csv")
    assert {row["Interval"] for row in rows} == {"month", "quarter", "year"}
    assert {"active", "canceled"} <= {row["Status"] for row in rows}


def test_subscriptions_include_reactivation():
    by_customer: dict[str, list[dict[str, str]]] = {}
    for row in sorted(_rows("subscriptions.csv"), key=lambda r: r["Start Date (UTC)"]):
        by_customer.setdefault(row["Customer ID"], []).append(row)
    # A comeback starts on a later day than every earlier subscription of its
    # customer ended.
    comebacks = [
        row
        for rows in by_customer.values()
        for index, row in enumerate(rows[1:], start=1)
        if all(
            earlier["Ended At (UTC)"]
            and earlier["Ended At (UTC)"][:10] < row["Start Date (UTC)"][:10]
            for earlier in rows[:index]
        )
    ]
    assert len(comebacks) >= 1


def test_late_delivery_phone_tickets_fall():
    # The service goal "25 % fewer phone complaints about late deliveries"
    # compares April to November 2026 with the same months of 2025.
    months = Counter(
        row["Created at"][:7]
        for row in _rows("tickets.csv")
        if row["Via"] == "Phone" and row["Category [list]"] == "Late delivery"
    )
    before = sum(months[f"2025-{month:02d}"] for month in range(4, 12))
    after = sum(months[f"2026-{month:02d}"] for month in range(4, 12))
    assert before >= 30
    assert after <= before * 0.75


def test_nps_sample_in_demo_range():
    scores = [int(row["Score"]) for row in _rows("nps.csv")]
    promoters = sum(score >= 9 for score in scores)
    detractors = sum(score <= 6 for score in scores)
    nps = (promoters - detractors) / len(scores) * 100
    assert 20 <= nps <= 45


def test_win_rate_sample_in_demo_range():
    stages = Counter(row["Deal Stage"] for row in _rows("deals.csv"))
    won, lost = stages["Closed won"], stages["Closed lost"]
    assert 25 <= won / (won + lost) * 100 <= 40


def test_monthly_churn_sample_in_demo_range():
    series = churn_series(_load("subscriptions.csv"), TWO_YEARS)
    mean_rate = series["churn_rate"].mean()
    assert 1 <= mean_rate <= 3


def test_resolution_sample_in_demo_range():
    result = resolution_hours(_load("tickets.csv"), TWO_YEARS)
    # A few business hours typically, two working days (16 hours) on average
    # at most.
    assert 2 <= result.extra["median"] <= 8
    assert result.value <= 16
