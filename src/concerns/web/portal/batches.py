"""Generating a batch of reports from a valid upload, away from the web request.

`start` launches `python -m concerns.commands.portal generate <batch id>` as its own process (or runs it
in-process when settings.PORTAL_BATCHES_INLINE is true, as tests do); `run` writes the batch with
`concerns.report._batch.write_batch`, counting progress into Batch.done / Batch.total, then imports the
reports into the store as drafts for the insights team to review.

A batch records its process (pid and host) and a heartbeat (`updated_at`, touched on each step). When a
page shows a batch that is still queued or running but whose process is gone from this host, or that has
made no progress for `STALL_AFTER`, `notice_stalled` marks it FAILED so the team can start it again.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from concerns.web.portal.extracts import with_registry_names
from concerns.web.portal.models import Assignment, Batch, Upload
from concerns.web.portal.store import import_batch, store_path

STALL_AFTER = timedelta(minutes=15)
STALLED_MESSAGE = (
    "The generating process stopped ({reason}) before the batch was finished, so nothing from it "
    "was imported. Start the batch again."
)


def start(batch: Batch) -> None:
    if getattr(settings, "PORTAL_BATCHES_INLINE", False):
        run(batch.pk)
        return
    folder = store_path(f"batches/{batch.pk}")
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "log.txt").open("ab") as log:
        process = subprocess.Popen(  # our own interpreter and module, with a number as the only argument
            [sys.executable, "-m", "concerns.commands.portal", "generate", str(batch.pk)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "concerns.web.settings"),
            },
        )
    _update(batch, pid=process.pid, host=socket.gethostname())


def run(batch_id: int) -> Batch:
    """Generate and import one batch; the batch ends DONE (drafts ready for review) or FAILED (message)."""
    batch = Batch.objects.select_related("upload").get(pk=batch_id)
    if batch.status != Batch.Status.QUEUED:
        return batch
    _update(batch, status=Batch.Status.RUNNING, pid=os.getpid(), host=socket.gethostname())
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


# --- noticing batches whose process stopped --------------------------------------------------


def notice_stalled(found: Iterable[Batch], now: Any = None) -> list[Batch]:
    """Mark FAILED each queued or running batch whose process is gone or silent; the batches so marked."""
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


def stall_reason(batch: Batch, now: Any) -> str | None:
    """Why this batch can no longer finish, or None while it may."""
    if not batch.is_running:
        return None
    if batch.pid and batch.host == socket.gethostname() and not process_alive(batch.pid):
        return f"process {batch.pid} is no longer running"
    if now - batch.updated_at > STALL_AFTER:
        minutes = int(STALL_AFTER.total_seconds() // 60)
        return f"no progress for more than {minutes} minutes"
    return None


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    # A child that died but was not yet reaped by its parent (the web worker that started it) still has a pid.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def _generate(batch: Batch) -> int:
    from concerns.analytics import Settings, organisation_codes, prepare
    from concerns.commands.report import is_illustrative
    from concerns.ingest import load
    from concerns.report._batch import BatchOptions, write_batch

    data = store_path(f"{batch.upload.directory}/data")
    ingested = load(data, today=timezone.localdate())
    _check_unchanged(batch.upload, ingested)
    # Reports carry the portal's name of each organisation it lists, not the upload's (the upload page says
    # where they differ): an extract cannot rename an organisation, nor put its own text on the cover.
    ingested = dataclasses.replace(ingested, organisations=with_registry_names(ingested.organisations))
    context = prepare(ingested, Settings.as_of(batch.as_of, 5))
    codes = organisation_codes(context)
    _update(batch, total=len(codes) + int(batch.national), done=0, directory=f"batches/{batch.pk}")
    out = store_path(f"batches/{batch.pk}/out")
    options = BatchOptions(
        batch.as_of,
        batch.policy,
        tuple(batch.formats.split(",")),
        is_illustrative(data),
        int(getattr(settings, "PORTAL_BATCH_WORKERS", 2)),
        link_advisers(),
    )
    write_batch(context, codes, out, options, national=batch.national, progress=lambda _: _progress(batch))
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


def _check_unchanged(upload: Upload, ingested: Any) -> None:
    if upload.status != Upload.Status.VALID or not ingested.rejects.is_empty():
        raise ValueError("the upload has rejected rows; reports are made only from a valid extract")
    if ingested.fingerprint != upload.fingerprint:
        raise ValueError("the uploaded files changed after they were validated")
