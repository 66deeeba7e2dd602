"""Differencing across a batch: every organisation's report set beside the national counts they add up to.

An organisation's report hides some of its counts. A national count is the sum over organisations of
the same category, so with the whole batch in hand, a national count minus the counts the
organisations show is the sum of the counts they hide; where one organisation hides the category, or
where its other rows pin what is left, a hidden count can be worked out. The within-report audit
(`audit`) cannot see this: it reads one report.

The model, one breakdown at a time (grade, ethnic group, year, …): each organisation's rows, as its
report shows them (a count known exactly or within its rounding, a small count's range, a hidden
count of at least the threshold, a combined row whose groups are not shown one by one) and its total;
and each national count shown. Every count an organisation hides is a variable (each group of a
combined row too), and for each one the linear programme (HiGHS) finds the least and the most it can
be. A count is *narrowed* when that range is narrower than the policy's `min_width` and lies below
the threshold: the batch pins a count the organisation's report kept hidden.

    >>> from concerns.disclosure import Breakdown, Row, difference
    >>> a = Breakdown("A", (Row(("x",), 12, 12), Row(("y",), 1, 4, small=True), Row(("z",), 5, None)), (20, 20))
    >>> b = Breakdown("B", (Row(("x",), 30, 30), Row(("y",), 9, 9), Row(("z",), 10, 10)), (49, 49))
    >>> [(n.organisation, n.codes, n.low, n.high) for n in difference([a, b], {"y": 12}, min_width=2, threshold=5)]
    [('A', ('y',), 3.0, 3.0)]
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from ._audit import quiet_model
from ._policy import Policy

__all__ = ["Breakdown", "Link", "Narrowing", "Row", "difference", "national_counts", "report_breakdown"]

_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Row:
    """One row of an organisation's breakdown, as its reader knows it: the count is in [low, high]
    (`high` None: no upper bound). A combined row has several codes: only their sum is known."""

    codes: tuple[str, ...]
    low: float
    high: float | None
    small: bool = False  # hidden as a small count

    @property
    def exact(self) -> bool:
        return len(self.codes) == 1 and self.high is not None and self.low == self.high


@dataclass(frozen=True)
class Link:
    """Something else the reader knows of an organisation's rows: low <= sum(coefficient × code) <= high.
    Several breakdowns taken together (grade and profession, whose rows hold the same people) are
    one `Breakdown` with prefixed codes, their totals and such relations as links."""

    terms: tuple[tuple[str, float], ...]
    low: float
    high: float | None


@dataclass(frozen=True)
class Breakdown:
    """An organisation's rows of one breakdown and what its total is known to be (None: no total)."""

    organisation: str
    rows: tuple[Row, ...]
    total: tuple[float, float | None] | None
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Subtotal:
    """A published count over some organisations only (those of one type): the sum of their rows of
    `codes` is `count`."""

    organisations: frozenset[str]
    codes: tuple[str, ...]
    count: float


@dataclass(frozen=True)
class Narrowing:
    """A hidden count of one organisation that the batch pins below the threshold."""

    organisation: str
    codes: tuple[str, ...]
    low: float
    high: float


def difference(
    breakdowns: Iterable[Breakdown],
    national: Mapping[str, float | None],
    *,
    min_width: int,
    threshold: int,
    exempt: Collection[str] = (),
    audited: Collection[str] | None = None,
    subtotals: Sequence[Subtotal] = (),
) -> list[Narrowing]:
    """Every hidden count of the organisations in `audited` (all when None) that the breakdowns and the
    national counts (code → the count shown, None when hidden) together narrow below `min_width` within
    the small range. Codes in `exempt` are counts the policy shows whatever their size (not stated):
    they are not audited. Every organisation of the national count must be among the breakdowns."""
    program = _Program()
    constants: dict[str, float] = {}
    for breakdown in breakdowns:
        program.add(breakdown, constants)
    for code, count in national.items():
        if count is not None and code in program.by_code:
            program.equal({column: 1.0 for column in program.by_code[code]}, count - constants.get(code, 0.0))
    for subtotal in subtotals:
        program.subtotal(subtotal)
    asked = [
        column
        for column, (organisation, code) in enumerate(program.names)
        if code not in exempt
        and code.rpartition(":")[2] not in exempt
        and program.lower[column] < threshold  # a count of at least the threshold is never pinned below it
        and (audited is None or organisation in audited)
    ]
    narrowed = []
    for column in program.unsettled(asked, min_width=min_width, threshold=threshold):
        organisation, code = program.names[column]
        low, high = program.extremes(column, threshold)
        if high < threshold and high - low < min_width:
            narrowed.append(Narrowing(organisation, (code,), low, high))
    return narrowed


