"""Forms of the register. Model forms run the models' own rules (clean and constraints), so a form can
never accept what the model would refuse; views save through `save(by=user)`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from concerns import vocabulary as v
from concerns.web.casework.models import (
    ActionPlan,
    Assessment,
    Case,
    CaseEntry,
    Exclusion,
    ExclusionReview,
    Hpan,
    HpanReview,
    PractitionerIdentity,
    RegistrationMatch,
    SubjectAccessRequest,
    TeamReview,
    ThirdParty,
)
from concerns.web.portal.access import may_assign_adviser
from concerns.web.portal.forms import NhsStyled
from concerns.web.portal.models import Organisation, User
from concerns.web.portal.roles import Role
from concerns.web.portal.scope import scoped

# Services a case records by hand; the others follow from its records (see export.services_used).
HAND_RECORDED_SERVICES = ("restriction", "education")


def dated(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Date fields as the browser's date input (works without JavaScript)."""
    if isinstance(field, models.DateField):
        kwargs["widget"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return field.formfield(**kwargs)


def checkboxes(
    codes: list[tuple[str, str]], label: str, *, required: bool, help_text: str = ""
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=codes,
        widget=forms.CheckboxSelectMultiple,
        required=required,
        label=label,
        help_text=help_text,
    )


class CaseForm(NhsStyled, forms.ModelForm):
    concerns = checkboxes(
        [(m.code, m.label) for m in v.CONCERNS],
        "Types of concern",
        required=True,
        help_text="Choose every type that applies; a sub-type counts for its area.",
    )
    services = checkboxes(
        [(m.code, m.label) for m in v.SERVICES if m.code in HAND_RECORDED_SERVICES],
        "Other services used",
        required=False,
        help_text="Exclusions, assessments, action plans, team reviews and alerts count "
        "from their own records.",
    )

    class Meta:
        model = Case
        fields = [
            "organisation",
            "adviser",
            "opened_on",
            "first_response_on",
            "summary",
            "profession",
            "grade",
            "specialty",
            "sex",
            "age_band",
            "ethnicity",
            "pmq",
            "disability",
            "concerns",
            "services",
            "status",
            "closed_on",
            "outcome",
        ]
        formfield_callback = dated

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation, adviser = self.fields["organisation"], self.fields["adviser"]
        # A model form gives each foreign key a ModelChoiceField.
        assert isinstance(organisation, forms.ModelChoiceField)
        assert isinstance(adviser, forms.ModelChoiceField)
        organisation.queryset = scoped(user, Organisation.objects.all())
        advisers = User.objects.filter(role=Role.ADVISER, is_active=True).order_by("last_name", "username")
        if not may_assign_adviser(user):
            # An adviser opens cases as their own and cannot change a case's adviser (`may_assign_adviser`).
            if self.instance.pk is None:
                advisers = advisers.filter(pk=user.pk)
            else:
                adviser.disabled = True
        adviser.queryset = advisers


class NewPractitionerForm(NhsStyled, forms.Form):
    """Who the case is about: their registration links repeat cases to one pseudonymous practitioner."""

    full_name = forms.CharField(label="Practitioner's full name", max_length=200)
    registration_body = forms.ChoiceField(
        label="Registration body", choices=PractitionerIdentity.Body.choices
    )
    registration_number = forms.CharField(label="Registration number", max_length=20)


class IdentityForm(NhsStyled, forms.ModelForm):
    """Correcting who a practitioner is (a misspelt name, a mistyped registration) after the case is opened."""

    class Meta:
        model = PractitionerIdentity
        fields = ["full_name", "registration_body", "registration_number"]

    def clean_full_name(self) -> str:
        return self.cleaned_data["full_name"].strip()

    def clean_registration_number(self) -> str:
        return self.cleaned_data["registration_number"].strip().upper()


class RegistrationCheckForm(NhsStyled, forms.Form):
    """The insights team's answer to a registration match: the same practitioner, or the registration entered
    was wrong and these are the practitioner's details."""

    status = forms.ChoiceField(
        label="Is the case about the practitioner already in the register?",
        error_messages={
            "required": "Select whether the case is about the practitioner already in the register"
        },
        choices=[
            (RegistrationMatch.Status.SAME, "Yes, the same practitioner: link the case to them"),
            (RegistrationMatch.Status.DIFFERENT, "No, a different practitioner: record their details"),
        ],
        widget=forms.RadioSelect,
    )
    full_name = forms.CharField(label="Their full name", max_length=200, required=False)
    registration_body = forms.ChoiceField(
        label="Their registration body", choices=PractitionerIdentity.Body.choices, required=False
    )
    registration_number = forms.CharField(label="Their registration number", max_length=20, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("status") == RegistrationMatch.Status.DIFFERENT:
            for name in ("full_name", "registration_body", "registration_number"):
                if not (data.get(name) or "").strip():
                    label = self.fields[name].label
                    assert label is not None  # each of these fields is declared with one
                    self.add_error(name, f"Enter {label.lower()}")
        data["full_name"] = (data.get("full_name") or "").strip()
        data["registration_number"] = (data.get("registration_number") or "").strip().upper()
        return data


class EntryForm(NhsStyled, forms.ModelForm):
    class Meta:
        model = CaseEntry
        fields = ["kind", "occurred_on", "summary"]
        formfield_callback = dated


class ThirdPartyForm(NhsStyled, forms.ModelForm):
    class Meta:
        model = ThirdParty
        fields = ["name", "other_names", "role"]


class ExclusionForm(NhsStyled, forms.ModelForm):
    class Meta:
        model = Exclusion
        fields = [
            "kind",
            "started_on",
            "advice_consulted_on",
            "monitoring_board_member",
            "police_involved",
            "counter_fraud_involved",
            "ended_on",
            "outcome",
        ]
        formfield_callback = dated


class ExclusionReviewForm(NhsStyled, forms.ModelForm):
    class Meta:
        model = ExclusionReview
        fields = ["held_on", "decision", "advice_consulted", "notes"]
        formfield_callback = dated


class AssessmentForm(NhsStyled, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = [
            "kind",
            "status",
            "requested_on",
            "decided_on",
            "organisation_agreed_on",
            "practitioner_agreed_on",
            "started_on",
            "report_on",
        ]
        formfield_callback = dated


class ActionPlanForm(NhsStyled, forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["kind", "status", "drafted_on", "agreed_on", "review_on", "completed_on", "summary"]
        formfield_callback = dated


class TeamReviewForm(NhsStyled, forms.ModelForm):
    class Meta:
        model = TeamReview
        fields = ["status", "requested_on", "agreed_on", "reviewers", "report_on", "summary"]
        formfield_callback = dated


class HpanForm(NhsStyled, forms.ModelForm):
    criteria = checkboxes(Hpan.Criterion.choices, "Criteria met", required=False)
    recipients = checkboxes(Hpan.Recipient.choices, "Sent to", required=False)

    class Meta:
        model = Hpan
        fields = [
            "requested_on",
            "requested_by",
            "requester_is_board_member",
            "criteria",
            "issued_on",
            "recipients",
            "revoked_on",
            "revocation_reason",
        ]
        formfield_callback = dated
        error_messages = {"requested_by": {"required": "Enter who requested the alert (name and position)"}}


class HpanReviewForm(NhsStyled, forms.ModelForm):
    class Meta:
        model = HpanReview
        fields = ["held_on", "decision", "notes"]
        formfield_callback = dated


class SubjectAccessForm(NhsStyled, forms.ModelForm):
    class Meta:
        model = SubjectAccessRequest
        fields = [
            "received_on",
            "identity_verified_on",
            "extended_on",
            "extension_reason",
            "answered_on",
            "withdrawn_on",
        ]
        formfield_callback = dated


class FindPractitionerForm(NhsStyled, forms.Form):
    """The requester, found by their registration (as they will quote it) or by our pseudonym."""

    registration_body = forms.ChoiceField(
        label="Registration body",
        required=False,
        choices=[("", "Choose"), *PractitionerIdentity.Body.choices],
    )
    registration_number = forms.CharField(label="Registration number", max_length=20, required=False)
    pseudonym = forms.CharField(
        label="Or our reference for the practitioner",
        max_length=20,
        required=False,
        help_text="Starts with P-.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        by_registration = data.get("registration_body") and data.get("registration_number")
        if not by_registration and not data.get("pseudonym"):
            raise forms.ValidationError("Give the registration body and number, or our reference.")
        return data
