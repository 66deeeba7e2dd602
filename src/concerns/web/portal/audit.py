"""Write to the append-only audit log. Views call `record`; sign-ins are recorded by signal handlers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from concerns.web.portal.models import AuditEvent, Organisation


class Action:
    SIGN_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in-failed"
    SIGN_OUT = "sign-out"
    LOCKED_OUT = "locked-out"
    REPORT_VIEWED = "report-viewed"
    REPORT_DOWNLOADED = "report-downloaded"
    REPORT_PUBLISHED = "report-published"
    UPLOADED = "extract-uploaded"
    BATCH_STARTED = "batch-started"
    BATCH_STALLED = "batch-stalled"
    BATCH_RESTARTED = "batch-restarted"
    DISCUSSION_RECORDED = "discussion-recorded"
    AGREED_ACTION_DONE = "agreed-action-done"
    OBJECTIVE_ADOPTED = "objective-adopted"
    OBJECTIVE_CHANGED = "objective-changed"
    REPORT_REQUESTED = "report-requested"
    REPORT_REQUEST_DECIDED = "report-request-decided"
    ROLE_CHANGED = "role-changed"
    MEMBERSHIP_ADDED = "membership-added"
    MEMBERSHIP_REMOVED = "membership-removed"
    ASSIGNMENT_CHANGED = "assignment-changed"
    USER_CREATED = "user-created"
    TWO_FACTOR_ADDED = "two-factor-added"
    TWO_FACTOR_FAILED = "two-factor-failed"
    TWO_FACTOR_RESET = "two-factor-reset"
    PASSWORD_RESET = "password-reset"
    PASSWORD_CHANGED = "password-changed"
    USER_CHANGED = "user-changed"
    ORGANISATION_CREATED = "organisation-created"
    ORGANISATION_CHANGED = "organisation-changed"
    # The casework register's actions (concerns.web.casework.views._common.Action uses the same values).
    IDENTITY_VIEWED = "practitioner-identity-viewed"
    IDENTITY_CORRECTED = "practitioner-identity-corrected"
    REGISTRATION_CHECK_QUEUED = "registration-check-queued"
    REGISTRATION_CHECK_RESOLVED = "registration-check-resolved"
    SAR_RECORDS_VIEWED = "sar-records-viewed"
    SAR_PACK_DOWNLOADED = "sar-pack-downloaded"


def action_choices() -> list[tuple[str, str]]:
    """Every action, as (value, label) pairs for the audit log's filter."""
    values = sorted(value for name, value in vars(Action).items() if name.isupper())
    return [(value, value.replace("-", " ").capitalize()) for value in values]


def client_address(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy sets it.
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(
    request: HttpRequest | None,
    action: str,
    *,
    actor: Any = None,
    target: Any = None,
    organisation: Organisation | None = None,
    **detail: Any,
) -> AuditEvent:
    user = actor if actor is not None else getattr(request, "user", None)
    known = user if getattr(user, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=known,
        actor_name=(known.get_username() if known else detail.pop("username", "")),
        action=action,
        ip=client_address(request),
        organisation=organisation,
        object_type=type(target).__name__ if target is not None else "",
        object_id=str(getattr(target, "pk", "")) if target is not None else "",
        detail=detail,
    )
