from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from concerns.web.portal.audit import Action
from concerns.web.portal.models import AuditEvent, ReportRequest
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_made(users):
    return ReportRequest.objects.create(requested_by=users["owner"], organisation_name="Newtown Community Trust",
                                        organisation_code="RZZ", reason="We merged with them in April.")


@pytest.mark.parametrize(("who", "expected"), [
    ("owner", 200), ("member", 200), ("stranger", 200), ("adviser", 404), ("unassigned_adviser", 404),
    ("insights", 200), ("admin", 404), ("anonymous", 302),
])
def test_it_opens_requests_to_organisation_users_and_insights(users, who, expected):
    client = Client() if who == "anonymous" else signed_in(users[who])
    assert client.get(reverse("report_requests")).status_code == expected


def test_it_records_an_organisation_users_request(users):
    response = signed_in(users["owner"]).post(reverse("report_requests"), {
        "organisation_name": "Newtown Community Trust", "organisation_code": "", "reason": "Merger"})
    made = ReportRequest.objects.get()
    assert response.status_code == 302
    assert (made.requested_by, made.organisation_name, made.status) == (users["owner"], "Newtown Community Trust",
                                                                        ReportRequest.Status.OPEN)
    assert AuditEvent.objects.filter(action=Action.REPORT_REQUESTED, actor=users["owner"]).count() == 1


def test_it_shows_errors_for_a_request_without_a_reason(users):
    response = signed_in(users["owner"]).post(reverse("report_requests"), {"organisation_name": "Newtown"})
    assert response.status_code == 400
    assert 'href="#id_reason"' in response.content.decode()
    assert not ReportRequest.objects.exists()


def test_it_shows_requests_only_to_their_requester_and_insights(request_made, users):
    assert "Newtown Community Trust" in signed_in(users["owner"]).get(reverse("report_requests")).content.decode()
    assert "Newtown Community Trust" not in signed_in(users["member"]).get(reverse("report_requests")).content.decode()
    assert "Newtown Community Trust" in signed_in(users["insights"]).get(reverse("report_requests")).content.decode()


@pytest.mark.parametrize("decision", ["accepted", "declined"])
def test_it_lets_insights_accept_or_decline(request_made, users, decision):
    signed_in(users["insights"]).post(reverse("report_request_decide", args=[request_made.pk]),
                                      {"decision": decision, "response": "Thanks"})
    request_made.refresh_from_db()
    assert (request_made.status, request_made.decided_by, request_made.response) == (decision, users["insights"],
                                                                                     "Thanks")
    assert AuditEvent.objects.filter(action="report-request-decided", object_id=str(request_made.pk)).exists()
    assert "Thanks" in signed_in(users["owner"]).get(reverse("report_requests")).content.decode()


@pytest.mark.parametrize("who", ["owner", "member", "adviser", "admin"])
def test_it_refuses_decisions_to_everyone_but_insights(request_made, users, who):
    response = signed_in(users[who]).post(reverse("report_request_decide", args=[request_made.pk]),
                                          {"decision": "accepted"})
    request_made.refresh_from_db()
    assert response.status_code == 404 and request_made.status == ReportRequest.Status.OPEN
