from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import shutil
import zipfile

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
from tests.web.reports_data import AS_OF, date_fields, tiny_extract, zipped
from tests.web.support import FORMULAS, bad_extract, files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.STORE_DIR = tmp_path / "store"
    settings.PORTAL_BATCH_WORKERS = 1
    return settings.STORE_DIR


def _upload(client, files):
    return client.post(reverse("uploads"), {"files": files})


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
    response = _upload(client, files(bad_extract(tmp_path)))
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
    _upload(client, files(bad_extract(tmp_path)))
    response = client.get(reverse("upload_rejects", args=[Upload.objects.get().pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    values = {row["column"]: row["value"] for row in csv.DictReader(io.StringIO(text))}
    assert values == {column: f"'{value}" for column, value in FORMULAS.items()}


def test_it_pages_long_lists_of_row_errors(users, tmp_path, monkeypatch):
    monkeypatch.setattr("concerns.web.portal.views.insights.REJECTS_PER_PAGE", 3)
    client = signed_in(users["insights"])
    _upload(client, files(bad_extract(tmp_path)))
    upload = Upload.objects.get()
    first = client.get(reverse("upload", args=[upload.pk])).content.decode()
    second = client.get(reverse("upload", args=[upload.pk]) + "?page=2").content.decode()
    assert "Problems 1 to 3 of 4" in first and "Page 1 of 2" in first and 'href="?page=2"' in first
    assert "Problems 4 to 4 of 4" in second


def test_it_will_not_generate_from_an_invalid_upload(users, tmp_path):
    client = signed_in(users["insights"])
    _upload(client, files(bad_extract(tmp_path)))
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
    response = _upload(signed_in(users["insights"]), files(only_cases))
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
    listed = Organisation.objects.create(code=code, name="Portal Listed NHS Trust", nation="england")
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


def test_it_writes_the_reports_over_the_financial_years_asked_for(
    users, tmp_path, django_capture_on_commit_callbacks
):
    from concerns.vocabulary import fiscal_years_before

    client = signed_in(users["insights"])
    _zip_upload(client, tmp_path, {})
    upload = Upload.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("batch_new", args=[upload.pk]),
            {**date_fields("as_of", AS_OF), "years": "3", "policy": "standard", "formats": ["json"]},
        )
    batch = Batch.objects.get()
    years = fiscal_years_before(AS_OF, 3)
    assert (batch.status, batch.years) == (Batch.Status.DONE, 3)
    assert {report.period for report in batch.reports.all()} == {f"{years[0]} to {years[-1]}"}
    page = client.get(reverse("batch", args=[batch.pk])).content.decode()
    assert "covering 3 complete financial years" in page
    assert '<dd class="nhsuk-summary-list__value">Standard</dd>' in page
    assert '<dd class="nhsuk-summary-list__value">JSON</dd>' in page


def test_it_offers_the_disclosure_policies_and_formats_the_packages_define(users, tmp_path):
    from concerns.disclosure import POLICIES
    from concerns.report import FORMAT_TITLES

    client = signed_in(users["insights"])
    _zip_upload(client, tmp_path, {})
    page = client.get(reverse("upload", args=[Upload.objects.get().pk])).content.decode()
    radios = re.findall(r'name="policy" type="radio" value="([^"]+)"', page)
    assert radios == list(POLICIES)
    for policy in POLICIES.values():
        assert html.escape(f"{policy.title}: {policy.description}", quote=False) in page
    boxes = re.findall(r'name="formats" type="checkbox" value="([^"]+)"', page)
    assert boxes == list(FORMAT_TITLES) and "Excel (XLSX)</label>" in page


def test_it_refuses_a_number_of_years_out_of_range(users, tmp_path):
    client = signed_in(users["insights"])
    _zip_upload(client, tmp_path, {})
    upload = Upload.objects.get()
    response = client.post(
        reverse("batch_new", args=[upload.pk]),
        {**date_fields("as_of", AS_OF), "years": "11", "policy": "standard", "formats": ["json"]},
    )
    assert (
        response.status_code == 400
        and "The reports cover at most 10 financial years" in response.content.decode()
    )
    assert not Batch.objects.exists()


# --- batches that can no longer finish ------------------------------------------------------------

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queued(settings, upload_and_batch):
    """The batch queued on the database queue, as `start` leaves it; its task's stored result."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_QUEUE
    _, batch = upload_and_batch
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.QUEUED)
    batches.start(batch)
    batch.refresh_from_db()
    return batch, DBTaskResult.objects.get(id=batch.task_id)


def _running(batch, **fields):
    fields = {"status": Batch.Status.RUNNING, "done": 2, "total": 8, "updated_at": timezone.now(), **fields}
    Batch.objects.filter(pk=batch.pk).update(**fields)


def _stop_worker_under(batch, error: BaseException) -> None:
    """What the queue holds when its worker stopped while running the batch's task."""
    from django_tasks_db.models import DBTaskResult

    _running(batch)
    task = DBTaskResult.objects.get(id=Batch.objects.get(pk=batch.pk).task_id)
    task.claim("worker-1")
    task.set_failed(error)


def test_it_starts_a_batch_again_by_itself_when_the_queue_says_its_worker_stopped(queued, users):
    from django_tasks_db.models import DBTaskResult

    batch, first = queued
    _stop_worker_under(batch, KeyboardInterrupt())
    response = signed_in(users["insights"]).get(reverse("batch", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.done) == (Batch.Status.QUEUED, 2, 0)
    assert batch.message == (
        "Started again by itself after it stopped (its task failed: KeyboardInterrupt): attempt 2 of 3."
    )
    again = DBTaskResult.objects.get(id=batch.task_id)
    assert again.id != first.id and again.args_kwargs == {"args": [batch.pk, 2], "kwargs": {}}
    assert response["Refresh"] == "3"
    event = AuditEvent.objects.get(action=Action.BATCH_RESTARTED)
    assert (event.object_id, event.actor, event.detail["task"]) == (
        str(batch.pk),
        users["insights"],
        batch.task_id,
    )
    assert not AuditEvent.objects.filter(action=Action.BATCH_STALLED).exists()


def test_it_marks_a_batch_failed_when_its_worker_stopped_on_every_attempt(queued, users):
    batch, _ = queued
    client = signed_in(users["insights"])
    for _ in range(batches.MAX_ATTEMPTS):
        _stop_worker_under(batch, MemoryError())
        response = client.get(reverse("batch", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.attempts) == (Batch.Status.FAILED, 3)
    assert "its task failed: MemoryError; it was tried 3 times" in batch.message
    assert "Start the batch again" in batch.message
    assert "Refresh" not in response
    assert "Start the batch again" in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.BATCH_RESTARTED).count() == 2
    event = AuditEvent.objects.get(action=Action.BATCH_STALLED)
    assert (event.object_id, event.actor) == (str(batch.pk), users["insights"])
    assert event.detail["task"] == batch.task_id


def test_it_ignores_a_replaced_attempt_that_runs_late(queued):
    batch, _ = queued
    _stop_worker_under(batch, KeyboardInterrupt())
    assert batches.notice_stalled([Batch.objects.get(pk=batch.pk)]).restarted
    late = batches.run(batch.pk, attempt=1)  # the first attempt's task, run after all
    assert (late.status, late.attempts) == (Batch.Status.QUEUED, 2)
    assert not Report.objects.filter(batch=batch).exists()


def test_it_marks_a_batch_failed_when_its_task_is_gone_from_the_queue(queued, users):
    batch, task = queued
    task.delete()
    signed_in(users["insights"]).get(reverse("batches"))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED and "its task is no longer on the queue" in batch.message


def test_it_marks_a_batch_no_worker_took_failed_after_fifteen_minutes(queued, users):
    batch, _ = queued
    _running(batch, status=Batch.Status.QUEUED, updated_at=timezone.now() - dt.timedelta(minutes=16))
    content = signed_in(users["insights"]).get(reverse("batches")).content.decode()
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED
    assert "no worker took it for more than 15 minutes" in batch.message
    assert "Failed" in content


def test_it_starts_a_silent_running_batch_again_after_fifteen_minutes(queued, users):
    batch, _ = queued
    _running(batch, updated_at=timezone.now() - dt.timedelta(minutes=16))
    signed_in(users["insights"]).get(reverse("batches"))
    batch.refresh_from_db()
    assert (batch.status, batch.attempts) == (Batch.Status.QUEUED, 2)
    assert "(no progress for more than 15 minutes): attempt 2 of 3" in batch.message


@pytest.mark.parametrize(
    ("claimed", "silent_minutes"),
    [
        (False, 0),  # queued, waiting for the worker
        (True, 0),  # the worker runs it and it makes progress
        (True, 14),  # a slow step, still inside the heartbeat
    ],
)
def test_it_leaves_a_batch_running_while_it_may_still_finish(queued, users, claimed, silent_minutes):
    batch, task = queued
    if claimed:
        task.claim("worker-1")
    _running(batch, updated_at=timezone.now() - dt.timedelta(minutes=silent_minutes))
    response = signed_in(users["insights"]).get(reverse("batch", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.RUNNING and response["Refresh"] == "3"
    assert not AuditEvent.objects.filter(action=Action.BATCH_STALLED).exists()


def test_it_notices_a_batch_whose_task_failed_from_the_upload_page_too(queued, users):
    batch, _ = queued
    _stop_worker_under(batch, KeyboardInterrupt())
    signed_in(users["insights"]).get(reverse("upload", args=[batch.upload_id]))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.QUEUED and "KeyboardInterrupt" in batch.message


def test_it_starts_a_stalled_batch_again_from_the_same_upload(queued, users):
    batch, task = queued
    upload = batch.upload
    Batch.objects.filter(pk=batch.pk).update(policy="ons-10-5", formats="pdf,json", national=False)
    task.delete()
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


def test_it_keeps_a_stalled_batch_failed_if_its_task_finishes_later(queued):
    batch, task = queued
    _running(batch)
    task.delete()
    assert batches.notice_stalled([Batch.objects.get(pk=batch.pk)]).failed
    batches._finish(batch, Batch.Status.DONE, "8 draft report(s) ready for review")
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED and "stopped" in batch.message
    with pytest.raises(RuntimeError):
        batches._still_running(batch)
