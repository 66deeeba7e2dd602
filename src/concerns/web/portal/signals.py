"""Sign-ins, failed sign-ins, sign-outs and lockouts go to the audit log."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from concerns.web.portal import lockout
from concerns.web.portal.audit import Action, record


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(request, Action.SIGN_IN, actor=user)


@receiver(user_logged_out)
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(request, Action.SIGN_OUT, actor=user)


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    record(request, Action.SIGN_IN_FAILED, username=str(credentials.get("username", ""))[:150])


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: Any = None, username: str = "", ip_address: str = "", **kwargs: Any
) -> None:
    record(request, Action.LOCKED_OUT, username=str(username)[:150], scope=lockout.scope(request))
