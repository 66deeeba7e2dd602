"""What a new user met first (issue 14): help that names who can help, links that lead somewhere, a header
that reads well, a menu to every list, messages that name the field, the value and the fix."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from concerns.web.portal import twofactor
from concerns.web.portal.models import User
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def menu(client) -> list[str]:
    page = client.get(reverse("reports")).content.decode()
    start = page.index('<nav class="nhsuk-header__navigation"')
    return [
        line.split('href="')[1].split('"')[0]
        for line in page[start : page.index("</nav>", start)].splitlines()
        if 'href="' in line
    ]


def test_it_sends_people_who_lost_their_phone_to_an_administrator(users):
    twofactor.create_device(users["adviser"])
    client = Client()
    client.force_login(users["adviser"])  # signed in with the password, owing the code
    page = client.get(reverse("two_factor_verify")).content.decode()
    assert "ask an administrator of this service to reset your two-factor" in page
    assert "insights team" not in page


def test_it_links_the_insights_team_to_no_users_page_it_cannot_open(users, organisation):
    url = reverse("organisation_edit", args=[organisation.pk])
    for_insights = signed_in(users["insights"]).get(url).content.decode()
    assert reverse("users") not in for_insights and "/manage/users/" not in for_insights
    assert "An administrator adds people" in for_insights and "owner" in for_insights
    for_admin = signed_in(users["admin"]).get(url).content.decode()
    assert f'href="{reverse("user_detail", args=[users["owner"].pk])}"' in for_admin


def test_it_names_the_role_once_and_briefly_in_the_header(users):
    User.objects.filter(pk=users["adviser"].pk).update(first_name="Alex", last_name="Adviser")
    page = signed_in(users["adviser"]).get(reverse("reports")).content.decode()
    assert "Alex Adviser (Adviser)</li>" in page and "(link adviser and case adviser)" not in page


def test_it_gives_advisers_the_agreed_actions_and_organisation_users_the_discussions(users):
    assert menu(signed_in(users["adviser"])) == [
        "/reports/",
        "/discussions/",
        "/actions/",
        "/casework/",
        "/two-factor/",
    ]
    assert menu(signed_in(users["owner"])) == [
        "/reports/",
        "/discussions/",
        "/actions/",
        "/requests/",
        "/two-factor/",
    ]
