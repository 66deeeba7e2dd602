"""Charts, drawn from the model's own tables: a chart holds nothing its table does not publish.

Each chart takes its numbers from the published cells of a table (a hidden
cell's value is None, so it is never drawn) and its text alternative from
the same cells' display strings; a hidden cell is marked as hidden. A chart
with nothing to show (every figure hidden or zero) is a sentence instead.
The funnel plot draws no other organisation: only how many lie outside its
limits is said, in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from concerns.report._build import _format as f
from concerns.report._build._places import beyond
from concerns.report._build._tables import collapsed_row, every_count_hidden
from concerns.report._charts import bars, cases_over_time, forest_plot, funnel_plot, grouped_bars, make_chart
from concerns.report._model import Cell, Chart, Paragraph, Table

if TYPE_CHECKING:
    from concerns.analytics import Funnel

PERCENT = ".0%"


def _column(
    table: Table, key: str, rows: Sequence[str], *, floor: str | None = None
) -> tuple[list[float | None], list[str]]:
    """A column's shown values and display labels. A figure given as a range is drawn to its `floor`
    column's value (its lower end), labelled with the range."""
    values, labels = [], []
    for row in rows:
        cell = table.cell(row, key)
        value = None if cell.suppressed else cell.value
        if floor is not None and f.is_range(cell):
            value = table.cell(row, floor).value
        values.append(value)
        labels.append(cell.display)
    return values, labels


def _hidden(table: Table, key: str, rows: Sequence[str]) -> list[bool]:
    return [table.cell(row, key).suppressed for row in rows]


def _drawable(values: Sequence[float | None]) -> bool:
    """Whether a series has something to draw: a shown figure above zero."""
    return any(value is not None and value > 0 for value in values)


def not_drawn(what: str, table: Table, cells: Sequence[Cell]) -> Paragraph | None:
    """The sentence that stands for a chart with nothing to show, and why; None when its table is not
    printed either (the table's own sentence says why)."""
    if every_count_hidden(table):
        return None
    hidden = sum(cell.suppressed for cell in cells)
    zero = sum(not cell.suppressed and cell.value == 0 for cell in cells)
    if hidden == len(cells):
        why = "every figure is hidden to protect small numbers"
    elif hidden and hidden + zero == len(cells):
        verb = "is" if hidden == 1 else "are"
        why = f"{hidden} of its {len(cells)} figures {verb} hidden to protect small numbers and the others are zero"
    elif zero == len(cells):
        why = "every figure is zero"
    else:
        why = "no figure can be shown"
    return Paragraph(f"No chart of {what} is drawn: {why}. The figures are in the table “{table.title}”.")


def _rows(table: Table, *, skip: Sequence[str] = ("total", "all_cases", "not_stated")) -> list[str]:
    return [row.key for row in table.rows if row.key not in skip]


def _label(table: Table, key: str) -> str:
    return next(row.label for row in table.rows if row.key == key)


def _pairs(labels: Sequence[str], displays: Sequence[str]) -> str:
    return "; ".join(f"{label} {display}" for label, display in zip(labels, displays, strict=True))


def cases_over_time_chart(table: Table, *, count_key: str, whose: str) -> Chart | Paragraph | None:
    years = _rows(table)
    values, displays = _column(table, count_key, years)
    if not _drawable(values):
        return not_drawn("cases by financial year", table, [table.cell(year, count_key) for year in years])
    title = "Cases by financial year"
    nothing: list[float | None] = [None] * len(years)
    hidden = [
        display if flag else None
        for display, flag in zip(displays, _hidden(table, count_key, years), strict=True)
    ]
    spec = cases_over_time(
        years,
        values,
        nothing,
        nothing,
        nothing,
        title=title,
        y_title="Cases",
        organisation_label=whose,
        hidden=hidden,
    )
    alt = f"Line chart of cases by financial year. {whose}: {_pairs(years, displays)}."
    return make_chart("cases_over_time", title, alt, spec, table.id, draw=False)


