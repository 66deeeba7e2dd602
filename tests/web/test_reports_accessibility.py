"""The report, insights, discussion and request pages in Chromium: axe-core finds no violation.

Pages are rendered by the test client (the database stays in the test's transaction) and handed to Chromium
with the real static files under the portal's own Content-Security-Policy.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from concerns.web.portal import objectives
from concerns.web.portal.models import (
    AdoptedObjective,
    AgreedAction,
    Batch,
    Discussion,
    ReportRequest,
    Upload,
)
from concerns.web.portal.store import import_batch, publish
from tests.web.browser import require_browser_tools, violations_in
from tests.web.conftest import signed_in
from tests.web.reports_data import AS_OF, batch_renamed, date_fields, tiny_extract, zipped
from tests.web.support import bad_extract, files

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def _pages(users, organisation, tmp_path):
    """Every page of this area in each state worth checking: (name → HTML)."""
    imported = import_batch(
        batch_renamed(tmp_path, {"ours": organisation.code}), generated_by=users["insights"]
    )
    ours = next(r for r in imported if r.organisation == organisation)
    for report in imported:
        publish(report, users["insights"])
    newer = next(
        r
        for r in import_batch(batch_renamed(tmp_path / "2", {"ours": organisation.code}))
        if r.organisation == organisation
    )
    publish(newer, users["insights"])
    today = timezone.localdate()
    discussion = Discussion.objects.create(
        report=newer,
        held_on=today,
        attendee_roles="Medical director",
        notes="Notes",
        recorded_by=users["adviser"],
    )
    AgreedAction.objects.create(
        discussion=discussion, description="Late", owner="HR", due_on=today - dt.timedelta(1)
    )
    AgreedAction.objects.create(
        discussion=discussion, description="Soon", owner="MD", due_on=today + dt.timedelta(9)
    )
    AgreedAction.objects.create(
        discussion=discussion,
        description="Finished",
        owner="MD",
        due_on=today,
        status=AgreedAction.Status.DONE,
        done_by=users["adviser"],
        done_at=timezone.now(),
    )
    newtown = ReportRequest.objects.create(
        requested_by=users["owner"], organisation_name="Newtown", reason="Merger"
    )
    insights, owner, adviser = (signed_in(users[who]) for who in ("insights", "owner", "adviser"))
    insights.post(reverse("uploads"), {"files": files(bad_extract(tmp_path))})
    good = zipped(tiny_extract(), tmp_path / "good.zip")
    insights.post(reverse("uploads"), {"files": [SimpleUploadedFile("good.zip", good.read_bytes())]})
    bad_upload, good_upload = Upload.objects.order_by("pk")
    running = Batch.objects.create(
        upload=good_upload, created_by=users["insights"], as_of=AS_OF, status="running", done=2, total=5
    )
    drafts = import_batch(batch_renamed(tmp_path / "3", {"ours": organisation.code}), batch=running)
    stalled = Batch.objects.create(
        upload=good_upload,
        created_by=users["insights"],
        as_of=AS_OF,
        status="running",
        attempts=3,  # its worker stopped on every attempt: the page shows it failed, to start again
        updated_at=timezone.now() - dt.timedelta(hours=1),
    )
    gets = {
        "reports (owner)": (owner, reverse("reports")),
        "report superseded (owner)": (owner, reverse("report", args=[ours.pk])),
        "report current (adviser)": (adviser, reverse("report", args=[newer.pk])),
        "report draft (insights)": (insights, reverse("report", args=[drafts[0].pk])),
        "actions (owner)": (owner, reverse("actions")),
        "discussion (owner)": (owner, reverse("discussion", args=[discussion.pk])),
        "discussions (adviser)": (adviser, reverse("discussions")),
        "discussion form (adviser)": (adviser, reverse("discussion_new", args=[newer.pk])),
        "requests (owner)": (owner, reverse("report_requests")),
        "requests (insights)": (insights, reverse("report_requests")),
        "uploads (insights)": (insights, reverse("uploads")),
        "upload with errors (insights)": (insights, reverse("upload", args=[bad_upload.pk])),
        "valid upload (insights)": (insights, reverse("upload", args=[good_upload.pk])),
        "batches (insights)": (insights, reverse("batches")),
        "batch running (insights)": (insights, reverse("batch", args=[running.pk])),
        "batch stalled (insights)": (insights, reverse("batch", args=[stalled.pk])),
        "discussion with actions to mark done (adviser)": (
            adviser,
            reverse("discussion", args=[discussion.pk]),
        ),
        "actions to mark done (insights)": (insights, reverse("actions")),
    }
    drafts = [draft.comparison for draft in objectives.read(newer).drafts]
    adopting = {
        "wording": "Close the gap",
        "target": "1.25 or below",
        **date_fields("review_on", today.replace(year=today.year + 1)),
    }
    owner.post(reverse("objective_adopt", args=[newer.pk, drafts[0]]), adopting)
    objective = AdoptedObjective.objects.get()
    gets |= {
        "report with objectives (owner)": (owner, reverse("report", args=[newer.pk])),
        "objective adopt form (owner)": (owner, reverse("objective_adopt", args=[newer.pk, drafts[1]])),
        "objective change form (owner)": (owner, reverse("objective_edit", args=[objective.pk])),
        "objectives (adviser)": (adviser, reverse("objectives")),
    }
    pages = {name: client.get(url) for name, (client, url) in gets.items()}
    pages["objective adopt form with errors"] = owner.post(
        reverse("objective_adopt", args=[newer.pk, drafts[1]]), {"wording": "", "review_on_day": "31"}
    )
    pages["objective change form with errors"] = owner.post(
        reverse("objective_edit", args=[objective.pk]),
        {"wording": "Close it", "status": "met", **date_fields("review_on", today)},
    )
    pages["discussion form with errors"] = adviser.post(
        reverse("discussion_new", args=[newer.pk]), {"held_on": "soon", "action-0-owner": "HR"}
    )
    pages["request form with errors"] = owner.post(reverse("report_requests"), {"organisation_name": ""})
    pages["upload form with errors"] = insights.post(reverse("uploads"), {})
    pages["request decision with errors"] = insights.post(
        reverse("report_request_decide", args=[newtown.pk]),
        {
            "decision": "accepted",
            "create_organisation": "on",
            "organisation-code": "",
            "organisation-name": "Newtown",
            "organisation-nation": "england",
        },
    )
    pages["generate form with errors"] = insights.post(
        reverse("batch_new", args=[good_upload.pk]), {"as_of": "x"}
    )
    for name, response in pages.items():
        assert response.status_code in (200, 400), name
    return {name: response.content.decode() for name, response in pages.items()}


def test_it_has_no_accessibility_violations_on_any_report_page(users, organisation, settings, tmp_path):
    require_browser_tools()
    settings.STORE_DIR = tmp_path / "store"
    pages = _pages(users, organisation, tmp_path)
    assert len(pages) == 29
    assert "Close the gap" in pages["report with objectives (owner)"]
    assert "Review date must be in the future" in pages["objective change form with errors"]
    assert "Start the batch again" in pages["batch stalled (insights)"]
    assert "Mark as done" in pages["discussion with actions to mark done (adviser)"]
    assert "There is a problem" in pages["request decision with errors"]
    assert violations_in(pages) == {}
