"""Authorisation in one place: every read of an organisation-owned object goes through `scoped`.

Each model registers one rule (`@rule_for`) saying which rows a user may see; a model without a rule
cannot be read through here at all, so a forgotten rule fails loudly rather than leaking. Objects
outside a user's scope are indistinguishable from objects that do not exist: `get_scoped_or_404`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)
Rule = Callable[[Any, QuerySet], QuerySet]
_RULES: dict[str, Rule] = {}


def rule_for(label: str) -> Callable[[Rule], Rule]:
    """Register the scope rule for a model, by its `app_label.ModelName`."""

    def register(rule: Rule) -> Rule:
        if label in _RULES:
            raise RuntimeError(f"{label} already has a scope rule")
        _RULES[label] = rule
        return rule

    return register


def scoped(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The rows of `queryset` this user may see (none for anonymous or inactive users)."""
    label = queryset.model._meta.label
    if label not in _RULES:
        raise LookupError(f"no scope rule for {label}: add one with @rule_for({label!r})")
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    return _RULES[label](user, queryset)


def get_scoped_or_404(user: Any, queryset: QuerySet[M], **lookup: Any) -> M:
    try:
        return scoped(user, queryset).get(**lookup)
    # django-stubs gives DoesNotExist to each concrete model only, not to a type variable bound to Model.
    except queryset.model.DoesNotExist as missing:  # type: ignore[attr-defined]
        raise Http404("Not found") from missing


def registered_models() -> list[str]:
    return sorted(_RULES)
