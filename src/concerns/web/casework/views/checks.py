"""Registration checks: cases opened with a registration the register already holds, by someone who could not
see that practitioner's identity. The insights team says whether it is the same practitioner."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from concerns.web.casework.forms import RegistrationCheckForm
from concerns.web.casework.models import Practitioner, PractitionerIdentity, RegistrationMatch
from concerns.web.casework.views._common import Action
from concerns.web.portal.access import SignedInRequest, may_check_registrations, only
from concerns.web.portal.audit import record
from concerns.web.portal.forms import errors_of
from concerns.web.portal.scope import get_scoped_or_404, scoped

SAME_REGISTRATION = "That is the registration of the practitioner the case is linked to: choose “Yes”"


@only(may_check_registrations)
def check_list(request: HttpRequest) -> HttpResponse:
    checks = scoped(request.user, RegistrationMatch.objects.select_related("case__organisation"))
    return render(
        request,
        "casework/check_list.html",
        {
            "open": checks.filter(status=RegistrationMatch.Status.OPEN),
            "done": checks.exclude(status="open")[:20],
        },
    )


@only(may_check_registrations)
def check_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    check = get_scoped_or_404(
        request.user,
        RegistrationMatch.objects.select_related("case__organisation", "case__practitioner__identity"),
        pk=pk,
    )
    initial = {
        name: getattr(check, name) for name in ("full_name", "registration_body", "registration_number")
    }
    form = RegistrationCheckForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not check.is_open:
            raise Http404("Not found")
        if form.is_valid() and _resolve(request, check, form):
            return redirect("casework:checks")
    registered = check.case.practitioner.identity
    record(
        request,
        Action.IDENTITY_VIEWED,
        target=check.case.practitioner,
        pseudonym=registered.practitioner.pseudonym,
    )
    return render(
        request,
        "casework/check_detail.html",
        {"check": check, "registered": registered, "form": form, "errors": errors_of(form)},
    )


def _resolve(request: SignedInRequest, check: RegistrationMatch, form: RegistrationCheckForm) -> bool:
    """Record the answer; False (with the form's error) if the details given cannot be recorded."""
    data = form.cleaned_data
    case = check.case
    with transaction.atomic():
        if data["status"] == RegistrationMatch.Status.DIFFERENT:
            target = _practitioner_with(data, request.user)
            if target == case.practitioner:
                form.add_error("registration_number", SAME_REGISTRATION)
                return False
            case.practitioner = target
            case.save(by=request.user)
        check.status, check.resolved_by, check.resolved_at = data["status"], request.user, timezone.now()
        check.save(by=request.user)
        record(
            request,
            Action.REGISTRATION_CHECK_RESOLVED,
            target=check,
            case=case.reference,
            answer=check.get_status_display().lower(),
            pseudonym=case.practitioner.pseudonym,
        )
    return True


def _practitioner_with(data: dict[str, str], user: object) -> Practitioner:
    """The practitioner with the registration given, or a new one with these details."""
    found = PractitionerIdentity.objects.filter(
        registration_body=data["registration_body"], registration_number=data["registration_number"]
    ).first()
    if found is not None:
        return found.practitioner
    practitioner = Practitioner()
    practitioner.save(by=user)
    PractitionerIdentity(
        practitioner=practitioner,
        full_name=data["full_name"],
        registration_body=data["registration_body"],
        registration_number=data["registration_number"],
    ).save(by=user)
    return practitioner
