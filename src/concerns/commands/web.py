"""`concerns serve`, `concerns worker`, `concerns createadmin` and `concerns manage`: the portal from the command line."""

from __future__ import annotations

import getpass
import os
import signal
import subprocess
import sys

import typer

from concerns.commands._common import fail


def _django(production: bool | None = None) -> None:
    from concerns.web import setup

    try:
        setup(production)
    except RuntimeError as error:  # settings refuse to start, e.g. production without a secret key
        fail(str(error))


def _migrate() -> None:
    from django.core.management import call_command
    from django.db.utils import OperationalError

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except OperationalError as error:
        fail(f"cannot reach the database: {error}")


def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(2, help="gunicorn worker processes."),
    production: bool = typer.Option(
        False, "--production", help="Production settings (needs CONCERNS_SECRET_KEY)."
    ),
    worker: bool = typer.Option(
        True,
        "--worker/--no-worker",
        help="Also run the queue's worker, which generates report batches (--no-worker when it runs apart).",
    ),
) -> None:
    """Run the portal with gunicorn: SQLite under CONCERNS_HOME (./var), or PostgreSQL when DATABASE_URL is set."""
    _django(production)
    _migrate()
    from django.conf import settings
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    typer.echo(f"Portal on http://{host}:{port}/  (database: {database}; data folder: {settings.HOME})")
    os.environ["DJANGO_SETTINGS_MODULE"] = "concerns.web.settings"
    os.environ["CONCERNS_DEBUG"] = "0"  # a served portal shows its own error pages, never a traceback
    arguments = [
        sys.executable,
        "-m",
        "gunicorn",
        "concerns.web.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        "127.0.0.1",
        # gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl), so a second
        # portal on the host would take it over; the portal does not use it.
        "--no-control-socket",
    ]
    if not worker:
        os.execv(sys.executable, arguments)
        return  # only where execv is replaced, as in tests
    _serve_with_worker(
        arguments, [sys.executable, "-m", "concerns", "worker", *(["--production"] if production else [])]
    )


def _serve_with_worker(server: list[str], worker: list[str]) -> None:
    """The server and the queue's worker side by side; when either stops, so does the other."""
    before = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so that `finally` stops both
    queue, portal = subprocess.Popen(worker), subprocess.Popen(server)
    try:
        while queue.poll() is None and portal.poll() is None:
            try:
                portal.wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    finally:
        worker_stopped_first = queue.returncode is not None and portal.returncode is None
        for process in (queue, portal):
            if process.poll() is None:
                process.terminate()
        for process in (queue, portal):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        signal.signal(signal.SIGTERM, before)
    if worker_stopped_first:
        fail(f"the queue's worker stopped (exit {queue.returncode}), so the portal was stopped too")
    raise typer.Exit(portal.returncode or 0)


def worker_command(
    once: bool = typer.Option(False, "--once", help="Run the tasks waiting on the queue, then stop."),
    production: bool = typer.Option(
        False, "--production", help="Production settings (needs CONCERNS_SECRET_KEY)."
    ),
) -> None:
    """Run the queue's worker: it generates the report batches that the insights team starts."""
    _django(production)
    _migrate()
    from django.core.management import call_command

    call_command("db_worker", batch=once, interval=1.0, startup_delay=False, verbosity=0 if once else 1)


def createadmin_command(
    username: str = typer.Option(..., prompt=True, help="Username for the administrator."),
    email: str = typer.Option(..., prompt=True, help="Email address (password resets go here)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Create an administrator. They set up two-factor authentication at their first sign-in."""
    _django()
    _migrate()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from concerns.web.portal.models import User
    from concerns.web.portal.roles import Role

    if User.objects.filter(username=username).exists():
        fail(f"a user called {username!r} already exists")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else _ask_password()
    candidate = User(username=username, email=email, role=Role.ADMIN)
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        fail("password refused: " + " ".join(error.messages))
    candidate.set_password(password)
    candidate.save()
    typer.echo(f"Administrator {username} created. Sign in, then set up two-factor authentication.")


def _ask_password() -> str:
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        fail("the passwords differ")
    return first


def manage_command(ctx: typer.Context) -> None:
    """Run a Django management command against the portal (e.g. `concerns manage migrate`)."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["concerns manage", *ctx.args])
