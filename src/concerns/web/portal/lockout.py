"""Sign-in lockout (django-axes): per account and address, and per account across addresses.

Axes compares one failure count with one limit (the highest count over its lockout parameters). The portal
has two limits: `AXES_FAILURE_LIMIT` failures of a username from one address lock that username there, and
`PORTAL_ACCOUNT_FAILURE_LIMIT` failures from any addresses lock the account everywhere, so guessing from
many addresses is capped too. Both last `AXES_COOLOFF_TIME`; a password reset ends either.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

ACCOUNT = "account"  # locked from every address
ADDRESS = "account and address"  # locked from this address only


def _failures(attempts: QuerySet) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Needs AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"], in that order."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        from_address, anywhere = (_failures(found) for found in self.get_user_attempts(request, credentials))
        if anywhere >= settings.PORTAL_ACCOUNT_FAILURE_LIMIT:
            return max(from_address, get_failure_limit(request, credentials))
        return from_address


def scope(request: HttpRequest, credentials: dict | None = None) -> str:
    """Whether the lockout of this sign-in covers the account everywhere or only from this address."""
    credentials = credentials or getattr(request, "axes_credentials", None)
    anywhere = AxesProxyHandler.get_implementation().get_user_attempts(request, credentials)[-1]
    return ACCOUNT if _failures(anywhere) >= settings.PORTAL_ACCOUNT_FAILURE_LIMIT else ADDRESS


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE)."""
    context = {
        "everywhere": scope(request, credentials) == ACCOUNT,
        "minutes": round(settings.AXES_COOLOFF_TIME * 60),
    }
    return render(request, "portal/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
