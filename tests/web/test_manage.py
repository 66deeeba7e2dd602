"""Administration: only administrators reach it; every role, membership and assignment change is audited."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from concerns.web.portal import twofactor
from concerns.web.portal.audit import Action
from concerns.web.portal.models import Assignment, AuditEvent, Membership, Organisation, User
from concerns.web.portal.roles import Position, Role
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db
ROLES = ["owner", "member", "stranger", "adviser", "unassigned_adviser", "insights", "admin"]
ADMIN_ADDRESS = "198.51.100.7"


def page_urls(users, organisation) -> list[str]:
    return [
        reverse("users"),
        reverse("user_create"),
        reverse("user_detail", args=[users["owner"].pk]),
        *organisation_urls(organisation),
    ]


def organisation_urls(organisation) -> list[str]:
    """Kept by administrators and the insights team."""
    return [
        reverse("organisations"),
        reverse("organisation_create"),
        reverse("organisation_edit", args=[organisation.pk]),
    ]


def expected_status(role: str, url: str, organisation) -> int:
    keepers = {"admin", "insights"} if url in organisation_urls(organisation) else {"admin"}
    return 200 if role in keepers else 404


def change_urls(users, organisation) -> list[tuple[str, dict[str, object]]]:
    owner, adviser = users["owner"], users["adviser"]
    membership = owner.memberships.get()
    assignment = adviser.assignments.get()
    return [
        (reverse("user_create"), {"username": "intruder", "email": "i@example.nhs.uk", "role": Role.ADMIN}),
        (
            reverse("user_detail", args=[owner.pk]),
            {"first_name": "", "last_name": "", "email": "o@x.nhs.uk", "role": Role.ADMIN, "is_active": "on"},
        ),
        (reverse("user_two_factor_reset", args=[owner.pk]), {}),
        (
            reverse("membership_add", args=[owner.pk]),
            {"membership-organisation": organisation.pk, "membership-position": Position.OTHER},
        ),
        (reverse("membership_remove", args=[owner.pk, membership.pk]), {}),
        (reverse("assignment_add", args=[adviser.pk]), {"assignment-organisation": organisation.pk}),
        (reverse("assignment_remove", args=[adviser.pk, assignment.pk]), {}),
        (reverse("organisation_create"), {"code": "Z9", "name": "Intruder", "nation": "england"}),
        (
            reverse("organisation_edit", args=[organisation.pk]),
            {"code": "X001", "name": "Renamed", "nation": "england"},
        ),
    ]


def admin_client(users) -> Client:
    client = signed_in(users["admin"])
    client.defaults["REMOTE_ADDR"] = ADMIN_ADDRESS
    return client


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_administration_to_administrators_only(users, organisation, role):
    client = signed_in(users[role])
    assert {url: client.get(url).status_code for url in page_urls(users, organisation)} == {
        url: expected_status(role, url, organisation) for url in page_urls(users, organisation)
    }


def test_it_sends_anonymous_users_to_sign_in_from_administration(users, organisation):
    for url in page_urls(users, organisation):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("role", [role for role in ROLES if role != "admin"])
def test_it_refuses_every_change_from_anyone_but_administrators(users, organisation, role):
    client = signed_in(users[role])
    before = (
        User.objects.count(),
        Membership.objects.count(),
        Assignment.objects.count(),
        Organisation.objects.count(),
        TOTPDevice.objects.count(),
        users["owner"].role,
    )
    for url, data in change_urls(users, organisation):
        if role == "insights" and url in organisation_urls(organisation):
            continue  # theirs to change: see test_it_lets_the_insights_team_keep_organisations
        assert client.post(url, data).status_code == 404, url
    after = (
        User.objects.count(),
        Membership.objects.count(),
        Assignment.objects.count(),
        Organisation.objects.count(),
        TOTPDevice.objects.count(),
        User.objects.get(username="owner").role,
    )
    assert after == before
    assert Organisation.objects.get(pk=organisation.pk).name == "Example Hospitals NHS Trust"


def test_it_lets_the_insights_team_keep_organisations(users, organisation):
    client = signed_in(users["insights"])
    response = client.post(
        reverse("organisation_create"),
        {"code": "Z9", "name": "Newtown Trust", "nation": "england", "served": "on"},
    )
    assert response.status_code == 302
    created = Organisation.objects.get(code="Z9")
    assert created.name == "Newtown Trust"
    assert AuditEvent.objects.filter(
        action=Action.ORGANISATION_CREATED, actor=users["insights"], object_id=str(created.pk)
    ).exists()


def test_it_refuses_every_change_from_anonymous_users(users, organisation):
    for url, data in change_urls(users, organisation):
        response = Client().post(url, data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert User.objects.get(username="owner").role == Role.ORGANISATION


def test_it_lists_users_with_their_roles_and_organisations(users):
    page = admin_client(users).get(reverse("users")).content.decode()
    for person in users.values():
        assert reverse("user_detail", args=[person.pk]) in page
    assert "X001 (Medical director)" in page and "X002 (link adviser)" in page


def test_it_creates_a_user_who_is_emailed_a_link_to_choose_a_password(users):
    response = admin_client(users).post(
        reverse("user_create"),
        {
            "username": "newboard",
            "first_name": "Ada",
            "last_name": "Board",
            "email": "ada@example.nhs.uk",
            "role": Role.ORGANISATION,
        },
    )
    person = User.objects.get(username="newboard")
    assert response.status_code == 302 and response["Location"] == reverse("user_detail", args=[person.pk])
    assert person.role == Role.ORGANISATION and person.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["ada@example.nhs.uk"] and "/password-reset/" in message.body
    [event] = AuditEvent.objects.filter(action=Action.USER_CREATED)
    assert (event.actor_name, event.ip, event.detail) == (
        "admin",
        ADMIN_ADDRESS,
        {"subject": "newboard", "role": "organisation"},
    )


def test_it_refuses_a_second_user_with_the_same_email(users):
    response = admin_client(users).post(
        reverse("user_create"),
        {"username": "copy", "email": "OWNER@example.nhs.uk", "role": Role.ORGANISATION},
    )
    assert response.status_code == 200 and "Another user has this email address" in response.content.decode()
    assert not User.objects.filter(username="copy").exists()


def edit(users, person: User, **changes: object):
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "role": person.role,
        "is_active": "on" if person.is_active else "",
        **changes,
    }
    return admin_client(users).post(reverse("user_detail", args=[person.pk]), data)


def test_it_audits_a_role_change_and_drops_memberships_the_new_role_cannot_have(users, organisation):
    owner = users["owner"]
    response = edit(users, owner, role=Role.INSIGHTS)
    assert response.status_code == 302
    assert User.objects.get(pk=owner.pk).role == Role.INSIGHTS
    assert not Membership.objects.filter(user=owner).exists()
    [changed] = AuditEvent.objects.filter(action=Action.ROLE_CHANGED)
    assert (changed.actor_name, changed.ip, changed.object_id) == ("admin", ADMIN_ADDRESS, str(owner.pk))
    assert changed.detail == {"subject": "owner", "old_role": "organisation", "new_role": "insights"}
    [removed] = AuditEvent.objects.filter(action=Action.MEMBERSHIP_REMOVED)
    assert (removed.organisation_id, removed.detail["subject"], removed.detail["reason"]) == (
        organisation.pk,
        "owner",
        "role changed",
    )


def test_it_makes_a_user_given_a_staff_role_enrol_two_factor_again(users):
    owner = users["owner"]
    twofactor.create_device(owner)  # they had opted in as an organisation user
    their_client = signed_in(owner)
    edit(users, owner, role=Role.ADVISER)
    assert not TOTPDevice.objects.filter(user=owner).exists()
    response = their_client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor"))
    [reset] = AuditEvent.objects.filter(action=Action.TWO_FACTOR_RESET)
    assert reset.detail == {"subject": "owner", "devices_removed": 1, "reason": "staff role"}


def test_it_makes_staff_moved_between_staff_roles_enrol_again(users):
    adviser = users["adviser"]
    client = signed_in(adviser)
    edit(users, adviser, role=Role.INSIGHTS)
    assert not TOTPDevice.objects.filter(user=adviser).exists()
    assert not Assignment.objects.filter(adviser=adviser).exists()
    assert client.get(reverse("audit"))["Location"].startswith(reverse("two_factor"))


def test_it_audits_deactivating_a_user(users):
    edit(users, users["member"], is_active="")
    assert not User.objects.get(pk=users["member"].pk).is_active
    [event] = AuditEvent.objects.filter(action=Action.USER_CHANGED)
    assert event.detail["changes"] == {"is_active": {"from": True, "to": False}}


def test_it_does_not_let_administrators_demote_or_deactivate_themselves(users):
    admin = users["admin"]
    demoted = edit(users, admin, role=Role.INSIGHTS)
    deactivated = edit(users, admin, is_active="")
    assert demoted.status_code == deactivated.status_code == 200
    assert "You cannot remove your own administrator role" in demoted.content.decode()
    assert User.objects.get(pk=admin.pk).role == Role.ADMIN and User.objects.get(pk=admin.pk).is_active
    assert not AuditEvent.objects.filter(action__in=[Action.ROLE_CHANGED, Action.USER_CHANGED]).exists()


def test_it_adds_and_removes_a_membership_with_its_position_and_audits_both(users, other_organisation):
    member, client = users["member"], admin_client(users)
    client.post(
        reverse("membership_add", args=[member.pk]),
        {"membership-organisation": other_organisation.pk, "membership-position": Position.HR_DIRECTOR},
    )
    membership = Membership.objects.get(user=member, organisation=other_organisation)
    assert membership.position == Position.HR_DIRECTOR
    client.post(reverse("membership_remove", args=[member.pk, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    added, removed = (
        AuditEvent.objects.get(action=action)
        for action in (Action.MEMBERSHIP_ADDED, Action.MEMBERSHIP_REMOVED)
    )
    for event in (added, removed):
        assert (event.actor_name, event.ip, event.organisation_id) == (
            "admin",
            ADMIN_ADDRESS,
            other_organisation.pk,
        )
        assert event.detail["position"] == "hr_director" and event.detail["subject"] == "member"


def test_it_refuses_a_duplicate_membership(users, organisation):
    response = admin_client(users).post(
        reverse("membership_add", args=[users["owner"].pk]),
        {"membership-organisation": organisation.pk, "membership-position": Position.OTHER},
    )
    assert response.status_code == 200 and "already a member" in response.content.decode()
    assert Membership.objects.filter(user=users["owner"]).count() == 1


def test_it_gives_memberships_to_organisation_users_only(users, organisation):
    response = admin_client(users).post(
        reverse("membership_add", args=[users["insights"].pk]),
        {"membership-organisation": organisation.pk, "membership-position": Position.OTHER},
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(user=users["insights"]).exists()


def test_it_does_not_remove_another_users_membership_through_this_user(users):
    stranger_membership = users["stranger"].memberships.get()
    response = admin_client(users).post(
        reverse("membership_remove", args=[users["owner"].pk, stranger_membership.pk])
    )
    assert response.status_code == 404 and Membership.objects.filter(pk=stranger_membership.pk).exists()


def test_it_assigns_and_unassigns_an_adviser_and_audits_both(users, other_organisation):
    adviser, client = users["adviser"], admin_client(users)
    client.post(
        reverse("assignment_add", args=[adviser.pk]), {"assignment-organisation": other_organisation.pk}
    )
    assignment = Assignment.objects.get(adviser=adviser, organisation=other_organisation)
    client.post(reverse("assignment_remove", args=[adviser.pk, assignment.pk]))
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    changes = AuditEvent.objects.filter(action=Action.ASSIGNMENT_CHANGED).order_by("id")
    assert [(event.detail["change"], event.organisation_id, event.ip) for event in changes] == [
        ("added", other_organisation.pk, ADMIN_ADDRESS),
        ("removed", other_organisation.pk, ADMIN_ADDRESS),
    ]


def test_it_assigns_organisations_to_advisers_only(users, organisation):
    response = admin_client(users).post(
        reverse("assignment_add", args=[users["owner"].pk]), {"assignment-organisation": organisation.pk}
    )
    assert response.status_code == 404


def test_it_resets_a_users_two_factor_and_audits_it(users):
    twofactor.create_device(users["insights"])
    response = admin_client(users).post(reverse("user_two_factor_reset", args=[users["insights"].pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=users["insights"]).exists()
    assert AuditEvent.objects.get(action=Action.TWO_FACTOR_RESET).detail["reason"] == "administrator"


def test_it_creates_and_edits_organisations_and_audits_both(users):
    client = admin_client(users)
    response = client.post(
        reverse("organisation_create"),
        {"code": "ry9", "name": "New Trust", "nation": "northern_ireland", "served": ""},
    )
    assert response.status_code == 302
    created = Organisation.objects.get(code="RY9")
    assert (created.name, created.nation, created.served) == ("New Trust", "northern_ireland", False)
    client.post(
        reverse("organisation_edit", args=[created.pk]),
        {"code": "RY9", "name": "New Trust", "nation": "northern_ireland", "served": "on"},
    )
    assert Organisation.objects.get(pk=created.pk).served
    made = AuditEvent.objects.get(action=Action.ORGANISATION_CREATED)
    changed = AuditEvent.objects.get(action=Action.ORGANISATION_CHANGED)
    assert made.organisation_id == changed.organisation_id == created.pk
    assert changed.detail == {"changes": {"served": {"from": False, "to": True}}}


def test_it_lists_organisations_with_their_people(users, organisation):
    page = admin_client(users).get(reverse("organisations")).content.decode()
    assert organisation.name in page and "X002" in page
    detail = admin_client(users).get(reverse("organisation_edit", args=[organisation.pk])).content.decode()
    assert "owner" in detail and "member" in detail and "adviser" in detail


def test_it_refuses_a_duplicate_organisation_code(users, organisation):
    response = admin_client(users).post(
        reverse("organisation_create"), {"code": "x001", "name": "Copy", "nation": "england"}
    )
    assert response.status_code == 200 and Organisation.objects.filter(code="X001").count() == 1
