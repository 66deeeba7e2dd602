"""High impact action 1 in the portal: what a report's report.json says for objectives, and how an adopted
objective's baseline stands against a later report's figure.

Everything shown comes from report.json as the report publishes it: `findings.equality` (the relative
likelihoods, `null` where the report hides a figure or has too few cases), the `objectives` table (the
drafts) and the `relative_likelihood` table (each comparison's name and the report's own words for it). A
figure the report does not publish is never shown; the report's words for it are, and "withheld" is never
called "too few cases".
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from concerns.web.portal.models import AdoptedObjective, Report
from concerns.web.portal.store import StoreError, file_path

# The band of the reports' draft targets ("1.25 or below", "0.80 or above"): WRES's non-adverse range, as
# `concerns.analytics._findings.BAND` (a test keeps the two the same).
TARGET_BAND = (0.80, 1.25)
CLEAR_OF_ONE = ("more_likely", "less_likely")  # the verdicts a draft objective is written for
# A comparison's words when the report gives no figure, as its relative likelihood table reads them
# (used only when report.json lacks that table's row).
UNPUBLISHED_WORDS = {
    "too_few_cases": "too few cases",
    "withheld": "not shown, to protect small numbers",
}
NOT_AVAILABLE_WORDS = "not available"


def ratio(x: float) -> str:
    """A ratio as the reports print it."""
    return f"{x:.2f}"


@dataclass(frozen=True)
class Figure:
    """A relative likelihood with its 95% interval."""

    ratio: float
    low: float
    high: float

    @property
    def display(self) -> str:
        """As the reports print a baseline: "2.09 (1.31–3.33)"."""
        return f"{ratio(self.ratio)} ({ratio(self.low)}–{ratio(self.high)})"

    def printed(self) -> tuple[float, float, float]:
        """The figures as a reader sees them (two decimals), so that the portal's words match the numbers."""
        return round(self.ratio, 2), round(self.low, 2), round(self.high, 2)


@dataclass(frozen=True)
class Draft:
    """A row of the report's "Draft objectives" table."""

    comparison: str
    wording: str
    baseline: str
    target: str
    review: str


