import csv
import statistics
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_core.errors import InvalidSettingError, InvalidValueError
from kpi_core.period import Period
from kpi_core.sales import (
    average_deal_size,
    close_rate,
    sales_cycle_days,
    sales_kpis,
    upsell_rate,
    win_rate,
    won_value,
)

D = date
DEALS_SCHEMA = {
    "deal_id": pl.String,
    "owner": pl.String,
    "stage": pl.String,
    "status": pl.String,
    "created_at": pl.Date,
    "closed_at": pl.Date,
    "amount": pl.Float64,
}
# Cycle lengths in days: d1 30 (5 Jan to 4 Feb), d2 10, d3 46 (15 Jan to 1 Mar
# 2024, a leap year), d4 30 (1 Feb to 2 Mar), d6 15.
SAMPLE = [
    ("d1", "Ana", "Won", "won", D(2024, 1, 5), D(2024, 2, 4), 1000.0),
    ("d2", "Ana", "Won", "won", D(2024, 1, 10), D(2024, 1, 20), 3000.0),
    ("d3", "Ben", "Lost", "lost", D(2024, 1, 15), D(2024, 3, 1), None),
    ("d4", "Ben", "Won", "won", D(2024, 2, 1), D(2024, 3, 2), None),
    ("d5", None, "Demo", "open", D(2024, 2, 10), None, 500.0),
    ("d6", "Ana", "Lost", "lost", D(2024, 3, 5), D(2024, 3, 20), 200.0),
    ("d7", "Ben", "Demo", "open", None, None, None),
    ("d8", "Ana", "Won", "won", None, D(2024, 3, 25), 2000.0),
]
JANUARY = Period(D(2024, 1, 1), D(2024, 1, 31))
FEBRUARY_TO_MARCH = Period(D(2024, 2, 1), D(2024, 3, 31))
LATER = Period(D(2030, 1, 1), D(2030, 12, 31))


def deals_frame(rows, **extra_columns) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=DEALS_SCHEMA, orient="row")
    return frame.with_columns(
        pl.Series(name, values, dtype=pl.String)
        for name, values in extra_columns.items()
    )


@pytest.fixture
def sample() -> pl.DataFrame:
    return deals_frame(SAMPLE)


@pytest.fixture
def empty() -> pl.DataFrame:
    return deals_frame([])


# Close rate


def test_close_rate_all_data(sample):
    result = close_rate(sample)
    assert result.value == pytest.approx(4 / 8 * 100)
    assert result.numerator == 4
    assert result.n == 8
    assert result.unit == "percent"
    assert result.variant == "won / deals created in the period"
    assert result.excluded == {}


def test_close_rate_explicit_period(sample):
    # Created in January: d1, d2 (won) and d3 (lost).
    result = close_rate(sample, JANUARY)
    assert result.value == pytest.approx(2 / 3 * 100)
    assert result.n == 3
    assert result.excluded == {"deal without a creation date": 2}


def test_close_rate_formula_with_numbers(sample):
    assert close_rate(sample).formula == "4 won / 8 deals x 100 = 50.00 %"


def test_close_rate_interval_contains_value(sample):
    low, high = close_rate(sample).ci95
    assert low < 50.0
    assert high > 50.0


def test_close_rate_no_deals_in_period(sample):
    result = close_rate(sample, LATER)
    assert not result.available
    assert result.reason == "no deals were created in this period"


def test_close_rate_empty_frame(empty):
    assert close_rate(empty).status == "not_available"


def test_close_rate_closed_variant(sample):
    result = close_rate(sample, variant="closed")
    assert result.key == "close_rate"
    assert result.value == pytest.approx(4 / 6 * 100)
    assert result.variant == "won / (won + lost) by close date"


def test_close_rate_unknown_variant(sample):
    with pytest.raises(InvalidSettingError, match="unknown variant 'all'"):
        close_rate(sample, variant="all")


RANDOM_DEALS = st.lists(
    st.tuples(
        st.sampled_from(["won", "lost", "open"]),
        st.none() | st.integers(min_value=0, max_value=60),
        st.none() | st.integers(min_value=0, max_value=60),
    ),
    max_size=40,
)
RANDOM_PERIODS = st.sampled_from(
    [Period(), Period(D(2024, 1, 15), D(2024, 2, 15)), Period(end=D(2024, 1, 20))]
)


def random_frame(deals) -> pl.DataFrame:
    def day(offset):
        return None if offset is None else D(2024, 1, 1) + timedelta(days=offset)

    rows = [
        (f"d{index}", None, status, status, day(created), day(closed), None)
        for index, (status, created, closed) in enumerate(deals)
    ]
    return deals_frame(rows)


