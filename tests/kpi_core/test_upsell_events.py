"""The subscription upsell rate counts a customer whose MRR rises on a day of
the period while they already paid, even when the MRR falls back before the
period ends. A rise that falls back to where it was within a month is a plan
change and does not count. A first paid day, a move to a cheaper plan and a
renewal at the same price are no upsell."""

from datetime import date
from pathlib import Path

import pytest

from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.subscriptions import upsell_rate_subscriptions

HEADER = (
    "id,Customer ID,Customer Email,Status,Created (UTC),Start (UTC),"
    "Canceled At (UTC),Ended At (UTC),Plan,Quantity,Amount,Interval\n"
)
YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))
SECOND_QUARTER = Period(date(2025, 4, 1), date(2025, 6, 30))
# A customer who pays 20 EUR a month throughout and never buys more.
STEADY = ("sub_9", "cus_b", "2024-01-01", None, "Basic", "20")


def _stripe_file(tmp_path: Path, rows) -> Path:
    """Write a Stripe subscriptions export with monthly prices, one line per
    (id, customer, start, end, plan, amount). A row with an end date is
    canceled on that date."""
    lines = [HEADER]
    for sub_id, customer, start, end, plan, amount in rows:
        status = "active" if end is None else "canceled"
        ended = "" if end is None else f"{end} 00:00"
        lines.append(
            f"{sub_id},{customer},{customer}@example.com,{status},"
            f"{start} 00:00,{start} 00:00,{ended},{ended},{plan},1,{amount},month\n"
        )
    path = tmp_path / "subscriptions.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _load(tmp_path: Path, rows):
    path = _stripe_file(tmp_path, rows)
    return load_file(path.name, path.read_bytes(), table="subscriptions").frame


# cus_4 pays 99 EUR a month from 1 November 2025 and adds a 19 EUR add-on
# from 1 December 2025 to 1 March 2026. The latest date in the file is
# 10 March 2026, when cus_7 starts.
ADDON_ENDED = [
    ("sub_1", "cus_1", "2025-01-15", None, "Pro", "49"),
    ("sub_2", "cus_2", "2025-03-01", "2025-09-30", "Pro", "49"),
    ("sub_3", "cus_3", "2025-06-01", None, "Basic", "29"),
    ("sub_4", "cus_4", "2025-11-01", None, "Business", "99"),
    ("sub_5", "cus_4", "2025-12-01", "2026-03-01", "Addon", "19"),
    ("sub_6", "cus_5", "2025-10-01", None, "Pro", "49"),
    ("sub_7", "cus_6", "2026-01-15", None, "Basic", "29"),
    ("sub_8", "cus_7", "2026-03-10", None, "Business", "99"),
]


def test_ended_addon_counts_in_all_data(tmp_path):
    result = upsell_rate_subscriptions(_load(tmp_path, ADDON_ENDED))
    # All data runs from 15 January 2025 to 10 March 2026, and all 7
    # customers are active in it. cus_4 pays 99 at the close of 30 November
    # and 99 + 19 = 118 at the close of 1 December, so it counts, although
    # it pays 99 again at the end. 1 / 7 x 100 = 14.29 %.
    assert result.numerator == 1
    assert result.denominator == 7
    assert result.value == pytest.approx(100 / 7)


def test_ended_addon_counts_in_year(tmp_path):
    result = upsell_rate_subscriptions(_load(tmp_path, ADDON_ENDED), YEAR_2025)
    # cus_1 to cus_5 are active in 2025, and cus_4 rises from 99 to 118 on
    # 1 December. 1 / 5 x 100 = 20 %.
    assert result.numerator == 1
    assert result.denominator == 5
    assert result.value == pytest.approx(20.0)


def test_upgrade_then_downgrade_counts(tmp_path):
    rows = [
        ("sub_1", "cus_a", "2024-03-01", "2025-05-01", "Basic", "20"),
        ("sub_2", "cus_a", "2025-05-01", "2025-09-01", "Pro", "50"),
        ("sub_3", "cus_a", "2025-09-01", None, "Basic", "20"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), YEAR_2025)
    # cus_a moves from 20 to 50 on 1 May (50 - 20 = +30 while paying 20) and
    # back to 20 on 1 September, so it starts and ends 2025 at 20.
    # 1 of the 2 active customers: 1 / 2 x 100 = 50 %.
    assert result.numerator == 1
    assert result.denominator == 2
    assert result.value == pytest.approx(50.0)


