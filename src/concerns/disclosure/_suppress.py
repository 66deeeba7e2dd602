"""Primary and complementary suppression, checked by the audit, and what callers render."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from ._audit import Auditor, AuditResult, Problem, Reason
from ._policy import Policy, resolve_policy
from ._table import CellKey, Constraint, Relation, Table

__all__ = ["ProtectedCell", "Protection", "protect", "mask_derived"]

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class ProtectedCell:
    """A cell as published: `value` is the shown (rounded) count, None when hidden."""

    key: CellKey
    display: str
    value: int | None
    suppressed: bool
    reason: Reason | None
    is_total: bool


@dataclass(frozen=True)
class Protection:
    """A protected table: every cell as it may be published, and the audit that proves it safe.

    `zeros_hidden` is true when zeros are hidden in this table (shown with the
    policy's symbol): always under a policy that hides zeros, otherwise because
    the table could not be protected with them shown. `withheld` is true when
    even that failed: no cell may be shown, and the caller should say the table
    is withheld instead of drawing it.
    """

    policy: Policy
    cells: Mapping[CellKey, ProtectedCell]
    audit: AuditResult
    zeros_hidden: bool = False
    withheld: bool = False

    @property
    def reasons(self) -> Mapping[CellKey, Reason]:
        return {key: cell.reason for key, cell in self.cells.items() if cell.reason is not None}

    def __getitem__(self, key: CellKey) -> ProtectedCell:
        try:
            return self.cells[key]
        except KeyError:
            raise KeyError(f"no cell {key!r} in this protected table") from None

    def display(self, key: CellKey) -> str:
        return self[key].display

    def published(self, key: CellKey) -> int | None:
        return self[key].value

    def is_hidden(self, *keys: CellKey) -> bool:
        """Whether any of these cells is hidden."""
        return any(self[key].suppressed for key in keys)

    def mask(self, value: T, *depends_on: CellKey) -> T | None:
        """`value` (a share, rate, ratio or interval) unless it is built on a hidden count."""
        return None if self.is_hidden(*depends_on) else value

    def share(self, part: CellKey, whole: CellKey) -> float | None:
        """`part / whole` from the published counts; None when either is hidden or `whole` is 0."""
        numerator, denominator = self.published(part), self.published(whole)
        if numerator is None or denominator is None or denominator == 0:
            return None
        return numerator / denominator


def mask_derived(
    protection: Protection, values: Mapping[K, T], depends_on: Mapping[K, Iterable[CellKey]]
) -> dict[K, T | None]:
    """A column of derived values with every value built on a hidden count replaced by None.

    `depends_on` gives, for every key of `values`, the cells it is computed
    from (numerator and denominator alike); a value with no entry is an error,
    not silently shown.
    """
    missing = [key for key in values if key not in depends_on]
    if missing:
        raise KeyError(f"mask_derived needs the cells each value depends on; none given for {missing}")
    return {key: protection.mask(value, *depends_on[key]) for key, value in values.items()}


def protect(table: Table, policy: Policy | str = "standard", *, integral: bool = False) -> Protection:
    """Hide the small counts of `table`, and enough other cells that none can be worked out.

    Deterministic: the same table and policy give the same result. The
    returned `audit` is the proof: every hidden small count's feasible
    interval is at least `policy.min_width` wide, and no other hidden cell
    can be worked out exactly.
    """
    policy = resolve_policy(policy)
    for zeros_hidden in (False, True) if policy.show_zeros else (True,):
        auditor = Auditor(table, policy, zeros_hidden=zeros_hidden, integral=integral)
        reasons = _Search(auditor).run()
        protection = None if reasons is None else _finish(auditor, reasons)
        if protection is not None:
            return protection
    auditor = Auditor(table, policy, zeros_hidden=True, integral=integral)
    withheld = dict.fromkeys(table.keys, Reason.WITHHELD)
    return _result(auditor, withheld, auditor.run(withheld), withheld=True)


class _Search:
    """The greedy search for a hiding pattern that passes the audit."""

    def __init__(self, auditor: Auditor):
        self.auditor = auditor
        self.table = auditor.table
        self.policy = auditor.policy
        self.values = self.table.values
        self.reasons: dict[CellKey, Reason] = {
            key: Reason.PRIMARY
            for key, count in self.values.items()
            if self.policy.is_small(count, zeros_hidden=auditor.zeros_hidden)
            and not self.table.cell(key).exempt
        }
        # Attribute disclosure: concealed cells are hidden whatever their size, and must stay unknown.
        self.concealed = [
            cell.key for cell in self.table.cells if cell.conceal and cell.key not in self.reasons
        ]
        self.reasons.update(dict.fromkeys(self.concealed, Reason.COMPLEMENTARY))
        self.constraints_of: dict[CellKey, list[int]] = {key: [] for key in self.table.keys}
        for index, constraint in enumerate(self.table.constraints):
            for key in constraint.keys:
                self.constraints_of[key].append(index)

    def run(self) -> dict[CellKey, Reason] | None:
        if not self.reasons:
            return {}
        last: CellKey | None = None
        while True:
            self._close_lone_hidden_cells()
            problem = self._first_problem(last)
            if problem is None:
                break
            extra = self._helpful_cell(problem)
            if extra is None:
                return None
            self.reasons[extra] = Reason.COMPLEMENTARY
            last = problem.key
        self._reveal_unneeded_totals()
        return self.reasons

    def _is_candidate(self, key: CellKey) -> bool:
        """A shown cell that may be hidden as a complement: never a zero, never a small count."""
        return key not in self.reasons and self.values[key] >= self.policy.threshold

    def _rank(self, relative_to: CellKey) -> Callable[[CellKey], tuple[bool, bool, bool, int, int]]:
        """How to choose a complement for `relative_to`: interior cells before totals, cells a headline
        measure does not need before those it does (`keep`), then the smallest count big enough that
        `relative_to` keeps its room even though a reader knows the complement is at least the
        threshold, else the biggest count; then table order."""
        threshold = self.policy.threshold
        lowest, _ = self.policy.small_range(zeros_hidden=self.auditor.zeros_hidden)
        count = self.values[relative_to]
        if self.reasons.get(relative_to) is Reason.PRIMARY:
            # relative_to + complement = s and complement >= threshold leave relative_to <= s - threshold.
            enough = threshold + lowest + self.policy.min_width - count
        else:
            enough = 2 * threshold + 1 - count

        def rank(key: CellKey) -> tuple[bool, bool, bool, int, int]:
            value = self.values[key]
            big_enough = value >= enough
            cell = self.table.cell(key)
            return (
                cell.is_total,
                cell.keep,
                not big_enough,
                value if big_enough else -value,
                self.table.position(key),
            )

        return rank

    def _close_lone_hidden_cells(self) -> None:
        """Until nothing changes: an equation with one hidden cell gives it away, so hide a partner."""
        # The narrowest equations first: a complement inside an aggregate (another ethnic minority
        # group) closes both the aggregate's equation and the table's, keeping the aggregate shown.
        equations = sorted(self.table.constraints, key=lambda constraint: len(constraint.keys))
        changed = True
        while changed:
            changed = False
            for constraint in equations:
                if constraint.relation is not Relation.EQUAL:
                    continue
                hidden = [key for key in constraint.keys if key in self.reasons]
                if len(hidden) != 1 or self._slack_protects(constraint, hidden[0]):
                    continue
                candidates = [key for key in constraint.keys if self._is_candidate(key)]
                if candidates:
                    self.reasons[min(candidates, key=self._rank(hidden[0]))] = Reason.COMPLEMENTARY
                    changed = True

    def _slack_protects(self, constraint: Constraint, hidden: CellKey) -> bool:
        """Whether rounding of the shown cells leaves the lone hidden cell enough room on its own."""
        slack = 0.0
        for key, coefficient in constraint.terms:
            if key != hidden:
                low, high = self.auditor.shown_bounds[self.table.position(key)]
                slack += abs(coefficient) * (high - low)
        coefficient = dict(constraint.terms)[hidden]
        return slack / abs(coefficient) >= self.auditor.required_width(hidden, self.reasons[hidden])

    def _first_problem(self, last: CellKey | None) -> Problem | None:
        primaries = [key for key in self.table.keys if self.reasons.get(key) is Reason.PRIMARY]
        primaries += self.concealed
        if last is not None and last in primaries:
            primaries.remove(last)
            primaries.insert(0, last)
        result = self.auditor.run(self.reasons, check=primaries, stop_at_first=True)
        return result.problems[0] if result.problems else None

    def _helpful_cell(self, problem: Problem) -> CellKey | None:
        """The best shown cell linked to the problem cell, nearest first, through cells a reader
        does not know exactly. A cell not linked that way cannot change what is known of it."""
        bounds = self.auditor.bounds(self.reasons)
        seen_cells: set[CellKey] = {problem.key}
        seen_constraints: set[int] = set()
        frontier = [problem.key]
        while frontier:
            indexes = sorted({i for key in frontier for i in self.constraints_of[key]} - seen_constraints)
            seen_constraints.update(indexes)
            keys = list(dict.fromkeys(key for i in indexes for key in self.table.constraints[i].keys))
            candidates = [key for key in keys if self._is_candidate(key)]
            if candidates:
                return min(candidates, key=self._rank(problem.key))
            frontier = [key for key in keys if key not in seen_cells and _is_unknown(bounds, self.table, key)]
            seen_cells.update(frontier)
        return None

    def _reveal_unneeded_totals(self) -> None:
        """Show again any total hidden as a complement that the audit finds was not needed."""
        for key in reversed(self.table.keys):
            if self.reasons.get(key) is Reason.COMPLEMENTARY and self.table.cell(key).is_total:
                del self.reasons[key]
                if self._first_problem(None) is not None:
                    self.reasons[key] = Reason.COMPLEMENTARY


def _is_unknown(bounds: list[tuple[float, float]], table: Table, key: CellKey) -> bool:
    low, high = bounds[table.position(key)]
    return high > low


def _finish(auditor: Auditor, reasons: dict[CellKey, Reason]) -> Protection | None:
    """Audit the pattern. Show again each complement a reader can work out anyway (hiding it
    protects nothing) if the audit still passes without it; None if the pattern cannot pass."""
    result = auditor.run(reasons)
    concealed = {cell.key for cell in auditor.table.cells if cell.conceal}
    for key in _determined_complements(result, reasons):
        if key in concealed:
            continue
        fewer = {k: reason for k, reason in reasons.items() if k != key}
        fewer_result = auditor.run(fewer)
        if all(p.reason is Reason.COMPLEMENTARY and p.interval.width == 0 for p in fewer_result.problems):
            reasons, result = fewer, fewer_result
    return _result(auditor, reasons, result, withheld=False) if result.ok else None


def _determined_complements(result: AuditResult, reasons: Mapping[CellKey, Reason]) -> list[CellKey]:
    return [
        key
        for key, interval in result.intervals.items()
        if reasons[key] is Reason.COMPLEMENTARY and interval.width == 0
    ]


def _result(
    auditor: Auditor, reasons: Mapping[CellKey, Reason], result: AuditResult, *, withheld: bool
) -> Protection:
    policy = auditor.policy
    cells = {
        cell.key: _published(cell.key, cell.value, cell.is_total, reasons.get(cell.key), policy)
        for cell in auditor.table.cells
    }
    return Protection(
        policy, MappingProxyType(cells), result, zeros_hidden=auditor.zeros_hidden, withheld=withheld
    )


def _published(
    key: CellKey, count: int, is_total: bool, reason: Reason | None, policy: Policy
) -> ProtectedCell:
    if reason is None:
        shown = policy.rounded(count)
        return ProtectedCell(key, f"{shown:,}", shown, False, None, is_total)
    symbol = policy.symbol if reason is Reason.PRIMARY else policy.complementary_symbol
    return ProtectedCell(key, symbol, None, True, reason, is_total)
