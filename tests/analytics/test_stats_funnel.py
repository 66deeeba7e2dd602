"""Funnel plots: exact interpolated limits, positions, overdispersion (Spiegelhalter 2005)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from concerns.analytics.stats import (
    Funnel,
    FunnelKind,
    NotAvailable,
    Position,
    Reason,
    funnel_proportion,
    funnel_rate,
    funnel_ratio,
)

Z95 = 1.959963984540054


def poisson_limit(mean: float, precision: float, p: float) -> float:
    """Spiegelhalter's appendix, written out: r_p, then α, then (r_p − α) / precision."""
    r = sps.poisson.ppf(p, mean)
    alpha = (sps.poisson.cdf(r, mean) - p) / (sps.poisson.cdf(r, mean) - sps.poisson.cdf(r - 1, mean))
    return max((r - alpha) / precision, 0.0)


def binomial_limit(n: int, target: float, p: float) -> float:
    r = sps.binom.ppf(p, n, target)
    alpha = (sps.binom.cdf(r, n, target) - p) / (
        sps.binom.cdf(r, n, target) - sps.binom.cdf(r - 1, n, target)
    )
    return max((r - alpha) / n, 0.0)


OBSERVED = [2, 8, 15, 40, 3, 0, 30, 5]
EXPECTED = [4.0, 6.5, 10.0, 25.0, 12.0, 0.4, 10.0, None]
LABELS = ["A", "B", "C", "D", "E", "F", "G", "H"]


@pytest.fixture
def ratios() -> Funnel:
    funnel = funnel_ratio(OBSERVED, EXPECTED, labels=LABELS, overdispersion=False)
    assert isinstance(funnel, Funnel)
    return funnel


def test_it_places_ratios_against_exact_interpolated_poisson_limits(ratios):
    assert ratios.kind is FunnelKind.RATIO and ratios.target == 1.0 and ratios.levels == (0.95, 0.998)
    for unit, observed, expected in zip(ratios.units[:7], OBSERVED, EXPECTED, strict=False):
        assert unit.value == pytest.approx(observed / expected)
        assert unit.z == pytest.approx(np.log(max(observed, 0.5) / expected) * np.sqrt(expected))
        assert unit.p_high == pytest.approx(sps.poisson.sf(observed - 1, expected))
        assert unit.p_low == pytest.approx(sps.poisson.cdf(observed, expected))
        for limit in unit.limits:
            tail = (1 - limit.level) / 2
            assert limit.low == pytest.approx(poisson_limit(expected, expected, tail))
            assert limit.high == pytest.approx(poisson_limit(expected, expected, 1 - tail))


def test_it_classifies_each_unit_at_each_level(ratios):
    # D: P(X ≥ 40 | 25) = 0.0034, E: P(X ≤ 3 | 12) = 0.0023, G: P(X ≥ 30 | 10) < 1e-7.
    assert [u.label for u in ratios.above(0.95)] == ["D", "G"]
    assert [u.label for u in ratios.below(0.95)] == ["E"]
    assert [u.label for u in ratios.outside(0.95)] == ["D", "E", "G"]
    assert [u.label for u in ratios.outside(0.998)] == ["G"]
    d = ratios.units[3]
    assert d.position(0.95) is Position.ABOVE and d.position(0.998) is Position.WITHIN
    with pytest.raises(ValueError, match="level"):
        d.position(0.9)


def test_it_never_flags_a_zero_below_a_limit_that_reaches_zero(ratios):
    f = ratios.units[5]  # 0 observed, 0.4 expected
    assert f.value == 0 and f.limit(0.95).low == 0 and f.position(0.95) is Position.WITHIN


def test_it_leaves_a_unit_without_a_denominator_off_the_funnel(ratios):
    h = ratios.units[7]
    assert h.value is None and h.limits == () and h.position(0.95) is Position.NOT_AVAILABLE
    assert h.not_available.reason is Reason.MISSING_DENOMINATOR
    assert ratios.units_placed == 7


def test_it_draws_smooth_lines_thanks_to_the_interpolation(ratios):
    grid = np.arange(1, 50, 0.01)
    upper = np.array([interval.high for interval in ratios.curve(0.998, grid)])
    uninterpolated = sps.poisson.ppf(0.999, grid) / grid
    assert np.abs(np.diff(uninterpolated)).max() > 0.5  # steps of 1/E without interpolation
    assert np.abs(np.diff(upper)).max() < 0.05
    assert ratios.limits_at(25.0, 0.95).high == pytest.approx(ratios.units[3].limit(0.95).high)


def test_it_approaches_the_normal_limits_for_a_large_exposure():
    funnel = funnel_ratio([10000], [10000.0])
    limit = funnel.units[0].limit(0.95)
    assert limit.low == pytest.approx(1 - Z95 / 100, abs=1e-4)
    assert limit.high == pytest.approx(1 + Z95 / 100, abs=1e-4)
    share = funnel_proportion([6000], [20000]).units[0].limit(0.95)
    half = Z95 * np.sqrt(0.3 * 0.7 / 20000)
    assert share.low == pytest.approx(0.3 - half, abs=1e-4)
    assert share.high == pytest.approx(0.3 + half, abs=1e-4)


