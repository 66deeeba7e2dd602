"""Who sees which casework records (registered with the portal's one scoping function).

- Advisers: the cases of the organisations assigned to them, and the cases they are the adviser of, with
  everything recorded in those cases.
- Insights team: every case, every subject access request, the reference data.
- Identifying details of a practitioner: the insights team, and the adviser of one of the practitioner's
  cases; no one else (an adviser who only covers the organisation sees the pseudonym). A case opened with a
  registration the register holds, by an adviser who could not already see that identity, shows it only once
  the insights team has checked the match (`RegistrationMatch`, insights team only). Correcting an identity:
  the insights team, or someone who sees it and every case of the practitioner (`access.identity_access`).
- Subject access requests: the insights team only (a pack gathers every organisation's cases).
- Organisation users and administrators: nothing. The register is Advice's own record; organisations
  receive reports, which never show a case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from concerns.web.portal.access import (
    Rule,
    is_insights_team,
    may_check_registrations,
    may_handle_subject_access,
)
from concerns.web.portal.roles import Role
from concerns.web.portal.scope import rule_for


def visible_cases(user: Any, prefix: str = "") -> Q | None:
    """The condition on cases (reached through `prefix`) this user may see; None for none at all."""
    if user.role == Role.INSIGHTS:
        return Q()
    if user.role == Role.ADVISER:
        return Q(**{f"{prefix}organisation__assignments__adviser": user}) | Q(**{f"{prefix}adviser": user})
    return None


def _through_case(prefix: str):
    def rule(user: Any, queryset: QuerySet) -> QuerySet:
        condition = visible_cases(user, prefix)
        return queryset.none() if condition is None else queryset.filter(condition).distinct()

    return rule


def _all_if(allowed: Rule) -> Callable[[Any, QuerySet], QuerySet]:
    def rule(user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if allowed(user) else queryset.none()

    return rule


for label, prefix in {
    "casework.Case": "",
    "casework.ThirdParty": "case__",
    "casework.CaseEntry": "case__",
    "casework.Exclusion": "case__",
    "casework.ExclusionReview": "exclusion__case__",
    "casework.Assessment": "case__",
    "casework.ActionPlan": "case__",
    "casework.TeamReview": "case__",
    "casework.Hpan": "case__",
    "casework.HpanReview": "hpan__case__",
    "casework.Practitioner": "cases__",
}.items():
    rule_for(label)(_through_case(prefix))


@rule_for("casework.ChangeRecord")
def _changes(user: Any, queryset: QuerySet) -> QuerySet:
    # Advisers see a case's own history; changes to identities and subject access requests have no case.
    if user.role == Role.INSIGHTS:
        return queryset
    condition = visible_cases(user, "case__")
    return (
        queryset.none()
        if condition is None
        else queryset.filter(case__isnull=False).filter(condition).distinct()
    )


def identity_cases(user: Any) -> QuerySet:
    """The cases through which an adviser sees a practitioner's identity: those they advise, except a case
    whose registration the insights team has still to check (see `RegistrationMatch`)."""
    from concerns.web.casework.models import Case, RegistrationMatch

    return Case.objects.filter(adviser=user).exclude(
        registration_matches__status=RegistrationMatch.Status.OPEN
    )


@rule_for("casework.PractitionerIdentity")
def _identities(user: Any, queryset: QuerySet) -> QuerySet:
    if user.role == Role.INSIGHTS:
        return queryset
    if user.role == Role.ADVISER:
        return queryset.filter(practitioner__cases__in=identity_cases(user)).distinct()
    return queryset.none()


rule_for("casework.RegistrationMatch")(_all_if(may_check_registrations))  # holds the details as entered
rule_for("casework.SubjectAccessRequest")(_all_if(may_handle_subject_access))
rule_for("casework.OrganisationProfile")(_all_if(is_insights_team))
rule_for("casework.Headcount")(_all_if(is_insights_team))


def identity_pending(case: Any) -> bool:
    """Whether the insights team has still to check the registration this case was opened with."""
    from concerns.web.casework.models import RegistrationMatch

    return case.registration_matches.filter(status=RegistrationMatch.Status.OPEN).exists()
