"""Report requests: an organisation user asks for a report on an organisation not yet served; insights decide."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from concerns.web.portal.audit import Action, record
from concerns.web.portal.models import ReportRequest
from concerns.web.portal.roles import Role
from concerns.web.portal.scope import get_scoped_or_404, scoped
from concerns.web.portal.views._access import insights_only, roles
from concerns.web.portal.views._forms import NhsStyled, errors_of

REQUEST_DECIDED = "report-request-decided"


class RequestForm(NhsStyled, forms.ModelForm):
    class Meta:
        model = ReportRequest
        fields = ["organisation_name", "organisation_code", "reason"]
        labels = {"organisation_name": "Organisation name", "organisation_code": "ODS code (optional)",
                  "reason": "Why do you need this report?"}
        widgets = {"reason": forms.Textarea(attrs={"rows": 5})}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(ReportRequest.Status.ACCEPTED, "Accept"),
                                          (ReportRequest.Status.DECLINED, "Decline")])
    response = forms.CharField(required=False, max_length=2000)


@roles(Role.ORGANISATION, Role.INSIGHTS)
@require_http_methods(["GET", "POST"])
def request_list(request: HttpRequest) -> HttpResponse:
    if request.user.role == Role.INSIGHTS:
        if request.method == "POST":
            return redirect("report_requests")
        requests = scoped(request.user, ReportRequest.objects.select_related("requested_by", "decided_by"))
        return render(request, "portal/requests/review.html", {"requests": requests})
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = form.save(commit=False)
        made.requested_by = request.user
        made.save()
        record(request, Action.REPORT_REQUESTED, target=made, name=made.organisation_name,
               code=made.organisation_code)
        return redirect("report_requests")
    mine = scoped(request.user, ReportRequest.objects.all())
    return render(request, "portal/requests/mine.html", {"form": form, "requests": mine, "errors": errors_of(form)},
                  status=400 if form.errors else 200)


@insights_only
@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_scoped_or_404(request.user, ReportRequest.objects.filter(status=ReportRequest.Status.OPEN), pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        found.status = form.cleaned_data["decision"]
        found.response = form.cleaned_data["response"]
        found.decided_by, found.decided_at = request.user, timezone.now()
        found.save()
        record(request, REQUEST_DECIDED, target=found, decision=found.status)
    return redirect("report_requests")
