"""Tables as the disclosure audit sees them: cells plus the linear relations a reader knows hold between them.

The general form is a `Table`: named cells holding whole counts, and
`Constraint`s, each a homogeneous linear relation between cells
(sum of coefficient x cell `==` or `<=` a constant). A total is the relation
`total - part_1 - ... - part_n == 0`. Constructors build the shapes reports
use; `link` puts tables published together into one, so the audit sees
everything a reader sees at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "CellKey",
    "Cell",
    "Relation",
    "Constraint",
    "Table",
    "TableError",
    "one_way",
    "two_way",
    "multi_response",
    "link",
]

CellKey = tuple[str, ...]
"""A cell's name: the table's name, then the row (and column) keys."""


class TableError(ValueError):
    """A table that is malformed: duplicate or unknown cells, or counts that break its own relations."""


@dataclass(frozen=True)
class Cell:
    """A count. `keep`: a cell the reader needs most (a headline measure rests on it), hidden as a
    complement only when nothing else will do. `exempt`: never hidden for being small, because it
    describes how a record was kept rather than a person (see docs/disclosure.md, "Not stated").
    `conceal`: hidden whatever its size, because showing it would tell that (nearly) everyone counted
    shares a characteristic (attribute disclosure)."""

    key: CellKey
    value: int
    is_total: bool = False
    keep: bool = False
    exempt: bool = False
    conceal: bool = False


class Relation(StrEnum):
    EQUAL = "=="
    AT_MOST = "<="


@dataclass(frozen=True)
class Constraint:
    """`sum(coefficient * cell) <relation> constant`, over whole counts."""

    terms: tuple[tuple[CellKey, int], ...]
    relation: Relation = Relation.EQUAL
    constant: int = 0

    @classmethod
    def total(cls, total: CellKey, parts: Iterable[CellKey]) -> Constraint:
        """`total` is the sum of `parts`."""
        return cls(((total, 1), *((part, -1) for part in parts)), Relation.EQUAL)

    @classmethod
    def same(cls, first: CellKey, second: CellKey) -> Constraint:
        """The same count, published twice (a total shared by linked tables)."""
        return cls(((first, 1), (second, -1)), Relation.EQUAL)

    @classmethod
    def at_most(cls, cell: CellKey, limit: CellKey) -> Constraint:
        """`cell <= limit`: for example a category's count is at most the number of cases."""
        return cls(((cell, 1), (limit, -1)), Relation.AT_MOST)

    @property
    def keys(self) -> tuple[CellKey, ...]:
        return tuple(key for key, _ in self.terms)

    def holds_for(self, values: Mapping[CellKey, int]) -> bool:
        left = sum(coefficient * values[key] for key, coefficient in self.terms)
        if self.relation is Relation.EQUAL:
            return left == self.constant
        return left <= self.constant

    def describe(self) -> str:
        left = " ".join(f"{coefficient:+d}*({', '.join(key)})" for key, coefficient in self.terms)
        return f"{left} {self.relation.value} {self.constant}"


