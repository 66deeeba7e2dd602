from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect

from concerns.web.portal.access import SignedInRequest
from concerns.web.portal.roles import Role

# Where each role starts after signing in.
LANDING = {
    Role.ORGANISATION: "reports",
    Role.ADVISER: "reports",
    Role.INSIGHTS: "uploads",
    Role.ADMIN: "users",
}


@login_required
def home(request: SignedInRequest) -> HttpResponse:
    return redirect(LANDING[Role(request.user.role)])
