"""The demo casework: everything the register is for, once, and valid contract files from it."""

from __future__ import annotations

import datetime as dt

import pytest

from concerns.commands.extract import extract
from concerns.ingest import load as ingest
from concerns.web.casework import demo, lists
from concerns.web.casework.models import Assessment, Case, ChangeRecord, Exclusion, Hpan, SubjectAccessRequest
from concerns.web.portal.models import Assignment, Organisation, User
from concerns.web.portal.roles import Role

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 30)


@pytest.fixture
def portal():
    adviser = User.objects.create(username="demo-adviser-1", role=Role.ADVISER)
    User.objects.create(username="demo-insights", role=Role.INSIGHTS)
    for code, name, nation in (
        ("D01", "Demo Acute NHS Trust", "england"),
        ("D02", "Demo Health Board", "wales"),
        ("D03", "Demo Mental Health Trust", "england"),
    ):
        organisation = Organisation.objects.create(code=code, name=name, nation=nation)
        Assignment.objects.create(adviser=adviser, organisation=organisation)
    return adviser


def test_it_loads_demo_casework_once_with_everything_the_register_flags(portal):
    first = demo.load(TODAY)
    changes = ChangeRecord.objects.count()
    assert demo.load(TODAY) == first and ChangeRecord.objects.count() == changes
    insights = User.objects.get(username="demo-insights")
    overdue = {item.what for item in lists.overdue_items(insights, TODAY)}
    assert {"Exclusion review (formal)", "Subject access request"} <= overdue
    flags = [flag for exclusion in Exclusion.objects.all() for flag in exclusion.flags(TODAY)]
    assert "Review overdue" in flags and "7 renewals" in flags and "Beyond 6 months" in flags
    assert [a.waiting_for for a in Assessment.objects.filter(started_on__isnull=True)] == [
        ["the practitioner's agreement"]
    ]
    assert [alert.flags(TODAY) for alert in Hpan.objects.all()] == [["Review due soon"]]
    requests = SubjectAccessRequest.objects.all()
    assert sorted(request.is_overdue(TODAY) for request in requests) == [False, True]
    assert set(Case.objects.values_list("organisation__code", flat=True)) == {"D01", "D02", "D03"}
    assert lists.exclusions_due_for_review(portal, TODAY)


def test_it_extracts_the_demo_casework_as_valid_contract_files(portal, tmp_path):
    demo.load(TODAY)
    extract(tmp_path)
    ingested = ingest(tmp_path, today=TODAY)
    assert ingested.rejects.is_empty() and ingested.cases.height == Case.objects.count()
