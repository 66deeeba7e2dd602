"""Security headers Django does not set itself, and the two-factor gate."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from concerns.web.portal import twofactor

# No inline script anywhere; report HTML is served with its own, stricter policy by the report view.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicy:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


# Pages a signed-in user who still owes a two-factor code may reach: signing in and out, and two-factor itself.
TWO_FACTOR_EXEMPT = frozenset({"login", "logout", "two_factor", "two_factor_verify"})


class TwoFactorRequired:
    """Until a user who needs two-factor has passed it this session, every other page sends them there.

    Staff must always pass it; organisation users must once they have a confirmed device. Users without a
    device are sent to enrol (`two_factor`), users with one to enter a code (`two_factor_verify`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], view_args: list, view_kwargs: dict
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.view_name in TWO_FACTOR_EXEMPT or not twofactor.is_pending(request):
            return None
        target = "two_factor_verify" if twofactor.has_confirmed_device(request.user) else "two_factor"
        return redirect_to_login(request.get_full_path(), reverse(target), REDIRECT_FIELD_NAME)
