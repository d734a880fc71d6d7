"""A prediction interval for a count that is still running.

After ``count`` events in the observed time, a count goal needs to know how
many more arrive in the remaining time. Two sources of randomness add up:
the rate is only estimated from the count so far, and the remaining count
is a Poisson draw even when the rate is known. This module uses the
Poisson-gamma predictive. With the Jeffreys prior, the rate after ``count``
events in time t_obs is Gamma(count + 1/2, t_obs). A Poisson count over
t_rem with that rate is negative binomial with size n = count + 1/2 and
success probability p = t_obs / (t_obs + t_rem). Its mean is
n x t_rem / t_obs and its variance is the mean x (t_obs + t_rem) / t_obs,
that is r x t_rem (the Poisson noise) plus r x t_rem^2 / t_obs (the
uncertain rate), with r = n / t_obs.

The bounds are exact quantiles of that distribution, not a normal
approximation, so they stay right for small counts and long remaining
times, where the distribution is skewed.
"""

from __future__ import annotations

import math

# The continued fraction of the incomplete beta function stops once a step
# changes the result by less than this share.
_TOLERANCE = 1e-14
# Keeps the continued fraction's denominators away from zero.
_TINY = 1e-300


def remaining_count_interval(
    count: int,
    observed_time: float,
    remaining_time: float,
    confidence: float = 0.95,
) -> tuple[int, int]:
    """Return a prediction interval for the count still to come.

    ``count`` events were seen in ``observed_time``, and the interval covers
    the events of the next ``remaining_time``, in the same unit. The bounds
    are the (1 - confidence) / 2 and (1 + confidence) / 2 quantiles of the
    negative binomial predictive described in the module docstring: the
    smallest whole counts whose cumulative probability reaches each level.
    No remaining time gives (0, 0).

    Raises ValueError for a negative count, an observed time that is not
    positive, a negative remaining time or a confidence outside (0, 1).
    """
    if count < 0:
        raise ValueError(f"count must be 0 or more, got {count}")
    if not observed_time > 0:
        raise ValueError(f"observed_time must be positive, got {observed_time}")
    if remaining_time < 0:
        raise ValueError(f"remaining_time must be 0 or more, got {remaining_time}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    if remaining_time == 0:
        return 0, 0
    size = count + 0.5
    success = observed_time / (observed_time + remaining_time)
    tail = (1 - confidence) / 2
    low = negative_binomial_quantile(tail, size, success)
    high = negative_binomial_quantile(1 - tail, size, success)
    return low, high


def negative_binomial_quantile(level: float, size: float, success: float) -> int:
    """Return the smallest k with P(X <= k) >= ``level`` for X negative
    binomial with ``size`` (any positive number) and success probability
    ``success``, counting the failures before the size-th success."""
    mean = size * (1 - success) / success
    spread = math.sqrt(mean / success)
    high = math.ceil(mean + 10 * spread) + 10
    while negative_binomial_cdf(high, size, success) < level:
        high *= 2
    low = -1
    # The quantile lies in (low, high]: P(X <= low) < level <= P(X <= high).
    while high - low > 1:
        middle = (low + high) // 2
        if negative_binomial_cdf(middle, size, success) >= level:
            high = middle
        else:
            low = middle
    return high


def negative_binomial_cdf(k: int, size: float, success: float) -> float:
    """Return P(X <= k) for the negative binomial of
    ``negative_binomial_quantile``, which equals the regularized incomplete
    beta function I_success(size, k + 1)."""
    if k < 0:
        return 0.0
    return regularized_incomplete_beta(success, size, k + 1)


def regularized_incomplete_beta(x: float, a: float, b: float) -> float:
    """Return I_x(a, b), the cumulative distribution of Beta(a, b) at ``x``.

    The continued fraction converges fast for x < (a + 1) / (a + b + 2).
    Above that point the symmetry I_x(a, b) = 1 - I_(1-x)(b, a) moves the
    evaluation there.
    """
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - regularized_incomplete_beta(1 - x, b, a)
    log_front = (
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + a * math.log(x)
        + b * math.log1p(-x)
    )
    return math.exp(log_front) * _beta_continued_fraction(x, a, b) / a


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    # The continued fraction 1 / (1 + d1 / (1 + d2 / (1 + ...))) with
    # d(2m+1) = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)) and
    # d(2m) = m (b - m) x / ((a + 2m - 1)(a + 2m)), evaluated from the front
    # by the modified Lentz method.
    numerator_part = 1.0
    denominator_part = 1.0 / _nonzero(1.0 - (a + b) * x / (a + 1))
    result = denominator_part
    # The fraction needs about sqrt(max(a, b)) steps, so this limit leaves a
    # wide margin.
    for m in range(1, 200 + 20 * math.isqrt(int(max(a, b)) + 1)):
        for term in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            denominator_part = 1.0 / _nonzero(1.0 + term * denominator_part)
            numerator_part = _nonzero(1.0 + term / numerator_part)
            step = denominator_part * numerator_part
            result *= step
        if abs(step - 1.0) < _TOLERANCE:
            return result
    raise ArithmeticError(
        f"the incomplete beta function did not converge for x={x}, a={a}, b={b}"
    )


def _nonzero(value: float) -> float:
    return value if abs(value) > _TINY else _TINY
