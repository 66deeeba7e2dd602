"""What changed in a casework record: field-by-field differences, as plain JSON-ready values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

HIDDEN = "(hidden)"


def plain(value: Any) -> Any:
    """A value as JSON keeps it: dates as ISO text, lists and dicts as they are."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def tracked_fields(instance: models.Model) -> list[models.Field]:
    """Every stored field but the primary key."""
    return [field for field in instance._meta.concrete_fields if not field.primary_key]


def snapshot(instance: models.Model) -> dict[str, Any]:
    return {field.attname: plain(field.value_from_object(instance)) for field in tracked_fields(instance)}


def differences(
    before: dict[str, Any] | None, after: dict[str, Any], *, hide_values: bool = False
) -> dict[str, dict[str, Any]]:
    """{field: {"from": old, "to": new}} for each field that changed (every field when created)."""
    before = before or {}
    changed = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            changed[name] = {
                "from": HIDDEN if hide_values and old is not None else old,
                "to": HIDDEN if hide_values and new is not None else new,
            }
    return changed
