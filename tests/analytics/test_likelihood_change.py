"""Has a relative likelihood moved between two spans of years: the exact conditional test, checked
against SciPy's Fisher exact test and noncentral hypergeometric distribution."""

from __future__ import annotations

import pytest
from scipy.stats import fisher_exact, nchypergeom_fisher

from concerns.analytics.stats import ChangeVerdict, NotAvailable, Span, likelihood_change


def test_with_equal_headcounts_it_is_fishers_exact_test_doubled():
    # Equal person-years in both groups and spans: the odds are 1, so the distribution is the central
    # hypergeometric of Fisher's exact test on [[a1, b1], [a2, b2]].
    a1, b1, a2, b2 = 12, 20, 30, 18
    change = likelihood_change(Span(a1, 1000, b1, 1000), Span(a2, 1000, b2, 1000))
    less = fisher_exact([[a1, b1], [a2, b2]], alternative="less").pvalue
    greater = fisher_exact([[a1, b1], [a2, b2]], alternative="greater").pvalue
    assert change.p == pytest.approx(min(1, 2 * min(less, greater)), rel=1e-9)
    assert change.earlier.ratio == pytest.approx(12 / 20)
    assert change.later.ratio == pytest.approx(30 / 18)
    assert change.verdict is ChangeVerdict.HIGHER  # p ≈ 0.012


def test_with_unequal_headcounts_it_follows_the_noncentral_distribution():
    earlier, later = Span(18, 2400.0, 25, 9100.0), Span(15, 1500.0, 9, 6400.0)
    odds = (2400 / 9100) / (1500 / 6400)
    law = nchypergeom_fisher(18 + 25 + 15 + 9, 18 + 25, 18 + 15, odds)
    expected = min(1.0, 2 * min(law.cdf(18), law.sf(17)))
    assert likelihood_change(earlier, later).p == pytest.approx(expected, rel=1e-9)


def test_odds_within_rounding_of_one_do_not_abort():
    # SciPy's nchypergeom_fisher aborts the process for these (odds 0.9999999999999999).
    earlier = Span(18, 0.6 * 1000 * 0.4, 9, 0.6 * 1000 * 0.6)
    later = Span(5, 0.4 * 1000 * 0.4, 5, 0.4 * 1000 * 0.6)
    change = likelihood_change(earlier, later)
    assert 0 < change.p <= 1


def test_the_same_ratio_in_both_spans_is_no_clear_change():
    change = likelihood_change(Span(40, 4000, 20, 4000), Span(40, 4000, 20, 4000))
    assert change.p == 1.0
    assert change.verdict is ChangeVerdict.NO_CLEAR_CHANGE


def test_a_falling_ratio_is_lower():
    change = likelihood_change(Span(60, 3000, 20, 6000), Span(12, 2000, 25, 4000))
    assert change.later.ratio < change.earlier.ratio
    assert change.verdict is ChangeVerdict.LOWER


def test_a_span_with_too_few_cases_gives_no_verdict():
    result = likelihood_change(Span(4, 1000, 20, 1000), Span(30, 1000, 20, 1000))
    assert isinstance(result, NotAvailable)
    assert result.reason == "too_few_cases"
