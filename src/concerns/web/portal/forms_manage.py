"""Forms for administration (users, memberships, assignments, organisations) and the audit log's filter."""

from __future__ import annotations

from typing import Any

from django import forms

from concerns.web.portal.audit import action_choices
from concerns.web.portal.forms import NhsStyled
from concerns.web.portal.models import NATION_CHOICES, Organisation, User
from concerns.web.portal.roles import Position

NATIONS = NATION_CHOICES


class UserCreateForm(NhsStyled, forms.ModelForm):
    input_width = "nhsuk-u-width-two-thirds"

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role"]
        help_texts = {
            "username": "Letters, digits and @ . + - _ only.",
            "email": "We send a link to this address for them to choose a password.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Another user has this email address")
        return email


class UserEditForm(NhsStyled, forms.ModelForm):
    input_width = "nhsuk-u-width-two-thirds"

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "role", "is_active"]
        labels = {"is_active": "Active (can sign in)"}
        help_texts = {
            "is_active": "",
            "role": "Changing to or between Advice staff roles makes them set up "
            "two-factor authentication again.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another user has this email address")
        return email


class MembershipForm(NhsStyled, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"), empty_label="Choose an organisation"
    )
    position = forms.ChoiceField(choices=Position.choices)


class AssignmentForm(NhsStyled, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"),
        empty_label="Choose an organisation",
        label="Organisation to assign",
    )


class OrganisationForm(NhsStyled, forms.ModelForm):
    input_width = "nhsuk-u-width-two-thirds"
    nation = forms.ChoiceField(choices=NATIONS)

    class Meta:
        model = Organisation
        fields = ["code", "name", "nation", "served"]
        labels = {
            "code": "Organisation code",
            "name": "Organisation name",
            "served": "Served (reports are produced for it)",
        }
        help_texts = {"code": "The ODS code, for example RX1.", "served": ""}

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class AuditFilterForm(NhsStyled, forms.Form):
    input_width = "nhsuk-u-width-two-thirds"
    action = forms.ChoiceField(required=False)
    user = forms.CharField(required=False, label="Username", max_length=150)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"), required=False, empty_label="Any organisation"
    )
    date_from = forms.DateField(
        required=False, label="From (date)", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        required=False, label="To (date)", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, extra_actions: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        known = dict(action_choices())
        for action in extra_actions or []:
            known.setdefault(action, action.replace("-", " ").capitalize())
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = [("", "Any action"), *sorted(known.items())]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date")
        return cleaned