@settings(max_examples=80, deadline=None)
@given(deals=RANDOM_DEALS, period=RANDOM_PERIODS)
def test_sales_rates_within_bounds(deals, period):
    frame = random_frame(deals)
    for result in (close_rate(frame, period), win_rate(frame, period)):
        if result.available:
            assert 0.0 <= result.value <= 100.0
            assert result.ci95[0] <= result.value + 1e-9
            assert result.value <= result.ci95[1] + 1e-9


# Win rate


def test_win_rate_all_data(sample):
    result = win_rate(sample)
    assert result.value == pytest.approx(4 / 6 * 100)
    assert result.n == 6
    assert result.variant == "won / (won + lost)"


def test_win_rate_by_close_date(sample):
    # Closed in February or March: d1, d4, d8 won and d3, d6 lost.
    assert win_rate(sample, FEBRUARY_TO_MARCH).value == pytest.approx(3 / 5 * 100)


def test_win_rate_formula_with_numbers(sample):
    assert win_rate(sample).formula == "4 won / (4 won + 2 lost) x 100 = 66.67 %"


def test_win_rate_no_closed_deals():
    rows = [("d1", "Ana", "Demo", "open", D(2024, 1, 1), None, 10.0)]
    result = win_rate(deals_frame(rows))
    assert not result.available
    assert result.reason == "no deals were won or lost in this period"


def test_win_rate_empty_frame(empty):
    assert win_rate(empty).status == "not_available"


def test_win_rate_undated_all_data():
    rows = [
        ("d1", "Ana", "Won", "won", D(2024, 1, 1), None, 10.0),
        ("d2", "Ana", "Lost", "lost", D(2024, 1, 1), D(2024, 1, 9), None),
    ]
    result = win_rate(deals_frame(rows))
    assert result.value == pytest.approx(1 / 2 * 100)
    assert result.excluded == {}


def test_win_rate_undated_explicit_period():
    rows = [
        ("d1", "Ana", "Won", "won", D(2024, 1, 1), None, 10.0),
        ("d2", "Ana", "Lost", "lost", D(2024, 1, 1), D(2024, 1, 9), None),
    ]
    result = win_rate(deals_frame(rows), JANUARY)
    assert result.value == pytest.approx(0 / 1 * 100)
    assert result.excluded == {"won or lost deal without a close date": 1}


# Money: won value and average deal size


def test_won_value_skips_missing_amount(sample):
    # d1 1000 + d2 3000 + d8 2000; d4 is won without an amount.
    result = won_value(sample)
    assert result.value == pytest.approx(1000 + 3000 + 2000)
    assert result.unit == "EUR"
    assert result.n == 3
    assert result.excluded == {"won deal without an amount": 1}


def test_won_value_by_close_date(sample):
    assert won_value(sample, FEBRUARY_TO_MARCH).value == pytest.approx(1000 + 2000)


def test_won_value_formula_with_numbers(sample):
    expected = "sum of 3 won deal amounts = 6,000.00 EUR"
    assert won_value(sample).formula == expected


def test_won_value_no_won_deals(sample):
    result = won_value(sample, LATER)
    assert result.value == 0.0
    assert result.n == 0


def test_won_value_empty_frame(empty):
    result = won_value(empty)
    assert not result.available
    assert result.reason == "no deal was created, open or closed in this period"


def test_won_value_all_amounts_missing():
    rows = [("d1", "Ana", "Won", "won", D(2024, 1, 1), D(2024, 1, 2), None)]
    result = won_value(deals_frame(rows))
    assert not result.available
    assert result.reason == "the deal won in this period has no amount"


def test_won_value_two_amounts_missing():
    rows = [
        ("d1", "Ana", "Won", "won", D(2024, 1, 1), D(2024, 1, 2), None),
        ("d2", "Ben", "Won", "won", D(2024, 1, 1), D(2024, 1, 3), None),
    ]
    result = won_value(deals_frame(rows))
    assert not result.available
    assert result.reason == "none of the 2 deals won in this period has an amount"


def test_won_value_undated_explicit_period():
    rows = [
        ("d1", "Ana", "Won", "won", D(2024, 1, 1), None, 10.0),
        ("d2", "Ana", "Won", "won", D(2024, 1, 1), D(2024, 1, 9), 5.0),
    ]
    assert won_value(deals_frame(rows)).value == pytest.approx(10 + 5)
    result = won_value(deals_frame(rows), JANUARY)
    assert result.value == pytest.approx(5.0)
    assert result.excluded == {"won deal without a close date": 1}


