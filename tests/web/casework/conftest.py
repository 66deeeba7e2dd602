"""Casework records for tests: a practitioner and a case at the `organisation` of tests/web/conftest.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from concerns.web.casework.models import Case, Practitioner, PractitionerIdentity
from concerns.web.portal.models import Organisation, User

CASE_DEFAULTS: dict[str, Any] = {
    "opened_on": dt.date(2024, 5, 1),
    "profession": "doctor",
    "grade": "consultant",
    "specialty": "Cardiology",
    "sex": "female",
    "age_band": "45_54",
    "ethnicity": "A",
    "pmq": "uk",
    "concerns": ["clinical"],
}


def make_practitioner(
    by: User, name: str = "Alex Example", number: str = "7000001", body: str = "GMC"
) -> Practitioner:
    practitioner = Practitioner()
    practitioner.save(by=by)
    PractitionerIdentity(
        practitioner=practitioner, full_name=name, registration_body=body, registration_number=number
    ).save(by=by)
    return practitioner


def make_case(
    organisation: Organisation, by: User, practitioner: Practitioner | None = None, **fields: Any
) -> Case:
    case = Case(
        organisation=organisation,
        practitioner=practitioner or make_practitioner(by),
        **{**CASE_DEFAULTS, **fields},
    )
    case.save(by=by)
    return case


@pytest.fixture
def case(users: dict[str, User], organisation: Organisation) -> Case:
    """A case of the owner's organisation, advised by the assigned adviser."""
    return make_case(organisation, users["adviser"], adviser=users["adviser"])
