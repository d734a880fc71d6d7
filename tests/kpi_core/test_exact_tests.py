"""Exact p-values of two counts and of two proportions, checked against
sums of binomial and hypergeometric probabilities worked out by hand."""

from __future__ import annotations

import math
from datetime import date

import pytest

from kpi_core.compare import COUNT_TEST, PROPORTION_TEST, before_after
from kpi_core.exact_tests import binomial_test_p, fisher_exact_p, poisson_counts_p
from kpi_core.importing import load_file


def test_counts_four_against_one():
    # Binomial(5, 1/2) in 32: 1, 5, 10, 10, 5, 1. P(4) = 5 / 32, and 0, 1, 4
    # and 5 are no more likely: (1 + 5 + 5 + 1) / 32 = 0.375.
    assert poisson_counts_p(4, 29, 1, 29) == pytest.approx(12 / 32)


def test_counts_twelve_against_eight():
    # Binomial(20, 1/2): P(12) = P(8) = C(20, 8) / 2^20, so the outcomes no
    # more likely are 0 to 8 and 12 to 20: 2 x (C(20, 0) + ... + C(20, 8))
    # / 2^20 = 2 x 263,950 / 1,048,576 = 0.5034.
    tail = sum(math.comb(20, k) for k in range(9))
    assert tail == 263_950
    assert poisson_counts_p(12, 81, 8, 81) == pytest.approx(2 * tail / 2**20)
    assert poisson_counts_p(12, 81, 8, 81) == pytest.approx(0.5034, abs=5e-5)


def test_counts_unequal_windows():
    # 3 events in 10 days against 0 in 20: given 3 events, the first count
    # is Binomial(3, 1/3). P(0) = 8/27, P(1) = 12/27, P(2) = 6/27 and
    # P(3) = 1/27. Observed 3, only 3 itself is no more likely: 1 / 27.
    assert poisson_counts_p(3, 10, 0, 20) == pytest.approx(1 / 27)
    # Observed 2 (6/27): 0 (8/27) is more likely, so 6/27 + 1/27 = 7/27.
    assert poisson_counts_p(2, 10, 1, 20) == pytest.approx(7 / 27)


def test_counts_equal_is_one():
    # 5 against 5 is the most likely outcome of Binomial(10, 1/2).
    assert poisson_counts_p(5, 30, 5, 30) == pytest.approx(1.0)


def test_counts_without_events():
    assert poisson_counts_p(0, 30, 0, 30) is None


def test_counts_invalid_input():
    with pytest.raises(ValueError, match="invalid counts"):
        poisson_counts_p(-1, 30, 2, 30)
    with pytest.raises(ValueError, match="invalid times"):
        poisson_counts_p(1, 0, 2, 30)


def test_counts_one_side_empty():
    # 0 against 6 over equal days: Binomial(6, 1/2), P(0) = P(6) = 1 / 64,
    # so p = 2 / 64.
    assert poisson_counts_p(0, 7, 6, 7) == pytest.approx(2 / 64)


def test_binomial_large_n_matches_exact_sum():
    # Binomial(2,000, 1/2) is symmetric: p = 2 x P(X <= 940), summed here
    # with Python integers, so without rounding until the last division.
    tail = sum(math.comb(2_000, k) for k in range(941))
    expected = 2 * tail / 2**2_000
    assert binomial_test_p(940, 2_000, 0.5) == pytest.approx(expected, rel=1e-9)


def test_binomial_far_tail_is_tiny():
    # 0 of 1,000 trials at p = 1/2: only 0 and 1,000 are that unlikely, so
    # p = 2 / 2^1000, below the smallest float: 0.0 without an error.
    assert binomial_test_p(0, 1_000, 0.5) == pytest.approx(0.0, abs=1e-300)
    # 0 of 50: 2 / 2^50.
    assert binomial_test_p(0, 50, 0.5) == pytest.approx(2 / 2**50)


