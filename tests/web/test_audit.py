"""The audit log page: insights team and administrators; newest first, filters, paging; read-only."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import URLResolver, get_resolver, reverse

from concerns.web.portal.audit import Action, record
from concerns.web.portal.models import AuditEvent
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db
ROLES = ["owner", "member", "stranger", "adviser", "unassigned_adviser", "insights", "admin"]


def event_ids(response) -> list[int]:
    """The object ids shown in the log's table, top to bottom (each test event targets a numbered object)."""
    return [int(found) for found in re.findall(r"Marker (\d+)", response.content.decode())]


class Marker:
    def __init__(self, pk: int) -> None:
        self.pk = pk


def add_event(
    action: str,
    *,
    actor=None,
    organisation=None,
    at: dt.datetime | None = None,
    pk: int = 0,
) -> AuditEvent:
    """An event recorded now, or with the clock stopped at `at`."""
    with time_machine.travel(at, tick=False) if at is not None else contextlib.nullcontext():
        return record(None, action, actor=actor, target=Marker(pk), organisation=organisation)


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_log_to_the_insights_team_and_administrators_only(users, role):
    expected = 200 if role in ("insights", "admin") else 404
    assert signed_in(users[role]).get(reverse("audit")).status_code == expected


def test_it_sends_anonymous_users_to_sign_in(db):
    response = Client().get(reverse("audit"))
    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next=/audit/"


def test_it_lists_events_newest_first_with_who_what_and_where(users):
    client = signed_in(users["insights"])
    for pk in (1, 2, 3):
        add_event(Action.REPORT_VIEWED, actor=users["owner"], pk=pk)
    response = client.get(reverse("audit"), {"action": Action.REPORT_VIEWED})
    assert event_ids(response) == [3, 2, 1]
    page = response.content.decode()
    assert "owner" in page and Action.REPORT_VIEWED in page


def test_it_shows_the_address_and_detail_of_an_event(users):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    request.user = users["admin"]
    record(
        request,
        Action.ROLE_CHANGED,
        target=Marker(5),
        subject="owner",
        old_role="organisation",
        new_role="insights",
    )
    page = signed_in(users["admin"]).get(reverse("audit"), {"action": Action.ROLE_CHANGED}).content.decode()
    assert "203.0.113.9" in page
    assert "new role: insights; old role: organisation; subject: owner" in page


def test_it_filters_by_action_user_organisation_and_dates(users, organisation, other_organisation):
    day = dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC)
    add_event(
        Action.REPORT_VIEWED,
        actor=users["owner"],
        organisation=organisation,
        at=day,
        pk=1,
    )
    add_event(
        Action.REPORT_DOWNLOADED,
        actor=users["owner"],
        organisation=organisation,
        at=day + dt.timedelta(days=1),
        pk=2,
    )
    add_event(
        Action.REPORT_VIEWED,
        actor=users["stranger"],
        organisation=other_organisation,
        at=day + dt.timedelta(days=2),
        pk=3,
    )
    client = signed_in(users["insights"])
    base = {"date_from": "2025-03-01", "date_to": "2025-03-31"}
    assert event_ids(client.get(reverse("audit"), base)) == [3, 2, 1]
    assert event_ids(client.get(reverse("audit"), {**base, "action": Action.REPORT_VIEWED})) == [3, 1]
    assert event_ids(client.get(reverse("audit"), {**base, "user": "OWNER"})) == [2, 1]
    assert event_ids(client.get(reverse("audit"), {**base, "organisation": other_organisation.pk})) == [3]
    assert event_ids(client.get(reverse("audit"), {"date_from": "2025-03-11", "date_to": "2025-03-11"})) == [
        2
    ]


def test_it_explains_a_date_range_that_ends_before_it_starts(users):
    response = signed_in(users["insights"]).get(
        reverse("audit"), {"date_from": "2025-03-11", "date_to": "2025-03-01"}
    )
    assert response.status_code == 200
    assert "The end date must be on or after the start date" in response.content.decode()


def test_it_pages_the_log(users):
    for pk in range(1, 61):
        add_event(Action.REPORT_VIEWED, actor=users["owner"], pk=pk)
    client = signed_in(users["admin"])
    first = client.get(reverse("audit"), {"action": Action.REPORT_VIEWED})
    second = client.get(reverse("audit"), {"action": Action.REPORT_VIEWED, "page": 2})
    assert event_ids(first) == list(range(60, 10, -1))
    assert event_ids(second) == list(range(10, 0, -1))
    assert "page=2" in first.content.decode() and "action=report-viewed" in first.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_changes_nothing_whatever_is_sent_to_it(users, method):
    event = add_event(Action.REPORT_VIEWED, actor=users["owner"], pk=1)
    clients = [signed_in(users[role]) for role in ("insights", "admin")]
    before = list(AuditEvent.objects.values_list("id", "action", "actor_name", "detail"))
    for client in clients:
        response = getattr(client, method)(reverse("audit"), {"id": event.pk, "action": "x"})
        assert response.status_code == 405
    assert list(AuditEvent.objects.values_list("id", "action", "actor_name", "detail")) == before


def all_routes(patterns: list, prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes += all_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            routes.append(prefix + str(pattern.pattern))
    return routes


def test_it_has_no_route_that_edits_or_deletes_the_log():
    assert [route for route in all_routes(get_resolver().url_patterns) if "audit" in route] == ["audit/"]
