"""The insights team's path: upload an extract → validation result → generate a batch → review → publish."""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerns.disclosure import POLICIES as DISCLOSURE_POLICIES
from concerns.report import FORMAT_TITLES
from concerns.report import FORMATS as REPORT_FORMATS
from concerns.web.portal import batches
from concerns.web.portal.access import SignedInRequest, insights_only
from concerns.web.portal.audit import Action, record
from concerns.web.portal.extracts import (
    ExtractError,
    neutralised_rejects,
    rejects_page,
    save_extract,
    validate,
)
from concerns.web.portal.forms import DateField, NhsStyled, errors_of
from concerns.web.portal.models import Batch, Report, Upload
from concerns.web.portal.scope import get_scoped_or_404, scoped
from concerns.web.portal.store import StoreError, publish, store_path

REJECTS_PER_PAGE = 100
REFRESH_SECONDS = 3
POLICIES = [(key, f"{policy.title}: {policy.description}") for key, policy in DISCLOSURE_POLICIES.items()]
FORMATS = [(key, FORMAT_TITLES[key]) for key in REPORT_FORMATS]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError("Choose a .zip file, or the cases, organisations and workforce files")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class UploadForm(NhsStyled, forms.Form):
    # The form's metaclass takes declared fields off the class, so this does not replace `Form.files`;
    # django-stubs cannot express that.
    files = MultipleFileField(  # type: ignore[assignment]
        label="Data extract",
        widget=MultipleFileInput(attrs={"accept": ".zip,.csv,.xlsx,.parquet", "multiple": True}),
    )


class BatchForm(NhsStyled, forms.Form):
    as_of = DateField(
        label="Report date",
        help_text="The reports cover the complete financial years before this date. For example, 30 6 2025",
    )
    years = forms.IntegerField(
        label="Financial years",
        help_text="How many complete financial years the reports cover (5 unless there is a reason).",
        min_value=1,
        max_value=10,
        initial=5,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
        error_messages={
            "min_value": "The reports cover at least 1 financial year",
            "max_value": "The reports cover at most 10 financial years",
            "invalid": "Enter the number of financial years as a whole number, like 5",
        },
    )
    policy = forms.ChoiceField(
        label="Disclosure policy", choices=POLICIES, initial="standard", widget=forms.RadioSelect
    )
    formats = forms.MultipleChoiceField(
        label="Formats",
        error_messages={"required": "Select at least one format"},
        choices=FORMATS,
        initial=[key for key, _ in FORMATS],
        widget=forms.CheckboxSelectMultiple,
    )
    national = forms.BooleanField(label="Also write the national report", required=False, initial=True)

    def clean_years(self) -> int:
        return self.cleaned_data["years"] or 5

    def clean_as_of(self) -> dt.date:
        day = self.cleaned_data["as_of"]
        if day > timezone.localdate():
            raise forms.ValidationError("The report date cannot be in the future")
        return day


# --- uploads -----------------------------------------------------------------------------


