"""Cases over time: this organisation against the median and middle half of its peers. A hidden year is
drawn as hidden: a dashed line across the plot at that year with its label ("<5"), never a point or a gap
that reads as zero."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from concerns.report._charts._theme import (
    DARK_GREY,
    GREY_4,
    MID_GREY,
    NHS_BLUE,
    NUMBER_AXIS_ROOM,
    SECONDARY_TEXT,
    WHITE,
    base_spec,
    hidden_legend,
    js_string,
    present,
)

HEIGHT = 220
SERIES = ("organisation", "peer_median")


def cases_over_time(
    years: list[str],
    organisation: list[float | None],
    peer_median: list[float | None],
    peer_q1: list[float | None],
    peer_q3: list[float | None],
    *,
    title: str,
    y_title: str,
    organisation_label: str = "This organisation",
    peer_label: str = "Similar sized organisations",
    subtitle: str | None = None,
    hidden: list[str | None] | None = None,
) -> dict[str, Any]:
    """A solid blue line with round points for the organisation, a dashed grey line with square
    points for the peer median, a grey band from the peer lower to upper quartile, and one legend.
    A missing or suppressed value is absent from the data and leaves a gap in its line or band.
    With no peer values at all, only the organisation's line is drawn, and the legend names only it;
    `hidden` gives the display ("<5") of each year whose organisation value is hidden (else None),
    marked as hidden."""
    _same_length(years, organisation, peer_median, peer_q1, peer_q3, hidden or [None] * len(years))
    if all(value is None for value in (*peer_median, *peer_q1, *peer_q3)):
        return _organisation_only(years, organisation, title, y_title, organisation_label, subtitle, hidden)
    labels = [organisation_label, f"{peer_label}: median", f"{peer_label}: middle half"]
    rows = [
        _year_row(year, organisation=org, peer_median=median, peer_q1=q1, peer_q3=q3)
        for year, org, median, q1, q3 in zip(years, organisation, peer_median, peer_q1, peer_q3, strict=True)
    ]
    x = {"field": "year", "type": "ordinal", "sort": list(years), "title": None, "axis": {"labelAngle": 0}}
    y = {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": True}}
    series = _series(labels)
    spec = base_spec(title, subtitle=subtitle, data=rows, beside=NUMBER_AXIS_ROOM)
    spec["height"] = HEIGHT
    spec["layer"] = [
        _band(x, labels[2]),
        _lines(x, y, labels),
        _points(series, x, y, "organisation", "circle", NHS_BLUE),
        _points(series, x, y, "peer_median", "square", DARK_GREY),
    ]
    return spec


def _organisation_only(
    years: list[str],
    organisation: list[float | None],
    title: str,
    y_title: str,
    label: str,
    subtitle: str | None,
    hidden: list[str | None] | None,
) -> dict[str, Any]:
    marks = hidden or [None] * len(years)
    rows = [
        _year_row(year, value=value)
        | ({"hidden": mark} if mark is not None and present(value) is None else {})
        for year, value, mark in zip(years, organisation, marks, strict=True)
    ]
    x = {"field": "year", "type": "ordinal", "sort": list(years), "title": None, "axis": {"labelAngle": 0}}
    y = {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": True}}
    spec = base_spec(title, subtitle=subtitle, data=rows, beside=NUMBER_AXIS_ROOM)
    spec["height"] = HEIGHT
    colour = {
        "datum": label,
        "type": "nominal",
        "scale": {"domain": [label], "range": [NHS_BLUE]},
        "legend": {"symbolType": "stroke", "symbolSize": 500, "labelOffset": 12, "columns": 1},
    }
    spec["layer"] = [
        {
            "mark": {"type": "line", "strokeWidth": 2.5, "invalid": "break-paths-show-domains"},
            "encoding": {"x": x, "y": y, "color": colour},
        },
        {
            "transform": [{"filter": "isValid(datum.value)"}],
            "mark": {
                "type": "point",
                "shape": "circle",
                "filled": True,
                "size": 55,
                "color": NHS_BLUE,
                "stroke": WHITE,
                "strokeWidth": 1,
                "opacity": 1,
            },
            "encoding": {"x": x, "y": y},
        },
        *_hidden_years(x, rows),
    ]
    return spec


def _hidden_years(x: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A dashed line across the plot at each hidden year, labelled with its display, and a legend entry."""
    if not any("hidden" in row for row in rows):
        return []
    where = [{"filter": "isValid(datum.hidden)"}]
    return [
        {
            "transform": where,
            "mark": {"type": "rule", "color": MID_GREY, "strokeWidth": 1},
            "encoding": {"x": x, "strokeDash": hidden_legend()},
        },
        {
            "transform": where,
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "top",
                "dx": 4,
                "y": 2,
                "color": SECONDARY_TEXT,
            },
            "encoding": {"x": x, "text": {"field": "hidden"}},
        },
    ]


