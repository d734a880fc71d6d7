"""The best earlier window that the Achievable check measures a target
against leaves out windows of few observations while others are there."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from kpi_core.goal_metrics import METRICS, UP, best_window


def _events() -> pl.DataFrame:
    # 6 addresses join on 2 January 2024, 300 in February and 10 on the
    # 15th of each month from March to November.
    rows = [(f"a{n}@ex.com", date(2024, 1, 2)) for n in range(6)]
    rows += [(f"b{n}@ex.com", date(2024, 2, 1 + n % 28)) for n in range(300)]
    rows += [
        (f"c{month}-{n}@ex.com", date(2024, month, 15))
        for month in range(3, 12)
        for n in range(10)
    ]
    return pl.DataFrame(
        {
            "email": [email for email, _day in rows],
            "event": ["subscribe"] * len(rows),
            "occurred_at": [day for _email, day in rows],
        }
    )


def test_small_base_window_left_out():
    # Windows of 30 days from the 1st of each month. February's starts with
    # 6 contacts and grows by 300 / 6 = 5,000 %; March's starts with 306
    # and grows by 10 / 306 = 3.27 %, the best of the others.
    best = best_window(
        METRICS["list_growth_rate"], _events(), date(2024, 12, 1), 30, UP
    )
    assert best == pytest.approx(10 / 306 * 100)
