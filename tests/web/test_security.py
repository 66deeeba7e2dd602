"""Security headers, no inline script or style on any page, CSRF, and `check --deploy` with production settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.conftest import PASSWORD, signed_in
from tests.web.support import rendered_pages

pytestmark = pytest.mark.django_db
REPOSITORY = Path(__file__).resolve().parents[2]
TEMPLATES = REPOSITORY / "src/concerns/web/portal/templates/portal"
OWN_TEMPLATES = sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.parent.glob("*.html")])  # and the error pages
FORM_PARTIALS = ("_field.html", "_error_summary.html", "_pagination.html")
# Every template of the portal and the casework register: both use the one set of form partials.
WEB_TEMPLATES = sorted((REPOSITORY / "src/concerns/web").glob("*/templates/**/*.html"))
INCLUDE = re.compile(r'{%\s*include\s+"([^"]+)"')

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    return [
        match.group(0)
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER)
        for match in pattern.finditer(html)
    ]


ERROR_STATUSES = {"locked out": 429, "page not found": 404, "form expired": 403}


def test_it_serves_every_page_without_inline_script_or_style(users, organisation):
    pages = rendered_pages(users, organisation)
    assert {
        name: response.status_code
        for name, response in pages.items()
        if response.status_code != ERROR_STATUSES.get(name, 200)
    } == {}
    found = {name: inline_code(response.content.decode()) for name, response in pages.items()}
    assert {name: code for name, code in found.items() if code} == {}
    for name, response in pages.items():
        assert "unsafe-inline" not in response["Content-Security-Policy"], name
        assert "script-src 'self'" in response["Content-Security-Policy"], name


ERROR_PAGES = [
    "sign in, wrong password",
    "password reset, bad address",
    "choose a password, too short",
    "enrol, wrong code",
    "code, wrong",
    "change password, wrong",
    "add user, errors",
    "user, errors",
    "add organisation, errors",
    "audit, bad dates",
]


def test_it_shows_error_summaries_on_pages_with_errors(users, organisation):
    pages = rendered_pages(users, organisation)
    missing = [name for name in ERROR_PAGES if "nhsuk-error-summary" not in pages[name].content.decode()]
    assert missing == []
    assert all(
        pages[name].content.decode().count("nhsuk-error-message") >= 1
        for name in ERROR_PAGES
        if name != "sign in, wrong password"
    )


@pytest.mark.parametrize("template", OWN_TEMPLATES, ids=lambda path: str(path.relative_to(TEMPLATES.parent)))
def test_it_keeps_script_and_style_out_of_templates(template):
    assert inline_code(template.read_text()) == []


def test_it_keeps_one_set_of_form_partials():
    copies = [str(path) for path in WEB_TEMPLATES if path.name in FORM_PARTIALS and path.parent != TEMPLATES]
    assert copies == []
    included = {
        name
        for path in WEB_TEMPLATES
        for name in INCLUDE.findall(path.read_text())
        if name.rpartition("/")[2] in FORM_PARTIALS
    }
    assert included == {f"portal/{name}" for name in FORM_PARTIALS}


def test_it_sets_the_security_headers(db):
    response = Client().get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_it_keeps_signed_in_pages_out_of_caches(users):
    assert signed_in(users["admin"]).get(reverse("users"))["Cache-Control"] == "no-store"


def test_it_refuses_a_sign_in_without_the_csrf_token(users):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("login"), {"username": "owner", "password": PASSWORD}).status_code == 403


def production_environment(tmp_path: Path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    environment.update(
        {
            "CONCERNS_ENV": "production",
            "CONCERNS_SECRET_KEY": secrets.token_urlsafe(64),
            "CONCERNS_ALLOWED_HOSTS": "portal.example.nhs.uk",
            "CONCERNS_HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "concerns.web.settings",
        }
    )
    return environment


@pytest.mark.slow
def test_it_passes_check_deploy_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_environment(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_it_secures_cookies_and_sets_hsts_in_production(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_HTTPONLY, s.PASSWORD_HASHERS[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=production_environment(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "31536000",
        "True",
        "True",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ], result.stderr


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    environment = production_environment(tmp_path)
    del environment["CONCERNS_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0 and "CONCERNS_SECRET_KEY must be set" in result.stderr
