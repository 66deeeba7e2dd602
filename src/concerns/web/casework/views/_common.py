"""What the register's views share: the audit actions (the portal's), today's date, the form page and a
record's facts as shown. Who may use them is `concerns.web.portal.access`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render as django_render
from django.utils import timezone

from concerns.web.portal.audit import Action  # noqa: F401  (one vocabulary of audit actions, re-exported)
from concerns.web.portal.forms import errors_of


def today() -> dt.date:
    return timezone.localdate()


def render_form(
    request: HttpRequest, title: str, forms: list[Any], *, back: str, intro: str = "", submit: str = "Save"
) -> HttpResponse:
    return django_render(
        request,
        "casework/form.html",
        {
            "title": title,
            "forms": forms,
            "errors": errors_of(*forms),
            "back": back,
            "intro": intro,
            "submit": submit,
        },
    )


def facts(record: Any, names: list[str]) -> list[tuple[str, str]]:
    """(label, value as shown) for each named field of a record; empty values are left out."""
    from concerns import vocabulary as v

    shown = []
    for name in names:
        field = record._meta.get_field(name)
        value = getattr(record, name)
        if value in (None, "", []):
            continue
        if field.choices:
            value = getattr(record, f"get_{name}_display")()
        elif name in ("concerns", "services"):
            codes = v.CONCERNS if name == "concerns" else v.SERVICES
            value = "; ".join(codes.label(code) for code in value)
        elif isinstance(value, dt.date):
            value = f"{value.day} {value:%B %Y}"
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        shown.append((str(field.verbose_name).capitalize(), str(value)))
    return shown
