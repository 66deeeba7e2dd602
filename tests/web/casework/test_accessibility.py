"""The register's pages in Chromium: axe-core finds no violation (demo casework, every kind of page)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerns.web.casework import demo, sar
from concerns.web.casework.models import Case, Exclusion, Hpan, RegistrationMatch, SubjectAccessRequest
from concerns.web.portal.models import Assignment
from tests.web.browser import require_browser_tools, violations_in
from tests.web.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


class BrokenTypesetter:
    def compile(self, **_: object) -> bytes:
        raise RuntimeError("font not found")


def _pages(users, organisation, other_organisation, monkeypatch) -> dict[str, str]:
    demo.load()
    for case in Case.objects.all():  # the fixture's adviser advises every demo case
        case.adviser = users["adviser"]
        case.save(by=users["insights"])
    Assignment.objects.get_or_create(adviser=users["adviser"], organisation=other_organisation)
    insights, adviser = signed_in(users["insights"]), signed_in(users["adviser"])
    case = Case.objects.filter(exclusions__isnull=False).first()
    check = RegistrationMatch(
        case=Case.objects.exclude(practitioner=case.practitioner).first(),
        full_name="Dr Typed Name",
        registration_body="GMC",
        registration_number="9912345",
    )
    check.save(by=users["adviser"])
    gets = {
        "registration checks": (insights, reverse("casework:checks")),
        "registration check": (insights, reverse("casework:check", args=[check.pk])),
        "home (adviser)": (adviser, reverse("casework:home")),
        "home (insights)": (insights, reverse("casework:home")),
        "cases": (adviser, reverse("casework:cases")),
        "measures": (insights, reverse("casework:measures")),
        "case form": (adviser, reverse("casework:case_new")),
        "practitioner": (adviser, reverse("casework:practitioner", args=[case.practitioner.pk])),
        "identity": (adviser, reverse("casework:identity", args=[case.practitioner.pk])),
        "identity form": (adviser, reverse("casework:identity_edit", args=[case.practitioner.pk])),
        "hpan form": (adviser, reverse("casework:record_edit", args=["hpan", Hpan.objects.first().pk])),
        "exclusion form": (
            adviser,
            reverse("casework:record_edit", args=["exclusion", Exclusion.objects.first().pk]),
        ),
        "sars": (insights, reverse("casework:sars")),
        "sar form": (insights, reverse("casework:sar_new")),
        **{
            f"case {c.reference}": (adviser, reverse("casework:case", args=[c.pk]))
            for c in Case.objects.all()
        },
        **{
            f"sar {s.pk}": (insights, reverse("casework:sar", args=[s.pk]))
            for s in SubjectAccessRequest.objects.all()
        },
    }
    pages = {name: client.get(url) for name, (client, url) in gets.items()}
    pages["case form with errors"] = adviser.post(reverse("casework:case_new"), {"case-opened_on": "soon"})
    pages["assessment form with errors"] = adviser.post(
        reverse("casework:record_new", args=["assessment", case.pk]),
        {"kind": "clinical", "status": "started", "requested_on": "2025-01-01", "started_on": "2025-02-01"},
    )
    pages["sar form with errors"] = insights.post(reverse("casework:sar_new"), {})
    pages["registration check with errors"] = insights.post(
        reverse("casework:check", args=[check.pk]), {"status": "different"}
    )
    pages["identity form with errors"] = adviser.post(
        reverse("casework:identity_edit", args=[case.practitioner.pk]), {"registration_body": "GMC"}
    )
    monkeypatch.setattr(sar, "_compiler", lambda: BrokenTypesetter())
    pages["pdf pack failure"] = insights.get(
        reverse("casework:sar_pack", args=[SubjectAccessRequest.objects.first().pk, "pdf"])
    )
    for name, response in pages.items():
        assert response.status_code == (503 if name == "pdf pack failure" else 200), name
    return {name: response.content.decode() for name, response in pages.items()}


def test_it_has_no_accessibility_violations_on_any_casework_page(
    users, organisation, other_organisation, monkeypatch
):
    require_browser_tools()
    pages = _pages(users, organisation, other_organisation, monkeypatch)
    assert len(pages) > 20
    assert violations_in(pages) == {}
