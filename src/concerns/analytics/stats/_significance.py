"""One-sided exact Poisson p-values and Benjamini–Hochberg false discovery rate control."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from concerns.analytics.stats._results import check_count, check_counts, is_missing


def exact_poisson_upper_p(observed: int, expected: float, *, mid_p: bool = False) -> float:
    """One-sided p-value for an excess: P(X ≥ observed) when X ~ Poisson(expected).

    The default is the exact (conservative) p-value: under the null it is
    never below α more often than α, which is what Benjamini–Hochberg needs.
    `mid_p=True` gives P(X > observed) + P(X = observed)/2 (Lancaster), closer
    to nominal on average but not guaranteed; use it for description only.
    `expected` must be a known number > 0.
    """
    observed = check_count(observed, "observed")
    if is_missing(expected) or not 0 < float(expected) < math.inf:
        raise ValueError(f"expected must be a known number > 0, got {expected!r}")
    return float(exact_poisson_upper_ps([observed], [expected], mid_p=mid_p)[0])


def exact_poisson_upper_ps(
    observed: Sequence[int] | np.ndarray, expected: Sequence[float] | np.ndarray, *, mid_p: bool = False
) -> np.ndarray:
    """`exact_poisson_upper_p` for many cells at once, in order."""
    counts = check_counts(observed, "observed")
    means = np.asarray(expected, dtype=float).ravel()
    if len(means) != len(counts):
        raise ValueError(f"got {len(counts)} observed counts but {len(means)} expected")
    if (~np.isfinite(means) | (means <= 0)).any():
        raise ValueError("every expected must be a known number > 0")
    at_least: np.ndarray = stats.poisson.sf(counts - 1, means)
    if not mid_p:
        return at_least
    mid: np.ndarray = at_least - 0.5 * stats.poisson.pmf(counts, means)
    return mid


@dataclass(frozen=True)
class MultipleTests:
    """Benjamini–Hochberg result, in the input order.

    `qvalues[i]` is the BH-adjusted p-value (None for a test marked not
    eligible); `rejected[i]` says whether test i is a discovery at `q`.
    `family_size` counts every test, eligible or not.
    """

    pvalues: tuple[float, ...]
    qvalues: tuple[float | None, ...]
    rejected: tuple[bool, ...]
    q: float
    family_size: int

    @property
    def discoveries(self) -> int:
        return sum(self.rejected)


def benjamini_hochberg(
    pvalues: Sequence[float], q: float = 0.05, *, eligible: Sequence[bool] | None = None
) -> MultipleTests:
    """Benjamini–Hochberg step-up procedure controlling the false discovery rate at q.

    `eligible` marks tests that were large enough to examine. A test marked
    False still counts in the family (as if its p-value were 1) but is never
    rejected: dropping small cells because of their *observed* count would
    select on the outcome and inflate the false discovery rate, while keeping
    them in the family as p = 1 keeps the guarantee. Filtering on something
    fixed in advance (the expected count, the headcount) is safe either way.
    """
    from statsmodels.stats.multitest import multipletests

    if not 0 < q < 1:
        raise ValueError(f"q must be between 0 and 1, got {q!r}")
    p = np.asarray(pvalues, dtype=float).ravel()
    if (~np.isfinite(p) | (p < 0) | (p > 1)).any():
        raise ValueError("every p-value must be a number between 0 and 1")
    mask = np.ones(len(p), dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool).ravel()
    if len(mask) != len(p):
        raise ValueError(f"got {len(p)} p-values but {len(mask)} eligibility flags")
    if len(p) == 0:
        return MultipleTests((), (), (), q, 0)
    rejected, adjusted, _, _ = multipletests(np.where(mask, p, 1.0), alpha=q, method="fdr_bh")
    return MultipleTests(
        pvalues=tuple(float(value) for value in p),
        qvalues=tuple(float(value) if keep else None for value, keep in zip(adjusted, mask, strict=True)),
        rejected=tuple(bool(value and keep) for value, keep in zip(rejected, mask, strict=True)),
        q=q,
        family_size=len(p),
    )
