"""Cases, their practitioners, and the staff's lists of what is due."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from concerns import vocabulary as v
from concerns.web.casework import dates, lists, measures
from concerns.web.casework.export import services_used
from concerns.web.casework.forms import CaseForm, IdentityForm, NewPractitionerForm
from concerns.web.casework.models import (
    Case,
    ChangeRecord,
    Practitioner,
    PractitionerIdentity,
    RegistrationMatch,
)
from concerns.web.casework.rules import identity_pending
from concerns.web.casework.views._common import Action, facts, render_form, today
from concerns.web.portal.access import (
    SignedInRequest,
    casework_staff,
    may_advise_cases,
    may_correct_identity,
    may_see_identity,
)
from concerns.web.portal.audit import record
from concerns.web.portal.scope import get_scoped_or_404, scoped

CASES_PER_PAGE = 50
CORRECTED_BY_INSIGHTS = (
    "This practitioner also has cases you do not see, so only the insights team corrects their "
    "identifying details. Ask them to make the correction."
)
CASE_FACTS = [
    "organisation",
    "adviser",
    "status",
    "opened_on",
    "first_response_on",
    "closed_on",
    "outcome",
    "summary",
    "concerns",
    "profession",
    "grade",
    "specialty",
    "sex",
    "age_band",
    "ethnicity",
    "pmq",
    "disability",
]


@casework_staff
def home(request: SignedInRequest) -> HttpResponse:
    day = today()
    cases = scoped(request.user, Case.objects.all())
    return render(
        request,
        "casework/home.html",
        {
            "today": day,
            "reviews_due": lists.exclusions_due_for_review(request.user, day),
            "overdue": lists.overdue_items(request.user, day),
            "open_requests": lists.open_subject_access_requests(request.user, day),
            "checks_open": scoped(
                request.user, RegistrationMatch.objects.filter(status=RegistrationMatch.Status.OPEN)
            ).count(),
            "my_cases": cases.filter(adviser=request.user, status=Case.Status.OPEN).select_related(
                "organisation"
            ),
            "open_cases": cases.filter(status=Case.Status.OPEN).count(),
        },
    )


@casework_staff
def case_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Case.Status.OPEN)
    cases = scoped(request.user, Case.objects.select_related("organisation", "practitioner", "adviser"))
    if status in Case.Status.values:
        cases = cases.filter(status=status)
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "casework/case_list.html", {"page": page, "status": status, "statuses": Case.Status.choices}
    )


@casework_staff
def case_new(request: HttpRequest) -> HttpResponse:
    initial = {"opened_on": today(), "adviser": request.user if may_advise_cases(request.user) else None}
    case_form = CaseForm(request.POST or None, user=request.user, initial=initial, prefix="case")
    who_form = NewPractitionerForm(request.POST or None, prefix="practitioner")
    if request.method == "POST" and all([who_form.is_valid(), case_form.is_valid()]):
        case = _open_case(request, case_form, who_form.cleaned_data)
        return redirect("casework:case", pk=case.pk)
    return render_form(
        request,
        "Open a case",
        [who_form, case_form],
        back=reverse("casework:cases"),
        intro="The practitioner's name and registration are kept apart from the case, "
        "which refers to them by a pseudonym.",
    )


def _open_case(request: HttpRequest, case_form: CaseForm, details: dict[str, str]) -> Case:
    """Save the case, linked to the practitioner with this registration (repeat cases share one pseudonym)
    or to a new one. A registration someone could not already see is checked by the insights team before
    the identity is shown with their case: a registration number alone never hands over an identity."""
    registered = _registered(details)
    # Asked before the case is saved: once it is, its adviser is an adviser of one of the practitioner's cases.
    could_see = registered is not None and may_see_identity(request.user, registered.practitioner)
    with transaction.atomic():
        case = case_form.save(commit=False)
        case.practitioner = (
            registered.practitioner if registered else _new_practitioner(details, request.user)
        )
        case.save(by=request.user)
        if registered is not None and not could_see:
            _queue_check(request, case, details)
    if could_see and registered is not None and registered.full_name != details["full_name"].strip():
        messages.warning(
            request,
            f"This registration is already in the register, as practitioner {case.practitioner.pseudonym}, "
            "under another name. The case is linked to them. If the name you entered is the right one, "
            "correct their identifying details.",
        )
    return case


def _registered(details: dict[str, str]) -> PractitionerIdentity | None:
    return (
        PractitionerIdentity.objects.filter(  # matching only: nothing of it is shown unless the rules allow
            registration_body=details["registration_body"],
            registration_number=details["registration_number"].strip().upper(),
        )
        .select_related("practitioner")
        .first()
    )


def _new_practitioner(details: dict[str, str], user: object) -> Practitioner:
    practitioner = Practitioner()
    practitioner.save(by=user)
    PractitionerIdentity(
        practitioner=practitioner,
        full_name=details["full_name"].strip(),
        registration_body=details["registration_body"],
        registration_number=details["registration_number"].strip().upper(),
    ).save(by=user)
    return practitioner


def _queue_check(request: HttpRequest, case: Case, details: dict[str, str]) -> None:
    check = RegistrationMatch(
        case=case,
        full_name=details["full_name"].strip(),
        registration_body=details["registration_body"],
        registration_number=details["registration_number"].strip().upper(),
    )
    check.save(by=request.user)
    record(request, Action.REGISTRATION_CHECK_QUEUED, target=check, case=case.reference)
    messages.info(
        request,
        "The insights team will check the practitioner's registration before their identifying details "
        "are shown with this case.",
    )


@casework_staff
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_scoped_or_404(
        request.user, Case.objects.select_related("organisation", "practitioner", "adviser"), pk=pk
    )
    day = today()
    exclusions = list(case.exclusions.prefetch_related("reviews"))
    hpans = list(case.hpans.prefetch_related("reviews"))
    return render(
        request,
        "casework/case_detail.html",
        {
            "case": case,
            "today": day,
            "facts": facts(case, CASE_FACTS),
            "services": "; ".join(v.SERVICES.label(code) for code in services_used(case)),
            "entries": case.entries.select_related("recorded_by"),
            "third_parties": case.third_parties.all(),
            "exclusions": [(exclusion, exclusion.flags(day)) for exclusion in exclusions],
            "assessments": case.assessments.all(),
            "action_plans": case.action_plans.all(),
            "team_reviews": case.team_reviews.all(),
            "hpans": [(hpan, hpan.flags(day)) for hpan in hpans],
            "history": scoped(request.user, ChangeRecord.objects.filter(case=case))[:50],
            "can_see_identity": may_see_identity(request.user, case.practitioner),
            "identity_pending": identity_pending(case),
        },
    )


@casework_staff
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_scoped_or_404(request.user, Case.objects.all(), pk=pk)
    form = CaseForm(request.POST or None, instance=case, user=request.user, prefix="case")
    if request.method == "POST" and form.is_valid():
        form.save(commit=False).save(by=request.user)
        return redirect("casework:case", pk=case.pk)
    return render_form(
        request, f"Change case {case.reference}", [form], back=reverse("casework:case", args=[case.pk])
    )


@casework_staff
def practitioner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    practitioner = get_scoped_or_404(request.user, Practitioner.objects.all(), pk=pk)
    cases = scoped(request.user, practitioner.cases.select_related("organisation"))
    return render(
        request,
        "casework/practitioner.html",
        {
            "practitioner": practitioner,
            "cases": cases,
            "can_see_identity": may_see_identity(request.user, practitioner),
        },
    )


@casework_staff
def practitioner_identity(request: HttpRequest, pk: int) -> HttpResponse:
    identity = get_scoped_or_404(
        request.user, PractitionerIdentity.objects.select_related("practitioner"), practitioner__pk=pk
    )
    record(
        request,
        Action.IDENTITY_VIEWED,
        target=identity.practitioner,
        pseudonym=identity.practitioner.pseudonym,
    )
    return render(
        request,
        "casework/identity.html",
        {
            "identity": identity,
            "practitioner": identity.practitioner,
            "can_correct": may_correct_identity(request.user, identity.practitioner),
        },
    )


@casework_staff
def identity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    identity = get_scoped_or_404(
        request.user, PractitionerIdentity.objects.select_related("practitioner"), practitioner__pk=pk
    )
    if not may_correct_identity(request.user, identity.practitioner):
        raise PermissionDenied(CORRECTED_BY_INSIGHTS)
    before = {name: getattr(identity, name) for name in IdentityForm.Meta.fields}
    form = IdentityForm(request.POST or None, instance=identity)
    if request.method == "POST" and form.is_valid():
        changed = [name for name, value in before.items() if form.cleaned_data[name] != value]
        if changed:
            with transaction.atomic():
                form.save(commit=False).save(by=request.user)
                # Field names only: the audit log, like the history, never holds identifying values.
                record(
                    request,
                    Action.IDENTITY_CORRECTED,
                    target=identity.practitioner,
                    pseudonym=identity.practitioner.pseudonym,
                    fields=changed,
                )
        return redirect("casework:identity", pk=pk)
    return render_form(
        request,
        f"Correct the identifying details of {identity.practitioner.pseudonym}",
        [form],
        back=reverse("casework:identity", args=[pk]),
        intro="The change is recorded (who, when and which details changed, not their values).",
    )


@casework_staff
def service_measures(request: HttpRequest) -> HttpResponse:
    day = today()
    return render(
        request,
        "casework/measures.html",
        {
            "today": day,
            "target": measures.TARGET,
            "reviews": measures.monthly_shares(lists.exclusion_reviews_due(request.user, day), day),
            "responses": measures.monthly_shares(lists.case_responses_due(request.user), day),
            "response_days": dates.RESPONSE_TARGET_WORKING_DAYS,
        },
    )
