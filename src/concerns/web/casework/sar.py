"""Subject access: every record of a practitioner, and the pack that answers their request.

`records_of` searches every `Recorded` model through its `PRACTITIONER_PATH`, so a model added to the
register is searched without anyone remembering to add it here. `build_pack` turns the records into
plain JSON-ready data with the supplementary information UK GDPR Article 15 requires; other people's
names are replaced by their role (see `redactor_for`). The PDF is typeset by Typst from that same data,
passed as JSON, so no record text is ever read as Typst markup.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from importlib import resources
from typing import Any, cast

from django.db import models

from concerns import vocabulary as v
from concerns.web.casework.models import (
    Case,
    ChangeRecord,
    Exclusion,
    Hpan,
    Practitioner,
    PractitionerIdentity,
    Recorded,
    SubjectAccessRequest,
    ThirdParty,
    recorded_models,
)
from concerns.web.casework.redaction import Redactor
from concerns.web.portal.models import User

PACK_TITLE = "Your personal data held by Practitioner Performance Advice"
CONTROLLER = "NHS Resolution (Practitioner Performance Advice)"

# Article 15(1)(a)–(h) and 15(2): what must accompany the copy of the data. Wording for the service's
# Data Protection Officer to confirm.
SUPPLEMENTARY_INFORMATION: tuple[tuple[str, str], ...] = (
    (
        "Why we hold your data (purposes)",
        "Practitioner Performance Advice, a service of NHS Resolution, holds this information to advise the NHS "
        "organisation that asked for help with a concern about a practitioner's practice, to provide the "
        "services used in the case (exclusion advice, assessments, action plans, team reviews and Healthcare "
        "Professional Alert Notices), and to produce statistics about casework in which no individual can be "
        "identified. We do this as part of our public task.",
    ),
    (
        "What kinds of data we hold (categories)",
        "Identification details (your name and professional registration); details of each case (the "
        "organisation, your profession, grade and specialty, the types of concern, dates, contacts, notes and "
        "outcomes); records of exclusions, assessments, action plans, team reviews and alerts; and equality "
        "information (sex, age band, ethnic group, disability and place of primary qualification). Information "
        "about health and ethnic group is special category data.",
    ),
    (
        "Who sees it (recipients)",
        "Advice's advisers and its insights team; the organisation that sought advice in each case; for a "
        "Healthcare Professional Alert Notice, the recipients listed with the alert (NHS England medical "
        "directors, the chief medical officers of the four nations, the requesting body, your regulator and "
        "you). Statistical reports never show an individual case.",
    ),
    (
        "How long we keep it (retention)",
        "Case records are kept for the period set by NHS Resolution's records retention schedule, which follows "
        "the Records Management Code of Practice for Health and Social Care, counted from the date the case "
        "closed; they are then securely destroyed.",
    ),
    (
        "Your rights",
        "You have the right to ask us to correct inaccurate data (rectification), to delete it (erasure), to "
        "limit how we use it (restriction), and to object to our using it (objection). Write to NHS "
        "Resolution's Data Protection Officer. Some of these rights are limited where data is used for a "
        "public task.",
    ),
    (
        "Your right to complain to the Information Commissioner",
        "If you are unhappy with how we have handled your data or this request, you may complain to the "
        "Information Commissioner's Office: ico.org.uk/make-a-complaint, telephone 0303 123 1113, or "
        "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF.",
    ),
    (
        "Where the data came from (source)",
        "From the organisation that sought advice in each case (named in each case below), from you, and from "
        "Advice's own advisers and assessors.",
    ),
    (
        "Automated decision-making",
        "No decision about you is made by automated means, and you are not profiled (Article 22 UK GDPR).",
    ),
    ("Transfers outside the UK", "Your data is not transferred outside the United Kingdom."),
)
REDACTION_NOTE = (
    "Names of other people in these records are replaced by their role, shown in square brackets, "
    "to protect their own privacy."
)

# Records not about the subject: the list of other people's names exists only to redact them.
NOT_IN_PACK = (ThirdParty,)
STRUCTURE_FIELDS = {"id", "case", "practitioner", "exclusion", "hpan", "pseudonym", "reference"}
CODE_LISTS = {"concerns": v.CONCERNS, "services": v.SERVICES}
CHOICE_LISTS = {"criteria": Hpan.Criterion, "recipients": Hpan.Recipient}
BOARD_MEMBER_ROLE = "the board member monitoring the exclusion"
HPAN_REQUESTER_ROLE = "the executive board member who requested the alert"
ADVISER_ROLE = "an Advice adviser"
OTHER_PRACTITIONER_ROLE = "another practitioner"


# --- search -------------------------------------------------------------------------------------------


def records_of(practitioner: Practitioner) -> dict[type[Recorded], list[Recorded]]:
    """Every record about this practitioner, by model."""
    found: dict[type[Recorded], list[Recorded]] = {}
    for model in recorded_models():
        rows = list(model.objects.filter(**{model.PRACTITIONER_PATH: practitioner.pk}).order_by("pk"))
        if rows:
            found[model] = rows
    return found


def history_of(practitioner: Practitioner) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(practitioner=practitioner).order_by("at", "id"))


# --- redaction ----------------------------------------------------------------------------------------


def redactor_for(practitioner: Practitioner) -> Redactor:
    """Every other person the register can name: third parties listed in the practitioner's cases, board
    members and requesters recorded in them, Advice staff, and every other practitioner in the register."""
    cases = Case.objects.filter(practitioner=practitioner)
    names: dict[str, str] = {}
    for identity in PractitionerIdentity.objects.exclude(practitioner=practitioner):
        names[identity.full_name] = OTHER_PRACTITIONER_ROLE
    for user in User.objects.exclude(first_name="", last_name=""):
        names[user.get_full_name()] = ADVISER_ROLE if user.is_advice_staff else "another person"
    for name in (
        Exclusion.objects.filter(case__in=cases)
        .exclude(monitoring_board_member="")
        .values_list("monitoring_board_member", flat=True)
    ):
        names[name] = BOARD_MEMBER_ROLE
    for name in Hpan.objects.filter(case__in=cases).values_list("requested_by", flat=True):
        names[name] = HPAN_REQUESTER_ROLE
    for third_party in ThirdParty.objects.filter(case__in=cases):
        for name in third_party.names():
            names[name] = third_party.role
    own = PractitionerIdentity.objects.filter(practitioner=practitioner).first()
    if own is not None:
        names.pop(own.full_name, None)
    return Redactor(names)


# --- the pack -----------------------------------------------------------------------------------------


def build_pack(request: SubjectAccessRequest, *, prepared_on: dt.date) -> dict[str, Any]:
    """The answer to a subject access request, as JSON-ready data."""
    practitioner = request.practitioner
    redactor = redactor_for(practitioner)
    found = records_of(practitioner)
    cases = cast(list[Case], found.get(Case, []))  # records_of lists each model's own rows
    return {
        "title": PACK_TITLE,
        "controller": CONTROLLER,
        "prepared_on": prepared_on.isoformat(),
        "request": _request_facts(request),
        "subject": _subject(practitioner),
        "supplementary_information": [{"heading": h, "text": t} for h, t in SUPPLEMENTARY_INFORMATION],
        "redaction_note": REDACTION_NOTE,
        "cases": [_case_section(case, found, redactor) for case in cases],
        "requests": [_item(record, redactor) for record in found.get(SubjectAccessRequest, [])],
        "history": _history(practitioner, redactor),
    }


def _request_facts(request: SubjectAccessRequest) -> list[dict[str, str]]:
    facts = [
        ("Received", request.received_on),
        ("Identity verified", request.identity_verified_on),
        ("Due", request.due_on),
        ("Extended (notified)", request.extended_on),
    ]
    return [{"label": label, "value": long_date(value)} for label, value in facts if value]


def _subject(practitioner: Practitioner) -> list[dict[str, str]]:
    rows = [{"label": "Our reference for you", "value": practitioner.pseudonym}]
    identity = PractitionerIdentity.objects.filter(practitioner=practitioner).first()
    if identity:
        rows += [
            {"label": "Name", "value": identity.full_name},
            {
                "label": "Registration",
                "value": f"{identity.registration_body} {identity.registration_number}",
            },
        ]
    return rows


def _case_section(
    case: Case, found: dict[type[Recorded], list[Recorded]], redactor: Redactor
) -> dict[str, Any]:
    items = []
    for model, rows in found.items():
        if model in (Case, Practitioner, PractitionerIdentity, SubjectAccessRequest) or model in NOT_IN_PACK:
            continue
        for row in rows:
            row_case = row.case_of()
            assert row_case is not None  # the models left are records of a case
            if row_case.pk == case.pk:
                items.append(_item(row, redactor))
    return {
        "heading": f"Case {case.reference}: {case.organisation.name}",
        "case": _item(case, redactor),
        "records": items,
    }


def _item(record: Recorded, redactor: Redactor) -> dict[str, Any]:
    fields = [field for field in record._meta.concrete_fields if field.name not in STRUCTURE_FIELDS]
    rows = []
    for field in fields:
        value = _display(record, field, redactor)
        if value:
            rows.append({"label": str(field.verbose_name).capitalize(), "value": value})
    return {"type": str(record._meta.verbose_name).capitalize(), "fields": rows}


def _display(record: Recorded, field: models.Field, redactor: Redactor) -> str:
    value = getattr(record, field.attname)
    if value in (None, "", []):
        return ""
    if isinstance(field, models.ForeignKey):
        target = getattr(record, field.name)
        if isinstance(target, User):
            return ADVISER_ROLE if target.is_advice_staff else "a member of staff"
        return redactor(str(target))
    if field.choices:
        return str(getattr(record, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return long_date(value)
    if isinstance(value, list):
        return "; ".join(_label_of(field.name, str(code)) for code in value)
    return redactor(str(value))


def _label_of(name: str, code: str) -> str:
    if name in CODE_LISTS:
        return CODE_LISTS[name].label(code)
    if name in CHOICE_LISTS:
        return CHOICE_LISTS[name](code).label
    return code


def _history(practitioner: Practitioner, redactor: Redactor) -> list[dict[str, str]]:
    rows = []
    for change in history_of(practitioner):
        if change.model in {model.__name__ for model in NOT_IN_PACK}:
            continue
        fields = ", ".join(sorted(name.removesuffix("_id") for name in change.changes))
        rows.append(
            {
                "on": long_date(change.at.date()),
                "record": change.model,
                "action": change.action,
                "fields": redactor(fields),
            }
        )
    return rows


def long_date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


# --- JSON and PDF -------------------------------------------------------------------------------------


def pack_json(pack: dict[str, Any]) -> bytes:
    return json.dumps(pack, ensure_ascii=False, indent=2).encode("utf-8")


class PackRenderError(RuntimeError):
    pass


_lock = threading.Lock()


@functools.cache
def _compiler():
    import typst

    from concerns.report import font_dir

    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=[str(font_dir())])
    return typst.Compiler(font_paths=fonts, ignore_system_fonts=True)


@functools.cache
def _template() -> bytes:
    return (
        resources.files("concerns.web.casework")
        .joinpath("templates", "casework", "typst", "sar_pack.typ")
        .read_bytes()
    )


def pack_pdf(pack: dict[str, Any]) -> bytes:
    """The pack as an A4, tagged (PDF/UA-1) document."""
    import typst

    prepared = dt.date.fromisoformat(pack["prepared_on"])
    try:
        with _lock:
            pdf = _compiler().compile(
                input=_template(),
                format="pdf",
                sys_inputs={"pack": pack_json(pack).decode("utf-8")},
                pdf_standards=["ua-1"],
                timestamp=dt.datetime.combine(prepared, dt.time(0), tzinfo=dt.UTC),
            )
    except (typst.TypstError, RuntimeError) as error:
        raise PackRenderError(f"could not typeset the subject access pack: {error}") from error
    assert isinstance(pdf, bytes)
    return pdf
