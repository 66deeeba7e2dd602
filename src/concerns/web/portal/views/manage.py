"""Administration: users, roles, memberships, assignments (administrators); organisations (administrators and
the insights team); the audit log.

Everyone else gets 404 from these pages.
Every change to a role, membership, assignment, account or organisation is written to the audit log.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from concerns.web.portal import twofactor
from concerns.web.portal.access import admin_only, may_read_audit_log, only, organisation_keepers
from concerns.web.portal.audit import Action, action_choices, record
from concerns.web.portal.forms_accounts import PasswordResetForm
from concerns.web.portal.forms_manage import (
    AssignmentForm,
    AuditFilterForm,
    MembershipForm,
    OrganisationForm,
    UserCreateForm,
    UserEditForm,
)
from concerns.web.portal.models import Assignment, AuditEvent, Membership, Organisation, User
from concerns.web.portal.roles import Role
from concerns.web.portal.scope import get_scoped_or_404, scoped

PAGE_SIZE = 50


def _page(request: HttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# Users ---------------------------------------------------------------------------------------------------


@admin_only
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    people = (
        scoped(request.user, User.objects.all())
        .annotate(two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .prefetch_related("memberships__organisation", "assignments__organisation")
        .order_by("username")
    )
    return render(request, "portal/manage/users.html", {"page": _page(request, people)})


@admin_only
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save(commit=False)
            person.set_password(secrets.token_urlsafe(32))  # never told to anyone: they choose their own
            person.save()
            record(request, Action.USER_CREATED, target=person, subject=person.username, role=person.role)
        _send_welcome(request, person)
        messages.success(
            request, f"{person.username} is added. We have emailed them a link to choose a password."
        )
        return redirect("user_detail", pk=person.pk)
    return render(request, "portal/manage/user_create.html", {"form": form})


def _send_welcome(request: HttpRequest, person: User) -> None:
    form = PasswordResetForm({"email": person.email})
    if form.is_valid():
        form.save(
            request=request,
            use_https=request.is_secure(),
            subject_template_name="portal/manage/welcome_subject.txt",
            email_template_name="portal/manage/welcome_email.txt",
        )


@admin_only
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped_or_404(request.user, User.objects.all(), pk=pk)
    # The form edits a copy, so the page shows what is stored until the changes are valid and saved.
    form = UserEditForm(request.POST or None, instance=User.objects.get(pk=person.pk))
    if request.method == "POST" and form.is_valid():
        refusal = _refuse_self_lockout(request, person, form.cleaned_data)
        if refusal is None:
            _save_user(request, person, form)
            messages.success(request, f"The changes to {person.username} are saved.")
            return redirect("user_detail", pk=person.pk)
        form.add_error(None, refusal)
    return _render_user(request, person, edit_form=form)


def _refuse_self_lockout(request: HttpRequest, person: User, changes: dict[str, Any]) -> str | None:
    if person.pk != request.user.pk:
        return None
    if changes["role"] != Role.ADMIN:
        return "You cannot remove your own administrator role: ask another administrator"
    if not changes["is_active"]:
        return "You cannot deactivate your own account: ask another administrator"
    return None


def _save_user(request: HttpRequest, stored: User, form: UserEditForm) -> None:
    with transaction.atomic():
        person = form.save()
        if stored.role != person.role:
            _role_changed(request, person, stored.role)
        changed = {
            name: {"from": getattr(stored, name), "to": getattr(person, name)}
            for name in ("first_name", "last_name", "email", "is_active")
            if getattr(stored, name) != getattr(person, name)
        }
        if changed:
            record(request, Action.USER_CHANGED, target=person, subject=person.username, changes=changed)


def _role_changed(request: HttpRequest, person: User, old_role: str) -> None:
    """Record the change, drop links the new role cannot have, and make new staff enrol in two-factor."""
    record(
        request,
        Action.ROLE_CHANGED,
        target=person,
        subject=person.username,
        old_role=old_role,
        new_role=person.role,
    )
    if person.role != Role.ORGANISATION:
        for membership in person.memberships.select_related("organisation"):
            _remove_membership(request, membership, reason="role changed")
    if person.role != Role.ADVISER:
        for assignment in person.assignments.select_related("organisation"):
            _remove_assignment(request, assignment, reason="role changed")
    if person.is_advice_staff:
        removed = twofactor.reset(person)
        record(
            request,
            Action.TWO_FACTOR_RESET,
            target=person,
            subject=person.username,
            devices_removed=removed,
            reason="staff role",
        )


@admin_only
@require_POST
def user_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped_or_404(request.user, User.objects.all(), pk=pk)
    removed = twofactor.reset(person)
    record(
        request,
        Action.TWO_FACTOR_RESET,
        target=person,
        subject=person.username,
        devices_removed=removed,
        reason="administrator",
    )
    messages.success(
        request, f"{person.username} will set up two-factor authentication again when they next sign in."
    )
    return redirect("user_detail", pk=person.pk)


def _render_user(request: HttpRequest, person: User, **forms: Any) -> HttpResponse:
    context = {
        "person": person,
        "edit_form": forms.get("edit_form") or UserEditForm(instance=person),
        "memberships": person.memberships.select_related("organisation").order_by("organisation__name"),
        "assignments": person.assignments.select_related("organisation").order_by("organisation__name"),
        "two_factor_on": twofactor.has_confirmed_device(person),
    }
    if person.role == Role.ORGANISATION:
        context["membership_form"] = forms.get("membership_form") or MembershipForm(prefix="membership")
    if person.role == Role.ADVISER:
        context["assignment_form"] = forms.get("assignment_form") or AssignmentForm(prefix="assignment")
    return render(request, "portal/manage/user_detail.html", context)


# Memberships and assignments ---------------------------------------------------------------------------


@admin_only
@require_POST
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped_or_404(request.user, User.objects.all(), pk=pk, role=Role.ORGANISATION)
    form = MembershipForm(request.POST, prefix="membership")
    if form.is_valid():
        organisation = form.cleaned_data["organisation"]
        if person.memberships.filter(organisation=organisation).exists():
            form.add_error("organisation", f"{person.username} is already a member of {organisation.name}")
        else:
            membership = Membership.objects.create(
                user=person, organisation=organisation, position=form.cleaned_data["position"]
            )
            record(
                request,
                Action.MEMBERSHIP_ADDED,
                target=membership,
                organisation=organisation,
                subject=person.username,
                position=membership.position,
            )
            messages.success(request, f"{person.username} is now a member of {organisation.name}.")
            return redirect("user_detail", pk=person.pk)
    return _render_user(request, person, membership_form=form)


@admin_only
@require_POST
def membership_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    person = get_scoped_or_404(request.user, User.objects.all(), pk=pk)
    membership = get_object_or_404(person.memberships.select_related("organisation"), pk=membership_pk)
    _remove_membership(request, membership)
    messages.success(request, f"{person.username} is no longer a member of {membership.organisation.name}.")
    return redirect("user_detail", pk=person.pk)


def _remove_membership(request: HttpRequest, membership: Membership, **detail: Any) -> None:
    record(
        request,
        Action.MEMBERSHIP_REMOVED,
        target=membership,
        organisation=membership.organisation,
        subject=membership.user.username,
        position=membership.position,
        **detail,
    )
    membership.delete()


@admin_only
@require_POST
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped_or_404(request.user, User.objects.all(), pk=pk, role=Role.ADVISER)
    form = AssignmentForm(request.POST, prefix="assignment")
    if form.is_valid():
        organisation = form.cleaned_data["organisation"]
        if person.assignments.filter(organisation=organisation).exists():
            form.add_error("organisation", f"{person.username} is already assigned to {organisation.name}")
        else:
            assignment = Assignment.objects.create(adviser=person, organisation=organisation)
            record(
                request,
                Action.ASSIGNMENT_CHANGED,
                target=assignment,
                organisation=organisation,
                subject=person.username,
                change="added",
            )
            messages.success(request, f"{person.username} is now link adviser for {organisation.name}.")
            return redirect("user_detail", pk=person.pk)
    return _render_user(request, person, assignment_form=form)


@admin_only
@require_POST
def assignment_remove(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    person = get_scoped_or_404(request.user, User.objects.all(), pk=pk)
    assignment = get_object_or_404(person.assignments.select_related("organisation"), pk=assignment_pk)
    _remove_assignment(request, assignment)
    messages.success(
        request, f"{person.username} is no longer link adviser for {assignment.organisation.name}."
    )
    return redirect("user_detail", pk=person.pk)


def _remove_assignment(request: HttpRequest, assignment: Assignment, **detail: Any) -> None:
    record(
        request,
        Action.ASSIGNMENT_CHANGED,
        target=assignment,
        organisation=assignment.organisation,
        subject=assignment.adviser.username,
        change="removed",
        **detail,
    )
    assignment.delete()


# Organisations -----------------------------------------------------------------------------------------


@organisation_keepers
@require_GET
def organisations(request: HttpRequest) -> HttpResponse:
    rows = (
        scoped(request.user, Organisation.objects.all())
        .annotate(
            member_count=Count("memberships", distinct=True),
            adviser_count=Count("assignments", distinct=True),
        )
        .order_by("name")
    )
    return render(request, "portal/manage/organisations.html", {"page": _page(request, rows)})


@organisation_keepers
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = form.save()
        record(
            request,
            Action.ORGANISATION_CREATED,
            target=organisation,
            organisation=organisation,
            code=organisation.code,
            name=organisation.name,
            nation=organisation.nation,
            served=organisation.served,
        )
        messages.success(request, f"{organisation.name} is added.")
        return redirect("organisations")
    return render(request, "portal/manage/organisation_form.html", {"form": form, "organisation": None})


@organisation_keepers
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_scoped_or_404(request.user, Organisation.objects.all(), pk=pk)
    stored = {name: getattr(organisation, name) for name in OrganisationForm.Meta.fields}
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        changed = {
            name: {"from": old, "to": getattr(organisation, name)}
            for name, old in stored.items()
            if getattr(organisation, name) != old
        }
        if changed:
            record(
                request,
                Action.ORGANISATION_CHANGED,
                target=organisation,
                organisation=organisation,
                changes=changed,
            )
        messages.success(request, f"The changes to {organisation.name} are saved.")
        return redirect("organisations")
    people = (
        organisation.memberships.select_related("user").order_by("user__username"),
        organisation.assignments.select_related("adviser").order_by("adviser__username"),
    )
    return render(
        request,
        "portal/manage/organisation_form.html",
        {"form": form, "organisation": organisation, "memberships": people[0], "assignments": people[1]},
    )


# The audit log -----------------------------------------------------------------------------------------


@only(may_read_audit_log)
@require_safe  # read-only: POST, PUT and DELETE answer 405 and change nothing
def audit(request: HttpRequest) -> HttpResponse:
    events = scoped(request.user, AuditEvent.objects.all())
    known = list(events.order_by().values_list("action", flat=True).distinct())
    form = AuditFilterForm(request.GET or None, extra_actions=known)
    if form.is_valid():
        events = _filter_events(events, form.cleaned_data)
    elif form.is_bound:
        events = events.none()
    page = _page(request, events.select_related("organisation").order_by("-at", "-id"))
    labels = dict(action_choices())
    rows = [
        {"event": event, "what": labels.get(event.action, event.action), "detail": _describe(event.detail)}
        for event in page.object_list
    ]
    return render(request, "portal/manage/audit.html", {"form": form, "page": page, "rows": rows})


def _filter_events(events: QuerySet, wanted: dict[str, Any]) -> QuerySet:
    if wanted["action"]:
        events = events.filter(action=wanted["action"])
    if wanted["user"]:
        events = events.filter(actor_name__iexact=wanted["user"].strip())
    if wanted["organisation"]:
        events = events.filter(organisation=wanted["organisation"])
    if wanted["date_from"]:
        events = events.filter(at__date__gte=wanted["date_from"])
    if wanted["date_to"]:
        events = events.filter(at__date__lte=wanted["date_to"])
    return events


def _describe(detail: dict[str, Any]) -> str:
    """An event's detail as one line, e.g. `new role: insights; old role: organisation` (keys sorted, as
    PostgreSQL's jsonb keeps no order)."""
    return "; ".join(f"{key.replace('_', ' ')}: {_value_text(detail[key])}" for key in sorted(detail))


def _value_text(value: Any) -> str:
    if isinstance(value, dict) and value and set(value) <= {"from", "to"}:
        return f"{value.get('from')} → {value.get('to')}"
    if isinstance(value, dict):
        return ", ".join(f"{key.replace('_', ' ')} {_value_text(value[key])}" for key in sorted(value))
    if isinstance(value, list):  # field names such as ["full_name"] read as "full name"
        return ", ".join(str(item).replace("_", " ") for item in value) or "none"
    return str(value)
