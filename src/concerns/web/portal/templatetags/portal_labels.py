"""Labels of the codes a batch or a report stores, from the packages that own them."""

from __future__ import annotations

from django import template

from concerns.disclosure import POLICIES
from concerns.report import FORMAT_TITLES

register = template.Library()


@register.filter
def policy_title(name: str) -> str:
    """ "standard" → "Standard"; a policy made with another threshold ("standard-7") keeps its name."""
    policy = POLICIES.get(name)
    return policy.title if policy is not None and policy.title else name


@register.filter
def format_titles(formats: str) -> str:
    """ "html,json" → "HTML, JSON"."""
    return ", ".join(FORMAT_TITLES.get(code, code) for code in formats.split(",") if code)
