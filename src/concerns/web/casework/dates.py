"""Due dates of the casework frameworks, as pure functions of dates.

- MHPS exclusions (Maintaining High Professional Standards in the Modern NHS): an immediate exclusion
  lasts at most 2 weeks; a formal exclusion runs in periods of at most 4 weeks, each reviewed before it
  is renewed; Advice is consulted after three periods; normally no more than 6 months.
- HPAN (Healthcare Professional Alert Notices): reviewed at regular intervals; the register asks for a
  review every `HPAN_REVIEW_MONTHS` months after issue (local policy, a constant here).
- UK GDPR subject access (Article 12(3), ICO guidance): one calendar month from the later of receipt and
  identity verification, to the corresponding date of the next month or that month's last day when it
  has none (31 January → 28 or 29 February); extendable by two further months. The deadline is never
  moved past a weekend or bank holiday here: answering by the calendar date is always in time.
- Case response: the service answers a new case within `RESPONSE_TARGET_WORKING_DAYS` working days
  (Monday to Friday; the service's local standard behind its 90% target, a constant here).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import TypeGuard

IMMEDIATE_EXCLUSION_DAYS = 14
EXCLUSION_REVIEW_PERIOD = dt.timedelta(weeks=4)
EXCLUSION_LONG_MONTHS = 6
RENEWALS_FLAGGED = 3
HPAN_REVIEW_MONTHS = 6
SAR_MONTHS = 1
SAR_EXTENSION_MONTHS = 2
RESPONSE_TARGET_WORKING_DAYS = 2
DUE_SOON_DAYS = 14


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later, or that month's last day when it is shorter."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The date `count` working days (Monday to Friday) after `day`."""
    current = day
    while count > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            count -= 1
    return current


def is_overdue(due_on: dt.date | None, today: dt.date, done_on: dt.date | None = None) -> TypeGuard[dt.date]:
    """Due before today and not done (so never when there is no due date)."""
    return due_on is not None and done_on is None and today > due_on


def is_due_soon(due_on: dt.date | None, today: dt.date, within_days: int = DUE_SOON_DAYS) -> bool:
    """Due today or within the next `within_days` days (not yet overdue)."""
    return due_on is not None and today <= due_on <= today + dt.timedelta(days=within_days)


# --- MHPS exclusions ------------------------------------------------------------------------------


def immediate_exclusion_ends_by(started_on: dt.date) -> dt.date:
    """The last day an immediate exclusion may run (at most 2 weeks)."""
    return started_on + dt.timedelta(days=IMMEDIATE_EXCLUSION_DAYS)


def next_exclusion_review(started_on: dt.date, reviews_held: Iterable[dt.date]) -> dt.date:
    """A formal exclusion is reviewed 4 weeks after it starts and 4 weeks after each review."""
    last = max([started_on, *reviews_held])
    return last + EXCLUSION_REVIEW_PERIOD


def exclusion_beyond_six_months(started_on: dt.date, on: dt.date) -> bool:
    """Whether an exclusion still running on `on` has lasted beyond 6 calendar months."""
    return on > add_months(started_on, EXCLUSION_LONG_MONTHS)


def many_renewals(renewals: int) -> bool:
    """Three or more renewals: Advice must be consulted and the case looked at afresh."""
    return renewals >= RENEWALS_FLAGGED


# --- HPAN -----------------------------------------------------------------------------------------


def next_hpan_review(issued_on: dt.date, reviews_held: Iterable[dt.date]) -> dt.date:
    last = max([issued_on, *reviews_held])
    return add_months(last, HPAN_REVIEW_MONTHS)


# --- subject access -------------------------------------------------------------------------------


def sar_clock_starts(received_on: dt.date, identity_verified_on: dt.date | None) -> dt.date | None:
    """The later of receipt and identity verification; None while identity is unverified."""
    if identity_verified_on is None:
        return None
    return max(received_on, identity_verified_on)


def sar_due(
    received_on: dt.date, identity_verified_on: dt.date | None, *, extended: bool = False
) -> dt.date | None:
    """One calendar month from the clock's start (three when extended); None until identity is verified."""
    start = sar_clock_starts(received_on, identity_verified_on)
    if start is None:
        return None
    return add_months(start, SAR_MONTHS + (SAR_EXTENSION_MONTHS if extended else 0))


# --- case response --------------------------------------------------------------------------------


def response_due(opened_on: dt.date) -> dt.date:
    return add_working_days(opened_on, RESPONSE_TARGET_WORKING_DAYS)
