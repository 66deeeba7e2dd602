"""Intervals for a proportion (Wilson) and for a count or a rate (exact Poisson)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

import numpy as np
from scipy import stats

from concerns.analytics.stats._results import (
    Estimate,
    Interval,
    NotAvailable,
    Reason,
    check_count,
    check_counts,
    check_denominator,
    check_level,
)


@cache
def normal_quantile(level: float) -> float:
    """The two-sided normal critical value: 1.959964 for a level of 0.95.

    Cached: a batch asks for the same few levels tens of thousands of times.
    """
    return float(stats.norm.ppf(0.5 + check_level(level) / 2))


def wilson_interval(k: int, n: int, level: float = 0.95) -> Interval | NotAvailable:
    """Wilson score interval for k successes out of n (no continuity correction).

    Newcombe's (1998) method 3: it stays inside [0, 1], has sensible width at
    k = 0 and k = n, and close to nominal coverage for small n. n = 0 gives a
    `NotAvailable` (zero denominator).
    """
    k, n = check_count(k, "k"), check_count(n, "n")
    if k > n:
        raise ValueError(f"k ({k}) cannot exceed n ({n})")
    if n == 0:
        return NotAvailable(Reason.ZERO_DENOMINATOR, "no cases to take a share of")
    z = normal_quantile(level)
    share = k / n
    spread = z * z / n
    centre = (share + spread / 2) / (1 + spread)
    half = z * math.sqrt(share * (1 - share) / n + spread / (4 * n)) / (1 + spread)
    # At k = 0 and k = n the formula lands on 0 and 1 exactly, give or take rounding.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return Interval(low, high, level)


def wilson_intervals(
    ks: Sequence[int], ns: Sequence[int], level: float = 0.95
) -> list[Interval | NotAvailable]:
    """`wilson_interval` for each pair of (k, n), in order."""
    if len(ks) != len(ns):
        raise ValueError(f"got {len(ks)} counts but {len(ns)} denominators")
    return [wilson_interval(k, n, level) for k, n in zip(ks, ns, strict=True)]


def poisson_interval(k: int, level: float = 0.95) -> Interval:
    """Exact (Garwood 1936) interval for the mean of a Poisson count k.

    low = χ²(α/2; 2k) / 2 (0 when k = 0), high = χ²(1 − α/2; 2k + 2) / 2,
    with α = 1 − level. For k = 10 at 95%: 4.795 to 18.390.
    """
    low, high = poisson_intervals([check_count(k, "k")], level)
    return Interval(float(low[0]), float(high[0]), level)


def poisson_intervals(
    counts: Sequence[int] | np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Garwood limits for many counts at once: two arrays (low, high), in order."""
    alpha = 1 - check_level(level)
    k = check_counts(counts)
    positive = np.where(k > 0, k, 1.0)  # χ² with 0 degrees of freedom is undefined; k = 0 has low = 0
    low = np.where(k > 0, stats.chi2.ppf(alpha / 2, 2 * positive) / 2, 0.0)
    high = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    return low, high


def rate(
    k: int, exposure: float | None, *, per: float = 1000, level: float = 0.95
) -> Estimate | NotAvailable:
    """Rate of k events per `per` units of exposure, with exact Poisson limits.

    The exposure is a headcount or person-years. A missing exposure (None or
    NaN) or a zero one gives a `NotAvailable`: the rate is never computed
    from a zero or treated-as-zero denominator.
    """
    k = check_count(k, "k")
    usable = check_denominator(exposure, "exposure")
    if isinstance(usable, NotAvailable):
        return usable
    limits = poisson_interval(k, level)
    scale = per / usable
    return Estimate(k * scale, limits.low * scale, limits.high * scale, level)


def rate_per_1000(k: int, exposure: float | None, level: float = 0.95) -> Estimate | NotAvailable:
    """Rate per 1,000 of exposure (e.g. cases per 1,000 practitioners); see `rate`."""
    return rate(k, exposure, per=1000, level=level)
