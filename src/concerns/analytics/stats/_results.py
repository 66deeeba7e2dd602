"""The small typed vocabulary every statistical primitive returns.

An `Interval` or `Estimate` carries numbers; a `NotAvailable` says, with a
`Reason`, why there is no number (no denominator, too few cases, ...). Both
kinds have an `available` attribute, and `NotAvailable` is falsy, so callers
can write `if result:` before reading numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Literal

import numpy as np


class Reason(StrEnum):
    """Why a result has no number."""

    MISSING_DENOMINATOR = "missing_denominator"
    ZERO_DENOMINATOR = "zero_denominator"
    TOO_FEW_CASES = "too_few_cases"
    TOO_FEW_PERIODS = "too_few_periods"
    INCONSISTENT = "inconsistent"
    NOT_ESTIMABLE = "not_estimable"

    @property
    def message(self) -> str:
        """Plain words for a report."""
        return _MESSAGES[self]


_MESSAGES = {
    Reason.MISSING_DENOMINATOR: "not available: the denominator is not known",
    Reason.ZERO_DENOMINATOR: "not available: the denominator is zero",
    Reason.TOO_FEW_CASES: "too few cases to say",
    Reason.TOO_FEW_PERIODS: "too few years to say",
    Reason.INCONSISTENT: "not available: the figures are inconsistent",
    Reason.NOT_ESTIMABLE: "cannot be estimated from these figures",
}


@dataclass(frozen=True)
class NotAvailable:
    """No number, and why. Falsy, so `if result:` skips it."""

    reason: Reason
    detail: str = ""
    available: ClassVar[Literal[False]] = False

    def __bool__(self) -> Literal[False]:
        return False

    @property
    def message(self) -> str:
        """The reason in plain words, with the detail when there is one."""
        return f"{self.reason.message} ({self.detail})" if self.detail else self.reason.message


@dataclass(frozen=True)
class Interval:
    """A two-sided interval at a confidence `level` (0.95 means 95%).

    Unpacks as `low, high = interval`.
    """

    low: float
    high: float
    level: float
    available: ClassVar[Literal[True]] = True

    def __iter__(self) -> Iterator[float]:
        return iter((self.low, self.high))

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def excludes(self, value: float) -> bool:
        return not self.contains(value)


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its interval at a confidence `level`."""

    value: float
    low: float
    high: float
    level: float
    available: ClassVar[Literal[True]] = True

    @property
    def interval(self) -> Interval:
        return Interval(self.low, self.high, self.level)


# --- input checks shared by the primitives ---------------------------------------------


def check_level(level: float) -> float:
    """A confidence level strictly between 0 and 1."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (0.95 means 95%), got {level!r}")
    return float(level)


def check_count(value: object, name: str = "count") -> int:
    """A count: a whole number ≥ 0 (an integer-valued float is accepted)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number ≥ 0, got {value!r}") from None
    if not math.isfinite(number) or number < 0 or number != int(number):
        raise ValueError(f"{name} must be a whole number ≥ 0, got {value!r}")
    return int(number)


def check_counts(values: Sequence[object] | np.ndarray, name: str = "count") -> np.ndarray:
    """Many counts at once, as a float array of whole numbers ≥ 0."""
    try:
        numbers = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"every {name} must be a whole number ≥ 0") from None
    bad = ~np.isfinite(numbers) | (numbers < 0) | (numbers != np.floor(numbers))
    if bad.any():
        raise ValueError(f"every {name} must be a whole number ≥ 0, got {values[int(np.argmax(bad))]!r}")
    return numbers


def is_missing(value: object) -> bool:
    """None or NaN: an unknown number, never to be read as zero."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def check_denominator(value: object, name: str = "denominator") -> float | NotAvailable:
    """A usable positive denominator, or why it cannot be used (missing, zero)."""
    if is_missing(value):
        return NotAvailable(Reason.MISSING_DENOMINATOR, f"{name} not known")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number ≥ 0, got {value!r}") from None
    if number < 0 or math.isinf(number):
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")
    if number == 0:
        return NotAvailable(Reason.ZERO_DENOMINATOR, f"{name} is zero")
    return number
