"""Calibration of "spread beyond chance" (`stats.spread_test`, at 5%).

The national report says a type's organisations vary more than chance alone would give when the
simulation test of its rate funnel's dispersion rejects; the funnel's own χ² approximation (which decides
whether its limits widen) is measured beside it. Synthetic types with the demo data's number of organisations and
mean practitioner-years (five years; lognormal spread between organisations), 6.2 cases per 1,000
practitioners a year: with every organisation at the same rate, "beyond chance" is a false verdict
and its rate must stay at or below 5%. With organisations' rates lognormal around it (τ on the log
scale), the share called "beyond chance" is the power. Figures: docs/statistics.md ("Spread").
"""

from __future__ import annotations

import math
import time

import numpy as np

DATASETS = 1000
RATE = 6.2 / 1000
# (type, organisations, mean person-years over five years) as in the demo data of 2026-12-02
TYPES = (
    ("acute", 112, 5091),
    ("mental health", 40, 809),
    ("specialist", 14, 2440),
    ("primary care", 12, 13675),
    ("ambulance", 12, 94),
    ("independent", 8, 829),
    ("10 × 7 cases", 10, 1079),
)


def share_beyond_chance(organisations: int, mean_years: float, tau: float, seed: int) -> tuple[float, float]:
    """(share called by spread_test, share called by the funnel's χ² approximation)."""
    from concerns.analytics.stats import Funnel, SpreadTest, funnel_rate, spread_test

    rng = np.random.default_rng(seed)
    called = approximate = tested = 0
    for _ in range(DATASETS):
        years = np.round(rng.lognormal(math.log(mean_years) - 0.18, 0.6, organisations))
        years = np.maximum(years, 1)
        rates = RATE * np.exp(rng.normal(-(tau**2) / 2, tau, organisations)) if tau else RATE
        cases = rng.poisson(years * rates)
        funnel = funnel_rate(cases.tolist(), years.tolist(), levels=(0.95, 0.998), overdispersion=True)
        if not isinstance(funnel, Funnel):
            continue
        test = spread_test(funnel, simulations=999, seed=int(rng.integers(1 << 31)))
        if isinstance(test, SpreadTest):
            tested += 1
            called += test.beyond_chance
            approximate += funnel.overdispersed
    return called / tested, approximate / tested


def main() -> None:
    started = time.perf_counter()
    print(f"{DATASETS} datasets a row; share of types called 'spread beyond chance'")
    print(f"{'type':<14} {'orgs':>4}  {'τ = 0':>6}  {'(χ²)':>6}  {'τ = 0.2':>7}  {'τ = 0.4':>7}")
    for seed, (name, organisations, mean_years) in enumerate(TYPES):
        shares = [share_beyond_chance(organisations, mean_years, tau, seed) for tau in (0.0, 0.2, 0.4)]
        print(
            f"{name:<14} {organisations:>4}  {shares[0][0]:>6.2%}  {shares[0][1]:>6.2%}  "
            f"{shares[1][0]:>7.1%}  {shares[2][0]:>7.1%}",
            flush=True,
        )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
