"""Equality measures: WRES relative likelihoods per organisation, nationally, pooled and by year."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from concerns.analytics._equality import COMPARISON_IDS, DOCTOR_COMPARISONS, equality_measures, equality_table
from concerns.analytics._period import Period
from concerns.analytics.stats import Reason
from tests.analytics.factory import case, cases_frame, organisations_frame, workforce_frame

ONE_YEAR = Period.named("2023/24", "2023/24")
TWO_YEARS = Period.named("2022/23", "2023/24")
D = dt.date
IN_2023_24 = D(2023, 6, 1)
Z_975 = 1.959963984540054  # the normal quantile for a two-sided 95% interval
EM_HEADS = {"mixed": 250, "asian": 500, "black": 150, "other": 100}  # 1,000 ethnic minority staff


def ethnicity_rows(
    org_code: str, year: str, white: int = 2000, profession: str = "doctor", **minority
) -> list[tuple]:
    heads = {**EM_HEADS, **minority, "white": white}
    return [(org_code, year, profession, "ethnicity", group, n) for group, n in heads.items()]


def wres_example(org_code: str = "A", opened_on: dt.date = IN_2023_24) -> list[list[dict]]:
    """30 cases among ethnic minority staff (all Asian) and 20 among white staff, plus 5 not stated."""
    return [
        case(org_code, opened_on, 30, ethnic_group="asian"),
        case(org_code, opened_on, 20, ethnic_group="white"),
        case(org_code, opened_on, 5, ethnic_group="not_stated"),
    ]


def log_method(a: int, n_a: float, b: int, n_b: float) -> tuple[float, float, float]:
    ratio = (a / n_a) / (b / n_b)
    se = math.sqrt(1 / a - 1 / n_a + 1 / b - 1 / n_b)
    return ratio, ratio * math.exp(-Z_975 * se), ratio * math.exp(Z_975 * se)


def test_it_reproduces_the_wres_worked_example():
    cases = cases_frame(*wres_example())
    workforce = workforce_frame(ethnicity_rows("A", "2023/24"))
    result = equality_measures(cases, workforce, ONE_YEAR)["A"]["ethnic_minority_vs_white"]
    # (30 / 1000) / (20 / 2000) = 3.0; SE = sqrt(1/30 - 1/1000 + 1/20 - 1/2000) = 0.2861
    ratio, low, high = log_method(30, 1000, 20, 2000)
    assert ratio == pytest.approx(3.0)
    assert (result.cases_a, result.headcount_a, result.cases_b, result.headcount_b) == (30, 1000, 20, 2000)
    assert (result.likelihood_a, result.likelihood_b) == pytest.approx((0.03, 0.01))
    assert result.ratio == pytest.approx(3.0)
    assert (result.low, result.high) == pytest.approx((low, high))
    assert (round(result.low, 2), round(result.high, 2)) == (1.71, 5.26)
    assert result.excludes_one and result.outside_band
    assert result.group_a == ("mixed", "asian", "black", "other")
    assert result.group_b == ("white",)
    assert result.label == "Ethnic minority compared with white"
    assert result.reading.startswith(
        "Ethnic minority practitioners were 3.00 times as likely as white practitioners"
    )
    assert "95% interval 1.71 to 5.26" in result.reading


def test_it_leaves_not_stated_cases_out_of_both_groups_and_reports_their_share():
    cases = cases_frame(*wres_example())
    result = equality_measures(cases, workforce_frame(ethnicity_rows("A", "2023/24")), ONE_YEAR)["A"]
    em = result["ethnic_minority_vs_white"]
    assert em.cases_a + em.cases_b == 50
    assert em.not_stated_share == pytest.approx(5 / 55)
    asian = result["asian_vs_white"]
    assert (asian.cases_a, asian.headcount_a) == (30, 500)
    assert asian.ratio == pytest.approx((30 / 500) / (20 / 2000))


def test_it_says_not_available_when_the_headcount_is_missing_never_zero():
    cases = cases_frame(*wres_example())
    result = equality_measures(cases, workforce_frame([]), ONE_YEAR)["A"]["ethnic_minority_vs_white"]
    assert not result.available
    assert result.not_available.reason is Reason.MISSING_DENOMINATOR
    assert result.headcount_a is None and result.ratio is None and result.excludes_one is None
    assert result.professions == ()
    assert result.cases_left_out == 55
    assert (
        result.reading
        == "Not available: the denominator is not known (no headcount by ethnic group for 2023/24)."
    )


def test_it_needs_a_headcount_for_every_group_it_compares():
    rows = [row for row in ethnicity_rows("A", "2023/24") if row[4] != "black"]
    result = equality_measures(cases_frame(*wres_example()), workforce_frame(rows), ONE_YEAR)["A"]
    assert result["ethnic_minority_vs_white"].not_available.reason is Reason.MISSING_DENOMINATOR
    assert result["black_vs_white"].not_available.reason is Reason.MISSING_DENOMINATOR
    assert result["asian_vs_white"].available


def test_it_counts_only_professions_with_a_headcount_for_every_year():
    cases = cases_frame(
        *wres_example(),
        case("A", D(2023, 6, 1), 7, profession="dentist", grade="dentist", ethnic_group="black"),
    )
    workforce = workforce_frame(ethnicity_rows("A", "2023/24"))  # doctors only
    result = equality_measures(cases, workforce, ONE_YEAR)["A"]["ethnic_minority_vs_white"]
    assert result.professions == ("doctor",)
    assert result.cases_a == 30
    assert result.cases_left_out == 7


def test_it_pools_person_years_over_the_period_and_gives_each_year():
    cases = cases_frame(
        case("A", D(2022, 6, 1), 10, ethnic_group="black"),
        case("A", D(2022, 6, 1), 10, ethnic_group="white"),
        case("A", D(2023, 6, 1), 20, ethnic_group="black"),
        case("A", D(2023, 6, 1), 5, ethnic_group="white"),
    )
    workforce = workforce_frame(
        ethnicity_rows("A", "2022/23", white=1000) + ethnicity_rows("A", "2023/24", white=1000)
    )
    measures = equality_measures(cases, workforce, TWO_YEARS)["A"]
    pooled = measures["black_vs_white"]
    assert (pooled.cases_a, pooled.headcount_a, pooled.cases_b, pooled.headcount_b) == (30, 300, 15, 2000)
    assert (pooled.ratio, pooled.low, pooled.high) == pytest.approx(log_method(30, 300, 15, 2000))
    yearly = measures.by_year["black_vs_white"]
    assert list(yearly) == ["2022/23", "2023/24"]
    assert yearly["2022/23"].ratio == pytest.approx((10 / 150) / (10 / 1000))
    assert yearly["2023/24"].ratio == pytest.approx((20 / 150) / (5 / 1000))
    assert yearly["2023/24"].years == ("2023/24",)
    assert pooled.years == ("2022/23", "2023/24")


def test_it_gives_a_year_but_not_the_pooled_period_when_one_years_headcount_is_missing():
    cases = cases_frame(*wres_example("A", D(2022, 6, 1)), *wres_example("A", D(2023, 6, 1)))
    measures = equality_measures(cases, workforce_frame(ethnicity_rows("A", "2023/24")), TWO_YEARS)["A"]
    pooled = measures["ethnic_minority_vs_white"]
    assert pooled.not_available.reason is Reason.MISSING_DENOMINATOR
    assert "every year of 2022/23 to 2023/24" in pooled.reading
    assert measures.by_year["ethnic_minority_vs_white"]["2023/24"].ratio == pytest.approx(3.0)
    assert not measures.by_year["ethnic_minority_vs_white"]["2022/23"].available


def test_it_pools_every_organisation_nationally():
    cases = cases_frame(
        *wres_example("A"),
        case("B", D(2023, 6, 1), 12, ethnic_group="black"),
        case("B", D(2023, 6, 1), 8, ethnic_group="white"),
        case("C", D(2023, 6, 1), 40, ethnic_group="black"),  # no headcount: not in the national figures
    )
    workforce = workforce_frame(ethnicity_rows("A", "2023/24") + ethnicity_rows("B", "2023/24", white=500))
    national = equality_measures(cases, workforce, ONE_YEAR)["national"]["ethnic_minority_vs_white"]
    assert (national.cases_a, national.headcount_a) == (30 + 12, 2000)
    assert (national.cases_b, national.headcount_b) == (20 + 8, 2500)
    assert national.organisations == 2
    assert national.cases_left_out == 40
    assert (national.ratio, national.low, national.high) == pytest.approx(log_method(42, 2000, 28, 2500))


def test_it_says_too_few_cases_rather_than_give_a_ratio():
    cases = cases_frame(case("A", D(2023, 6, 1), 4, ethnic_group="asian"), case("A", D(2023, 6, 1), 20))
    result = equality_measures(cases, workforce_frame(ethnicity_rows("A", "2023/24")), ONE_YEAR)["A"]
    em = result["ethnic_minority_vs_white"]
    assert em.not_available.reason is Reason.TOO_FEW_CASES
    assert em.ratio is None
    assert (em.cases_a, em.cases_b) == (4, 20)  # the counts are still shown
    assert em.reading.startswith("No clear difference can be shown")
    assert "too few cases to say" in em.reading


def test_it_claims_no_difference_when_the_interval_includes_one():
    cases = cases_frame(case("A", D(2023, 6, 1), 8, ethnic_group="asian"), case("A", D(2023, 6, 1), 12))
    em = equality_measures(cases, workforce_frame(ethnicity_rows("A", "2023/24")), ONE_YEAR)["A"][
        "ethnic_minority_vs_white"
    ]
    ratio, low, high = log_method(8, 1000, 12, 2000)
    assert em.ratio == pytest.approx(ratio)  # 1.33: outside 0.80-1.25, yet the interval includes 1
    assert low < 1 < high
    assert em.outside_band and not em.excludes_one
    assert em.reading.startswith(
        "No clear difference between ethnic minority practitioners and white practitioners"
    )
    assert "includes 1" in em.reading


def test_it_says_less_likely_when_the_interval_is_wholly_below_one():
    cases = cases_frame(case("A", D(2023, 6, 1), 10, ethnic_group="asian"), case("A", D(2023, 6, 1), 80))
    em = equality_measures(cases, workforce_frame(ethnicity_rows("A", "2023/24")), ONE_YEAR)["A"][
        "ethnic_minority_vs_white"
    ]
    assert em.high < 1
    assert "were less likely than white practitioners" in em.reading


def test_it_makes_every_comparison_with_its_own_reference_group():
    cases = cases_frame(
        case("A", D(2023, 6, 1), 9, age_band="55_64", pmq="international", sex="female", disability="yes"),
        case("A", D(2023, 6, 1), 11, age_band="35_44", pmq="uk", sex="male", disability="no"),
    )
    rows = [
        ("A", "2023/24", "doctor", dimension, group, 100)
        for dimension, group in [
            ("age_band", "under_35"),
            ("age_band", "35_44"),
            ("age_band", "45_54"),
            ("age_band", "55_64"),
            ("age_band", "65_plus"),
            ("pmq", "uk"),
            ("pmq", "eea"),
            ("pmq", "international"),
            ("sex", "male"),
            ("sex", "female"),
            ("disability", "yes"),
            ("disability", "no"),
        ]
    ]
    measures = equality_measures(cases, workforce_frame(rows), ONE_YEAR)["A"]
    assert list(measures.pooled) == [*COMPARISON_IDS, *(c.id for c in DOCTOR_COMPARISONS)]
    # Every case here is a doctor's: doctors alone is the same comparison.
    assert measures["male_vs_female_doctors"].ratio == measures["male_vs_female"].ratio
    assert measures["age_55_64_vs_35_44"].ratio == pytest.approx(9 / 11)
    assert measures["international_vs_uk"].ratio == pytest.approx(9 / 11)
    assert measures["male_vs_female"].ratio == pytest.approx(11 / 9)
    assert measures["disabled_vs_not"].ratio == pytest.approx(9 / 11)
    assert measures["eea_vs_uk"].not_available.reason is Reason.TOO_FEW_CASES
    assert measures["age_55_64_vs_35_44"].label == "55 to 64 compared with 35 to 44"


def test_it_gives_every_listed_organisation_a_result_even_without_figures():
    organisations = organisations_frame(("A", "acute", "england"), ("Z", "acute", "england"))
    cases = cases_frame(*wres_example())
    measures = equality_measures(
        cases, workforce_frame(ethnicity_rows("A", "2023/24")), ONE_YEAR, organisations=organisations
    )
    assert set(measures) == {"A", "Z", "national"}
    assert measures["Z"]["ethnic_minority_vs_white"].not_available.reason is Reason.MISSING_DENOMINATOR


def test_it_counts_all_organisations_in_one_table():
    cases = cases_frame(*wres_example("A"), *wres_example("B"))
    workforce = workforce_frame(ethnicity_rows("A", "2023/24") + ethnicity_rows("B", "2023/24"))
    table = equality_table(cases, workforce, ONE_YEAR).filter(
        comparison="ethnic_minority_vs_white", span="period"
    )
    counted = dict(zip(table["scope"], table["cases_a"], strict=True))
    assert counted == {"A": 30, "B": 30, "national": 60}


def test_it_gives_the_share_of_practitioner_years_with_each_characteristic_recorded() -> None:
    from concerns.analytics._equality import workforce_recorded

    workforce = workforce_frame(
        [
            ("A", "2023/24", "doctor", "ethnicity", "white", 60),
            ("A", "2023/24", "doctor", "ethnicity", "asian", 20),
            ("A", "2023/24", "doctor", "ethnicity", "not_stated", 20),
            ("A", "2023/24", "dentist", "ethnicity", "white", 10),
            ("A", "2023/24", "doctor", "disability", "no", 50),
            ("A", "2023/24", "doctor", "disability", "not_stated", 50),
            ("B", "2023/24", "doctor", "ethnicity", "black", 30),
            ("A", "2022/23", "doctor", "ethnicity", "not_stated", 500),  # outside the period
        ]
    )
    shares = workforce_recorded(workforce, ONE_YEAR)
    assert shares["A"] == {"ethnic_group": pytest.approx(90 / 110), "disability": 0.5}
    assert shares["B"] == {"ethnic_group": 1.0}
    assert shares["national"]["ethnic_group"] == pytest.approx(120 / 140)
