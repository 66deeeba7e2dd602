"""Yearly trends: Poisson regression with a quasi-Poisson guard against noisy series."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm

from concerns.analytics.stats import NotAvailable, Reason, Trend, TrendVerdict, poisson_trend


def statsmodels_change(counts, exposure=None, *, quasi=False):
    """exp(β) − 1 and its 95% interval, straight from statsmodels."""
    design = sm.add_constant(np.arange(len(counts), dtype=float))
    offset = None if exposure is None else np.log(exposure)
    model = sm.GLM(np.asarray(counts), design, family=sm.families.Poisson(), offset=offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an exact fit is reported as "perfect prediction"
        result = model.fit(scale="X2", use_t=True) if quasi else model.fit()
    low, high = result.conf_int()[1]
    return np.expm1(result.params[1]), np.expm1(low), np.expm1(high)


def test_it_reads_a_doubling_series_as_100_percent_a_year():
    trend = poisson_trend([5, 10, 20, 40, 80], labels=["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"])
    assert isinstance(trend, Trend)
    assert trend.annual_change.value == pytest.approx(1.0)  # the MLE fits exact doubling exactly
    assert trend.verdict is TrendVerdict.RISING
    assert trend.dispersion == pytest.approx(0, abs=1e-9) and trend.scale == 1.0
    assert trend.total == 155 and trend.periods == 5 and trend.labels[0] == "2019/20"


def test_it_reads_a_halving_series_as_minus_50_percent():
    trend = poisson_trend([80, 40, 20, 10, 5])
    assert trend.annual_change.value == pytest.approx(-0.5)
    assert trend.verdict is TrendVerdict.FALLING


def test_it_agrees_with_statsmodels_for_a_poisson_series():
    counts = [12, 15, 11, 19, 22]
    trend = poisson_trend(counts)
    assert trend.dispersion <= 1
    value, low, high = statsmodels_change(counts)
    assert trend.annual_change.value == pytest.approx(value)
    assert trend.annual_change.low == pytest.approx(low)
    assert trend.annual_change.high == pytest.approx(high)


def test_it_uses_the_exposure_as_an_offset():
    counts, headcount = [10, 20, 40], [1000, 2000, 4000]
    as_rate = poisson_trend(counts, headcount, min_total=10)
    assert as_rate.annual_change.value == pytest.approx(0, abs=1e-9)  # the rate per head never moves
    assert as_rate.verdict is TrendVerdict.NO_CLEAR_TREND and as_rate.per_exposure
    value, low, high = statsmodels_change(counts, headcount)
    assert tuple(vars(as_rate.annual_change).values())[:3] == pytest.approx((value, low, high))
    assert poisson_trend(counts).annual_change.value == pytest.approx(1.0)


def test_it_widens_a_noisy_series_so_it_gets_no_spurious_verdict():
    counts = [20, 45, 15, 50, 40]
    _, poisson_low, _ = statsmodels_change(counts)
    assert poisson_low > 0  # a plain Poisson model would call this rising
    trend = poisson_trend(counts)
    assert trend.dispersion > 1 and trend.scale == trend.dispersion
    value, low, high = statsmodels_change(counts, quasi=True)
    assert (trend.annual_change.value, trend.annual_change.low, trend.annual_change.high) == pytest.approx(
        (value, low, high)
    )
    assert trend.verdict is TrendVerdict.NO_CLEAR_TREND


def test_it_rarely_finds_a_trend_in_flat_overdispersed_series():
    rng = np.random.default_rng(36)
    verdicts = [
        poisson_trend(rng.poisson(rng.gamma(20 / 3, 3, 5))).verdict  # mean 20, variance 4 × mean
        for _ in range(300)
    ]
    spurious = sum(v is not TrendVerdict.NO_CLEAR_TREND for v in verdicts) / len(verdicts)
    assert spurious <= 0.10


@pytest.mark.parametrize(
    ("counts", "exposure", "reason"),
    [
        ([2, 3, 1, 2], None, Reason.TOO_FEW_CASES),
        ([30, 40], None, Reason.TOO_FEW_PERIODS),
        ([0, 0, 0, 12], None, Reason.NOT_ESTIMABLE),
        ([10, 12, 14], [100, None, 120], Reason.MISSING_DENOMINATOR),
        ([10, 12, 14], [100, 0, 120], Reason.ZERO_DENOMINATOR),
    ],
)
def test_it_says_when_there_is_too_little_to_say(counts, exposure, reason):
    result = poisson_trend(counts, exposure)
    assert isinstance(result, NotAvailable)
    assert result.reason is reason


def test_it_uses_plain_words_for_too_few_cases():
    assert poisson_trend([2, 3, 1, 2]).message.startswith("too few cases to say")
    assert poisson_trend([30, 40]).message.startswith("too few years to say")


def test_it_refuses_mismatched_inputs():
    with pytest.raises(ValueError, match="labels"):
        poisson_trend([10, 12, 14], labels=["a"])
    with pytest.raises(ValueError, match="exposures"):
        poisson_trend([10, 12, 14], [100, 120])
    with pytest.raises(ValueError, match="whole number"):
        poisson_trend([10, -1, 14])
    with pytest.raises(ValueError, match="min_periods"):
        poisson_trend([10, 12], min_periods=2)