def test_it_reports_rates_per_1000_around_the_pooled_rate():
    observed, exposure = [0, 3, 10, 25, 60], [100, 800, 2000, 5000, 9000]
    funnel = funnel_rate(observed, exposure, overdispersion=False)
    pooled = sum(observed) / sum(exposure)
    assert funnel.target == pytest.approx(1000 * pooled)
    unit = funnel.units[2]
    assert unit.value == pytest.approx(5.0) and unit.precision == 2000
    assert unit.limit(0.998).low == pytest.approx(1000 * poisson_limit(pooled * 2000, 2000, 0.001))
    assert unit.limit(0.998).high == pytest.approx(1000 * poisson_limit(pooled * 2000, 2000, 0.999))
    given = funnel_rate(observed, exposure, target=4.0, overdispersion=False)
    assert given.units[2].limit(0.95).high == pytest.approx(1000 * poisson_limit(8.0, 2000, 0.975))


def test_it_places_proportions_against_exact_binomial_limits():
    funnel = funnel_proportion([2, 20, 30], [20, 50, 120], target=0.2, levels=[0.95], overdispersion=False)
    for unit, n in zip(funnel.units, [20, 50, 120], strict=True):
        limit = unit.limit(0.95)
        assert limit.low == pytest.approx(binomial_limit(n, 0.2, 0.025))
        assert limit.high == pytest.approx(binomial_limit(n, 0.2, 0.975))
    # 20 of 50 against 20%: P(X ≥ 20) = 0.0009, above.
    assert [u.label for u in funnel.above(0.95)] == ["2"]
    with pytest.raises(ValueError, match="exceeds"):
        funnel_proportion([5], [4])


def test_it_estimates_overdispersion_on_the_log_scale_and_widens_the_limits_by_hand():
    rng = np.random.default_rng(7)
    exposure = rng.integers(500, 5000, 20).astype(float)
    observed = rng.poisson(exposure * 0.01 * rng.gamma(4, 0.25, 20))  # rates vary between units
    funnel = funnel_rate(observed, exposure)

    theta = observed.sum() / exposure.sum()
    s2 = 1 / (theta * exposure)
    z = np.log(np.maximum(observed, 0.5) / exposure / theta) / np.sqrt(s2)
    zw = np.clip(z, np.quantile(z, 0.1), np.quantile(z, 0.9))
    phi = np.mean(zw**2)
    w = 1 / s2
    tau2 = (20 * phi - 19) / (w.sum() - (w**2).sum() / w.sum())
    assert sps.chi2.sf(20 * phi, 19) < 0.05 and funnel.overdispersed
    assert funnel.phi == pytest.approx(phi)
    assert funnel.tau2 == pytest.approx(tau2)
    assert funnel.overdispersion_p == pytest.approx(sps.chi2.sf(20 * phi, 19))
    for unit, o, n in zip(funnel.units, observed, exposure, strict=True):
        half = sps.norm.ppf(0.999) * np.sqrt(1 / (theta * n) + tau2)
        assert unit.limit(0.998).high == pytest.approx(1000 * theta * np.exp(half))
        assert unit.limit(0.998).low == pytest.approx(1000 * theta * np.exp(-half))
        adjusted = np.log(max(o, 0.5) / n / theta) / np.sqrt(1 / (theta * n) + tau2)
        assert unit.z_adjusted == pytest.approx(adjusted)
        assert unit.p_high == pytest.approx(sps.norm.sf(adjusted))

    plain = funnel_rate(observed, exposure, overdispersion=False)
    assert plain.overdispersed and plain.tau2 == 0
    assert len(plain.outside(0.998)) > len(funnel.outside(0.998))


def test_it_widens_only_when_the_dispersion_test_rejects():
    # φ a little above 1 by chance: the test does not reject, so nothing is widened.
    expected = [20.0] * 10
    observed = [20, 28, 13, 27, 14, 20, 25, 15, 20, 26]
    funnel = funnel_ratio(observed, expected, winsor=0)
    assert funnel.phi > 1 and funnel.overdispersion_p > 0.05
    assert not funnel.overdispersed and funnel.tau2 == 0


def test_it_winsorises_the_z_scores_before_estimating_phi():
    expected = [20.0] * 10
    observed = [20, 21, 19, 22, 18, 20, 23, 17, 20, 80]  # one wild unit
    z = np.log(np.array(observed) / 20) * np.sqrt(20)
    trimmed = funnel_ratio(observed, expected)
    raw = funnel_ratio(observed, expected, winsor=0)
    assert raw.phi == pytest.approx(np.mean(z**2))
    assert trimmed.phi == pytest.approx(np.mean(np.clip(z, np.quantile(z, 0.1), np.quantile(z, 0.9)) ** 2))
    assert trimmed.phi < 1 < raw.phi
    assert not trimmed.overdispersed and raw.overdispersed
    assert [u.label for u in trimmed.outside(0.998)] == ["10"]


