"""NHS.UK frontend classes and accessible descriptions for Django form widgets."""

from __future__ import annotations

from typing import Any

from django import forms

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
}  # their templates draw each option, in a described fieldset


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


def errors_of(*forms_: forms.BaseForm) -> list[dict[str, str]]:
    """Every error of the forms, each linking to its field, for the error summary at the top of the page."""
    found = []
    for form in forms_:
        for name in form.errors:
            if name == forms.forms.NON_FIELD_ERRORS:
                found += [{"href": "#maincontent", "text": str(text)} for text in form.non_field_errors()]
                continue
            bound = form[name]
            target = f"{bound.auto_id}_0" if bound.widget_type in UNSTYLED else bound.auto_id
            found += [{"href": f"#{target}", "text": str(text)} for text in bound.errors]
    return found
