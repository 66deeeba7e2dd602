"""Relative likelihood between two staff groups, as in the WRES indicators."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Literal

from concerns.analytics.stats._intervals import normal_quantile
from concerns.analytics.stats._results import (
    Estimate,
    NotAvailable,
    Reason,
    check_count,
    check_denominator,
    check_level,
)

DEFAULT_MIN_CASES = 5
EQUITY_BAND = (0.80, 1.25)


@dataclass(frozen=True)
class RelativeLikelihood:
    """(cases_a ÷ headcount_a) ÷ (cases_b ÷ headcount_b), with its interval.

    Group a is the group of interest (e.g. ethnic minority staff), b the
    reference (e.g. white staff); 1 means equal likelihood, 2 means group a
    twice as likely.
    """

    ratio: float
    low: float
    high: float
    level: float
    likelihood_a: float
    likelihood_b: float
    available: ClassVar[Literal[True]] = True

    @property
    def estimate(self) -> Estimate:
        return Estimate(self.ratio, self.low, self.high, self.level)

    @property
    def excludes_one(self) -> bool:
        """The interval lies wholly above or wholly below 1 (equal likelihood)."""
        return self.low > 1 or self.high < 1

    def outside_band(self, low: float = EQUITY_BAND[0], high: float = EQUITY_BAND[1]) -> bool:
        """The ratio itself lies outside the band [low, high] (by default 0.80–1.25)."""
        return self.ratio < low or self.ratio > high

    def clearly_outside_band(self, low: float = EQUITY_BAND[0], high: float = EQUITY_BAND[1]) -> bool:
        """The whole interval lies outside the band, not only the ratio."""
        return self.low > high or self.high < low


def relative_likelihood(
    cases_a: int,
    headcount_a: float | None,
    cases_b: int,
    headcount_b: float | None,
    level: float = 0.95,
    *,
    min_cases: int = DEFAULT_MIN_CASES,
) -> RelativeLikelihood | NotAvailable:
    """Relative likelihood of group a against group b, with a log-method interval.

    SE(log ratio) = sqrt(1/a − 1/n_a + 1/b − 1/n_b) (Katz et al. 1978); the
    interval is ratio × exp(±z·SE). The headcounts may be person-years when
    cases are pooled over several years.

    Not available (a `NotAvailable` rather than a number) when a headcount is
    unknown or zero, when cases exceed the headcount, when either group has
    no cases (the ratio is 0 or infinite and the log method undefined), or
    when either group has fewer than `min_cases` cases (default 5): below
    that the interval spans more than a twelvefold range and the ratio
    swings with one case either way.
    """
    check_level(level)
    a, b = check_count(cases_a, "cases_a"), check_count(cases_b, "cases_b")
    n_a, n_b = check_denominator(headcount_a, "headcount_a"), check_denominator(headcount_b, "headcount_b")
    if isinstance(n_a, NotAvailable):
        return n_a
    if isinstance(n_b, NotAvailable):
        return n_b
    min_cases = check_count(min_cases, "min_cases")
    if a > n_a or b > n_b:
        return NotAvailable(Reason.INCONSISTENT, "more cases than headcount in a group")
    if a == 0 or b == 0 or min(a, b) < min_cases:
        return NotAvailable(Reason.TOO_FEW_CASES, _few_cases_detail(a, b, max(min_cases, 1)))
    likelihood_a, likelihood_b = a / n_a, b / n_b
    ratio = likelihood_a / likelihood_b
    spread = normal_quantile(level) * math.sqrt(1 / a - 1 / n_a + 1 / b - 1 / n_b)
    return RelativeLikelihood(
        ratio, ratio * math.exp(-spread), ratio * math.exp(spread), level, likelihood_a, likelihood_b
    )


def _few_cases_detail(a: int, b: int, min_cases: int) -> str:
    return f"{a} and {b} cases in the two groups; at least {min_cases} are needed in each"


class ChangeVerdict(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    NO_CLEAR_CHANGE = "no_clear_change"


@dataclass(frozen=True)
class Span:
    """One span of years of a comparison: the two groups' cases and person-years."""

    cases_a: int
    headcount_a: float
    cases_b: int
    headcount_b: float


@dataclass(frozen=True)
class LikelihoodChange:
    """A relative likelihood in an earlier span and a later one, and whether it moved between them.

    `p` is the two-sided exact conditional test of one ratio for both spans; the verdict is higher or
    lower only when p < 1 − level (at 0.95, at most 2.5% of unmoving ratios are called higher, and
    2.5% lower).
    """

    earlier: RelativeLikelihood
    later: RelativeLikelihood
    p: float
    verdict: ChangeVerdict
    level: float
    available: ClassVar[Literal[True]] = True


def likelihood_change(
    earlier: Span, later: Span, level: float = 0.95, *, min_cases: int = DEFAULT_MIN_CASES
) -> LikelihoodChange | NotAvailable:
    """Has the relative likelihood moved between two spans of years?

    Given each span's cases of both groups (n₁, n₂) and all of group a's cases (a₁ + a₂), under one
    ratio in both spans a₁ follows Fisher's noncentral hypergeometric distribution with odds
    (A₁/B₁) ÷ (A₂/B₂), the spans' person-years: the conditional test of a ratio of two Poisson ratios,
    exact whatever the counts, so the stated error rate holds for small ones too (conservatively).
    Each span's ratio must be available (at least `min_cases` cases in each group).
    """
    check_level(level)
    spans = [
        relative_likelihood(s.cases_a, s.headcount_a, s.cases_b, s.headcount_b, level, min_cases=min_cases)
        for s in (earlier, later)
    ]
    first, second = spans
    if isinstance(first, NotAvailable):
        return first
    if isinstance(second, NotAvailable):
        return second
    n1, n2 = earlier.cases_a + earlier.cases_b, later.cases_a + later.cases_b
    odds = (earlier.headcount_a / earlier.headcount_b) / (later.headcount_a / later.headcount_b)
    p = _two_sided(earlier.cases_a, n1, n2, earlier.cases_a + later.cases_a, odds)
    if p >= 1 - level:
        verdict = ChangeVerdict.NO_CLEAR_CHANGE
    else:
        verdict = ChangeVerdict.HIGHER if second.ratio > first.ratio else ChangeVerdict.LOWER
    return LikelihoodChange(first, second, p, verdict, level)


def _two_sided(k: int, n1: int, n2: int, drawn: int, odds: float) -> float:
    """Twice the smaller tail at k of Fisher's noncentral hypergeometric distribution (n1 of type 1,
    n2 of type 2, `drawn` drawn, odds ratio `odds`), at most 1.

    Summed over its support in logs here: SciPy's `nchypergeom_fisher` aborts the whole process on
    some odds within rounding of 1 (SciPy 1.17, "Parameter negative in LnFac function"); the tests
    check this against it and against `fisher_exact` where odds are 1.
    """
    import numpy as np
    from scipy.special import gammaln, logsumexp

    x = np.arange(max(0, drawn - n2), min(n1, drawn) + 1)
    log_pmf = (
        gammaln(n1 + 1)
        - gammaln(x + 1)
        - gammaln(n1 - x + 1)
        + gammaln(n2 + 1)
        - gammaln(drawn - x + 1)
        - gammaln(n2 - drawn + x + 1)
        + x * math.log(odds)
    )
    log_pmf -= logsumexp(log_pmf)
    lower = float(np.exp(logsumexp(log_pmf[x <= k])))
    upper = float(np.exp(logsumexp(log_pmf[x >= k])))
    return min(1.0, 2 * min(lower, upper))
