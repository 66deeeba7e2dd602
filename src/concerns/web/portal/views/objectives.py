"""High impact action 1: an organisation adopts the draft objectives of its current report, and follows them.

Organisation users adopt and change their own organisation's objectives; their link adviser and the insights
team read them (`access.objective_access`). The baseline is copied from the report's report.json when an objective is
adopted, never from the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from concerns.web.portal import objectives
from concerns.web.portal.access import (
    Access,
    SignedInRequest,
    may_adopt,
    may_adopt_objectives,
    may_change_objective,
    objective_access,
    only,
    readers,
)
from concerns.web.portal.audit import Action, record
from concerns.web.portal.forms import DateField, NhsStyled, errors_of
from concerns.web.portal.models import AdoptedObjective, Report
from concerns.web.portal.scope import get_scoped_or_404, scoped

REVIEW_HINT = "The date the board will next review it. For example, 31 3 {year}"


class ObjectiveForm(NhsStyled, forms.Form):
    wording = forms.CharField(
        label="Objective",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The report's draft wording, yours to change.",
    )
    target = forms.CharField(label="Target", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    review_on = DateField(label="Review date", help_text=REVIEW_HINT.format(year=2027))

    def __init__(self, *args: Any, review_was: Any = None, **kwargs: Any) -> None:
        self.review_was = review_was
        super().__init__(*args, **kwargs)
        self.fields["review_on"].help_text = REVIEW_HINT.format(year=timezone.localdate().year + 1)

    def clean_review_on(self):
        day = self.cleaned_data["review_on"]
        if day != self.review_was and day <= timezone.localdate():
            raise forms.ValidationError("Review date must be in the future")
        return day


class ObjectiveChangeForm(ObjectiveForm):
    status = forms.ChoiceField(
        label="Status", choices=AdoptedObjective.Status.choices, widget=forms.RadioSelect
    )


def _report(request: HttpRequest, pk: int) -> Report:
    return get_scoped_or_404(request.user, Report.objects.select_related("organisation"), pk=pk)


def _active(request: HttpRequest, report: Report, comparison: str) -> AdoptedObjective | None:
    return (
        scoped(request.user, AdoptedObjective.objects.all())
        .filter(
            organisation=report.organisation_id, comparison=comparison, status=AdoptedObjective.Status.ACTIVE
        )
        .first()
    )


@only(may_adopt_objectives)
@require_http_methods(["GET", "POST"])
def objective_adopt(request: SignedInRequest, pk: int, comparison: str) -> HttpResponse:
    """Adopt one of the report's drafts; only a member of its organisation, on its current published report."""
    report = _report(request, pk)
    if not may_adopt(request.user, report):
        raise Http404("Not found")
    contents = objectives.read(report)
    draft, baseline = contents.draft(comparison), contents.baseline(comparison)
    if draft is None or baseline is None:
        raise Http404("Not found")
    existing = _active(request, report, comparison)
    if existing is not None:
        messages.info(
            request, f"Your organisation already has an active objective for this: {existing.wording}"
        )
        return redirect("objective_edit", pk=existing.pk)
    form = ObjectiveForm(request.POST or None, initial={"wording": draft.wording, "target": draft.target})
    if request.method == "POST" and form.is_valid():
        adopted = _adopt(request, report, comparison, baseline, form.cleaned_data)
        if adopted is not None:
            messages.success(request, f"Objective adopted: {adopted.wording}")
            return redirect(reverse("report", args=[report.pk]) + "#objectives")
        form.add_error(None, "Your organisation adopted an objective for this a moment ago")
    errors = request.method == "POST"
    return render(
        request,
        "portal/objectives/adopt.html",
        {
            "report": report,
            "draft": draft,
            "label": contents.label(comparison),
            "form": form,
            "errors": errors_of(form) if errors else [],
        },
        status=400 if errors else 200,
    )


def _adopt(
    request: SignedInRequest,
    report: Report,
    comparison: str,
    baseline: tuple[str, objectives.Figure],
    data: dict[str, Any],
) -> AdoptedObjective | None:
    verdict, figure = baseline
    assert report.organisation is not None  # may_adopt: an organisation's report
    try:
        with transaction.atomic():
            adopted = AdoptedObjective.objects.create(
                report=report,
                organisation=report.organisation,
                comparison=comparison,
                baseline_verdict=verdict,
                baseline_ratio=figure.ratio,
                baseline_low=figure.low,
                baseline_high=figure.high,
                adopted_by=request.user,
                **data,
            )
            record(
                request,
                Action.OBJECTIVE_ADOPTED,
                target=adopted,
                organisation=report.organisation,
                report=report.pk,
                comparison=comparison,
                baseline=figure.display,
                review_on=adopted.review_on.isoformat(),
            )
    except IntegrityError:  # another member adopted the same comparison at the same moment
        return None
    return adopted


