"""Demo casework for the demo portal: clearly fictional cases at organisations the portal already has.

`load()` is called by `concerns portal-demo` after the demo reports and users exist. Dates are set
relative to today, so the demo always shows what the register is for: an exclusion review overdue, one
due soon, an exclusion past 6 months with many renewals, an assessment that cannot start for want of the
practitioner's agreement, an action plan, a team review, an alert with a review due, and two open subject
access requests (one overdue). Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from concerns import vocabulary as v
from concerns.web.casework import dates
from concerns.web.casework.models import (
    ActionPlan,
    Assessment,
    Case,
    CaseEntry,
    Exclusion,
    ExclusionReview,
    Hpan,
    HpanReview,
    OrganisationProfile,
    Practitioner,
    PractitionerIdentity,
    SubjectAccessRequest,
    TeamReview,
    ThirdParty,
)
from concerns.web.casework.registry import import_registry
from concerns.web.portal.models import Assignment, Organisation, Report, ReportFile, User
from concerns.web.portal.roles import Role

# Registration numbers no regulator issues to a real person here: the 99 prefix marks demo data.
PRACTITIONERS = (
    ("Dr Demo Ashdown", "GMC", "9900001"),
    ("Dr Demo Brightwell", "GMC", "9900002"),
    ("Dr Demo Carrow", "GMC", "9900003"),
    ("Demo Dunmore", "GDC", "9900004"),
    ("Demo Elsworth", "GPhC", "9900005"),
    ("Dr Demo Fenwick", "GMC", "9900006"),
)
STAFF = (("demo-adviser-1", Role.ADVISER), ("demo-adviser-2", Role.ADVISER), ("demo-insights", Role.INSIGHTS))
NOTE = "(Demo data: every name here is fictional.)"


def load(today: dt.date | None = None, data: Path | None = None) -> dict[str, int]:
    """Create the demo casework once; how many cases and requests exist afterwards.

    Given the demo data folder, the portal's organisations first take their type, nation and headcounts
    from it (see `registry`), so reports built from the register have rates.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        if data is not None:
            import_registry(data, today=today)
        if not PractitionerIdentity.objects.filter(registration_number=PRACTITIONERS[0][2]).exists():
            _create(today)
    return {"cases": Case.objects.count(), "subject_access_requests": SubjectAccessRequest.objects.count()}


