"""Generating a batch of reports from a valid upload, away from the web request.

`start` puts a `generate_batch` task on the portal's queue (django-tasks, stored in the portal's own
database); the queue's worker (`concerns worker`, which `concerns serve` starts) runs it. `run` writes the
batch with `concerns.report.make_batch`, counting progress into Batch.done / Batch.total, then imports the
reports into the store as drafts for the insights team to review.

Whether a batch can still finish comes from the queue. The batch's own failures end it from inside (`run`
catches them), so a task the queue reports failed means its worker stopped under it: the batch is started
again by itself, as a new task, up to MAX_ATTEMPTS in all. A batch also keeps a heartbeat (`updated_at`,
touched on each step): one running without a step for `STALL_AFTER` is started again the same way; one
queued that long (no worker is running), or whose task the queue no longer holds, is marked FAILED, so
that the team can start it again.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from concerns.ingest import Ingested
from concerns.web.portal.extracts import with_registry_names
from concerns.web.portal.models import Assignment, Batch, Upload
from concerns.web.portal.store import import_batch, store_path

STALL_AFTER = timedelta(minutes=15)
STALLED_MESSAGE = "The batch stopped ({reason}) before it was finished, so nothing from it was imported. Start the batch again."


@task()
def generate_batch(batch_id: int, attempt: int = 1) -> str:
    """The queued task: generate one batch; its final status."""
    return str(run(batch_id, attempt).status)


def start(batch: Batch) -> None:
    """Queue the batch (its next attempt); the queue's worker generates it."""
    attempt = batch.attempts + 1
    Batch.objects.filter(pk=batch.pk).update(attempts=attempt)  # before the task can run
    batch.attempts = attempt
    result = generate_batch.enqueue(batch.pk, attempt)
    Batch.objects.filter(pk=batch.pk).update(task_id=str(result.id))
    batch.task_id = str(result.id)


def run(batch_id: int, attempt: int | None = None) -> Batch:
    """Generate and import one batch; the batch ends DONE (drafts ready for review) or FAILED (message).

    `attempt` is the queued attempt this run is: a run that an automatic restart has replaced changes
    nothing."""
    batch = Batch.objects.select_related("upload").get(pk=batch_id)
    if batch.status != Batch.Status.QUEUED or (attempt is not None and batch.attempts != attempt):
        return batch
    _update(batch, status=Batch.Status.RUNNING)
    try:
        count = _generate(batch)
    except Exception as error:  # any failure ends the batch with its reason; nothing was imported
        _finish(batch, Batch.Status.FAILED, f"{type(error).__name__}: {error}")
    else:
        _finish(batch, Batch.Status.DONE, f"{count} draft report(s) ready for review")
    batch.refresh_from_db()
    return batch


def _finish(batch: Batch, status: str, message: str) -> None:
    # Only this attempt of a batch still running is finished here: one marked stalled or restarted meanwhile
    # keeps what that says.
    Batch.objects.filter(pk=batch.pk, status=Batch.Status.RUNNING, attempts=batch.attempts).update(
        status=status, message=message, finished_at=timezone.now(), updated_at=timezone.now()
    )


def _update(batch: Batch, **fields: Any) -> None:
    Batch.objects.filter(pk=batch.pk).update(updated_at=timezone.now(), **fields)


def _progress(batch: Batch) -> None:
    Batch.objects.filter(pk=batch.pk).update(done=F("done") + 1, updated_at=timezone.now())


def _still_running(batch: Batch) -> None:
    if not Batch.objects.filter(pk=batch.pk, status=Batch.Status.RUNNING, attempts=batch.attempts).exists():
        raise RuntimeError("the batch was marked as stopped while it ran; its reports were not imported")


# --- noticing batches that stopped --------------------------------------------------------------

MAX_ATTEMPTS = 3  # a batch whose worker stopped under it is started again by itself, twice at most


@dataclass(frozen=True)
class Stall:
    reason: str
    worker_stopped: bool  # the worker stopped mid-batch: starting again may well finish it


@dataclass
class Noticed:
    failed: list[Batch]
    restarted: list[Batch]


def notice_stalled(found: Iterable[Batch], now: datetime | None = None) -> Noticed:
    """Start again each batch whose worker stopped under it (up to MAX_ATTEMPTS), and mark FAILED each other
    queued or running batch that can no longer finish."""
    now = now or timezone.now()
    noticed = Noticed([], [])
    for batch in found:
        stall = stall_of(batch, now)
        if stall is None:
            continue
        if stall.worker_stopped and batch.attempts < MAX_ATTEMPTS and _restart(batch, stall, now):
            noticed.restarted.append(batch)
        elif _fail(batch, stall, now):
            noticed.failed.append(batch)
    return noticed


