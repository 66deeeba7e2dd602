from __future__ import annotations

import pytest
from django.urls import reverse

from concerns.web.portal.audit import Action
from concerns.web.portal.models import AuditEvent, Report
from concerns.web.portal.store import import_batch, publish
from concerns.web.portal.views.reports import BACK_LINK, with_back_link
from tests.web.conftest import make_report, signed_in
from tests.web.reports_data import batch_renamed

pytestmark = pytest.mark.django_db
ROLES = ("owner", "member", "stranger", "adviser", "unassigned_adviser", "insights", "admin", "anonymous")


@pytest.fixture
def reports(settings, tmp_path, users, organisation, other_organisation):
    """Published reports of the fixture organisations (and the national one) from a real batch."""
    settings.STORE_DIR = tmp_path / "store"
    folder = batch_renamed(tmp_path, {"ours": organisation.code, "theirs": other_organisation.code})
    imported = import_batch(folder, generated_by=users["insights"])
    for report in imported:
        publish(report, users["insights"])
    return {("national" if r.organisation is None else r.organisation.code): r for r in imported}


def _client(users, who):
    from django.test import Client

    return Client() if who == "anonymous" else signed_in(users[who])


def _status(users, who, url):
    return _client(users, who).get(url).status_code


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("member", 200),
        ("stranger", 404),
        ("adviser", 200),
        ("unassigned_adviser", 404),
        ("insights", 200),
        ("admin", 404),
        ("anonymous", 302),
    ],
)
@pytest.mark.parametrize("page", ["report", "report_html", "report_download"])
def test_it_shows_a_report_only_within_scope(reports, users, organisation, page, who, expected):
    report = reports[organisation.code]
    arguments = [report.pk, "json"] if page == "report_download" else [report.pk]
    assert _status(users, who, reverse(page, args=arguments)) == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("member", 200),
        ("stranger", 200),
        ("adviser", 200),
        ("unassigned_adviser", 200),
        ("insights", 200),
        ("admin", 404),
        ("anonymous", 302),
    ],
)
def test_it_lists_reports_for_readers_only(reports, users, who, expected):
    assert _status(users, who, reverse("reports")) == expected


def test_it_lists_only_the_users_own_and_the_national_report(
    reports, users, organisation, other_organisation
):
    page = signed_in(users["owner"]).get(reverse("reports")).content.decode()
    assert reverse("report", args=[reports[organisation.code].pk]) in page
    assert reverse("report", args=[reports["national"].pk]) in page
    assert reverse("report", args=[reports[other_organisation.code].pk]) not in page
    assert other_organisation.name not in page


def test_it_hides_drafts_from_everyone_but_insights(reports, users, organisation, tmp_path):
    draft = next(
        r
        for r in import_batch(batch_renamed(tmp_path / "again", {"ours": organisation.code}))
        if r.organisation == organisation
    )
    url = reverse("report", args=[draft.pk])
    assert [_status(users, who, url) for who in ("owner", "adviser", "insights")] == [404, 404, 200]


def test_it_serves_the_report_html_under_its_own_strict_policy(reports, users, organisation):
    report = reports[organisation.code]
    response = signed_in(users["owner"]).get(reverse("report_html", args=[report.pk]))
    body = response.content
    assert response["Content-Security-Policy"].startswith(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    )
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "attachment" not in response.get("Content-Disposition", "")
    link = BACK_LINK.format(href=reverse("report", args=[report.pk])).encode()
    assert body.replace(link, b"") == _stored_bytes(report, "html")
    assert body.index(b'<a class="skip-link"') < body.index(link) < body.index(b'<main id="main-content"')
    assert body.startswith(b"<!DOCTYPE html>") and b"<script" not in body


