import math

import pytest

from kpi_core.count_prediction import (
    negative_binomial_cdf,
    regularized_incomplete_beta,
    remaining_count_interval,
)


def test_zero_count_equal_times():
    # Size 0 + 1/2, p = 1/2. P(0) = 0.5^0.5 = 0.70711, then
    # P(j + 1) = P(j) x (j + 0.5) x 0.5 / (j + 1):
    # P(1) = 0.17678, P(2) = 0.06629, P(3) = 0.02762, so P(Y <= 2) = 0.95018
    # and P(Y <= 3) = 0.97780. P(Y <= 0) is already above 2.5 %.
    assert remaining_count_interval(0, 10, 10) == (0, 3)


def test_one_count_equal_times():
    # Size 1.5, p = 1/2. P(0) = 0.5^1.5 = 0.35355, and the ratios
    # (j + 1.5) x 0.5 / (j + 1) are 0.75, 0.625, 0.5833, 0.5625, 0.55, 0.5417.
    # Cumulative: 0.35355, 0.61872, 0.78445, 0.88113, 0.93551, 0.96542,
    # 0.98162, so the 97.5 % bound is 6.
    assert remaining_count_interval(1, 30, 30) == (0, 6)


def test_cdf_one_count_terms():
    # The cumulative sums of test_one_count_equal_times.
    expected = [0.35355, 0.61872, 0.78445, 0.88113, 0.93551, 0.96542, 0.98162]
    for k, value in enumerate(expected):
        assert negative_binomial_cdf(k, 1.5, 0.5) == pytest.approx(value, abs=2e-5)


def test_time_unit_cancels():
    # Only the share of time observed matters: 30 of 90 days, or 1 of 3
    # months.
    assert remaining_count_interval(6, 30, 60) == remaining_count_interval(6, 1, 2)


def test_no_time_left():
    assert remaining_count_interval(25, 90, 0) == (0, 0)


def test_large_count_near_normal():
    # 1,196 events in 92 days, 31 days left. Mean 1,196.5 x 31 / 92 = 403.17,
    # variance 403.17 x 123 / 92 = 539.02, sd 23.22: the normal bounds are
    # 403.17 +- 45.51 = 357.66 to 448.68, and the skew of 0.072 moves both
    # up by 23.22 x 0.072 x (1.96^2 - 1) / 6 = 0.79.
    low, high = remaining_count_interval(1196, 92, 31)
    assert low == pytest.approx(358.45, abs=1)
    assert high == pytest.approx(449.47, abs=1)


def test_wider_than_rate_interval():
    # The rate's own interval scaled to 31 days is 1,196 +- 1.96 x
    # sqrt(1,196) = +-67.8, times 31 / 92: +-22.8. The prediction interval
    # adds the Poisson noise of about 403 more events: sqrt(403 + 22.8^2 /
    # 1.96^2) x 1.96 = 45.5.
    low, high = remaining_count_interval(1196, 92, 31)
    assert (high - low) / 2 == pytest.approx(45.5, abs=1)


def test_million_count_converges():
    # 1,000,000 events on the first day of 365: mean 1,000,000.5 x 364 =
    # 364,000,182, sd sqrt(mean x 365) = 364,499.7, so +- 1.959964 sd =
    # 714,406. The skew (1 + 364/365) / sqrt(1,000,000.5 x 364/365) = 0.0020
    # moves both bounds up by 364,499.7 x 0.0020 x (1.959964^2 - 1) / 6 =
    # 345.
    low, high = remaining_count_interval(1_000_000, 1, 364)
    assert low == pytest.approx(364_000_182 - 714_406 + 345, abs=3)
    assert high == pytest.approx(364_000_182 + 714_406 + 345, abs=3)


def test_skewed_small_share():
    # 5 events on day 1 of 3,001: the remaining count is strongly skewed, so
    # the bounds sit unevenly around the mean 5.5 x 3,000 = 16,500.
    low, high = remaining_count_interval(5, 1, 3000)
    assert 16_500 - low < high - 16_500


@pytest.mark.parametrize(
    ("x", "a", "b", "expected"),
    [
        # I_x(1, 1) = x, the uniform distribution.
        (0.3, 1, 1, 0.3),
        # I_x(a, 1) = x^a.
        (0.5, 0.5, 1, math.sqrt(0.5)),
        (0.9, 40, 1, 0.9**40),
        # I_x(1, b) = 1 - (1 - x)^b.
        (0.2, 1, 7, 1 - 0.8**7),
        (0.999, 1, 3, 1 - 0.001**3),
        # I_x(2, 2) = 3x^2 - 2x^3.
        (0.25, 2, 2, 3 * 0.25**2 - 2 * 0.25**3),
    ],
)
def test_incomplete_beta_closed_forms(x, a, b, expected):
    assert regularized_incomplete_beta(x, a, b) == pytest.approx(expected, rel=1e-10)


def test_incomplete_beta_limits():
    assert regularized_incomplete_beta(0.0, 3, 4) == 0.0
    assert regularized_incomplete_beta(1.0, 3, 4) == 1.0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((-1, 30, 60), "count must be 0 or more"),
        ((3, 0, 60), "observed_time must be positive"),
        ((3, 30, -1), "remaining_time must be 0 or more"),
    ],
)
def test_invalid_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        remaining_count_interval(*arguments)


def test_invalid_confidence():
    with pytest.raises(ValueError, match="confidence must be between 0 and 1"):
        remaining_count_interval(3, 30, 60, confidence=1.0)
