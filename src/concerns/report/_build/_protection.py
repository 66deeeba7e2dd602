"""Disclosure control for one report: every count it publishes, protected together.

A report publishes the same cases many ways: by year, profession, grade,
specialty group, ethnic group, ... and each table's total is the same number.
Some categories are also the same people seen twice (grade `dentist` and
profession `dentist`), and some published figures imply counts that no table
shows (a relative likelihood with its interval gives away both of its case
counts).
All of that is written down here as cells and linear relations, the way the
audit in `concerns.disclosure` reasons, so that no hidden count can be worked
out by combining tables.

How it is protected:

- The total is published in every table, so the tables are linked through it.
  Under a policy without rounding a shown total is known exactly, and the
  reader's knowledge splits into independent groups (years; concerns; staff
  groups; each equality characteristic; services) that meet only in that
  known number. Each group is protected on its own with the total written
  into its relations as a constant; the result is the same as protecting the
  linked whole, for a fraction of the linear programmes.
- Under a rounding policy a shown total is known only within its rounding,
  which couples the groups: everything is protected as one linked table.
- When the total itself is small, no breakdown is published at all: every
  count is withheld (zeros included), since a handful of cases spread over a
  dozen tables is a set of facts about a handful of people.

`Published` is what the builder reads: display strings and published values
only. `linked()` gives the whole as one `concerns.disclosure.Table` with the
reasons, for the cross-table audit in the tests.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from concerns.disclosure import (
    Cell,
    CellKey,
    Constraint,
    Policy,
    ProtectedCell,
    Protection,
    Reason,
    Table,
    get_policy,
    protect,
)
from concerns.disclosure import Relation as Sense
from concerns.report._build._coarsen import is_collapsed

TOTAL: CellKey = ("cases", "total")


@dataclass(frozen=True)
class Relation:
    """sum(coefficient × cell) + total_coefficient × total  (== or <=)  0."""

    terms: tuple[tuple[CellKey, int], ...]
    total: int = 0
    at_most: bool = False

    def constraint(self, total: int | None) -> Constraint:
        """With the total as a known constant (`total` given) or as the cell TOTAL."""
        sense = Sense.AT_MOST if self.at_most else Sense.EQUAL
        if total is None and self.total:
            return Constraint((*self.terms, (TOTAL, self.total)), sense, 0)
        return Constraint(self.terms, sense, -self.total * (total or 0))


@dataclass(frozen=True)
class Group:
    """Cells that are related to each other only through the total."""

    name: str
    cells: tuple[Cell, ...]
    relations: tuple[Relation, ...]


def sums_to_total(keys: Sequence[CellKey]) -> Relation:
    return Relation(tuple((key, 1) for key in keys), total=-1)


def at_most(key: CellKey, limit: CellKey | None) -> Relation:
    """`key <= limit`, or `key <= total` when limit is None."""
    if limit is None:
        return Relation(((key, 1),), total=-1, at_most=True)
    return Relation(((key, 1), (limit, -1)), at_most=True)


def multi_response(categories: Sequence[CellKey], more_than_one: CellKey | None) -> list[Relation]:
    """What a reader knows of categories a case can have several of (every case has at least one).

    Each count is at most the total; they add up to at least total + m and at
    most total + (k − 1)·m, where m counts the cases in more than one category.
    """
    relations = [at_most(key, None) for key in (*categories, *([more_than_one] if more_than_one else []))]
    minus = tuple((key, -1) for key in categories)
    plus = tuple((key, 1) for key in categories)
    if more_than_one is None:
        relations.append(Relation(minus, total=1, at_most=True))
    else:
        relations.append(Relation((*minus, (more_than_one, 1)), total=1, at_most=True))
        relations.append(Relation((*plus, (more_than_one, -(len(categories) - 1))), total=-1, at_most=True))
    return relations


def split(whole: Sequence[CellKey], part: Sequence[CellKey], rest: CellKey) -> Relation:
    """sum(whole) = sum(part) + rest: a published part of a published whole, and what it implies."""
    return Relation((*((key, 1) for key in whole), *((key, -1) for key in part), (rest, -1)))


def beside_unrecorded(
    whole: Sequence[CellKey], part: Sequence[CellKey], rest: CellKey, unrecorded: CellKey
) -> list[Relation]:
    """sum(whole) = sum(part) + rest + some of `unrecorded` (the part's "not stated" cases): rest is
    at most the gap between whole and part, and at least that gap less every unrecorded case."""
    gap = (*((key, 1) for key in whole), *((key, -1) for key in part))
    return [
        Relation((*((key, -coefficient) for key, coefficient in gap), (rest, 1)), at_most=True),
        Relation((*gap, (rest, -1), (unrecorded, -1)), at_most=True),
    ]


@dataclass(frozen=True)
class Published:
    """What may be published of every count of one report, and the proof's ingredients."""

    policy: Policy
    cells: Mapping[CellKey, ProtectedCell]
    zeros_hidden: frozenset[str]  # table names (first key part) whose zeros are hidden
    withheld: bool  # the total is small: no breakdown is published
    groups: tuple[Group, ...] = field(repr=False)
    total_count: int = field(repr=False)
    withheld_tables: frozenset[str] = frozenset()  # tables no pattern could protect: every count hidden

    def __contains__(self, key: object) -> bool:
        return key in self.cells

    def display(self, key: CellKey) -> str:
        return self.cells[key].display

    def value(self, key: CellKey) -> int | None:
        """The published count (rounded under a rounding policy); None when hidden."""
        return self.cells[key].value

    def hidden(self, *keys: CellKey) -> bool:
        return any(self.cells[key].suppressed for key in keys)

    def shown(self, *keys: CellKey) -> bool:
        return not self.hidden(*keys)

    def is_primary(self, key: CellKey) -> bool:
        return self.cells[key].reason is Reason.PRIMARY

    @property
    def total(self) -> int | None:
        return self.value(TOTAL)

    def linked(self) -> tuple[Table, dict[CellKey, Reason], bool]:
        """Every cell as one table with the total as a cell, the hidden cells' reasons, and
        whether zeros are hidden anywhere: the audit's input for the cross-table check."""
        return _linked(self.groups, self.total_count), self.reasons(), bool(self.zeros_hidden)

    def reasons(self) -> dict[CellKey, Reason]:
        return {key: cell.reason for key, cell in self.cells.items() if cell.reason is not None}


def publish(groups: Sequence[Group], total: int, policy: Policy | str = "standard") -> Published:
    """Protect every group's cells and the total under `policy`."""
    policy = policy if isinstance(policy, Policy) else get_policy(policy)
    groups = tuple(groups)
    if _total_is_small(total, policy):
        return _withhold(groups, total, policy)
    if policy.rounding_base == 1:
        return _publish_by_group(groups, total, policy)
    return _publish_linked(groups, total, policy)


def _total_is_small(total: int, policy: Policy) -> bool:
    return policy.is_small(total) or (total == 0 and not policy.show_zeros)


def _withhold(groups: tuple[Group, ...], total: int, policy: Policy) -> Published:
    cells = {TOTAL: _cell(TOTAL, total, policy, Reason.PRIMARY, is_total=True)}
    for group in groups:
        for cell in group.cells:
            cells[cell.key] = _cell(cell.key, cell.value, policy, Reason.WITHHELD)
    return Published(policy, cells, frozenset(key[0] for key in cells), True, groups, total)


def _cell(
    key: CellKey, count: int, policy: Policy, reason: Reason | None, *, is_total: bool = False
) -> ProtectedCell:
    if reason is None:
        shown = policy.rounded(count)
        return ProtectedCell(key, f"{shown:,}", shown, False, None, is_total)
    # Withheld cells are all at most the small total: the small-count symbol is true of each.
    return ProtectedCell(key, policy.symbol, None, True, reason, is_total)


def _publish_by_group(groups: tuple[Group, ...], total: int, policy: Policy) -> Published:
    cells = {TOTAL: _cell(TOTAL, total, policy, None, is_total=True)}
    zeros_hidden: set[str] = set()
    withheld: set[str] = set()
    for group in groups:
        if not group.cells:
            continue
        table = Table(group.cells, tuple(relation.constraint(total) for relation in group.relations))
        protection = _protect(table, policy.name if _is_builtin(policy) else policy)
        cells.update(protection.cells)
        if protection.zeros_hidden:
            zeros_hidden.update(key[0] for key in protection.cells)
        if protection.withheld:
            withheld.update(key[0] for key in protection.cells)
    return Published(policy, cells, frozenset(zeros_hidden), False, groups, total, frozenset(withheld))


def _publish_linked(groups: tuple[Group, ...], total: int, policy: Policy) -> Published:
    protection = _protect(_linked(groups, total), policy.name if _is_builtin(policy) else policy)
    names = frozenset(key[0] for key in protection.cells)
    return Published(
        policy,
        dict(protection.cells),
        names if protection.zeros_hidden else frozenset(),
        False,
        groups,
        total,
        names if protection.withheld else frozenset(),
    )


def _linked(groups: Iterable[Group], total: int) -> Table:
    cells = [Cell(TOTAL, total, is_total=True)]
    constraints: list[Constraint] = []
    for group in groups:
        cells.extend(group.cells)
        constraints.extend(relation.constraint(None) for relation in group.relations)
    return Table(tuple(cells), tuple(constraints))


def _is_builtin(policy: Policy) -> bool:
    try:
        return get_policy(policy.name) == policy
    except ValueError:
        return False


@functools.lru_cache(maxsize=8192)
def _protect(table: Table, policy: Policy | str) -> Protection:
    # Small organisations repeat the same small tables: the same counts give the same protection.
    return protect(table, policy)


NOT_STATED = "not_stated"


def cells_of(
    name: str, counts: Mapping[str, int], *, keep: Iterable[str] = (), conceal: Iterable[str] = ()
) -> tuple[Cell, ...]:
    """A breakdown's cells. Its "not stated" count describes recording, not people: it is shown even
    when small (docs/disclosure.md), as is a row of every group recorded (`_coarsen.is_collapsed`). `keep`: the codes a headline measure rests on. `conceal`: the
    codes that (nearly) everyone counted shares, hidden whatever their size."""
    kept, concealed = set(keep), set(conceal)
    return tuple(
        Cell(
            (name, code),
            int(count),
            keep=code in kept,
            exempt=code == NOT_STATED or is_collapsed(name, code),
            conceal=code in concealed,
        )
        for code, count in counts.items()
    )


def keys_of(name: str, codes: Iterable[str]) -> tuple[CellKey, ...]:
    return tuple((name, code) for code in codes)
