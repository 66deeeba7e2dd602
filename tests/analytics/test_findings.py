"""Findings: the verdicts, each from its exact test, decided once."""

from __future__ import annotations

import pytest
from scipy import stats

from concerns.analytics._clusters import ClusterTest
from concerns.analytics._findings import (
    explained_by,
    funnel_finding,
    level_name,
    trend_finding,
    year_findings,
)
from concerns.analytics._peers import holm, rate_against_peers, shares_against_peers
from concerns.analytics.stats import funnel_proportion, funnel_rate, poisson_trend

YEARS = ("2021/22", "2022/23", "2023/24", "2024/25", "2025/26")


def cluster(
    dimension: str, codes: tuple[str, ...], observed: int, expected: float, cases: int
) -> ClusterTest:
    return ClusterTest(
        dimension,
        codes,
        "/".join(codes),
        observed,
        cases,
        expected,
        observed / expected,
        1e-6,
        1e-6,
        1e-5,
        True,
        "rate per headcount",
        True,
    )


def test_it_compares_a_rate_with_the_peers_pooled_rate_by_the_exact_conditional_test():
    peers = [(10, 2000.0)] * 9 + [(3, None)]  # a peer without a headcount is left out
    verdict = rate_against_peers(30, 2000.0, peers)
    assert verdict.p == pytest.approx(stats.binomtest(30, 120, 2000 / 20000).pvalue)
    assert (verdict.verdict, verdict.value, verdict.pooled) == ("higher", 15.0, 5.0)
    assert rate_against_peers(12, 2000.0, peers).verdict == "similar"
    assert rate_against_peers(12, None, peers).verdict == "not_assessed"
    assert rate_against_peers(12, 2000.0, peers[:3]).verdict == "not_assessed"


def test_it_compares_shares_with_fishers_test_and_holms_correction():
    own = {"behaviour": 30, "clinical": 10}
    peers = {"behaviour": 200, "clinical": 200}
    found = shares_against_peers(own, 40, peers, 400)
    raw = stats.fisher_exact([[30, 10], [200, 200]]).pvalue
    assert found["behaviour"].p == pytest.approx(min(1, 2 * raw))  # the smaller of two p-values, Holm
    assert found["behaviour"].verdict == "higher"
    assert found["clinical"].verdict == "lower"
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_it_places_a_rate_by_its_exact_tail_and_leaves_tiny_expectations_unassessed():
    funnel = funnel_rate([18, 200, 1], [2000, 40000, 100], labels=["A", "B", "C"], overdispersion=False)
    finding = funnel_finding("rate", funnel, "A", minimum=1.0, on_expected=True)
    unit = funnel.units[0]
    assert finding.p == pytest.approx(min(1, 2 * stats.poisson.sf(17, unit.expected)))
    assert finding.position == ("inside" if finding.p >= 0.05 else "above_95")
    tiny = funnel_finding("rate", funnel, "C", minimum=1.0, on_expected=True)
    assert unit.expected > 1 > funnel.units[2].expected and tiny.position == "not_assessed" and tiny.p is None
    shares = funnel_proportion([4, 40], [4, 100], labels=["A", "B"])
    assert funnel_finding("behaviour", shares, "A", minimum=5, on_expected=False).position == "not_assessed"
    assert level_name(0.998) == "99_8" and level_name(0.95) == "95"


def test_it_flags_a_year_far_above_the_organisations_own_other_years_per_practitioner():
    counts, exposure = [10, 11, 30, 12, 10], [1000.0, 1000.0, 1000.0, 1100.0, 1100.0]
    behind = cluster("specialty_grade", ("paediatrics", "sas"), 12, 1.0, 12)
    wider = cluster("grade", ("sas",), 20, 10.0, 25)
    years = {
        ("specialty_grade", ("paediatrics", "sas")): {"2023/24": 12},
        ("grade", ("sas",)): {"2023/24": 14},
    }
    found = year_findings(YEARS, counts, exposure, (wider, behind), years)
    assert [y.fiscal_year for y in found] == ["2023/24"]
    year = found[0]
    assert year.p == pytest.approx(5 * stats.binom.sf(29, 73, 1000 / 5200))
    assert year.expected == pytest.approx(43 * 1000 / 4200)
    assert year.staff_group is behind  # the narrowest group behind at least half the excess
    assert year_findings(YEARS, [10, 11, 14, 12, 10], exposure, (), {}) == ()


