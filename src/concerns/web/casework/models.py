"""The casework register: practitioners, cases and what Advice does in them.

Every record about a practitioner is a `Recorded` model: it is saved or deleted only with who did it
(`save(by=user)`, `delete(by=user)`), and that same call writes a `ChangeRecord` (who, what, when,
each field's old and new value) in the same transaction. There is no other save path, so a change
cannot be made without its history. Each record also says which practitioner it is about
(`PRACTITIONER_PATH`), which is how a subject access request finds every record of a practitioner.

Codes (profession, grade, concern types …) are those of `concerns.vocabulary`, the data contract's.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q

from concerns import vocabulary as v
from concerns.web.casework import dates
from concerns.web.casework.history import differences, snapshot
from concerns.web.portal.models import Organisation
from concerns.web.portal.roles import Role

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud on the telephone


def _token(length: int = 8) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_pseudonym() -> str:
    return f"P-{_token()}"


def new_case_reference() -> str:
    return f"C-{_token()}"


def choices(codes: v.CodeSet) -> list[tuple[str, str]]:
    return [(member.code, member.label) for member in codes]


def check_codes(values: Any, codes: v.CodeSet, what: str, *, required: bool = False) -> None:
    if not isinstance(values, list):
        raise ValidationError({what: "Choose from the list."})
    unknown = [value for value in values if value not in codes]
    if unknown:
        raise ValidationError({what: f"Unknown {codes.name} code: {', '.join(map(str, unknown))}."})
    if required and not values:
        raise ValidationError({what: f"Choose at least one {codes.name}."})


class Recorded(models.Model):
    """A record whose every save and deletion is kept in the change history."""

    PRACTITIONER_PATH: ClassVar[str]  # lookup from this model to its Practitioner, e.g. "case__practitioner"
    HIDE_VALUES_IN_HISTORY: ClassVar[bool] = False
    objects: ClassVar[models.Manager[Self]]  # every concrete record has the default manager

    class Meta:
        abstract = True

    def practitioner_of(self) -> Practitioner:
        target: Any = self
        for step in self.PRACTITIONER_PATH.split("__"):
            target = getattr(target, step)
        return target

    def case_of(self) -> Case | None:
        return None

    # Deliberately narrower than Model's: a record is saved or deleted only with who did it (`by=`).
    def save(self, *args: Any, by: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.full_clean()
        with transaction.atomic():
            before = snapshot(type(self).objects.get(pk=self.pk)) if self.pk else None
            super().save(*args, **kwargs)
            self._write_history("created" if before is None else "changed", before, by)

    def delete(self, *args: Any, by: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:  # type: ignore[override]
        with transaction.atomic():
            self._write_history("deleted", snapshot(self), by, after={})
            return super().delete(*args, **kwargs)

    def _write_history(
        self, action: str, before: dict[str, Any] | None, by: Any, after: dict[str, Any] | None = None
    ) -> None:
        after = snapshot(self) if after is None else after
        changes = (
            differences(before, after, hide_values=self.HIDE_VALUES_IN_HISTORY)
            if action != "deleted"
            else {
                name: {"from": "(hidden)" if self.HIDE_VALUES_IN_HISTORY else value, "to": None}
                for name, value in (before or {}).items()
            }
        )
        if action == "changed" and not changes:
            return
        case = self.case_of()
        ChangeRecord.objects.create(
            by=by,
            by_name=by.get_username(),
            action=action,
            model=type(self).__name__,
            object_id=str(self.pk),
            practitioner=self.practitioner_of(),
            case_id=case.pk if case else None,
            changes=changes,
        )


class CaseRecord(Recorded):
    """A record belonging to one case."""

    PRACTITIONER_PATH = "case__practitioner"
    case: Case  # each subclass's foreign key

    class Meta:
        abstract = True

    def case_of(self) -> Case:
        return self.case


class Practitioner(Recorded):
    """A practitioner known only by a pseudonym; who they are is in `PractitionerIdentity`."""

    PRACTITIONER_PATH = "pk"

    pseudonym = models.CharField(max_length=20, unique=True, default=new_pseudonym, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pseudonym"]

    def __str__(self) -> str:
        return self.pseudonym

    def practitioner_of(self) -> Practitioner:
        return self


class PractitionerIdentity(Recorded):
    """Who the practitioner is. Shown only to the case's adviser and the insights team, and each view
    is audited; the change history records which fields changed, never their values."""

    class Body(models.TextChoices):
        GMC = "GMC", "General Medical Council (GMC)"
        GDC = "GDC", "General Dental Council (GDC)"
        GPHC = "GPhC", "General Pharmaceutical Council (GPhC)"

    PRACTITIONER_PATH = "practitioner"
    HIDE_VALUES_IN_HISTORY = True

    practitioner = models.OneToOneField(Practitioner, on_delete=models.PROTECT, related_name="identity")
    full_name = models.CharField("full name", max_length=200)
    registration_body = models.CharField("registration body", max_length=4, choices=Body.choices)
    registration_number = models.CharField("registration number", max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration_body", "registration_number"], name="one_identity_per_registration"
            )
        ]


class Case(Recorded):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    PRACTITIONER_PATH = "practitioner"

    reference = models.CharField(max_length=20, unique=True, default=new_case_reference, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="casework_cases")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="cases")
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="advised_cases",
        limit_choices_to={"role": Role.ADVISER},
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField("opened on")
    first_response_on = models.DateField("first advice given on", null=True, blank=True)
    closed_on = models.DateField("closed on", null=True, blank=True)
    summary = models.TextField("summary of the concern", blank=True)
    profession = models.CharField(max_length=20, choices=choices(v.PROFESSIONS))
    grade = models.CharField(max_length=20, choices=choices(v.GRADES))
    specialty = models.CharField(max_length=100, blank=True)
    sex = models.CharField(max_length=20, choices=choices(v.SEXES))
    age_band = models.CharField("age band", max_length=20, choices=choices(v.AGE_BANDS))
    ethnicity = models.CharField(max_length=4, choices=choices(v.ETHNIC_CATEGORIES))
    pmq = models.CharField("place of primary qualification", max_length=20, choices=choices(v.PMQS))
    disability = models.CharField(max_length=20, choices=choices(v.DISABILITIES), default="not_stated")
    concerns = models.JSONField("types of concern", default=list)
    services = models.JSONField(
        "other services used",
        default=list,
        blank=True,
        help_text="Services not recorded elsewhere in the case, such as restriction "
        "advice or education; exclusions, assessments, action plans, team "
        "reviews and alerts count from their own records.",
    )
    outcome = models.CharField(max_length=30, choices=choices(v.OUTCOMES), default="open")

    class Meta:
        ordering = ["-opened_on", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="case_closed_has_closed_on",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def case_of(self) -> Case:
        return self

    def clean(self) -> None:
        check_codes(self.concerns, v.CONCERNS, "concerns", required=True)
        check_codes(self.services, v.SERVICES, "services")
        if self.status == self.Status.CLOSED and self.outcome == "open":
            raise ValidationError({"outcome": "A closed case needs its outcome."})
        if self.status == self.Status.OPEN and self.outcome != "open":
            raise ValidationError(
                {"outcome": "An open case's outcome is “Still open”; record it when closing."}
            )
        if (self.status == self.Status.CLOSED) != (self.closed_on is not None):
            raise ValidationError({"closed_on": "A closed case has a closing date, and an open case none."})
        if self.closed_on and self.closed_on < self.opened_on:
            raise ValidationError({"closed_on": "The case cannot close before it opened."})
        if self.first_response_on and self.first_response_on < self.opened_on:
            raise ValidationError({"first_response_on": "Advice cannot be given before the case opened."})
        if self.adviser is not None and self.adviser.role != Role.ADVISER:
            raise ValidationError({"adviser": "The case adviser must be an adviser."})

    @property
    def response_due_on(self) -> dt.date:
        return dates.response_due(self.opened_on)


class RegistrationMatch(CaseRecord):
    """A case opened with a registration the register already holds, by someone who could not see that
    practitioner's identity. The case is linked to that practitioner, but its adviser sees their identity only
    once the insights team says it is the same person; the details as entered are kept here for that check.
    """

    class Status(models.TextChoices):
        OPEN = "open", "To check"
        SAME = "same", "The same practitioner"
        DIFFERENT = "different", "A different practitioner"

    HIDE_VALUES_IN_HISTORY = True

    case = models.ForeignKey("Case", on_delete=models.PROTECT, related_name="registration_matches")
    full_name = models.CharField("full name as entered", max_length=200)
    registration_body = models.CharField(
        "registration body as entered", max_length=4, choices=PractitionerIdentity.Body.choices
    )
    registration_number = models.CharField("registration number as entered", max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "registration check"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ThirdParty(CaseRecord):
    """Someone other than the practitioner named in the case's records, and the role that replaces
    their name in a subject access pack."""

    case = models.ForeignKey("Case", on_delete=models.PROTECT, related_name="third_parties")
    name = models.CharField(max_length=200)
    other_names = models.TextField(
        "other ways the name is written", blank=True, help_text="One per line, e.g. “Dr Smith” or “Jo”."
    )
    role = models.CharField(
        "role shown instead", max_length=120, help_text="For example “a consultant colleague”."
    )

    class Meta:
        ordering = ["name"]

    def names(self) -> list[str]:
        return [self.name, *(line.strip() for line in self.other_names.splitlines() if line.strip())]


class CaseEntry(CaseRecord):
    """The case's timeline: contacts and notes."""

    class Kind(models.TextChoices):
        CONTACT_ORGANISATION = "contact_organisation", "Contact with the organisation"
        CONTACT_PRACTITIONER = "contact_practitioner", "Contact with the practitioner"
        ADVICE = "advice", "Advice given"
        NOTE = "note", "Note"

    case = models.ForeignKey("Case", on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    occurred_on = models.DateField("date")
    summary = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-occurred_on", "-id"]


class Exclusion(CaseRecord):
    """An MHPS exclusion (or suspension) from work."""

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", "Immediate (at most 2 weeks)"
        FORMAL = "formal", "Formal"

    class Outcome(models.TextChoices):
        RETURNED = "returned", "Returned to work"
        RETURNED_RESTRICTED = "returned_restricted", "Returned with restrictions"
        LEFT = "left", "Left the organisation"
        DISMISSED = "dismissed", "Dismissed"
        OTHER = "other", "Other"

    case = models.ForeignKey("Case", on_delete=models.PROTECT, related_name="exclusions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    started_on = models.DateField("started on")
    advice_consulted_on = models.DateField("Advice consulted on", null=True, blank=True)
    monitoring_board_member = models.CharField("board member monitoring", max_length=200, blank=True)
    police_involved = models.BooleanField("police involved", default=False)
    counter_fraud_involved = models.BooleanField("counter-fraud involved", default=False)
    ended_on = models.DateField("ended on", null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="exclusion_ends_after_start",
            ),
        ]

    def clean(self) -> None:
        if self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "An exclusion cannot end before it started."})
        if (
            self.kind == self.Kind.IMMEDIATE
            and self.ended_on
            and self.ended_on > dates.immediate_exclusion_ends_by(self.started_on)
        ):
            raise ValidationError(
                {
                    "ended_on": "An immediate exclusion lasts at most 2 weeks; "
                    "record a formal exclusion for the time after."
                }
            )
        if bool(self.ended_on) != bool(self.outcome):
            raise ValidationError({"outcome": "Record the outcome with the end date (and only then)."})

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def reviews_held(self) -> list[dt.date]:
        return [review.held_on for review in self.reviews.all()]

    @property
    def renewals(self) -> int:
        return sum(review.decision == ExclusionReview.Decision.RENEW for review in self.reviews.all())

    @property
    def next_review_on(self) -> dt.date | None:
        """When it must next be reviewed (immediate: when it must end); None once ended."""
        if not self.is_open:
            return None
        if self.kind == self.Kind.IMMEDIATE:
            return dates.immediate_exclusion_ends_by(self.started_on)
        return dates.next_exclusion_review(self.started_on, self.reviews_held())

    def flags(self, today: dt.date) -> list[str]:
        shown = []
        if dates.is_overdue(self.next_review_on, today):
            shown.append("Review overdue" if self.kind == self.Kind.FORMAL else "Past 2 weeks")
        if dates.many_renewals(self.renewals):
            shown.append(f"{self.renewals} renewals")
        if self.is_open and dates.exclusion_beyond_six_months(self.started_on, today):
            shown.append("Beyond 6 months")
        return shown


