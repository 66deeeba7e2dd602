"""Reading reports: the list, a report's page, the report itself in the browser, and its downloads."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.http import require_GET

from concerns.web.portal.access import may_discuss, may_publish, may_review_drafts, readers
from concerns.web.portal.audit import Action, record
from concerns.web.portal.models import Report, ReportFile
from concerns.web.portal.scope import get_scoped_or_404, scoped
from concerns.web.portal.store import file_path
from concerns.web.portal.views.objectives import report_section

PAGE_SIZE = 50
DOWNLOADS = {
    "pdf": "application/pdf",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "summary-pdf": "application/pdf",
}
SUMMARY = "summary-pdf"
# The stored report is a self-contained page: inline styles and data: images, nothing else, no framing.
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
BACK_LINK = (
    '<nav aria-label="Back" class="width-container" style="margin-top:16px">'
    '<a href="{href}" style="font-size:1rem;color:#005eb8;text-decoration:underline">'
    '<span aria-hidden="true">‹ </span>Back to the report’s page</a></nav>'
)
STATUS_FILTERS = {
    "current": [Report.Status.PUBLISHED],
    "draft": [Report.Status.DRAFT],
    "superseded": [Report.Status.SUPERSEDED],
}


def _report(request: HttpRequest, pk: int) -> Report:
    return get_scoped_or_404(
        request.user, Report.objects.select_related("organisation", "published_by"), pk=pk
    )


@readers
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    reports = scoped(request.user, Report.objects.select_related("organisation"))
    chosen = request.GET.get("status", "")
    if chosen in STATUS_FILTERS:
        reports = reports.filter(status__in=STATUS_FILTERS[chosen])
    reports = reports.order_by("kind", "organisation__name", "-version")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = [("", "All")] + [
        (key, key.title()) for key in STATUS_FILTERS if key != "draft" or may_review_drafts(request.user)
    ]
    return render(request, "portal/reports/list.html", {"page": page, "chosen": chosen, "filters": filters})


@readers
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    record(request, Action.REPORT_VIEWED, target=report, organisation=report.organisation, page="summary")
    files = {item.format: item for item in report.files.all()}
    newer = report.superseded_by if report.superseded_by_id else None
    return render(
        request,
        "portal/reports/detail.html",
        {
            "report": report,
            "html": files.get("html"),
            "downloads": [files[fmt] for fmt in DOWNLOADS if fmt in files and fmt != SUMMARY],
            "summary": files.get(SUMMARY),
            "newer": newer
            if newer is not None and scoped(request.user, Report.objects.filter(pk=newer.pk)).exists()
            else None,
            "discussions": scoped(request.user, report.discussions.all()),
            "can_discuss": may_discuss(request.user, report),
            "can_publish": may_publish(request.user, report),
            **report_section(request, report),
        },
    )


def _file(request: HttpRequest, pk: int, fmt: str) -> ReportFile:
    report = _report(request, pk)
    found = report.files.filter(format=fmt).first()
    if found is None or not file_path(found).is_file():
        raise Http404("Not found")
    return found


@readers
@require_GET
def report_html(request: HttpRequest, pk: int) -> HttpResponse:
    stored = _file(request, pk, "html")
    record(
        request,
        Action.REPORT_VIEWED,
        target=stored.report,
        organisation=stored.report.organisation,
        format="html",
    )
    page = with_back_link(file_path(stored).read_bytes(), reverse("report", args=[stored.report_id]))
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = REPORT_POLICY
    response["X-Frame-Options"] = "DENY"
    response["Cache-Control"] = "no-store"
    return response


@readers
@require_GET
def report_download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    if fmt not in DOWNLOADS:
        raise Http404("Not found")
    stored = _file(request, pk, fmt)
    record(
        request,
        Action.REPORT_DOWNLOADED,
        target=stored.report,
        organisation=stored.report.organisation,
        format=fmt,
    )
    response = FileResponse(
        file_path(stored).open("rb"),
        as_attachment=True,
        filename=download_name(stored),
        content_type=DOWNLOADS[fmt],
    )
    response["Cache-Control"] = "no-store"
    return response


def with_back_link(page: bytes, href: str) -> bytes:
    """The stored report with an NHS.UK-style back link to its portal page, before its main content (or at
    the top of its body). The stored file is left as it is; its styles are its own, so the link styles itself."""
    link = BACK_LINK.format(href=escape(href)).encode()
    for marker in (b'<main id="main-content"', b"<body>"):
        at = page.find(marker)
        if at >= 0:
            at += 0 if marker.startswith(b"<main") else len(marker)
            return page[:at] + link + page[at:]
    return link + page


def download_name(stored: ReportFile) -> str:
    report = stored.report
    who = report.organisation.code if report.organisation is not None else "national"
    document, extension = (
        ("board-summary", "pdf") if stored.format == SUMMARY else ("activity-report", stored.format)
    )
    return f"{who}-{document}-{report.as_of:%Y-%m-%d}-v{report.version}.{extension}"
