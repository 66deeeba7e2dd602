"""Numbers as a reader sees them, and the model cells that carry them."""

from __future__ import annotations

import math
from collections.abc import Sequence

from concerns.report._model import Cell

DASH = "–"  # a figure built on a hidden count: hidden with it
NOT_AVAILABLE = "n/a"  # no figure: no denominator, no peers, ...
TOO_FEW = "too few cases"


def count(n: int) -> str:
    return f"{n:,}"


def percent(x: float) -> str:
    """A share as a percentage with one decimal: 30.4%."""
    return f"{x * 100:.1f}%"


def rate(x: float) -> str:
    return f"{x:,.1f}" if x >= 10 else f"{x:.2f}"


def ratio(x: float) -> str:
    return f"{x:.2f}"


def change(x: float) -> str:
    """An annual change as a signed percentage: +4.1%, −12.0%."""
    sign = "+" if x > 0 else ("−" if x < 0 else "")
    return f"{sign}{abs(x) * 100:.1f}%"


def decimal(x: float) -> str:
    return f"{x:,.1f}"


def p_value(q: float) -> str:
    return "<0.001" if q < 0.001 else f"{q:.3f}"


def number(x: float | None, kind: str, *, like: float | None = None) -> str:
    """A figure as printed; `like` is the estimate an interval's end belongs to, whose precision it takes
    ("9.17 (7.31 to 11.30)", not "7.31 to 11.3")."""
    if x is None or not math.isfinite(x):
        return NOT_AVAILABLE
    if kind == "rate" and like is not None and math.isfinite(like):
        return f"{x:,.1f}" if like >= 10 else f"{x:,.2f}"
    return {"share": percent, "rate": rate, "ratio": ratio, "count": decimal}[kind](x)


# --- cells ---------------------------------------------------------------------------------


def value_cell(x: float | None, kind: str, *, like: float | None = None) -> Cell:
    """A shown figure, or "n/a" when there is none (not a disclosure matter)."""
    if x is None or not math.isfinite(x):
        return Cell(NOT_AVAILABLE, None)
    return Cell(number(x, kind, like=like), round(float(x), 6))


def range_cell(low: float, high: float, kind: str) -> Cell:
    """A figure known only to lie between two values (a hidden count it rests on): no single value, unless
    both ends read the same, when the published counts pin it down anyway."""
    if number(low, kind) == number(high, kind):
        return value_cell(low, kind)
    return Cell(f"{number(low, kind)} to {number(high, kind)}", None)


def is_range(cell: Cell) -> bool:
    return cell.value is None and not cell.suppressed and " to " in cell.display


def hidden_cell(display: str = DASH) -> Cell:
    """A figure withheld by disclosure control: no value anywhere."""
    return Cell(display, None, True)


def derived_cell(x: float | None, kind: str, *, hidden: bool) -> Cell:
    """A share, rate or ratio: hidden when it is built on a hidden count."""
    return hidden_cell() if hidden else value_cell(x, kind)


def text_cell(text: str) -> Cell:
    return Cell(text, None)


def and_list(items: Sequence[str]) -> str:
    """Words as a reader lists them: "a", "a and b", "a, b and c"."""
    *rest, last = list(items) or [""]
    return f"{', '.join(rest)} and {last}" if rest else last