def test_cheaper_plan_is_no_upsell(tmp_path):
    rows = [
        ("sub_1", "cus_a", "2024-03-01", "2025-06-01", "Pro", "50"),
        ("sub_2", "cus_a", "2025-06-01", None, "Basic", "20"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), YEAR_2025)
    # On 1 June cus_a goes from 50 to 20: 20 - 50 = -30, no rise. 0 / 2.
    assert result.numerator == 0
    assert result.denominator == 2


def test_first_two_subscriptions_no_upsell(tmp_path):
    rows = [
        ("sub_1", "cus_a", "2025-02-01", None, "Pro", "50"),
        ("sub_2", "cus_a", "2025-02-01", None, "Seats", "30"),
        ("sub_9", "cus_b", "2025-01-10", None, "Basic", "20"),
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows))
    # cus_a pays 0 at the close of 31 January and 50 + 30 = 80 at the close
    # of 1 February, its first paid day, and nothing changes later. 0 / 2.
    assert result.numerator == 0
    assert result.denominator == 2


def test_same_price_renewal_no_upsell(tmp_path):
    rows = [
        ("sub_1", "cus_a", "2024-04-01", "2025-03-31", "Pro", "50"),
        ("sub_2", "cus_a", "2025-04-01", None, "Pro", "50"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), YEAR_2025)
    # The renewal starts the day after the old end date, so cus_a pays 50
    # at the close of 31 March and 50 at the close of 1 April. 0 / 2.
    assert result.numerator == 0
    assert result.denominator == 2


def test_higher_price_renewal_counts(tmp_path):
    # The renewed contract ends on 31 October, so cus_a pays less at the end
    # of 2025 (0) than at its start (50) and only the day of the renewal
    # shows the rise.
    rows = [
        ("sub_1", "cus_a", "2024-04-01", "2025-03-31", "Pro", "50"),
        ("sub_2", "cus_a", "2025-04-01", "2025-10-31", "Pro Plus", "80"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), YEAR_2025)
    # The renewal keeps sub_1 running through 31 March, so cus_a pays 50 at
    # the close of 31 March and 80 at the close of 1 April: +30 while
    # paying 50. 1 / 2 x 100 = 50 %.
    assert result.numerator == 1
    assert result.denominator == 2
    assert result.value == pytest.approx(50.0)


def test_earlier_addon_no_upsell(tmp_path):
    rows = [
        ("sub_1", "cus_a", "2024-06-01", None, "Pro", "50"),
        ("sub_2", "cus_a", "2025-02-01", None, "Addon", "19"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), SECOND_QUARTER)
    # cus_a rose from 50 to 69 on 1 February, before the quarter, and pays
    # 69 on every day from 1 April to 30 June. 0 / 2.
    assert result.numerator == 0
    assert result.denominator == 2


def test_split_plan_float_noise(tmp_path):
    rows = [
        ("sub_1", "cus_a", "2024-06-01", "2025-05-01", "Team", "3.30"),
        ("sub_2", "cus_a", "2025-05-01", None, "Seats", "1.10"),
        ("sub_3", "cus_a", "2025-05-01", None, "Seat pack", "2.20"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), YEAR_2025)
    # On 1 May cus_a swaps its 3.30 plan for 1.10 + 2.20. In floating point
    # that is 3.3000000000000003 > 3.30, but in whole cents 110 + 220 = 330,
    # the same as before. 0 / 2.
    assert result.numerator == 0
    assert result.denominator == 2