def test_it_gives_the_report_in_the_browser_a_way_back_to_its_page():
    assert with_back_link(b"<p>old</p>", "/reports/7/").startswith(b'<nav aria-label="Back"')
    assert with_back_link(b"<body><p>x</p>", "/reports/7/").startswith(b'<body><nav aria-label="Back"')
    assert b'href="/reports/7/"' in with_back_link(b"<body>", "/reports/7/")


def test_it_downloads_files_as_attachments(reports, users, organisation):
    report = reports[organisation.code]
    response = signed_in(users["member"]).get(reverse("report_download", args=[report.pk, "json"]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="{organisation.code}-activity-report-2025-06-30-v1.json"'
    )
    assert b"".join(response.streaming_content) == _stored_bytes(report, "json")


def test_it_offers_the_board_summary_beside_the_report(reports, users, organisation):
    report = reports[organisation.code]
    client = signed_in(users["member"])
    page = client.get(reverse("report", args=[report.pk])).content.decode()
    summary_url = reverse("report_download", args=[report.pk, "summary-pdf"])
    assert "Download the board summary (PDF)" in page and summary_url in page
    response = client.get(summary_url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{organisation.code}-board-summary-2025-06-30-v1.pdf"'
    )
    content = b"".join(response.streaming_content)
    assert content == _stored_bytes(report, "summary-pdf") and content.startswith(b"%PDF")
    assert report.files.get(format="summary-pdf").name == "summary.pdf"
    national = reports["national"]
    assert not national.files.filter(format__startswith="summary").exists()
    assert signed_in(users["stranger"]).get(summary_url).status_code == 404


def _stored_bytes(report, fmt):
    from concerns.web.portal.store import file_path

    return file_path(report.files.get(format=fmt)).read_bytes()


def test_it_answers_404_for_formats_not_offered(reports, users, organisation):
    report = reports[organisation.code]
    client = signed_in(users["owner"])
    assert (
        client.get(reverse("report_download", args=[report.pk, "xlsx"])).status_code == 404
    )  # not in the batch
    assert (
        client.get(reverse("report_download", args=[report.pk, "html"])).status_code == 404
    )  # read, not download


def test_it_audits_every_view_and_download(reports, users, organisation):
    report = reports[organisation.code]
    client = signed_in(users["owner"])
    client.get(reverse("report", args=[report.pk]))
    client.get(reverse("report_html", args=[report.pk]))
    client.get(reverse("report_download", args=[report.pk, "json"]))
    events = AuditEvent.objects.filter(actor=users["owner"], object_id=str(report.pk)).order_by("id")
    assert [(e.action, e.organisation_id, e.detail) for e in events] == [
        (Action.REPORT_VIEWED, organisation.pk, {"page": "summary"}),
        (Action.REPORT_VIEWED, organisation.pk, {"format": "html"}),
        (Action.REPORT_DOWNLOADED, organisation.pk, {"format": "json"}),
    ]


def test_it_keeps_superseded_versions_readable_and_labelled(reports, users, organisation, tmp_path):
    old = reports[organisation.code]
    new = next(
        r
        for r in import_batch(batch_renamed(tmp_path / "again", {"ours": organisation.code}))
        if r.organisation == organisation
    )
    publish(new, users["insights"])
    client = signed_in(users["owner"])
    page = client.get(reverse("report", args=[old.pk])).content.decode()
    assert "Superseded" in page
    assert reverse("report", args=[new.pk]) in page
    assert client.get(reverse("report_html", args=[old.pk])).status_code == 200
    assert Report.objects.get(pk=old.pk).superseded_by == new


def test_it_keeps_the_status_filter_when_paging_the_report_list(users, organisation, monkeypatch):
    monkeypatch.setattr("concerns.web.portal.views.reports.PAGE_SIZE", 2)
    for version in (1, 2, 3):
        make_report(organisation, status=Report.Status.DRAFT, version=version)
    page = signed_in(users["insights"]).get(reverse("reports") + "?status=draft").content.decode()
    assert 'href="?status=draft&amp;page=2"' in page
    assert "Page 1 of 2 (3 in all)" in page
