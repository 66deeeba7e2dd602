import datetime as dt

import pytest
from statsmodels.stats.proportion import proportion_confint

from concerns.analytics._period import Period
from concerns.analytics._profile import count_cases, national_counts, profile
from tests.analytics.factory import case, cases_frame

PERIOD = Period.named("2020/21", "2024/25")
D = dt.date


@pytest.fixture
def cases():
    return cases_frame(
        case("AAA", D(2020, 4, 1), 3, concerns=["clinical.capability"], grade="sas"),
        case("AAA", D(2021, 6, 1), 2, concerns=["behaviour", "health.mental"], ethnic_group="asian"),
        case(
            "AAA",
            D(2025, 3, 31),
            1,
            concerns=["behaviour.probity", "behaviour"],
            services=["advice", "exclusion"],
        ),
        case("AAA", D(2025, 4, 1), 4),  # after the period
        case("AAA", D(2020, 3, 31), 4),  # before the period
        case("BBB", D(2022, 5, 5), 5, concerns=["other.language"], sex="female", outcome="resolved_locally"),
    )


def test_it_counts_only_cases_opened_in_the_period(cases):
    mine = profile(count_cases(cases, PERIOD), "AAA", PERIOD)
    assert mine.total == 6
    assert [row.cases for row in mine["fiscal_year"].rows] == [3, 2, 0, 0, 1]


def test_it_counts_a_case_once_in_each_of_its_categories(cases):
    categories = profile(count_cases(cases, PERIOD), "AAA", PERIOD)["concern_category"]
    assert categories.count("clinical") == 3
    assert categories.count("behaviour") == 3  # "behaviour" twice in one case counts once
    assert categories.count("health") == 2
    assert categories.count("more_than_one") == 2
    assert not categories.additive


def test_it_counts_sub_types_and_services_once_per_case(cases):
    mine = profile(count_cases(cases, PERIOD), "AAA", PERIOD)
    assert mine["concern_subtype"].count("clinical.capability") == 3
    assert mine["concern_subtype"].count("behaviour.probity") == 1
    assert mine["service"].count("exclusion") == 1
    assert "advice" not in [row.code for row in mine["service"].rows]


def test_it_makes_single_valued_dimensions_add_up(cases):
    mine = profile(count_cases(cases, PERIOD), "AAA", PERIOD)
    for name in ("profession", "grade", "ethnic_group", "sex", "age_band", "pmq", "disability", "outcome"):
        breakdown = mine[name]
        assert breakdown.additive
        assert sum(row.cases for row in breakdown.rows) == 6, name
    assert mine["grade"].count("sas") == 3
    assert mine["outcome"].count("not_recorded") == 6


def test_it_gives_shares_with_wilson_intervals(cases):
    share = profile(count_cases(cases, PERIOD), "AAA", PERIOD)["grade"].row("sas").share
    low, high = proportion_confint(3, 6, alpha=0.05, method="wilson")
    assert share.value == pytest.approx(0.5)
    assert (share.low, share.high) == pytest.approx((low, high))


def test_it_sums_organisations_into_a_national_profile(cases):
    counts = count_cases(cases, PERIOD)
    nation = profile(national_counts(counts), "national", PERIOD)
    assert nation.total == 11
    assert nation["sex"].count("female") == 5
    assert nation["concern_category"].count("other") == 5


def test_it_gives_an_empty_scope_zero_counts_and_no_shares(cases):
    empty = profile(count_cases(cases, PERIOD), "ZZZ", PERIOD)
    assert empty.total == 0
    assert all(row.cases == 0 and row.share is None for row in empty["grade"].rows)


def test_it_refuses_a_period_that_is_not_consecutive_years():
    with pytest.raises(ValueError, match="consecutive"):
        Period(("2020/21", "2022/23"))
    with pytest.raises(ValueError, match="before it starts"):
        Period.named("2024/25", "2020/21")
    assert Period.before(D(2025, 6, 30)).fiscal_years == PERIOD.fiscal_years