def test_a_wider_group_made_to_stand_out_by_a_narrower_one_is_explained_by_it():
    crossed = cluster("specialty_grade", ("paediatrics", "sas"), 17, 1.5, 17)
    specialty = cluster("specialty_group", ("paediatrics",), 18, 4.4, 18)
    grade = cluster("grade", ("sas",), 36, 24.7, 36)
    other = cluster("grade", ("consultant",), 40, 20.0, 40)
    found = explained_by((crossed, specialty, grade, other))
    assert found == {("specialty_group", ("paediatrics",)): crossed, ("grade", ("sas",)): crossed}


def test_a_specialty_and_its_group_are_one_story_told_by_the_narrowest_group():
    crossed = cluster("specialty_grade", ("paediatrics", "sas"), 17, 1.5, 17)
    specialty = cluster("specialty", ("general_paediatrics",), 15, 2.7, 15)
    group = cluster("specialty_group", ("paediatrics",), 18, 4.4, 18)
    # The specialty's excess (12.3) and the group's (13.6) are within the crossed group's (15.5), which
    # overlaps both: one story, told by the crossed group.
    found = explained_by((crossed, specialty, group))
    assert found == {
        ("specialty", ("general_paediatrics",)): crossed,
        ("specialty_group", ("paediatrics",)): crossed,
    }
    anaesthesia = cluster("specialty", ("anaesthesia",), 9, 2.3, 9)
    anaesthetics = cluster("specialty_group", ("anaesthetics",), 11, 4.5, 11)
    elsewhere = cluster("specialty", ("general_surgery",), 30, 2.0, 30)
    assert explained_by((anaesthesia, anaesthetics, elsewhere)) == {
        ("specialty_group", ("anaesthetics",)): anaesthesia
    }
    # A specialty with less excess than its group does not explain it.
    assert explained_by((cluster("specialty", ("anaesthesia",), 5, 2.0, 5), anaesthetics)) == {}


def test_a_trend_finding_says_whether_it_is_per_practitioner():
    flat = trend_finding(poisson_trend([20, 22, 19, 21, 20], [1000, 1020, 1040, 1060, 1080]))
    assert (flat.measure, flat.verdict) == ("rate", "no_clear_trend")
    assert flat.ci_low < 0 < flat.ci_high and 0 < flat.p <= 1
    rising = trend_finding(poisson_trend([10, 20, 40, 80, 160]))
    assert (rising.measure, rising.verdict) == ("count", "rising") and rising.p < 0.001
    assert trend_finding(poisson_trend([1, 0, 2, 0, 1])).verdict == "not_assessed"


def test_an_equality_ratio_gets_wres_reading_of_its_point_and_the_intervals_own_reading():
    from concerns.analytics._findings import EqualityFinding

    def finding(ratio: float, low: float, high: float) -> EqualityFinding:
        return EqualityFinding("ethnic_minority_vs_white", "more_likely", ratio, low, high, 2.0)

    national_45_54 = finding(1.12, 1.04, 1.20)  # "more likely", yet wholly inside the band
    assert (national_45_54.wres_band, national_45_54.band_verdict) == ("within", "within")
    wide = finding(2.09, 1.31, 3.33)
    assert (wide.wres_band, wide.band_verdict) == ("above", "above")
    unclear = finding(1.40, 0.90, 2.20)
    assert (unclear.wres_band, unclear.band_verdict) == ("above", "cannot_tell_yet")
    assert finding(0.70, 0.55, 0.79).band_verdict == "below"
    missing = EqualityFinding("male_vs_female", "too_few_cases", None, None, None, 1.5)
    assert (missing.wres_band, missing.band_verdict) == (None, None)
