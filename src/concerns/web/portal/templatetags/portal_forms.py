"""Template helpers for the portal's one set of form partials (portal/_field.html, _error_summary.html)."""

from __future__ import annotations

from django import forms, template

from concerns.web.portal.forms import errors_of

register = template.Library()


@register.filter
def summary_errors(form: object) -> list[dict[str, str]]:
    """A form's errors as `portal/_error_summary.html` lists them (none for a page without a form)."""
    return errors_of(form) if isinstance(form, forms.BaseForm) else []
