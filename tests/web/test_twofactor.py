"""TOTP two-factor: staff must pass it before any staff page; organisation users may opt in."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from concerns.web.portal import twofactor
from concerns.web.portal.audit import Action
from concerns.web.portal.models import AuditEvent
from tests.web.conftest import PASSWORD, signed_in

pytestmark = pytest.mark.django_db
STAFF_PAGES = {"adviser": "/two-factor/code/", "insights": "/audit/", "admin": "/manage/users/"}


def password_only(username: str, next_url: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302, response.content
    return client


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize("role", ["insights", "admin"])
def test_it_keeps_staff_off_staff_pages_until_they_enrol(users, role):
    page = STAFF_PAGES[role]
    client = password_only(role, page)
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two_factor')}?next={page}"
    assert client.get(reverse("users")).status_code == 302
    assert client.get(reverse("audit")).status_code == 302


def test_it_sends_advisers_to_enrol_from_any_page(users):
    client = password_only("adviser", "/")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor"))


def test_it_shows_a_qr_code_and_the_key_as_text_to_enrol(users):
    client = password_only("admin", "/manage/users/")
    page = client.get(reverse("two_factor")).content.decode()
    device = TOTPDevice.objects.get(user=users["admin"], confirmed=False)
    [uri] = re.findall(r'src="(data:image/svg\+xml;base64,[^"]+)"', page)
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "<path" in svg
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert twofactor.secret_text(device).replace(" ", "") == key
    assert twofactor.secret_text(device) in page
    assert "Set up two-factor authentication" in page
    # The same key on every visit until it is confirmed, so a scanned code keeps working.
    client.get(reverse("two_factor"))
    assert TOTPDevice.objects.filter(user=users["admin"]).count() == 1


def test_it_enrols_staff_with_a_correct_code_and_audits_it(users):
    client = password_only("admin", "/manage/users/")
    client.get(reverse("two_factor"))
    device = TOTPDevice.objects.get(user=users["admin"])
    response = client.post(
        f"{reverse('two_factor')}?next=/manage/users/",
        {"code": twofactor.current_code(device), "next": "/manage/users/"},
    )
    assert response.status_code == 302 and response["Location"] == "/manage/users/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/manage/users/").status_code == 200
    [event] = AuditEvent.objects.filter(action=Action.TWO_FACTOR_ADDED)
    assert (event.actor_id, event.object_type, event.object_id) == (
        users["admin"].pk,
        "TOTPDevice",
        str(device.pk),
    )


def test_it_refuses_a_wrong_code_at_enrolment(users):
    client = password_only("insights", "/audit/")
    client.get(reverse("two_factor"))
    device = TOTPDevice.objects.get(user=users["insights"])
    response = client.post(reverse("two_factor"), {"code": wrong(twofactor.current_code(device))})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/audit/").status_code == 302


def test_it_refuses_a_code_that_is_not_six_digits(users):
    client = password_only("insights", "/audit/")
    response = client.post(reverse("two_factor"), {"code": "12ab"})
    assert "Enter the 6-digit code" in response.content.decode()


def test_it_asks_enrolled_staff_for_a_code_after_the_password(users):
    device = twofactor.create_device(users["insights"])
    client = password_only("insights", "/audit/")
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    refused = client.post(reverse("two_factor_verify"), {"code": wrong(twofactor.current_code(device))})
    assert refused.status_code == 200 and "The code is not right" in refused.content.decode()
    assert AuditEvent.objects.filter(action=Action.TWO_FACTOR_FAILED, actor=users["insights"]).count() == 1
    assert client.get("/audit/").status_code == 302
    device.throttle_reset()
    accepted = client.post(
        f"{reverse('two_factor_verify')}?next=/audit/",
        {"code": twofactor.current_code(device), "next": "/audit/"},
    )
    assert accepted.status_code == 302 and accepted["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200


def test_it_never_accepts_the_same_code_twice(users):
    device = twofactor.create_device(users["admin"])
    code = twofactor.current_code(device)
    assert twofactor.verify(device, code)
    assert not twofactor.verify(device, code)


def test_it_does_not_follow_a_next_address_off_the_site(users):
    device = twofactor.create_device(users["admin"])
    client = password_only("admin", "/manage/users/")
    response = client.post(
        reverse("two_factor_verify"),
        {"code": twofactor.current_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize(
    "next_url", ["073772", "reports", "//evil.example/", "/\\evil.example", "https://x/"]
)
def test_it_sends_a_next_that_is_not_a_local_path_home_after_the_code(users, next_url):
    device = twofactor.create_device(users["admin"])
    client = password_only("admin", "/manage/users/")
    response = client.post(
        f"{reverse('two_factor_verify')}?next=/", {"code": twofactor.current_code(device), "next": next_url}
    )
    assert (response.status_code, response["Location"]) == (302, reverse("home"))
    assert client.get("/manage/users/").status_code == 200  # the code was accepted


def test_it_passes_only_a_local_next_on_to_enrolment(users):
    client = password_only("admin", "/manage/users/")
    kept = client.get(f"{reverse('two_factor_verify')}?next=/audit/&x=1")
    dropped = client.get(f"{reverse('two_factor_verify')}?next=reports")
    assert kept["Location"] == f"{reverse('two_factor')}?next=%2Faudit%2F"
    assert dropped["Location"] == reverse("two_factor")


def test_it_does_not_let_a_user_owing_a_code_enrol_another_device(users):
    twofactor.create_device(users["admin"])
    client = password_only("admin", "/manage/users/")
    response = client.get(reverse("two_factor"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.filter(user=users["admin"]).count() == 1


def test_it_lets_organisation_users_in_without_two_factor(users):
    client = password_only("owner", reverse("password_change"))
    assert client.get(reverse("password_change")).status_code == 200
    page = client.get(reverse("two_factor")).content.decode()
    assert "You can protect your account" in page


def test_it_lets_organisation_users_opt_in_and_then_asks_them_for_a_code(users):
    client = password_only("owner", reverse("two_factor"))
    client.get(reverse("two_factor"))
    device = TOTPDevice.objects.get(user=users["owner"])
    client.post(reverse("two_factor"), {"code": twofactor.current_code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert (
        '<strong class="nhsuk-tag nhsuk-tag--green">On</strong>'
        in client.get(reverse("two_factor")).content.decode()
    )
    again = password_only("owner", reverse("password_change"))
    response = again.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_verify"))


def test_it_lets_a_user_owing_a_code_sign_out(users):
    client = password_only("admin", "/manage/users/")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/manage/users/")["Location"].startswith(reverse("login"))


def test_it_gives_signed_in_staff_clients_a_verified_session(users):
    for role, page in (("insights", "/audit/"), ("admin", "/manage/users/")):
        assert signed_in(users[role]).get(page).status_code == 200
    assert not TOTPDevice.objects.filter(user=users["owner"]).exists()


def test_it_slows_down_guessing_after_a_wrong_code(users):
    device = twofactor.create_device(users["admin"])
    client = password_only("admin", "/manage/users/")
    client.post(reverse("two_factor_verify"), {"code": wrong(twofactor.current_code(device))})
    at_once = client.post(reverse("two_factor_verify"), {"code": twofactor.current_code(device)})
    assert at_once.status_code == 200 and "Too many wrong codes" in at_once.content.decode()
    assert client.get("/manage/users/").status_code == 302
