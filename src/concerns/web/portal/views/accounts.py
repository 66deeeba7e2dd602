"""Signing in, two-factor enrolment and verification, password reset and change."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as reset_lockout
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from concerns.web.portal import twofactor
from concerns.web.portal.access import SignedInRequest
from concerns.web.portal.audit import Action, record
from concerns.web.portal.forms_accounts import (
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    SignInForm,
    TwoFactorCodeForm,
)

WRONG_CODE = "The code is not right. Enter the code your authenticator app shows now"
THROTTLED = "Too many wrong codes. Wait a minute, then enter the code your authenticator app shows now"


def local_path(request: HttpRequest, candidate: str | None) -> str | None:
    """`candidate` if it is a path on this site (`/…`), else None: never a view name, host or scheme."""
    if not candidate or not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return None
    safe = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if safe else None


def _requested_next(request: HttpRequest) -> str | None:
    return local_path(request, request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME))


class SignInView(auth_views.LoginView):
    template_name = "portal/accounts/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    # `request` is in django-stubs' signature (Django 6); Django 5.2 passes none, and self.request is the same.
    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        target = _requested_next(self.request)
        # Back to the sign-in page itself would loop (Django refuses it with an error): home instead.
        return "" if target is None or target.split("?")[0] == self.request.path else target


class SignOutView(auth_views.LogoutView):
    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        return _requested_next(self.request) or ""


sign_in = SignInView.as_view()
sign_out = SignOutView.as_view()


def _after_two_factor(request: HttpRequest) -> HttpResponse:
    # A plain redirect: `redirect()` would try a bare word such as "reports" as a view name.
    return HttpResponseRedirect(_requested_next(request) or reverse("home"))


def _with_next(request: HttpRequest, name: str) -> HttpResponse:
    target, next_url = reverse(name), local_path(request, request.GET.get(REDIRECT_FIELD_NAME))
    return HttpResponseRedirect(
        f"{target}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else target
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: SignedInRequest) -> HttpResponse:
    """Two-factor status, and enrolment for users without a device (required for staff, optional otherwise)."""
    user = request.user
    if twofactor.has_confirmed_device(user):
        if not twofactor.is_verified(request):
            return _with_next(request, "two_factor_verify")
        return render(request, "portal/accounts/two_factor_on.html", {"required": user.needs_two_factor})
    device = twofactor.enrolment_device(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed = device.verify_is_allowed()[0]
        if allowed and twofactor.verify(device, form.cleaned_data["code"]):
            twofactor.confirm(request, device)
            record(request, Action.TWO_FACTOR_ADDED, target=device)
            messages.success(
                request, "Two-factor authentication is set up. You will need a code each time you sign in."
            )
            return _after_two_factor(request)
        form.add_error("code", WRONG_CODE if allowed else THROTTLED)
    return render(
        request,
        "portal/accounts/two_factor_enrol.html",
        {
            "form": form,
            "required": user.needs_two_factor,
            "qr_code": twofactor.qr_data_uri(device),
            "secret": twofactor.secret_text(device),
            "next": local_path(request, request.GET.get(REDIRECT_FIELD_NAME)) or "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code asked for after the password, from users who have a device."""
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return _with_next(request, "two_factor")
    if twofactor.is_verified(request):
        return _after_two_factor(request)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed = device.verify_is_allowed()[0]
        if allowed and twofactor.verify(device, form.cleaned_data["code"]):
            twofactor.mark_verified(request, device)
            return _after_two_factor(request)
        record(request, Action.TWO_FACTOR_FAILED, target=device)
        form.add_error("code", WRONG_CODE if allowed else THROTTLED)
    return render(
        request,
        "portal/accounts/two_factor_verify.html",
        {"form": form, "next": local_path(request, request.GET.get(REDIRECT_FIELD_NAME)) or ""},
    )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record(self.request, Action.PASSWORD_RESET, actor=form.user)
        reset_lockout(username=form.user.get_username())  # a new password ends a lockout on the old one
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "portal/accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record(self.request, Action.PASSWORD_CHANGED)
        return response


password_reset = auth_views.PasswordResetView.as_view(
    template_name="portal/accounts/password_reset.html",
    email_template_name="portal/accounts/password_reset_email.txt",
    subject_template_name="portal/accounts/password_reset_subject.txt",
    form_class=PasswordResetForm,
    success_url=reverse_lazy("password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="portal/accounts/password_reset_done.html"
)
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="portal/accounts/password_reset_complete.html"
)
password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="portal/accounts/password_change_done.html"
)