class _Program:
    """The variables, bounds and rows of the batch's linear programme, built as they come."""

    def __init__(self) -> None:
        self.names: list[tuple[str, str]] = []  # (organisation, code) of each column
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.by_code: dict[str, list[int]] = {}
        self.known: dict[tuple[str, str], float] = {}  # (organisation, code) → a count shown exactly
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self._model: highspy.Highs | None = None

    def column(self, organisation: str, code: str, low: float, high: float | None) -> int:
        self.names.append((organisation, code))
        self.lower.append(low)
        self.upper.append(math.inf if high is None else high)
        self.by_code.setdefault(code, []).append(len(self.names) - 1)
        return len(self.names) - 1

    def equal(self, terms: dict[int, float], value: float) -> None:
        self.rows.append((terms, value, value))

    def subtotal(self, subtotal: Subtotal) -> None:
        codes = set(subtotal.codes)
        terms = {
            column: 1.0
            for code in codes
            for column in self.by_code.get(code, [])
            if self.names[column][0] in subtotal.organisations
        }
        constant = sum(
            value
            for (organisation, code), value in self.known.items()
            if code in codes and organisation in subtotal.organisations
        )
        if terms:
            self.equal(terms, subtotal.count - constant)

    def within(self, terms: dict[int, float], low: float, high: float | None) -> None:
        self.rows.append((terms, low, math.inf if high is None else high))

    def add(self, breakdown: Breakdown, constants: dict[str, float]) -> None:
        known, hidden = 0.0, {}
        values: dict[str, float] = {}  # the codes shown exactly
        columns: dict[str, int] = {}  # the codes hidden
        for row in breakdown.rows:
            if row.exact:
                constants[row.codes[0]] = constants.get(row.codes[0], 0.0) + row.low
                self.known[(breakdown.organisation, row.codes[0])] = row.low
                values[row.codes[0]] = row.low
                known += row.low
                continue
            if len(row.codes) == 1:
                columns[row.codes[0]] = self.column(breakdown.organisation, row.codes[0], row.low, row.high)
                hidden[columns[row.codes[0]]] = 1.0
                continue
            members = {code: self.column(breakdown.organisation, code, 0.0, None) for code in row.codes}
            self.within({column: 1.0 for column in members.values()}, row.low, row.high)
            columns.update(members)
            hidden.update({column: 1.0 for column in members.values()})
        if breakdown.total is not None and hidden:
            low, high = breakdown.total
            self.within(hidden, low - known, None if high is None else high - known)
        for link in breakdown.links:
            terms = {columns[code]: coefficient for code, coefficient in link.terms if code in columns}
            constant = sum(values.get(code, 0.0) * coefficient for code, coefficient in link.terms)
            if terms:
                self.within(terms, link.low - constant, None if link.high is None else link.high - constant)

    def unsettled(
        self, columns: list[int], *, min_width: float, threshold: float, tries: int = 48
    ) -> list[int]:
        """The columns that some points of the programme do not already show to range at least
        `min_width`, or to reach the threshold. Each point is the optimum of an objective on the columns
        not yet settled (all up, all down, then random directions): a few dozen settle nearly every
        column, so that only the rest need a least and a most of their own."""
        model = self._built()
        rng = np.random.default_rng(0)
        low = np.full(len(self.names), math.inf)
        high = np.full(len(self.names), -math.inf)
        open_ = np.array(columns, dtype=np.int32)
        for attempt in range(tries):
            if not len(open_):
                break
            direction = (1.0, -1.0)[attempt % 2] if attempt < 4 else rng.choice((-1.0, 1.0), len(open_))
            model.changeColsCost(len(open_), open_, np.broadcast_to(direction, len(open_)).astype(float))
            model.run()
            ok = model.getModelStatus() == highspy.HighsModelStatus.kOptimal
            point = np.asarray(model.getSolution().col_value) if ok else None
            model.changeColsCost(len(open_), open_, np.zeros(len(open_)))
            if point is None:
                continue
            low, high = np.minimum(low, point), np.maximum(high, point)
            settled = (high[open_] - low[open_] >= min_width - _TOLERANCE) | (high[open_] >= threshold)
            open_ = open_[~settled]
        return [int(c) for c in open_]

    def extremes(self, column: int, threshold: float = math.inf) -> tuple[float, float]:
        """The least and most a column can be; the least is not looked for (-inf) when the most is at
        least `threshold`, since such a count is never pinned below it."""
        high = self._optimum(column, -1.0)
        high = high if math.isinf(high) else float(math.floor(high + _TOLERANCE))
        if high >= threshold:
            return -math.inf, high
        low = self._optimum(column, 1.0)
        return float(math.ceil(low - _TOLERANCE)), high

    def _optimum(self, column: int, sign: float) -> float:
        """The least (sign 1) or most (sign -1) the column can be."""
        model = self._built()
        model.changeColCost(column, sign)
        model.run()
        status, value = model.getModelStatus(), model.getInfo().objective_function_value
        model.changeColCost(column, 0.0)
        if status == highspy.HighsModelStatus.kOptimal:
            return sign * value
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return math.inf  # only the most can be unbounded: counts are at least 0
        raise RuntimeError(f"the batch audit could not solve for {self.names[column]!r}")

    def _built(self) -> highspy.Highs:
        if self._model is not None:
            return self._model
        columns = len(self.names)
        by_column: list[list[tuple[int, float]]] = [[] for _ in range(columns)]
        for index, (terms, _, _) in enumerate(self.rows):
            for column, coefficient in terms.items():
                by_column[column].append((index, coefficient))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = columns, len(self.rows)
        lp.col_cost_ = np.zeros(columns)
        lp.col_lower_ = np.array(self.lower, dtype=float)
        lp.col_upper_ = np.array([highspy.kHighsInf if math.isinf(u) else u for u in self.upper], dtype=float)
        lp.row_lower_ = np.array([low for _, low, _ in self.rows], dtype=float)
        lp.row_upper_ = np.array(
            [highspy.kHighsInf if math.isinf(high) else high for _, _, high in self.rows], dtype=float
        )
        starts, indices, values = [0], [], []
        for entries in by_column:
            indices += [row for row, _ in entries]
            values += [value for _, value in entries]
            starts.append(len(indices))
        model = quiet_model(lp, starts, indices, values)
        model.run()  # solved once with no objective; each question then starts from that basis
        model.setOptionValue("presolve", "off")
        self._model = model
        return model


