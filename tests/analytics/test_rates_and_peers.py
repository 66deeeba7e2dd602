import datetime as dt

import pytest
from scipy.stats import chi2

from concerns.analytics._peers import choose_peers, compare, organisation_sizes
from concerns.analytics._period import Period
from concerns.analytics._rates import rate_of, rates, yearly_rates
from tests.analytics.factory import case, cases_frame, organisations_frame, totals, workforce_frame

PERIOD = Period.named("2022/23", "2024/25")
YEARS = list(PERIOD.fiscal_years)
D = dt.date


def garwood(k: int) -> tuple[float, float]:
    low = chi2.ppf(0.025, 2 * k) / 2 if k else 0.0
    return low, chi2.ppf(0.975, 2 * (k + 1)) / 2


def test_it_divides_cases_by_person_years_with_exact_poisson_limits():
    cases = cases_frame(case("AAA", D(2022, 5, 1), 6), case("AAA", D(2024, 5, 1), 4, profession="dentist"))
    workforce = workforce_frame(totals("AAA", YEARS, "doctor", 200) + totals("AAA", YEARS, "dentist", 100))
    frame = rates(cases, workforce, PERIOD)
    doctors = rate_of(frame, "AAA", "doctor")
    assert doctors.person_years == 600
    assert doctors.per_1000 == pytest.approx(10.0)
    low, high = garwood(6)
    assert (doctors.low, doctors.high) == pytest.approx((low / 0.6, high / 0.6))
    overall = rate_of(frame, "AAA")
    assert (overall.cases, overall.person_years) == (10, 900)
    assert overall.professions == ("doctor", "dentist")


def test_it_never_treats_a_missing_year_as_zero():
    cases = cases_frame(case("AAA", D(2022, 5, 1), 6))
    workforce = workforce_frame(totals("AAA", YEARS[:2], "doctor", 200))  # 2024/25 missing
    doctors = rate_of(rates(cases, workforce, PERIOD), "AAA", "doctor")
    assert doctors.cases == 6
    assert not doctors.available
    assert doctors.person_years is None


def test_it_leaves_out_professions_without_headcount_and_says_so():
    cases = cases_frame(case("AAA", D(2022, 5, 1), 6), case("AAA", D(2023, 5, 1), 3, profession="pharmacist"))
    workforce = workforce_frame(totals("AAA", YEARS, "doctor", 100))
    overall = rate_of(rates(cases, workforce, PERIOD), "AAA")
    assert overall.cases == 6
    assert overall.professions == ("doctor",)
    assert overall.per_1000 == pytest.approx(20.0)


def test_it_keeps_the_cases_when_no_rate_is_possible():
    overall = rate_of(rates(cases_frame(case("AAA", D(2022, 5, 1), 4)), workforce_frame([]), PERIOD), "AAA")
    assert overall.cases == 4
    assert not overall.available


def test_it_gives_yearly_rates_with_zero_case_years():
    cases = cases_frame(case("AAA", D(2022, 5, 1), 2))
    workforce = workforce_frame(totals("AAA", YEARS, "doctor", 500))
    yearly = yearly_rates(cases, workforce, PERIOD).filter(org_code="AAA")
    assert yearly["cases"].to_list() == [2, 0, 0]
    assert yearly["per_1000"].to_list() == pytest.approx([4.0, 0.0, 0.0])
    assert yearly["high"][1] == pytest.approx(garwood(0)[1] / 0.5)


def sized(sizes: dict[str, int], kind: str = "acute"):
    organisations = organisations_frame(*[(code, kind, "england") for code in sizes])
    workforce = workforce_frame(
        [row for code, n in sizes.items() for row in totals(code, YEARS, "doctor", n)]
    )
    return organisations, organisation_sizes(workforce, PERIOD)


def test_it_chooses_the_nearest_peers_on_a_log_scale():
    organisations, sizes = sized(
        {"ME": 400, "P200": 200, "P800": 800, "P390": 390, "P1000": 1000, "P100": 100}
    )
    group = choose_peers(organisations, sizes, "ME", k=3)
    # 200 and 800 are equally far from 400 on a log scale: the tie goes to the lower code.
    assert group.peers == ("P390", "P200", "P800")
    assert group.by_size
    assert "logarithmic" in group.method


def test_it_chooses_peers_of_the_same_type_only():
    organisations, sizes = sized({"ME": 400, "P410": 410})
    other = organisations_frame(("MH1", "mental_health", "england"))
    group = choose_peers(organisations.vstack(other), sizes, "ME", k=5)
    assert group.peers == ("P410",)


def test_it_compares_with_every_organisation_of_the_type_when_size_is_unknown():
    organisations, sizes = sized({"P1": 100, "P2": 300})
    organisations = organisations.vstack(organisations_frame(("ME", "acute", "england")))
    group = choose_peers(organisations, sizes, "ME")
    assert group.peers == ("P1", "P2")
    assert not group.by_size
    assert "not known" in group.method


def test_it_places_a_value_against_peer_quartiles():
    peers = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert compare(5.5, peers).position == "above"
    assert compare(0.5, peers).position == "below"
    comparison = compare(3.0, peers)
    assert (comparison.q1, comparison.median, comparison.q3) == (2.0, 3.0, 4.0)
    assert comparison.position == "within"
    assert compare(9.0, [1.0, None, 2.0]).position == "not available"
