from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from concerns import __version__
from concerns.web.portal import twofactor
from concerns.web.portal.access import rights
from concerns.web.portal.roles import Role

# Menu per role: (URL name, label). Names not (yet) routed are left out.
MENUS: dict[str, list[tuple[str, str]]] = {
    Role.ORGANISATION: [
        ("reports", "Reports"),
        ("discussions", "Discussions"),
        ("actions", "Agreed actions"),
        ("objectives", "Objectives"),
        ("report_requests", "Request a report"),
        ("two_factor", "Two-factor"),
    ],
    Role.ADVISER: [
        ("reports", "Reports"),
        ("discussions", "Discussions"),
        ("actions", "Agreed actions"),
        ("objectives", "Objectives"),
        ("casework:home", "Casework"),
        ("two_factor", "Two-factor"),
    ],
    Role.INSIGHTS: [
        ("uploads", "Uploads"),
        ("batches", "Batches"),
        ("reports", "Reports"),
        ("report_requests", "Requests"),
        ("organisations", "Organisations"),
        ("casework:home", "Casework"),
        ("audit", "Audit log"),
        ("two_factor", "Two-factor"),
    ],
    Role.ADMIN: [
        ("users", "Users"),
        ("organisations", "Organisations"),
        ("audit", "Audit log"),
        ("two_factor", "Two-factor"),
    ],
}


def _menu(role: str, path: str) -> list[dict[str, Any]]:
    items = []
    for name, label in MENUS.get(role, []):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": path.startswith(url)})
    return items


def portal(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    # Someone still owing a two-factor code sees no menu: every page but two-factor is closed to them.
    menu = _menu(user.role, request.path) if signed_in and not twofactor.is_pending(request) else []
    return {"software_version": __version__, "navigation": menu, "rights": rights(user) if signed_in else {}}