def test_won_value_given_currency(sample):
    assert won_value(sample, currency="usd").unit == "USD"


def test_won_value_mixed_currencies_rejected():
    rows = [
        ("d1", "Ana", "Won", "won", D(2024, 1, 1), D(2024, 1, 2), 100.0),
        ("d2", "Ana", "Won", "won", D(2024, 1, 1), D(2024, 1, 3), 200.0),
    ]
    deals = deals_frame(rows, currency=["EUR", "USD"])
    with pytest.raises(InvalidValueError, match=r"EUR, USD.*--fx USD=0\.92"):
        won_value(deals)


def test_won_value_mixed_currencies_converted():
    rows = [
        ("d1", "Ana", "Won", "won", D(2024, 1, 1), D(2024, 1, 2), 100.0),
        ("d2", "Ana", "Won", "won", D(2024, 1, 1), D(2024, 1, 3), 200.0),
    ]
    deals = deals_frame(rows, currency=["EUR", "USD"])
    result = won_value(deals, currency="EUR", fx={"USD": 0.5})
    assert result.value == pytest.approx(100 + 200 * 0.5)
    assert result.unit == "EUR"


def test_won_value_lost_currency_ignored():
    # Only won deals are summed, so the lost deal's USD needs no rate.
    rows = [
        ("d1", "Ana", "Won", "won", D(2024, 1, 1), D(2024, 1, 2), 100.0),
        ("d2", "Ana", "Lost", "lost", D(2024, 1, 1), D(2024, 1, 3), 200.0),
    ]
    deals = deals_frame(rows, currency=["EUR", "USD"])
    assert won_value(deals).value == pytest.approx(100.0)


def test_won_value_counts_missing_code():
    rows = [
        ("d1", "Ana", "Won", "won", D(2024, 1, 1), D(2024, 1, 2), 100.0),
        ("d2", "Ana", "Won", "won", D(2024, 1, 1), D(2024, 1, 3), 200.0),
    ]
    result = won_value(deals_frame(rows, currency=["EUR", None]))
    assert result.value == pytest.approx(100.0)
    assert result.excluded == {"won deal without a currency code": 1}


def test_average_deal_size_mean_and_median(sample):
    result = average_deal_size(sample)
    assert result.value == pytest.approx((1000 + 3000 + 2000) / 3)
    assert result.extra == {"median": 2000.0}
    assert result.denominator == 3
    assert result.excluded == {"won deal without an amount": 1}


def test_average_deal_size_formula_with_numbers(sample):
    expected = "6,000.00 EUR / 3 won deals = 2,000.00 EUR"
    assert average_deal_size(sample).formula == expected


def test_average_deal_size_no_won_deals(sample):
    result = average_deal_size(sample, LATER)
    assert not result.available
    assert result.reason == "no deals with an amount were won in this period"


def test_average_deal_size_empty_frame(empty):
    assert average_deal_size(empty).status == "not_available"


# Sales cycle


def test_sales_cycle_days_won_deals(sample):
    # Won with both dates: d1 30, d2 10, d4 30 days; d8 has no creation date.
    result = sales_cycle_days(sample)
    assert result.value == pytest.approx((30 + 10 + 30) / 3)
    assert result.extra == {
        "median": 30.0,
        "measured_from": {"first_contact_at": 0, "created_at": 3},
    }
    assert result.unit == "days"
    assert result.n == 3


def test_sales_cycle_days_counts_exclusions(sample):
    # Open d5 and d7 have no close date.
    assert sales_cycle_days(sample).excluded == {
        "open deal without a close date": 2,
        "won deal without a creation date": 1,
    }


def test_sales_cycle_days_explicit_period(sample):
    # Won in February or March: d1 30 and d4 30. Open d5 and d7 have no
    # close date, so no period can place them.
    result = sales_cycle_days(sample, FEBRUARY_TO_MARCH)
    assert result.value == pytest.approx((30 + 30) / 2)
    assert result.excluded == {
        "open deal without a close date": 2,
        "won deal without a creation date": 1,
    }


def test_sales_cycle_days_closed_variant(sample):
    # Won and lost: d1 30, d2 10, d3 46, d4 30, d6 15.
    result = sales_cycle_days(sample, variant="closed")
    assert result.value == pytest.approx((30 + 10 + 46 + 30 + 15) / 5)
    assert result.extra == {
        "median": 30.0,
        "measured_from": {"first_contact_at": 0, "created_at": 5},
    }
    assert result.variant == "won and lost deals"


