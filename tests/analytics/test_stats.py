"""Intervals, rates, relative likelihood and the result vocabulary."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from concerns.analytics import stats
from concerns.analytics.stats import (
    Estimate,
    Interval,
    NotAvailable,
    Reason,
    poisson_interval,
    poisson_intervals,
    rate,
    rate_per_1000,
    relative_likelihood,
    wilson_interval,
    wilson_intervals,
)

Z95 = 1.959963984540054


# --- vocabulary ---------------------------------------------------------------------------


def test_it_makes_not_available_falsy_with_plain_words():
    result = NotAvailable(Reason.TOO_FEW_CASES, "3 cases")
    assert not result
    assert result.available is False
    assert result.message == "too few cases to say (3 cases)"
    assert NotAvailable(Reason.MISSING_DENOMINATOR).message == "not available: the denominator is not known"


def test_it_unpacks_an_interval_and_exposes_an_estimates_interval():
    low, high = Interval(0.1, 0.4, 0.95)
    assert (low, high) == (0.1, 0.4)
    estimate = Estimate(2.0, 1.0, 3.0, 0.95)
    assert estimate.available and estimate.interval == Interval(1.0, 3.0, 0.95)
    assert estimate.interval.excludes(0.5) and estimate.interval.contains(2.5)


def test_it_reexports_the_stats_api_lazily_from_the_analytics_package():
    import concerns.analytics as analytics

    assert analytics.wilson_interval is stats.wilson_interval
    assert analytics.poisson_trend is stats.poisson_trend
    with pytest.raises(AttributeError):
        _ = analytics.no_such_name


# --- Wilson -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), Stat Med 17:857, Table I, method 3 (score, no continuity correction)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_it_reproduces_newcombes_wilson_intervals(k, n, low, high):
    interval = wilson_interval(k, n)
    assert round(interval.low, 4) == low
    assert round(interval.high, 4) == high
    assert interval.level == 0.95


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=5000),
    share=st.floats(min_value=0, max_value=1),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998]),
)
def test_it_agrees_with_statsmodels_wilson(n, share, level):
    k = round(share * n)
    low, high = proportion_confint(k, n, alpha=1 - level, method="wilson")
    interval = wilson_interval(k, n, level)
    assert interval.low == pytest.approx(low, abs=1e-12)
    assert interval.high == pytest.approx(high, abs=1e-12)
    assert 0 <= interval.low <= k / n <= interval.high <= 1


def test_it_pins_the_ends_of_the_wilson_interval_to_0_and_1():
    assert wilson_interval(0, 559, 0.8).low == 0.0
    assert wilson_interval(559, 559, 0.8).high == 1.0


def test_it_says_a_share_of_nothing_is_not_available():
    result = wilson_interval(0, 0)
    assert isinstance(result, NotAvailable)
    assert result.reason is Reason.ZERO_DENOMINATOR


def test_it_rejects_impossible_proportions():
    with pytest.raises(ValueError, match="cannot exceed"):
        wilson_interval(5, 4)
    with pytest.raises(ValueError, match="whole number"):
        wilson_interval(-1, 4)
    with pytest.raises(ValueError, match="whole number"):
        wilson_interval(1.5, 4)
    with pytest.raises(ValueError, match="level"):
        wilson_interval(1, 4, level=95)


def test_it_computes_many_wilson_intervals_in_order():
    results = wilson_intervals([81, 0, 3], [263, 0, 3])
    assert results[0] == wilson_interval(81, 263)
    assert not results[1]
    low, high = results[2]
    assert high == 1.0 and low == pytest.approx(3 / (3 + Z95**2))  # k = n: low = n / (n + z²)
    with pytest.raises(ValueError, match="denominators"):
        wilson_intervals([1, 2], [3])


# --- exact Poisson ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "low", "low_places", "high", "high_places"),
    [
        # widely tabulated exact 95% limits for a Poisson count
        (0, 0.0, 4, 3.689, 3),
        (1, 0.0253, 4, 5.572, 3),
        (5, 1.6235, 4, 11.668, 3),
        (10, 4.795, 3, 18.390, 3),
    ],
)
def test_it_reproduces_published_garwood_limits(k, low, low_places, high, high_places):
    interval = poisson_interval(k)
    assert round(interval.low, low_places) == low
    assert round(interval.high, high_places) == high


@settings(max_examples=60, deadline=None)
@given(k=st.integers(min_value=0, max_value=2000), level=st.sampled_from([0.9, 0.95, 0.99, 0.998]))
def test_it_puts_each_garwood_tail_at_exactly_half_alpha(k, level):
    # The defining property: P(X ≥ k | low) = α/2 and P(X ≤ k | high) = α/2.
    tail = (1 - level) / 2
    interval = poisson_interval(k, level)
    assert sps.poisson.cdf(k, interval.high) == pytest.approx(tail, rel=1e-6)
    if k == 0:
        assert interval.low == 0
    else:
        assert sps.poisson.sf(k - 1, interval.low) == pytest.approx(tail, rel=1e-6)
    # and the gamma form of the same limits
    assert interval.high == pytest.approx(sps.gamma.ppf(1 - tail, k + 1), rel=1e-9)


def test_it_computes_many_poisson_intervals_like_one():
    low, high = poisson_intervals(np.array([0, 1, 5, 10]))
    for i, k in enumerate([0, 1, 5, 10]):
        assert (low[i], high[i]) == tuple(poisson_interval(k))
    with pytest.raises(ValueError, match="whole number"):
        poisson_intervals([1, -2])
    with pytest.raises(ValueError, match="whole number"):
        poisson_intervals([1, float("nan")])


def test_it_scales_a_rate_per_1000_with_exact_limits():
    result = rate_per_1000(10, 2000)
    assert isinstance(result, Estimate)
    assert result.value == pytest.approx(5.0)
    assert result.low == pytest.approx(4.795 / 2, abs=5e-4)  # 4.795 per 2,000 = 2.3977 per 1,000
    assert result.high == pytest.approx(18.390 / 2, abs=5e-4)
    per_100 = rate(10, 2000, per=100, level=0.99)
    assert per_100.value == pytest.approx(0.5)
    assert per_100.high == pytest.approx(sps.chi2.ppf(0.995, 22) / 2 / 20)


@pytest.mark.parametrize(
    ("exposure", "reason"),
    [
        (None, Reason.MISSING_DENOMINATOR),
        (float("nan"), Reason.MISSING_DENOMINATOR),
        (0, Reason.ZERO_DENOMINATOR),
    ],
)
def test_it_never_divides_by_a_missing_or_zero_exposure(exposure, reason):
    result = rate_per_1000(3, exposure)
    assert isinstance(result, NotAvailable)
    assert result.reason is reason


def test_it_rejects_a_negative_exposure():
    with pytest.raises(ValueError, match="exposure"):
        rate_per_1000(3, -10)


# --- relative likelihood ----------------------------------------------------------------


def test_it_works_the_wres_example_by_hand():
    # 30 of 1,000 ethnic minority staff against 20 of 2,000 white staff.
    result = relative_likelihood(30, 1000, 20, 2000)
    assert result.likelihood_a == pytest.approx(0.03)
    assert result.likelihood_b == pytest.approx(0.01)
    assert result.ratio == pytest.approx(3.0)
    se = math.sqrt(1 / 30 - 1 / 1000 + 1 / 20 - 1 / 2000)  # = 0.28607
    assert result.low == pytest.approx(3.0 * math.exp(-Z95 * se))  # 1.712
    assert result.high == pytest.approx(3.0 * math.exp(Z95 * se))  # 5.256
    assert round(result.low, 3) == 1.712 and round(result.high, 3) == 5.256
    assert result.excludes_one
    assert result.outside_band() and result.clearly_outside_band()
    assert result.estimate == Estimate(result.ratio, result.low, result.high, 0.95)


def test_it_separates_the_band_from_the_interval():
    # 12 of 1,000 against 20 of 2,000: ratio 1.2, inside 0.80–1.25, interval spans 1.
    near = relative_likelihood(12, 1000, 20, 2000)
    assert near.ratio == pytest.approx(1.2)
    assert not near.outside_band() and not near.excludes_one
    # 16 of 1,000 against 20 of 2,000: ratio 1.6, outside the band but the interval still spans 1.
    wide = relative_likelihood(16, 1000, 20, 2000)
    assert wide.outside_band() and not wide.clearly_outside_band() and not wide.excludes_one
    assert wide.outside_band(0.5, 2.0) is False


@pytest.mark.parametrize(
    ("args", "kwargs", "reason"),
    [
        ((4, 1000, 20, 2000), {}, Reason.TOO_FEW_CASES),
        ((30, 1000, 4, 2000), {}, Reason.TOO_FEW_CASES),
        ((0, 1000, 20, 2000), {"min_cases": 0}, Reason.TOO_FEW_CASES),
        ((30, 1000, 0, 2000), {"min_cases": 0}, Reason.TOO_FEW_CASES),
        ((30, None, 20, 2000), {}, Reason.MISSING_DENOMINATOR),
        ((30, 1000, 20, float("nan")), {}, Reason.MISSING_DENOMINATOR),
        ((30, 0, 20, 2000), {}, Reason.ZERO_DENOMINATOR),
        ((30, 20, 20, 2000), {}, Reason.INCONSISTENT),
    ],
)
def test_it_says_when_the_relative_likelihood_cannot_be_given(args, kwargs, reason):
    result = relative_likelihood(*args, **kwargs)
    assert isinstance(result, NotAvailable)
    assert result.reason is reason


def test_it_lets_the_minimum_case_rule_be_configured():
    assert not relative_likelihood(4, 1000, 20, 2000)
    loose = relative_likelihood(4, 1000, 20, 2000, min_cases=3)
    assert loose.ratio == pytest.approx(0.4)
    assert "at least 5" in relative_likelihood(4, 1000, 20, 2000).message


@settings(max_examples=60, deadline=None)
@given(
    a=st.integers(5, 400),
    b=st.integers(5, 400),
    n_a=st.integers(400, 20000),
    n_b=st.integers(400, 20000),
)
def test_it_inverts_the_ratio_when_the_groups_swap(a, b, n_a, n_b):
    forward = relative_likelihood(a, n_a, b, n_b)
    backward = relative_likelihood(b, n_b, a, n_a)
    assert forward.ratio * backward.ratio == pytest.approx(1)
    assert forward.low * backward.high == pytest.approx(1)
    assert forward.low <= forward.ratio <= forward.high
