"""The default national data against the published national picture (computed from the frames)."""

import polars as pl
import pytest

from concerns import vocabulary as v
from concerns.synth import SynthConfig, generate
from tests.synth.helpers import AS_OF, relative_likelihood, with_readings


@pytest.fixture(scope="module")
def national():
    return generate(SynthConfig(as_of=AS_OF))


@pytest.fixture(scope="module")
def cases(national):
    return with_readings(national.cases)


@pytest.fixture(scope="module")
def complete_years():
    return v.fiscal_years_before(AS_OF, 5)


@pytest.fixture(scope="module")
def period_cases(cases, complete_years):
    return cases.filter(pl.col("fiscal_year").is_in(complete_years))


def test_it_makes_about_220_organisations_of_every_type_and_nation(national):
    orgs = national.organisations
    assert orgs.height == 220
    assert set(orgs["org_type"]) == set(v.ORG_TYPES.codes)
    nations = orgs["nation"].value_counts().sort("count", descending=True)
    assert nations["nation"].to_list() == ["england", "wales", "northern_ireland"]
    devolved = orgs.filter(pl.col("nation") != "england")
    assert (devolved["org_type"] == "integrated").mean() > 0.5
    assert orgs["region"].null_count() == 0
    assert orgs["org_code"].is_unique().all() and orgs["name"].is_unique().all()


def test_it_sizes_acute_trusts_from_tens_to_thousands_of_doctors(national, complete_years):
    acute = national.organisations.filter(pl.col("org_type") == "acute")["org_code"]
    doctors = national.workforce.filter(
        pl.col("org_code").is_in(acute.implode()),
        pl.col("fiscal_year") == complete_years[0],
        pl.col("profession") == "doctor",
        pl.col("dimension") == "total",
    )["headcount"]
    assert 40 <= doctors.min() < 200 and 1500 < doctors.max() <= 3200
    assert doctors.median() < doctors.mean()  # skewed, as log-normal sizes are


def test_it_makes_1000_to_1200_new_cases_each_complete_year(period_cases, complete_years):
    per_year = dict(period_cases.group_by("fiscal_year").len().iter_rows())
    assert sorted(per_year) == complete_years
    assert all(1000 <= n <= 1200 for n in per_year.values()), per_year


def test_it_hits_the_published_concern_shares_within_three_points(period_cases):
    shares = {c: period_cases[f"is_{c}"].mean() for c in ("behaviour", "clinical", "health")}
    assert shares["behaviour"] == pytest.approx(0.69, abs=0.03)
    assert shares["clinical"] == pytest.approx(0.47, abs=0.03)
    assert shares["health"] == pytest.approx(0.18, abs=0.03)
    assert (period_cases["areas"] >= 2).mean() == pytest.approx(0.30, abs=0.03)
    assert (period_cases["areas"] >= 1).all()


def test_it_refers_doctors_most_then_dentists_then_pharmacists(period_cases):
    shares = {p: s for p, s in period_cases["profession"].value_counts(normalize=True).iter_rows()}
    assert shares["doctor"] > shares["dentist"] > shares["pharmacist"]
    assert shares["doctor"] == pytest.approx(0.80, abs=0.03)
    assert shares["dentist"] == pytest.approx(0.13, abs=0.03)
    assert shares["pharmacist"] == pytest.approx(0.07, abs=0.03)


def test_it_records_most_concerns_with_a_sub_code_and_some_with_the_category_only(period_cases):
    codes = period_cases["concerns"].str.split(";").explode()
    with_sub = codes.str.contains(r"\.").mean()
    assert 0.7 < with_sub < 0.95
    assert set(codes.unique()) <= set(v.CONCERNS.codes)


def test_it_gives_exclusion_advice_in_100_to_130_cases_a_year_almost_all_doctors(period_cases):
    excluded = period_cases.filter(pl.col("services").str.split(";").list.contains("exclusion"))
    per_year = dict(excluded.group_by("fiscal_year").len().iter_rows())
    assert all(100 <= n <= 130 for n in per_year.values()), per_year
    assert (excluded["profession"] == "doctor").mean() > 0.95