def test_it_flags_no_more_often_than_nominal_for_small_shares():
    # Exact binomial tails: a share of 1 case out of 1 can never be outside the 99.8% limits,
    # and over every denominator from 1 to 40 the chance of being outside stays at or below 0.2%.
    assert funnel_proportion([1, 30], [1, 60], target=0.7).units[0].position(0.998) is Position.WITHIN
    for n in range(1, 41):
        outcomes = np.arange(n + 1)
        funnel = funnel_proportion(outcomes, [n] * (n + 1), target=0.3, overdispersion=False)
        flagged = np.array([unit.position(0.998) is not Position.WITHIN for unit in funnel.units])
        assert sps.binom.pmf(outcomes, n, 0.3)[flagged].sum() <= 0.002


def test_it_says_when_there_is_no_funnel_to_draw():
    nothing = funnel_rate([1, 2], [None, 0])
    assert isinstance(nothing, NotAvailable) and nothing.reason is Reason.MISSING_DENOMINATOR
    no_cases = funnel_rate([0, 0, 0], [100, 200, 300])
    assert isinstance(no_cases, NotAvailable) and no_cases.reason is Reason.TOO_FEW_CASES
    with pytest.raises(ValueError, match="labels"):
        funnel_ratio([1, 2], [1.0, 2.0], labels=["a"])
    with pytest.raises(ValueError, match="target"):
        funnel_proportion([1], [10], target=1.5)


def test_it_leaves_about_0_2_percent_outside_the_998_limits_under_the_null():
    rng = np.random.default_rng(2005)
    expected = rng.uniform(20, 500, 200)
    outside = 0
    replicates = 60
    for _ in range(replicates):
        funnel = funnel_ratio(rng.poisson(expected), expected)  # overdispersion estimated as in use
        outside += len(funnel.outside(0.998))
    share = outside / (replicates * len(expected))
    assert 0.001 <= share <= 0.0035

    # The exact share implied by the limits, unit by unit: P(X > high·E) + P(X < low·E).
    limits = funnel_ratio([0] * len(expected), expected, overdispersion=False).curve(0.998, expected)
    exact = np.mean(
        [
            sps.poisson.sf(np.floor(i.high * e), e) + sps.poisson.cdf(np.ceil(i.low * e) - 1, e)
            for i, e in zip(limits, expected, strict=True)
        ]
    )
    assert 0.0015 <= exact <= 0.0025


# --- spread_test: do the units vary more than chance? ----------------------------------------------


def test_spread_test_uses_the_funnels_own_dispersion_statistic():
    from concerns.analytics.stats import spread_test

    funnel = funnel_rate([3, 9, 14, 2, 30, 7, 11], [500, 900, 1500, 400, 2100, 800, 1000])
    assert spread_test(funnel, simulations=99).phi == pytest.approx(funnel.phi, rel=1e-12)


def test_spread_test_finds_counts_in_proportion_to_exposure_within_chance():
    from concerns.analytics.stats import spread_test

    funnel = funnel_rate([5, 10, 15, 20, 25, 30], [1000, 2000, 3000, 4000, 5000, 6000])
    found = spread_test(funnel, simulations=999)
    assert found.p > 0.9 and not found.beyond_chance


def test_spread_test_finds_a_spread_far_beyond_chance_at_its_smallest_p():
    from concerns.analytics.stats import spread_test

    funnel = funnel_rate([1, 60, 2, 55, 3, 70, 0, 65], [1000] * 8)
    found = spread_test(funnel, simulations=199)
    assert found.p == pytest.approx(1 / 200) and found.beyond_chance


def test_spread_test_keeps_its_level_where_the_chi_square_approximation_does_not():
    """Ten organisations with about 7 cases each at one rate: the χ² approximation calls a spread
    6.2% of the time at 5% (bench/bench_spread.py, 8,000 datasets); the simulation test stays within
    its level. 400 datasets: the bound is the level plus three standard errors."""
    from concerns.analytics.stats import spread_test

    rng = np.random.default_rng(5)
    called = 0
    datasets = 400
    for seed in range(datasets):
        years = np.maximum(np.round(rng.lognormal(np.log(1079) - 0.18, 0.6, 10)), 1)
        funnel = funnel_rate(rng.poisson(years * 0.0062).tolist(), years.tolist())
        called += spread_test(funnel, simulations=199, seed=seed).beyond_chance
    assert called / datasets <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / datasets)


def test_spread_test_needs_three_units_and_rejects_shares():
    from concerns.analytics.stats import NotAvailable, funnel_proportion, spread_test

    assert isinstance(spread_test(funnel_rate([3, 4], [100, 200])), NotAvailable)
    with pytest.raises(ValueError):
        spread_test(funnel_proportion([3, 4, 5], [10, 20, 30]))
