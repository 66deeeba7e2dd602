from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import socket
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerns.web.portal import batches
from concerns.web.portal.audit import Action
from concerns.web.portal.models import AuditEvent, Batch, Organisation, Report, Upload, User
from concerns.web.portal.roles import Role
from concerns.web.portal.store import file_path
from tests.web.conftest import make_user, signed_in
from tests.web.test_reports_data import AS_OF, date_fields, tiny_extract, zipped

pytestmark = pytest.mark.django_db
FORMULAS = {"grade": '=HYPERLINK("http://evil.example")', "sex": "+1+1", "ethnicity": "@SUM(A1)", "pmq": "-2"}


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.STORE_DIR = tmp_path / "store"
    settings.PORTAL_BATCHES_INLINE = True
    settings.PORTAL_BATCH_WORKERS = 1
    return settings.STORE_DIR


def _files(folder):
    return [SimpleUploadedFile(path.name, path.read_bytes()) for path in sorted(folder.glob("*.csv"))]


def _upload(client, files):
    return client.post(reverse("uploads"), {"files": files})


def _bad_extract(tmp_path):
    """The tiny extract with spreadsheet formulas written into four cells of the first four cases."""
    folder = shutil.copytree(tiny_extract(), tmp_path / "bad")
    path = folder / "cases.csv"
    rows = list(csv.DictReader(path.open(newline="")))
    for row, (column, value) in zip(rows, FORMULAS.items(), strict=False):
        row[column] = value
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


# --- who may use the insights pages --------------------------------------------------------


@pytest.fixture
def upload_and_batch(users):
    upload = Upload.objects.create(
        uploaded_by=users["insights"], directory="uploads/x", status="valid", summary={"problems": 0}
    )
    batch = Batch.objects.create(upload=upload, created_by=users["insights"], as_of=AS_OF, status="done")
    return upload, batch


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 404),
        ("member", 404),
        ("stranger", 404),
        ("adviser", 404),
        ("unassigned_adviser", 404),
        ("insights", 200),
        ("admin", 404),
        ("anonymous", 302),
    ],
)
@pytest.mark.parametrize("page", ["uploads", "upload", "batches", "batch"])
def test_it_opens_the_insights_pages_to_the_insights_team_only(upload_and_batch, users, page, who, expected):
    upload, batch = upload_and_batch
    url = reverse(
        page, args=[upload.pk if page == "upload" else batch.pk] if page in {"upload", "batch"} else []
    )
    client = Client() if who == "anonymous" else signed_in(users[who])
    assert client.get(url).status_code == expected


@pytest.mark.parametrize("who", ["owner", "adviser", "admin"])
@pytest.mark.parametrize("page", ["batch_new", "batch_publish", "uploads"])
def test_it_refuses_insights_actions_to_everyone_else(upload_and_batch, users, page, who):
    upload, batch = upload_and_batch
    url = {
        "batch_new": reverse("batch_new", args=[upload.pk]),
        "batch_publish": reverse("batch_publish", args=[batch.pk]),
        "uploads": reverse("uploads"),
    }[page]
    assert signed_in(users[who]).post(url, {"all": "1", **date_fields("as_of", AS_OF)}).status_code == 404
    assert Batch.objects.count() == 1 and Upload.objects.count() == 1


# --- a bad extract ---------------------------------------------------------------------------


def test_it_shows_the_row_errors_of_a_bad_extract(users, tmp_path):
    client = signed_in(users["insights"])
    response = _upload(client, _files(_bad_extract(tmp_path)))
    upload = Upload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("upload", args=[upload.pk])
    assert upload.status == Upload.Status.INVALID
    assert upload.summary["rejected_rows"] == len(FORMULAS)
    page = client.get(reverse("upload", args=[upload.pk])).content.decode()
    assert f"{len(FORMULAS)} of {upload.summary['read_rows']} rows were rejected" in page
    assert "&quot;=HYPERLINK(\\&quot;" not in page  # escaped as text, never markup
    assert "is not a known grade" in page
    assert reverse("upload_rejects", args=[upload.pk]) in page
    assert "Generate reports" not in page