def test_overlapping_cheaper_plan_no_upsell(tmp_path):
    # The 100 EUR plan runs to 2 June, a day past the start of the 80 EUR
    # plan that replaces it.
    rows = [
        ("sub_1", "cus_a", "2024-01-01", "2025-06-02", "Pro", "100"),
        ("sub_2", "cus_a", "2025-06-01", None, "Basic", "80"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), YEAR_2025)
    # cus_a pays 100 at the close of 31 May, 100 + 80 = 180 at the close of
    # 1 June and 80 from 2 June. The rise of 1 June falls back below 100 a
    # day later, so it is a plan change. 0 / 2.
    assert result.numerator == 0
    assert result.denominator == 2
    assert result.value == pytest.approx(0.0)


def test_overlapping_dearer_plan_counts(tmp_path):
    rows = [
        ("sub_1", "cus_a", "2024-01-01", "2025-06-02", "Pro", "100"),
        ("sub_2", "cus_a", "2025-06-01", None, "Business", "150"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), YEAR_2025)
    # cus_a pays 100, then 100 + 150 = 250 on 1 June and 150 from 2 June,
    # which stays above the 100 paid before the rise. 1 / 2 x 100 = 50 %.
    assert result.numerator == 1
    assert result.denominator == 2
    assert result.value == pytest.approx(50.0)


def test_addon_for_ten_days_no_upsell(tmp_path):
    rows = [
        ("sub_1", "cus_a", "2024-01-01", None, "Pro", "50"),
        ("sub_2", "cus_a", "2025-03-10", "2025-03-20", "Addon", "19"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), YEAR_2025)
    # cus_a pays 50 + 19 = 69 from 10 March and 50 again from 20 March, 10
    # days later and before 10 April. 0 / 2.
    assert result.numerator == 0
    assert result.denominator == 2


def test_addon_for_ninety_days_counts(tmp_path):
    rows = [
        ("sub_1", "cus_a", "2024-01-01", None, "Pro", "50"),
        ("sub_2", "cus_a", "2025-03-10", "2025-06-08", "Addon", "19"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), YEAR_2025)
    # cus_a pays 69 from 10 March to 7 June, 90 days, and 50 from 8 June,
    # after 10 April. 1 / 2 x 100 = 50 %.
    assert result.numerator == 1
    assert result.denominator == 2
    assert result.value == pytest.approx(50.0)


def test_addon_for_one_month_counts(tmp_path):
    rows = [
        ("sub_1", "cus_a", "2024-01-01", None, "Pro", "50"),
        ("sub_2", "cus_a", "2025-02-01", "2025-03-01", "Addon", "19"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), YEAR_2025)
    # cus_a pays 69 for all of February, 28 days, and 50 from 1 March, the
    # same day of the next month, so the add-on was kept a month.
    # 1 / 2 x 100 = 50 %.
    assert result.numerator == 1
    assert result.denominator == 2
    assert result.value == pytest.approx(50.0)


def test_cheaper_plan_after_period_no_upsell(tmp_path):
    # The 80 EUR plan starts on the last day of the second quarter, and the
    # 100 EUR plan it replaces runs to 5 July.
    rows = [
        ("sub_1", "cus_a", "2024-01-01", "2025-07-05", "Pro", "100"),
        ("sub_2", "cus_a", "2025-06-30", None, "Basic", "80"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), SECOND_QUARTER)
    # cus_a pays 180 at the close of 30 June, the last day of the quarter,
    # and 80 from 5 July. The fall after the quarter still marks the rise
    # as a plan change. 0 / 2.
    assert result.numerator == 0
    assert result.denominator == 2


def test_upgrade_then_cancellation_counts(tmp_path):
    # cus_a moves from the 50 EUR plan to the 100 EUR plan on 10 March and
    # cancels it on 25 March.
    rows = [
        ("sub_1", "cus_a", "2024-01-01", "2025-03-10", "Pro", "50"),
        ("sub_2", "cus_a", "2025-03-10", "2025-03-25", "Business", "100"),
        STEADY,
    ]
    result = upsell_rate_subscriptions(_load(tmp_path, rows), YEAR_2025)
    # cus_a pays 50 at the close of 9 March, 100 from 10 March and nothing
    # from 25 March. Paying nothing is a cancellation, not the old plan
    # running on, so the upgrade counts. 1 / 2 x 100 = 50 %.
    assert result.numerator == 1
    assert result.denominator == 2
    assert result.value == pytest.approx(50.0)