class ExclusionReview(Recorded):
    class Decision(models.TextChoices):
        RENEW = "renew", "Renewed for up to 4 weeks"
        END = "end", "Ended"
        RESTRICT = "restrict", "Ended; return with restrictions"

    PRACTITIONER_PATH = "exclusion__case__practitioner"

    exclusion = models.ForeignKey(Exclusion, on_delete=models.PROTECT, related_name="reviews")
    due_on = models.DateField("was due on")
    held_on = models.DateField("held on")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    advice_consulted = models.BooleanField("Advice consulted", default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["held_on", "id"]

    def case_of(self) -> Case:
        return self.exclusion.case

    def clean(self) -> None:
        if self.held_on and self.exclusion_id and self.held_on < self.exclusion.started_on:
            raise ValidationError({"held_on": "A review cannot come before the exclusion started."})

    @property
    def on_time(self) -> bool:
        return self.held_on <= self.due_on


class Assessment(CaseRecord):
    """A clinical or behavioural assessment. It cannot start until the organisation and the practitioner
    have both agreed: checked in `clean`, on every save, and by the database itself."""

    class Kind(models.TextChoices):
        CLINICAL = "clinical", "Clinical performance assessment"
        BEHAVIOURAL = "behavioural", "Behavioural assessment"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        OFFERED = "offered", "Offered"
        NOT_OFFERED = "not_offered", "Not offered"
        STARTED = "started", "Started"
        REPORTED = "reported", "Reported"
        WITHDRAWN = "withdrawn", "Withdrawn"

    STARTED_STATUSES = (Status.STARTED, Status.REPORTED)

    case = models.ForeignKey("Case", on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_on = models.DateField("requested on")
    decided_on = models.DateField("offer decided on", null=True, blank=True)
    organisation_agreed_on = models.DateField("organisation agreed on", null=True, blank=True)
    practitioner_agreed_on = models.DateField("practitioner agreed on", null=True, blank=True)
    started_on = models.DateField("started on", null=True, blank=True)
    report_on = models.DateField("report issued on", null=True, blank=True)

    class Meta:
        ordering = ["-requested_on"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organisation_agreed_on__isnull=False, practitioner_agreed_on__isnull=False)
                    | (Q(started_on__isnull=True) & ~Q(status__in=["started", "reported"]))
                ),
                name="assessment_starts_only_with_both_agreements",
                violation_error_message="An assessment cannot start until the organisation and the "
                "practitioner have both agreed to it.",
            ),
            models.CheckConstraint(
                condition=Q(report_on__isnull=True) | Q(started_on__isnull=False),
                name="assessment_reports_after_starting",
            ),
        ]

    @property
    def has_both_agreements(self) -> bool:
        return self.organisation_agreed_on is not None and self.practitioner_agreed_on is not None

    @property
    def is_starting(self) -> bool:
        return self.started_on is not None or self.status in self.STARTED_STATUSES

    @property
    def waiting_for(self) -> list[str]:
        missing = []
        if self.organisation_agreed_on is None:
            missing.append("the organisation's agreement")
        if self.practitioner_agreed_on is None:
            missing.append("the practitioner's agreement")
        return missing

    def clean(self) -> None:
        if self.is_starting and not self.has_both_agreements:
            raise ValidationError(
                {"started_on": "An assessment cannot start without " + " and ".join(self.waiting_for) + "."}
            )
        if self.status in self.STARTED_STATUSES and self.started_on is None:
            raise ValidationError({"started_on": "Record the date the assessment started."})
        if self.report_on and (self.started_on is None or self.report_on < self.started_on):
            raise ValidationError({"report_on": "The report comes after the assessment started."})