def test_counts_in_millions():
    # The counts the app may see: a few million rows. The first count lies
    # 2 standard deviations (sqrt(4,000,000) / 2 = 1,000) above half of n,
    # so p is near the normal value of 0.0455.
    p_value = poisson_counts_p(2_002_000, 90, 1_998_000, 90)
    assert p_value == pytest.approx(0.0455, abs=0.001)


def test_fisher_one_of_ten_against_nine():
    # 10 draws from 20, of which 10 are successes: P(k) = C(10, k) C(10, 10
    # - k) / C(20, 10) = C(10, k)^2 / 184,756. Observed k = 1 (100), and k =
    # 0, 1, 9 and 10 are no more likely: (1 + 100 + 100 + 1) / 184,756.
    assert math.comb(20, 10) == 184_756
    assert fisher_exact_p(1, 10, 9, 10) == pytest.approx(202 / 184_756)


def test_fisher_two_of_four_against_one_of_five():
    # 4 draws from 9, of which 3 are successes: P(k) = C(3, k) C(6, 4 - k)
    # / C(9, 4) = 15, 60, 45 and 6 in 126 for k = 0 to 3. Observed k = 2
    # (45): 15, 45 and 6 are no more likely, so p = 66 / 126.
    assert fisher_exact_p(2, 4, 1, 5) == pytest.approx(66 / 126)


def test_fisher_all_or_nothing():
    # 3 of 3 against 0 of 3: P(3) = C(3, 3) C(3, 0) / C(6, 3) = 1 / 20, and
    # only the mirror table 0 of 3 against 3 of 3 is as unlikely: 2 / 20.
    assert fisher_exact_p(3, 3, 0, 3) == pytest.approx(2 / 20)
    # No successes on either side: one possible table, p = 1.
    assert fisher_exact_p(0, 4, 0, 6) == pytest.approx(1.0)


def test_fisher_invalid_input():
    with pytest.raises(ValueError, match="both groups"):
        fisher_exact_p(0, 0, 1, 2)
    with pytest.raises(ValueError, match="invalid counts"):
        fisher_exact_p(3, 2, 1, 2)


# Deals from 1 January to 30 June 2025, so a 1-month window around 1 April
# is whole: 4 deals created in March, 1 in April.
DEALS = """\
Deal ID,Deal Stage,Amount,Create Date,Close Date
0,Closed lost,100,2025-01-01,2025-01-05
1,Closed won,100,2025-03-03,2025-03-10
2,Closed won,100,2025-03-05,2025-03-12
3,Closed won,100,2025-03-07,2025-03-14
4,Closed won,100,2025-03-09,2025-03-16
5,Closed lost,100,2025-04-10,2025-04-20
9,Closed lost,100,2025-06-01,2025-06-30
"""


def test_before_after_exact_tests(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(DEALS, encoding="utf-8")
    deals = load_file("deals.csv", path.read_bytes(), table="deals").frame
    table = before_after({"deals": deals}, date(2025, 4, 1), 1)
    rows = {row["kpi"]: row for row in table.iter_rows(named=True)}

    # New deals: the windows are 2 to 31 March and 1 to 30 April, 30 days
    # each. Deals 1 to 4 fall in March and deal 5 in April, and 4 against 1
    # gives (1 + 5 + 5 + 1) / 32 = 0.375 as above.
    new_deals = rows["new_deals"]
    assert new_deals["days"] == 30
    assert new_deals["n_before"] == 4
    assert new_deals["n_after"] == 1
    assert new_deals["test"] == COUNT_TEST
    assert new_deals["p_value"] == pytest.approx(0.375)
    # Close rate: 4 of 4 won before against 0 of 1 after. Fisher: 1 draw
    # from 5 of which 4 are won. P(0 won after) = 1 / 5, P(1) = 4 / 5, and
    # only k = 0 is no more likely than itself: p = 1 / 5.
    close_rate = rows["close_rate"]
    assert close_rate["test"] == PROPORTION_TEST
    assert close_rate["p_value"] == pytest.approx(0.2)