def test_it_uses_the_other_services_at_plausible_rates(period_cases):
    services = period_cases["services"].fill_null("advice").str.split(";")
    rates = {s: services.list.contains(s).mean() for s in v.SERVICES.codes}
    assert rates["advice"] == 1.0
    for service in ("restriction", "clinical_assessment", "behavioural_assessment", "action_plan", "hpan"):
        assert 0.005 < rates[service] < 0.10, (service, rates[service])


def test_it_realises_the_fair_to_refer_relative_likelihoods(cases, national, complete_years):
    def ratio(column, dimension, groups, reference):
        return relative_likelihood(
            cases, national.workforce, complete_years, column, dimension, groups, reference
        )

    assert ratio("ethnic_group", "ethnicity", v.ETHNIC_MINORITY_GROUPS, "white") == pytest.approx(
        2.0, abs=0.3
    )
    assert ratio("pmq", "pmq", ("international",), "uk") == pytest.approx(2.5, abs=0.35)
    assert ratio("sex", "sex", ("male",), "female") == pytest.approx(1.5, abs=0.25)
    assert ratio("age_band", "age_band", ("55_64",), "under_35") > 1.5


def test_it_records_5_to_10_percent_of_demographics_as_not_stated(cases):
    for column in ("sex", "age_band", "pmq"):
        assert 0.03 <= (cases[column] == "not_stated").mean() <= 0.12, column
    assert 0.05 <= (cases["ethnic_group"] == "not_stated").mean() <= 0.12
    assert 0.03 <= cases["specialty"].is_null().mean() <= 0.10


def test_it_writes_specialties_as_varied_free_text_that_maps_to_groups(cases):
    doctors = cases.filter(pl.col("profession") == "doctor", pl.col("specialty").is_not_null())
    assert doctors["specialty"].n_unique() > 50
    assert doctors.filter(pl.col("specialty_group") == "surgery")["specialty"].n_unique() > 5
    assert set(cases.filter(pl.col("profession") == "dentist")["specialty_group"]) <= {"dental", "not_stated"}


def test_it_keeps_open_cases_open_and_mostly_recent(cases):
    open_cases = cases.filter(pl.col("closed_on").is_null())
    assert set(open_cases["outcome"].drop_nulls()) == {"open"}
    closed = cases.filter(pl.col("closed_on").is_not_null())
    assert "open" not in set(closed["outcome"].drop_nulls())
    assert (closed["closed_on"] >= closed["opened_on"]).all()
    assert (cases["opened_on"].max() <= AS_OF.isoformat()) and (
        closed["closed_on"].max() <= AS_OF.isoformat()
    )
    recent = open_cases["opened_on"].str.to_date() >= AS_OF.replace(year=AS_OF.year - 1)
    assert recent.mean() > 0.8


def test_it_refers_some_practitioners_more_than_once_with_the_same_characteristics(cases):
    repeated = cases.filter(pl.col("practitioner_id").is_duplicated())
    assert 0.02 < repeated.height / cases.height < 0.2
    stated = repeated.filter(pl.col("ethnic_group") != "not_stated")
    per_person = stated.group_by("practitioner_id").agg(
        pl.col("ethnic_group").n_unique(), pl.col("org_code").n_unique()
    )
    assert (per_person["ethnic_group"] == 1).all() and (per_person["org_code"] == 1).all()


def test_it_gives_every_case_a_unique_id_and_a_known_organisation(national):
    assert national.cases["case_id"].is_unique().all()
    assert set(national.cases["org_code"]) <= set(national.organisations["org_code"])


def test_it_adds_a_partial_current_year_and_says_so_in_the_truth(cases, national):
    partial = v.fiscal_year_of(AS_OF)
    in_partial = cases.filter(pl.col("fiscal_year") == partial)
    assert 0 < in_partial.height < 1000
    assert national.truth["period"]["partial_fiscal_year"]["fiscal_year"] == partial
    assert national.truth["period"]["complete_fiscal_years"] == v.fiscal_years_before(AS_OF, 5)