def funnel_chart(
    *,
    highlight: tuple[float, float] | None,
    curves: dict[str, list[tuple[float, float, float]]],
    target: float,
    position_table: Table,
    kind_label: str,
) -> Chart | Paragraph:
    rate_cell = position_table.cell("this_organisation", "rate")
    if highlight is None:
        why = "hidden to protect small numbers" if rate_cell.suppressed else "not known"
        return Paragraph(f"No funnel plot is drawn: this organisation's rate is {why}.")
    levels = " and ".join(curves)
    # What the chart draws, and only that: the one organisation, the average and the limits.
    title = (
        f"This organisation's cases per 1,000 practitioners a year, with the average and the {levels} "
        f"control limits of all {kind_label}"
    )
    spec = funnel_plot(
        highlight,
        curves,
        target,
        title=title,
        x_title="Practitioner-years (headcount summed over the years)",
        y_title="Cases per 1,000 practitioners a year",
    )
    rate = rate_cell.display
    position = position_table.cell("this_organisation", "position").display
    average = position_table.cell("average", "rate").display
    alt = (
        f"Funnel plot of the rate of cases against the number of practitioner-years, with the average "
        f"and the control limits for {kind_label}; the limits narrow as organisations get larger. "
        f"This organisation: {rate}{'' if highlight else ' (not drawn)'}; {position}. "
        f"Average of all organisations: {average}. Other organisations are not drawn."
    )
    return make_chart("funnel", title, alt, spec, position_table.id, draw=False)


def funnel_curves(funnel: Funnel, precisions: Sequence[float]) -> dict[str, list[tuple[float, float, float]]]:
    """The 95% and 99.8% lines along the range of precisions, on a log grid."""
    low, high = min(precisions), max(precisions)
    steps = 40
    grid = [low * (high / low) ** (i / (steps - 1)) for i in range(steps)] if high > low else [low]
    curves = {}
    for level in funnel.levels:
        name = f"{level:.1%}".replace(".0%", "%")
        curves[name] = [
            (x, limit.low, limit.high) for x, limit in zip(grid, funnel.curve(level, grid), strict=True)
        ]
    return curves


def funnel_range(funnel: Funnel) -> list[float]:
    """The smallest and largest practitioner-years of the type: where the limits are drawn. Headcounts
    are public, so their range reveals no case counts."""
    precisions = [unit.precision for unit in funnel.units if unit.precision]
    return [min(precisions), max(precisions)] if precisions else []


def funnel_spread(funnel: Funnel, own_label: str | None, kind_label: str, stated: Mapping[str, str]) -> str:
    """How many other organisations lie outside each level's limits, in words: counts of organisations
    whose own reports state their position (`_places.stated_positions`), never of cases, and no point a
    reader could match to an organisation."""
    others = [
        position
        for unit in funnel.units
        if unit.label != own_label and (position := stated.get(unit.label)) is not None
    ]
    if not others:
        return f"No other {kind_label} has a position on the funnel to compare with."
    levels = sorted(funnel.levels, reverse=True)
    parts = []
    for level in levels:
        above, below = (beyond(others, side, level, levels) for side in ("above", "below"))
        name = f"{level * 100:g}%"
        parts.append(
            f"none is outside the {name} limits"
            if not above + below
            else f"{above} {'is' if above == 1 else 'are'} above and {below} below the {name} limits"
        )
    return (
        f"Of the {len(others)} other {kind_label} placed on the funnel (those expected to have at least one "
        f"case, whose reports show their rate), {'; '.join(parts)} (counting those outside the wider limits "
        "among those outside the narrower ones). They are not drawn one by one: with public headcounts each "
        "point would give away an organisation's number of cases."
    )


def share_bars(
    table: Table, series: dict[str, str], *, chart_id: str, title: str, floors: dict[str, str] | None = None
) -> Chart | Paragraph | None:
    """Grouped bars of share columns (series name → column key), from a table's rows; a series'
    ranges are drawn to the value of its column in `floors`. A sentence when the first series (this
    organisation's) has nothing to show."""
    rows = _rows(table)
    categories = [_label(table, row) for row in rows]
    values, labels, hidden = {}, {}, {}
    for name, key in series.items():
        values[name], labels[name] = _column(table, key, rows, floor=(floors or {}).get(name))
        hidden[name] = _hidden(table, key, rows)
    first = next(iter(series))
    if collapsed_row(table) is not None:
        return None  # one row of everyone recorded: the table's sentence says it all
    if not _drawable(values[first]):
        return not_drawn(title.lower(), table, [table.cell(row, series[first]) for row in rows])
    spec = grouped_bars(
        categories,
        values,
        title=title,
        x_title="Share of cases",
        value_labels=labels,
        axis_format=PERCENT,
        hidden=hidden,
    )
    parts = [f"{name}: {_pairs(categories, labels[name])}" for name in series]
    alt = f"Bar chart, {title.lower()}. " + ". ".join(parts) + "."
    return make_chart(chart_id, title, alt, spec, table.id, draw=False)


