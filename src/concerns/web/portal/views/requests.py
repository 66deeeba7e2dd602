"""Report requests: an organisation user asks for a report on an organisation not yet served; insights decide.

Accepting a request for an organisation not yet in the list can add it (served) in the same step.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from concerns.web.portal.access import SignedInRequest, may_decide_requests, may_see_requests, only
from concerns.web.portal.audit import Action, record
from concerns.web.portal.forms import NhsStyled, errors_of
from concerns.web.portal.forms_manage import NATIONS
from concerns.web.portal.models import Organisation, ReportRequest
from concerns.web.portal.scope import get_scoped_or_404, scoped

NEW_ORGANISATION = "organisation"  # the prefix of the new organisation's fields


class RequestForm(NhsStyled, forms.ModelForm):
    class Meta:
        model = ReportRequest
        fields = ["organisation_name", "organisation_code", "reason"]
        labels = {
            "organisation_name": "Organisation name",
            "organisation_code": "ODS code (optional)",
            "reason": "Why do you need this report?",
        }
        widgets = {"reason": forms.Textarea(attrs={"rows": 5})}
        error_messages = {"reason": {"required": "Enter why you need this report"}}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(ReportRequest.Status.ACCEPTED, "Accept"), (ReportRequest.Status.DECLINED, "Decline")]
    )
    response = forms.CharField(required=False, max_length=2000)
    create_organisation = forms.BooleanField(required=False)

    @property
    def creates_organisation(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("create_organisation")) and data.get("decision") == ReportRequest.Status.ACCEPTED


class NewOrganisationForm(NhsStyled, forms.ModelForm):
    """The organisation a request names, added as served; its code is required."""

    nation = forms.ChoiceField(choices=NATIONS)

    class Meta:
        model = Organisation
        fields = ["code", "name", "nation"]
        labels = {"code": "Organisation code", "name": "Organisation name"}
        help_texts = {"code": "The ODS code, for example RX1. Needed to add the organisation."}

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


def _ids(item: ReportRequest) -> str:
    return f"id_request-{item.pk}-%s"  # each request's form on the review page has its own field ids


def new_organisation_form(item: ReportRequest, data: Any = None) -> NewOrganisationForm:
    initial = {"code": item.organisation_code.upper(), "name": item.organisation_name}
    return NewOrganisationForm(data, prefix=NEW_ORGANISATION, auto_id=_ids(item), initial=initial)


def known_organisation(user: Any, item: ReportRequest) -> Organisation | None:
    """The organisation already in the list that this request names (by code, or by name without one)."""
    match = (
        Q(code__iexact=item.organisation_code)
        if item.organisation_code
        else Q(name__iexact=item.organisation_name)
    )
    return scoped(user, Organisation.objects.filter(match)).first()


@only(may_see_requests)
@require_http_methods(["GET", "POST"])
def request_list(request: HttpRequest) -> HttpResponse:
    if may_decide_requests(request.user):
        if request.method == "POST":
            return redirect("report_requests")
        return _review(request)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = form.save(commit=False)
        made.requested_by = request.user
        made.save()
        record(
            request,
            Action.REPORT_REQUESTED,
            target=made,
            name=made.organisation_name,
            code=made.organisation_code,
        )
        return redirect("report_requests")
    mine = scoped(request.user, ReportRequest.objects.all())
    return render(
        request,
        "portal/requests/mine.html",
        {"form": form, "requests": mine, "errors": errors_of(form)},
        status=400 if form.errors else 200,
    )


def _review(
    request: HttpRequest,
    refused: ReportRequest | None = None,
    refused_form: NewOrganisationForm | None = None,
) -> HttpResponse:
    """Every request; an open one whose organisation is not yet listed offers to add it."""
    items = []
    for item in scoped(request.user, ReportRequest.objects.select_related("requested_by", "decided_by")):
        entry: dict[str, Any] = {"item": item}
        if item.status == ReportRequest.Status.OPEN:
            entry["known"] = known_organisation(request.user, item)
            if entry["known"] is None:
                entry["new"] = refused_form if refused == item else new_organisation_form(item)
            if refused == item:
                entry["response"] = request.POST.get("response", "")
        items.append(entry)
    errors = errors_of(refused_form) if refused_form is not None else []
    return render(
        request,
        "portal/requests/review.html",
        {"items": items, "errors": errors},
        status=400 if errors else 200,
    )


@only(may_decide_requests)
@require_POST
def request_decide(request: SignedInRequest, pk: int) -> HttpResponse:
    found = get_scoped_or_404(
        request.user, ReportRequest.objects.filter(status=ReportRequest.Status.OPEN), pk=pk
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return redirect("report_requests")
    new = new_organisation_form(found, request.POST) if form.creates_organisation else None
    if new is not None and not new.is_valid():
        return _review(request, found, new)
    with transaction.atomic():
        organisation = _add_organisation(request, found, new) if new is not None else None
        found.status = form.cleaned_data["decision"]
        found.response = form.cleaned_data["response"]
        found.decided_by, found.decided_at = request.user, timezone.now()
        found.save()
        record(
            request,
            Action.REPORT_REQUEST_DECIDED,
            target=found,
            organisation=organisation,
            decision=found.status,
            organisation_created=organisation.code if organisation else None,
        )
    return redirect("report_requests")


def _add_organisation(request: HttpRequest, found: ReportRequest, new: NewOrganisationForm) -> Organisation:
    organisation = new.save(commit=False)
    organisation.served = True
    organisation.save()
    record(
        request,
        Action.ORGANISATION_CREATED,
        target=organisation,
        organisation=organisation,
        code=organisation.code,
        name=organisation.name,
        nation=organisation.nation,
        served=True,
        report_request=found.pk,
    )
    messages.success(request, f"{organisation.name} is added to the organisations and will be reported on.")
    return organisation