def _year_row(year: str, **values: float | None) -> dict[str, Any]:
    row: dict[str, Any] = {"year": year}
    row.update({key: number for key, value in values.items() if (number := present(value)) is not None})
    return row


def _series(labels: list[str]) -> list[dict[str, Any]]:
    """The two lines as long rows (series, value, label), from the one-row-per-year data."""
    label_of = f"datum.series === 'organisation' ? {js_string(labels[0])} : {js_string(labels[1])}"
    return [{"fold": list(SERIES), "as": ["series", "value"]}, {"calculate": label_of, "as": "label"}]


def _legend(labels: list[str]) -> dict[str, Any]:
    """One legend for all three: line samples, dashed as drawn, and a thick pale stroke for the band."""
    band = f"datum.value === {js_string(labels[2])} ? 10 : 2.5"
    return {
        "symbolType": "stroke",
        "symbolSize": 500,
        "labelOffset": 12,
        "columns": 1,
        "encode": {"symbols": {"update": {"strokeWidth": {"signal": band}}}},
    }


def _band(x: dict[str, Any], label: str) -> dict[str, Any]:
    return {
        "mark": {"type": "area", "opacity": 0.9, "invalid": "break-paths-show-domains"},
        "encoding": {
            "x": x,
            "y": {"field": "peer_q1", "type": "quantitative"},
            "y2": {"field": "peer_q3"},
            "color": {"datum": label, "type": "nominal"},
        },
    }


def _lines(x: dict[str, Any], y: dict[str, Any], labels: list[str]) -> dict[str, Any]:
    legend = _legend(labels)
    return {
        "transform": _series(labels),
        "mark": {"type": "line", "strokeWidth": 2.5, "invalid": "break-paths-show-domains"},
        "encoding": {
            "x": x,
            "y": y,
            "color": {
                "field": "label",
                "type": "nominal",
                "legend": legend,
                "scale": {"domain": labels, "range": [NHS_BLUE, DARK_GREY, GREY_4]},
            },
            "strokeDash": {
                "field": "label",
                "type": "nominal",
                "legend": legend,
                "scale": {"domain": labels, "range": [[1, 0], [6, 4], [1, 0]]},
            },
        },
    }


def _points(
    series: list[dict[str, Any]], x: dict[str, Any], y: dict[str, Any], name: str, shape: str, colour: str
) -> dict[str, Any]:
    """One series' points, with a fixed shape (a shape channel would add shapes to the legend)."""
    return {
        "transform": [*series, {"filter": f"datum.series === '{name}' && isValid(datum.value)"}],
        "mark": {
            "type": "point",
            "shape": shape,
            "filled": True,
            "size": 55,
            "color": colour,
            "stroke": WHITE,
            "strokeWidth": 1,
            "opacity": 1,
        },
        "encoding": {"x": x, "y": y},
    }


def _same_length(years: list[str], *series: Sequence[object]) -> None:
    if any(len(values) != len(years) for values in series):
        raise ValueError("every series needs one value (or None) per year")
