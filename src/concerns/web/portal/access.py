"""Who may act, for the portal and the casework register alike.

- `only(rule)` guards a view: signed-in users the rule allows get it; anyone else signed in gets 404 (the page
  does not exist for them), anonymous users the sign-in page. `insights_only`, `readers`, `casework_staff`,
  `admin_only` and `organisation_keepers` are the guards most views share.
- Named rules (`may_…`) answer what views, forms and templates ask. Those of the user alone look at the role
  only (no query), and templates get them all as `rights` (`{% if rights.may_check_registrations %}`).
- Access levels, after casepro's `access_level`: what an organisation's material, its objectives or a
  practitioner's identifying details give a user, `Access.WRITE`, `Access.READ` or `Access.NONE`.

Which rows a user sees is `scope.scoped`'s business, with rules registered in `portal/rules.py` and
`casework/rules.py` (built on the rules here).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from concerns.web.portal.roles import Role
from concerns.web.portal.scope import scoped

if TYPE_CHECKING:
    from concerns.web.portal.models import User

View = Callable[..., HttpResponseBase]
Rule = Callable[[Any], bool]


class SignedInRequest(HttpRequest):
    """For typing only: the request a view behind `only` (or `login_required`) gets, whose user is signed in."""

    user: User


class Access(IntEnum):
    """What an object gives a user. Ordered, and NONE is falsy: `if access_level(…)` reads "may at least read"."""

    NONE = 0
    READ = 1
    WRITE = 2


def only(rule: Rule) -> Callable[[View], View]:
    """Signed-in users the rule allows; anyone else signed in gets 404, anonymous users the sign-in page."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not rule(request.user):
                raise Http404("Not found")
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorate


# --- rules of the user alone: the role decides ------------------------------------------------------------


def is_insights_team(user: Any) -> bool:
    return user.role == Role.INSIGHTS


def may_read_reports(user: Any) -> bool:
    """Reports, their discussions, agreed actions and objectives (which ones: scope). Not administrators:
    they manage accounts, not report contents (least privilege)."""
    return user.role in (Role.ORGANISATION, Role.ADVISER, Role.INSIGHTS)


def may_review_drafts(user: Any) -> bool:
    """Every report, drafts included: a draft is the insights team's until they publish it."""
    return user.role == Role.INSIGHTS


def may_upload(user: Any) -> bool:
    """Data extracts and the batches of reports generated from them."""
    return user.role == Role.INSIGHTS


def may_record_discussions(user: Any) -> bool:
    """Record report discussions and mark their agreed actions done (which organisations': `access_level`)."""
    return user.role in (Role.ADVISER, Role.INSIGHTS)


def may_adopt_objectives(user: Any) -> bool:
    """Adopt and change objectives (which organisation's: `objective_access`)."""
    return user.role == Role.ORGANISATION


def may_request_reports(user: Any) -> bool:
    """Ask for a report on an organisation not yet served."""
    return user.role == Role.ORGANISATION


def may_decide_requests(user: Any) -> bool:
    """Read every report request, accept or decline it."""
    return user.role == Role.INSIGHTS


def may_see_requests(user: Any) -> bool:
    return may_request_reports(user) or may_decide_requests(user)


def may_manage_accounts(user: Any) -> bool:
    """Users, their roles, memberships, link advisers' assignments and two-factor resets."""
    return user.role == Role.ADMIN


def may_keep_organisations(user: Any) -> bool:
    """The list of organisations: administrators, and the insights team, who answer requests for new ones."""
    return user.role in (Role.ADMIN, Role.INSIGHTS)


def may_read_audit_log(user: Any) -> bool:
    return user.role in (Role.INSIGHTS, Role.ADMIN)


def may_do_casework(user: Any) -> bool:
    """The register (which cases: scope). Organisation users and administrators never see it."""
    return user.role in (Role.ADVISER, Role.INSIGHTS)


def may_advise_cases(user: Any) -> bool:
    """Be a case's adviser: a case an adviser opens is theirs."""
    return user.role == Role.ADVISER


def may_assign_adviser(user: Any) -> bool:
    """Make anyone a case's adviser. The case's adviser sees the practitioner's identity, so no adviser hands
    a case to someone else or makes themselves another case's adviser."""
    return user.role == Role.INSIGHTS


def may_check_registrations(user: Any) -> bool:
    """Registration checks: cases opened with a registration the register already holds."""
    return user.role == Role.INSIGHTS


def may_handle_subject_access(user: Any) -> bool:
    """Subject access requests and their packs (a pack gathers every organisation's cases)."""
    return user.role == Role.INSIGHTS


