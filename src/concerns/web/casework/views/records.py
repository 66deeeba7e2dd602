"""Adding and changing the records of a case: one pair of views for every kind of record."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from concerns.web.casework import forms as f
from concerns.web.casework.models import (
    Case,
    CaseEntry,
    Exclusion,
    ExclusionReview,
    Hpan,
    HpanReview,
    Recorded,
)
from concerns.web.casework.views._common import render_form
from concerns.web.portal.access import SignedInRequest, casework_staff
from concerns.web.portal.scope import get_scoped_or_404


@dataclass(frozen=True)
class Kind:
    name: str  # as in "Add an exclusion"
    form: type[forms.ModelForm]
    parent: type[Recorded]
    parent_field: str

    @property
    def model(self) -> type[Recorded]:
        return self.form._meta.model


KINDS: dict[str, Kind] = {
    "entry": Kind("a contact or note", f.EntryForm, Case, "case"),
    "third-party": Kind("a person named in the records", f.ThirdPartyForm, Case, "case"),
    "exclusion": Kind("an exclusion", f.ExclusionForm, Case, "case"),
    "exclusion-review": Kind("an exclusion review", f.ExclusionReviewForm, Exclusion, "exclusion"),
    "assessment": Kind("an assessment", f.AssessmentForm, Case, "case"),
    "action-plan": Kind("an action plan", f.ActionPlanForm, Case, "case"),
    "team-review": Kind("a team review", f.TeamReviewForm, Case, "case"),
    "hpan": Kind("an alert (HPAN)", f.HpanForm, Case, "case"),
    "hpan-review": Kind("an alert review", f.HpanReviewForm, Hpan, "hpan"),
}
REVIEWED = {"exclusion-review", "hpan-review"}


def kind_of(slug: str) -> Kind:
    if slug not in KINDS:
        raise Http404("Not found")
    return KINDS[slug]


def _case_of(instance: Recorded) -> Case:
    case = instance.case_of()
    assert case is not None  # every kind of record here belongs to a case
    return case


@casework_staff
def record_new(request: SignedInRequest, kind: str, parent: int) -> HttpResponse:
    spec = kind_of(kind)
    owner = get_scoped_or_404(request.user, spec.parent.objects.all(), pk=parent)
    instance = spec.model(**{spec.parent_field: owner})
    case = _case_of(instance)
    if kind == "entry":
        assert isinstance(instance, CaseEntry)  # KINDS["entry"]
        instance.recorded_by = request.user
    if kind in REVIEWED:
        # The reviews, of an exclusion or an alert (KINDS).
        assert isinstance(owner, Exclusion | Hpan) and isinstance(instance, ExclusionReview | HpanReview)
        if owner.next_review_on is None:
            messages.info(request, "It has ended, so there is no review to record.")
            return redirect("casework:case", pk=case.pk)
        instance.due_on = owner.next_review_on
    return _edit(request, spec, instance, f"Add {spec.name}", case)


@casework_staff
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_of(kind)
    instance = get_scoped_or_404(request.user, spec.model.objects.all(), pk=pk)
    return _edit(request, spec, instance, f"Change {spec.name}", _case_of(instance))


def _edit(request: HttpRequest, spec: Kind, instance: Recorded, title: str, case: Case) -> HttpResponse:
    form = spec.form(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save(commit=False).save(by=request.user)
        return redirect("casework:case", pk=case.pk)
    return render_form(
        request, f"{title} – case {case.reference}", [form], back=reverse("casework:case", args=[case.pk])
    )
