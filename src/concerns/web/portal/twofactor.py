"""TOTP two-factor authentication (django-otp): who needs it, enrolment, QR codes, verification.

Staff roles must pass two-factor before any staff page; organisation users may opt in, and once they have
a confirmed device they must pass it too. `TwoFactorRequired` (portal.middleware) enforces this in one place.
"""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import segno
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def create_device(user: Any, confirmed: bool = True) -> TOTPDevice:
    """A new TOTP device for `user` (confirmed ones count at sign-in; unconfirmed ones are mid-enrolment)."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed)


def current_code(device: TOTPDevice) -> str:
    """The six-digit code the device's authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_confirmed_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def requires_two_factor(user: Any) -> bool:
    """Staff always; organisation users once they have opted in (have a confirmed device)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.needs_two_factor) or has_confirmed_device(user)


def is_verified(request: HttpRequest) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", lambda: False)())


_PENDING = "_two_factor_pending"  # is_pending's answer, kept on the request


def is_pending(request: HttpRequest) -> bool:
    """Signed in with a password but still owing a two-factor code (or enrolment). Asked once per request."""
    if not hasattr(request, _PENDING):
        setattr(request, _PENDING, requires_two_factor(request.user) and not is_verified(request))
    pending: bool = getattr(request, _PENDING)
    return pending


def _forget_pending(request: HttpRequest) -> None:
    if hasattr(request, _PENDING):
        delattr(request, _PENDING)


def enrolment_device(user: Any) -> TOTPDevice:
    """The unconfirmed device being set up; the same one on every visit so the QR code stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or create_device(user, confirmed=False)


def verify(device: TOTPDevice, code: str) -> bool:
    code = "".join(code.split())
    return len(code) == device.digits and code.isdigit() and device.verify_token(code)


def confirm(request: HttpRequest, device: TOTPDevice) -> None:
    """Make an enrolled device the user's device and mark this session as verified with it."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    mark_verified(request, device)


def mark_verified(request: HttpRequest, device: TOTPDevice) -> None:
    request.session.cycle_key()  # a new session key once the user's assurance level rises
    otp_login(request, device)
    _forget_pending(request)


def reset(user: Any) -> int:
    """Remove every device: the user must enrol again at their next request. Returns how many were removed."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    return removed


def secret_text(device: TOTPDevice) -> str:
    """The key as base32 in groups of four, for typing into an authenticator app by hand."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG QR code in a data: URI (the CSP allows data: images)."""
    svg = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        svg, kind="svg", scale=5, border=4, xmldecl=False, dark="#000", light="#fff"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()