def _restart(batch: Batch, stall: Stall, now: datetime) -> bool:
    message = f"Started again by itself after it stopped ({stall.reason}): attempt {batch.attempts + 1} of {MAX_ATTEMPTS}."
    restarted = Batch.objects.filter(pk=batch.pk, status=batch.status, attempts=batch.attempts).update(
        status=Batch.Status.QUEUED, done=0, message=message, updated_at=now
    )
    if restarted:
        batch.status, batch.done, batch.message, batch.updated_at = Batch.Status.QUEUED, 0, message, now
        start(batch)
    return bool(restarted)


def _fail(batch: Batch, stall: Stall, now: datetime) -> bool:
    tried = f"; it was tried {batch.attempts} times" if stall.worker_stopped and batch.attempts > 1 else ""
    message = STALLED_MESSAGE.format(reason=stall.reason + tried)
    marked = Batch.objects.filter(pk=batch.pk, status__in=[Batch.Status.QUEUED, Batch.Status.RUNNING]).update(
        status=Batch.Status.FAILED, message=message, finished_at=now
    )
    if marked:
        batch.status, batch.message, batch.finished_at = Batch.Status.FAILED, message, now
    return bool(marked)


def stall_of(batch: Batch, now: datetime) -> Stall | None:
    """Why this batch can no longer finish as it is, or None while it may."""
    if not batch.is_running:
        return None
    stall = _queue_stall(batch)
    if stall is not None:
        return stall
    if now - batch.updated_at > STALL_AFTER:
        minutes = int(STALL_AFTER.total_seconds() // 60)
        if batch.status == Batch.Status.QUEUED:
            return Stall(f"no worker took it for more than {minutes} minutes", worker_stopped=False)
        return Stall(f"no progress for more than {minutes} minutes", worker_stopped=True)
    return None


def _queue_stall(batch: Batch) -> Stall | None:
    """What the queue says of the batch's task when it ended without finishing the batch (None: it may)."""
    if not batch.task_id or not generate_batch.get_backend().supports_get_result:
        return None
    try:
        result = generate_batch.get_result(batch.task_id)
    except TaskResultDoesNotExist:
        return Stall("its task is no longer on the queue", worker_stopped=False)
    if (
        result.status == TaskResultStatus.FAILED
    ):  # the batch's own failures end it from inside: the worker stopped
        error = (
            result.errors[-1].exception_class_path.rsplit(".", 1)[-1] if result.errors else "no reason given"
        )
        return Stall(f"its task failed: {error}", worker_stopped=True)
    if result.status == TaskResultStatus.SUCCESSFUL:
        return Stall("its task ended without finishing it", worker_stopped=False)
    return None


def _generate(batch: Batch) -> int:
    from concerns.ingest import load
    from concerns.report import BatchOptions, make_batch

    data = store_path(f"{batch.upload.directory}/data")
    ingested = load(data, today=timezone.localdate())
    _check_unchanged(batch.upload, ingested)
    # Reports carry the portal's name of each organisation it lists, not the upload's (the upload page says
    # where they differ): an extract cannot rename an organisation, nor put its own text on the cover.
    ingested = dataclasses.replace(ingested, organisations=with_registry_names(ingested.organisations))
    out = store_path(f"batches/{batch.pk}/out")
    options = BatchOptions(
        batch.as_of,
        batch.policy,
        tuple(batch.formats.split(",")),
        int(getattr(settings, "PORTAL_BATCH_WORKERS", 2)),
        link_advisers(),
        years=batch.years,
    )
    make_batch(
        ingested,
        out,
        options,
        national=batch.national,
        started=lambda total: _update(batch, total=total, done=0, directory=f"batches/{batch.pk}"),
        progress=lambda _: _progress(batch),
    )
    _still_running(batch)
    names = {
        row["org_code"]: (row["name"], str(row["nation"]))
        for row in ingested.organisations.select("org_code", "name", "nation").iter_rows(named=True)
    }
    reports = import_batch(out, batch=batch, generated_by=batch.created_by, names=names)
    shutil.rmtree(out, ignore_errors=True)  # the store keeps its own verified copies
    return len(reports)


def link_advisers() -> dict[str, str]:
    """org_code → "name, email" of each organisation's assigned link adviser, for the report's cover."""
    found: dict[str, list[str]] = {}
    for assignment in Assignment.objects.select_related("adviser", "organisation").order_by(
        "organisation__code", "adviser__username"
    ):
        adviser = assignment.adviser
        found.setdefault(assignment.organisation.code, []).append(
            f"{adviser.get_full_name() or adviser.username}, {adviser.email}".rstrip(", ")
        )
    return {code: "; ".join(names) for code, names in found.items()}


def _check_unchanged(upload: Upload, ingested: Ingested) -> None:
    if upload.status != Upload.Status.VALID or not ingested.rejects.is_empty():
        raise ValueError("the upload has rejected rows; reports are made only from a valid extract")
    if ingested.fingerprint != upload.fingerprint:
        raise ValueError("the uploaded files changed after they were validated")
