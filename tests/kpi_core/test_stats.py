import math
from datetime import date
from statistics import NormalDist

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_core.churn import churn_rate
from kpi_core.errors import InvalidSettingError
from kpi_core.period import Period
from kpi_core.stats import (
    mann_whitney_p,
    two_proportion_test,
    wilson_bounds,
    wilson_interval,
    z_for_confidence,
)


def test_z_for_confidence_95_percent():
    assert z_for_confidence(0.95) == pytest.approx(1.959964, abs=1e-6)


def test_z_for_confidence_rejects_percent():
    with pytest.raises(InvalidSettingError, match="between 0 and 1"):
        z_for_confidence(95)


def test_wilson_interval_published_value():
    # 10 of 100 at 95 %: the Wilson score interval is 5.52 % to 17.44 %.
    low, high = wilson_interval(10, 100)
    assert low == pytest.approx(5.52, abs=0.01)
    assert high == pytest.approx(17.44, abs=0.01)


def test_wilson_interval_no_successes():
    # p = 0, n = 10: the upper bound is z^2/n / (1 + z^2/n) = 0.38415 / 1.38415.
    low, high = wilson_interval(0, 10)
    assert low == pytest.approx(0.0, abs=1e-9)
    assert high == pytest.approx(0.38415 / 1.38415 * 100, abs=0.01)


def test_wilson_interval_all_successes():
    low, high = wilson_interval(10, 10)
    assert low == pytest.approx(100 - 0.38415 / 1.38415 * 100, abs=0.01)
    assert high == pytest.approx(100.0)


def test_wilson_interval_empty_sample():
    assert wilson_interval(0, 0) is None


def test_wilson_interval_wider_at_99_percent():
    low_95, high_95 = wilson_interval(10, 100)
    low_99, high_99 = wilson_interval(10, 100, confidence=0.99)
    assert low_99 < low_95
    assert high_99 > high_95


def test_wilson_interval_more_successes_than_n():
    with pytest.raises(ValueError, match="11 successes out of 10"):
        wilson_interval(11, 10)


@given(n=st.integers(min_value=1, max_value=100_000), data=st.data())
def test_wilson_interval_contains_rate(n, data):
    successes = data.draw(st.integers(min_value=0, max_value=n))
    low, high = wilson_interval(successes, n)
    rate = successes / n * 100
    assert low >= 0.0
    assert high <= 100.0
    assert low <= rate + 1e-9
    assert rate <= high + 1e-9


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=1000),
            st.integers(min_value=0, max_value=1000),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_wilson_bounds_contain_rates(pairs):
    counts = pl.DataFrame(
        {"won": [min(a, b) for a, b in pairs], "n": [max(a, b) for a, b in pairs]},
        schema={"won": pl.Int64, "n": pl.Int64},
    )
    low, high = wilson_bounds(pl.col("won"), pl.col("n"))
    rate = pl.col("won") / pl.col("n") * 100
    checked = counts.filter(pl.col("n") > 0).select(
        (low <= rate + 1e-9).all().alias("low_ok"),
        (rate <= high + 1e-9).all().alias("high_ok"),
        (low >= 0).all().alias("low_in_range"),
        (high <= 100).all().alias("high_in_range"),
    )
    assert checked["low_ok"].item()
    assert checked["high_ok"].item()
    assert checked["low_in_range"].item()
    assert checked["high_in_range"].item()


def test_wilson_bounds_per_row():
    counts = pl.DataFrame(
        {"won": [10, 3, 0], "n": [100, 4, 0]},
        schema={"won": pl.Int64, "n": pl.Int64},
    )
    low, high = wilson_bounds(pl.col("won"), pl.col("n"))
    bounds = counts.select(low.alias("low"), high.alias("high"))
    assert bounds["low"][0] == pytest.approx(5.52, abs=0.01)
    assert bounds["high"][0] == pytest.approx(17.44, abs=0.01)
    # 3 of 4: the published Wilson interval is 30.06 % to 95.44 %.
    assert bounds["low"][1] == pytest.approx(30.06, abs=0.01)
    assert bounds["high"][1] == pytest.approx(95.44, abs=0.01)
    assert bounds["low"][2] is None
    assert bounds["high"][2] is None


def test_two_proportion_test_hand_calculation():
    # 60 of 100 against 45 of 100: pooled share 105 / 200 = 0.525.
    z, p = two_proportion_test(60, 100, 45, 100)
    pooled = 105 / 200
    expected_z = (0.60 - 0.45) / math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 100))
    assert z == pytest.approx(expected_z)
    assert z == pytest.approx(2.124, abs=0.001)
    assert p == pytest.approx(0.0337, abs=0.0001)


def test_two_proportion_test_sign_follows_order():
    z, p = two_proportion_test(45, 100, 60, 100)
    assert z == pytest.approx(-2.124, abs=0.001)
    assert p == pytest.approx(0.0337, abs=0.0001)


