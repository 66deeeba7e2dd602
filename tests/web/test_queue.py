"""The queued path of report generation: the portal puts a batch on its database queue, the worker runs it.

Other tests run a started batch at once (tests/web/settings.py uses the immediate backend); these switch
to the database backend the portal runs with and drive the queue's real worker (`db_worker`), on SQLite
and, under scripts/test-postgres.sh, on PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from concerns.commands import web
from concerns.web.portal.models import Batch, Report, Upload
from tests.web.conftest import signed_in
from tests.web.reports_data import AS_OF, date_fields, tiny_extract, zipped

# Committed for real: the worker closes and reopens its database connection between tasks, as in service.
pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def queue(settings, tmp_path, append_only):
    settings.STORE_DIR = tmp_path / "store"
    settings.PORTAL_BATCH_WORKERS = 1
    settings.TASKS = DATABASE_QUEUE
    append_only.on()
    yield
    append_only.off()  # so that the flush after the test can empty every table


def _start_batch(users, tmp_path, django_capture_on_commit_callbacks, formats=("json",)) -> Batch:
    client = signed_in(users["insights"])
    extract = zipped(tiny_extract(), tmp_path / "extract.zip")
    client.post(reverse("uploads"), {"files": [SimpleUploadedFile("extract.zip", extract.read_bytes())]})
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.VALID
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("batch_new", args=[upload.pk]),
            {**date_fields("as_of", AS_OF), "policy": "standard", "formats": list(formats), "national": "on"},
        )
    return Batch.objects.get()


def _work() -> None:
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)


def test_it_queues_a_started_batch_until_the_worker_runs_it(
    users, tmp_path, django_capture_on_commit_callbacks
):
    batch = _start_batch(users, tmp_path, django_capture_on_commit_callbacks)
    task = DBTaskResult.objects.get(id=batch.task_id)
    assert (batch.status, task.status, task.task_path) == (
        Batch.Status.QUEUED,
        TaskResultStatus.READY,
        "concerns.web.portal.batches.generate_batch",
    )
    assert task.args_kwargs == {"args": [batch.pk, 1], "kwargs": {}}
    assert not Report.objects.exists()

    _work()

    batch.refresh_from_db()
    task.refresh_from_db()
    organisations = sorted(tiny_extract_codes())
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == Batch.Status.DONE
    assert batch.status == Batch.Status.DONE
    assert (batch.done, batch.total) == (len(organisations) + 1, len(organisations) + 1)
    assert batch.message == f"{len(organisations) + 1} draft report(s) ready for review"
    drafts = Report.objects.filter(batch=batch, status=Report.Status.DRAFT)
    assert sorted(r.organisation.code for r in drafts if r.organisation) == organisations
    assert drafts.filter(kind=Report.Kind.NATIONAL).count() == 1


def test_it_starts_the_batch_again_when_its_worker_stopped_and_finishes_it(
    users, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    from concerns.web.portal import batches

    batch = _start_batch(users, tmp_path, django_capture_on_commit_callbacks)
    first, real = batch.task_id, batches.run

    def stopped_once(batch_id: int, attempt: int | None = None) -> Batch:
        if attempt == 1:
            raise KeyboardInterrupt  # what a worker stopped mid-task leaves
        return real(batch_id, attempt)

    monkeypatch.setattr(batches, "run", stopped_once)
    _work()
    assert DBTaskResult.objects.get(id=first).status == TaskResultStatus.FAILED
    signed_in(users["insights"]).get(reverse("batch", args=[batch.pk]))  # the portal notices: a new task
    batch.refresh_from_db()
    assert (batch.status, batch.attempts) == (Batch.Status.QUEUED, 2) and batch.task_id != first
    _work()
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE and DBTaskResult.objects.get(id=batch.task_id).status == (
        TaskResultStatus.SUCCESSFUL
    )
    assert Report.objects.filter(batch=batch).count() == len(tiny_extract_codes()) + 1


def test_it_ends_the_batch_failed_when_its_task_fails_on_every_attempt(
    users, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    from concerns.web.portal import batches

    batch = _start_batch(users, tmp_path, django_capture_on_commit_callbacks)

    def broken(batch_id: int, attempt: int | None = None) -> Batch:
        raise MemoryError("the worker ran out of memory")

    monkeypatch.setattr(batches, "run", broken)
    client = signed_in(users["insights"])
    for _ in range(batches.MAX_ATTEMPTS):
        _work()
        content = client.get(reverse("batch", args=[batch.pk])).content.decode()
    task = DBTaskResult.objects.get(id=Batch.objects.get(pk=batch.pk).task_id)
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "builtins.MemoryError"
    batch.refresh_from_db()
    assert (batch.status, batch.attempts) == (Batch.Status.FAILED, 3)
    assert "its task failed: MemoryError; it was tried 3 times" in batch.message
    assert "Start the batch again" in content
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 3


def test_it_runs_the_worker_until_the_queue_is_empty_when_asked_once(monkeypatch):
    called = {}
    monkeypatch.setattr(web, "_django", lambda production=None: called.update(production=production))
    monkeypatch.setattr(web, "_migrate", lambda: called.update(migrated=True))
    monkeypatch.setattr(
        "django.core.management.call_command", lambda name, **options: called.update(command=name, **options)
    )
    web.worker_command(once=True, production=False)
    assert called == {
        "production": False,
        "migrated": True,
        "command": "db_worker",
        "batch": True,
        "interval": 1.0,
        "startup_delay": False,
        "verbosity": 0,
    }


def tiny_extract_codes() -> list[str]:
    import csv

    with (tiny_extract() / "organisations.csv").open(newline="") as handle:
        return [row["org_code"] for row in csv.DictReader(handle)]


def test_it_offers_the_worker_on_the_command_line():
    from typer.testing import CliRunner

    from concerns.cli import app

    result = CliRunner().invoke(app, ["worker", "--help"])
    assert result.exit_code == 0
    assert "Run the queue's worker" in result.output and "--once" in result.output
