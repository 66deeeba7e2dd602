"""The register as contract files: extract → validate → report gives back the register's own counts."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from concerns import vocabulary as v
from concerns.analytics import Settings, analyse_organisation, prepare
from concerns.commands.extract import extract
from concerns.ingest import load
from concerns.web.casework.models import (
    Assessment,
    Case,
    Exclusion,
    Headcount,
    OrganisationProfile,
    TeamReview,
)
from tests.web.casework.conftest import make_case, make_practitioner

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 6, 30)
CATEGORIES = v.CONCERN_CATEGORIES.codes


def random_case_fields(rng: random.Random) -> dict:
    opened = dt.date(2020, 4, 1) + dt.timedelta(days=rng.randrange(0, 1825))
    closed = rng.random() < 0.5
    return {
        "opened_on": opened,
        "profession": rng.choice(v.PROFESSIONS.codes),
        "grade": rng.choice(v.GRADES.codes),
        "specialty": rng.choice(["Gen Surg", "Psych", "", "Cardiology", "Something unusual"]),
        "sex": rng.choice(v.SEXES.codes),
        "age_band": rng.choice(v.AGE_BANDS.codes),
        "ethnicity": rng.choice(v.ETHNIC_CATEGORIES.codes),
        "pmq": rng.choice(v.PMQS.codes),
        "disability": rng.choice(v.DISABILITIES.codes),
        "concerns": rng.sample(v.CONCERNS.codes, rng.randint(1, 3)),
        "services": rng.sample(["restriction", "education"], rng.randint(0, 2)),
        "status": "closed" if closed else "open",
        "closed_on": min(opened + dt.timedelta(days=rng.randrange(0, 400)), AS_OF) if closed else None,
        "outcome": rng.choice([code for code in v.OUTCOMES.codes if code != "open"]) if closed else "open",
    }


@pytest.fixture
def register(users, organisation, other_organisation):
    by = users["insights"]
    OrganisationProfile.objects.create(
        organisation=organisation, org_type="acute", nation="england", region="London"
    )
    OrganisationProfile.objects.create(organisation=other_organisation, org_type="integrated", nation="wales")
    for year in ("2023/24", "2024/25"):
        Headcount.objects.create(
            organisation=organisation,
            fiscal_year=year,
            profession="doctor",
            dimension="total",
            group="all",
            headcount=900,
        )
        Headcount.objects.create(
            organisation=organisation,
            fiscal_year=year,
            profession="doctor",
            dimension="ethnicity",
            group="asian",
            headcount=300,
        )
    rng = random.Random(20250630)
    practitioners = [make_practitioner(by, f"Practitioner {n}", f"{7100000 + n}") for n in range(25)]
    for n in range(60):
        case = make_case(
            rng.choice([organisation, other_organisation]),
            by,
            rng.choice(practitioners),
            **random_case_fields(rng),
        )
        if n % 4 == 0:
            Exclusion(case=case, kind="formal", started_on=case.opened_on).save(by=by)
        if n % 5 == 0:
            Assessment(
                case=case, kind=rng.choice(["clinical", "behavioural"]), requested_on=case.opened_on
            ).save(by=by)
        if n % 7 == 0:
            TeamReview(case=case, requested_on=case.opened_on).save(by=by)


def register_counts(org) -> dict[str, Counter]:
    counts: dict[str, Counter] = {
        "concern_category": Counter(),
        "service": Counter(),
        "ethnic_group": Counter(),
        "fiscal_year": Counter(),
        "profession": Counter(),
    }
    for case in Case.objects.filter(organisation=org):
        for category in {v.CONCERNS.group(code) for code in case.concerns}:
            counts["concern_category"][category] += 1
        services = set(case.services)
        services |= {"exclusion"} if case.exclusions.exists() else set()
        services |= {f"{kind}_assessment" for kind in case.assessments.values_list("kind", flat=True)}
        services |= {"team_review"} if case.team_reviews.exists() else set()
        counts["service"].update(services)
        counts["ethnic_group"][v.ETHNIC_CATEGORIES.group(case.ethnicity)] += 1
        counts["fiscal_year"][v.fiscal_year_of(case.opened_on)] += 1
        counts["profession"][case.profession] += 1
    return counts


def test_it_writes_contract_files_that_validate_and_report_the_registers_counts(
    register, tmp_path, organisation, other_organisation
):
    written = extract(tmp_path)
    assert written == {"organisations": 2, "cases": 60, "workforce": 4}
    ingested = load(tmp_path, today=AS_OF)
    assert ingested.rejects.is_empty()
    assert {name: counts.accepted for name, counts in ingested.counts.items()} == written
    context = prepare(ingested, Settings.as_of(AS_OF))
    for org in (organisation, other_organisation):
        profile = analyse_organisation(context, org.code).profile
        assert profile.total == Case.objects.filter(organisation=org).count()
        for dimension, expected in register_counts(org).items():
            reported = {row.code: row.cases for row in profile[dimension].rows if row.cases}
            reported.pop("more_than_one", None)
            assert reported == dict(expected), dimension


def test_it_refuses_to_extract_organisations_without_their_type(users, organisation, tmp_path, capsys):
    import typer

    make_case(organisation, users["insights"])
    with pytest.raises(typer.Exit):
        extract(tmp_path)
    assert "X001" in capsys.readouterr().err
    assert not (tmp_path / "cases.csv").exists()
