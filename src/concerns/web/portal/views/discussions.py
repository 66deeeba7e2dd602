"""Report discussions: the link adviser (or insights team) records them; the organisation reads its actions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerns.web.portal.access import SignedInRequest, may_discuss, may_record_discussions, only, readers
from concerns.web.portal.audit import Action, record
from concerns.web.portal.forms import NhsStyled, errors_of
from concerns.web.portal.models import AgreedAction, Discussion, Report
from concerns.web.portal.scope import get_scoped_or_404, scoped

ACTION_ROWS = 4
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DiscussionForm(NhsStyled, forms.Form):
    held_on = forms.DateField(
        label="Date of the discussion", input_formats=DATE_FORMATS, help_text="For example, 2025-09-15."
    )
    attendee_roles = forms.CharField(
        label="Roles of those present",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One role a line, such as Medical director. Names are not needed.",
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 6}), required=False)

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date of the discussion cannot be in the future")
        return day


class ActionForm(NhsStyled, forms.Form):
    description = forms.CharField(label="Agreed action", max_length=2000, required=False)
    owner = forms.CharField(label="Owner", max_length=120, required=False, help_text="A role or a name.")
    due_on = forms.DateField(
        label="Due date", input_formats=DATE_FORMATS, required=False, help_text="For example, 2025-12-31."
    )

    def clean(self):
        data = super().clean()
        if data.get("description") or data.get("owner") or data.get("due_on"):
            for field in ("description", "owner", "due_on"):
                if not data.get(field):
                    self.add_error(field, f"Give the {self.fields[field].label.lower()} of this action")
        return data

    @property
    def filled(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("description"))


def _action_forms(data=None) -> list[ActionForm]:
    return [ActionForm(data, prefix=f"action-{index}") for index in range(ACTION_ROWS)]


@only(may_record_discussions)
@require_http_methods(["GET", "POST"])
def discussion_new(request: SignedInRequest, pk: int) -> HttpResponse:
    report = get_scoped_or_404(request.user, Report.objects.select_related("organisation"), pk=pk)
    if not may_discuss(request.user, report):
        raise Http404("Not found")
    form, actions = DiscussionForm(request.POST or None), _action_forms(request.POST or None)
    if request.method == "POST" and form.is_valid() and all(item.is_valid() for item in actions):
        discussion = _save(request, report, form, actions)
        return redirect("discussion", pk=discussion.pk)
    errors = request.method == "POST"
    return render(
        request,
        "portal/discussions/new.html",
        {
            "report": report,
            "form": form,
            "actions": actions,
            "errors": errors_of(form, *actions) if errors else [],
        },
        status=400 if errors else 200,
    )


@transaction.atomic
def _save(
    request: SignedInRequest, report: Report, form: DiscussionForm, actions: list[ActionForm]
) -> Discussion:
    discussion = Discussion.objects.create(report=report, recorded_by=request.user, **form.cleaned_data)
    for item in actions:
        if item.filled:
            AgreedAction.objects.create(discussion=discussion, **item.cleaned_data)
    record(
        request,
        Action.DISCUSSION_RECORDED,
        target=discussion,
        organisation=report.organisation,
        report=report.pk,
        actions=discussion.actions.count(),
    )
    return discussion


@readers
@require_GET
def discussion_list(request: HttpRequest) -> HttpResponse:
    discussions = scoped(request.user, Discussion.objects.select_related("report__organisation"))
    can_record = may_record_discussions(request.user)
    reports = (
        scoped(
            request.user, Report.objects.filter(status=Report.Status.PUBLISHED, kind=Report.Kind.ORGANISATION)
        )
        .select_related("organisation")
        .order_by("organisation__name")
        if can_record
        else []
    )
    return render(request, "portal/discussions/list.html", {"discussions": discussions, "reports": reports})


@readers
@require_GET
def discussion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = get_scoped_or_404(
        request.user, Discussion.objects.select_related("report__organisation"), pk=pk
    )
    today = timezone.localdate()
    actions = scoped(request.user, discussion.actions.all())
    return render(
        request,
        "portal/discussions/detail.html",
        {
            "discussion": discussion,
            "rows": [{"action": action, "overdue": action.is_overdue(today)} for action in actions],
            "can_complete": may_record_discussions(request.user),
        },
    )


@readers
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    actions = scoped(request.user, AgreedAction.objects.select_related("discussion__report__organisation"))
    rows = [{"action": action, "overdue": action.is_overdue(today)} for action in actions]
    return render(
        request,
        "portal/discussions/actions.html",
        {
            "rows": rows,
            "overdue": sum(row["overdue"] for row in rows),
            "can_complete": may_record_discussions(request.user),
        },
    )


@only(may_record_discussions)
@require_POST
def action_done(request: SignedInRequest, pk: int) -> HttpResponse:
    """The assigned adviser or the insights team marks an agreed action done (scope keeps other advisers out)."""
    action = get_scoped_or_404(
        request.user, AgreedAction.objects.select_related("discussion__report__organisation"), pk=pk
    )
    if action.status != AgreedAction.Status.DONE:
        action.status, action.done_by, action.done_at = AgreedAction.Status.DONE, request.user, timezone.now()
        action.save(update_fields=["status", "done_by", "done_at"])
        record(
            request,
            Action.AGREED_ACTION_DONE,
            target=action,
            organisation=action.discussion.report.organisation,
            discussion=action.discussion_id,
            due_on=action.due_on.isoformat(),
        )
        messages.info(request, f"Marked as done: {action.description}")
    return redirect("discussion", pk=action.discussion_id)
