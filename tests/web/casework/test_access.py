"""Every register URL × every kind of user: who gets the page, who gets 404, who is sent to sign in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from concerns.web.casework.models import (
    ActionPlan,
    Assessment,
    CaseEntry,
    Exclusion,
    ExclusionReview,
    Hpan,
    HpanReview,
    RegistrationMatch,
    SubjectAccessRequest,
    TeamReview,
    ThirdParty,
)
from concerns.web.casework.views.records import KINDS
from concerns.web.portal.models import AuditEvent
from concerns.web.portal.roles import Role
from tests.web.casework.conftest import make_case, make_practitioner
from tests.web.conftest import make_user, signed_in

pytestmark = pytest.mark.django_db

ROLES = ("owner", "member", "stranger", "adviser", "unassigned_adviser", "insights", "admin", "anonymous")
NOBODY_ELSE = {"owner": 404, "member": 404, "stranger": 404, "admin": 404, "anonymous": 302}
CASE_PAGE = {**NOBODY_ELSE, "adviser": 200, "unassigned_adviser": 404, "insights": 200}
STAFF_PAGE = {**NOBODY_ELSE, "adviser": 200, "unassigned_adviser": 200, "insights": 200}
PARENTS = {"exclusion-review": "exclusion", "hpan-review": "hpan"}
INSIGHTS_PAGE = {**NOBODY_ELSE, "adviser": 404, "unassigned_adviser": 404, "insights": 200}
# A practitioner with a case advised by each adviser: both see the identity, neither sees every case.
SHARED_IDENTITY_EDIT = {**NOBODY_ELSE, "adviser": 403, "unassigned_adviser": 403, "insights": 200}
# A practitioner advised by `unassigned_adviser`, whose registration `adviser` entered for a new case: until the
# insights team checks it, `adviser` does not see the identity.
QUEUED_IDENTITY = {**NOBODY_ELSE, "adviser": 404, "unassigned_adviser": 200, "insights": 200}


@pytest.fixture
def objects(case, users):
    by = users["adviser"]
    entry = CaseEntry(
        case=case, kind="note", occurred_on=dt.date(2024, 5, 2), summary="Call.", recorded_by=by
    )
    entry.save(by=by)
    exclusion = Exclusion(case=case, kind="formal", started_on=dt.date(2024, 6, 3))
    exclusion.save(by=by)
    hpan = Hpan(
        case=case,
        requested_on=dt.date(2024, 7, 1),
        requested_by="Medical director",
        requester_is_board_member=True,
        criteria=[c.value for c in Hpan.Criterion],
        issued_on=dt.date(2024, 7, 5),
        recipients=["regulator"],
    )
    hpan.save(by=by)
    request = SubjectAccessRequest(
        practitioner=case.practitioner,
        received_on=dt.date(2025, 1, 6),
        identity_verified_on=dt.date(2025, 1, 6),
    )
    request.save(by=users["insights"])
    others = {
        "third-party": ThirdParty(case=case, name="Jo Bloggs", role="a colleague"),
        "assessment": Assessment(case=case, kind="clinical", requested_on=dt.date(2024, 6, 1)),
        "action-plan": ActionPlan(case=case, kind="return_to_work", drafted_on=dt.date(2024, 6, 1)),
        "team-review": TeamReview(case=case, requested_on=dt.date(2024, 6, 1)),
        "exclusion-review": ExclusionReview(
            exclusion=exclusion, due_on=dt.date(2024, 7, 1), held_on=dt.date(2024, 6, 30), decision="renew"
        ),
        "hpan-review": HpanReview(
            hpan=hpan, due_on=dt.date(2025, 1, 5), held_on=dt.date(2025, 1, 5), decision="continue"
        ),
    }
    for record in others.values():
        record.save(by=by)
    return {
        "case": case,
        "sar": request,
        "entry": entry,
        "exclusion": exclusion,
        "hpan": hpan,
        **others,
        **_shared_and_queued(users, case.organisation),
    }


def _shared_and_queued(users, organisation) -> dict[str, object]:
    elsewhere = users["unassigned_adviser"].assignments.get().organisation
    shared = make_practitioner(users["insights"], name="Sam Shared", number="7000002")
    make_case(organisation, users["insights"], shared, adviser=users["adviser"])
    make_case(elsewhere, users["insights"], shared, adviser=users["unassigned_adviser"])
    known = make_practitioner(users["insights"], name="Kim Known", number="7000003")
    make_case(elsewhere, users["insights"], known, adviser=users["unassigned_adviser"])
    queued = make_case(organisation, users["adviser"], known, adviser=users["adviser"])
    check = RegistrationMatch(
        case=queued, full_name="Kim Typed", registration_body="GMC", registration_number="7000003"
    )
    check.save(by=users["adviser"])
    return {"shared": shared, "queued": known, "check": check}


def urls(o) -> dict[str, tuple[str, dict[str, int]]]:
    case, sar = o["case"], o["sar"]
    return {
        "home": (reverse("casework:home"), STAFF_PAGE),
        "cases": (reverse("casework:cases"), STAFF_PAGE),
        "case_new": (reverse("casework:case_new"), STAFF_PAGE),
        "measures": (reverse("casework:measures"), STAFF_PAGE),
        "case": (reverse("casework:case", args=[case.pk]), CASE_PAGE),
        "case_edit": (reverse("casework:case_edit", args=[case.pk]), CASE_PAGE),
        "practitioner": (reverse("casework:practitioner", args=[case.practitioner.pk]), CASE_PAGE),
        "identity": (reverse("casework:identity", args=[case.practitioner.pk]), CASE_PAGE),
        "identity_edit": (reverse("casework:identity_edit", args=[case.practitioner.pk]), CASE_PAGE),
        "identity_edit:shared": (
            reverse("casework:identity_edit", args=[o["shared"].pk]),
            SHARED_IDENTITY_EDIT,
        ),
        "identity:queued": (reverse("casework:identity", args=[o["queued"].pk]), QUEUED_IDENTITY),
        "checks": (reverse("casework:checks"), INSIGHTS_PAGE),
        "check": (reverse("casework:check", args=[o["check"].pk]), INSIGHTS_PAGE),
        **{
            f"record_new:{kind}": (
                reverse("casework:record_new", args=[kind, o[PARENTS.get(kind, "case")].pk]),
                CASE_PAGE,
            )
            for kind in KINDS
        },
        **{
            f"record_edit:{kind}": (reverse("casework:record_edit", args=[kind, o[kind].pk]), CASE_PAGE)
            for kind in KINDS
        },
        "sars": (reverse("casework:sars"), INSIGHTS_PAGE),
        "sar_new": (reverse("casework:sar_new"), INSIGHTS_PAGE),
        "sar": (reverse("casework:sar", args=[sar.pk]), INSIGHTS_PAGE),
        "sar_edit": (reverse("casework:sar_edit", args=[sar.pk]), INSIGHTS_PAGE),
        "sar_pack_json": (reverse("casework:sar_pack", args=[sar.pk, "json"]), INSIGHTS_PAGE),
        "sar_pack_pdf": (reverse("casework:sar_pack", args=[sar.pk, "pdf"]), INSIGHTS_PAGE),
    }


def client_for(role: str, users) -> Client:
    return Client() if role == "anonymous" else signed_in(users[role])


def test_it_answers_every_url_for_every_role_as_the_matrix_says(objects, users):
    clients = {role: client_for(role, users) for role in ROLES}
    seen = {}
    for name, (url, _expected) in urls(objects).items():
        for role in ROLES:
            response = clients[role].get(url)
            seen[(name, role)] = response.status_code
            if role == "anonymous":
                assert response["Location"].startswith("/sign-in/?next="), name
    wanted = {(name, role): expected[role] for name, (_, expected) in urls(objects).items() for role in ROLES}
    assert seen == wanted


def test_it_covers_every_casework_url_in_the_matrix(objects):
    from concerns.web.casework.urls import urlpatterns

    covered = {name.split(":")[0].removesuffix("_json").removesuffix("_pdf") for name in urls(objects)}
    assert {pattern.name for pattern in urlpatterns} == covered


def test_it_refuses_changes_from_users_outside_the_cases_scope(objects, users):
    case = objects["case"]
    for role in ("unassigned_adviser", "owner", "admin"):
        response = signed_in(users[role]).post(
            reverse("casework:case_edit", args=[case.pk]), {"case-grade": "sas"}
        )
        assert response.status_code == 404
    case.refresh_from_db()
    assert case.grade == "consultant"


def test_it_shows_identity_only_to_the_case_adviser_and_insights(objects, users, organisation):
    colleague = make_user(
        "colleague", Role.ADVISER, organisation
    )  # assigned to the organisation, not the case
    url = reverse("casework:identity", args=[objects["case"].practitioner.pk])
    assert signed_in(colleague).get(reverse("casework:case", args=[objects["case"].pk])).status_code == 200
    assert signed_in(colleague).get(url).status_code == 404
    response = signed_in(users["adviser"]).get(url)
    assert response.status_code == 200 and "Alex Example" in response.content.decode()
    event = AuditEvent.objects.get(action="practitioner-identity-viewed")
    assert event.actor == users["adviser"] and event.detail == {
        "pseudonym": objects["case"].practitioner.pseudonym
    }
    assert (
        "Alex Example"
        not in signed_in(colleague).get(reverse("casework:case", args=[objects["case"].pk])).content.decode()
    )


def test_it_audits_each_pack_download(objects, users):
    response = signed_in(users["insights"]).get(
        reverse("casework:sar_pack", args=[objects["sar"].pk, "json"])
    )
    assert response["Content-Disposition"].startswith('attachment; filename="subject-access-P-')
    assert AuditEvent.objects.filter(action="sar-pack-downloaded", detail__format="json").count() == 1
    assert objects["case"].practitioner.identity.full_name in response.content.decode()
