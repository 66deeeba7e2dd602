"""The cross-report attack: what a whole batch of reports, with public headcounts, gives away about
other organisations.

An organisation's report that shows a figure computed from its named peers (a median or quartile of
their rates or counts) publishes an order statistic of a named set, or an interpolation between two:
times a peer's public person-years, a rate is that peer's count. The attacker here reads every report
of a batch (report.json, as `concerns report` writes it) and, for every figure in a column computed
from the peers, tries

- each named peer alone: the figure as that peer's count, or as its rate per 1,000 times its public
  person-years, a whole number within the figure's printed precision;
- each pair of named peers at the quartile and median weights (¼, ½, ¾): every pair of whole counts
  below the threshold that gives the printed figure, where exactly one pair does.

A candidate is a *recovery* when it equals the peer's true count and that count is below the
threshold. The test suite runs the attack on the demo batch, where it must recover nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

WEIGHTS = (0.25, 0.5, 0.75)


@dataclass(frozen=True)
class Candidate:
    """A count the attacker believes one peer had, and where it was read."""

    report: str  # the report's organisation
    table: str
    row: str  # the row's key: a year, a category, ...
    column: str
    peer: str
    count: int
    how: str  # "single" or "pair"


def peer_figures(report: Mapping[str, Any]) -> Iterable[tuple[str, str, str, float, str, float]]:
    """(table, row, column, value, kind, half its printed precision) of every figure computed from peers."""
    for table in report.get("tables", ()):
        columns = table["columns"]
        for row in table["rows"]:
            for column, cell in zip(columns, row["cells"], strict=True):
                value = cell["value"]
                if not column["key"].startswith("peer") or not isinstance(value, int | float):
                    continue
                decimals = _decimals(cell["display"])
                if decimals < 0:
                    continue
                half = 0.5 * 10**-decimals / (100 if cell["display"].endswith("%") else 1)
                yield table["id"], row["key"], column["key"], float(value), column["kind"], half


def attack(
    reports: Iterable[Mapping[str, Any]],
    person_years: Mapping[str, float],
    totals: Mapping[str, int],
    *,
    threshold: int,
) -> list[Candidate]:
    """Every count the attack pins to one named peer, from a batch of reports.

    `person_years` are public (workforce headcounts summed over the period); `totals` are the peers'
    numbers of cases as their own reports publish them, which turn a share back into a count.
    """
    found: list[Candidate] = []
    for report in reports:
        if not report.get("peers") or report.get("org") is None:
            continue
        peers = [p["code"] for p in report["peers"]["organisations"]]
        code = report["org"]["code"]
        for table, row, column, value, kind, half in peer_figures(report):
            every_scale = {peer: _scale(kind, peer, person_years, totals) for peer in peers}
            scales = {peer: scale for peer, scale in every_scale.items() if scale}
            where = (code, table, row, column)
            found += _single(where, value, half, scales, threshold)
            found += _pairs(where, value, half, scales, threshold)
    return found


def recoveries(
    candidates: Iterable[Candidate], truth: Mapping[tuple[str, str, str], int], *, threshold: int
) -> list[Candidate]:
    """The candidates that are a peer's true count below the threshold: what was given away.
    `truth` maps (peer, table, row) to the peer's own count behind that row."""
    return [c for c in candidates if c.count < threshold and truth.get((c.peer, c.table, c.row)) == c.count]


def _scale(
    kind: str, peer: str, person_years: Mapping[str, float], totals: Mapping[str, int]
) -> float | None:
    """What turns a peer's count into the figure: its person-years per 1,000, its total, or 1."""
    if kind == "rate":
        return (person_years.get(peer) or 0) / 1000 or None
    if kind == "share":
        return totals.get(peer) or None
    if kind == "count":
        return 1.0
    return None


def _single(
    where: tuple[str, str, str, str], value: float, half: float, scales: Mapping[str, float], threshold: int
) -> list[Candidate]:
    """The figure is one peer's own (an order statistic): pinned when exactly one peer fits."""
    fits = []
    for peer, scale in scales.items():
        count = value * scale
        whole = round(count)
        if whole < threshold and abs(count - whole) <= half * scale and 2 * half * scale < 1:
            fits.append((peer, int(whole)))
    if len(fits) != 1:
        return []
    peer, count = fits[0]
    return [Candidate(*where, peer, count, "single")]


def _pairs(
    where: tuple[str, str, str, str], value: float, half: float, scales: Mapping[str, float], threshold: int
) -> list[Candidate]:
    """The figure lies between two peers' (an interpolated quartile): pinned when exactly one pair of
    small counts, at one weight, gives it."""
    fits = []
    for (a, scale_a), (b, scale_b) in itertools.permutations(scales.items(), 2):
        for weight in WEIGHTS:
            for x, y in itertools.product(range(threshold), repeat=2):
                if abs((1 - weight) * x / scale_a + weight * y / scale_b - value) <= half:
                    fits.append(((a, x), (b, y)))
    distinct = {frozenset(fit) for fit in fits}
    if len(distinct) != 1:
        return []
    return [Candidate(*where, peer, count, "pair") for peer, count in next(iter(distinct))]


def _decimals(display: str) -> int:
    """Decimal places printed: "8.65" → 2, "12" → 0, "30.1%" → 1; −1 when no number is printed."""
    text = display.replace("%", "").replace(",", "").strip()
    if not text or not text.replace(".", "", 1).replace("−", "", 1).replace("-", "", 1).isdigit():
        return -1
    return len(text.split(".", 1)[1]) if "." in text else 0
