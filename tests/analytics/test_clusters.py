"""Clusters in staff groups: expected counts, the exact Poisson test and Benjamini–Hochberg per organisation."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import polars as pl
import pytest

from concerns import canonical
from concerns.analytics._clusters import CASE_MIX, RATE, cluster_table, clusters_for, find_clusters
from concerns.analytics._period import Period
from tests.analytics.factory import case, cases_frame, organisations_frame, workforce_frame

PERIOD = Period.named("2023/24", "2024/25")
YEARS = list(PERIOD.fiscal_years)
D = dt.date
IN_FIRST_YEAR = D(2023, 6, 1)


def poisson_upper_by_hand(observed: int, mean: float) -> float:
    return 1 - sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(observed))


def consultants(org_code: str, per_year: int) -> list[tuple]:
    return [(org_code, year, "doctor", "grade", "consultant", per_year) for year in YEARS]


@pytest.fixture
def three_acute_and_one_mental_health():
    """A has 10 consultant cases among 200 person-years; B and C together 8 among 800."""
    organisations = organisations_frame(
        ("A", "acute", "england"),
        ("B", "acute", "england"),
        ("C", "acute", "wales"),
        ("M", "mental_health", "england"),
    )
    workforce = workforce_frame(
        consultants("A", 100) + consultants("B", 300) + consultants("C", 100) + consultants("M", 100)
    )
    cases = cases_frame(
        case("A", IN_FIRST_YEAR, 6, specialty_group="surgery"),
        case("A", IN_FIRST_YEAR, 4, specialty_group="medicine"),
        case("B", IN_FIRST_YEAR, 6, specialty_group="medicine"),
        case("C", IN_FIRST_YEAR, 1, specialty_group="surgery"),
        case("C", IN_FIRST_YEAR, 1, specialty_group="medicine"),
        case("M", IN_FIRST_YEAR, 50, specialty_group="psychiatry"),
    )
    return cases, workforce, organisations


def test_it_expects_the_other_organisations_rate_per_head_of_the_same_type(three_acute_and_one_mental_health):
    clusters = find_clusters(*three_acute_and_one_mental_health, PERIOD)["A"]
    consultant = clusters.get("grade", "consultant")
    # Leave-one-out reference: B and C (not A itself, not the mental health trust M):
    # 8 cases over (300 + 100) × 2 = 800 person-years; A has 100 × 2 = 200 person-years.
    expected = 200 * 8 / 800
    assert consultant.basis == RATE
    assert (consultant.observed, consultant.expected) == (10, pytest.approx(expected))
    assert consultant.ratio == pytest.approx(10 / expected)
    assert consultant.p == pytest.approx(poisson_upper_by_hand(10, expected), rel=1e-9)
    assert consultant.flagged
    assert clusters.reference_type == "acute"
    assert clusters.reference_organisations == 2


def test_it_expects_the_other_organisations_case_mix_where_there_is_no_headcount(
    three_acute_and_one_mental_health,
):
    clusters = find_clusters(*three_acute_and_one_mental_health, PERIOD)["A"]
    surgery = clusters.get("specialty_group", "surgery")
    # B and C: 1 surgery case of 8; A has 10 cases.
    assert surgery.basis == CASE_MIX
    assert (surgery.observed, surgery.expected) == (6, pytest.approx(10 * 1 / 8))
    assert surgery.p == pytest.approx(poisson_upper_by_hand(6, 1.25), rel=1e-9)
    assert clusters.get("specialty_grade", "surgery", "consultant").label == "Surgery · Consultant"
    assert clusters.get("sex", "male").basis == CASE_MIX  # no headcount by sex


def test_it_compares_an_organisation_alone_of_its_type_with_every_other_organisation(
    three_acute_and_one_mental_health,
):
    clusters = find_clusters(*three_acute_and_one_mental_health, PERIOD)["M"]
    consultant = clusters.get("grade", "consultant")
    # No other mental health trust: A, B and C have 18 cases over 1,000 person-years.
    assert consultant.expected == pytest.approx(200 * 18 / 1000)
    assert clusters.reference_type is None
    assert clusters.reference_organisations == 3
    assert "all 3 other organisations" in clusters.reference


def test_it_runs_benjamini_hochberg_over_the_whole_family_of_an_organisation(
    three_acute_and_one_mental_health,
):
    clusters = find_clusters(*three_acute_and_one_mental_health, PERIOD)["A"]
    # specialty (2), grade (1), specialty × grade (2), and one group each of ethnicity, sex, age, pmq, disability
    assert clusters.family_size == len(clusters.tests) == 10
    ps = [t.p for t in clusters.tests]
    ranked = sorted(ps)
    consultant = clusters.get("grade", "consultant")
    rank = ranked.index(consultant.p) + 1
    by_hand = min(min(p * 10 / (i + 1) for i, p in enumerate(ranked) if i + 1 >= rank), 1.0)
    assert consultant.q == pytest.approx(by_hand)


def test_it_keeps_small_cells_in_the_family_but_never_flags_them():
    # Two cases of a specialty nobody else has: p is tiny, but 2 < min_observed.
    organisations = organisations_frame(*[(code, "acute", "england") for code in ("A", "B", "C", "D")])
    cases = cases_frame(
        case("A", IN_FIRST_YEAR, 2, specialty_group="pathology"),
        case("A", IN_FIRST_YEAR, 3, specialty_group="medicine"),
        *[case(code, IN_FIRST_YEAR, 20, specialty_group="medicine") for code in ("B", "C", "D")],
        case("B", IN_FIRST_YEAR, 1, specialty_group="pathology"),
    )
    clusters = find_clusters(cases, workforce_frame([]), organisations, PERIOD)["A"]
    pathology = clusters.get("specialty_group", "pathology")
    assert pathology.expected == pytest.approx(5 * 1 / 61)
    assert pathology.p < 0.01
    assert not pathology.eligible
    assert pathology.q is None
    assert not pathology.flagged
    assert clusters.family_size == len(clusters.tests)
    assert pathology in clusters.tests  # it counts towards m
    flagged_with_two = find_clusters(cases, workforce_frame([]), organisations, PERIOD, min_observed=2)["A"]
    assert flagged_with_two.get("specialty_group", "pathology").flagged


def test_it_falls_back_to_case_mix_when_a_years_headcount_is_missing(three_acute_and_one_mental_health):
    cases, workforce, organisations = three_acute_and_one_mental_health
    workforce = workforce.filter(~((pl.col("org_code") == "A") & (pl.col("fiscal_year") == YEARS[1])))
    consultant = find_clusters(cases, workforce, organisations, PERIOD)["A"].get("grade", "consultant")
    assert consultant.basis == CASE_MIX
    # Every acute case is a consultant's, so the case mix expects all of A's cases.
    assert consultant.expected == pytest.approx(10.0)
    assert not consultant.flagged


def test_it_falls_back_to_case_mix_when_a_profession_with_cases_has_no_headcount(
    three_acute_and_one_mental_health,
):
    cases, workforce, organisations = three_acute_and_one_mental_health
    dentist = cases_frame(case("A", IN_FIRST_YEAR, 1, profession="dentist", grade="dentist"))
    table = cluster_table(pl.concat([cases, dentist]), workforce, organisations, PERIOD)
    consultant = table.filter(org_code="A", dimension="grade", code="consultant").row(0, named=True)
    assert consultant["basis"] == CASE_MIX


def test_it_leaves_out_not_stated_groups(three_acute_and_one_mental_health):
    cases, workforce, organisations = three_acute_and_one_mental_health
    unknown = cases_frame(case("A", IN_FIRST_YEAR, 5, sex="not_stated", specialty_group="not_stated"))
    table = cluster_table(pl.concat([cases, unknown]), workforce, organisations, PERIOD)
    assert "not_stated" not in " ".join(table["code"])


def test_it_answers_for_one_organisation_and_explains_an_unknown_one(three_acute_and_one_mental_health):
    one = clusters_for(*three_acute_and_one_mental_health, PERIOD, "A")
    assert one.get("grade", "consultant").observed == 10
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
        pl.DataFrame(columns).with_columns(**{k: pl.lit(x) for k, x in constant.items()}),
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
    assert tests > 300 * 15
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
        assert test.basis == CASE_MIX
    elsewhere = [
        code
        for code, clusters in found.items()
        if clusters.flagged and code not in {c["org_code"] for c in planted}
    ]
    # The generator has no organisation effect, but repeat cases about one practitioner and the
    # organisations' differing demographic mix make a few real excesses; measured 5 to 13 of 216.
    assert len(elsewhere) <= 0.1 * len(found)


def test_it_does_not_flag_repeat_cases_about_one_practitioner(three_acute_and_one_mental_health):
    cases, workforce, organisations = three_acute_and_one_mental_health
    # The same 6 surgery cases at A, all about one practitioner: an excess, but not a staff-group cluster.
    one_person = cases.with_columns(
        pl.when((pl.col("org_code") == "A") & (pl.col("specialty_group") == "surgery"))
        .then(pl.lit("SAME"))
        .otherwise(pl.col("practitioner_id"))
        .alias("practitioner_id")
    )
    spread = find_clusters(cases, workforce, organisations, PERIOD)["A"].get("specialty_group", "surgery")
    repeated = find_clusters(one_person, workforce, organisations, PERIOD)["A"].get(
        "specialty_group", "surgery"
    )
    assert (spread.practitioners, spread.eligible, spread.flagged) == (6, True, True)
    assert (repeated.practitioners, repeated.observed) == (1, 6)
    assert not repeated.eligible
    assert not repeated.flagged