class ActionPlan(CaseRecord):
    class Kind(models.TextChoices):
        REMEDIATION = "remediation", "Remediation"
        RETURN_TO_WORK = "return_to_work", "Return to work"

    class Status(models.TextChoices):
        DRAFTING = "drafting", "Drafting"
        AGREED = "agreed", "Agreed"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    case = models.ForeignKey("Case", on_delete=models.PROTECT, related_name="action_plans")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFTING)
    drafted_on = models.DateField("drafting started on")
    agreed_on = models.DateField("agreed on", null=True, blank=True)
    review_on = models.DateField("next review on", null=True, blank=True)
    completed_on = models.DateField("completed on", null=True, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-drafted_on"]

    def clean(self) -> None:
        if self.status in (self.Status.AGREED, self.Status.COMPLETED) and self.agreed_on is None:
            raise ValidationError(
                {"agreed_on": "Record when the practitioner and the organisation agreed it."}
            )


class TeamReview(CaseRecord):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        AGREED = "agreed", "Agreed"
        UNDER_WAY = "under_way", "Under way"
        REPORTED = "reported", "Reported"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey("Case", on_delete=models.PROTECT, related_name="team_reviews")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_on = models.DateField("requested on")
    agreed_on = models.DateField("agreed on", null=True, blank=True)
    reviewers = models.TextField(
        "reviewers (roles)", blank=True, help_text="Two reviewers, at least one clinical."
    )
    report_on = models.DateField("report issued on", null=True, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_on"]


class Hpan(CaseRecord):
    """A Healthcare Professional Alert Notice."""

    class Criterion(models.TextChoices):
        SIGNIFICANT_RISK = (
            "significant_risk",
            "Poses a significant risk of harm to patients, staff or the public",
        )
        MAY_WORK_IN_NHS = "may_work_in_nhs", "May work, or seek work, in the NHS"
        PRESSING_NEED = "pressing_need", "There is a pressing need for an alert"

    class Recipient(models.TextChoices):
        NHSE_MEDICAL_DIRECTORS = "nhse_medical_directors", "NHS England medical directors"
        CHIEF_MEDICAL_OFFICERS = "chief_medical_officers", "Chief medical officers of the four nations"
        REQUESTING_BODY = "requesting_body", "The requesting body"
        REGULATOR = "regulator", "The regulator"
        SUBJECT = "subject", "The practitioner"

    class RevocationReason(models.TextChoices):
        INTERIM_CONDITIONS = "interim_conditions", "Regulator imposed interim conditions or suspension"
        RISK_ENDED = "risk_ended", "The risk no longer exists"
        OTHER = "other", "Other"

    case = models.ForeignKey("Case", on_delete=models.PROTECT, related_name="hpans")
    requested_on = models.DateField("requested on")
    requested_by = models.CharField("requested by (name and position)", max_length=200)
    requester_is_board_member = models.BooleanField(
        "requester is an executive board member or authorised deputy", default=False
    )
    criteria = models.JSONField("criteria met", default=list, blank=True)
    issued_on = models.DateField("issued on", null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    revoked_on = models.DateField("revoked on", null=True, blank=True)
    revocation_reason = models.CharField(
        "reason for revocation", max_length=30, choices=RevocationReason.choices, blank=True
    )

    class Meta:
        ordering = ["-requested_on"]
        verbose_name = "HPAN alert"
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | ~Q(revocation_reason=""),
                name="hpan_revocation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True) | Q(requester_is_board_member=True),
                name="hpan_requested_by_board_member",
            ),
        ]

    def clean(self) -> None:
        for values, kind, what in (
            (self.criteria, self.Criterion, "criteria"),
            (self.recipients, self.Recipient, "recipients"),
        ):
            unknown = set(values) - set(kind.values) if isinstance(values, list) else {"?"}
            if unknown:
                raise ValidationError({what: "Choose from the list."})
        if self.issued_on:
            if not self.requester_is_board_member:
                raise ValidationError(
                    {
                        "requester_is_board_member": "An alert is issued only at the request of "
                        "an executive board member or their authorised deputy."
                    }
                )
            if set(self.criteria) != set(self.Criterion.values):
                raise ValidationError({"criteria": "An alert is issued only when every criterion is met."})
            if not self.recipients:
                raise ValidationError({"recipients": "Record who the alert was sent to."})
        if self.revoked_on and not self.revocation_reason:
            raise ValidationError({"revocation_reason": "Say why the alert was revoked."})
        if self.revoked_on and (self.issued_on is None or self.revoked_on < self.issued_on):
            raise ValidationError({"revoked_on": "Only an issued alert is revoked, after its issue."})

    @property
    def is_active(self) -> bool:
        return self.issued_on is not None and self.revoked_on is None

    @property
    def next_review_on(self) -> dt.date | None:
        if not self.is_active:
            return None
        assert self.issued_on is not None  # is_active: issued
        return dates.next_hpan_review(self.issued_on, [review.held_on for review in self.reviews.all()])

    def flags(self, today: dt.date) -> list[str]:
        if dates.is_overdue(self.next_review_on, today):
            return ["Review overdue"]
        if dates.is_due_soon(self.next_review_on, today):
            return ["Review due soon"]
        return []


class HpanReview(Recorded):
    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue the alert"
        REVOKE = "revoke", "Revoke the alert"

    PRACTITIONER_PATH = "hpan__case__practitioner"

    hpan = models.ForeignKey(Hpan, on_delete=models.PROTECT, related_name="reviews")
    due_on = models.DateField("was due on")
    held_on = models.DateField("held on")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["held_on", "id"]

    def case_of(self) -> Case:
        return self.hpan.case


class SubjectAccessRequest(Recorded):
    """A practitioner's request for their personal data (UK GDPR Article 15)."""

    PRACTITIONER_PATH = "practitioner"

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    received_on = models.DateField("received on")
    identity_verified_on = models.DateField("identity verified on", null=True, blank=True)
    extended_on = models.DateField(
        "extension notified on",
        null=True,
        blank=True,
        help_text="When the requester was told the answer will take two more months.",
    )
    extension_reason = models.TextField("reason for the extension", blank=True)
    answered_on = models.DateField("answered on", null=True, blank=True)
    withdrawn_on = models.DateField("withdrawn on", null=True, blank=True)

    class Meta:
        ordering = ["-received_on"]
        verbose_name = "subject access request"
        constraints = [
            models.CheckConstraint(
                condition=Q(extended_on__isnull=True) | ~Q(extension_reason=""),
                name="sar_extension_has_reason",
            ),
        ]

    def clean(self) -> None:
        if self.identity_verified_on and self.identity_verified_on < self.received_on:
            raise ValidationError({"identity_verified_on": "Identity is verified on or after receipt."})
        if self.extended_on and not self.extension_reason.strip():
            raise ValidationError({"extension_reason": "An extension needs its reason."})
        if self.extended_on and self.identity_verified_on is None:
            raise ValidationError({"extended_on": "The time limit starts once identity is verified."})
        original = self.original_due_on
        if self.extended_on and original and self.extended_on > original:
            raise ValidationError({"extended_on": "An extension is notified within the first month."})
        if self.answered_on and self.answered_on < self.received_on:
            raise ValidationError({"answered_on": "A request is answered after it is received."})

    @property
    def original_due_on(self) -> dt.date | None:
        return dates.sar_due(self.received_on, self.identity_verified_on)

    @property
    def due_on(self) -> dt.date | None:
        return dates.sar_due(
            self.received_on, self.identity_verified_on, extended=self.extended_on is not None
        )

    @property
    def status(self) -> str:
        if self.withdrawn_on:
            return "Withdrawn"
        if self.answered_on:
            return "Answered"
        if self.identity_verified_on is None:
            return "Awaiting proof of identity"
        return "Extended" if self.extended_on else "In progress"

    @property
    def is_open(self) -> bool:
        return self.answered_on is None and self.withdrawn_on is None

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and dates.is_overdue(self.due_on, today)


class ChangeRecord(models.Model):
    """Who changed what in a casework record, and when. Append-only (database triggers)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    by_name = models.CharField(max_length=150)
    action = models.CharField(max_length=10)
    model = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    case = models.ForeignKey(
        Case, on_delete=models.DO_NOTHING, related_name="changes", null=True, db_constraint=False
    )
    changes = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            raise ValidationError("The change history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("The change history is append-only.")


# --- reference data for the contract files (not about any practitioner) ---------------------------------


class OrganisationProfile(models.Model):
    """What the data contract needs about an organisation beyond the portal's record of it."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="casework_profile"
    )
    org_type = models.CharField("organisation type", max_length=20, choices=choices(v.ORG_TYPES))
    nation = models.CharField(max_length=20, choices=choices(v.NATIONS))
    region = models.CharField(max_length=100, blank=True)


class Headcount(models.Model):
    """Workforce denominators (people, not FTE), as the contract's workforce file holds them."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="casework_headcounts"
    )
    fiscal_year = models.CharField(max_length=7)
    profession = models.CharField(max_length=20, choices=choices(v.PROFESSIONS))
    dimension = models.CharField(max_length=20, choices=choices(v.WORKFORCE_DIMENSIONS))
    group = models.CharField(max_length=20)
    headcount = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "fiscal_year", "profession", "dimension", "group"],
                name="one_headcount_per_group",
            )
        ]

    def clean(self) -> None:
        if not v.is_fiscal_year(self.fiscal_year):
            raise ValidationError({"fiscal_year": "An NHS financial year like 2023/24."})
        allowed = (
            (v.TOTAL_GROUP,) if self.dimension == "total" else v.DIMENSION_CODESETS[self.dimension].codes
        )
        if self.group not in allowed:
            raise ValidationError({"group": f"Not a group of {self.dimension}."})


def recorded_models() -> list[type[Recorded]]:
    """Every model holding records about a practitioner (what a subject access request searches)."""
    from django.apps import apps

    return [model for model in apps.get_app_config("casework").get_models() if issubclass(model, Recorded)]
