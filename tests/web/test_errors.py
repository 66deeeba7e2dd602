"""The error pages (403, 404, 500 and the CSRF refusal) in the NHS.UK look; the demo portal without DEBUG."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from concerns.commands import web
from concerns.web.portal.views import home
from tests.web.conftest import PASSWORD, signed_in

pytestmark = pytest.mark.django_db
NHS_HEADER = '<header class="nhsuk-header" role="banner">'


def test_it_answers_an_unknown_address_with_the_nhs_page_and_the_menu(users):
    response = signed_in(users["owner"]).get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404 and NHS_HEADER in page
    assert "<h1>Page not found</h1>" in page and 'href="/reports/"' in page and "Agreed actions" in page
    assert "URLconf" not in page


def test_it_answers_anonymous_visitors_with_the_same_page_without_a_menu(db):
    response = Client().get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404 and "<h1>Page not found</h1>" in page
    assert "nhsuk-header__navigation" not in page


def test_it_answers_a_server_error_with_a_page_that_needs_no_request(users, monkeypatch):
    monkeypatch.setattr(home, "LANDING", {})  # the home page now fails with a KeyError
    client = signed_in(users["owner"])
    client.raise_request_exception = False
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 500 and NHS_HEADER in page
    assert "<h1>Sorry, there is a problem with the service</h1>" in page and "Traceback" not in page
    bare = server_error(RequestFactory().get("/"))  # Django renders it with an empty context
    assert bare.status_code == 500 and "Sorry, there is a problem with the service" in bare.content.decode()


def test_it_refuses_a_form_without_its_csrf_token_with_an_nhs_page(users):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
    page = response.content.decode()
    assert response.status_code == 403 and NHS_HEADER in page and "<h1>The form has expired</h1>" in page


def test_it_runs_the_portal_without_debug_unless_asked(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CONCERNS_DEBUG", "CONCERNS_ENV")
    }
    script = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    shown = {}
    for asked in (None, "1"):
        env = {
            **environment,
            "CONCERNS_HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "concerns.web.settings",
        }
        if asked:
            env["CONCERNS_DEBUG"] = asked
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        shown[asked] = result.stdout.strip() or result.stderr
    assert shown == {None: "False", "1": "True"}


def test_it_serves_without_debug_and_without_a_shared_control_socket(monkeypatch, tmp_path):
    started = {}
    monkeypatch.setattr("django.core.management.call_command", lambda *args, **kwargs: None)
    monkeypatch.setattr(web, "_django", lambda production=None: None)
    monkeypatch.setattr(os, "execv", lambda path, arguments: started.update(arguments=arguments))
    monkeypatch.setenv("CONCERNS_DEBUG", "1")
    web.serve_command(host="127.0.0.1", port=8123, workers=1, production=False, worker=False)
    arguments = started["arguments"]
    assert "--no-control-socket" in arguments and "--control-socket" not in arguments
    assert arguments[arguments.index("--bind") + 1] == "127.0.0.1:8123"
    assert os.environ["CONCERNS_DEBUG"] == "0"


def test_it_serves_beside_the_queue_worker_and_stops_both_together(monkeypatch):
    monkeypatch.setattr("django.core.management.call_command", lambda *args, **kwargs: None)
    monkeypatch.setattr(web, "_django", lambda production=None: None)
    started, real = {}, web._serve_with_worker
    monkeypatch.setattr(
        web, "_serve_with_worker", lambda server, worker: started.update(server=server, worker=worker)
    )
    web.serve_command(host="127.0.0.1", port=8124, workers=1, production=True)
    assert started["worker"][-3:] == ["concerns", "worker", "--production"]
    assert "gunicorn" in started["server"]
    # The real pair: a worker that stops at once takes the server down with it, with its exit code said.
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    with pytest.raises(typer.Exit) as stopped:
        real(sleeper, [sys.executable, "-c", "raise SystemExit(3)"])
    assert stopped.value.exit_code != 0


def test_it_stops_the_worker_when_the_server_stops(tmp_path):
    marker = tmp_path / "worker-alive"
    worker = [
        sys.executable,
        "-c",
        f"import pathlib, time; pathlib.Path({str(marker)!r}).touch(); time.sleep(60)",
    ]
    with pytest.raises(typer.Exit) as stopped:
        web._serve_with_worker([sys.executable, "-c", "import time; time.sleep(1)"], worker)
    assert stopped.value.exit_code == 0 and marker.exists()
