"""Calibration of the best estimates (empirical Bayes relative likelihoods, stats/_shrinkage.py).

Synthetic organisations of demo-like sizes (person-years lognormal around 4,000 over five years, the
group of interest 15–60% of them, 4 cases per 1,000 person-years in the reference group) whose true
ratios vary around 2 with a spread τ, some of them truly at 4. For each scenario, over SEEDS datasets:
how often the 95% interval covers the true ratio (all organisations, and those truly at 4), and how
often the organisation's own figure and its best estimate say nothing (no ratio, or an interval that
includes 1). Figures: docs/statistics.md ("Best estimates").
"""

from __future__ import annotations

import math
import time

import numpy as np

SEEDS = 20
ORGANISATIONS = 200
SCENARIOS = ((0.0, 0.0), (0.1, 0.0), (0.25, 0.0), (0.5, 0.0), (0.2, 0.1))
# No effect anywhere: every true ratio 1. A best estimate clear of 1 is then a false verdict.
NULL_RATIO = 1.0


def one(
    seed: int, tau: float, differing: float, centre: float = 2.0
) -> tuple[float, float, float, float, int]:
    from concerns.analytics.stats import Unit, fit_spread, relative_likelihood

    rng = np.random.default_rng(seed)
    person_years = rng.lognormal(math.log(4000), 0.8, ORGANISATIONS)
    share = rng.uniform(0.15, 0.6, ORGANISATIONS)
    theta = rng.normal(math.log(centre), tau, ORGANISATIONS)
    outliers = rng.random(ORGANISATIONS) < differing
    theta[outliers] = math.log(4)
    a = rng.poisson(person_years * share * 0.004 * np.exp(theta))
    b = rng.poisson(person_years * (1 - share) * 0.004)
    units = [
        Unit(int(x), float(p * s), int(y), float(p * (1 - s)))
        for x, y, p, s in zip(a, b, person_years, share, strict=True)
    ]
    national = (a.sum() / (person_years * share).sum()) / (b.sum() / (person_years * (1 - share)).sum())
    spread = fit_spread(units, float(national), math.sqrt(1 / a.sum() + 1 / b.sum()))
    covered, covered_outliers, silent_best, silent_own = 0, 0, 0, 0
    for unit, true_theta, outlier in zip(units, theta, outliers, strict=True):
        best = spread.estimate(unit)
        inside = best.low <= math.exp(true_theta) <= best.high
        covered += inside
        covered_outliers += inside and outlier
        silent_best += best.low <= 1 <= best.high
        own = relative_likelihood(unit.cases_a, unit.person_years_a, unit.cases_b, unit.person_years_b)
        silent_own += not own or own.low <= 1 <= own.high
    n = ORGANISATIONS
    return covered / n, covered_outliers, silent_best / n, silent_own / n, int(outliers.sum())


def main() -> None:
    started = time.perf_counter()
    print(f"{ORGANISATIONS} organisations, {SEEDS} datasets a scenario; true ratios around 2")
    print("tau  truly-4  coverage  coverage(truly 4)  says nothing: own  best")
    for tau, differing in SCENARIOS:
        runs = [one(seed, tau, differing) for seed in range(SEEDS)]
        coverage = np.mean([r[0] for r in runs])
        outliers = sum(r[4] for r in runs)
        outlier_coverage = sum(r[1] for r in runs) / outliers if outliers else float("nan")
        silent_best, silent_own = np.mean([r[2] for r in runs]), np.mean([r[3] for r in runs])
        print(
            f"{tau:4.2f} {differing:7.0%}  {coverage:8.1%}  {outlier_coverage:17.1%}"
            f"  {silent_own:17.1%}  {silent_best:4.1%}"
        )
    runs = [one(seed, 0.0, 0.0, NULL_RATIO) for seed in range(SEEDS)]
    false = 1 - np.mean([r[2] for r in runs])
    own_false = 1 - np.mean([r[3] for r in runs])
    datasets = sum(1 - r[2] > 0 for r in runs)
    print(
        f"no effect anywhere (every ratio 1): best estimate clear of 1 for {false:.2%} of organisations "
        f"(in {datasets} of {SEEDS} datasets any), own figure {own_false:.2%}"
    )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
