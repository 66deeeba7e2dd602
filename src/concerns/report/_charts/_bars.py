"""Horizontal bars, single and grouped. A suppressed value has no bar and no number in the data: a dashed
outline across its row marks it as hidden, with its label ("<5") at the axis and a legend entry. Shares
are drawn on a 0–100% axis."""

from __future__ import annotations

from typing import Any

from concerns.report._charts._theme import (
    CATEGORY_LABEL_PADDING,
    DARK_GREY,
    GREY_4,
    LABEL_LINES_EXPR,
    MID_GREY,
    NHS_BLUE,
    NHS_LIGHT_BLUE,
    TEXT,
    base_spec,
    category_axis_room,
    hidden_legend,
    present,
    text_width,
)

BAR_STEP = 24  # pixels per category
GROUPED_BAR_STEP = 15  # pixels per bar within a category
LABEL_ROOM = 1.18  # the axis runs this far past the longest bar, so its end label fits
# Fill and outline per series: blue for this organisation, then greys that differ in lightness and
# an outlined pale bar, so the series are told apart without colour; legend order = bar order.
SERIES_FILLS = (NHS_BLUE, MID_GREY, GREY_4, NHS_LIGHT_BLUE, DARK_GREY)
SERIES_OUTLINES = (NHS_BLUE, MID_GREY, DARK_GREY, NHS_LIGHT_BLUE, DARK_GREY)
LABEL_X = "isValid(datum.value) ? datum.value : 0"
LABEL_DX = 4
SHARE_TICKS = [0, 0.25, 0.5, 0.75, 1]


def bars(
    categories: list[str],
    values: list[float | None],
    *,
    title: str,
    x_title: str,
    value_labels: list[str] | None = None,
    axis_format: str | None = None,
    subtitle: str | None = None,
    hidden: list[bool] | None = None,
) -> dict[str, Any]:
    """One blue bar per category in the given order, its display label at the bar's end. A None
    value gets no bar and no number in the data; its label (such as "<5") stands at the axis, and
    when it is `hidden` (by default: every None) a dashed outline marks it."""
    labels = _labels(values, value_labels, axis_format)
    flags = _hidden(values, hidden)
    rows = [
        _row(category, order, value, label, flag)
        for order, (category, value, label, flag) in enumerate(
            zip(categories, values, labels, flags, strict=True)
        )
    ]
    spec = base_spec(title, subtitle=subtitle, data=rows, beside=_beside(categories, labels, axis_format))
    spec["height"] = {"step": BAR_STEP}
    y = _category_axis()
    x = _value_axis(x_title, axis_format, values)
    spec["layer"] = [
        *_hidden_marks({"y": y}, rows, band=0.72),
        {
            "transform": [{"filter": "isValid(datum.value)"}],
            "mark": {"type": "bar", "color": NHS_BLUE, "height": {"band": 0.72}},
            "encoding": {"y": y, "x": x},
        },
        _end_labels({"y": y}),
    ]
    return spec


def grouped_bars(
    categories: list[str],
    series: dict[str, list[float | None]],
    *,
    title: str,
    x_title: str,
    value_labels: dict[str, list[str]] | None = None,
    axis_format: str | None = None,
    subtitle: str | None = None,
    hidden: dict[str, list[bool]] | None = None,
) -> dict[str, Any]:
    """Per category, one bar per series (first series in NHS blue, the rest in greys), each with its
    display label; a None value gets no bar, and its label stands at the axis, in a dashed outline
    when it is `hidden` (by default: every None)."""
    names = list(series)
    rows: list[dict[str, Any]] = []
    for series_order, name in enumerate(names):
        labels = _labels(series[name], (value_labels or {}).get(name), axis_format)
        flags = _hidden(series[name], (hidden or {}).get(name))
        rows.extend(
            _row(category, order, value, label, flag) | {"series": name, "series_order": series_order}
            for order, (category, value, label, flag) in enumerate(
                zip(categories, series[name], labels, flags, strict=True)
            )
        )
    all_values = [value for values in series.values() for value in values]
    all_labels = [row["label"] for row in rows]
    spec = base_spec(title, subtitle=subtitle, data=rows, beside=_beside(categories, all_labels, axis_format))
    spec["height"] = {"step": GROUPED_BAR_STEP, "for": "offset"}
    y = _category_axis() | {"scale": {"paddingInner": 0.25}}
    offset = {"field": "series", "type": "nominal", "sort": names}
    spec["layer"] = [
        *_hidden_marks({"y": y, "yOffset": offset}, rows, band=0.85),
        {
            "transform": [{"filter": "isValid(datum.value)"}],
            "mark": {"type": "bar", "strokeWidth": 1, "height": {"band": 0.85}},
            "encoding": {
                "y": y,
                "yOffset": offset,
                "x": _value_axis(x_title, axis_format, all_values),
                "fill": _series_scale(names, SERIES_FILLS),
                "stroke": _series_scale(names, SERIES_OUTLINES),
            },
        },
        _end_labels({"y": y, "yOffset": offset}, font_size=10),
    ]
    return spec


