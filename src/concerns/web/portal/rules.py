"""Who sees what in the portal. The casework register adds its own rules in `concerns.web.casework.rules`.

- Organisation users: their own organisations' *published* reports, the discussions and actions on them.
- Advisers: the same for the organisations assigned to them, and they record discussions there.
- Objectives adopted from a report's drafts (High impact action 1): read with the report they were adopted
  against; adopted and changed by the organisation's own users only (`views/objectives.py`), never by its
  adviser, on its current published report.
- Everyone but administrators: the published national report (it holds no organisation's own figures).
- Insights team: every report, draft or published, every upload and batch, every request, the audit log.
- Administrators: organisations, users and memberships; not report contents (least privilege).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from concerns.web.portal.roles import Role
from concerns.web.portal.scope import rule_for


def organisation_ids(user: Any) -> QuerySet:
    """The organisations whose published material this user may read."""
    from concerns.web.portal.models import Organisation

    if user.role == Role.ORGANISATION:
        return Organisation.objects.filter(memberships__user=user).values("id")
    if user.role == Role.ADVISER:
        return Organisation.objects.filter(assignments__adviser=user).values("id")
    if user.role == Role.INSIGHTS:
        return Organisation.objects.values("id")
    return Organisation.objects.none().values("id")


def _reports(user: Any, prefix: str = "") -> Q:
    if user.role == Role.INSIGHTS:
        return Q()
    published = Q(**{f"{prefix}status__in": ["published", "superseded"]})
    own = Q(**{f"{prefix}organisation__in": organisation_ids(user)})
    national = Q(**{f"{prefix}kind": "national"})
    return published & (own | national)


@rule_for("portal.Organisation")
def _organisations(user: Any, queryset: QuerySet) -> QuerySet:
    if user.role in (Role.INSIGHTS, Role.ADMIN):
        return queryset
    return queryset.filter(id__in=organisation_ids(user))


@rule_for("portal.Report")
def _report_rows(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset.filter(_reports(user)) if user.role != Role.ADMIN else queryset.none()


@rule_for("portal.ReportFile")
def _report_files(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset.filter(_reports(user, "report__")) if user.role != Role.ADMIN else queryset.none()


@rule_for("portal.Discussion")
def _discussions(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset.filter(_reports(user, "report__")) if user.role != Role.ADMIN else queryset.none()


@rule_for("portal.AgreedAction")
def _actions(user: Any, queryset: QuerySet) -> QuerySet:
    return (
        queryset.filter(_reports(user, "discussion__report__"))
        if user.role != Role.ADMIN
        else queryset.none()
    )


@rule_for("portal.AdoptedObjective")
def _objectives(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset.filter(_reports(user, "report__")) if user.role != Role.ADMIN else queryset.none()


def may_adopt(user: Any, report: Any) -> bool:
    """Whether this user may adopt objectives against this report (and change their organisation's):
    a member of the report's organisation, on its current published report."""
    return (
        user.role == Role.ORGANISATION
        and report.kind == "organisation"
        and report.status == "published"
        and is_member(user, report.organisation_id)
    )


def may_change_objective(user: Any, objective: Any) -> bool:
    """Whether this user may change an adopted objective: a member of its organisation."""
    return is_member(user, objective.organisation_id)


def is_member(user: Any, organisation_id: int | None) -> bool:
    return (
        user.role == Role.ORGANISATION
        and organisation_id is not None
        and organisation_ids(user).filter(id=organisation_id).exists()
    )


@rule_for("portal.Upload")
def _uploads(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset if user.role == Role.INSIGHTS else queryset.none()


@rule_for("portal.Batch")
def _batches(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset if user.role == Role.INSIGHTS else queryset.none()


@rule_for("portal.ReportRequest")
def _requests(user: Any, queryset: QuerySet) -> QuerySet:
    if user.role == Role.INSIGHTS:
        return queryset
    return queryset.filter(requested_by=user)


@rule_for("portal.AuditEvent")
def _audit(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset if user.role in (Role.INSIGHTS, Role.ADMIN) else queryset.none()


@rule_for("portal.User")
def _users(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset if user.role == Role.ADMIN else queryset.filter(pk=user.pk)
