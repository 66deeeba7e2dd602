"""Generating a batch of reports from a valid upload, away from the web request.

`start` puts a `generate_batch` task on the portal's queue (django-tasks, stored in the portal's own
database); the queue's worker (`concerns worker`, which `concerns serve` starts) runs it. `run` writes the
batch with `concerns.report.make_batch`, counting progress into Batch.done / Batch.total, then imports the
reports into the store as drafts for the insights team to review.

Whether a batch can still finish comes from the queue: a task the queue reports failed, or one it no longer
holds, ends its batch FAILED. A batch also keeps a heartbeat (`updated_at`, touched on each step): one
queued or running without a step for `STALL_AFTER` (its worker stopped, or none is running) is marked
FAILED too, so that the team can start it again.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterable
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
def generate_batch(batch_id: int) -> str:
    """The queued task: generate one batch; its final status."""
    return str(run(batch_id).status)


def start(batch: Batch) -> None:
    """Queue the batch; the queue's worker generates it."""
    result = generate_batch.enqueue(batch.pk)
    Batch.objects.filter(pk=batch.pk).update(task_id=str(result.id))


def run(batch_id: int) -> Batch:
    """Generate and import one batch; the batch ends DONE (drafts ready for review) or FAILED (message)."""
    batch = Batch.objects.select_related("upload").get(pk=batch_id)
    if batch.status != Batch.Status.QUEUED:
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
    # Only a batch still running is finished here: one marked stalled meanwhile keeps its FAILED status.
    Batch.objects.filter(pk=batch.pk, status=Batch.Status.RUNNING).update(
        status=status, message=message, finished_at=timezone.now(), updated_at=timezone.now()
    )


def _update(batch: Batch, **fields: Any) -> None:
    Batch.objects.filter(pk=batch.pk).update(updated_at=timezone.now(), **fields)


def _progress(batch: Batch) -> None:
    Batch.objects.filter(pk=batch.pk).update(done=F("done") + 1, updated_at=timezone.now())


def _still_running(batch: Batch) -> None:
    if not Batch.objects.filter(pk=batch.pk, status=Batch.Status.RUNNING).exists():
        raise RuntimeError("the batch was marked as stopped while it ran; its reports were not imported")


# --- noticing batches that can no longer finish ------------------------------------------------


def notice_stalled(found: Iterable[Batch], now: datetime | None = None) -> list[Batch]:
    """Mark FAILED each queued or running batch that can no longer finish; the batches so marked."""
    now = now or timezone.now()
    stalled = []
    for batch in found:
        reason = stall_reason(batch, now)
        if reason is None:
            continue
        message = STALLED_MESSAGE.format(reason=reason)
        marked = Batch.objects.filter(
            pk=batch.pk, status__in=[Batch.Status.QUEUED, Batch.Status.RUNNING]
        ).update(status=Batch.Status.FAILED, message=message, finished_at=now)
        if marked:
            batch.status, batch.message, batch.finished_at = Batch.Status.FAILED, message, now
            stalled.append(batch)
    return stalled


def stall_reason(batch: Batch, now: datetime) -> str | None:
    """Why this batch can no longer finish, or None while it may."""
    if not batch.is_running:
        return None
    reason = _queue_reason(batch)
    if reason:
        return reason
    if now - batch.updated_at > STALL_AFTER:
        minutes = int(STALL_AFTER.total_seconds() // 60)
        waiting = "no worker took it" if batch.status == Batch.Status.QUEUED else "no progress"
        return f"{waiting} for more than {minutes} minutes"
    return None


def _queue_reason(batch: Batch) -> str | None:
    """What the queue says of the batch's task when it ended without finishing the batch."""
    if not batch.task_id or not generate_batch.get_backend().supports_get_result:
        return None
    try:
        result = generate_batch.get_result(batch.task_id)
    except TaskResultDoesNotExist:
        return "its task is no longer on the queue"
    if result.status == TaskResultStatus.FAILED:
        errors = result.errors
        return (
            f"its task failed: {errors[-1].exception_class_path.rsplit('.', 1)[-1]}"
            if errors
            else "its task failed"
        )
    if result.status == TaskResultStatus.SUCCESSFUL:
        return "its task ended without finishing it"
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