USER_RULES: tuple[Rule, ...] = (
    is_insights_team,
    may_read_reports,
    may_review_drafts,
    may_upload,
    may_record_discussions,
    may_adopt_objectives,
    may_request_reports,
    may_decide_requests,
    may_see_requests,
    may_manage_accounts,
    may_keep_organisations,
    may_read_audit_log,
    may_do_casework,
    may_advise_cases,
    may_assign_adviser,
    may_check_registrations,
    may_handle_subject_access,
)


def rights(user: Any) -> dict[str, bool]:
    """The rules of the user alone, by name, for templates (the portal's context processor adds them)."""
    return {rule.__name__: rule(user) for rule in USER_RULES}


insights_only = only(is_insights_team)
readers = only(may_read_reports)
casework_staff = only(may_do_casework)
admin_only = only(may_manage_accounts)
organisation_keepers = only(may_keep_organisations)


# --- organisations: what one gives a user -------------------------------------------------------------------


def organisation_ids(user: Any) -> QuerySet:
    """The organisations a user works with: an organisation user's own, an adviser's assigned ones, every one
    for the insights team, none for administrators."""
    from concerns.web.portal.models import Organisation

    if user.role == Role.ORGANISATION:
        return Organisation.objects.filter(memberships__user=user).values("id")
    if user.role == Role.ADVISER:
        return Organisation.objects.filter(assignments__adviser=user).values("id")
    if user.role == Role.INSIGHTS:
        return Organisation.objects.values("id")
    return Organisation.objects.none().values("id")


def is_member(user: Any, organisation_id: int | None) -> bool:
    return (
        user.role == Role.ORGANISATION
        and organisation_id is not None
        and organisation_ids(user).filter(id=organisation_id).exists()
    )


def access_level(user: Any, organisation_id: int | None) -> Access:
    """What an organisation gives a user over its reports, discussions and agreed actions: WRITE to the Advice
    staff who work with it (its link advisers, the insights team), READ to its own users, NONE to anyone else
    (the national report belongs to no organisation)."""
    if organisation_id is None or not organisation_ids(user).filter(id=organisation_id).exists():
        return Access.NONE
    return Access.WRITE if may_record_discussions(user) else Access.READ


def objective_access(user: Any, organisation_id: int | None) -> Access:
    """An organisation's adopted objectives are its own (High impact action 1): WRITE to its users, READ to the
    Advice staff who work with it, NONE to anyone else."""
    if is_member(user, organisation_id):
        return Access.WRITE
    return Access.READ if access_level(user, organisation_id) else Access.NONE


def may_discuss(user: Any, report: Any) -> bool:
    """Record a discussion of this report: an organisation's published (or superseded) report."""
    return (
        report.kind == "organisation"
        and report.status != "draft"
        and access_level(user, report.organisation_id) is Access.WRITE
    )


def may_publish(user: Any, report: Any) -> bool:
    return report.status == "draft" and user.role == Role.INSIGHTS


def may_adopt(user: Any, report: Any) -> bool:
    """Adopt objectives against this report: its organisation's current published report."""
    return (
        report.kind == "organisation"
        and report.status == "published"
        and objective_access(user, report.organisation_id) is Access.WRITE
    )


def may_change_objective(user: Any, objective: Any) -> bool:
    return objective_access(user, objective.organisation_id) is Access.WRITE


# --- casework: a practitioner's identifying details ----------------------------------------------------------


# The casework models are looked up by name: the register builds on the portal, not the other way round.


def may_see_identity(user: Any, practitioner: Any) -> bool:
    identities = apps.get_model("casework", "PractitionerIdentity").objects
    return scoped(user, identities.filter(practitioner=practitioner)).exists()


def identity_access(user: Any, practitioner: Any) -> Access:
    """WRITE (correct the details) to the insights team and to whoever sees them and every case of the
    practitioner: a correction changes what every case's adviser sees, so it is not for someone who sees only
    some of those cases. READ to anyone else who sees them (scope), NONE to the rest."""
    if user.role == Role.INSIGHTS:
        return Access.WRITE
    cases = apps.get_model("casework", "Case").objects.filter(practitioner=practitioner)
    if not may_see_identity(user, practitioner):
        return Access.NONE
    unseen = cases.exclude(pk__in=scoped(user, cases).values("pk"))
    return Access.READ if unseen.exists() else Access.WRITE


def may_correct_identity(user: Any, practitioner: Any) -> bool:
    return identity_access(user, practitioner) is Access.WRITE
