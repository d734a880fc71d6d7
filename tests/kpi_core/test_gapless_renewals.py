"""A contract renewed the day after its stated end date continues without a
gap: no churn, no reactivation, and the MRR moves to the new charge on the
new start day. A gap of two days or more, or an end date without a next
contract, still counts as churn."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from kpi_core.churn import churn_rate, churn_series
from kpi_core.goal_progress import evaluate_goal
from kpi_core.goals import Goal
from kpi_core.importing import load_file
from kpi_core.marketing_series import arr_series
from kpi_core.period import Period
from kpi_core.subscriptions import arr, arr_bridge, upsell_rate_subscriptions
from kpi_core.whatif_baseline import baseline_levers
from tests.conftest import PROJECT

HEADER = "Vertragsnummer;Kundennummer;Vertragsbeginn;Vertragsende;Monatlicher Betrag\n"
# K-1's first contract runs through 31 March 2025 and the next one starts
# on 1 April. K-2, K-3 and K-4 pay 100 EUR a month throughout.
GAPLESS = HEADER + (
    "V-1;K-1;01.01.2024;31.03.2025;100,00\n"
    "V-2;K-1;01.04.2025;;100,00\n"
    "V-3;K-2;01.06.2024;;100,00\n"
    "V-4;K-3;01.03.2024;;100,00\n"
    "V-5;K-4;01.02.2024;;100,00\n"
)
# K-1 renews at 150 EUR instead of 100 EUR.
UPGRADE = HEADER + (
    "V-1;K-1;01.01.2024;31.03.2025;100,00\n"
    "V-2;K-1;01.04.2025;;150,00\n"
    "V-3;K-2;01.06.2024;;100,00\n"
    "V-4;K-3;01.03.2024;;100,00\n"
)
# K-1 renews without a gap. K-2's contract ends on 30 March and the next one
# starts two days later, on 1 April. K-3's contract ends on 31 March with
# no next one. K-4 pays throughout. K-5's next contract starts on 1 April
# but also ends then, so it never runs.
MIXED = HEADER + (
    "V-1;K-1;01.01.2024;31.03.2025;100,00\n"
    "V-2;K-1;01.04.2025;;100,00\n"
    "V-3;K-2;01.06.2024;30.03.2025;100,00\n"
    "V-4;K-2;01.04.2025;;100,00\n"
    "V-5;K-3;01.03.2024;31.03.2025;100,00\n"
    "V-6;K-4;01.02.2024;;100,00\n"
    "V-7;K-5;01.02.2024;31.03.2025;100,00\n"
    "V-8;K-5;01.04.2025;01.04.2025;100,00\n"
)
MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))
SECOND_QUARTER = Period(date(2025, 4, 1), date(2025, 6, 30))


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _load(tmp_path, name: str, text: str):
    path = _write(tmp_path, name, text)
    return load_file(path.name, path.read_bytes(), table="subscriptions").frame


def _report(path, start: str, end: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path), "--from", start]
        + ["--to", end],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["kpis"]


def test_cli_gapless_renewal_no_churn(tmp_path):
    path = _write(tmp_path, "vertraege.csv", GAPLESS)
    march = _report(path, "2025-03-01", "2025-03-31")
    # All 4 customers are active at the close of 28 February and of 31 March.
    assert march["churn_rate"]["numerator"] == 0
    assert march["churn_rate"]["denominator"] == 4
    assert march["churn_rate"]["reactivations"] == 0
    # 4 customers x 100 EUR x 12 = 4,800 EUR, at the start and at the end.
    assert march["arr"]["value"] == pytest.approx(4800.0)
    assert march["arr"]["bridge"]["start"] == pytest.approx(4800.0)
    assert march["arr"]["bridge"]["churned"] == pytest.approx(0.0)
    # No customer churned, so the data gives CLV no lifespan.
    assert march["clv"]["status"] == "not_available"
    half_year = _report(path, "2025-01-01", "2025-06-30")
    # No month loses a customer: 1 - (1 - 0)^12 = 0 %.
    assert half_year["churn_rate"]["annualised"] == pytest.approx(0.0)


def test_gapless_renewal_other_kpis(tmp_path):
    subs = _load(tmp_path, "vertraege.csv", GAPLESS)
    # K-1 pays at the close of 31 March: 4 x 100 x 12 = 4,800 EUR.
    series = arr_series(subs, MARCH)
    assert series["arr"].to_list() == [pytest.approx(4800.0)]
    levers, _notes = baseline_levers({"subscriptions": subs}, MARCH)
    assert levers.active_customers == 4
    # 0 of 4 churned in March, so 1 - (1 - 0)^12 = 0 % a year.
    assert levers.churn_rate == pytest.approx(0.0)


def test_renewal_upgrade_is_expansion(tmp_path):
    subs = _load(tmp_path, "vertraege.csv", UPGRADE)
    bridge = {
        row["step"]: row
        for row in arr_bridge(subs, SECOND_QUARTER).iter_rows(named=True)
    }
    # Close of 31 March: K-1, K-2 and K-3 at 100 each, 3 x 100 x 12 = 3,600.
    assert bridge["start"]["amount"] == pytest.approx(3600.0)
    # K-1 moves from 100 to 150: (150 - 100) x 12 = 600.
    assert bridge["expansion"]["amount"] == pytest.approx(600.0)
    assert bridge["expansion"]["customers"] == 1
    assert bridge["reactivation"]["amount"] == pytest.approx(0.0)
    assert bridge["churned"]["amount"] == pytest.approx(0.0)
    assert bridge["new"]["amount"] == pytest.approx(0.0)
    # 3,600 + 600 = 4,200 = (150 + 100 + 100) x 12.
    assert bridge["end"]["amount"] == pytest.approx(4200.0)
    steps = sum(row["signed_amount"] for step, row in bridge.items() if step != "end")
    assert steps == pytest.approx(bridge["end"]["amount"])
    upsell = upsell_rate_subscriptions(subs, SECOND_QUARTER)
    # K-1 of the 3 active customers pays more at the end than at the start.
    assert upsell.numerator == 1
    assert upsell.denominator == 3
    churn = churn_rate(subs, SECOND_QUARTER)
    assert churn.numerator == 0
    assert churn.denominator == 3


def test_gap_and_plain_end_still_churn(tmp_path):
    subs = _load(tmp_path, "vertraege.csv", MIXED)
    two_months = Period(date(2025, 3, 1), date(2025, 4, 30))
    table = churn_series(subs, two_months, "month")
    march, april = table.iter_rows(named=True)
    # March opens with K-1 to K-5. At the close of 31 March K-1 (renewed the
    # next day) and K-4 are active. K-2 (ended 30 March), K-3 (no next
    # contract) and K-5 (next contract never runs) have left, so 3 churned.
    assert march["customers_at_start"] == 5
    assert march["churned"] == 3
    # April opens with K-1 and K-4. K-2 comes back on 1 April, which is a
    # reactivation. K-1 continues, so it is no reactivation.
    assert april["customers_at_start"] == 2
    assert april["churned"] == 0
    assert april["reactivations"] == 1
    revenue = churn_series(subs, two_months, "month", "revenue")
    march_revenue = revenue.row(0, named=True)
    # 5 x 100 = 500 at the start, and K-2, K-3 and K-5 lose 3 x 100 = 300.
    assert march_revenue["mrr_at_start"] == pytest.approx(500.0)
    assert march_revenue["mrr_lost"] == pytest.approx(300.0)


def test_stripe_times_renewal(tmp_path):
    # cus_1's first subscription ends at 23:59 on 31 March and the next one
    # starts at 00:00 on 1 April, at 150 instead of 100 a month. With
    # "(UTC)" headers the times are read in UTC and shown in Europe/Berlin.
    for zone in ("", " (UTC)"):
        text = (
            f"Customer ID,Start Date{zone},Ended At{zone},Amount,Interval,Currency\n"
            "cus_1,2024-01-01 00:00,2025-03-31 23:59,100,month,eur\n"
            "cus_1,2025-04-01 00:00,,150,month,eur\n"
            "cus_2,2024-06-01 00:00,,100,month,eur\n"
            "cus_3,2024-03-01 00:00,,100,month,eur\n"
        )
        subs = _load(tmp_path, "subscriptions.csv", text)
        march = churn_rate(subs, MARCH)
        assert march.numerator == 0, zone
        assert march.denominator == 3, zone
        # Close of 31 March: 3 x 100 x 12 = 3,600.
        assert arr(subs, MARCH).value == pytest.approx(3600.0), zone
        bridge = arr(subs, SECOND_QUARTER).extra["bridge"]
        # (150 - 100) x 12 = 600, and no reactivation.
        assert bridge["expansion"] == pytest.approx(600.0), zone
        assert bridge["reactivation"] == pytest.approx(0.0), zone


def test_goal_as_of_end_day(tmp_path):
    subs = _load(tmp_path, "vertraege.csv", GAPLESS)
    goal = Goal("Churn", "churn_rate", 5.0, date(2025, 1, 1), date(2025, 6, 30))
    # An export of 31 March already lists K-1's contract from 1 April, so
    # K-1 is active at the close of 31 March: 0 of 4 churned.
    status = evaluate_goal(goal, {"subscriptions": subs}, date(2025, 3, 31))
    assert status.n == 4
    assert status.current == pytest.approx(0.0)