@insights_only
@require_http_methods(["GET", "POST"])
def upload_list(request: SignedInRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = _receive(request, form)
        if upload is not None:
            return redirect("upload", pk=upload.pk)
    uploads = scoped(request.user, Upload.objects.select_related("uploaded_by"))[:50]
    return render(
        request,
        "portal/insights/uploads.html",
        {"form": form, "uploads": uploads, "errors": errors_of(form)},
        status=400 if form.errors else 200,
    )


def _receive(request: SignedInRequest, form: UploadForm) -> Upload | None:
    """Save and validate an upload; on a refused file, the form gets the reason and nothing is kept."""
    directory = f"uploads/{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
    folder = store_path(directory)
    try:
        saved = save_extract(form.cleaned_data["files"], folder / "data")
    except ExtractError as error:
        shutil.rmtree(folder, ignore_errors=True)
        form.add_error("files", str(error))
        return None
    valid, fingerprint, summary = validate(folder / "data", folder / "rejects.csv")
    summary.update(received=saved.received, ignored=saved.ignored)
    upload = Upload.objects.create(
        uploaded_by=request.user,
        directory=directory,
        fingerprint=fingerprint,
        status=Upload.Status.VALID if valid else Upload.Status.INVALID,
        summary=summary,
    )
    record(
        request,
        Action.UPLOADED,
        target=upload,
        status=upload.status,
        files=saved.received,
        problems=summary.get("problems", 0),
    )
    return upload


@insights_only
@require_GET
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_scoped_or_404(request.user, Upload.objects.select_related("uploaded_by"), pk=pk)
    total = int(upload.summary.get("problems", 0))
    page = Paginator(range(total), REJECTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = rejects_page(
        store_path(f"{upload.directory}/rejects.csv"), page.start_index() - 1, REJECTS_PER_PAGE
    )
    form = (
        BatchForm(initial={"as_of": timezone.localdate()}) if upload.status == Upload.Status.VALID else None
    )
    return render(
        request,
        "portal/insights/upload.html",
        {
            "upload": upload,
            "summary": upload.summary,
            "total": total,
            "page": page,
            "rows": rows if total else [],
            "form": form,
            "batches": _noticed(request, scoped(request.user, upload.batches.all())),
        },
    )


@insights_only
@require_GET
def upload_rejects(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    upload = get_scoped_or_404(request.user, Upload.objects.all(), pk=pk)
    path = store_path(f"{upload.directory}/rejects.csv")
    if not path.is_file():
        raise Http404("Not found")
    response = StreamingHttpResponse(neutralised_rejects(path), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejects-upload-{upload.pk}.csv"'
    response["Cache-Control"] = "no-store"
    return response


# --- batches -----------------------------------------------------------------------------


@insights_only
@require_POST
def batch_new(request: SignedInRequest, pk: int) -> HttpResponse:
    upload = get_scoped_or_404(request.user, Upload.objects.all(), pk=pk)
    if upload.status != Upload.Status.VALID:
        raise Http404("Not found")
    form = BatchForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "portal/insights/upload.html",
            {
                "upload": upload,
                "summary": upload.summary,
                "total": 0,
                "rows": [],
                "form": form,
                "errors": errors_of(form),
                "batches": scoped(request.user, upload.batches.all()),
            },
            status=400,
        )
    batch = Batch.objects.create(
        upload=upload,
        created_by=request.user,
        as_of=form.cleaned_data["as_of"],
        policy=form.cleaned_data["policy"],
        formats=",".join(form.cleaned_data["formats"]),
        national=form.cleaned_data["national"],
        years=form.cleaned_data["years"],
    )
    record(
        request,
        Action.BATCH_STARTED,
        target=batch,
        upload=upload.pk,
        as_of=batch.as_of.isoformat(),
        policy=batch.policy,
        formats=batch.formats,
    )
    transaction.on_commit(lambda: batches.start(batch))
    return redirect("batch", pk=batch.pk)


@insights_only
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    found = scoped(request.user, Batch.objects.select_related("upload", "created_by"))[:50]
    return render(request, "portal/insights/batches.html", {"batches": _noticed(request, found)})


@insights_only
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_scoped_or_404(request.user, Batch.objects.select_related("upload", "created_by"), pk=pk)
    _noticed(request, [batch])
    reports = scoped(request.user, batch.reports.select_related("organisation")).order_by(
        "kind", "organisation__name"
    )
    percent = round(100 * batch.done / batch.total) if batch.total else 0
    response = render(
        request,
        "portal/insights/batch.html",
        {
            "batch": batch,
            "reports": reports,
            "percent": percent,
            "drafts": [report for report in reports if report.status == Report.Status.DRAFT],
        },
    )
    if batch.is_running:
        response["Refresh"] = str(REFRESH_SECONDS)  # the page follows progress without JavaScript
    return response


def _noticed(request: HttpRequest, found: Any) -> list[Batch]:
    """The batches, any that stopped started again or marked as failed (and audited)."""
    found = list(found)
    noticed = batches.notice_stalled(found)
    for action, changed in (
        (Action.BATCH_RESTARTED, noticed.restarted),
        (Action.BATCH_STALLED, noticed.failed),
    ):
        for batch in changed:
            record(
                request,
                action,
                target=batch,
                upload=batch.upload_id,
                task=batch.task_id,
                reason=batch.message,
            )
    return found


@insights_only
@require_POST
def batch_publish(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_scoped_or_404(request.user, Batch.objects.all(), pk=pk)
    drafts = scoped(request.user, batch.reports.filter(status=Report.Status.DRAFT))
    if "all" not in request.POST:
        drafts = drafts.filter(pk__in=[value for value in request.POST.getlist("report") if value.isdigit()])
    published = [report for report in drafts.order_by("pk") if _publish(request, report)]
    messages.info(request, f"Published {len(published)} report(s)." if published else "No report was chosen.")
    return redirect("batch", pk=batch.pk)


@insights_only
@require_POST
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_scoped_or_404(request.user, Report.objects.filter(status=Report.Status.DRAFT), pk=pk)
    if _publish(request, report):
        messages.info(request, f"Published {report}.")
    return redirect("report", pk=report.pk)


def _publish(request: HttpRequest, report: Report) -> bool:
    try:
        superseded = publish(report, request.user)
    except StoreError as error:
        messages.error(request, str(error))
        return False
    record(
        request,
        Action.REPORT_PUBLISHED,
        target=report,
        organisation=report.organisation,
        version=report.version,
        superseded=superseded.pk if superseded else None,
    )
    return True
