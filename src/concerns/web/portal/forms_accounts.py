"""Forms for signing in, two-factor and passwords, dressed in NHS.UK frontend classes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms

from concerns.web.portal.forms import NhsStyled


class SignInForm(NhsStyled, auth_forms.AuthenticationForm):
    input_width = "nhsuk-u-width-two-thirds"
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class TwoFactorCodeForm(NhsStyled, forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=12,
        help_text="The 6-digit code your authenticator app shows now.",
        widget=forms.TextInput(
            attrs={
                "class": "nhsuk-input nhsuk-input--width-10",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app")
        return code


class PasswordResetForm(NhsStyled, auth_forms.PasswordResetForm):
    input_width = "nhsuk-u-width-two-thirds"


class SetPasswordForm(NhsStyled, auth_forms.SetPasswordForm):
    input_width = "nhsuk-u-width-two-thirds"


class PasswordChangeForm(NhsStyled, auth_forms.PasswordChangeForm):
    input_width = "nhsuk-u-width-two-thirds"