def _beside(categories: list[str], labels: list[str], axis_format: str | None) -> float:
    """The room beside the plot: the category labels, and on a share axis, which ends at 100%, the
    room for the label at the end of a bar that reaches it."""
    room = category_axis_room(categories)
    return room + text_width(labels) + LABEL_DX if _is_share(axis_format) else room


def _is_share(axis_format: str | None) -> bool:
    return axis_format is not None and axis_format.endswith("%")


def _hidden(values: list[float | None], hidden: list[bool] | None) -> list[bool]:
    if hidden is None:
        return [present(value) is None for value in values]
    if len(hidden) != len(values):
        raise ValueError("hidden needs one flag per value")
    return [flag and present(value) is None for flag, value in zip(hidden, values, strict=True)]


def _hidden_marks(
    position: dict[str, Any], rows: list[dict[str, Any]], *, band: float
) -> list[dict[str, Any]]:
    """A dashed outline across the plot where each hidden value would be, and its legend entry."""
    if not any(row.get("hidden") for row in rows):
        return []
    return [
        {
            "transform": [{"filter": "datum.hidden === true"}],
            "mark": {
                "type": "bar",
                "height": {"band": band},
                "fill": "#FFFFFF",
                "fillOpacity": 0,
                "stroke": MID_GREY,
                "strokeWidth": 1,
            },
            "encoding": {
                **position,
                "x": {"value": 0},
                "x2": {"value": "width"},
                "strokeDash": hidden_legend(),
            },
        }
    ]


def _row(category: str, order: int, value: float | None, label: str, hidden: bool = False) -> dict[str, Any]:
    row: dict[str, Any] = {"category": category, "order": order}
    if (number := present(value)) is not None:
        row["value"] = number
    row["label"] = label
    if hidden:
        row["hidden"] = True
    return row


def _labels(values: list[float | None], labels: list[str] | None, axis_format: str | None) -> list[str]:
    if labels is not None:
        if len(labels) != len(values):
            raise ValueError("value_labels needs one label per value")
        return list(labels)
    return [_default_label(value, axis_format) for value in values]


def _default_label(value: float | None, axis_format: str | None) -> str:
    number = present(value)
    if number is None:
        return "–"
    if axis_format is not None and axis_format.endswith("%"):
        return f"{number:.0%}"
    return f"{number:,.0f}" if number == int(number) else f"{number:,.1f}"


def _category_axis() -> dict[str, Any]:
    return {
        "field": "category",
        "type": "nominal",
        "title": None,
        "sort": {"field": "order", "op": "min"},
        "axis": {
            "ticks": False,
            "domain": False,
            "labelPadding": CATEGORY_LABEL_PADDING,
            "labelExpr": LABEL_LINES_EXPR,
        },
    }


def _value_axis(title: str, axis_format: str | None, values: list[float | None]) -> dict[str, Any]:
    """Counts from 0 to past the longest bar, with room for its label; shares from 0% to 100%."""
    axis: dict[str, Any] = {"grid": True, "tickCount": 5}
    if axis_format is not None:
        axis["format"] = axis_format
    if _is_share(axis_format):
        scale = {"domain": [0.0, 1.0], "nice": False}
        axis["values"] = SHARE_TICKS
    else:
        visible = [number for value in values if (number := present(value)) is not None]
        scale = {"domain": [min([0.0, *visible]), max([0.0, *visible]) * LABEL_ROOM or 1.0], "nice": True}
    return {"field": "value", "type": "quantitative", "title": title, "scale": scale, "axis": axis}


def _series_scale(names: list[str], colours: tuple[str, ...]) -> dict[str, Any]:
    palette = [colours[index % len(colours)] for index in range(len(names))]
    return {
        "field": "series",
        "type": "nominal",
        "sort": names,
        "scale": {"domain": names, "range": palette},
        "legend": {"symbolType": "square", "symbolSize": 120, "direction": "vertical", "columns": 1},
    }


def _end_labels(position: dict[str, Any], *, font_size: int = 11) -> dict[str, Any]:
    return {
        "transform": [{"calculate": LABEL_X, "as": "label_x"}],
        "mark": {
            "type": "text",
            "align": "left",
            "baseline": "middle",
            "dx": LABEL_DX,
            "fontSize": font_size,
            "color": TEXT,
        },
        "encoding": {
            **position,
            "x": {"field": "label_x", "type": "quantitative"},
            "text": {"field": "label"},
        },
    }
