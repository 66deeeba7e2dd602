"""Correcting a practitioner's name or registration after the case is opened."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerns.web.casework.models import Case, ChangeRecord, PractitionerIdentity, RegistrationMatch
from concerns.web.portal.models import AuditEvent
from concerns.web.portal.roles import Role
from tests.web.casework.conftest import make_case, make_practitioner
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


# --- a registration already in the register (the X102 / X111 case) ----------------------------


def new_case(organisation, adviser, name: str = "Made Up Name", number: str = "7000001") -> dict[str, object]:
    return {
        "case-adviser": adviser.pk,
        "practitioner-full_name": name,
        "practitioner-registration_body": "GMC",
        "practitioner-registration_number": number,
        "case-organisation": organisation.pk,
        "case-opened_on": "2025-06-02",
        "case-profession": "doctor",
        "case-grade": "consultant",
        "case-sex": "male",
        "case-age_band": "55_64",
        "case-ethnicity": "H",
        "case-pmq": "international",
        "case-disability": "not_stated",
        "case-concerns": ["clinical"],
        "case-status": "open",
        "case-outcome": "open",
    }


@pytest.fixture
def outsider_case(case, users, other_organisation):
    """`unassigned_adviser` (other organisation only) opens a case with the registration of `case`."""
    client = signed_in(users["unassigned_adviser"])
    response = client.post(
        reverse("casework:case_new"), new_case(other_organisation, users["unassigned_adviser"]), follow=True
    )
    assert response.status_code == 200
    return Case.objects.exclude(pk=case.pk).get(), response


def test_it_links_a_known_registration_without_showing_the_identity_to_an_outsider(
    case, users, outsider_case
):
    opened, response = outsider_case
    page = response.content.decode()
    assert opened.practitioner == case.practitioner and opened.adviser == users["unassigned_adviser"]
    assert "Alex Example" not in page and "Made Up Name" not in page
    assert "The insights team will check the practitioner&#x27;s registration" in page
    assert "show identifying details" not in page
    client = signed_in(users["unassigned_adviser"])
    assert client.get(reverse("casework:identity", args=[case.practitioner.pk])).status_code == 404
    assert client.get(reverse("casework:practitioner", args=[case.practitioner.pk])).status_code == 200
    check = RegistrationMatch.objects.get()
    assert (check.case, check.full_name, check.registration_number, check.status) == (
        opened,
        "Made Up Name",
        "7000001",
        "open",
    )
    event = AuditEvent.objects.get(action="registration-check-queued")
    assert event.actor == users["unassigned_adviser"] and event.detail == {"case": opened.reference}
    assert PractitionerIdentity.objects.get(practitioner=case.practitioner).full_name == "Alex Example"


def test_it_lets_no_outsider_correct_the_identity_a_registration_matched(case, users, outsider_case):
    url = reverse("casework:identity_edit", args=[case.practitioner.pk])
    response = signed_in(users["unassigned_adviser"]).post(url, corrected(full_name="Made Up Name"))
    assert response.status_code == 404
    # The adviser of the first case no longer sees every case of the practitioner: the insights team corrects.
    refused = signed_in(users["adviser"]).post(url, corrected(full_name="Made Up Name"))
    assert refused.status_code == 403 and "only the insights team corrects" in refused.content.decode()
    page = signed_in(users["adviser"]).get(reverse("casework:identity", args=[case.practitioner.pk]))
    assert "Correct these details" not in page.content.decode()
    assert PractitionerIdentity.objects.get(practitioner=case.practitioner).full_name == "Alex Example"


def test_it_shows_the_identity_once_the_insights_team_says_it_is_the_same_practitioner(
    case, users, outsider_case
):
    check = RegistrationMatch.objects.get()
    insights = signed_in(users["insights"])
    page = insights.get(reverse("casework:check", args=[check.pk])).content.decode()
    assert "Made Up Name" in page and "Alex Example" in page
    response = insights.post(reverse("casework:check", args=[check.pk]), {"status": "same"})
    assert response.status_code == 302 and response["Location"] == reverse("casework:checks")
    check.refresh_from_db()
    assert (check.status, check.resolved_by) == ("same", users["insights"])
    shown = signed_in(users["unassigned_adviser"]).get(
        reverse("casework:identity", args=[case.practitioner.pk])
    )
    assert shown.status_code == 200 and "Alex Example" in shown.content.decode()
    event = AuditEvent.objects.get(action="registration-check-resolved")
    assert event.detail == {
        "answer": "the same practitioner",
        "case": check.case.reference,
        "pseudonym": case.practitioner.pseudonym,
    }


def test_it_moves_the_case_to_a_new_practitioner_when_the_registration_was_wrong(case, users, outsider_case):
    opened, _ = outsider_case
    check = RegistrationMatch.objects.get()
    answer = {
        "status": "different",
        "full_name": "Made Up Name",
        "registration_body": "GMC",
        "registration_number": " 7000099 ",
    }
    signed_in(users["insights"]).post(reverse("casework:check", args=[check.pk]), answer)
    opened.refresh_from_db()
    assert opened.practitioner != case.practitioner
    assert (opened.practitioner.identity.full_name, opened.practitioner.identity.registration_number) == (
        "Made Up Name",
        "7000099",
    )
    client = signed_in(users["unassigned_adviser"])
    assert client.get(reverse("casework:identity", args=[opened.practitioner.pk])).status_code == 200
    assert client.get(reverse("casework:identity", args=[case.practitioner.pk])).status_code == 404
    assert list(case.practitioner.cases.all()) == [case]


def test_it_refuses_a_different_practitioner_with_the_registration_already_linked(case, users, outsider_case):
    check = RegistrationMatch.objects.get()
    answer = {
        "status": "different",
        "full_name": "X",
        "registration_body": "GMC",
        "registration_number": "7000001",
    }
    response = signed_in(users["insights"]).post(reverse("casework:check", args=[check.pk]), answer)
    assert (
        response.status_code == 200
        and "That is the registration of the practitioner" in response.content.decode()
    )
    check.refresh_from_db()
    assert check.status == "open"


def test_it_asks_for_the_details_of_a_different_practitioner(case, users, outsider_case):
    check = RegistrationMatch.objects.get()
    response = signed_in(users["insights"]).post(
        reverse("casework:check", args=[check.pk]), {"status": "different", "full_name": ""}
    )
    page = response.content.decode()
    assert "Enter their full name" in page and "Enter their registration number" in page
    assert 'href="#id_full_name"' in page


def test_it_lets_only_the_insights_team_answer_a_registration_check(case, users, outsider_case):
    check = RegistrationMatch.objects.get()
    for role in ("unassigned_adviser", "adviser", "owner", "admin"):
        response = signed_in(users[role]).post(reverse("casework:check", args=[check.pk]), {"status": "same"})
        assert response.status_code == 404
    check.refresh_from_db()
    assert check.status == "open"


def test_it_links_a_registration_its_adviser_already_sees_and_says_the_name_differs(
    case, users, organisation
):
    response = signed_in(users["adviser"]).post(
        reverse("casework:case_new"),
        new_case(organisation, users["adviser"], name="Alexander Example"),
        follow=True,
    )
    page = response.content.decode()
    assert Case.objects.filter(practitioner=case.practitioner).count() == 2
    assert not RegistrationMatch.objects.exists()
    assert "already in the register, as practitioner" in page and "under another name" in page
    assert "Alexander Example" not in page and "Alex Example" not in page


def test_it_lets_an_adviser_who_sees_every_case_correct_the_identity(case, users, organisation):
    make_case(organisation, users["adviser"], case.practitioner, adviser=users["adviser"])
    response = signed_in(users["adviser"]).post(
        reverse("casework:identity_edit", args=[case.practitioner.pk]), corrected(full_name="Alex Exampel")
    )
    assert response.status_code == 302
    assert PractitionerIdentity.objects.get(practitioner=case.practitioner).full_name == "Alex Exampel"
