"""Who a user is to the portal. One role per user; organisations come from memberships and assignments."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ORGANISATION = "organisation", "Organisation user"
    ADVISER = "adviser", "Adviser (link adviser and case adviser)"
    INSIGHTS = "insights", "Insights team"
    ADMIN = "admin", "Administrator"


STAFF_ROLES = frozenset({Role.ADVISER, Role.INSIGHTS, Role.ADMIN})
# A role as the page header names it; the choices' labels describe it more fully, for administrators.
ROLE_NAMES = {
    Role.ORGANISATION: "Organisation user",
    Role.ADVISER: "Adviser",
    Role.INSIGHTS: "Insights team",
    Role.ADMIN: "Administrator",
}


class Position(models.TextChoices):
    MEDICAL_DIRECTOR = "medical_director", "Medical director"
    HR_DIRECTOR = "hr_director", "HR director"
    BOARD_MEMBER = "board_member", "Board member"
    RESPONSIBLE_OFFICER = "responsible_officer", "Responsible officer"
    OTHER = "other", "Other"