# --- reading a batch of report.json files, as an attacker would ------------------------------------


def report_breakdown(organisation: str, table: Mapping[str, Any], policy: Policy) -> Breakdown | None:
    """One organisation's table of `report.json` as its reader knows it; None when it has no total."""
    zeros = any("zero included" in note.lower() for note in table.get("notes", ()))
    parts = [row for row in table["rows"] if not row.get("is_total") and not row.get("combined_into")]
    # A table with no count shown was withheld whole: its "*" are not complements of at least the threshold.
    withheld = all(_count(row["cells"][0]["display"]) is None for row in parts)
    rows, total = [], None
    for row in table["rows"]:
        if row.get("combined_into"):
            continue  # its count is only in the combined row
        display = row["cells"][0]["display"]
        known = _known(display, policy, zeros_hidden=zeros, withheld=withheld)
        if row.get("is_total"):
            total = known
            continue
        codes = tuple(row.get("combines") or (row["key"],))
        rows.append(Row(codes, *known, small=display == policy.symbol))
    if total is None:
        return None
    return Breakdown(organisation, tuple(rows), total)


def national_counts(table: Mapping[str, Any]) -> dict[str, float | None]:
    """A national table's shown counts by code (None where hidden)."""
    return {
        row["key"]: _count(row["cells"][0]["display"]) for row in table["rows"] if not row.get("is_total")
    }


def _known(display: str, policy: Policy, *, zeros_hidden: bool, withheld: bool) -> tuple[float, float | None]:
    count = _count(display)
    if count is not None:
        return tuple(float(x) for x in policy.shown_as(int(count)))  # type: ignore[return-value]
    if display == policy.symbol:
        low, high = policy.small_range(zeros_hidden=zeros_hidden or withheld)
        return float(low), float(high)
    if display == policy.complementary_symbol and not withheld:
        return float(policy.threshold), None
    return 0.0, None


def _count(display: str) -> float | None:
    text = display.replace(",", "")
    return float(text) if text.isdigit() else None