def test_it_neutralises_formulas_in_the_rejects_download(users, tmp_path):
    client = signed_in(users["insights"])
    _upload(client, _files(_bad_extract(tmp_path)))
    response = client.get(reverse("upload_rejects", args=[Upload.objects.get().pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    values = {row["column"]: row["value"] for row in csv.DictReader(io.StringIO(text))}
    assert values == {column: f"'{value}" for column, value in FORMULAS.items()}


def test_it_pages_long_lists_of_row_errors(users, tmp_path, monkeypatch):
    monkeypatch.setattr("concerns.web.portal.views.insights.REJECTS_PER_PAGE", 3)
    client = signed_in(users["insights"])
    _upload(client, _files(_bad_extract(tmp_path)))
    upload = Upload.objects.get()
    first = client.get(reverse("upload", args=[upload.pk])).content.decode()
    second = client.get(reverse("upload", args=[upload.pk]) + "?page=2").content.decode()
    assert "Problems 1 to 3 of 4" in first and "Page 1 of 2" in first and 'href="?page=2"' in first
    assert "Problems 4 to 4 of 4" in second


def test_it_will_not_generate_from_an_invalid_upload(users, tmp_path):
    client = signed_in(users["insights"])
    _upload(client, _files(_bad_extract(tmp_path)))
    upload = Upload.objects.get()
    response = client.post(
        reverse("batch_new", args=[upload.pk]),
        {**date_fields("as_of", AS_OF), "policy": "standard", "formats": ["json"]},
    )
    assert response.status_code == 404
    assert not Batch.objects.exists()


# --- a damaged extract: a clear page, never a 500 ---------------------------------------------


class PanicException(BaseException):
    """Stands in for pyo3_runtime.PanicException, which a Rust library raises: known by its name."""


def _damaged(tmp_path, name, damage):
    folder = shutil.copytree(tiny_extract(), tmp_path / "damaged")
    path = folder / name
    path.write_bytes(damage(path.read_bytes()))
    return folder


def _upload_page(client, folder):
    files = [SimpleUploadedFile(path.name, path.read_bytes()) for path in sorted(folder.iterdir())]
    response = _upload(client, [file for file in files if file.name != "truth.json"])
    upload = Upload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("upload", args=[upload.pk])
    page = client.get(reverse("upload", args=[upload.pk]))
    assert page.status_code == 200
    return upload, page.content.decode()


def test_it_says_how_many_organisations_a_registry_cut_short_leaves_out(users, tmp_path):
    def first_two(content):
        return b"".join(content.splitlines(keepends=True)[:3])

    upload, page = _upload_page(
        signed_in(users["insights"]), _damaged(tmp_path, "organisations.csv", first_two)
    )
    assert upload.status == Upload.Status.INVALID
    assert upload.summary["files"]["organisations"]["read"] == 2
    assert "2 organisations named in cases or workforce are not in organisations.csv" in page
    assert "organisation not in registry" in page


@pytest.mark.parametrize(
    ("name", "damage", "message"),
    [
        (
            "cases.csv",
            lambda content: content + b"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18\n",
            "cases.csv is not a readable CSV file",
        ),
        ("workforce.csv", lambda content: content.split(b"\n", 1)[1], "workforce.csv has no"),
    ],
    ids=["a row with too many fields", "no header"],
)
def test_it_shows_why_a_mangled_file_cannot_be_used(users, tmp_path, name, damage, message):
    upload, page = _upload_page(signed_in(users["insights"]), _damaged(tmp_path, name, damage))
    assert upload.status == Upload.Status.INVALID
    assert "The extract cannot be used" in page
    assert message in page


def test_it_shows_a_library_panic_on_a_file_as_an_extract_that_cannot_be_used(users, tmp_path, monkeypatch):
    from concerns.ingest import _load

    def panicking(path):
        raise PanicException("assertion failed: i < self.len()")

    monkeypatch.setattr(_load, "open_table", panicking)
    upload, page = _upload_page(signed_in(users["insights"]), tiny_extract())
    assert upload.status == Upload.Status.INVALID
    assert "The extract cannot be used" in page
    assert "organisations.csv could not be read: a library concerns uses failed on it" in page


# --- unsafe uploads --------------------------------------------------------------------------


def _first_organisation() -> tuple[str, str]:
    with (tiny_extract() / "organisations.csv").open(newline="") as handle:
        first = next(csv.DictReader(handle))
    return first["org_code"], first["name"]


def _zip_upload(client, tmp_path, extra, folder=None):
    target = zipped(folder or tiny_extract(), tmp_path / "extract.zip", extra)
    return _upload(client, [SimpleUploadedFile("extract.zip", target.read_bytes())])


def test_it_refuses_a_zip_with_a_path_outside_its_folder(users, tmp_path, store):
    response = _zip_upload(signed_in(users["insights"]), tmp_path, {"../../escaped/cases.csv": b"case_id\n"})
    assert response.status_code == 400
    assert "unsafe path" in response.content.decode()
    assert not Upload.objects.exists()
    assert not list(tmp_path.rglob("escaped")) and not list(store.rglob("*.csv"))


def test_it_refuses_a_zip_bomb(users, tmp_path, store):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cases.csv", b"0" * (20 * 1024 * 1024))
    response = _upload(signed_in(users["insights"]), [SimpleUploadedFile("bomb.zip", bomb.read_bytes())])
    assert response.status_code == 400
    assert "possible zip bomb" in response.content.decode()
    assert not list(store.rglob("cases.csv"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cases.exe", b"MZ", "is not a data file"),
        ("cases.xlsx", b"case_id,org_code\n", "is not a real .xlsx file"),
    ],
)
def test_it_refuses_files_that_are_not_data(users, name, content, message):
    response = _upload(signed_in(users["insights"]), [SimpleUploadedFile(name, content)])
    assert response.status_code == 400
    assert message in response.content.decode()


def test_it_refuses_an_incomplete_extract(users, tmp_path):
    only_cases = tmp_path / "only"
    only_cases.mkdir()
    shutil.copy(tiny_extract() / "cases.csv", only_cases)
    response = _upload(signed_in(users["insights"]), _files(only_cases))
    assert response.status_code == 400
    assert "no organisations or workforce file" in response.content.decode()


def test_it_refuses_files_over_the_size_limit(users, settings):
    settings.PORTAL_MAX_FILE_BYTES = 1000
    response = _upload(signed_in(users["insights"]), [SimpleUploadedFile("cases.csv", b"x" * 1001)])
    assert response.status_code == 400
    assert "larger than 1,000 bytes" in response.content.decode()


# --- a good extract, end to end ---------------------------------------------------------------


def test_it_generates_reviews_and_publishes_a_batch_from_a_good_extract(
    users, tmp_path, django_capture_on_commit_callbacks
):
    client = signed_in(users["insights"])
    code, uploaded_name = _first_organisation()
    listed = Organisation.objects.create(code=code, name="Portal Listed NHS Trust", nation="England")
    link = make_user("link_adviser", Role.ADVISER, listed)
    User.objects.filter(pk=link.pk).update(first_name="Robin", last_name="Adviser")
    _zip_upload(client, tmp_path, {"README.txt": b"ignored"})
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.VALID and upload.summary["ignored"] == ["README.txt"]
    assert upload.summary["name_differences"] == [
        {"code": code, "uploaded": uploaded_name, "portal": "Portal Listed NHS Trust"}
    ]
    page = client.get(reverse("upload", args=[upload.pk])).content.decode()
    assert "Every row was accepted" in page
    assert "Organisation names differ from the portal's list" in page and uploaded_name in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("batch_new", args=[upload.pk]),
            {**date_fields("as_of", AS_OF), "policy": "standard", "formats": ["json"]},
        )
    batch = Batch.objects.get()
    assert response["Location"] == reverse("batch", args=[batch.pk])
    assert (batch.status, batch.done, batch.total, batch.national) == (Batch.Status.DONE, 4, 4, False)
    drafts = list(batch.reports.all())
    assert len(drafts) == 4 and {r.status for r in drafts} == {Report.Status.DRAFT}
    assert {f.format for r in drafts for f in r.files.all()} == {"json"}

    page = client.get(reverse("batch", args=[batch.pk])).content.decode()
    assert "Publish all 4 drafts" in page and "The reports use the portal's name." in page
    named = batch.reports.get(organisation=listed).files.get(format="json")
    assert json.loads(file_path(named).read_text())["org"]["name"] == "Portal Listed NHS Trust"
    # The cover names the organisation's assigned link adviser; others get the service's contact.
    assert (
        json.loads(file_path(named).read_text())["link_adviser"]
        == "Robin Adviser, link_adviser@example.nhs.uk"
    )
    unassigned = next(r for r in drafts if r.organisation != listed).files.get(format="json")
    assert json.loads(file_path(unassigned).read_text())["link_adviser"].startswith(
        "Practitioner Performance Advice"
    )
    listed.refresh_from_db()
    assert listed.name == "Portal Listed NHS Trust"
    client.post(reverse("batch_publish", args=[batch.pk]), {"report": [str(drafts[0].pk)]})
    assert Report.objects.filter(status=Report.Status.PUBLISHED).count() == 1
    client.post(reverse("batch_publish", args=[batch.pk]), {"all": "1"})
    assert Report.objects.filter(status=Report.Status.PUBLISHED).count() == 4
    assert AuditEvent.objects.filter(action=Action.REPORT_PUBLISHED, actor=users["insights"]).count() == 4
    assert AuditEvent.objects.filter(action=Action.BATCH_STARTED, object_id=str(batch.pk)).exists()

    organisation = drafts[0].organisation
    reader = make_user("synthetic_md", Role.ORGANISATION, organisation)
    assert signed_in(reader).get(reverse("report", args=[drafts[0].pk])).status_code == 200
    assert signed_in(users["stranger"]).get(reverse("report", args=[drafts[0].pk])).status_code == 404
    assert Organisation.objects.filter(code__in=[r.organisation.code for r in drafts]).count() == 4


def test_it_shows_progress_and_refreshes_while_a_batch_runs(upload_and_batch, users):
    _, batch = upload_and_batch
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.RUNNING, done=3, total=8)
    response = signed_in(users["insights"]).get(reverse("batch", args=[batch.pk]))
    assert response["Refresh"] == "3"
    assert "3 of 8 reports written" in response.content.decode()
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.DONE)
    assert "Refresh" not in signed_in(users["insights"]).get(reverse("batch", args=[batch.pk]))


