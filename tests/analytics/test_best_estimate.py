"""The best estimate (empirical Bayes, stats/_shrinkage.py): checked against statsmodels, and by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from concerns.analytics.stats import Unit, fit_spread, relative_likelihood


def synthetic_organisations(rng: np.random.Generator, *, tau: float, differing: float = 0.0, n: int = 200):
    """Organisations of demo-like sizes whose true ratios vary around 2 with spread `tau`; a share
    `differing` of them truly at 4 instead. Returns the units and the true ratios."""
    person_years = rng.lognormal(math.log(4000), 0.8, n)
    share = rng.uniform(0.15, 0.6, n)
    theta = rng.normal(math.log(2), tau, n)
    theta[rng.random(n) < differing] = math.log(4)
    a = rng.poisson(person_years * share * 0.004 * np.exp(theta))
    b = rng.poisson(person_years * (1 - share) * 0.004)
    units = [
        Unit(int(x), float(p * s), int(y), float(p * (1 - s)))
        for x, y, p, s in zip(a, b, person_years, share, strict=True)
    ]
    return units, np.exp(theta)


def national(units: list[Unit]) -> tuple[float, float]:
    a, b = sum(u.cases_a for u in units), sum(u.cases_b for u in units)
    ratio = (a / sum(u.person_years_a for u in units)) / (b / sum(u.person_years_b for u in units))
    return ratio, math.sqrt(1 / a + 1 / b)


def run(seed: int, *, tau: float, differing: float = 0.0):
    """Coverage of the best estimates' 95% intervals, and the share of organisations whose own figure
    and whose best estimate can say nothing (no ratio, or an interval that includes 1)."""
    units, truth = synthetic_organisations(np.random.default_rng(seed), tau=tau, differing=differing)
    spread = fit_spread(units, *national(units))
    covered, silent_best, silent_own = 0, 0, 0
    for unit, true_ratio in zip(units, truth, strict=True):
        best = spread.estimate(unit)
        covered += best.low <= true_ratio <= best.high
        silent_best += best.low <= 1 <= best.high
        own = relative_likelihood(unit.cases_a, unit.person_years_a, unit.cases_b, unit.person_years_b)
        silent_own += not own or own.low <= 1 <= own.high
    n = len(units)
    return covered / n, silent_best / n, silent_own / n, spread.tau


def test_the_spread_agrees_with_statsmodels_random_effects_on_large_counts() -> None:
    """With hundreds of cases an organisation's log ratio is nearly normal: the spread weighed here and
    the Paule–Mandel estimate of statsmodels' random-effects meta-analysis should agree."""
    from statsmodels.stats.meta_analysis import combine_effects

    rng = np.random.default_rng(7)
    theta = rng.normal(math.log(2), 0.3, 80)
    units = [
        Unit(int(rng.poisson(4000 * 0.01 * math.exp(t))), 4000.0, int(rng.poisson(300)), 30000.0)
        for t in theta
    ]
    effects = np.array(
        [math.log((u.cases_a / u.person_years_a) / (u.cases_b / u.person_years_b)) for u in units]
    )
    variances = np.array([1 / u.cases_a + 1 / u.cases_b for u in units])
    meta = combine_effects(effects, variances, method_re="pm")
    spread = fit_spread(units, math.exp(meta.mean_effect_re), meta.sd_eff_w_re)
    assert spread.tau == pytest.approx(math.sqrt(meta.tau2), abs=0.05)
    assert math.sqrt(meta.tau2) == pytest.approx(0.3, abs=0.08)  # and both find the spread simulated


def test_an_organisation_with_many_cases_keeps_its_own_ratio_and_one_with_none_gets_the_national() -> None:
    units, _ = synthetic_organisations(np.random.default_rng(3), tau=0.3)
    spread = fit_spread(units, *national(units))
    big = spread.estimate(Unit(400, 20000.0, 100, 20000.0))  # own ratio 4.0 (3.2 to 5.0)
    assert 3.3 < big.ratio < 4.0 and big.own_weight > 0.8
    none = spread.estimate(Unit(0, 500.0, 0, 500.0))
    assert none.ratio == pytest.approx(national(units)[0], rel=0.03) and none.own_weight == 0
    assert none.low < none.ratio < none.high


@pytest.mark.parametrize(("tau", "differing"), [(0.0, 0.0), (0.25, 0.0), (0.2, 0.1)])
def test_best_estimates_cover_the_true_ratios_and_say_something_far_more_often(tau, differing) -> None:
    results = np.array([run(seed, tau=tau, differing=differing) for seed in range(4)])
    coverage, silent_best, silent_own = results[:, :3].mean(axis=0)
    # Near 95% where organisations truly differ; with no spread at all every true ratio is the national
    # one and the intervals, allowing for a spread the data cannot rule out, cover it every time.
    assert coverage >= 0.90, coverage
    assert coverage <= (1.0 if tau == 0 else 0.99), coverage
    assert silent_own > 0.55  # most organisations' own figure says nothing (too few cases, or includes 1)
    assert silent_best < silent_own / 2, (silent_best, silent_own)
