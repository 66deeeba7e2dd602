"""Forms for signing in, two-factor and passwords, dressed in NHS.UK frontend classes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms

WIDGET_CLASSES = {
    "select": "nhsuk-select",
    "checkbox": "nhsuk-checkboxes__input",
    "textarea": "nhsuk-textarea",
}
ERROR_CLASSES = {"select": "nhsuk-select--error", "textarea": "nhsuk-textarea--error"}


class NHSFormMixin:
    """Adds NHS.UK classes to widgets, and error classes and `aria-describedby` once validated.

    Render each field with `portal/_field.html` and the errors with `portal/_error_summary.html`
    (`{% include "portal/_error_summary.html" with errors=form|summary_errors %}`, after `{% load portal_forms %}`).
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            kind = _widget_kind(field.widget)
            field.widget.attrs.setdefault("class", WIDGET_CLASSES.get(kind, "nhsuk-input nhsuk-u-width-two-thirds"))
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}-hint"

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            kind = _widget_kind(widget)
            if kind != "checkbox":
                widget.attrs["class"] += " " + ERROR_CLASSES.get(kind, "nhsuk-input--error")
            described = [f"id_{name}-hint"] if self.fields[name].help_text else []
            widget.attrs["aria-describedby"] = " ".join([*described, f"id_{name}-error"])


def _widget_kind(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


class SignInForm(NHSFormMixin, auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active.",
    }


class TwoFactorCodeForm(NHSFormMixin, forms.Form):
    code = forms.CharField(
        label="Security code", max_length=12, help_text="The 6-digit code your authenticator app shows now.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-10", "autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}))

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app")
        return code


class PasswordResetForm(NHSFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(NHSFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(NHSFormMixin, auth_forms.PasswordChangeForm):
    pass
