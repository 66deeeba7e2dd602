"""Signing in and out, two-factor, password reset and change."""

from django.urls import path

from concerns.web.portal.views import accounts

urlpatterns = [
    path("sign-in/", accounts.sign_in, name="login"),
    path("sign-out/", accounts.sign_out, name="logout"),
    path("two-factor/", accounts.two_factor, name="two_factor"),
    path("two-factor/code/", accounts.two_factor_verify, name="two_factor_verify"),
    path("password-reset/", accounts.password_reset, name="password_reset"),
    path("password-reset/sent/", accounts.password_reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", accounts.password_reset_confirm, name="password_reset_confirm"),
    path("password-reset/done/", accounts.password_reset_complete, name="password_reset_complete"),
    path("account/password/", accounts.password_change, name="password_change"),
    path("account/password/changed/", accounts.password_change_done, name="password_change_done"),
]
