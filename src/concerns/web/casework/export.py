"""The register as the data contract's three files, so reports are built from it as from an upload.

- cases: one row per case; `services` joins those recorded on the case with those its records show
  (an exclusion, assessments, an action plan, a team review, an alert).
- organisations: every organisation with a case or a headcount; its type, nation and region come from
  its `OrganisationProfile` (the nation falls back to the portal's record of it).
- workforce: the register's `Headcount` rows (none means "unknown", which the contract allows).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from django.db.models import Prefetch

from concerns import canonical
from concerns import vocabulary as v
from concerns.web.casework.models import Assessment, Case, Headcount, OrganisationProfile
from concerns.web.portal.models import Organisation

CASES_COLUMNS = (*canonical.CASES_REQUIRED, *canonical.CASES_OPTIONAL)
ORGANISATIONS_COLUMNS = (*canonical.ORGANISATIONS_REQUIRED, *canonical.ORGANISATIONS_OPTIONAL)
WORKFORCE_COLUMNS = canonical.WORKFORCE_REQUIRED
LIST_SEPARATOR = ";"


class ExtractError(RuntimeError):
    """The register cannot be written as valid contract files (the message says what to fix)."""


def case_rows() -> Iterable[dict[str, str]]:
    cases = (
        Case.objects.select_related("organisation", "practitioner")
        .prefetch_related(
            Prefetch("assessments", queryset=Assessment.objects.only("case_id", "kind")),
            "exclusions",
            "action_plans",
            "team_reviews",
            "hpans",
        )
        .order_by("opened_on", "reference")
    )
    for case in cases:
        yield {
            "case_id": case.reference,
            "org_code": case.organisation.code,
            "opened_on": case.opened_on.isoformat(),
            "practitioner_id": case.practitioner.pseudonym,
            "profession": case.profession,
            "grade": case.grade,
            "sex": case.sex,
            "age_band": case.age_band,
            "ethnicity": case.ethnicity,
            "pmq": case.pmq,
            "concerns": LIST_SEPARATOR.join(case.concerns),
            "closed_on": case.closed_on.isoformat() if case.closed_on else "",
            "specialty": case.specialty,
            "disability": case.disability,
            "services": LIST_SEPARATOR.join(services_used(case)),
            "outcome": case.outcome,
        }


def services_used(case: Case) -> list[str]:
    """Every service of the case, in vocabulary order: those recorded and those its records show."""
    used = set(case.services) | {"advice"}
    used |= {f"{assessment.kind}_assessment" for assessment in case.assessments.all()}
    for related, service in (
        ("exclusions", "exclusion"),
        ("action_plans", "action_plan"),
        ("team_reviews", "team_review"),
        ("hpans", "hpan"),
    ):
        if getattr(case, related).all():
            used.add(service)
    return [code for code in v.SERVICES.codes if code in used]


def organisation_rows() -> list[dict[str, str]]:
    wanted = Organisation.objects.filter(
        pk__in=Case.objects.values("organisation")
    ) | Organisation.objects.filter(pk__in=Headcount.objects.values("organisation"))
    profiles = {profile.organisation_id: profile for profile in OrganisationProfile.objects.all()}
    rows, missing = [], []
    for organisation in wanted.distinct().order_by("code"):
        profile = profiles.get(organisation.pk)
        nation = profile.nation if profile else v.NATIONS.resolve(organisation.nation)
        if profile is None or nation is None:
            missing.append(organisation.code)
            continue
        rows.append(
            {
                "org_code": organisation.code,
                "name": organisation.name,
                "org_type": profile.org_type,
                "nation": nation,
                "region": profile.region,
            }
        )
    if missing:
        raise ExtractError(
            "these organisations need their type and nation recorded in the register "
            f"(organisation profile): {', '.join(missing)}"
        )
    return rows


def workforce_rows() -> Iterable[dict[str, str]]:
    for row in Headcount.objects.select_related("organisation").order_by(
        "organisation__code", "fiscal_year", "profession", "dimension", "group"
    ):
        yield {
            "org_code": row.organisation.code,
            "fiscal_year": row.fiscal_year,
            "profession": row.profession,
            "dimension": row.dimension,
            "group": row.group,
            "headcount": str(row.headcount),
        }


def write_extract(out: Path) -> dict[str, int]:
    """Write cases.csv, organisations.csv and workforce.csv into `out`; rows written per file."""
    organisations = organisation_rows()  # first: it is the one that can refuse
    out.mkdir(parents=True, exist_ok=True)
    return {
        "organisations": _write(out / "organisations.csv", ORGANISATIONS_COLUMNS, organisations),
        "cases": _write(out / "cases.csv", CASES_COLUMNS, case_rows()),
        "workforce": _write(out / "workforce.csv", WORKFORCE_COLUMNS, workforce_rows()),
    }


def _write(path: Path, columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> int:
    count = 0
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    partial.replace(path)
    return count
