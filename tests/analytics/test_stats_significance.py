"""Exact Poisson p-values and Benjamini–Hochberg, including simulated false discovery rates."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from concerns.analytics.stats import benjamini_hochberg, exact_poisson_upper_p, exact_poisson_upper_ps

# Benjamini & Hochberg (1995), JRSS B 57:289, section 4: 15 p-values from a trial;
# at q = 0.05 the procedure rejects the four smallest (Bonferroni only three).
BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
           0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000]  # fmt: skip


def poisson_upper_tail_by_hand(observed: int, mean: float) -> float:
    return 1 - sum(math.exp(-mean) * mean**x / math.factorial(x) for x in range(observed))


def step_up_by_hand(pvalues: list[float], q: float) -> list[bool]:
    """Reject the k smallest, k the largest rank with p_(k) ≤ k·q/m."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    k = max((rank for rank, i in enumerate(order, start=1) if pvalues[i] <= rank * q / m), default=0)
    rejected = set(order[:k])
    return [i in rejected for i in range(m)]


# --- exact Poisson p-values ---------------------------------------------------------------


@pytest.mark.parametrize(("observed", "expected"), [(0, 2.0), (1, 0.3), (5, 2.0), (12, 4.5), (30, 20.0)])
def test_it_gives_the_exact_upper_tail(observed, expected):
    assert exact_poisson_upper_p(observed, expected) == pytest.approx(
        poisson_upper_tail_by_hand(observed, expected)
    )


def test_it_computes_many_p_values_like_one():
    observed, expected = [0, 1, 5, 12], [2.0, 0.3, 2.0, 4.5]
    many = exact_poisson_upper_ps(observed, expected, mid_p=True)
    assert list(many) == [
        exact_poisson_upper_p(o, e, mid_p=True) for o, e in zip(observed, expected, strict=True)
    ]
    with pytest.raises(ValueError, match="expected"):
        exact_poisson_upper_ps([1, 2], [1.0, 0.0])


def test_it_gives_the_mid_p_variant_on_request():
    exact = poisson_upper_tail_by_hand(5, 2.0)  # 0.05265
    at = math.exp(-2) * 2**5 / math.factorial(5)
    assert exact_poisson_upper_p(5, 2.0) == pytest.approx(0.052653, abs=1e-6)
    assert exact_poisson_upper_p(5, 2.0, mid_p=True) == pytest.approx(exact - at / 2)
    assert exact_poisson_upper_p(0, 2.0) == 1.0


@pytest.mark.parametrize("expected", [0, -1.0, None, float("nan"), float("inf")])
def test_it_refuses_an_unknown_or_impossible_expected(expected):
    with pytest.raises(ValueError, match="expected"):
        exact_poisson_upper_p(3, expected)


def test_it_keeps_the_exact_p_value_valid_where_mid_p_is_not():
    # P(p ≤ α) under the null, summed exactly over the distribution for many means.
    alpha = 0.05
    worst = {False: 0.0, True: 0.0}
    for mean in np.arange(0.2, 20, 0.2):
        xs = np.arange(int(mean * 4 + 30))
        for mid_p in worst:
            pvalues = exact_poisson_upper_ps(xs, np.full(len(xs), mean), mid_p=mid_p)
            size = sps.poisson.pmf(xs[pvalues <= alpha], mean).sum()
            worst[mid_p] = max(worst[mid_p], size / alpha)
    assert worst[False] <= 1.0
    assert worst[True] > 1.2  # mid-p can reject a true null far more often than α


# --- Benjamini–Hochberg --------------------------------------------------------------------


def test_it_reproduces_the_benjamini_hochberg_example():
    result = benjamini_hochberg(BH_1995, q=0.05)
    assert result.rejected == (True,) * 4 + (False,) * 11
    assert result.discoveries == 4 and result.family_size == 15
    _, adjusted, _, _ = multipletests(BH_1995, alpha=0.05, method="fdr_bh")
    assert result.qvalues == pytest.approx(tuple(adjusted))
    assert result.qvalues[3] == pytest.approx(0.0095 * 15 / 4)


