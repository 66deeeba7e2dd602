from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerns.web.portal.audit import Action
from concerns.web.portal.models import AgreedAction, AuditEvent, Discussion, Report
from tests.web.conftest import make_report, signed_in

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def report(organisation):
    return make_report(organisation)


@pytest.fixture
def discussion(report, users):
    discussion = Discussion.objects.create(
        report=report,
        held_on=TODAY - dt.timedelta(days=20),
        attendee_roles="Medical director",
        recorded_by=users["adviser"],
    )
    AgreedAction.objects.create(
        discussion=discussion,
        description="Review referral forms",
        owner="HR director",
        due_on=TODAY - dt.timedelta(days=1),
    )
    AgreedAction.objects.create(
        discussion=discussion,
        description="Take the report to the board",
        owner="Medical director",
        due_on=TODAY + dt.timedelta(days=30),
    )
    return discussion


def _form(**overrides):
    data = {
        "held_on": (TODAY - dt.timedelta(days=2)).isoformat(),
        "attendee_roles": "Medical director\nHR director",
        "notes": "Talked it through.",
        "action-0-description": "Audit ethnicity recording",
        "action-0-owner": "HR director",
        "action-0-due_on": (TODAY + dt.timedelta(days=40)).isoformat(),
    }
    return data | overrides


def _client(users, who):
    return Client() if who == "anonymous" else signed_in(users[who])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 404),
        ("member", 404),
        ("stranger", 404),
        ("adviser", 200),
        ("unassigned_adviser", 404),
        ("insights", 200),
        ("admin", 404),
        ("anonymous", 302),
    ],
)
def test_it_lets_assigned_advisers_and_insights_open_the_discussion_form(report, users, who, expected):
    assert _client(users, who).get(reverse("discussion_new", args=[report.pk])).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("member", 200),
        ("stranger", 404),
        ("adviser", 200),
        ("unassigned_adviser", 404),
        ("insights", 200),
        ("admin", 404),
        ("anonymous", 302),
    ],
)
def test_it_shows_a_discussion_within_scope(discussion, users, who, expected):
    assert _client(users, who).get(reverse("discussion", args=[discussion.pk])).status_code == expected


def test_it_records_a_discussion_with_its_agreed_actions(report, users, organisation):
    response = signed_in(users["adviser"]).post(reverse("discussion_new", args=[report.pk]), _form())
    discussion = Discussion.objects.get()
    assert response["Location"] == reverse("discussion", args=[discussion.pk])
    assert (discussion.report, discussion.recorded_by, discussion.attendee_roles) == (
        report,
        users["adviser"],
        "Medical director\nHR director",
    )
    assert [(a.description, a.owner, a.due_on) for a in discussion.actions.all()] == [
        ("Audit ethnicity recording", "HR director", TODAY + dt.timedelta(days=40))
    ]
    event = AuditEvent.objects.get(action=Action.DISCUSSION_RECORDED)
    assert (event.actor, event.organisation, event.detail["actions"]) == (users["adviser"], organisation, 1)


def test_it_refuses_organisation_users_and_unassigned_advisers_recording(report, users):
    for who in ("owner", "unassigned_adviser"):
        assert (
            signed_in(users[who]).post(reverse("discussion_new", args=[report.pk]), _form()).status_code
            == 404
        )
    assert not Discussion.objects.exists()


