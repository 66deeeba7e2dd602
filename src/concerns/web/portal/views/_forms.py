"""NHS.UK frontend classes and accessible descriptions for Django form widgets."""

from __future__ import annotations

from typing import Any

from django import forms

WIDGET_CLASSES = {"textarea": "nhsuk-textarea", "select": "nhsuk-select", "clearablefile": "nhsuk-file-upload__input",
                  "multiplefile": "nhsuk-file-upload__input", "file": "nhsuk-file-upload__input"}
UNSTYLED = {"checkbox", "checkboxselectmultiple", "radioselect"}


class NhsStyled:
    """Mix into a form: the NHS.UK class of each input, aria-describedby pointing at its hint and error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)

    def full_clean(self) -> None:
        super().full_clean()
        style(self)


def style(form: forms.BaseForm) -> forms.BaseForm:
    for name, field in form.fields.items():
        bound = form[name]
        if bound.widget_type in UNSTYLED:
            continue
        classes = [WIDGET_CLASSES.get(bound.widget_type, "nhsuk-input")]
        described = [f"{bound.auto_id}-hint"] if field.help_text else []
        if form.is_bound and bound.errors:
            classes.append(f"{classes[0]}--error")
            described.append(f"{bound.auto_id}-error")
        field.widget.attrs["class"] = " ".join(classes)
        if described:
            field.widget.attrs["aria-describedby"] = " ".join(described)
    return form


def errors_of(*forms_: forms.BaseForm) -> list[dict[str, str]]:
    """Every error of the forms, each linking to its field, for the error summary at the top of the page."""
    found = []
    for form in forms_:
        for name in form.errors:
            if name == forms.forms.NON_FIELD_ERRORS:
                found += [{"href": "#maincontent", "text": str(text)} for text in form.non_field_errors()]
                continue
            bound = form[name]
            target = f"{bound.auto_id}_0" if bound.widget_type in UNSTYLED - {"checkbox"} else bound.auto_id
            found += [{"href": f"#{target}", "text": str(text)} for text in bound.errors]
    return found
