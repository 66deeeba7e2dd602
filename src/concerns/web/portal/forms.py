"""NHS.UK frontend classes and accessible descriptions for Django form widgets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

WIDGET_CLASSES = {
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
    "checkbox": "nhsuk-checkboxes__input",
    "clearablefile": "nhsuk-file-upload__input",
    "multiplefile": "nhsuk-file-upload__input",
    "file": "nhsuk-file-upload__input",
}
UNSTYLED = {
    "checkboxselectmultiple",
    "radioselect",
    "dateparts",
}  # their templates draw each option (or part), in a described fieldset
DATE_PARTS = ("day", "month", "year")


DJANGO_REQUIRED = forms.Field.default_error_messages["required"]
CHOSEN = (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField, forms.FileField)


def required_message(field: forms.Field, label: str) -> str:
    """The NHS.UK error for an empty field, naming it: "Enter the organisation name", "Select the role",
    "Enter the date opened" (for a label such as "Opened on")."""
    label = str(label)
    if not label[1:2].isupper():  # "Organisation name" → "organisation name"; "GMC number" stays
        label = label[:1].lower() + label[1:]
    if label.endswith(" on") and isinstance(field, forms.DateField):
        label = f"date {label.removesuffix(' on')}"
    if not label.startswith(("the ", "your ", "their ", "a ", "an ")):
        label = f"the {label}"
    return f"{'Select' if isinstance(field, CHOSEN) else 'Enter'} {label}"


class NhsStyled:
    """Mix into a form: the NHS.UK class of each input, aria-describedby pointing at its hint and error.

    A class given in the widget's attrs (such as a width) is kept. `input_width` is added to text inputs
    that have no class of their own. Render each field with `portal/_field.html` and the errors with
    `portal/_error_summary.html` (`{% include "portal/_error_summary.html" with errors=form|summary_errors %}`,
    after `{% load portal_forms %}`).
    """

    input_width = ""
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.error_messages.get("required") == DJANGO_REQUIRED:
                field.error_messages["required"] = required_message(field, self[name].label)  # type: ignore[index]
        self._style(errors={})  # not `self.errors`: that would validate before a subclass's __init__ ends

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._style(errors=self.errors)  # type: ignore[attr-defined]

    def _style(self, errors: dict[str, Any]) -> None:
        for name, field in self.fields.items():
            bound = self[name]  # type: ignore[index]
            if field.widget.is_hidden or bound.widget_type in UNSTYLED:
                continue
            field.widget.attrs["class"] = " ".join(self._classes(bound, failed=name in errors))
            described = [f"{bound.auto_id}-hint"] if field.help_text else []
            if name in errors:
                described.append(f"{bound.auto_id}-error")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def _classes(self, bound: forms.BoundField, *, failed: bool) -> list[str]:
        kind = WIDGET_CLASSES.get(bound.widget_type, "nhsuk-input")
        given = [
            name for name in bound.field.widget.attrs.get("class", "").split() if not name.endswith("--error")
        ]
        classes = given or [kind, *([self.input_width] if kind == "nhsuk-input" and self.input_width else [])]
        if failed and bound.widget_type != "checkbox":
            classes.append(f"{kind}--error")
        return classes


class DateParts(forms.MultiWidget):
    """The NHS.UK date input: day, month and year, each in its own box (`portal/_field.html` draws them)."""

    def __init__(self) -> None:
        super().__init__({part: forms.TextInput() for part in DATE_PARTS})

    def decompress(self, value: dt.date | None) -> list[int | None]:
        return [value.day, value.month, value.year] if value else [None, None, None]

    def subwidgets(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> Any:
        """Each box (its name, value and id), so a template can draw them: `field.subwidgets`."""
        yield from self.get_context(name, value, attrs)["widget"]["subwidgets"]


class DateField(forms.Field):
    """A date entered in three boxes, with the NHS.UK date input's error messages."""

    widget = DateParts

    def clean(self, value: Any) -> dt.date | None:
        parts = [str(part or "").strip() for part in (value or ["", "", ""])]
        if not any(parts):
            return super().clean(None)  # "Enter …" when required, else None
        name = str(self.label)
        missing = [part for part, given in zip(DATE_PARTS, parts, strict=True) if not given]
        if missing:
            raise forms.ValidationError(f"{name} must include a {' and a '.join(missing)}")
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            raise forms.ValidationError(f"{name} must be a real date, with the year in 4 numbers")
        try:
            day = dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise forms.ValidationError(f"{name} must be a real date") from None
        self.run_validators(day)
        return day


def errors_of(*forms_: forms.BaseForm) -> list[dict[str, str]]:
    """Every error of the forms, each linking to its field, for the error summary at the top of the page."""
    found = []
    for form in forms_:
        for name in form.errors:
            if name == NON_FIELD_ERRORS:
                found += [{"href": "#maincontent", "text": str(text)} for text in form.non_field_errors()]
                continue
            bound = form[name]
            target = f"{bound.auto_id}_0" if bound.widget_type in UNSTYLED else bound.auto_id
            found += [{"href": f"#{target}", "text": str(text)} for text in bound.errors]
    return found
