"""Funnel plot: where this organisation sits among all organisations of its type."""

from __future__ import annotations

import json
from typing import Any

from concerns.report._charts._theme import (
    DARK_GREY,
    MID_GREY,
    NHS_BLUE,
    NUMBER_AXIS_ROOM,
    WHITE,
    base_spec,
    present,
)

HEIGHT = 280
# Line styles by role, so the lines differ without colour: solid target, dashed 95%, dash-dot 99.8%.
DASHES = ([1, 0], [6, 3], [10, 3, 2, 3], [2, 2])


def funnel_plot(
    highlight: tuple[float, float] | None,
    limits: dict[str, list[tuple[float, float, float]]],
    target: float,
    *,
    title: str,
    x_title: str,
    y_title: str,
    highlight_label: str = "This organisation",
    target_label: str = "Average of all organisations",
    subtitle: str | None = None,
) -> dict[str, Any]:
    """This organisation is a large blue diamond, named by the legend; control limits are lines, dashed by
    level; the target is a solid line. Other organisations are not drawn: workforce sizes are
    public, so a point's size would name its organisation and its rate × size would give that
    organisation's count of cases (docs/disclosure.md). How many of them lie outside the limits is
    said in words beside the chart instead."""
    line_labels = [target_label, *(f"{level} limits" for level in limits)]
    rows = [
        *_highlight_rows(highlight, highlight_label),
        *_limit_rows(limits),
        {"kind": "target", "label": target_label, "value": float(target)},
    ]
    spec = base_spec(title, subtitle=subtitle, data=rows, beside=NUMBER_AXIS_ROOM)
    spec["height"] = HEIGHT
    point_labels = [highlight_label] if any(row["kind"] == "highlight" for row in rows) else []
    styles = _styles(highlight_label, point_labels, line_labels)
    spec["layer"] = [
        _lines(styles, x_title, y_title),
        _target(styles),
        _points(
            styles,
            "highlight",
            highlight_label,
            {"shape": "diamond", "size": 150, "stroke": WHITE, "strokeWidth": 1.5},
        ),
    ]
    return spec


def _highlight_rows(highlight: tuple[float, float] | None, label: str) -> list[dict[str, Any]]:
    if highlight is None:
        return []
    x, y = present(highlight[0]), present(highlight[1])
    if x is None or y is None:
        return []
    return [{"kind": "highlight", "label": label, "precision": x, "value": y}]


def _limit_rows(limits: dict[str, list[tuple[float, float, float]]]) -> list[dict[str, Any]]:
    rows = []
    for level, line in limits.items():
        for precision, low, high in sorted(line):
            if (x := present(precision)) is None:
                continue
            bounds = {
                key: number
                for key, value in (("low", low), ("high", high))
                if (number := present(value)) is not None
            }
            rows.append({"kind": "limit", "label": f"{level} limits", "precision": x, **bounds})
    return rows


def _styles(highlight_label: str, point_labels: list[str], line_labels: list[str]) -> dict[str, Any]:
    """Colour and dash channels shared by every layer, so one legend explains the point and the lines;
    a point that is not drawn (no highlight) is not in the legend."""
    domain = [*point_labels, *line_labels]
    is_point = f"indexof({json.dumps(point_labels)}, datum.value) >= 0"
    legend = {
        "symbolType": "stroke",
        "symbolSize": 400,
        "labelOffset": 10,
        "columns": 2,
        "encode": {
            "symbols": {
                "update": {
                    "shape": {"signal": f"{is_point} ? 'diamond' : 'stroke'"},
                    "size": {"signal": f"{is_point} ? 90 : 400"},
                    "strokeWidth": {"signal": f"{is_point} ? 0 : 1.5"},
                }
            }
        },
    }
    point_colours = [NHS_BLUE] * len(point_labels)
    dashes = [*[[1, 0]] * len(point_labels), *DASHES[: len(line_labels)]]
    colours = [*point_colours, DARK_GREY, *[MID_GREY] * (len(line_labels) - 1)]
    return {
        "color": {
            "field": "label",
            "type": "nominal",
            "scale": {"domain": domain, "range": colours},
            "legend": legend,
        },
        "strokeDash": {
            "field": "label",
            "type": "nominal",
            "scale": {"domain": domain, "range": dashes},
            "legend": legend,
        },
    }


def _lines(styles: dict[str, Any], x_title: str, y_title: str) -> dict[str, Any]:
    return {
        "transform": [
            {"filter": "datum.kind === 'limit'"},
            {"fold": ["low", "high"], "as": ["bound", "value"]},
        ],
        "mark": {"type": "line", "strokeWidth": 1.5, "clip": True},
        "encoding": {
            "x": {"field": "precision", "type": "quantitative", "title": x_title, "scale": {"zero": True}},
            "y": {"field": "value", "type": "quantitative", "title": y_title},
            "detail": {"field": "bound"},
            "order": {"field": "precision"},
            **styles,
        },
    }


def _target(styles: dict[str, Any]) -> dict[str, Any]:
    return {
        "transform": [{"filter": "datum.kind === 'target'"}],
        "mark": {"type": "rule", "strokeWidth": 1.5},
        "encoding": {"y": {"field": "value", "type": "quantitative"}, **styles},
    }


def _points(styles: dict[str, Any], kind: str, label: str, mark: dict[str, Any]) -> dict[str, Any]:
    return {
        "transform": [{"filter": f"datum.kind === '{kind}'"}],
        "mark": {"type": "point", "filled": True, "opacity": 1, **mark},
        "encoding": {
            "x": {"field": "precision", "type": "quantitative"},
            "y": {"field": "value", "type": "quantitative"},
            "color": {**styles["color"], "field": None, "datum": label},
        },
    }
