"""Who may use a kind of page at all. Which objects they see is `scope.scoped`'s business, not this module's."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from concerns.web.portal.roles import Role

View = Callable[..., HttpResponse]


def roles(*allowed: Role) -> Callable[[View], View]:
    """Signed-in users of these roles only; anyone else gets 404 (the page does not exist for them)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in allowed:
                raise Http404("Not found")
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorate


insights_only = roles(Role.INSIGHTS)
readers = roles(Role.ORGANISATION, Role.ADVISER, Role.INSIGHTS)
