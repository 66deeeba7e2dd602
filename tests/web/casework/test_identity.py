"""Correcting a practitioner's name or registration after the case is opened."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerns.web.casework.models import ChangeRecord, PractitionerIdentity
from concerns.web.portal.models import AuditEvent
from concerns.web.portal.roles import Role
from tests.web.casework.conftest import make_practitioner
from tests.web.conftest import make_user, signed_in

pytestmark = pytest.mark.django_db


def corrected(**changes: str) -> dict[str, str]:
    return {
        "full_name": "Alex Example",
        "registration_body": "GMC",
        "registration_number": "7000001",
        **changes,
    }


def test_it_corrects_the_name_and_registration_recording_fields_but_not_values(case, users):
    url = reverse("casework:identity_edit", args=[case.practitioner.pk])
    response = signed_in(users["adviser"]).post(
        url, corrected(full_name=" Alex Exampel-Smith ", registration_number="gd 1234")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:identity", args=[case.practitioner.pk])
    identity = PractitionerIdentity.objects.get(practitioner=case.practitioner)
    assert (identity.full_name, identity.registration_number) == ("Alex Exampel-Smith", "GD 1234")
    change = ChangeRecord.objects.get(model="PractitionerIdentity", action="changed")
    assert change.by == users["adviser"] and change.practitioner == case.practitioner
    assert change.changes == {
        "full_name": {"from": "(hidden)", "to": "(hidden)"},
        "registration_number": {"from": "(hidden)", "to": "(hidden)"},
    }
    event = AuditEvent.objects.get(action="practitioner-identity-corrected")
    assert event.actor == users["adviser"]
    assert event.detail == {
        "pseudonym": case.practitioner.pseudonym,
        "fields": ["full_name", "registration_number"],
    }
    kept = str(list(ChangeRecord.objects.values_list("changes", flat=True))) + str(event.detail)
    assert "Exampel" not in kept and "GD 1234" not in kept


def test_it_corrects_the_registration_body_for_the_insights_team(case, users):
    signed_in(users["insights"]).post(
        reverse("casework:identity_edit", args=[case.practitioner.pk]), corrected(registration_body="GDC")
    )
    assert PractitionerIdentity.objects.get(practitioner=case.practitioner).registration_body == "GDC"
    assert AuditEvent.objects.get(action="practitioner-identity-corrected").detail["fields"] == [
        "registration_body"
    ]


def test_it_records_nothing_when_nothing_changed(case, users):
    before = ChangeRecord.objects.count()
    response = signed_in(users["adviser"]).post(
        reverse("casework:identity_edit", args=[case.practitioner.pk]),
        corrected(registration_number=" 7000001 "),
    )
    assert response.status_code == 302 and ChangeRecord.objects.count() == before
    assert not AuditEvent.objects.filter(action="practitioner-identity-corrected").exists()


def test_it_refuses_a_registration_another_practitioner_holds(case, users):
    make_practitioner(users["insights"], name="Other Person", number="7000002")
    response = signed_in(users["insights"]).post(
        reverse("casework:identity_edit", args=[case.practitioner.pk]),
        corrected(registration_number="7000002"),
    )
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert PractitionerIdentity.objects.get(practitioner=case.practitioner).registration_number == "7000001"


def test_it_shows_errors_for_a_missing_name(case, users):
    response = signed_in(users["adviser"]).post(
        reverse("casework:identity_edit", args=[case.practitioner.pk]), corrected(full_name="")
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'href="#id_full_name"' in page
    assert PractitionerIdentity.objects.get(practitioner=case.practitioner).full_name == "Alex Example"


def test_it_refuses_corrections_from_anyone_who_may_not_see_the_identity(case, users, organisation):
    colleague = make_user("colleague", Role.ADVISER, organisation)  # covers the organisation, not the case
    url = reverse("casework:identity_edit", args=[case.practitioner.pk])
    for user in (colleague, users["unassigned_adviser"], users["owner"], users["admin"]):
        assert signed_in(user).post(url, corrected(full_name="Someone Else")).status_code == 404
    assert PractitionerIdentity.objects.get(practitioner=case.practitioner).full_name == "Alex Example"
    assert not ChangeRecord.objects.filter(model="PractitionerIdentity", action="changed").exists()
