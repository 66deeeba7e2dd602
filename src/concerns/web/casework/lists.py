"""The staff's working lists: exclusions due for review, everything overdue, open subject access requests.

Each list holds only what the user's scope lets them see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from concerns.web.casework import dates
from concerns.web.casework.measures import Due
from concerns.web.casework.models import (
    ActionPlan,
    Case,
    Exclusion,
    ExclusionReview,
    Hpan,
    SubjectAccessRequest,
)
from concerns.web.portal.scope import scoped


@dataclass(frozen=True)
class Item:
    what: str
    due_on: dt.date
    case_reference: str
    url: str

    def overdue(self, today: dt.date) -> bool:
        return dates.is_overdue(self.due_on, today)


def open_exclusions(user: Any) -> list[Exclusion]:
    return list(
        scoped(user, Exclusion.objects.filter(ended_on__isnull=True))
        .select_related("case", "case__organisation")
        .prefetch_related("reviews")
    )


def exclusions_due_for_review(user: Any, today: dt.date) -> list[tuple[Exclusion, list[str]]]:
    """Open exclusions whose review is overdue or due within two weeks, soonest first, with their flags."""
    due = [
        exclusion
        for exclusion in open_exclusions(user)
        if dates.is_overdue(exclusion.next_review_on, today)
        or dates.is_due_soon(exclusion.next_review_on, today)
    ]
    return [(exclusion, exclusion.flags(today)) for exclusion in sorted(due, key=_next_review)]


def _next_review(exclusion: Exclusion) -> dt.date:
    due_on = exclusion.next_review_on
    assert due_on is not None  # only an ended exclusion has none, and open_exclusions returns none of those
    return due_on


def overdue_items(user: Any, today: dt.date) -> list[Item]:
    items = [
        Item(
            f"Exclusion review ({exclusion.get_kind_display().split(' (')[0].lower()})",
            exclusion.next_review_on,
            exclusion.case.reference,
            _case_url(exclusion.case),
        )
        for exclusion in open_exclusions(user)
        if dates.is_overdue(exclusion.next_review_on, today)
    ]
    hpans = scoped(user, Hpan.objects.filter(issued_on__isnull=False, revoked_on__isnull=True))
    items += [
        Item("Alert (HPAN) review", hpan.next_review_on, hpan.case.reference, _case_url(hpan.case))
        for hpan in hpans.select_related("case").prefetch_related("reviews")
        if dates.is_overdue(hpan.next_review_on, today)
    ]
    plans = scoped(
        user,
        ActionPlan.objects.filter(review_on__lt=today, completed_on__isnull=True).exclude(
            status=ActionPlan.Status.STOPPED
        ),
    ).select_related("case")
    items += [
        Item("Action plan review", plan.review_on, plan.case.reference, _case_url(plan.case))
        for plan in plans
        if plan.review_on is not None  # always: the query asks for a review date before today
    ]
    unanswered = scoped(user, Case.objects.filter(first_response_on__isnull=True, status=Case.Status.OPEN))
    items += [
        Item("First advice", case.response_due_on, case.reference, _case_url(case))
        for case in unanswered
        if dates.is_overdue(case.response_due_on, today)
    ]
    items += [
        Item("Subject access request", request.due_on, "", reverse("casework:sar", args=[request.pk]))
        for request in _open_requests(user)
        if request.is_overdue(today) and request.due_on is not None  # overdue: it has a due date
    ]
    return sorted(items, key=lambda item: item.due_on)


def open_subject_access_requests(user: Any, today: dt.date) -> list[SubjectAccessRequest]:
    return sorted(_open_requests(user), key=lambda request: request.due_on or dt.date.max)


def _open_requests(user: Any) -> list[SubjectAccessRequest]:
    requests = scoped(
        user, SubjectAccessRequest.objects.filter(answered_on__isnull=True, withdrawn_on__isnull=True)
    )
    return list(requests.select_related("practitioner"))


def _case_url(case: Case) -> str:
    return reverse("casework:case", args=[case.pk])


def exclusion_reviews_due(user: Any, today: dt.date) -> list[Due]:
    """Every review that fell due: those held (against the date each answered) and the one each open
    formal exclusion now waits for."""
    held = scoped(user, ExclusionReview.objects.all()).values_list("due_on", "held_on")
    waiting = [
        Due(_next_review(exclusion), None)
        for exclusion in open_exclusions(user)
        if exclusion.kind == Exclusion.Kind.FORMAL
    ]
    return [Due(due_on, held_on) for due_on, held_on in held] + waiting


def case_responses_due(user: Any) -> list[Due]:
    cases = scoped(user, Case.objects.all()).values_list("opened_on", "first_response_on")
    return [Due(dates.response_due(opened_on), answered_on) for opened_on, answered_on in cases]
