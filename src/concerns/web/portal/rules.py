"""Who sees what in the portal. The casework register adds its own rules in `concerns.web.casework.rules`;
who may act, and on which object, is `concerns.web.portal.access`.

- Organisation users: their own organisations' *published* reports, the discussions and actions on them.
- Advisers: the same for the organisations assigned to them, and they record discussions there.
- Objectives adopted from a report's drafts (High impact action 1): read with the report they were adopted
  against; adopted and changed by the organisation's own users only (`access.objective_access`), never by its
  adviser, on its current published report.
- Everyone but administrators: the published national report (it holds no organisation's own figures).
- Insights team: every report, draft or published, every upload and batch, every request, the audit log.
- Administrators: organisations, users and memberships; not report contents (least privilege).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from concerns.web.portal.access import (
    may_decide_requests,
    may_keep_organisations,
    may_manage_accounts,
    may_read_audit_log,
    may_read_reports,
    may_review_drafts,
    may_upload,
    organisation_ids,
)
from concerns.web.portal.scope import rule_for


def _reports(user: Any, prefix: str = "") -> Q:
    if may_review_drafts(user):
        return Q()
    published = Q(**{f"{prefix}status__in": ["published", "superseded"]})
    own = Q(**{f"{prefix}organisation__in": organisation_ids(user)})
    national = Q(**{f"{prefix}kind": "national"})
    return published & (own | national)


@rule_for("portal.Organisation")
def _organisations(user: Any, queryset: QuerySet) -> QuerySet:
    if may_keep_organisations(user):
        return queryset
    return queryset.filter(id__in=organisation_ids(user))


@rule_for("portal.Report")
def _report_rows(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset.filter(_reports(user)) if may_read_reports(user) else queryset.none()


@rule_for("portal.ReportFile")
def _report_files(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset.filter(_reports(user, "report__")) if may_read_reports(user) else queryset.none()


@rule_for("portal.Discussion")
def _discussions(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset.filter(_reports(user, "report__")) if may_read_reports(user) else queryset.none()


@rule_for("portal.AgreedAction")
def _actions(user: Any, queryset: QuerySet) -> QuerySet:
    return (
        queryset.filter(_reports(user, "discussion__report__")) if may_read_reports(user) else queryset.none()
    )


@rule_for("portal.AdoptedObjective")
def _objectives(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset.filter(_reports(user, "report__")) if may_read_reports(user) else queryset.none()


@rule_for("portal.Upload")
def _uploads(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset if may_upload(user) else queryset.none()


@rule_for("portal.Batch")
def _batches(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset if may_upload(user) else queryset.none()


@rule_for("portal.ReportRequest")
def _requests(user: Any, queryset: QuerySet) -> QuerySet:
    if may_decide_requests(user):
        return queryset
    return queryset.filter(requested_by=user)


@rule_for("portal.AuditEvent")
def _audit(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset if may_read_audit_log(user) else queryset.none()


@rule_for("portal.User")
def _users(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset if may_manage_accounts(user) else queryset.filter(pk=user.pk)
