"""The audit: what a reader can work out about each hidden cell, by linear programming.

The reader knows every shown count within its rounding, every relation of the
table, that counts are non-negative, and the policy. Being cautious, we also
assume they can tell which hidden cells are small (shown as the policy's
symbol: a count in the small range) and which were hidden to protect them (a
count of at least the threshold). For each hidden cell the audit minimises
and maximises it over everything consistent with that knowledge, treating
counts as real numbers, then rounds the bounds inwards to whole counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol, runtime_checkable

import highspy
import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from ._policy import Policy, resolve_policy
from ._table import CellKey, Relation, Table

__all__ = ["Reason", "Interval", "Problem", "AuditResult", "Auditor", "audit", "hidden_range"]

_TOLERANCE = 1e-6


class Reason(StrEnum):
    PRIMARY = "primary"  # a small count
    COMPLEMENTARY = "complementary"  # hidden so that a small count cannot be worked out
    WITHHELD = "withheld"  # the whole table is withheld: it could not be protected cell by cell


@dataclass(frozen=True)
class Interval:
    """The whole counts a reader cannot rule out for a hidden cell; `high` may be infinite."""

    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low

    def __str__(self) -> str:
        high = "inf" if math.isinf(self.high) else f"{self.high:g}"
        return f"[{self.low:g}, {high}]"


@dataclass(frozen=True)
class Problem:
    key: CellKey
    reason: Reason
    interval: Interval
    required_width: int
    message: str


@dataclass(frozen=True)
class AuditResult:
    intervals: Mapping[CellKey, Interval]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@runtime_checkable
class SupportsReasons(Protocol):
    """A protection result: which cells it hides and why, under which policy."""

    @property
    def reasons(self) -> Mapping[CellKey, Reason]: ...

    @property
    def policy(self) -> Policy: ...

    @property
    def zeros_hidden(self) -> bool: ...


def hidden_range(policy: Policy, count: int, reason: Reason, *, zeros_hidden: bool) -> tuple[float, float]:
    """What a reader knows of a hidden count from its symbol alone (the audit's cautious reader: it
    can tell a small count from a complement, which is at least the threshold)."""
    if reason is Reason.PRIMARY:
        low, high = policy.small_range(zeros_hidden=zeros_hidden)
        return float(low), float(high)
    if reason is Reason.COMPLEMENTARY and count >= policy.threshold:
        return float(policy.threshold), math.inf
    return 0.0, math.inf


class Auditor:
    """Audits hiding patterns of one table under one policy; builds the linear system once."""

    def __init__(self, table: Table, policy: Policy, *, zeros_hidden: bool = False, integral: bool = False):
        self.table = table
        self.policy = policy
        self.zeros_hidden = zeros_hidden or not policy.show_zeros
        self.integral = integral
        self._equal_rows, self._equal_rhs = self._matrix(Relation.EQUAL)
        self._upper_rows, self._upper_rhs = self._matrix(Relation.AT_MOST)
        self.shown_bounds = [self._shown_knowledge(cell.value) for cell in table.cells]
        self._model: highspy.Highs | None = None
        self._model_key: tuple[tuple[float, float], ...] | None = None

    def _matrix(self, relation: Relation) -> tuple[np.ndarray | None, np.ndarray | None]:
        chosen = [c for c in self.table.constraints if c.relation is relation]
        if not chosen:
            return None, None
        rows = np.zeros((len(chosen), len(self.table.cells)))
        for row, constraint in zip(rows, chosen, strict=True):
            for key, coefficient in constraint.terms:
                row[self.table.position(key)] = coefficient
        return rows, np.array([float(c.constant) for c in chosen])

    def _shown_knowledge(self, count: int) -> tuple[float, float]:
        """What a reader knows of a shown count: the counts shown the same way that are not small."""
        low, high = self.policy.shown_as(self.policy.rounded(count))
        small_low, small_high = self.policy.small_range(zeros_hidden=self.zeros_hidden)
        if small_low > small_high:
            return low, high
        pieces = [(low, min(high, small_low - 1)), (max(low, small_high + 1), high)]
        # Two pieces survive only when the rounding interval spans the whole small range
        # (a custom policy with a coarse base); assuming the reader knows which piece holds
        # the count is the cautious choice.
        for piece_low, piece_high in pieces:
            if piece_low <= count <= piece_high:
                return piece_low, piece_high
        return low, high  # a small count: never shown, so this is never used

    def hidden_knowledge(self, count: int, reason: Reason) -> tuple[float, float]:
        return hidden_range(self.policy, count, reason, zeros_hidden=self.zeros_hidden)

    def bounds(self, reasons: Mapping[CellKey, Reason]) -> list[tuple[float, float]]:
        bounds = list(self.shown_bounds)
        for key, reason in reasons.items():
            position = self.table.position(key)
            bounds[position] = self.hidden_knowledge(self.table.cells[position].value, reason)
        return bounds

    def interval(self, key: CellKey, bounds: list[tuple[float, float]]) -> Interval:
        position = self.table.position(key)
        low = self._extreme(position, bounds, +1.0)
        high = self._extreme(position, bounds, -1.0)
        low = math.ceil(low - _TOLERANCE)
        high = high if math.isinf(high) else math.floor(high + _TOLERANCE)
        return Interval(float(low), float(high))

    def _extreme(self, position: int, bounds: list[tuple[float, float]], sign: float) -> float:
        objective = np.zeros(len(self.table.cells))
        objective[position] = sign
        status, value = (self._solve_integral if self.integral else self._solve_linear)(objective, bounds)
        if status == 3:  # unbounded: only maximising can be unbounded, as counts are >= 0
            return math.inf
        if status != 0:
            raise RuntimeError(
                f"the disclosure audit could not solve for cell {self.table.cells[position].key!r}"
            )
        return sign * value

    def _solve_linear(self, objective: np.ndarray, bounds: list[tuple[float, float]]) -> tuple[int, float]:
        """Minimise objective·x: status 0 (solved, value), 2 (infeasible) or 3 (unbounded).

        An audit asks the same linear programme for the minimum and maximum of
        every hidden cell: only the objective changes. One HiGHS model is built per
        set of bounds and re-solved with a new objective, which is about ten times
        faster than a fresh `scipy.optimize.linprog` each time (the same solver,
        HiGHS, whose answers the tests compare with linprog's).
        """
        model = self._model_for(bounds)
        model.changeColsCost(
            len(objective), np.arange(len(objective), dtype=np.int32), objective.astype(float)
        )
        model.run()
        status = model.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return 0, float(model.getInfo().objective_function_value)
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return 3, math.nan
        return 2, math.nan

    def _model_for(self, bounds: list[tuple[float, float]]) -> highspy.Highs:
        key = tuple(bounds)
        if self._model is None or self._model_key != key:
            self._model, self._model_key = (
                _highs_model(self._equal_rows, self._equal_rhs, self._upper_rows, self._upper_rhs, bounds),
                key,
            )
        return self._model

    def _solve_linear_reference(
        self, objective: np.ndarray, bounds: list[tuple[float, float]]
    ) -> tuple[int, float]:
        """The same programme through scipy's linprog: the tests' reference for `_solve_linear`."""
        result = linprog(
            objective,
            A_ub=self._upper_rows,
            b_ub=self._upper_rhs,
            A_eq=self._equal_rows,
            b_eq=self._equal_rhs,
            bounds=[(low, None if math.isinf(high) else high) for low, high in bounds],
            method="highs",
        )
        return result.status, float(result.fun) if result.status == 0 else math.nan

    def _solve_integral(self, objective: np.ndarray, bounds: list[tuple[float, float]]) -> tuple[int, float]:
        constraints = []
        if self._equal_rows is not None:
            constraints.append(LinearConstraint(self._equal_rows, self._equal_rhs, self._equal_rhs))
        if self._upper_rows is not None:
            constraints.append(LinearConstraint(self._upper_rows, -np.inf, self._upper_rhs))
        lows, highs = zip(*bounds, strict=True) if bounds else ((), ())
        result = milp(
            objective,
            integrality=np.ones(len(bounds)),
            bounds=Bounds(np.array(lows, dtype=float), np.array(highs, dtype=float)),
            constraints=constraints,
        )
        return result.status, float(result.fun) if result.status == 0 else math.nan

    def required_width(self, key: CellKey, reason: Reason) -> int:
        count = self.table.cell(key).value
        sensitive = reason is Reason.PRIMARY or (
            reason is Reason.WITHHELD and self.policy.is_small(count, zeros_hidden=self.zeros_hidden)
        )
        return self.policy.min_width if sensitive else 1

    def problem(self, key: CellKey, reason: Reason, interval: Interval) -> Problem | None:
        required = self.required_width(key, reason)
        if interval.width >= required:
            return None
        what = "can be worked out exactly" if interval.width == 0 else f"can be narrowed to {interval}"
        return Problem(
            key,
            reason,
            interval,
            required,
            f"{', '.join(key)} ({reason.value}) {what}; it needs width {required}",
        )

    def run(
        self,
        reasons: Mapping[CellKey, Reason],
        *,
        check: Iterable[CellKey] | None = None,
        stop_at_first: bool = False,
    ) -> AuditResult:
        """Intervals of the hidden cells in `check` (default: all, in table order), and their problems."""
        bounds = self.bounds(reasons)
        keys = [key for key in self.table.keys if key in reasons] if check is None else list(check)
        intervals: dict[CellKey, Interval] = {}
        problems: list[Problem] = []
        for key in keys:
            intervals[key] = self.interval(key, bounds)
            problem = self.problem(key, reasons[key], intervals[key])
            if problem is not None:
                problems.append(problem)
                if stop_at_first:
                    break
        return AuditResult(MappingProxyType(intervals), tuple(problems))


def audit(
    table: Table,
    protected: SupportsReasons | Mapping[CellKey, Reason] | Iterable[CellKey],
    policy: Policy | str | None = None,
    *,
    zeros_hidden: bool | None = None,
    integral: bool = False,
) -> AuditResult:
    """Each hidden cell's feasible interval, and every cell narrower than the policy allows.

    `protected` is a result of `protect`, a mapping of hidden cells to their
    reason, or just the hidden cells (a small count is then primary, any
    other complementary). `integral=True` solves integer programs instead of
    linear ones: a reader who uses that counts are whole numbers.
    """
    if isinstance(protected, SupportsReasons):
        policy = protected.policy if policy is None else policy
        zeros_hidden = protected.zeros_hidden if zeros_hidden is None else zeros_hidden
    if policy is None:
        raise TypeError("audit needs the policy the table was protected under")
    policy = resolve_policy(policy)
    zeros_hidden = bool(zeros_hidden)
    reasons = _reasons_of(protected, table, policy, zeros_hidden)
    _check_reasons(table, reasons, policy, zeros_hidden)
    return Auditor(table, policy, zeros_hidden=zeros_hidden, integral=integral).run(reasons)


def _reasons_of(
    protected: SupportsReasons | Mapping[CellKey, Reason] | Iterable[CellKey],
    table: Table,
    policy: Policy,
    zeros_hidden: bool,
) -> dict[CellKey, Reason]:
    if isinstance(protected, SupportsReasons):
        return dict(protected.reasons)
    if isinstance(protected, Mapping):
        return {key: Reason(reason) for key, reason in protected.items()}
    return {key: _inferred_reason(table.cell(key).value, policy, zeros_hidden) for key in protected}


def _inferred_reason(count: int, policy: Policy, zeros_hidden: bool) -> Reason:
    return Reason.PRIMARY if policy.is_small(count, zeros_hidden=zeros_hidden) else Reason.COMPLEMENTARY


def _check_reasons(
    table: Table, reasons: Mapping[CellKey, Reason], policy: Policy, zeros_hidden: bool
) -> None:
    for key, reason in reasons.items():
        count = table.cell(key).value
        if reason is Reason.PRIMARY and not policy.is_small(count, zeros_hidden=zeros_hidden):
            raise ValueError(
                f"cell {key!r} is marked primary but its count is not small under {policy.name!r}"
            )


def _highs_model(
    equal_rows: np.ndarray | None,
    equal_rhs: np.ndarray | None,
    upper_rows: np.ndarray | None,
    upper_rhs: np.ndarray | None,
    bounds: list[tuple[float, float]],
) -> highspy.Highs:
    """A quiet HiGHS model of the audit's constraints and bounds, objective left at zero."""
    columns = len(bounds)
    blocks = [(rows, rhs, rhs) for rows, rhs in [(equal_rows, equal_rhs)] if rows is not None]
    if upper_rows is not None and upper_rhs is not None:
        blocks.append((upper_rows, np.full(len(upper_rhs), -highspy.kHighsInf), upper_rhs))
    matrix = np.vstack([rows for rows, _, _ in blocks]) if blocks else np.zeros((0, columns))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = columns, matrix.shape[0]
    lp.col_cost_ = np.zeros(columns)
    lp.col_lower_ = np.array([low for low, _ in bounds], dtype=float)
    lp.col_upper_ = np.array(
        [highspy.kHighsInf if math.isinf(high) else high for _, high in bounds], dtype=float
    )
    lp.row_lower_ = np.concatenate([low for _, low, _ in blocks]) if blocks else np.zeros(0)
    lp.row_upper_ = np.concatenate([high for _, _, high in blocks]) if blocks else np.zeros(0)
    starts, indices, values = [0], [], []
    for column in matrix.T:
        nonzero = np.flatnonzero(column)
        indices.extend(nonzero.tolist())
        values.extend(column[nonzero].tolist())
        starts.append(len(indices))
    return quiet_model(lp, starts, indices, values)


def quiet_model(
    lp: highspy.HighsLp, starts: list[int], indices: list[int], values: list[float]
) -> highspy.Highs:
    """A HiGHS model of `lp` with its constraint matrix given column by column, printing nothing."""
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(values, dtype=float)
    model = highspy.Highs()
    model.setOptionValue("output_flag", False)
    model.passModel(lp)
    return model