def test_two_proportion_test_identical_extremes():
    assert two_proportion_test(5, 5, 8, 8) == (0.0, 1.0)


def test_two_proportion_test_empty_group():
    with pytest.raises(ValueError, match="n_b=0"):
        two_proportion_test(3, 10, 0, 0)


def test_mann_whitney_p_without_ties():
    # Exact for six values: of the C(6, 3) = 20 ways to give three ranks to
    # the first group, only {1, 2, 3} (sum 6) and {4, 5, 6} (sum 15) lie as
    # far from the mean sum 10.5 as the observed 6, so p = 2 / 20 = 0.1.
    # (The normal approximation gave 0.0809.)
    assert mann_whitney_p([1, 2, 3], [4, 5, 6]) == pytest.approx(0.1)


def test_mann_whitney_p_four_against_four():
    # The tester's sales cycles, 4 against 4 without overlap: 2 of C(8, 4) =
    # 70 splits are as extreme, p = 2 / 70 = 0.02857.
    assert mann_whitney_p([3, 5, 8, 9], [20, 31, 40, 41]) == pytest.approx(2 / 70)


def test_mann_whitney_p_with_ties():
    # Ranks 1, 3, 3 | 3, 5.5, 5.5; doubled 2, 6, 6 | 6, 11, 11, total 42, so
    # a group of three has the mean doubled sum 21, and the observed 14 lies
    # 7 from it. Of the 20 ways to pick three of the six ranks, {2, 6, 6}
    # (3 ways, sum 14) and {6, 11, 11} (3 ways, sum 28) lie 7 away; the rest
    # (2, 6, 11: 19; 2, 11, 11: 24; 6, 6, 6: 18; 6, 6, 11: 23) lie closer.
    # p = 6 / 20 = 0.3.
    assert mann_whitney_p([1, 2, 2], [2, 3, 3]) == pytest.approx(0.3)


def test_mann_whitney_p_symmetric():
    assert mann_whitney_p([4, 5, 6], [1, 2, 3]) == pytest.approx(0.1)
    # The larger group first gives the same p: [10, 20] against [5] has
    # ranks 2, 3 | 1; one rank of three alone is 1, 2 or 3 around the mean 2,
    # and 1 and 3 lie as far as the observed 1, so p = 2 / 3.
    assert mann_whitney_p([10.0, 20.0], [5.0]) == pytest.approx(2 / 3)
    assert mann_whitney_p([5.0], [10.0, 20.0]) == pytest.approx(2 / 3)


def test_mann_whitney_p_large_samples_normal():
    # 16 against 16 without overlap is past the exact test's 30 values: U =
    # 0, mean 16 x 16 / 2 = 128, variance 16 x 16 x 33 / 12 = 704, z =
    # (128 - 0.5) / sqrt(704) = 4.8054, two-sided p = 2 x (1 - Phi(z)).
    z = (128 - 0.5) / math.sqrt(704)
    expected = 2 * (1 - NormalDist().cdf(z))
    first = [float(day) for day in range(1, 17)]
    second = [float(day) for day in range(17, 33)]
    assert mann_whitney_p(first, second) == pytest.approx(expected, rel=1e-9)


def test_mann_whitney_p_all_values_tied():
    assert mann_whitney_p([7, 7], [7, 7, 7]) == 1.0


def test_mann_whitney_p_empty_sample():
    with pytest.raises(ValueError, match="got 0 and 2 values"):
        mann_whitney_p([], [1.0, 2.0])


@pytest.mark.parametrize("n", [10, 13, 34, 35])
def test_wilson_interval_exact_ends(n):
    # For these n, centre - half width leaves rounding noise such as 2.8e-15
    # at 0 successes, and the upper bound 99.99999999999999 at n successes.
    # The bounds must be exactly 0 % and 100 %.
    assert wilson_interval(0, n)[0] == 0.0
    assert wilson_interval(n, n)[1] == 100.0


def test_wilson_bounds_exact_ends():
    frame = pl.DataFrame({"won": [0, 10, 0], "n": [10, 10, 0]})
    low, high = wilson_bounds(pl.col("won"), pl.col("n"))
    bounds = frame.select(low.alias("low"), high.alias("high"))
    assert bounds["low"].to_list()[:2] == [0.0, wilson_interval(10, 10)[0]]
    assert bounds["high"].to_list()[:2] == [wilson_interval(0, 10)[1], 100.0]
    assert bounds.row(2) == (None, None)


def test_churn_interval_low_is_zero():
    # 0 of 10 customers churned: the Excel report must show a low bound of
    # exactly 0, not 2.8e-15.
    subscriptions = pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(10)],
            "started_at": [date(2025, 1, 1)] * 10,
            "ended_at": [None] * 10,
        },
        schema={
            "customer_id": pl.String,
            "started_at": pl.Date,
            "ended_at": pl.Date,
        },
    )
    result = churn_rate(subscriptions, Period(date(2025, 3, 1), date(2025, 3, 31)))
    assert result.value == 0.0
    assert result.ci95[0] == 0.0
