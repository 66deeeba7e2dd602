"""Generating a batch of reports from a valid upload, away from the web request.

`start` launches `python -m concerns.commands.portal generate <batch id>` as its own process (or runs it
in-process when settings.PORTAL_BATCHES_INLINE is true, as tests do); `run` writes the batch with
`concerns.report._batch.write_batch`, counting progress into Batch.done / Batch.total, then imports the
reports into the store as drafts for the insights team to review.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from concerns.web.portal.models import Batch, Upload
from concerns.web.portal.store import import_batch, store_path


def start(batch: Batch) -> None:
    if getattr(settings, "PORTAL_BATCHES_INLINE", False):
        run(batch.pk)
        return
    folder = store_path(f"batches/{batch.pk}")
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "log.txt").open("ab") as log:
        subprocess.Popen(  # our own interpreter and module, with a number as the only argument
            [sys.executable, "-m", "concerns.commands.portal", "generate", str(batch.pk)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE",
                                                                        "concerns.web.settings")},
        )


def run(batch_id: int) -> Batch:
    """Generate and import one batch; the batch ends DONE (drafts ready for review) or FAILED (message)."""
    batch = Batch.objects.select_related("upload").get(pk=batch_id)
    if batch.status != Batch.Status.QUEUED:
        return batch
    _update(batch, status=Batch.Status.RUNNING)
    try:
        count = _generate(batch)
    except Exception as error:  # any failure ends the batch with its reason; nothing was imported
        _update(batch, status=Batch.Status.FAILED, message=f"{type(error).__name__}: {error}",
                finished_at=timezone.now())
    else:
        _update(batch, status=Batch.Status.DONE, message=f"{count} draft report(s) ready for review",
                finished_at=timezone.now())
    batch.refresh_from_db()
    return batch


def _update(batch: Batch, **fields: Any) -> None:
    Batch.objects.filter(pk=batch.pk).update(**fields)


def _generate(batch: Batch) -> int:
    from concerns.analytics import Settings, organisation_codes, prepare
    from concerns.commands.report import is_illustrative
    from concerns.ingest import load
    from concerns.report._batch import BatchOptions, write_batch

    data = store_path(f"{batch.upload.directory}/data")
    ingested = load(data, today=timezone.localdate())
    _check_unchanged(batch.upload, ingested)
    context = prepare(ingested, Settings.as_of(batch.as_of, 5))
    codes = organisation_codes(context)
    _update(batch, total=len(codes) + int(batch.national), done=0, directory=f"batches/{batch.pk}")
    out = store_path(f"batches/{batch.pk}/out")
    options = BatchOptions(batch.as_of, batch.policy, tuple(batch.formats.split(",")), is_illustrative(data),
                           int(getattr(settings, "PORTAL_BATCH_WORKERS", 2)))
    write_batch(context, codes, out, options, national=batch.national,
                progress=lambda _: Batch.objects.filter(pk=batch.pk).update(done=F("done") + 1))
    names = {row["org_code"]: (row["name"], str(row["nation"]))
             for row in ingested.organisations.select("org_code", "name", "nation").iter_rows(named=True)}
    reports = import_batch(out, batch=batch, generated_by=batch.created_by, names=names)
    shutil.rmtree(out, ignore_errors=True)  # the store keeps its own verified copies
    return len(reports)


def _check_unchanged(upload: Upload, ingested: Any) -> None:
    if upload.status != Upload.Status.VALID or not ingested.rejects.is_empty():
        raise ValueError("the upload has rejected rows; reports are made only from a valid extract")
    if ingested.fingerprint != upload.fingerprint:
        raise ValueError("the uploaded files changed after they were validated")
