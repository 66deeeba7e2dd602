"""Service measures: the share of things done when due, by the month they fell due.

The service's own targets for 2025/26 (NHS Resolution business plan): 90% of advice and interventions
within target time, and 90% of exclusions and suspensions critically reviewed when due. An item counts
in the month it fell due, once it is done or its due date has passed; an item done late, or overdue and
not yet done, is a miss. Items not yet due and not done are not counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

TARGET = 0.90


@dataclass(frozen=True)
class Due:
    due_on: dt.date
    done_on: dt.date | None


@dataclass(frozen=True)
class MonthShare:
    month: str  # 2025-04
    met: int
    total: int

    @property
    def share(self) -> float:
        return self.met / self.total

    @property
    def meets_target(self) -> bool:
        return self.share >= TARGET


def is_counted(item: Due, today: dt.date) -> bool:
    return item.done_on is not None or today > item.due_on


def is_met(item: Due) -> bool:
    return item.done_on is not None and item.done_on <= item.due_on


def monthly_shares(items: Iterable[Due], today: dt.date) -> list[MonthShare]:
    """One row per month that has counted items, oldest first."""
    met: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for item in items:
        if not is_counted(item, today):
            continue
        month = item.due_on.strftime("%Y-%m")
        total[month] += 1
        met[month] += is_met(item)
    return [MonthShare(month, met[month], total[month]) for month in sorted(total)]
