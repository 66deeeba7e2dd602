from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from concerns.web.portal.audit import Action
from concerns.web.portal.models import AuditEvent, Organisation, ReportRequest
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_made(users):
    return ReportRequest.objects.create(
        requested_by=users["owner"],
        organisation_name="Newtown Community Trust",
        organisation_code="RZZ",
        reason="We merged with them in April.",
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("member", 200),
        ("stranger", 200),
        ("adviser", 404),
        ("unassigned_adviser", 404),
        ("insights", 200),
        ("admin", 404),
        ("anonymous", 302),
    ],
)
def test_it_opens_requests_to_organisation_users_and_insights(users, who, expected):
    client = Client() if who == "anonymous" else signed_in(users[who])
    assert client.get(reverse("report_requests")).status_code == expected


def test_it_records_an_organisation_users_request(users):
    response = signed_in(users["owner"]).post(
        reverse("report_requests"),
        {"organisation_name": "Newtown Community Trust", "organisation_code": "", "reason": "Merger"},
    )
    made = ReportRequest.objects.get()
    assert response.status_code == 302
    assert (made.requested_by, made.organisation_name, made.status) == (
        users["owner"],
        "Newtown Community Trust",
        ReportRequest.Status.OPEN,
    )
    assert AuditEvent.objects.filter(action=Action.REPORT_REQUESTED, actor=users["owner"]).count() == 1


def test_it_shows_errors_for_a_request_without_a_reason(users):
    response = signed_in(users["owner"]).post(reverse("report_requests"), {"organisation_name": "Newtown"})
    assert response.status_code == 400
    assert 'href="#id_reason"' in response.content.decode()
    assert not ReportRequest.objects.exists()


def test_it_shows_requests_only_to_their_requester_and_insights(request_made, users):
    assert (
        "Newtown Community Trust"
        in signed_in(users["owner"]).get(reverse("report_requests")).content.decode()
    )
    assert (
        "Newtown Community Trust"
        not in signed_in(users["member"]).get(reverse("report_requests")).content.decode()
    )
    assert (
        "Newtown Community Trust"
        in signed_in(users["insights"]).get(reverse("report_requests")).content.decode()
    )


@pytest.mark.parametrize("decision", ["accepted", "declined"])
def test_it_lets_insights_accept_or_decline(request_made, users, decision):
    signed_in(users["insights"]).post(
        reverse("report_request_decide", args=[request_made.pk]), {"decision": decision, "response": "Thanks"}
    )
    request_made.refresh_from_db()
    assert (request_made.status, request_made.decided_by, request_made.response) == (
        decision,
        users["insights"],
        "Thanks",
    )
    assert AuditEvent.objects.filter(
        action=Action.REPORT_REQUEST_DECIDED, object_id=str(request_made.pk)
    ).exists()
    assert "Thanks" in signed_in(users["owner"]).get(reverse("report_requests")).content.decode()


@pytest.mark.parametrize("who", ["owner", "member", "adviser", "admin"])
def test_it_refuses_decisions_to_everyone_but_insights(request_made, users, who):
    response = signed_in(users[who]).post(
        reverse("report_request_decide", args=[request_made.pk]), {"decision": "accepted"}
    )
    request_made.refresh_from_db()
    assert response.status_code == 404 and request_made.status == ReportRequest.Status.OPEN


# --- accepting a request for an organisation not yet known ------------------------------------------


def _decide(users, request_made, **data):
    return signed_in(users["insights"]).post(
        reverse("report_request_decide", args=[request_made.pk]),
        {"decision": "accepted", "response": "Yes", **data},
    )


def test_it_offers_to_add_an_unknown_organisation_when_accepting(request_made, users):
    page = signed_in(users["insights"]).get(reverse("report_requests")).content.decode()
    assert "Newtown Community Trust is not in the list of organisations yet" in page
    assert f'id="id_request-{request_made.pk}-organisation-code"' in page
    assert 'name="organisation-code"' in page and 'value="RZZ"' in page


def test_it_adds_the_organisation_as_served_when_accepting(request_made, users):
    response = _decide(
        users,
        request_made,
        create_organisation="on",
        **{
            "organisation-code": "rzz ",
            "organisation-name": "Newtown Community Trust",
            "organisation-nation": "wales",
        },
    )
    created = Organisation.objects.get(code="RZZ")
    request_made.refresh_from_db()
    assert response.status_code == 302 and request_made.status == ReportRequest.Status.ACCEPTED
    assert (created.name, created.nation, created.served) == ("Newtown Community Trust", "wales", True)
    event = AuditEvent.objects.get(action=Action.ORGANISATION_CREATED)
    assert (event.actor, event.organisation, event.detail["report_request"]) == (
        users["insights"],
        created,
        request_made.pk,
    )
    decided = AuditEvent.objects.get(action=Action.REPORT_REQUEST_DECIDED)
    assert (decided.organisation, decided.detail["organisation_created"]) == (created, "RZZ")


def test_it_needs_a_code_to_add_the_organisation(request_made, users):
    response = _decide(
        users,
        request_made,
        create_organisation="on",
        response="Soon",
        **{
            "organisation-code": "",
            "organisation-name": "Newtown Community Trust",
            "organisation-nation": "england",
        },
    )
    request_made.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 400
    assert f'href="#id_request-{request_made.pk}-organisation-code"' in page
    assert ">Soon</textarea>" in page
    assert request_made.status == ReportRequest.Status.OPEN
    assert not Organisation.objects.filter(name="Newtown Community Trust").exists()
    assert not AuditEvent.objects.filter(
        action__in=[Action.ORGANISATION_CREATED, Action.REPORT_REQUEST_DECIDED]
    ).exists()


def test_it_refuses_a_code_already_in_use(request_made, users, organisation):
    response = _decide(
        users,
        request_made,
        create_organisation="on",
        **{
            "organisation-code": organisation.code.lower(),
            "organisation-name": "Newtown",
            "organisation-nation": "england",
        },
    )
    request_made.refresh_from_db()
    assert response.status_code == 400 and request_made.status == ReportRequest.Status.OPEN
    assert Organisation.objects.filter(code=organisation.code).count() == 1


@pytest.mark.parametrize("data", [{"decision": "declined"}, {}])
def test_it_adds_no_organisation_unless_asked_on_accepting(request_made, users, data):
    fields = {"organisation-code": "RZZ", "organisation-name": "Newtown", "organisation-nation": "england"}
    if data:
        fields["create_organisation"] = "on"
    _decide(users, request_made, **fields, **data)
    request_made.refresh_from_db()
    assert request_made.status != ReportRequest.Status.OPEN
    assert not Organisation.objects.filter(code="RZZ").exists()


def test_it_says_when_the_organisation_is_already_known(request_made, users, organisation):
    ReportRequest.objects.filter(pk=request_made.pk).update(organisation_code=organisation.code.lower())
    page = signed_in(users["insights"]).get(reverse("report_requests")).content.decode()
    assert f"({organisation.code}) is already in the list of organisations" in page
    assert "not in the list of organisations yet" not in page
