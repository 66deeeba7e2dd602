"""Forest plot of relative likelihoods on a log scale, with the band of no material difference."""

from __future__ import annotations

import math
from typing import Any

from concerns.report._charts._theme import (
    CATEGORY_LABEL_PADDING,
    DARK_GREY,
    LABEL_LINES_EXPR,
    MID_GREY,
    NHS_BLUE,
    PALE_GREY,
    SECONDARY_TEXT,
    TEXT,
    WHITE,
    base_spec,
    category_axis_room,
    hidden_legend,
    present,
    text_width,
)

ROW_STEP = 30  # pixels per row
NOTE_GAP = 12  # pixels between the plot and each row's note
ONE_DATUM: dict[str, list[dict[str, Any]]] = {"values": [{}]}  # a layer drawn once, not once per row
TICKS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0, 20.0)  # in pairs around 1
PLOT_WIDTH_GUESS = 170  # pixels: what is left of WIDTH beside long labels and the notes
LABEL_GAP = 20  # pixels between the band's ticks and 1 that keep their labels apart
NOT_SHOWN = "Dashed: not shown (hidden, or too few cases)"


def forest_plot(
    rows: list[tuple[str, float | None, float | None, float | None, str]],
    *,
    title: str,
    band: tuple[float, float] = (0.8, 1.25),
    x_title: str = "Relative likelihood (log scale)",
    band_label: str = "Shaded: no material difference",
    subtitle: str | None = None,
) -> dict[str, Any]:
    """One row per comparison, in the given order: a blue diamond at the ratio and a line across its
    interval, a rule at 1 and the shaded band; each row's note stands in a column to the right. A row
    whose ratio is None (hidden, or too few cases) has a dashed line across the plot instead, and its note."""
    data = [_row(order, *row) for order, row in enumerate(rows)]
    domain = _domain(data, band)
    beside = category_axis_room([row[0] for row in rows]) + NOTE_GAP + text_width([row[4] for row in rows])
    spec = base_spec(title, subtitle=subtitle, data=data, beside=beside)
    spec["height"] = {"step": ROW_STEP}
    y = {
        "field": "label",
        "type": "nominal",
        "title": None,
        "sort": {"field": "order", "op": "min"},
        "axis": {
            "ticks": False,
            "domain": False,
            "labelPadding": CATEGORY_LABEL_PADDING,
            "grid": False,
            "labelExpr": LABEL_LINES_EXPR,
        },
    }
    x = {
        "type": "quantitative",
        "title": x_title,
        "scale": {"type": "log", "domain": list(domain), "nice": False},
        "axis": {"values": _ticks(domain, band), "format": "~g", "grid": False},
    }
    spec["layer"] = [
        _band(x, band, band_label),
        {
            "data": ONE_DATUM,
            "mark": {"type": "rule", "color": DARK_GREY, "strokeWidth": 1},
            "encoding": {"x": {**x, "datum": 1}},
        },
        *_not_shown(y, data),
        _intervals(x, y),
        _points(x, y),
        _notes(y),
    ]
    return spec


def _not_shown(y: dict[str, Any], data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if all("ratio" in row for row in data):
        return []
    return [
        {
            "transform": [{"filter": "!isValid(datum.ratio)"}],
            "mark": {"type": "rule", "color": MID_GREY, "strokeWidth": 1},
            "encoding": {
                "y": y,
                "x": {"value": 0},
                "x2": {"value": "width"},
                "strokeDash": hidden_legend(NOT_SHOWN, orient="top"),
            },
        }
    ]


def _row(
    order: int, label: str, ratio: float | None, low: float | None, high: float | None, note: str
) -> dict[str, Any]:
    row: dict[str, Any] = {"label": label, "order": order}
    drawable = {"ratio": present(ratio), "low": present(low), "high": present(high)}
    if drawable["ratio"] is not None and drawable["ratio"] > 0:
        row.update({key: value for key, value in drawable.items() if value is not None and value > 0})
    row["note"] = note
    return row


def _domain(data: list[dict[str, Any]], band: tuple[float, float]) -> tuple[float, float]:
    """A symmetric log range around 1 that holds the band and every interval, with a margin."""
    values = [row[key] for row in data for key in ("ratio", "low", "high") if key in row] + list(band)
    widest = max(abs(math.log(value)) for value in values) * 1.1
    return (round(math.exp(-widest), 4), round(math.exp(widest), 4))


def _ticks(domain: tuple[float, float], band: tuple[float, float]) -> list[float]:
    """Ticks in pairs around 1, with the band's ends labelled when the scale leaves them room."""
    low, high = domain
    ticks = {tick for tick in TICKS if low <= tick <= high}
    band_gap = PLOT_WIDTH_GUESS * math.log(band[1] / band[0]) / 2 / math.log(high / low)
    if band_gap >= LABEL_GAP:
        ticks |= {bound for bound in band if low <= bound <= high}
    return sorted(ticks)


def _band(x: dict[str, Any], band: tuple[float, float], label: str) -> dict[str, Any]:
    return {
        "data": ONE_DATUM,
        "mark": {"type": "rect", "color": PALE_GREY},
        "encoding": {
            "x": {**x, "datum": band[0]},
            "x2": {"datum": band[1]},
            "fill": {
                "datum": label,
                "scale": {"range": [PALE_GREY]},
                "legend": {"symbolType": "square", "orient": "bottom"},
            },
        },
    }


def _intervals(x: dict[str, Any], y: dict[str, Any]) -> dict[str, Any]:
    return {
        "transform": [{"filter": "isValid(datum.low) && isValid(datum.high)"}],
        "mark": {"type": "rule", "color": NHS_BLUE, "strokeWidth": 2},
        "encoding": {"y": y, "x": {**x, "field": "low"}, "x2": {"field": "high"}},
    }


def _points(x: dict[str, Any], y: dict[str, Any]) -> dict[str, Any]:
    return {
        "transform": [{"filter": "isValid(datum.ratio)"}],
        "mark": {
            "type": "point",
            "shape": "diamond",
            "filled": True,
            "size": 110,
            "color": NHS_BLUE,
            "stroke": WHITE,
            "strokeWidth": 1,
            "opacity": 1,
        },
        "encoding": {"y": y, "x": {**x, "field": "ratio"}},
    }


def _notes(y: dict[str, Any]) -> dict[str, Any]:
    colour = {"condition": {"test": "isValid(datum.ratio)", "value": TEXT}, "value": SECONDARY_TEXT}
    return {
        # No length limit: a limited text is measured again for truncation, and notes are short.
        "mark": {"type": "text", "align": "left", "baseline": "middle", "x": {"expr": f"width + {NOTE_GAP}"}},
        "encoding": {"y": y, "text": {"field": "note"}, "color": colour},
    }