@settings(max_examples=60, deadline=None)
@given(
    pvalues=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=40),
    q=st.sampled_from([0.01, 0.05, 0.1, 0.2]),
)
def test_it_matches_the_step_up_rule_written_out(pvalues, q):
    result = benjamini_hochberg(pvalues, q)
    assert list(result.rejected) == step_up_by_hand(pvalues, q)
    ordered = sorted(zip(pvalues, result.qvalues, strict=True))
    assert all(a[1] <= b[1] + 1e-12 for a, b in itertools.pairwise(ordered))  # monotone
    assert all(qv >= p - 1e-12 for p, qv in zip(pvalues, result.qvalues, strict=True))


def test_it_keeps_ineligible_tests_in_the_family_without_rejecting_them():
    pvalues = [0.001, 0.002, 0.0001, 0.04]
    result = benjamini_hochberg(pvalues, 0.05, eligible=[True, True, False, True])
    assert result.rejected == (True, True, False, False)
    assert result.qvalues[2] is None
    assert result.family_size == 4
    assert result.qvalues[0] == pytest.approx(0.001 * 4 / 1)  # ranks among p = (0.001, 0.002, 0.04, 1)


def test_it_handles_an_empty_family_and_refuses_bad_input():
    assert benjamini_hochberg([]).family_size == 0
    with pytest.raises(ValueError, match="p-value"):
        benjamini_hochberg([0.1, float("nan")])
    with pytest.raises(ValueError, match="p-value"):
        benjamini_hochberg([1.2])
    with pytest.raises(ValueError, match="eligibility"):
        benjamini_hochberg([0.1, 0.2], eligible=[True])


# --- simulated false discovery rate --------------------------------------------------------


def realised_fdr(rng, families, m, effect_share, select, low=0.2, high=10.0, q=0.05) -> float:
    """Mean false discovery proportion over families of one-sided Poisson excess tests."""
    proportions = []
    for _ in range(families):
        expected = rng.uniform(low, high, m)
        real = rng.random(m) < effect_share
        observed = rng.poisson(np.where(real, 3 * expected, expected))
        pvalues = exact_poisson_upper_ps(observed, expected)
        rejected = np.asarray(select(pvalues, observed, expected, q), dtype=bool)
        proportions.append((rejected & ~real).sum() / max(rejected.sum(), 1))
    return float(np.mean(proportions))


def all_tests(p, observed, expected, q):
    return benjamini_hochberg(p, q).rejected


def eligible_on_observed(p, observed, expected, q):
    return benjamini_hochberg(p, q, eligible=observed >= 3).rejected


def dropped_on_expected(p, observed, expected, q):
    keep = expected >= 2
    rejected = np.zeros(len(p), dtype=bool)
    if keep.any():
        rejected[keep] = benjamini_hochberg(p[keep], q).rejected
    return rejected


def dropped_on_observed(p, observed, expected, q):
    keep = observed >= 3
    rejected = np.zeros(len(p), dtype=bool)
    if keep.any():
        rejected[keep] = benjamini_hochberg(p[keep], q).rejected
    return rejected


@pytest.mark.parametrize("effect_share", [0.0, 0.2])
@pytest.mark.parametrize("select", [all_tests, eligible_on_observed, dropped_on_expected])
def test_it_keeps_the_false_discovery_rate_at_or_below_q(effect_share, select):
    rng = np.random.default_rng(1995)
    assert realised_fdr(rng, 2000, 20, effect_share, select) <= 0.05 + 0.01


def test_it_shows_why_small_cells_stay_in_the_family():
    # Dropping cells with few *observed* cases selects on the outcome: with small
    # expected counts the realised FDR runs far above q. Keeping them as ineligible does not.
    rng = np.random.default_rng(1995)
    assert realised_fdr(rng, 2000, 20, 0.0, dropped_on_observed, low=0.1, high=1.5) > 0.15
    assert realised_fdr(rng, 2000, 20, 0.0, eligible_on_observed, low=0.1, high=1.5) <= 0.05 + 0.01