def _create(today: dt.date) -> None:
    staff = {name: _staff(name, role) for name, role in STAFF}
    organisations = _organisations(staff)
    if not organisations:
        return
    by = staff["demo-insights"]
    people = [_practitioner(name, body, number, by) for name, body, number in PRACTITIONERS]
    org = (organisations * 4)[:4]
    first, second = staff["demo-adviser-1"], staff["demo-adviser-2"]
    adviser_of = {o.pk: _adviser_for(o, first, second) for o in org}

    def case(n: int, who: int, **fields: Any) -> Case:
        made = Case(organisation=org[n], practitioner=people[who], adviser=adviser_of[org[n].pk], **fields)
        made.save(by=by)
        return made

    overdue = case(
        0,
        0,
        opened_on=today - dt.timedelta(days=60),
        first_response_on=today - dt.timedelta(days=59),
        summary=f"Concerns about conduct towards junior colleagues on night shifts. {NOTE}",
        **_demographics("doctor", "consultant", "General surgery", "male", "55_64", "H", "international"),
        concerns=["behaviour.bullying_harassment", "clinical.governance_safety"],
    )
    _exclusion(
        overdue, by, started=today - dt.timedelta(days=40), reviews=0, board_member="Demo Non-Executive Gray"
    )
    _entry(
        overdue,
        by,
        today - dt.timedelta(days=59),
        "contact_organisation",
        "Medical director Demo Hale called about two incident reports; advised on an immediate review "
        "of the rota with the clinical director Demo Ivers.",
    )
    _third_parties(
        overdue,
        by,
        [
            ("Demo Hale", "the medical director"),
            ("Demo Ivers", "the clinical director"),
            ("Demo Non-Executive Gray", "the board member monitoring the exclusion"),
        ],
    )

    long_running = case(
        1,
        1,
        opened_on=today - dt.timedelta(days=230),
        first_response_on=today - dt.timedelta(days=229),
        summary=f"Probity concern under police investigation. {NOTE}",
        **_demographics("doctor", "sas", "Psychiatry", "female", "45_54", "N", "uk"),
        concerns=["behaviour.probity"],
        services=["restriction"],
    )
    _exclusion(
        long_running,
        by,
        started=today - dt.timedelta(days=210),
        reviews=7,
        police=True,
        board_member="Demo Non-Executive Moss",
    )
    _third_parties(
        long_running, by, [("Demo Non-Executive Moss", "the board member monitoring the exclusion")]
    )

    due_soon = case(
        0,
        2,
        opened_on=today - dt.timedelta(days=30),
        first_response_on=today - dt.timedelta(days=28),
        summary=f"Clinical capability after a serious incident. {NOTE}",
        **_demographics("doctor", "resident", "Emergency medicine", "female", "under_35", "A", "uk"),
        concerns=["clinical.capability"],
    )
    _exclusion(due_soon, by, started=today - dt.timedelta(days=20), reviews=0)
    blocked = Assessment(
        case=due_soon,
        kind="clinical",
        status="offered",
        requested_on=today - dt.timedelta(days=25),
        decided_on=today - dt.timedelta(days=14),
        organisation_agreed_on=today - dt.timedelta(days=10),
    )
    blocked.save(by=by)

    plan_case = case(
        2,
        3,
        opened_on=today - dt.timedelta(days=400),
        first_response_on=today - dt.timedelta(days=396),
        summary=f"Return to practice after a long absence for ill health. {NOTE}",
        **_demographics("dentist", "dentist", "Dental", "male", "45_54", "C", "eea"),
        concerns=["health.mental", "clinical.record_keeping"],
    )
    Assessment(
        case=plan_case,
        kind="behavioural",
        status="reported",
        requested_on=today - dt.timedelta(days=380),
        organisation_agreed_on=today - dt.timedelta(days=370),
        practitioner_agreed_on=today - dt.timedelta(days=368),
        started_on=today - dt.timedelta(days=340),
        report_on=today - dt.timedelta(days=300),
    ).save(by=by)
    ActionPlan(
        case=plan_case,
        kind="return_to_work",
        status="agreed",
        drafted_on=today - dt.timedelta(days=290),
        agreed_on=today - dt.timedelta(days=270),
        review_on=today + dt.timedelta(days=20),
        summary="Phased return with a named educational supervisor.",
    ).save(by=by)

    team = case(
        3,
        4,
        opened_on=today - dt.timedelta(days=150),
        first_response_on=today - dt.timedelta(days=149),
        summary=f"Breakdown of working relationships in a pharmacy team. {NOTE}",
        **_demographics("pharmacist", "pharmacist", "Pharmacy", "female", "35_44", "J", "uk"),
        concerns=["behaviour.team_relationships", "other.work_environment"],
    )
    TeamReview(
        case=team,
        status="under_way",
        requested_on=today - dt.timedelta(days=120),
        agreed_on=today - dt.timedelta(days=100),
        reviewers="A clinical reviewer and an HR reviewer",
    ).save(by=by)

    alert_case = case(
        1,
        5,
        opened_on=today - dt.timedelta(days=420),
        first_response_on=today - dt.timedelta(days=417),
        closed_on=today - dt.timedelta(days=60),
        status="closed",
        outcome="referred_to_regulator",
        summary=f"Serious concerns; the practitioner left and may seek NHS work elsewhere. {NOTE}",
        **_demographics("doctor", "locally_employed", "Anaesthetics", "male", "35_44", "99", "international"),
        concerns=["clinical", "behaviour.misconduct"],
    )
    issued = dates.add_months(today, -12) + dt.timedelta(
        days=10
    )  # reviewed once; the next review is due in 10 days
    alert = Hpan(
        case=alert_case,
        requested_on=issued - dt.timedelta(days=7),
        requested_by="Demo Chief Executive Quill",
        requester_is_board_member=True,
        criteria=list(Hpan.Criterion.values),
        issued_on=issued,
        recipients=list(Hpan.Recipient.values),
    )
    alert.save(by=by)
    due = alert.next_review_on
    assert due is not None  # issued and not revoked
    HpanReview(hpan=alert, due_on=due, held_on=due, decision="continue").save(by=by)

    for years_ago, who, concerns, outcome in (
        (4, 2, ["clinical"], "resolved_locally"),
        (3, 0, ["health.addiction"], "returned_to_practice"),
        (2, 3, ["other.language"], "action_plan"),
    ):
        opened = today - dt.timedelta(days=365 * years_ago)
        case(
            years_ago % len(org),
            who,
            opened_on=opened,
            first_response_on=opened + dt.timedelta(days=1),
            closed_on=opened + dt.timedelta(days=120),
            status="closed",
            outcome=outcome,
            summary=f"An earlier case, closed. {NOTE}",
            **_demographics("doctor", "gp", "General practice", "male", "45_54", "B", "uk"),
            concerns=concerns,
        )

    SubjectAccessRequest(
        practitioner=people[0],
        received_on=today - dt.timedelta(days=10),
        identity_verified_on=today - dt.timedelta(days=8),
    ).save(by=by)
    SubjectAccessRequest(
        practitioner=people[1],
        received_on=today - dt.timedelta(days=50),
        identity_verified_on=today - dt.timedelta(days=46),
    ).save(by=by)