@only(may_adopt_objectives)
@require_http_methods(["GET", "POST"])
def objective_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Change an adopted objective's wording, target, review date or status; its baseline never changes."""
    objective = get_scoped_or_404(
        request.user, AdoptedObjective.objects.select_related("report__organisation"), pk=pk
    )
    if not may_change_objective(request.user, objective):
        raise Http404("Not found")
    fields = ("wording", "target", "review_on", "status")
    form = ObjectiveChangeForm(
        request.POST or None,
        review_was=objective.review_on,
        initial={name: getattr(objective, name) for name in fields},
    )
    if request.method == "POST" and form.is_valid():
        if _change(request, objective, form.cleaned_data, fields):
            messages.success(request, "Objective changed")
        return redirect(reverse("report", args=[objective.report_id]) + "#objectives")
    errors = request.method == "POST"
    return render(
        request,
        "portal/objectives/edit.html",
        {
            "objective": objective,
            "baseline": objectives.baseline_of(objective),
            "form": form,
            "errors": errors_of(form) if errors else [],
        },
        status=400 if errors else 200,
    )


def _change(
    request: SignedInRequest, objective: AdoptedObjective, data: dict[str, Any], fields: tuple[str, ...]
) -> bool:
    changed = [name for name in fields if data[name] != getattr(objective, name)]
    if not changed:
        return False
    was = objective.status
    for name in changed:
        setattr(objective, name, data[name])
    objective.changed_by, objective.changed_at = request.user, timezone.now()
    try:
        with transaction.atomic():
            objective.save(update_fields=[*changed, "changed_by", "changed_at"])
            record(
                request,
                Action.OBJECTIVE_CHANGED,
                target=objective,
                organisation=objective.organisation,
                changed=changed,
                status=objective.status,
                **({"status_was": was} if "status" in changed else {}),
            )
    except IntegrityError:  # made active again while another objective for it is active
        messages.error(request, "Your organisation already has an active objective for this comparison")
        return False
    return True


@readers
@require_GET
def objective_list(request: HttpRequest) -> HttpResponse:
    """Every objective the user may read, each against its organisation's current report where that is later."""
    adopted = scoped(
        request.user, AdoptedObjective.objects.select_related("report", "organisation", "adopted_by")
    ).order_by("organisation__name", "status", "review_on", "pk")
    current = {
        report.organisation_id: report
        for report in scoped(
            request.user,
            Report.objects.filter(
                organisation__in={item.organisation_id for item in adopted},
                kind=Report.Kind.ORGANISATION,
                status=Report.Status.PUBLISHED,
            ),
        )
    }
    contents = {report.pk: objectives.read(report) for report in current.values()}
    rows = []
    for item in adopted:
        now = current.get(item.organisation_id)
        later = now if now is not None and now.as_of > item.report.as_of else None
        rows.append(_row(item, contents[now.pk] if now else objectives.Contents(), later))
    return render(
        request,
        "portal/objectives/list.html",
        {"rows": rows, "can_change": may_adopt_objectives(request.user)},
    )


def _row(item: AdoptedObjective, contents: objectives.Contents, later: Report | None) -> objectives.Row:
    return objectives.Row(
        objective=item,
        label=contents.label(item.comparison),
        baseline=objectives.baseline_of(item),
        against=later,
        progress=objectives.progress(item, contents) if later is not None else None,
    )


def report_section(request: HttpRequest, report: Report) -> dict[str, Any]:
    """The objectives section of a report's page: the report's drafts, and its organisation's objectives
    adopted against it or an earlier report (each against this report's figure when this one is later)."""
    if report.kind != Report.Kind.ORGANISATION:
        return {}
    contents = objectives.read(report)
    adopted = (
        scoped(request.user, AdoptedObjective.objects.select_related("report", "adopted_by"))
        .filter(organisation=report.organisation_id, report__as_of__lte=report.as_of)
        .order_by("status", "review_on", "pk")
    )
    active = {item.comparison: item for item in adopted if item.status == AdoptedObjective.Status.ACTIVE}
    can_adopt = may_adopt(request.user, report)
    drafts = [
        {
            "draft": draft,
            "adopted": active.get(draft.comparison),
            "can_adopt": can_adopt and contents.baseline(draft.comparison) is not None,
        }
        for draft in contents.drafts
    ]
    return {
        "drafts": drafts,
        "can_adopt_any": any(row["can_adopt"] and not row["adopted"] for row in drafts),
        "adopted": [
            _row(item, contents, report if item.report.as_of < report.as_of else None) for item in adopted
        ],
        "can_change_objectives": objective_access(request.user, report.organisation_id) is Access.WRITE,
    }
