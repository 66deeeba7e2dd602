"""Each named rule of `concerns.web.portal.access`, for each kind of user of tests/web/conftest.py.

`owner` and `member` are users of the organisation under test, `stranger` of another one; `adviser` is its link
adviser, `unassigned_adviser` another organisation's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory

from concerns.web.portal import access
from concerns.web.portal.access import Access
from concerns.web.portal.context import portal
from concerns.web.portal.models import AdoptedObjective, Organisation, Report, User
from tests.web.casework.conftest import make_case, make_practitioner
from tests.web.conftest import make_report

pytestmark = pytest.mark.django_db

ORGANISATION_USERS = {"owner", "member", "stranger"}
ADVISERS = {"adviser", "unassigned_adviser"}
INSIGHTS = {"insights"}
ADMIN = {"admin"}
# Who each rule of the user alone allows.
USER_RULES = {
    "is_insights_team": INSIGHTS,
    "may_read_reports": ORGANISATION_USERS | ADVISERS | INSIGHTS,
    "may_review_drafts": INSIGHTS,
    "may_upload": INSIGHTS,
    "may_record_discussions": ADVISERS | INSIGHTS,
    "may_adopt_objectives": ORGANISATION_USERS,
    "may_request_reports": ORGANISATION_USERS,
    "may_decide_requests": INSIGHTS,
    "may_see_requests": ORGANISATION_USERS | INSIGHTS,
    "may_manage_accounts": ADMIN,
    "may_keep_organisations": ADMIN | INSIGHTS,
    "may_read_audit_log": INSIGHTS | ADMIN,
    "may_do_casework": ADVISERS | INSIGHTS,
    "may_advise_cases": ADVISERS,
    "may_assign_adviser": INSIGHTS,
    "may_check_registrations": INSIGHTS,
    "may_handle_subject_access": INSIGHTS,
}


def allowed(users: dict[str, User], rule: Any, *args: Any) -> set[str]:
    return {name for name, user in users.items() if rule(user, *args)}


def levels(users: dict[str, User], level_of: Any, *args: Any) -> dict[str, Access]:
    return {name: level_of(user, *args) for name, user in users.items()}


# --- rules of the user alone --------------------------------------------------------------------------------


def test_it_pins_every_rule_of_the_user_alone():
    assert {rule.__name__ for rule in access.USER_RULES} == set(USER_RULES)


@pytest.mark.parametrize("name", sorted(USER_RULES))
def test_it_gives_each_rule_of_the_user_alone_to_its_roles_only(users, name):
    assert allowed(users, getattr(access, name)) == USER_RULES[name]


def test_it_gives_templates_every_rule_of_the_user_alone_by_name(users):
    for name, user in users.items():
        assert access.rights(user) == {rule: name in USER_RULES[rule] for rule in USER_RULES}


def test_it_adds_the_rights_to_every_page_for_signed_in_users_only(users):
    request = RequestFactory().get("/")
    request.user = users["insights"]
    assert portal(request)["rights"]["may_check_registrations"] is True
    request.user = users["adviser"]
    assert portal(request)["rights"]["may_check_registrations"] is False
    request.user = AnonymousUser()
    assert portal(request)["rights"] == {}


# --- the view guard ----------------------------------------------------------------------------------------


def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the page")


def test_it_lets_only_the_users_a_rule_allows_reach_a_guarded_view(users):
    guarded = access.only(access.may_manage_accounts)(_view)
    request = RequestFactory().get("/users/")
    request.user = users["admin"]
    assert guarded(request).content == b"the page"
    request.user = users["insights"]
    with pytest.raises(Http404):
        guarded(request)


def test_it_sends_anonymous_users_to_sign_in_from_a_guarded_view():
    request = RequestFactory().get("/users/")
    request.user = AnonymousUser()
    response = access.only(access.may_manage_accounts)(_view)(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_it_builds_the_shared_guards_on_the_named_rules(users):
    guards = {
        access.insights_only: INSIGHTS,
        access.readers: ORGANISATION_USERS | ADVISERS | INSIGHTS,
        access.casework_staff: ADVISERS | INSIGHTS,
        access.admin_only: ADMIN,
        access.organisation_keepers: ADMIN | INSIGHTS,
    }
    for guard, expected in guards.items():
        reached = set()
        for name, user in users.items():
            request = RequestFactory().get("/")
            request.user = user
            try:
                guard(_view)(request)
            except Http404:
                continue
            reached.add(name)
        assert reached == expected


# --- organisations: their material and their objectives ----------------------------------------------------


def test_it_links_users_to_their_organisations(users, organisation, other_organisation):
    linked = {
        name: set(access.organisation_ids(user).values_list("id", flat=True)) for name, user in users.items()
    }
    assert linked == {
        "owner": {organisation.pk},
        "member": {organisation.pk},
        "stranger": {other_organisation.pk},
        "adviser": {organisation.pk},
        "unassigned_adviser": {other_organisation.pk},
        "insights": {organisation.pk, other_organisation.pk},
        "admin": set(),
    }


def test_it_makes_members_of_the_organisations_own_users_only(users, organisation):
    assert allowed(users, access.is_member, organisation.pk) == {"owner", "member"}
    assert allowed(users, access.is_member, None) == set()


def test_it_gives_write_to_advice_staff_and_read_to_the_organisations_users(users, organisation):
    assert levels(users, access.access_level, organisation.pk) == {
        "owner": Access.READ,
        "member": Access.READ,
        "stranger": Access.NONE,
        "adviser": Access.WRITE,
        "unassigned_adviser": Access.NONE,
        "insights": Access.WRITE,
        "admin": Access.NONE,
    }


def test_it_gives_no_one_access_through_the_national_report_which_has_no_organisation(users):
    assert set(levels(users, access.access_level, None).values()) == {Access.NONE}


def test_it_gives_write_to_objectives_to_the_organisations_own_users(users, organisation):
    assert levels(users, access.objective_access, organisation.pk) == {
        "owner": Access.WRITE,
        "member": Access.WRITE,
        "stranger": Access.NONE,
        "adviser": Access.READ,
        "unassigned_adviser": Access.NONE,
        "insights": Access.READ,
        "admin": Access.NONE,
    }


@pytest.fixture
def reports(organisation: Organisation) -> dict[str, Report]:
    return {
        "superseded": make_report(organisation, status=Report.Status.SUPERSEDED, version=1),
        "published": make_report(organisation, version=2),
        "draft": make_report(organisation, status=Report.Status.DRAFT, version=3),
        "national": make_report(None),
    }


def test_it_lets_advice_staff_who_work_with_the_organisation_discuss_its_published_reports(users, reports):
    assert allowed(users, access.may_discuss, reports["published"]) == {"adviser", "insights"}
    assert allowed(users, access.may_discuss, reports["superseded"]) == {"adviser", "insights"}
    assert allowed(users, access.may_discuss, reports["draft"]) == set()
    assert allowed(users, access.may_discuss, reports["national"]) == set()


def test_it_lets_the_insights_team_publish_drafts_only(users, reports):
    assert allowed(users, access.may_publish, reports["draft"]) == {"insights"}
    assert allowed(users, access.may_publish, reports["published"]) == set()


def test_it_lets_the_organisations_own_users_adopt_against_its_current_report_only(users, reports):
    assert allowed(users, access.may_adopt, reports["published"]) == {"owner", "member"}
    for other in ("superseded", "draft", "national"):
        assert allowed(users, access.may_adopt, reports[other]) == set()


def test_it_lets_the_organisations_own_users_change_its_objectives(users, reports, organisation):
    objective = AdoptedObjective.objects.create(
        report=reports["published"],
        organisation=organisation,
        comparison="ethnic_minority_vs_white",
        wording="Bring the likelihood towards that of white practitioners",
        baseline_verdict="more_likely",
        baseline_ratio=2.1,
        baseline_low=1.3,
        baseline_high=3.3,
        target="1.25 or below",
        review_on=dt.date(2075, 6, 30),
        adopted_by=users["owner"],
    )
    assert allowed(users, access.may_change_objective, objective) == {"owner", "member"}


# --- casework: a practitioner's identifying details --------------------------------------------------------


def test_it_gives_the_case_adviser_and_the_insights_team_write_to_an_identity(users, organisation):
    case = make_case(organisation, users["adviser"], adviser=users["adviser"])
    expected = {name: Access.NONE for name in users} | {"adviser": Access.WRITE, "insights": Access.WRITE}
    assert levels(users, access.identity_access, case.practitioner) == expected
    assert allowed(users, access.may_see_identity, case.practitioner) == {"adviser", "insights"}
    assert allowed(users, access.may_correct_identity, case.practitioner) == {"adviser", "insights"}


def test_it_gives_read_only_to_an_adviser_who_does_not_see_every_case_of_the_practitioner(
    users, organisation
):
    elsewhere = users["unassigned_adviser"].assignments.get().organisation
    shared = make_practitioner(users["insights"], name="Sam Shared", number="7000002")
    make_case(organisation, users["insights"], shared, adviser=users["adviser"])
    make_case(elsewhere, users["insights"], shared, adviser=users["unassigned_adviser"])
    expected = {name: Access.NONE for name in users} | {
        "adviser": Access.READ,
        "unassigned_adviser": Access.READ,
        "insights": Access.WRITE,
    }
    assert levels(users, access.identity_access, shared) == expected
    assert allowed(users, access.may_see_identity, shared) == {"adviser", "unassigned_adviser", "insights"}
    assert allowed(users, access.may_correct_identity, shared) == {"insights"}
