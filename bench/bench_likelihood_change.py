"""Calibration of "has the relative likelihood moved?" (stats.likelihood_change, an exact conditional test).

Synthetic organisations of demo-like sizes (person-years lognormal around 4,000 over five years, three
earlier years and two later ones, the group of interest 15–60% of them, 4 cases per 1,000 person-years
in the reference group, a true ratio of 2). With the same ratio in both spans, a "higher" or "lower"
is a false verdict: its rate must stay at or below 5% (2.5% each way). With the ratio doubled in the
later years, the share called "higher" is the power. Only organisations whose report would show the
spans count: at least 5 cases in each group in each span, as the report requires.
Figures: docs/statistics.md ("Over time").
"""

from __future__ import annotations

import math
import time

import numpy as np

SEEDS = 20
ORGANISATIONS = 500
THRESHOLD = 5
EARLIER_SHARE = 3 / 5  # three of the five years


def one(seed: int, change: float, size: float) -> tuple[int, int, int]:
    """(organisations with spans shown, called higher, called lower) for one dataset."""
    from concerns.analytics.stats import Span, likelihood_change

    rng = np.random.default_rng(seed)
    person_years = rng.lognormal(math.log(4000 * size), 0.8, ORGANISATIONS)
    share = rng.uniform(0.15, 0.6, ORGANISATIONS)
    shown = higher = lower = 0
    for p, s in zip(person_years, share, strict=True):
        spans = []
        for fraction, ratio in ((EARLIER_SHARE, 2.0), (1 - EARLIER_SHARE, 2.0 * change)):
            a_years, b_years = p * fraction * s, p * fraction * (1 - s)
            a = int(rng.poisson(a_years * 0.004 * ratio))
            b = int(rng.poisson(b_years * 0.004))
            spans.append(Span(a, a_years, b, b_years))
        if min(x for span in spans for x in (span.cases_a, span.cases_b)) < THRESHOLD:
            continue
        result = likelihood_change(*spans)
        shown += 1
        higher += result.verdict == "higher"
        lower += result.verdict == "lower"
    return shown, higher, lower


def main() -> None:
    started = time.perf_counter()
    print(f"{ORGANISATIONS} organisations, {SEEDS} datasets a scenario; true ratio 2 in the earlier years")
    print("size  later/earlier  shown  higher  lower")
    for size in (1.0, 3.0):
        for change in (1.0, 1.5, 2.0):
            totals = np.zeros(3, dtype=int)
            for seed in range(SEEDS):
                totals += one(seed, change, size)
            shown, higher, lower = (int(x) for x in totals)
            print(
                f"{size:>4.0f}  {change:>13.1f}  {shown:>5}  {higher / shown:>6.2%}  {lower / shown:>5.2%}",
                flush=True,
            )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
