"""Portal records: organisations, people and their roles, stored reports, discussions and the audit log.

Every organisation-owned model is read through `concerns.web.portal.scope.scoped`; never query them bare
in a view.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from concerns import vocabulary as v
from concerns.web.portal.roles import ROLE_NAMES, STAFF_ROLES, Position, Role

NATION_CHOICES = [(nation.code, nation.label) for nation in v.NATIONS]


class Organisation(models.Model):
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=200)
    nation = models.CharField(max_length=40, blank=True, choices=NATION_CHOICES)  # a vocabulary code
    served = models.BooleanField(default=True, help_text="Reports are produced for this organisation.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ORGANISATION)
    organisations = models.ManyToManyField(
        Organisation, through="Membership", related_name="members", blank=True
    )

    @property
    def name(self) -> str:
        """The name the portal shows, first and last together: the password check compares it as a whole,
        as well as each part (a password like "alexandra brightwell1" is close to neither part alone)."""
        return self.get_full_name()

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[Role(self.role)]

    @property
    def is_advice_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def needs_two_factor(self) -> bool:
        return self.is_advice_staff


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    position = models.CharField(max_length=30, choices=Position.choices, default=Position.OTHER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def clean(self) -> None:
        if self.user.role != Role.ORGANISATION:
            raise ValidationError("Only organisation users are members of an organisation.")


class Assignment(models.Model):
    """A link adviser's organisation."""

    adviser = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="assignments")
    since = models.DateField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["adviser", "organisation"], name="one_assignment_per_org")
        ]

    def clean(self) -> None:
        if self.adviser.role != Role.ADVISER:
            raise ValidationError("Only advisers are assigned to organisations.")


class Upload(models.Model):
    """A data extract the insights team uploaded, and what validation said of it."""

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        INVALID = "invalid", "Has errors"

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    directory = models.CharField(max_length=300, help_text="Relative to STORE_DIR.")
    status = models.CharField(max_length=10, choices=Status.choices)
    fingerprint = models.CharField(max_length=80, blank=True)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-uploaded_at"]


class Batch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Ready for review"
        FAILED = "failed", "Failed"

    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="batches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    as_of = models.DateField()
    policy = models.CharField(max_length=20, default="standard")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    directory = models.CharField(max_length=300, blank=True, help_text="Relative to STORE_DIR.")
    formats = models.CharField(max_length=40, default="html,pdf,xlsx,json")
    national = models.BooleanField(default=True, help_text="Also write the national report.")
    years = models.PositiveSmallIntegerField(
        default=5, help_text="Complete financial years the reports cover."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    # The queue's task that generates the batch: the queue says whether it failed or is gone.
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times the batch was put on the queue.")
    updated_at = models.DateTimeField(default=timezone.now, help_text="Touched on each step of progress.")

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def format_list(self) -> list[str]:
        return self.formats.split(",")


class Report(models.Model):
    """A generated report. Once published it never changes; a newer version supersedes it."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", "Organisation"
        NATIONAL = "national", "National"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (in review)"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"

    IMMUTABLE_FIELDS = (
        "organisation_id",
        "kind",
        "period",
        "as_of",
        "version",
        "fingerprint",
        "policy",
        "software_version",
        "directory",
        "generated_by_id",
        "generated_at",
        "published_by_id",
        "published_at",
    )

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ORGANISATION)
    period = models.CharField(max_length=40, help_text="The five financial years, e.g. 2020/21 to 2024/25.")
    as_of = models.DateField()
    version = models.PositiveIntegerField(default=1)
    fingerprint = models.CharField(max_length=80)
    policy = models.CharField(max_length=20)
    software_version = models.CharField(max_length=20)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="reports")
    directory = models.CharField(max_length=300, help_text="Relative to STORE_DIR.")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    generated_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )

    class Meta:
        ordering = ["-generated_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "version"], name="one_report_per_version")
        ]

    def __str__(self) -> str:
        who = self.organisation.code if self.organisation is not None else "national"
        return f"{who} v{self.version} ({self.period})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            self._refuse_changes_once_published()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.status != self.Status.DRAFT:
            raise ValidationError("A published report is kept; publish a new version to supersede it.")
        return super().delete(*args, **kwargs)

    def _refuse_changes_once_published(self) -> None:
        stored = type(self).objects.get(pk=self.pk)
        if stored.status == self.Status.DRAFT:
            return
        changed = [name for name in self.IMMUTABLE_FIELDS if getattr(stored, name) != getattr(self, name)]
        moves_back = stored.status == self.Status.SUPERSEDED and self.status != stored.status
        if changed or moves_back:
            raise ValidationError(f"A published report cannot change ({', '.join(changed) or 'status'}).")


class ReportFile(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=16)  # html, pdf, xlsx, json; summary-html, summary-pdf
    name = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "format"], name="one_file_per_format")]


class Discussion(models.Model):
    """The meeting in which the link adviser and the organisation discussed a report."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="discussions")
    held_on = models.DateField()
    attendee_roles = models.TextField(help_text="Roles of those present, one per line (no names needed).")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]


class AgreedAction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=120, help_text="Who will do it (role or name).")
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]

    def is_overdue(self, today: date) -> bool:
        return self.status == self.Status.OPEN and self.due_on < today


class AdoptedObjective(models.Model):
    """A measurable objective an organisation adopted from one of its reports' drafts (High impact action 1).

    The baseline is the report's own figure for the comparison, copied from its report.json when adopted
    and never changed; the wording, target and review date start as the draft's and stay the organisation's
    to edit. An organisation has at most one active objective per comparison.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        MET = "met", "Met"
        SET_ASIDE = "set_aside", "Set aside"

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="objectives")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="objectives")
    comparison = models.CharField(max_length=60, help_text="The comparison's id in report.json.")
    wording = models.TextField()
    baseline_verdict = models.CharField(max_length=20, help_text="more_likely or less_likely.")
    baseline_ratio = models.FloatField()
    baseline_low = models.FloatField()
    baseline_high = models.FloatField()
    target = models.TextField()
    review_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    adopted_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "comparison"],
                condition=models.Q(status="active"),
                name="one_active_objective_per_comparison",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.code}: {self.comparison}"

    def clean(self) -> None:
        if self.report.organisation_id != self.organisation_id:
            raise ValidationError("An objective belongs to the organisation of its report.")


class ReportRequest(models.Model):
    """An organisation user's request for a report on an organisation not yet served."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_requests"
    )
    organisation_name = models.CharField(max_length=200)
    organisation_code = models.CharField(max_length=12, blank=True)
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True, help_text="What the insights team told the requester.")

    class Meta:
        ordering = ["-created_at"]


class AuditEvent(models.Model):
    """Append-only: rows are only ever inserted (database triggers refuse UPDATE and DELETE)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # DO_NOTHING without a database constraint: deleting a user or organisation never rewrites the log.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            raise ValidationError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("The audit log is append-only.")