def count_bars(
    table: Table, key: str, *, chart_id: str, title: str, x_title: str = "Cases", share: bool = False
) -> Chart | Paragraph | None:
    """Bars of one column, leaving out rows shown as zero (a zero is published anyway); a sentence
    when no bar would be drawn."""
    rows = [row for row in _rows(table) if table.cell(row, "cases").display != "0"]
    values, labels = _column(table, key, rows)
    if not _drawable(values):
        return not_drawn(title.lower(), table, [table.cell(row, key) for row in _rows(table)])
    categories = [_label(table, row) for row in rows]
    spec = bars(
        categories,
        values,
        title=title,
        x_title=x_title,
        value_labels=labels,
        axis_format=PERCENT if share else None,
        hidden=_hidden(table, key, rows),
    )
    alt = f"Bar chart, {title.lower()}: {_pairs(categories, labels)}."
    if len(rows) < len(_rows(table)):
        alt += " Groups with no cases are left out."
    return make_chart(chart_id, title, alt, spec, table.id, draw=False)


def forest_chart(table: Table) -> Chart | Paragraph:
    rows = []
    for row in table.rows:
        ratio, low, high = (table.cell(row.key, key) for key in ("ratio", "ci_low", "ci_high"))
        drawn = (
            not ratio.suppressed
            and ratio.value is not None
            and low.value is not None
            and high.value is not None
        )
        note = (
            f"{ratio.display} ({low.display}–{high.display})"
            if drawn
            else f"hidden ({ratio.display})"
            if ratio.suppressed and ratio.display != f.TOO_FEW
            else ratio.display
        )
        rows.append(
            (
                row.label,
                ratio.value if drawn else None,
                low.value if drawn else None,
                high.value if drawn else None,
                note,
            )
        )
    if not any(ratio is not None for _, ratio, *_ in rows):
        return Paragraph(
            "No chart of relative likelihoods is drawn: no comparison has one that can be shown "
            f"(too few cases, or hidden). The figures are in the table “{table.title}”."
        )
    title = "Relative likelihood of being the subject of a case"
    spec = forest_plot(rows, title=title)
    alt = (
        "Forest plot of relative likelihoods on a log scale with the band 0.80 to 1.25 shaded: "
        + "; ".join(f"{label} {note}" for label, *_, note in rows)
        + "."
    )
    return make_chart("relative_likelihood_chart", title, alt, spec, table.id, draw=False)


def cluster_bars(table: Table) -> Chart | Paragraph | None:
    rows = [row.key for row in table.rows]
    if not rows:
        return None
    categories = [_label(table, row) for row in rows]
    observed, observed_text = _column(table, "observed", rows)
    expected, expected_text = _column(table, "expected", rows)
    title = "Practitioners with cases, and the number expected, in the staff groups that stand out"
    if not _drawable(observed):
        return not_drawn(title.lower(), table, [table.cell(row, "observed") for row in rows])
    spec = grouped_bars(
        categories,
        {"Practitioners": observed, "Expected": expected},
        title=title,
        x_title="Practitioners with cases",
        value_labels={"Practitioners": observed_text, "Expected": expected_text},
        hidden={
            "Practitioners": _hidden(table, "observed", rows),
            "Expected": _hidden(table, "expected", rows),
        },
    )
    alt = (
        f"Bar chart, {title.lower()}: "
        + "; ".join(
            f"{c} {o} against {e} expected"
            for c, o, e in zip(categories, observed_text, expected_text, strict=True)
        )
        + "."
    )
    return make_chart("clusters_chart", title, alt, spec, table.id, draw=False)