def _staff(username: str, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, email=f"{username}@demo.invalid")
        user.set_unusable_password()
        user.save()
    return user


def _organisations(staff: dict[str, User]) -> list[Organisation]:
    """Organisations the demo advisers cover, else any four; each gets the profile the contract needs."""
    advisers = [staff["demo-adviser-1"], staff["demo-adviser-2"]]
    chosen = list(
        Organisation.objects.filter(assignments__adviser__in=advisers).distinct().order_by("code")[:4]
    )
    chosen = chosen or list(Organisation.objects.order_by("code")[:4])
    for organisation in chosen:
        org_type, nation = _contract_details(organisation)
        OrganisationProfile.objects.get_or_create(
            organisation=organisation, defaults={"org_type": org_type, "nation": nation}
        )
    return chosen


def _contract_details(organisation: Organisation) -> tuple[str, str]:
    """Type and nation from the organisation's published report, when it has one."""
    from concerns.web.portal.store import file_path

    report_file = ReportFile.objects.filter(
        report__organisation=organisation, format="json", report__status=Report.Status.PUBLISHED
    ).first()
    org: dict[str, Any] = {}
    if report_file is not None:
        try:
            org = json.loads(file_path(report_file).read_text("utf-8")).get("org") or {}
        except (OSError, ValueError):
            org = {}
    org_type = v.ORG_TYPES.resolve(org.get("org_type")) or "acute"
    nation = v.NATIONS.resolve(org.get("nation")) or v.NATIONS.resolve(organisation.nation) or "england"
    return org_type, nation


def _adviser_for(organisation: Organisation, first: User, second: User) -> User:
    assigned = Assignment.objects.filter(organisation=organisation, adviser__in=[first, second]).first()
    return assigned.adviser if assigned else first


def _practitioner(name: str, body: str, number: str, by: User) -> Practitioner:
    practitioner = Practitioner()
    practitioner.save(by=by)
    PractitionerIdentity(
        practitioner=practitioner, full_name=name, registration_body=body, registration_number=number
    ).save(by=by)
    return practitioner


def _demographics(
    profession: str, grade: str, specialty: str, sex: str, age_band: str, ethnicity: str, pmq: str
) -> dict[str, str]:
    return {
        "profession": profession,
        "grade": grade,
        "specialty": specialty,
        "sex": sex,
        "age_band": age_band,
        "ethnicity": ethnicity,
        "pmq": pmq,
    }


def _exclusion(
    case: Case, by: User, *, started: dt.date, reviews: int, police: bool = False, board_member: str = ""
) -> Exclusion:
    """A formal exclusion, Advice consulted, with `reviews` renewals each held a day before it fell due."""
    exclusion = Exclusion(
        case=case,
        kind="formal",
        started_on=started,
        advice_consulted_on=started - dt.timedelta(days=1),
        monitoring_board_member=board_member,
        police_involved=police,
    )
    exclusion.save(by=by)
    for number in range(reviews):
        due = exclusion.next_review_on
        assert due is not None  # the exclusion is open
        ExclusionReview(
            exclusion=exclusion,
            due_on=due,
            held_on=due - dt.timedelta(days=1),
            decision="renew",
            advice_consulted=number == 2,
        ).save(by=by)
    return exclusion


def _entry(case: Case, by: User, on: dt.date, kind: str, summary: str) -> None:
    CaseEntry(case=case, kind=kind, occurred_on=on, summary=summary, recorded_by=case.adviser or by).save(
        by=by
    )


def _third_parties(case: Case, by: User, people: list[tuple[str, str]]) -> None:
    for name, role in people:
        ThirdParty(case=case, name=name, role=role).save(by=by)