def test_it_shows_errors_for_an_incomplete_action(report, users):
    response = signed_in(users["adviser"]).post(
        reverse("discussion_new", args=[report.pk]), _form(**{"action-0-due_on": "", "held_on": "next week"})
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert 'href="#id_action-0-due_on"' in page and 'href="#id_held_on"' in page
    assert not Discussion.objects.exists()


def test_it_will_not_discuss_a_draft(organisation, users):
    draft = make_report(organisation, status=Report.Status.DRAFT, version=2)
    assert signed_in(users["insights"]).get(reverse("discussion_new", args=[draft.pk])).status_code == 404


def test_it_shows_organisation_users_their_actions_with_overdue_ones_flagged(discussion, users):
    page = signed_in(users["owner"]).get(reverse("actions")).content.decode()
    assert "1 action overdue" in page
    assert page.count("Overdue</strong>") == 1
    overdue_row = page.split("Review referral forms")[1].split("</tr>")[0]
    assert "Overdue" in overdue_row
    assert "Take the report to the board" in page


def test_it_shows_strangers_none_of_the_actions(discussion, users):
    page = signed_in(users["stranger"]).get(reverse("actions")).content.decode()
    assert "Review referral forms" not in page
    assert "No actions have been agreed yet" in page


def test_it_lists_discussions_for_advisers_with_reports_to_discuss(discussion, report, users):
    page = signed_in(users["adviser"]).get(reverse("discussions")).content.decode()
    assert reverse("discussion", args=[discussion.pk]) in page
    assert reverse("discussion_new", args=[report.pk]) in page
    other = signed_in(users["unassigned_adviser"]).get(reverse("discussions")).content.decode()
    assert reverse("discussion", args=[discussion.pk]) not in other


# --- marking an agreed action done --------------------------------------------------------------


def _overdue(discussion):
    return discussion.actions.get(description="Review referral forms")


@pytest.mark.parametrize("who", ["adviser", "insights"])
def test_it_lets_the_assigned_adviser_and_insights_mark_an_action_done(discussion, users, who):
    action = _overdue(discussion)
    response = _client(users, who).post(reverse("action_done", args=[action.pk]))
    action.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == reverse("discussion", args=[discussion.pk])
    assert (action.status, action.done_by) == (AgreedAction.Status.DONE, users[who])
    assert action.done_at is not None
    event = AuditEvent.objects.get(action=Action.AGREED_ACTION_DONE)
    assert (event.actor, event.object_id, event.organisation) == (
        users[who],
        str(action.pk),
        discussion.report.organisation,
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 404),
        ("member", 404),
        ("stranger", 404),
        ("unassigned_adviser", 404),
        ("admin", 404),
        ("anonymous", 302),
    ],
)
def test_it_refuses_marking_done_to_everyone_else(discussion, users, who, expected):
    action = _overdue(discussion)
    response = _client(users, who).post(reverse("action_done", args=[action.pk]))
    action.refresh_from_db()
    assert response.status_code == expected
    assert action.status == AgreedAction.Status.OPEN
    assert not AuditEvent.objects.filter(action=Action.AGREED_ACTION_DONE).exists()


def test_it_marks_an_action_done_once(discussion, users):
    action = _overdue(discussion)
    client = signed_in(users["adviser"])
    client.post(reverse("action_done", args=[action.pk]))
    client.post(reverse("action_done", args=[action.pk]))
    assert AuditEvent.objects.filter(action=Action.AGREED_ACTION_DONE).count() == 1


def test_it_shows_organisation_users_a_done_action_as_done_not_overdue(discussion, users):
    action = _overdue(discussion)
    signed_in(users["adviser"]).post(reverse("action_done", args=[action.pk]))
    page = signed_in(users["owner"]).get(reverse("actions")).content.decode()
    done_row = page.split("Review referral forms")[1].split("</tr>")[0]
    assert "Done</strong>" in done_row and "Overdue" not in done_row
    assert f"on {timezone.localdate():%-d %B %Y}" in done_row
    assert "Mark as done" not in page  # organisation users read, they do not mark


def test_it_offers_mark_as_done_for_open_actions_only(discussion, users):
    signed_in(users["adviser"]).post(reverse("action_done", args=[_overdue(discussion).pk]))
    page = signed_in(users["adviser"]).get(reverse("discussion", args=[discussion.pk])).content.decode()
    assert page.count("Mark as done<span") == 1
    assert reverse("action_done", args=[discussion.actions.get(status="open").pk]) in page
