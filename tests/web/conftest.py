"""Users of every kind the authorisation rules know, and their organisations.

`owner` belongs to the organisation that owns the objects under test, `member` is another user of the
same organisation, `stranger` belongs to a different organisation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from concerns.web.portal import twofactor
from concerns.web.portal.models import Assignment, Membership, Organisation, Report, User
from concerns.web.portal.roles import Position, Role

PASSWORD = "correct horse battery staple"


def make_user(
    username: str,
    role: Role,
    organisation: Organisation | None = None,
    position: Position = Position.MEDICAL_DIRECTOR,
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, email=f"{username}@example.nhs.uk"
    )
    if organisation is not None and role == Role.ORGANISATION:
        Membership.objects.create(user=user, organisation=organisation, position=position)
    if organisation is not None and role == Role.ADVISER:
        Assignment.objects.create(adviser=user, organisation=organisation)
    return user


def make_report(
    organisation: Organisation | None,
    *,
    status: str = Report.Status.PUBLISHED,
    version: int = 1,
    **fields: Any,
) -> Report:
    now = timezone.now()
    fields = {"period": "2020/21 to 2024/25", "as_of": dt.date(2025, 6, 30), **fields}
    return Report.objects.create(
        organisation=organisation,
        kind=Report.Kind.ORGANISATION if organisation else Report.Kind.NATIONAL,
        version=version,
        fingerprint="sha256:" + "0" * 64,
        policy="standard",
        software_version="0.1.0",
        status=status,
        directory=f"reports/{organisation.code if organisation else 'national'}/v{version}",
        generated_at=now,
        published_at=now if status != Report.Status.DRAFT else None,
        **fields,
    )


@pytest.fixture
def organisation(db: None) -> Organisation:
    return Organisation.objects.create(code="X001", name="Example Hospitals NHS Trust", nation="england")


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    return Organisation.objects.create(code="X002", name="Other Valley Health Board", nation="wales")


@pytest.fixture
def users(organisation: Organisation, other_organisation: Organisation) -> dict[str, User]:
    """One user of each kind the authorisation matrix asks about."""
    return {
        "owner": make_user("owner", Role.ORGANISATION, organisation),
        "member": make_user("member", Role.ORGANISATION, organisation, Position.BOARD_MEMBER),
        "stranger": make_user("stranger", Role.ORGANISATION, other_organisation),
        "adviser": make_user("adviser", Role.ADVISER, organisation),
        "unassigned_adviser": make_user("unassigned", Role.ADVISER, other_organisation),
        "insights": make_user("insights", Role.INSIGHTS),
        "admin": make_user("admin", Role.ADMIN),
    }


def signed_in(user: User) -> Client:
    """A client signed in as `user`, past two-factor (tests of two-factor itself sign in for real).

    Users who need two-factor (staff, and organisation users who opted in) get a confirmed device, and the
    session is marked as verified with it the way `django_otp.login` does.
    """
    client = Client()
    client.force_login(user)
    if twofactor.requires_two_factor(user):
        device = twofactor.confirmed_device(user) or twofactor.create_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


# Transactional tests commit for real: the flush after them needs the append-only triggers off.
@pytest.fixture(scope="module")
def append_only(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    from tests.web.support import AppendOnlyTriggers  # support imports this module

    triggers = AppendOnlyTriggers()
    yield triggers
    with django_db_blocker.unblock():
        triggers.on()
