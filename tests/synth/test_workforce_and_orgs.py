"""Denominators and organisations: groups add up, codes are clearly fictional, registries are kept."""

import csv
from pathlib import Path

import polars as pl
import pytest

from concerns import vocabulary as v
from concerns.synth import SynthConfig, generate
from concerns.synth._orgs import _PLACE_HEADS, _PLACE_TAILS
from tests.synth.helpers import AS_OF, PUBLIC

REGISTRY = Path(PUBLIC) / "organisations_2026.csv"
DOCTORS_2018 = Path(PUBLIC) / "doctors_fte_by_trust_2018.csv"


@pytest.fixture(scope="module")
def small():
    return generate(SynthConfig(orgs=40, years=2, as_of=AS_OF))


def _real_codes_and_words() -> tuple[set[str], set[str]]:
    codes, words = set(), set()
    for row in csv.DictReader(REGISTRY.open(encoding="utf-8")):
        codes.add(row["org_code"])
        words.update(row["name"].lower().replace(",", " ").split())
    with (Path(PUBLIC) / "ods_etr_2026.csv").open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            codes.add(row[0])
            words.update(row[1].lower().replace(",", " ").split())
    return codes, words


def test_it_makes_every_dimension_add_up_to_the_total(small):
    workforce = small.workforce
    totals = workforce.filter(pl.col("dimension") == "total").select(
        "org_code", "fiscal_year", "profession", total="headcount"
    )
    sums = (
        workforce.filter(pl.col("dimension") != "total")
        .group_by("org_code", "fiscal_year", "profession", "dimension")
        .agg(pl.col("headcount").sum())
        .join(totals, on=["org_code", "fiscal_year", "profession"])
    )
    assert sums.height == totals.height * (len(v.WORKFORCE_DIMENSIONS) - 1)
    assert (sums["headcount"] == sums["total"]).all()
    assert (workforce["headcount"] >= 0).all()


def test_it_writes_every_group_of_every_dimension_for_every_year_and_profession(small):
    workforce = small.workforce
    expected_groups = 1 + sum(len(codes) for codes in v.DIMENSION_CODESETS.values())
    per_cell = workforce.group_by("org_code", "fiscal_year", "profession").len()
    assert (per_cell["len"] == expected_groups).all()
    years = sorted(workforce["fiscal_year"].unique())
    assert years == [*v.fiscal_years_before(AS_OF, 2), v.fiscal_year_of(AS_OF)]
    for dimension, codes in v.DIMENSION_CODESETS.items():
        groups = set(workforce.filter(pl.col("dimension") == dimension)["group"])
        assert groups == set(codes.codes), dimension


def test_it_gives_the_workforce_a_realistic_mix(small):
    doctors = small.workforce.filter(pl.col("profession") == "doctor", pl.col("dimension") != "total")
    shares = (
        doctors.group_by("dimension", "group")
        .agg(pl.col("headcount").sum())
        .with_columns(share=pl.col("headcount") / pl.col("headcount").sum().over("dimension"))
    )
    share = {(d, g): s for d, g, _, s in shares.iter_rows()}
    minority = sum(share[("ethnicity", g)] for g in v.ETHNIC_MINORITY_GROUPS)
    assert 0.35 < minority < 0.55
    assert 0.30 < share[("pmq", "international")] < 0.50
    assert 0.40 < share[("sex", "female")] < 0.56
    dentists = small.workforce.filter(pl.col("profession") == "dentist", pl.col("dimension") == "grade")
    assert set(dentists.filter(pl.col("headcount") > 0)["group"]) <= {"dentist"}


def test_it_lets_headcount_drift_slowly_between_years(small):
    totals = small.workforce.filter(pl.col("dimension") == "total", pl.col("headcount") >= 100)
    change = (
        totals.sort("fiscal_year")
        .group_by("org_code", "profession")
        .agg((pl.col("headcount").last() / pl.col("headcount").first()).alias("ratio"))
    )
    assert change["ratio"].min() > 0.8 and change["ratio"].max() < 1.3


def test_it_never_uses_a_real_organisation_code_or_place_word():
    orgs = generate(SynthConfig(orgs=900, years=1, as_of=AS_OF, clusters=0, total_cases=100)).organisations
    real_codes, real_words = _real_codes_and_words()
    assert not set(orgs["org_code"]) & real_codes
    assert orgs["org_code"].str.contains(r"^X\d{3}$").all()
    places = {(head + tail).lower() for head in _PLACE_HEADS for tail in _PLACE_TAILS}
    assert not places & real_words
    assert orgs["name"].is_unique().all()


@pytest.fixture(scope="module")
def registry_data():
    return generate(
        SynthConfig(organisations=REGISTRY, workforce=DOCTORS_2018, years=2, as_of=AS_OF, total_cases=2000)
    )


def test_it_keeps_a_real_registry_exactly(registry_data):
    given = pl.read_csv(REGISTRY)
    orgs = registry_data.organisations.sort("org_code")
    assert orgs.select(given.columns).equals(given.sort("org_code"))
    assert set(registry_data.cases["org_code"]) <= set(given["org_code"])


def test_it_keeps_given_headcounts_and_invents_only_what_is_missing(registry_data):
    given = pl.read_csv(DOCTORS_2018)
    workforce = registry_data.workforce
    joined = given.join(
        workforce, on=["org_code", "fiscal_year", "profession", "dimension", "group"], how="left"
    )
    assert joined["headcount_right"].null_count() == 0
    assert (joined["headcount"] == joined["headcount_right"]).all()
    missing = set(pl.read_csv(REGISTRY)["org_code"]) - set(given["org_code"])
    invented = workforce.filter(pl.col("org_code").is_in(list(missing)), pl.col("dimension") == "total")
    assert set(invented["org_code"]) == missing
    years = set(workforce["fiscal_year"])
    assert years == {"2018/19", *v.fiscal_years_before(AS_OF, 2), v.fiscal_year_of(AS_OF)}
    sums = (
        workforce.filter(pl.col("fiscal_year") == "2018/19", pl.col("dimension") == "sex")
        .group_by("org_code", "profession")
        .agg(pl.col("headcount").sum())
        .join(given.filter(pl.col("profession") == "doctor"), on=["org_code", "profession"])
    )
    assert (sums["headcount"] == sums["headcount_right"]).all()