def test_sales_cycle_days_closed_before_created():
    rows = [
        ("d1", "Ana", "Won", "won", D(2024, 1, 10), D(2024, 1, 5), 1.0),
        ("d2", "Ana", "Won", "won", D(2024, 1, 10), D(2024, 1, 12), 1.0),
    ]
    result = sales_cycle_days(deals_frame(rows))
    assert result.value == pytest.approx(2.0)
    assert result.excluded == {"won deal closed before it was created": 1}


def test_sales_cycle_days_same_day_close():
    rows = [("d1", "Ana", "Won", "won", D(2024, 1, 10), D(2024, 1, 10), 1.0)]
    assert sales_cycle_days(deals_frame(rows)).value == 0.0


def test_sales_cycle_days_formula_with_numbers(sample):
    expected = (
        "70 days / 3 deals = 23.3 days (median 30 days), "
        "measured from creation to close"
    )
    assert sales_cycle_days(sample).formula == expected


def test_sales_cycle_days_no_won_deals(sample):
    result = sales_cycle_days(sample, LATER)
    assert not result.available
    assert result.reason == "no won deals with both dates closed in this period"


def test_sales_cycle_days_empty_frame(empty):
    assert sales_cycle_days(empty).status == "not_available"


def test_sales_cycle_days_unknown_variant(sample):
    with pytest.raises(InvalidSettingError, match="sales_cycle_days"):
        sales_cycle_days(sample, variant="lost")


# Upsell rate

UPSELL_ROWS = [
    ("u1", "Ana", "Won", "won", D(2024, 1, 1), D(2024, 2, 1), 100.0),
    ("u2", "Ana", "Won", "won", D(2024, 3, 1), D(2024, 3, 10), 50.0),
    ("u3", "Ana", "Won", "won", D(2024, 3, 1), D(2024, 3, 15), 50.0),
    ("u4", "Ana", "Lost", "lost", D(2024, 3, 1), D(2024, 3, 20), 0.0),
    ("u5", "Ana", "Demo", "open", D(2023, 12, 1), None, None),
    ("u6", "Ana", "Won", "won", D(2023, 1, 1), D(2023, 2, 1), 10.0),
    ("u7", "Ana", "Won", "won", D(2024, 3, 2), D(2024, 3, 3), 10.0),
    ("u8", "Ana", "Won", "won", D(2024, 3, 5), D(2024, 3, 6), 10.0),
]
UPSELL_ACCOUNTS = ["Acme", "Acme", "Acme", "Bolt", "Core", "Dyn", None, "Echo"]
UPSELL_TYPES = [
    "New Business",
    "Upsell",
    "Add-on",
    "Expansion",
    "Existing Business",
    "Upsell",
    "Upsell",
    "Zusatzverkauf",
]
MARCH = Period(D(2024, 3, 1), D(2024, 3, 31))


@pytest.fixture
def upsell_deals() -> pl.DataFrame:
    return deals_frame(UPSELL_ROWS, account=UPSELL_ACCOUNTS, deal_type=UPSELL_TYPES)


def test_upsell_rate_explicit_period(upsell_deals):
    # Active in March: Acme, Bolt (lost in March), Core (open since December)
    # and Echo. Upsells won in March: Acme twice and Echo.
    result = upsell_rate(upsell_deals, MARCH)
    assert result.value == pytest.approx(2 / 4 * 100)
    assert result.numerator == 2
    assert result.n == 4
    assert result.excluded == {"deal without an account": 1}


def test_upsell_rate_all_data(upsell_deals):
    # Customers: Acme, Bolt, Core, Dyn, Echo; upsells: Acme, Dyn, Echo.
    assert upsell_rate(upsell_deals).value == pytest.approx(3 / 5 * 100)


def test_upsell_rate_formula_with_numbers(upsell_deals):
    expected = "2 customers with an upsell / 4 active customers x 100 = 50.00 %"
    assert upsell_rate(upsell_deals, MARCH).formula == expected


def test_upsell_rate_without_deal_type(sample):
    result = upsell_rate(sample.with_columns(pl.lit("Acme").alias("account")))
    assert not result.available
    assert "no Deal type column" in result.reason


def test_upsell_rate_without_account_or_type(sample):
    result = upsell_rate(sample)
    assert "no Account or Deal type column" in result.reason


def test_upsell_rate_open_deal_stays_active(upsell_deals):
    # Core's deal is still open, so Core is an active customer in 2030.
    assert upsell_rate(upsell_deals, LATER).value == pytest.approx(0 / 1 * 100)


