"""Statistics behind the KPI cards: intervals and significance tests.

Only the standard library and Polars are used, because SciPy is not a
dependency. Proportions are given as counts and returned in percent (0-100).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import polars as pl

from kpi_core.errors import InvalidSettingError

_NORMAL = NormalDist()


def z_for_confidence(confidence: float) -> float:
    """Return the two-sided standard normal quantile, 1.96 for 0.95."""
    if not 0 < confidence < 1:
        raise InvalidSettingError(
            f"invalid confidence level {confidence!r}; give a fraction between "
            "0 and 1, for example 0.95"
        )
    return _NORMAL.inv_cdf(0.5 + confidence / 2)


def wilson_interval(
    successes: int, n: int, confidence: float = 0.95
) -> tuple[float, float] | None:
    """Compute the Wilson score interval of a proportion, in percent.

    The Wilson interval stays inside 0-100 and behaves well for rates near
    0 % or 100 % and for small n, unlike the normal (Wald) interval.
    Returns None when n is 0, because a proportion of nothing is undefined.
    Raises ValueError when the counts are negative or successes exceed n.
    """
    if n < 0 or not 0 <= successes <= max(n, 0):
        raise ValueError(f"invalid counts: {successes} successes out of {n}")
    if n == 0:
        return None
    z = z_for_confidence(confidence)
    share = successes / n
    spread = z * z / n
    centre = (share + spread / 2) / (1 + spread)
    half_width = z / (1 + spread) * math.sqrt(share * (1 - share) / n + spread / n / 4)
    # With no successes (or no failures) the bound is exactly 0 % (or 100 %),
    # but the subtraction leaves rounding noise such as 4e-17.
    low = 0.0 if successes == 0 else max(centre - half_width, 0.0) * 100
    high = 100.0 if successes == n else min(centre + half_width, 1.0) * 100
    return low, high


def wilson_bounds(
    successes: pl.Expr, n: pl.Expr, confidence: float = 0.95
) -> tuple[pl.Expr, pl.Expr]:
    """Build expressions for the lower and upper Wilson bounds, in percent.

    The vectorised twin of ``wilson_interval`` for one interval per row of a
    table. Rows with n = 0 get null bounds, and the bounds at 0 or all
    successes are exactly 0 and 100 as in ``wilson_interval``.
    """
    z = z_for_confidence(confidence)
    count = n.cast(pl.Float64)
    share = successes.cast(pl.Float64) / count
    spread = z * z / count
    centre = (share + spread / 2) / (1 + spread)
    half_width = (
        z / (1 + spread) * (share * (1 - share) / count + spread / count / 4).sqrt()
    )
    defined = n > 0
    lower = (
        pl.when(~defined)
        .then(None)
        .when(successes == 0)
        .then(0.0)
        .otherwise((centre - half_width).clip(0.0, 1.0) * 100)
    )
    upper = (
        pl.when(~defined)
        .then(None)
        .when(successes == n)
        .then(100.0)
        .otherwise((centre + half_width).clip(0.0, 1.0) * 100)
    )
    return lower, upper


def two_proportion_test(
    successes_a: int, n_a: int, successes_b: int, n_b: int
) -> tuple[float, float]:
    """Compare two proportions with the pooled two-proportion z-test.

    Returns (z, two-sided p). z is positive when group a has the higher
    rate. When both groups are all successes or all failures the rates are
    equal and cannot differ, so the result is (0.0, 1.0).
    Raises ValueError when a group is empty, because its rate is undefined.
    Callers check both n before asking for a test.
    """
    if n_a <= 0 or n_b <= 0:
        raise ValueError(f"both groups need observations, got n_a={n_a}, n_b={n_b}")
    pooled = (successes_a + successes_b) / (n_a + n_b)
    variance = pooled * (1 - pooled) * (1 / n_a + 1 / n_b)
    if variance == 0:
        return 0.0, 1.0
    z = (successes_a / n_a - successes_b / n_b) / math.sqrt(variance)
    return z, _two_sided_p(z)


# Up to this many values in both samples together, the Mann-Whitney test
# counts every way of splitting the ranks into the two groups instead of
# using the normal approximation, which is far off for a few values.
_EXACT_RANK_VALUES = 30


def mann_whitney_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Return the two-sided p-value of the Mann-Whitney U test.

    With up to ``_EXACT_RANK_VALUES`` values in all, the p-value is exact:
    the share of all splits of the (mid)ranks into groups of the two sizes
    whose rank sum lies at least as far from its mean as the observed one
    (``_exact_rank_sum_p``), ties included. Larger samples use the normal
    approximation with the tie correction of the variance and a continuity
    correction of 0.5, as SciPy's asymptotic method does. When every value
    is tied the groups cannot differ, so the p-value is 1.0. Raises
    ValueError when either sample is empty.
    """
    if not a or not b:
        raise ValueError(f"both samples need values, got {len(a)} and {len(b)} values")
    n_a, n_b = len(a), len(b)
    total = n_a + n_b
    values = pl.Series("value", [*a, *b], dtype=pl.Float64)
    ranks = values.rank("average")
    if total <= _EXACT_RANK_VALUES:
        # The smaller group's subsets are fewer to count, and its rank sum
        # lies as far from its mean as the other group's does.
        ranked = ranks.to_list()
        if n_a <= n_b:
            return _exact_rank_sum_p(ranked, n_a)
        return _exact_rank_sum_p(ranked[n_a:] + ranked[:n_a], n_b)
    rank_sum_a = ranks.head(n_a).sum()
    u_statistic = rank_sum_a - n_a * (n_a + 1) / 2

    tie_sizes = values.value_counts()["count"].cast(pl.Float64)
    tie_term = float((tie_sizes**3 - tie_sizes).sum()) / (total * (total - 1))
    variance = n_a * n_b / 12 * (total + 1 - tie_term)
    if variance <= 0:
        return 1.0

    distance = max(abs(u_statistic - n_a * n_b / 2) - 0.5, 0.0)
    return _two_sided_p(distance / math.sqrt(variance))


def _exact_rank_sum_p(ranks: list[float], n_a: int) -> float:
    """Return the share of the splits of ``ranks`` into ``n_a`` and the rest
    whose first group's rank sum is at least as far from its mean as that of
    the first ``n_a`` ranks.

    Midranks are halves, so the ranks are doubled into integers, and the
    number of subsets of each size with each sum is counted one rank at a
    time: about total x n_a x twice the rank sum steps.
    """
    doubled = [round(2 * rank) for rank in ranks]
    total_sum = sum(doubled)
    # ways[k][s]: subsets of k ranks seen so far whose doubled sum is s.
    ways = [[0] * (total_sum + 1) for _ in range(n_a + 1)]
    ways[0][0] = 1
    for seen, rank in enumerate(doubled, start=1):
        for k in range(min(seen, n_a), 0, -1):
            below, row = ways[k - 1], ways[k]
            for s in range(total_sum - rank, -1, -1):
                if below[s]:
                    row[s + rank] += below[s]
    # A subset's distance from the mean sum n_a x total_sum / count, times
    # count, so that it stays an integer.
    count = len(doubled)

    def distance(rank_sum: int) -> int:
        return abs(count * rank_sum - n_a * total_sum)

    observed = distance(sum(doubled[:n_a]))
    counts = ways[n_a]
    as_far = sum(n for s, n in enumerate(counts) if n and distance(s) >= observed)
    return min(as_far / sum(counts), 1.0)


def _two_sided_p(z: float) -> float:
    return 2 * (1 - _NORMAL.cdf(abs(z)))
