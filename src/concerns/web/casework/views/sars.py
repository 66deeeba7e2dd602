"""Subject access requests: log them, search every record of the practitioner, download the pack."""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from concerns.web.casework import sar
from concerns.web.casework.forms import FindPractitionerForm, SubjectAccessForm
from concerns.web.casework.models import Practitioner, PractitionerIdentity, SubjectAccessRequest
from concerns.web.casework.views._common import Action, render_form, today
from concerns.web.portal.access import may_handle_subject_access, only
from concerns.web.portal.audit import record
from concerns.web.portal.scope import get_scoped_or_404, scoped

logger = logging.getLogger(__name__)
PACK_TYPES = {"json": "application/json", "pdf": "application/pdf"}


@only(may_handle_subject_access)
def sar_list(request: HttpRequest) -> HttpResponse:
    requests = scoped(request.user, SubjectAccessRequest.objects.select_related("practitioner"))
    day = today()
    return render(
        request,
        "casework/sar_list.html",
        {"rows": [(item, item.is_overdue(day)) for item in requests], "today": day},
    )


@only(may_handle_subject_access)
def sar_new(request: HttpRequest) -> HttpResponse:
    find = FindPractitionerForm(request.POST or None, prefix="find")
    form = SubjectAccessForm(request.POST or None, prefix="sar", initial={"received_on": today()})
    if request.method == "POST" and all([find.is_valid(), form.is_valid()]):
        practitioner = _find(request, find.cleaned_data)
        if practitioner is None:
            find.add_error(
                None,
                "No practitioner in the register has this registration or reference; "
                "answer that we hold no case about them.",
            )
        else:
            with transaction.atomic():
                item = form.save(commit=False)
                item.practitioner = practitioner
                item.save(by=request.user)
            return redirect("casework:sar", pk=item.pk)
    return render_form(request, "Log a subject access request", [find, form], back=reverse("casework:sars"))


def _find(request: HttpRequest, data: dict[str, str]) -> Practitioner | None:
    if data.get("registration_body") and data.get("registration_number"):
        identity = scoped(
            request.user,
            PractitionerIdentity.objects.filter(
                registration_body=data["registration_body"],
                registration_number=data["registration_number"].strip().upper(),
            ),
        ).first()
        return identity.practitioner if identity else None
    return scoped(
        request.user, Practitioner.objects.filter(pseudonym=data["pseudonym"].strip().upper())
    ).first()


@only(may_handle_subject_access)
def sar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_or_404(request.user, SubjectAccessRequest.objects.select_related("practitioner"), pk=pk)
    found = sar.records_of(item.practitioner)
    record(request, Action.SAR_RECORDS_VIEWED, target=item, pseudonym=item.practitioner.pseudonym)
    return render(
        request,
        "casework/sar_detail.html",
        {
            "item": item,
            "today": today(),
            "overdue": item.is_overdue(today()),
            "found": [
                (str(model._meta.verbose_name_plural).capitalize(), rows) for model, rows in found.items()
            ],
            "total": sum(len(rows) for rows in found.values()),
        },
    )


@only(may_handle_subject_access)
def sar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_or_404(request.user, SubjectAccessRequest.objects.all(), pk=pk)
    form = SubjectAccessForm(request.POST or None, instance=item, prefix="sar")
    if request.method == "POST" and form.is_valid():
        form.save(commit=False).save(by=request.user)
        return redirect("casework:sar", pk=item.pk)
    return render_form(
        request, "Change the subject access request", [form], back=reverse("casework:sar", args=[item.pk])
    )


@only(may_handle_subject_access)
def sar_pack(request: HttpRequest, pk: int, file_type: str) -> HttpResponse:
    item = get_scoped_or_404(request.user, SubjectAccessRequest.objects.select_related("practitioner"), pk=pk)
    if file_type not in PACK_TYPES:
        return HttpResponse(status=404)
    pack = sar.build_pack(item, prepared_on=today())
    try:
        body = sar.pack_json(pack) if file_type == "json" else sar.pack_pdf(pack)
    except sar.PackRenderError:
        logger.exception("Subject access pack %s could not be typeset", item.pk)
        return render(request, "casework/sar_pack_failed.html", {"item": item}, status=503)
    record(
        request,
        Action.SAR_PACK_DOWNLOADED,
        target=item,
        format=file_type,
        pseudonym=item.practitioner.pseudonym,
    )
    response = HttpResponse(body, content_type=PACK_TYPES[file_type])
    name = f"subject-access-{item.practitioner.pseudonym}-{pack['prepared_on']}.{file_type}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
