"""Clusters in staff groups: tested within the organisation, practitioners not cases, Benjamini–Hochberg."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
from scipy import stats

from concerns import canonical
from concerns.analytics._clusters import CASE_MIX, PRIOR, RATE, clusters_for, find_clusters
from concerns.analytics._period import Period
from tests.analytics.factory import case, cases_frame, organisations_frame, workforce_frame

PERIOD = Period.named("2023/24", "2024/25")
YEARS = list(PERIOD.fiscal_years)
D = dt.date
IN_FIRST_YEAR = D(2023, 6, 1)


def staff(org_code: str, consultants: int, sas: int) -> list[tuple]:
    return [
        (org_code, year, "doctor", "grade", grade, heads)
        for year in YEARS
        for grade, heads in (("consultant", consultants), ("sas", sas))
    ]


@pytest.fixture
def three_acute_and_one_mental_health():
    """A: 8 consultants and 12 SAS doctors with cases; B and C together 10 and 2, on the same staff mix."""
    organisations = organisations_frame(
        ("A", "acute", "england"),
        ("B", "acute", "england"),
        ("C", "acute", "wales"),
        ("M", "mental_health", "england"),
    )
    workforce = workforce_frame(
        staff("A", 100, 100) + staff("B", 300, 300) + staff("C", 100, 100) + staff("M", 50, 50)
    )
    cases = cases_frame(
        case("A", IN_FIRST_YEAR, 8, grade="consultant", specialty_group="medicine"),
        case("A", IN_FIRST_YEAR, 10, grade="sas", specialty_group="surgery"),
        case("A", IN_FIRST_YEAR, 2, grade="sas", specialty_group="medicine"),
        case("B", IN_FIRST_YEAR, 8, grade="consultant", specialty_group="medicine"),
        case("B", IN_FIRST_YEAR, 1, grade="sas", specialty_group="medicine"),
        case("C", IN_FIRST_YEAR, 2, grade="consultant", specialty_group="surgery"),
        case("C", IN_FIRST_YEAR, 1, grade="sas", specialty_group="medicine"),
        case("M", IN_FIRST_YEAR, 20, grade="consultant", specialty_group="psychiatry"),
    )
    return cases, workforce, organisations


def test_it_shares_the_organisations_own_practitioners_by_its_headcount_and_the_reference_rates(
    three_acute_and_one_mental_health,
):
    clusters = find_clusters(*three_acute_and_one_mental_health, PERIOD)["A"]
    sas = clusters.get("grade", "sas")
    # Reference B + C (leave-one-out, same type): consultants 10 + ½ over 800 person-years, SAS 2 + ½
    # over 800. A has 200 person-years of each, so a practitioner of A is SAS with chance 2.5 / 13.
    chance = 2.5 / 13
    assert sas.basis == RATE
    assert (sas.observed, sas.cases) == (12, 12)
    assert sas.expected == pytest.approx(20 * chance)
    assert sas.p == pytest.approx(stats.binom.sf(11, 20, chance))
    assert sas.flagged
    assert clusters.reference_type == "acute" and clusters.reference_organisations == 2


def test_it_does_not_flag_every_large_group_of_an_organisation_whose_overall_rate_is_high():
    # A has four times the others' rate in every grade alike: a high rate, not a cluster.
    organisations = organisations_frame(*[(code, "acute", "england") for code in "ABCDE"])
    workforce = workforce_frame([row for code in "ABCDE" for row in staff(code, 200, 100)])
    cases = cases_frame(
        case("A", IN_FIRST_YEAR, 40, grade="consultant"),
        case("A", IN_FIRST_YEAR, 20, grade="sas"),
        *[case(code, IN_FIRST_YEAR, 10, grade="consultant") for code in "BCDE"],
        *[case(code, IN_FIRST_YEAR, 5, grade="sas") for code in "BCDE"],
    )
    clusters = find_clusters(cases, workforce, organisations, PERIOD)["A"]
    assert clusters.get("grade", "consultant").expected == pytest.approx(40, rel=0.02)
    assert not clusters.flagged


def test_it_counts_practitioners_not_cases():
    # One SAS doctor with six cases is one practitioner: no cluster, however many cases.
    organisations = organisations_frame(*[(code, "acute", "england") for code in "ABC"])
    workforce = workforce_frame([row for code in "ABC" for row in staff(code, 100, 100)])
    repeat = case("A", IN_FIRST_YEAR, 6, grade="sas")
    for record in repeat:
        record["practitioner_id"] = "SAME"
    cases = cases_frame(
        repeat,
        case("A", IN_FIRST_YEAR, 10, grade="consultant"),
        *[case(code, IN_FIRST_YEAR, 10, grade="consultant") for code in "BC"],
        *[case(code, IN_FIRST_YEAR, 1, grade="sas") for code in "BC"],
    )
    sas = find_clusters(cases, workforce, organisations, PERIOD)["A"].get("grade", "sas")
    assert (sas.observed, sas.cases) == (1, 6)
    assert not sas.flagged


def test_it_expects_specialties_from_the_reference_mix_within_each_grade(three_acute_and_one_mental_health):
    clusters = find_clusters(*three_acute_and_one_mental_health, PERIOD)["A"]
    surgery_sas = clusters.get("specialty_grade", "surgery", "sas")
    assert surgery_sas.label == "Surgery · Specialty and specialist (SAS) doctor"
    # SAS doctors of B and C: 2 in medicine, none in surgery; one prior practitioner is shared out
    # by the reference's overall specialty mix, so surgery is unlikely, never impossible.
    assert surgery_sas.basis == RATE
    assert 0 < surgery_sas.expected < 0.5
    assert surgery_sas.observed == 10 and surgery_sas.flagged


def test_it_compares_an_organisation_alone_of_its_type_with_every_other_organisation(
    three_acute_and_one_mental_health,
):
    clusters = find_clusters(*three_acute_and_one_mental_health, PERIOD)["M"]
    assert clusters.reference_type is None
    assert clusters.reference_organisations == 3
    assert "all 3 other organisations" in clusters.reference
    assert clusters.get("grade", "consultant").expected > 0


def test_it_runs_benjamini_hochberg_over_the_groups_examined_with_p_values_given_examination(
    three_acute_and_one_mental_health,
):
    clusters = find_clusters(*three_acute_and_one_mental_health, PERIOD)["A"]
    examined = [t for t in clusters.tests if t.eligible]
    assert clusters.family_size == len(examined) < len(clusters.tests)
    assert {t.dimension for t in examined} == {"specialty_group", "grade", "specialty_grade"}
    sas = clusters.get("grade", "sas")
    chance = sas.expected / 20
    assert sas.p_examined == pytest.approx(stats.binom.sf(11, 20, chance) / stats.binom.sf(2, 20, chance))
    m = clusters.family_size
    ranked = sorted(t.p_examined for t in examined)
    rank = ranked.index(sas.p_examined) + 1
    by_hand = min(min(p * m / (i + 1) for i, p in enumerate(ranked) if i + 1 >= rank), 1.0)
    assert sas.q == pytest.approx(by_hand)


def test_it_examines_only_groups_with_the_minimum_of_practitioners():
    organisations = organisations_frame(*[(code, "acute", "england") for code in ("A", "B", "C", "D")])
    cases = cases_frame(
        case("A", IN_FIRST_YEAR, 4, specialty_group="pathology"),
        case("A", IN_FIRST_YEAR, 3, specialty_group="medicine"),
        *[case(code, IN_FIRST_YEAR, 20, specialty_group="medicine") for code in ("B", "C", "D")],
    )
    clusters = find_clusters(cases, workforce_frame([]), organisations, PERIOD)["A"]
    pathology = clusters.get("specialty_group", "pathology")
    assert pathology.basis == CASE_MIX
    assert pathology.eligible and pathology.flagged
    stricter = find_clusters(cases, workforce_frame([]), organisations, PERIOD, min_observed=5)["A"]
    pathology = stricter.get("specialty_group", "pathology")
    assert pathology.p < 1e-6 and not pathology.eligible and pathology.q is None and not pathology.flagged


def test_it_falls_back_to_case_mix_when_a_years_headcount_is_missing(three_acute_and_one_mental_health):
    cases, workforce, organisations = three_acute_and_one_mental_health
    workforce = workforce.filter(~((pl.col("org_code") == "A") & (pl.col("fiscal_year") == YEARS[1])))
    sas = find_clusters(cases, workforce, organisations, PERIOD)["A"].get("grade", "sas")
    assert sas.basis == CASE_MIX
    # The reference's doctors with cases: 10 consultants and 2 SAS (each with half a practitioner more).
    reference_units = np.array([10, 2]) + PRIOR
    assert sas.expected == pytest.approx(20 * reference_units[1] / (reference_units.sum() + 6 * PRIOR))


def test_it_leaves_out_not_stated_groups(three_acute_and_one_mental_health):
    cases, workforce, organisations = three_acute_and_one_mental_health
    unknown = cases_frame(case("A", IN_FIRST_YEAR, 5, grade="not_stated", specialty_group="not_stated"))
    clusters = find_clusters(pl.concat([cases, unknown]), workforce, organisations, PERIOD)["A"]
    assert all("not_stated" not in t.codes for t in clusters.tests)
    assert clusters.get("grade", "sas").observed == 12


def surgeons(org_code: str, trauma: int, general: int, group_only: int = 0) -> list[list[dict]]:
    """Consultant surgeons with cases: trauma and orthopaedics, general surgery, and "Surgical" (group only)."""
    return [
        case(
            org_code,
            IN_FIRST_YEAR,
            trauma,
            specialty_group="surgery",
            standard_specialty="trauma_orthopaedic_surgery",
        ),
        case(
            org_code, IN_FIRST_YEAR, general, specialty_group="surgery", standard_specialty="general_surgery"
        ),
        case(org_code, IN_FIRST_YEAR, group_only, specialty_group="surgery"),
        case(org_code, IN_FIRST_YEAR, 20, specialty_group="medicine", standard_specialty="cardiology"),
    ]


def test_it_tests_a_specialty_against_its_share_of_its_group_in_the_reference():
    # Every organisation has its expected share of surgeons; A's are all in trauma and orthopaedics,
    # where the others have half of theirs. Consultants only, so the grade mix is certain.
    organisations = organisations_frame(*[(code, "acute", "england") for code in "ABCD"])
    workforce = workforce_frame([row for code in "ABCD" for row in staff(code, 100, 0)])
    cases = cases_frame(
        *surgeons("A", 20, 0, group_only=2), *[group for code in "BCD" for group in surgeons(code, 10, 10)]
    )
    clusters = find_clusters(cases, workforce, organisations, PERIOD)["A"]
    trauma = clusters.get("specialty", "trauma_orthopaedic_surgery")
    group = clusters.get("specialty_group", "surgery")
    assert trauma.label == "Trauma and orthopaedic surgery" and trauma.observed == 20
    # Within surgery the reference has 30 of 60 in trauma and orthopaedics; one prior practitioner is
    # shared out by the reference's mix within surgery, each of its 12 places (11 specialties and "group
    # only") holding half a practitioner more: 30.5 of 66.
    within = (30 + 2 * PRIOR * 30.5 / 66) / (60 + 2 * PRIOR)
    assert trauma.expected == pytest.approx(group.expected * within)
    assert trauma.flagged and not group.flagged
    # "Surgical" names only the group: counted in surgery, never in one of its specialties.
    assert group.observed == 22
    assert clusters.get("specialty", "general_surgery").observed == 0
    assert (
        clusters.get("specialty", "cardiology").observed == 20
        and not clusters.get("specialty", "cardiology").flagged
    )


def test_it_does_not_test_a_specialty_that_is_its_whole_group():
    organisations = organisations_frame(*[(code, "primary_care", "england") for code in "ABC"])
    cases = cases_frame(
        *[
            case(
                code,
                IN_FIRST_YEAR,
                6,
                grade="gp",
                specialty_group="general_practice",
                standard_specialty="general_practice",
            )
            for code in "ABC"
        ]
    )
    clusters = find_clusters(cases, workforce_frame([]), organisations, PERIOD)["A"]
    assert clusters.get("specialty_group", "general_practice").observed == 6
    assert clusters.get("specialty", "general_practice") is None


def test_it_answers_for_one_organisation_and_explains_an_unknown_one(three_acute_and_one_mental_health):
    one = clusters_for(*three_acute_and_one_mental_health, PERIOD, "A")
    assert one.get("grade", "consultant").observed == 8
    with pytest.raises(ValueError, match="no organisation 'ZZZ'"):
        clusters_for(*three_acute_and_one_mental_health, PERIOD, "ZZZ")


# --- simulations ---------------------------------------------------------------------------

GRADE_SHARES = {"consultant": 0.4, "sas": 0.2, "resident": 0.4}
GRADE_RATES = {"consultant": 0.010, "sas": 0.020, "resident": 0.003}  # cases per person-year
MALE_SHARE = 0.55
SPECIALTIES = {"medicine": 0.4, "surgery": 0.3, "anaesthetics": 0.2, "paediatrics": 0.1}


def null_world(rng: np.random.Generator, orgs: int = 60):
    """Every organisation has the same grade and sex mix and the same rates: no cluster anywhere."""
    codes = [f"N{i:03d}" for i in range(orgs)]
    sizes = rng.integers(100, 1200, size=orgs)
    workforce, columns = (
        [],
        {name: [] for name in ("org_code", "fiscal_year", "grade", "sex", "specialty_group")},
    )
    for code, size in zip(codes, sizes, strict=True):
        for year in YEARS:
            for grade, share in GRADE_SHARES.items():
                heads = round(size * share)
                workforce.append((code, year, "doctor", "grade", grade, heads))
                count = rng.poisson(GRADE_RATES[grade] * heads)
                columns["org_code"] += [code] * count
                columns["fiscal_year"] += [year] * count
                columns["grade"] += [grade] * count
                columns["sex"] += list(np.where(rng.random(count) < MALE_SHARE, "male", "female"))
                columns["specialty_group"] += list(
                    rng.choice(list(SPECIALTIES), size=count, p=list(SPECIALTIES.values()))
                )
            men = round(size * MALE_SHARE)
            workforce += [
                (code, year, "doctor", "sex", "male", men),
                (code, year, "doctor", "sex", "female", size - men),
            ]
    constant = {
        "profession": "doctor",
        "ethnic_group": "white",
        "age_band": "45_54",
        "pmq": "uk",
        "disability": "no",
    }
    cases = canonical.conform(
        pl.DataFrame(columns)
        .with_row_index("row")
        .with_columns(practitioner_id=pl.format("P{}", "row"), **{k: pl.lit(x) for k, x in constant.items()})
        .drop("row"),
        canonical.CASES_SCHEMA,
    )
    organisations = organisations_frame(*[(code, "acute", "england") for code in codes])
    return cases, workforce_frame(workforce), organisations


def test_it_keeps_false_flags_within_the_false_discovery_rate_on_null_data():
    rng = np.random.default_rng(20240601)
    families = flagged = tests = 0
    for _ in range(5):
        found = find_clusters(*null_world(rng), PERIOD)
        families += len(found)
        flagged += sum(1 for clusters in found.values() if clusters.flagged)
        tests += sum(clusters.family_size for clusters in found.values())
    # With every cell null, the false discovery rate of a family is the chance it flags anything.
    assert families == 300
    assert tests > 300
    assert flagged / families <= 0.05


def test_it_finds_the_planted_clusters_of_the_synthetic_data_and_few_others(tmp_path):
    from concerns.ingest import load
    from concerns.synth import SynthConfig, write

    as_of = D(2025, 6, 1)
    write(SynthConfig(seed=3, as_of=as_of), tmp_path, "parquet")
    data = load(tmp_path, today=as_of)
    planted = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))["clusters"]
    found = find_clusters(data.cases, data.workforce, data.organisations, Period.before(as_of))
    assert len(planted) == 4
    for cluster in planted:
        test = found[cluster["org_code"]].get("specialty_grade", cluster["specialty_group"], cluster["grade"])
        assert test is not None and test.flagged, cluster
        assert test.basis == RATE
    elsewhere = [
        code
        for code, clusters in found.items()
        if clusters.flagged and code not in {c["org_code"] for c in planted}
    ]
    # The generator plants nothing else: what is flagged elsewhere is chance (bench/calibrate.py).
    assert len(elsewhere) <= 0.05 * len(found)


def test_it_simulates_how_often_chance_alone_would_flag_an_organisation():
    rng = np.random.default_rng(7)
    found = find_clusters(*null_world(rng), PERIOD)
    chances = [c.chance_of_a_flag(simulations=300) for c in found.values()]
    assert all(0 <= chance <= 0.2 for chance in chances)
    # Summed over organisations it is the number of flags to expect by chance: a few of 60, not none.
    assert 0.1 < sum(chances) < 6
    untested = find_clusters(*null_world(rng, orgs=3), PERIOD)
    assert all(c.chance_of_a_flag() == 0.0 for c in untested.values() if not c.family_size)