@dataclass(frozen=True)
class Contents:
    """What the portal reads from one report's report.json (empty when it has none, or none readable)."""

    equality: dict[str, dict[str, Any]] = field(default_factory=dict)
    drafts: tuple[Draft, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    readings: dict[str, str] = field(default_factory=dict)

    def verdict(self, comparison: str) -> str | None:
        entry = self.equality.get(comparison)
        return str(entry.get("verdict")) if entry else None

    def figure(self, comparison: str) -> Figure | None:
        """The comparison's published ratio and interval, or None where the report gives none."""
        entry = self.equality.get(comparison) or {}
        values: list[Any] = [entry.get(key) for key in ("ratio", "ci_low", "ci_high")]
        if entry.get("verdict") in UNPUBLISHED_WORDS or not all(_is_number(value) for value in values):
            return None
        return Figure(*(float(value) for value in values))

    def words(self, comparison: str) -> str:
        """The report's own words for a comparison it gives no figure for."""
        verdict = self.verdict(comparison)
        if verdict is None:
            return "not in this report"
        return self.readings.get(comparison) or UNPUBLISHED_WORDS.get(verdict, NOT_AVAILABLE_WORDS)

    def draft(self, comparison: str) -> Draft | None:
        return next((item for item in self.drafts if item.comparison == comparison), None)

    def baseline(self, comparison: str) -> tuple[str, Figure] | None:
        """What an objective adopted from this report's draft starts from: the verdict and the figure,
        only for a comparison the report drafts an objective for and whose interval lies clear of 1."""
        figure, verdict = self.figure(comparison), self.verdict(comparison)
        if self.draft(comparison) is None or figure is None or verdict not in CLEAR_OF_ONE:
            return None
        return verdict, figure

    def label(self, comparison: str) -> str:
        return self.labels.get(comparison) or comparison.replace("_", " ")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def read(report: Report) -> Contents:
    """The report's report.json, as far as objectives need it."""
    stored = report.files.filter(format="json").first()
    if stored is None:
        return Contents()
    try:
        data = json.loads(file_path(stored).read_text(encoding="utf-8"))
    except (OSError, ValueError, StoreError):
        return Contents()
    return contents_of(data) if isinstance(data, dict) else Contents()


def contents_of(data: dict[str, Any]) -> Contents:
    findings = data["findings"] if isinstance(data.get("findings"), dict) else {}
    equality = {
        str(item["comparison"]): item
        for item in findings.get("equality") or []
        if isinstance(item, dict) and item.get("comparison")
    }
    tables = {table.get("id"): table for table in data.get("tables") or [] if isinstance(table, dict)}
    return Contents(
        equality=equality,
        drafts=tuple(_drafts(tables.get("objectives") or {})),
        labels={key: row["label"] for key, row in _rows(tables.get("relative_likelihood") or {})},
        readings=_readings(tables.get("relative_likelihood") or {}),
    )


def _rows(table: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (str(row["key"]), row)
        for row in table.get("rows") or []
        if isinstance(row, dict) and row.get("key") and isinstance(row.get("cells"), list)
    ]


def _cells(table: dict[str, Any], row: dict[str, Any]) -> dict[str, str]:
    keys: list[Any] = [column.get("key") for column in table.get("columns") or [] if isinstance(column, dict)]
    return {
        key: str(cell.get("display", ""))
        for key, cell in zip(keys, row["cells"], strict=False)
        if isinstance(cell, dict)
    }


def _drafts(table: dict[str, Any]) -> list[Draft]:
    drafts = []
    for key, row in _rows(table):
        cells = _cells(table, row)
        drafts.append(
            Draft(
                comparison=key,
                wording=str(row.get("label", "")),
                baseline=cells.get("baseline", ""),
                target=cells.get("target", ""),
                review=cells.get("review", ""),
            )
        )
    return drafts


def _readings(table: dict[str, Any]) -> dict[str, str]:
    return {key: words for key, row in _rows(table) if (words := _cells(table, row).get("reading", ""))}


# --- baseline against now -----------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """An objective's baseline against a later report's figure for the same comparison."""

    now: Figure | None  # None: the later report gives no figure
    words: str  # the later report's words when it gives no figure
    sentences: tuple[str, ...]


def baseline_of(objective: AdoptedObjective) -> Figure:
    return Figure(objective.baseline_ratio, objective.baseline_low, objective.baseline_high)


def progress(objective: AdoptedObjective, later: Contents) -> Progress:
    """What the figures say, and no more: the two ratios and intervals, whether the intervals overlap, and
    where the new interval lies against the draft target's band. Never that a change is significant: the
    two reports pool overlapping years, and no test of change is made."""
    now = later.figure(objective.comparison)
    if now is None:
        return Progress(None, later.words(objective.comparison), ("This report gives no figure to compare.",))
    return Progress(now, "", (_movement(baseline_of(objective), now), _against_target(objective, now)))


def _movement(baseline: Figure, now: Figure) -> str:
    (before, low, high), (after, new_low, new_high) = baseline.printed(), now.printed()
    if after == before:
        moved = f"The ratio is the same as at the baseline, {ratio(after)}."
    else:
        way = "lower" if after < before else "higher"
        moved = f"The ratio is {way} than at the baseline: {ratio(after)} against {ratio(before)}."
    if new_low <= high and low <= new_high:
        return f"{moved} The two 95% intervals overlap, so these figures cannot tell a change from chance."
    return (
        f"{moved} The two 95% intervals do not overlap, but the reports pool overlapping years and no test "
        "of change is made, so read it as a direction, not a proven change."
    )


def _against_target(objective: AdoptedObjective, now: Figure) -> str:
    value, low, high = now.printed()
    interval = f"{ratio(low)}–{ratio(high)}"
    if objective.baseline_verdict == "less_likely":
        limit = TARGET_BAND[0]
        target = f"{ratio(limit)} or above"
        if low >= limit:
            return f"The whole new interval ({interval}) is {target}, the draft target."
        if value >= limit:
            return (
                f"The new ratio is {target}, the draft target, but its interval ({interval}) reaches below "
                f"{ratio(limit)}, so the figures do not yet show the target met."
            )
        return f"The new ratio is below {ratio(limit)}: not yet the draft target ({target})."
    limit = TARGET_BAND[1]
    target = f"{ratio(limit)} or below"
    if high <= limit:
        return f"The whole new interval ({interval}) is {target}, the draft target."
    if value <= limit:
        return (
            f"The new ratio is {target}, the draft target, but its interval ({interval}) reaches above "
            f"{ratio(limit)}, so the figures do not yet show the target met."
        )
    return f"The new ratio is above {ratio(limit)}: not yet the draft target ({target})."


@dataclass(frozen=True)
class Row:
    """An adopted objective as a report's page (or the objectives page) shows it."""

    objective: AdoptedObjective
    label: str
    baseline: Figure
    against: Report | None = None  # the later report its progress is read from
    progress: Progress | None = None
