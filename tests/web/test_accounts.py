"""Signing in and out, lockout, session expiry, password reset and change — through the real views."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerns.web.portal.audit import Action
from concerns.web.portal.models import AuditEvent, User
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db
TWO_FACTOR_PAGE = "/two-factor/"


def sign_in(
    client: Client, username: str, password: str, next_url: str = TWO_FACTOR_PAGE, address: str = "192.0.2.10"
):
    return client.post(
        reverse("login"),
        {"username": username, "password": password, "next": next_url},
        REMOTE_ADDR=address,
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_it_signs_in_with_the_right_password_and_audits_it(users):
    client = Client()
    response = sign_in(client, "owner", PASSWORD)
    assert response.status_code == 302 and response["Location"] == TWO_FACTOR_PAGE
    assert client.session[SESSION_KEY] == str(users["owner"].pk)
    [event] = events(Action.SIGN_IN)
    assert (event.actor_id, event.actor_name, event.ip) == (users["owner"].pk, "owner", "192.0.2.10")


@pytest.mark.parametrize("next_url", ["073772", "reports", "//evil.example/", "https://evil.example/"])
def test_it_signs_in_to_home_when_next_is_not_a_local_path(users, next_url):
    response = sign_in(Client(), "owner", PASSWORD, next_url)
    assert (response.status_code, response["Location"]) == (302, reverse("home"))


def test_it_keeps_a_local_next_after_signing_in(users):
    response = sign_in(Client(), "owner", PASSWORD, "/actions/?page=2")
    assert response["Location"] == "/actions/?page=2"


def test_it_does_not_loop_when_a_signed_in_user_is_sent_back_to_sign_in(users):
    client = Client()
    sign_in(client, "owner", PASSWORD)
    response = client.get(f"{reverse('login')}?next={reverse('login')}")
    assert (response.status_code, response["Location"]) == (302, reverse("home"))


def test_it_signs_out_to_the_sign_in_page_when_next_is_not_a_local_path(users):
    client = Client()
    sign_in(client, "owner", PASSWORD)
    response = client.post(reverse("logout"), {"next": "073772"})
    assert (response.status_code, response["Location"]) == (302, reverse("login"))


def test_it_refuses_a_wrong_password_and_audits_it(users):
    client = Client()
    response = sign_in(client, "owner", "not the password")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert SESSION_KEY not in client.session
    [event] = events(Action.SIGN_IN_FAILED)
    assert (event.actor_id, event.actor_name, event.ip) == (None, "owner", "192.0.2.10")
    assert not events(Action.SIGN_IN)


def test_it_shows_the_sign_in_form_with_a_link_to_reset_the_password(db):
    page = Client().get(reverse("login")).content.decode()
    assert 'name="username"' in page and 'name="password"' in page
    assert reverse("password_reset") in page


def test_it_locks_out_after_five_failures(users):
    client = Client()
    statuses = [sign_in(client, "owner", f"wrong {attempt}").status_code for attempt in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    locked = sign_in(client, "owner", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert SESSION_KEY not in client.session
    assert len(events(Action.SIGN_IN_FAILED)) == 6
    assert [event.actor_name for event in events(Action.LOCKED_OUT)] == ["owner", "owner"]
    assert not events(Action.SIGN_IN)


def test_it_still_signs_in_after_four_failures(users):
    client = Client()
    for attempt in range(4):
        assert sign_in(client, "owner", f"wrong {attempt}").status_code == 200
    assert sign_in(client, "owner", PASSWORD).status_code == 302
    assert client.session[SESSION_KEY] == str(users["owner"].pk)


def test_it_locks_the_username_from_that_address_only_until_the_account_limit(users):
    for attempt in range(5):
        sign_in(Client(), "owner", f"wrong {attempt}")
    assert sign_in(Client(), "owner", PASSWORD, address="192.0.2.11").status_code == 302
    [event] = events(Action.LOCKED_OUT)
    assert event.detail == {"scope": "account and address"}


def test_it_locks_the_account_from_every_address_after_twenty_failures(users):
    statuses = [
        sign_in(Client(), "owner", "wrong", address=f"192.0.2.{20 + attempt // 4}").status_code
        for attempt in range(20)
    ]
    assert statuses == [200] * 19 + [429]  # never 5 from one address: the account's own limit locks it
    locked = sign_in(Client(), "owner", PASSWORD, address="198.51.100.7")
    assert locked.status_code == 429 and SESSION_KEY not in locked.wsgi_request.session
    page = locked.content.decode()
    assert "signing in to this account is locked everywhere for 30 minutes" in page
    assert "set a new password by email" in page and "insights team" not in page
    assert [(e.actor_name, e.ip, e.detail["scope"]) for e in events(Action.LOCKED_OUT)] == [
        ("owner", "192.0.2.24", "account"),
        ("owner", "198.51.100.7", "account"),
    ]
    assert sign_in(Client(), "member", PASSWORD, address="198.51.100.7").status_code == 302


def test_it_locks_one_username_not_everyone_from_the_address(users):
    client = Client()
    for attempt in range(5):
        sign_in(client, "owner", f"wrong {attempt}")
    assert sign_in(Client(), "member", PASSWORD).status_code == 302


def test_it_lets_sessions_idle_for_thirty_minutes_at_most(users):
    client = Client()
    sign_in(client, "owner", PASSWORD)
    assert client.session.get_expiry_age() == 30 * 60
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)


def test_it_extends_the_session_on_each_request(users):
    client = Client()
    sign_in(client, "owner", PASSWORD)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=5))
    assert client.get(TWO_FACTOR_PAGE).status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert renewed > dt.timedelta(minutes=29)


def test_it_signs_out_an_idle_session(users):
    client = Client()
    sign_in(client, "owner", PASSWORD)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(TWO_FACTOR_PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={TWO_FACTOR_PAGE}"


def test_it_signs_out_by_post_only_and_audits_it(users):
    client = Client()
    sign_in(client, "owner", PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    assert client.session[SESSION_KEY] == str(users["owner"].pk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert SESSION_KEY not in client.session
    assert [event.actor_name for event in events(Action.SIGN_OUT)] == ["owner"]


def reset_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_it_emails_a_password_reset_link_that_works(users):
    client = Client()
    response = client.post(reverse("password_reset"), {"email": "owner@example.nhs.uk"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["owner@example.nhs.uk"]
    link = reset_link(message)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    new_password = "a different long passphrase 42"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert User.objects.get(username="owner").check_password(new_password)
    assert [event.actor_name for event in events(Action.PASSWORD_RESET)] == ["owner"]
    again = client.get(link, follow=True)
    assert "The link has expired" in again.content.decode()


def test_it_writes_reset_emails_to_the_outbox_folder_by_default(users, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    Client().post(reverse("password_reset"), {"email": "member@example.nhs.uk"})
    [written] = list((tmp_path / "outbox").iterdir())
    text = written.read_text()
    assert "To: member@example.nhs.uk" in text and "/password-reset/" in text


def test_it_does_not_reveal_whether_an_address_has_an_account(users):
    client = Client()
    known = client.post(reverse("password_reset"), {"email": "owner@example.nhs.uk"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.nhs.uk"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [message.to for message in mail.outbox] == [["owner@example.nhs.uk"]]


def test_it_ends_a_lockout_when_the_password_is_reset(users):
    client = Client()
    for attempt in range(5):
        sign_in(client, "owner", f"wrong {attempt}")
    assert sign_in(client, "owner", PASSWORD).status_code == 429
    client.post(reverse("password_reset"), {"email": "owner@example.nhs.uk"})
    form = client.get(reset_link(mail.outbox[0]), follow=True)
    new_password = "a different long passphrase 42"
    client.post(form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert sign_in(client, "owner", new_password).status_code == 302


def test_it_refuses_a_weak_new_password(users):
    client = Client()
    client.post(reverse("password_reset"), {"email": "owner@example.nhs.uk"})
    form = client.get(reset_link(mail.outbox[0]), follow=True)
    refused = client.post(
        form.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )
    assert refused.status_code == 200
    assert "nhsuk-error-summary" in refused.content.decode()
    assert User.objects.get(username="owner").check_password(PASSWORD)


def test_it_changes_a_password_and_audits_it(users):
    client = Client()
    sign_in(client, "owner", PASSWORD)
    new_password = "another long passphrase 77"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert User.objects.get(username="owner").check_password(new_password)
    assert client.session[SESSION_KEY] == str(users["owner"].pk)  # still signed in
    assert [event.actor_name for event in events(Action.PASSWORD_CHANGED)] == ["owner"]


def test_it_refuses_a_password_change_without_the_old_password(users):
    client = Client()
    sign_in(client, "owner", PASSWORD)
    new_password = "another long passphrase 77"
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert User.objects.get(username="owner").check_password(PASSWORD)


def test_it_hashes_passwords_with_argon2(users):
    assert User.objects.get(username="owner").password.startswith("argon2$argon2id$")


def test_it_refuses_a_password_like_the_display_name(users):
    User.objects.filter(username="owner").update(first_name="Alexandra", last_name="Brightwell")
    client = Client()
    sign_in(client, "owner", PASSWORD)
    like_the_name = "alexandra brightwell1"  # neither name alone is close enough to it; together they are
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": like_the_name, "new_password2": like_the_name},
    )
    assert response.status_code == 200
    assert "The password is too similar to the name." in response.content.decode()
    assert User.objects.get(username="owner").check_password(PASSWORD)
