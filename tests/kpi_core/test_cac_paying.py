"""A customer counts as acquired when a subscription of theirs first pays,
for CAC as for the ARR bridge."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.period import Period

JANUARY = Period(date(2025, 1, 1), date(2025, 1, 31))
# X tries a free plan from 10 December and pays from 5 January; Y pays from
# 10 January; Z has paid since June.
SUBSCRIPTIONS = (
    "subscription_id,customer_id,started_at,ended_at,monthly_charge\n"
    "S1,X,2024-12-10,2025-01-05,0\n"
    "S2,X,2025-01-05,,100\n"
    "S3,Y,2025-01-10,,50\n"
    "S4,Z,2024-06-01,,80\n"
)
SPEND = "date,amount\n2025-01-01,300\n"


def _cac(subscriptions: str = SUBSCRIPTIONS):
    tables = {
        "subscriptions": load_file("subs.csv", subscriptions.encode()).frame,
        "spend": load_file("spend.csv", SPEND.encode(), table="spend").frame,
    }
    return compute_kpis(tables, KpiSettings(period=JANUARY))["cac"]


def test_free_plan_acquires_no_customer():
    result = _cac()
    # X and Y first pay in January: 300 / 2 = 150.
    assert result.denominator == 2
    assert result.value == pytest.approx(150.0)


def test_empty_charge_free_plan_acquires_no_customer():
    # X's free plan has an empty charge cell instead of 0.
    subs = SUBSCRIPTIONS.replace(
        "S1,X,2024-12-10,2025-01-05,0", "S1,X,2024-12-10,2025-01-05,"
    )
    result = _cac(subs)
    assert result.denominator == 2
    assert result.value == pytest.approx(150.0)


def test_paused_customer_acquired():
    # X pays 100 from 5 January and is paused now; Y pays from 10 January.
    subs = (
        "subscription_id,customer_id,started_at,ended_at,monthly_charge,status\n"
        "S2,X,2025-01-05,,100,paused\n"
        "S3,Y,2025-01-10,,50,active\n"
    )
    result = _cac(subs)
    assert result.denominator == 2


def test_paused_free_plan_not_acquired():
    # B's plan is free and paused, C's has no charge and is paused.
    subs = (
        "subscription_id,customer_id,started_at,ended_at,monthly_charge,status\n"
        "S1,A,2025-01-05,,100,active\n"
        "S2,B,2025-01-06,,0,paused\n"
        "S3,C,2025-01-07,,,paused\n"
    )
    assert _cac(subs).denominator == 1