@dataclass(frozen=True)
class Table:
    """Cells (in display order) and the relations a reader knows hold between them."""

    cells: tuple[Cell, ...]
    constraints: tuple[Constraint, ...] = ()
    _index: dict[CellKey, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", tuple(self.cells))
        object.__setattr__(self, "constraints", tuple(self.constraints))
        object.__setattr__(self, "_index", _index_cells(self.cells))
        values = self.values
        for constraint in self.constraints:
            self._check_constraint(constraint, values)

    def _check_constraint(self, constraint: Constraint, values: Mapping[CellKey, int]) -> None:
        keys = constraint.keys
        if not keys:
            raise TableError("a constraint needs at least one cell")
        if len(set(keys)) != len(keys):
            raise TableError(f"a constraint names a cell twice: {constraint.describe()}")
        unknown = [key for key in keys if key not in self._index]
        if unknown:
            raise TableError(f"a constraint names cells the table does not have: {unknown}")
        if any(coefficient == 0 for _, coefficient in constraint.terms):
            raise TableError(f"a constraint has a zero coefficient: {constraint.describe()}")
        if not constraint.holds_for(values):
            raise TableError(f"the counts do not satisfy the table's relation {constraint.describe()}")

    @property
    def keys(self) -> tuple[CellKey, ...]:
        return tuple(cell.key for cell in self.cells)

    @property
    def values(self) -> dict[CellKey, int]:
        return {cell.key: cell.value for cell in self.cells}

    def position(self, key: CellKey) -> int:
        try:
            return self._index[key]
        except KeyError:
            raise TableError(f"no cell {key!r} in this table") from None

    def cell(self, key: CellKey) -> Cell:
        return self.cells[self.position(key)]

    def __contains__(self, key: object) -> bool:
        return key in self._index


def _index_cells(cells: Sequence[Cell]) -> dict[CellKey, int]:
    index: dict[CellKey, int] = {}
    for position, cell in enumerate(cells):
        if not isinstance(cell.key, tuple) or not cell.key or not all(isinstance(k, str) for k in cell.key):
            raise TableError(f"a cell key must be a non-empty tuple of strings, not {cell.key!r}")
        if isinstance(cell.value, bool) or not isinstance(cell.value, int) or cell.value < 0:
            raise TableError(f"cell {cell.key!r}: a count must be a whole number >= 0, not {cell.value!r}")
        if cell.key in index:
            raise TableError(f"two cells are named {cell.key!r}")
        index[cell.key] = position
    return index


def one_way(name: str, counts: Mapping[str, int], *, total: bool = True, total_key: str = "total") -> Table:
    """A list of counts by category and, unless `total=False`, their total (key `(name, total_key)`)."""
    _check_not_empty(name, counts, "rows")
    _check_free_of(total_key, counts, "row")
    cells = [Cell((name, row), value) for row, value in counts.items()]
    if not total:
        return Table(tuple(cells))
    total_cell = Cell((name, total_key), sum(counts.values()), is_total=True)
    return Table((*cells, total_cell), (Constraint.total(total_cell.key, [c.key for c in cells]),))


def two_way(
    name: str,
    counts: Mapping[str, Mapping[str, int]],
    *,
    row_totals: bool = True,
    column_totals: bool = True,
    total_key: str = "total",
) -> Table:
    """Rows by columns, with a total column, a total row and (with both) a grand total.

    Cell keys are `(name, row, column)`; totals use `total_key` in place of the row or column.
    """
    rows = list(counts)
    columns = _columns_of(counts)
    _check_not_empty(name, rows, "rows")
    _check_not_empty(name, columns, "columns")
    _check_free_of(total_key, rows, "row")
    _check_free_of(total_key, columns, "column")
    cells = [Cell((name, r, c), counts[r][c]) for r in rows for c in columns]
    constraints: list[Constraint] = []
    if row_totals:
        for r in rows:
            cells.append(Cell((name, r, total_key), sum(counts[r][c] for c in columns), is_total=True))
            constraints.append(Constraint.total((name, r, total_key), [(name, r, c) for c in columns]))
    if column_totals:
        for c in columns:
            cells.append(Cell((name, total_key, c), sum(counts[r][c] for r in rows), is_total=True))
            constraints.append(Constraint.total((name, total_key, c), [(name, r, c) for r in rows]))
    if row_totals and column_totals:
        grand = (name, total_key, total_key)
        cells.append(Cell(grand, sum(sum(counts[r][c] for c in columns) for r in rows), is_total=True))
        constraints.append(Constraint.total(grand, [(name, r, total_key) for r in rows]))
        constraints.append(Constraint.total(grand, [(name, total_key, c) for c in columns]))
    return Table(tuple(cells), tuple(constraints))


def multi_response(
    name: str,
    counts: Mapping[str, int],
    total: int,
    *,
    more_than_one: str | None = None,
    at_least_one: bool = True,
    total_key: str = "total",
) -> Table:
    """Categories that are not additive: a unit (a case) counts once in each category it has.

    There is no sum between the rows, but a reader still knows that every
    count is at most `total`, the number of units. With `at_least_one`
    (every unit has a category) the counts add up to at least `total`.
    `more_than_one` names the row, if any, that counts units with two or more
    categories; with it a reader also knows the counts add up to at least
    `total + more_than_one` (or `2 * more_than_one` without `at_least_one`)
    and to at most `total + (k - 1) * more_than_one` for k categories.
    """
    _check_not_empty(name, counts, "rows")
    _check_free_of(total_key, counts, "row")
    if more_than_one is not None and more_than_one not in counts:
        raise TableError(f"more_than_one names {more_than_one!r}, which is not a row of {name!r}")
    total_cell = Cell((name, total_key), total, is_total=True)
    cells = [Cell((name, row), value) for row, value in counts.items()]
    categories: list[CellKey] = [(name, row) for row in counts if row != more_than_one]
    constraints = [Constraint.at_most(cell.key, total_cell.key) for cell in cells]
    constraints += _multi_response_sums(categories, total_cell.key, name, more_than_one, at_least_one)
    return Table((*cells, total_cell), tuple(constraints))


def _multi_response_sums(
    categories: list[CellKey], total: CellKey, name: str, more_than_one: str | None, at_least_one: bool
) -> list[Constraint]:
    # Written as `<= 0`: sum(categories) >= total + m  becomes  total + m - sum(categories) <= 0.
    minus_categories = [(key, -1) for key in categories]
    plus_categories = [(key, 1) for key in categories]
    if more_than_one is None:
        return [Constraint(((total, 1), *minus_categories), Relation.AT_MOST)] if at_least_one else []
    several = (name, more_than_one)
    lower = ((total, 1), (several, 1)) if at_least_one else ((several, 2),)
    upper = ((total, -1), (several, -(len(categories) - 1))) if len(categories) > 1 else ((total, -1),)
    return [
        Constraint((*lower, *minus_categories), Relation.AT_MOST),
        Constraint((*plus_categories, *upper), Relation.AT_MOST),
    ]


def link(*tables: Table, same: Iterable[tuple[CellKey, CellKey]] = ()) -> Table:
    """Tables published together, as one table; `same` pairs cells that hold the same count.

    Give every table that appears in the same output: the audit protects only
    against what it is shown. A total that appears in two tables is the
    typical `same` pair, for example `(("profession", "total"), ("sex", "total"))`.
    """
    cells = tuple(cell for table in tables for cell in table.cells)
    constraints = [constraint for table in tables for constraint in table.constraints]
    constraints += [Constraint.same(first, second) for first, second in same]
    return Table(cells, tuple(constraints))


def _columns_of(counts: Mapping[str, Mapping[str, int]]) -> list[str]:
    if not counts:
        return []
    columns = list(next(iter(counts.values())))
    for row, values in counts.items():
        if set(values) != set(columns):
            raise TableError(f"row {row!r} has columns {sorted(values)}, expected {sorted(columns)}")
    return columns


def _check_not_empty(name: str, names: Iterable[str], what: str) -> None:
    if not list(names):
        raise TableError(f"table {name!r} has no {what}")


def _check_free_of(total_key: str, names: Iterable[str], what: str) -> None:
    if total_key in names:
        raise TableError(f"a {what} is named {total_key!r}, the key reserved for totals")