def test_it_ends_a_batch_as_failed_when_the_files_changed(
    users, tmp_path, django_capture_on_commit_callbacks
):
    client = signed_in(users["insights"])
    _zip_upload(client, tmp_path, {})
    upload = Upload.objects.get()
    from concerns.web.portal.store import store_path

    with (store_path(upload.directory) / "data" / "cases.csv").open("a") as handle:
        handle.write("\n")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("batch_new", args=[upload.pk]),
            {**date_fields("as_of", AS_OF), "policy": "standard", "formats": ["json"]},
        )
    batch = Batch.objects.get()
    assert batch.status == Batch.Status.FAILED
    assert "changed after they were validated" in batch.message
    assert not Report.objects.exists()


# --- batches whose generating process stopped --------------------------------------------------


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _running(batch, **fields):
    fields = {
        "status": Batch.Status.RUNNING,
        "done": 2,
        "total": 8,
        "host": socket.gethostname(),
        "updated_at": timezone.now(),
        **fields,
    }
    Batch.objects.filter(pk=batch.pk).update(**fields)


def test_it_marks_a_running_batch_failed_when_its_process_is_gone(upload_and_batch, users):
    _, batch = upload_and_batch
    pid = _dead_pid()
    _running(batch, pid=pid)
    response = signed_in(users["insights"]).get(reverse("batch", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED
    assert f"process {pid} is no longer running" in batch.message
    assert "Start the batch again" in batch.message
    assert "Refresh" not in response
    assert "Start the batch again" in response.content.decode()
    event = AuditEvent.objects.get(action=Action.BATCH_STALLED)
    assert (event.object_id, event.actor) == (str(batch.pk), users["insights"])


def test_it_marks_a_silent_batch_failed_after_fifteen_minutes(upload_and_batch, users):
    _, batch = upload_and_batch
    _running(batch, pid=os.getpid(), updated_at=timezone.now() - dt.timedelta(minutes=16))
    content = signed_in(users["insights"]).get(reverse("batches")).content.decode()
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED
    assert "no progress for more than 15 minutes" in batch.message
    assert "Failed" in content


@pytest.mark.parametrize(
    ("fields", "silent_minutes"),
    [
        ({"pid": None}, 0),  # started, process not yet recorded
        ({"pid": os.getpid()}, 0),  # alive here and making progress
        ({"pid": 1, "host": "another-host.invalid"}, 0),  # on another host: only the heartbeat can tell
        ({"pid": os.getpid()}, 14),
    ],
)
def test_it_leaves_a_batch_running_while_it_may_still_finish(upload_and_batch, users, fields, silent_minutes):
    _, batch = upload_and_batch
    _running(batch, updated_at=timezone.now() - dt.timedelta(minutes=silent_minutes), **fields)
    response = signed_in(users["insights"]).get(reverse("batch", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.RUNNING and response["Refresh"] == "3"
    assert not AuditEvent.objects.filter(action=Action.BATCH_STALLED).exists()


def test_it_notices_a_queued_batch_whose_process_died_before_it_began(upload_and_batch, users):
    upload, batch = upload_and_batch
    _running(batch, status=Batch.Status.QUEUED, pid=_dead_pid())
    signed_in(users["insights"]).get(reverse("upload", args=[upload.pk]))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED


def test_it_starts_a_stalled_batch_again_from_the_same_upload(upload_and_batch, users):
    upload, batch = upload_and_batch
    Batch.objects.filter(pk=batch.pk).update(policy="ons-10-5", formats="pdf,json", national=False)
    _running(batch, pid=_dead_pid())
    client = signed_in(users["insights"])
    page = client.get(reverse("batch", args=[batch.pk])).content.decode()
    fields = dict(
        re.findall(r'<input type="hidden" name="(as_of_\w+|policy|national)" value="([^"]*)">', page)
    )
    formats = re.findall(r'<input type="hidden" name="formats" value="([^"]*)">', page)
    response = client.post(reverse("batch_new", args=[upload.pk]), {**fields, "formats": formats})
    again = Batch.objects.exclude(pk=batch.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("batch", args=[again.pk])
    assert (again.upload, again.as_of, again.policy, again.formats, again.national) == (
        upload,
        AS_OF,
        "ons-10-5",
        "pdf,json",
        False,
    )


def test_it_keeps_a_stalled_batch_failed_if_its_process_finishes_later(upload_and_batch):
    _, batch = upload_and_batch
    _running(batch, pid=_dead_pid())
    assert batches.notice_stalled([Batch.objects.get(pk=batch.pk)])
    batches._finish(batch, Batch.Status.DONE, "8 draft report(s) ready for review")
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED and "stopped" in batch.message
    with pytest.raises(RuntimeError):
        batches._still_running(batch)


def test_it_counts_an_unreaped_child_as_stopped():
    process = subprocess.Popen(["true"])
    for _ in range(200):
        if Path(f"/proc/{process.pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z":
            break
        time.sleep(0.01)
    assert batches.process_alive(process.pid) is False
    assert batches.process_alive(os.getpid()) is True
    process.wait()
    assert batches.process_alive(process.pid) is False