def test_upsell_rate_no_active_customers(upsell_deals):
    result = upsell_rate(upsell_deals, Period(D(2020, 1, 1), D(2020, 12, 31)))
    assert not result.available
    assert result.reason == "no customers had a deal active in this period"


@pytest.mark.parametrize(
    ("deal_type", "expected"),
    [
        ("Upsell", 100.0),
        ("Up-Sell", 100.0),
        ("Cross-sell", 100.0),
        ("Expansion", 100.0),
        ("Upgrade", 100.0),
        ("Add-on", 100.0),
        ("Existing Customer - Upgrade", 100.0),
        ("Existing Business", 100.0),
        ("Zusatzverkauf", 100.0),
        ("Erweiterung", 100.0),
        ("New Business", 0.0),
        ("Renewal", 0.0),
        ("Neukunde", 0.0),
        (None, 0.0),
    ],
    ids=lambda value: str(value),
)
def test_upsell_rate_deal_type_labels(deal_type, expected):
    rows = [("u1", "Ana", "Won", "won", D(2024, 1, 1), D(2024, 1, 5), 10.0)]
    deals = deals_frame(rows, account=["Acme"], deal_type=[deal_type])
    assert upsell_rate(deals).value == expected


# All sales KPIs


def test_sales_kpis_report_keys(sample):
    assert list(sales_kpis(sample)) == [
        "close_rate",
        "win_rate",
        "average_deal_size",
        "won_value",
        "sales_cycle_days",
        "upsell_rate",
    ]


def test_sales_kpis_applies_variants(sample):
    kpis = sales_kpis(
        sample, variants={"close_rate": "closed", "sales_cycle_days": "closed"}
    )
    assert kpis["close_rate"].value == pytest.approx(4 / 6 * 100)
    assert kpis["sales_cycle_days"].value == pytest.approx(131 / 5)


def test_sales_kpis_ignores_other_variants(sample):
    kpis = sales_kpis(sample, variants={"nps": "latest_per_customer"})
    assert kpis["close_rate"].value == pytest.approx(4 / 8 * 100)


def test_sales_kpis_passes_currency(sample):
    kpis = sales_kpis(sample, currency="CHF")
    assert kpis["won_value"].unit == "CHF"
    assert kpis["average_deal_size"].unit == "CHF"


def test_sales_kpis_empty_frame_never_zero_rates(empty):
    kpis = sales_kpis(empty)
    for key in ("close_rate", "win_rate", "average_deal_size", "sales_cycle_days"):
        assert kpis[key].status == "not_available", key


# Real data: Maven Analytics CRM sales pipeline


def _maven_rows(datasets_dir) -> list[dict[str, str]]:
    path = datasets_dir / "maven-crm-sales" / "sales_pipeline.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _maven_frame(rows: list[dict[str, str]]) -> pl.DataFrame:
    statuses = {"Won": "won", "Lost": "lost"}

    def day(text: str) -> date | None:
        return date.fromisoformat(text) if text else None

    return deals_frame(
        [
            (
                row["opportunity_id"],
                row["sales_agent"],
                row["deal_stage"],
                statuses.get(row["deal_stage"], "open"),
                day(row["engage_date"]),
                day(row["close_date"]),
                float(row["close_value"]) if row["close_value"] else None,
            )
            for row in rows
        ]
    )


@pytest.fixture(scope="module")
def maven(datasets_dir):
    rows = _maven_rows(datasets_dir)
    return rows, _maven_frame(rows)


def test_maven_win_rate(maven):
    _rows, deals = maven
    assert win_rate(deals).value == pytest.approx(4238 / (4238 + 2473) * 100)


def test_maven_close_rate_all_data(maven):
    _rows, deals = maven
    assert close_rate(deals).value == pytest.approx(4238 / 8800 * 100)


def test_maven_won_value(maven):
    rows, deals = maven
    expected = sum(float(r["close_value"]) for r in rows if r["deal_stage"] == "Won")
    assert won_value(deals).value == pytest.approx(expected)


def test_maven_sales_cycle(maven):
    rows, deals = maven
    cycles = [
        (
            date.fromisoformat(r["close_date"]) - date.fromisoformat(r["engage_date"])
        ).days
        for r in rows
        if r["deal_stage"] == "Won"
    ]
    result = sales_cycle_days(deals)
    assert result.value == pytest.approx(statistics.mean(cycles))
    assert result.extra["median"] == pytest.approx(statistics.median(cycles))
    assert result.excluded == {"open deal without a close date": 1589 + 500}
