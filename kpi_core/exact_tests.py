"""Exact two-sided tests for counts and proportions, for the before-and-after
comparison, where small counts (4 tickets against 1) are common and the
normal approximation is far off.

Both tests condition on a total, so the observed value follows a discrete
distribution with no unknown parameter: a binomial for two counts over time
and a hypergeometric for a 2 x 2 table (Fisher's exact test). The two-sided
p-value is the sum of the probabilities of all outcomes that are no more
likely than the observed one. An outcome counts as no more likely when its
probability is at most 1 + 1e-7 times the observed one, so rounding cannot
drop an outcome of equal probability, such as the mirror image under
p = 1/2. R's ``binom.test`` (stats package) uses the same rule and factor.

Probabilities are computed in log space with ``math.lgamma``, so totals of
millions neither overflow nor underflow before the sum. Only the outcomes
that carry weight are summed (see ``_two_sided_p``), so a test costs about
20 standard deviations of terms, not one term per possible outcome.
"""

from __future__ import annotations

import math
from collections.abc import Callable

# Outcomes whose probability is at most this factor times the observed one
# count as no more likely (see the module docstring).
_TIE_FACTOR = 1 + 1e-7
# A tail sum stops once a term adds less than this share of the sum so far.
# Both distributions are log-concave, so each later term is a smaller share
# of the one before. Against exact sums with Python integers for Binomial(
# 20,000, 1/2), the p-values agree to a relative 1e-12, the precision of
# math.lgamma.
_NEGLIGIBLE = 1e-17


def poisson_counts_p(
    count_a: int, time_a: float, count_b: int, time_b: float
) -> float | None:
    """Return the exact two-sided p-value that two event rates differ.

    ``count_a`` events happened over ``time_a`` and ``count_b`` over
    ``time_b``, in any one unit of time. When both rates are equal, the
    first count given the total n = count_a + count_b is binomial with
    p = time_a / (time_a + time_b), so the test is the exact binomial test
    of ``count_a`` in n. Returns None when both counts are 0, because no
    event carries no evidence either way. Raises ValueError for a negative
    count or a time that is not positive.
    """
    if count_a < 0 or count_b < 0:
        raise ValueError(f"invalid counts {count_a} and {count_b}: give 0 or more")
    if not (time_a > 0 and time_b > 0):
        raise ValueError(f"invalid times {time_a} and {time_b}: give more than 0")
    total = count_a + count_b
    if total == 0:
        return None
    return binomial_test_p(count_a, total, time_a / (time_a + time_b))


def binomial_test_p(successes: int, n: int, p: float) -> float:
    """Return the exact two-sided p-value of ``successes`` in ``n`` trials
    under Binomial(n, p). Raises ValueError for counts outside 0 to n or a
    p outside the open interval 0 to 1."""
    if not 0 <= successes <= n:
        raise ValueError(f"invalid counts: {successes} successes in {n} trials")
    if not 0 < p < 1:
        raise ValueError(f"invalid probability {p}: give one between 0 and 1")
    log_p, log_q = math.log(p), math.log1p(-p)
    log_n_factorial = math.lgamma(n + 1)

    def log_pmf(k: int) -> float:
        ways = log_n_factorial - math.lgamma(k + 1) - math.lgamma(n - k + 1)
        return ways + k * log_p + (n - k) * log_q

    mode = min(math.floor((n + 1) * p), n)
    return _two_sided_p(log_pmf, successes, 0, n, mode)


def fisher_exact_p(successes_a: int, n_a: int, successes_b: int, n_b: int) -> float:
    """Return the two-sided p-value of Fisher's exact test that two
    proportions differ: ``successes_a`` of ``n_a`` against ``successes_b``
    of ``n_b``.

    Given all four margins of the 2 x 2 table, the successes of group a are
    hypergeometric: ``n_a`` draws from ``n_a + n_b`` items, of which
    ``successes_a + successes_b`` are successes. Raises ValueError when a
    group is empty, because its rate is undefined, or when the successes
    lie outside 0 to n.
    """
    if n_a <= 0 or n_b <= 0:
        raise ValueError(f"both groups need observations, got n_a={n_a}, n_b={n_b}")
    if not (0 <= successes_a <= n_a and 0 <= successes_b <= n_b):
        raise ValueError(
            f"invalid counts: {successes_a} of {n_a} and {successes_b} of {n_b}"
        )
    population = n_a + n_b
    marked = successes_a + successes_b
    unmarked = population - marked
    log_denominator = _log_choose(population, n_a)

    def log_pmf(k: int) -> float:
        return _log_choose(marked, k) + _log_choose(unmarked, n_a - k) - log_denominator

    low = max(0, n_a - unmarked)
    high = min(marked, n_a)
    mode = (n_a + 1) * (marked + 1) // (population + 2)
    return _two_sided_p(log_pmf, successes_a, low, high, min(max(mode, low), high))


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _two_sided_p(
    log_pmf: Callable[[int], float], observed: int, low: int, high: int, mode: int
) -> float:
    """Sum the probabilities of the outcomes from ``low`` to ``high`` that
    are no more likely than ``observed``.

    The distribution must be unimodal with its peak at ``mode``, as the
    binomial and the hypergeometric are. The outcomes no more likely than
    the observed one then form two tails, ``low`` to ``left`` and ``right``
    to ``high``, found by bisection. Each tail is summed from its inner end
    outwards, from the largest term, until the terms stop adding to it.
    """
    threshold = log_pmf(observed) + math.log(_TIE_FACTOR)
    if log_pmf(mode) <= threshold:
        # The observed outcome is as likely as the most likely one.
        return 1.0
    # The largest outcome in [low, mode) at or below the threshold, or
    # low - 1 when there is none. The pmf rises up to the mode.
    below, above = low - 1, mode
    while above - below > 1:
        middle = (below + above) // 2
        if log_pmf(middle) <= threshold:
            below = middle
        else:
            above = middle
    left = below
    # The smallest outcome in (mode, high] at or below the threshold, or
    # high + 1 when there is none. The pmf falls after the mode.
    below, above = mode, high + 1
    while above - below > 1:
        middle = (below + above) // 2
        if log_pmf(middle) <= threshold:
            above = middle
        else:
            below = middle
    right = above
    total = _tail_sum(log_pmf, left, low - 1, -1) + _tail_sum(
        log_pmf, right, high + 1, 1
    )
    return min(total, 1.0)


def _tail_sum(
    log_pmf: Callable[[int], float], start: int, stop: int, step: int
) -> float:
    """Add the probabilities from ``start`` towards ``stop`` (not included),
    stopping early once a term no longer adds to the sum."""
    total = 0.0
    for k in range(start, stop, step):
        term = math.exp(log_pmf(k))
        total += term
        if term <= total * _NEGLIGIBLE:
            break
    return total
