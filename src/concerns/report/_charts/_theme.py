"""The NHS look shared by every chart: palette, font, sizes, and the spec skeleton."""

from __future__ import annotations

import json
import math
import textwrap
from typing import Any

SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v6.json"

# Liberation Sans has Arial's metrics (Arial is the NHS fallback for Frutiger) and is built into
# vl-convert, so labels are measured the same on every machine, and faster than with a system font.
# Browsers draw Arial or Liberation Sans with the same widths; Typst needs the font files (Debian
# fonts-liberation) and falls back to DejaVu Sans. Never a bare generic family: Typst draws that serif.
FONT_FAMILY = "'Liberation Sans', Arial, 'DejaVu Sans', sans-serif"

# Total width in pixels, axes and legends included: fits A4 text width and scales down in HTML.
WIDTH = 500

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_LIGHT_BLUE = "#41B6E6"
TEXT = "#212B32"
SECONDARY_TEXT = "#4C6272"
DARK_GREY = "#425563"
MID_GREY = "#768692"
GREY_3 = "#AEB7BD"
GREY_4 = "#D8DDE0"
GREY_5 = "#F0F4F5"
PALE_GREY = "#E8EDEE"
WHITE = "#FFFFFF"

TITLE_CHARACTERS_PER_LINE = 60
PADDING = 8
MIN_PLOT = 160  # pixels: the plot never narrower than this, however long the labels
LABEL_SIZE = 11  # pixels: axis labels and text marks
# Liberation Sans advance widths in ems, by kind of character (Arial's metrics): enough to size a plot
# to within a few pixels without measuring.
_EMS = {"digit": 0.556, "upper": 0.667, "lower": 0.5, "narrow": 0.278}
_NARROW = set(" .,:;'!|()[]ijlft-")
# vl-convert measures each text by laying it out as glyph outlines (~0.1 ms a character), and a label
# with a length limit is measured again to test for truncation, both for its bounds and when drawn.
# Labels here are short and known in advance, so none has a limit: that alone halves a chart's cost.
NO_LIMIT = 0


def config() -> dict[str, Any]:
    """Vega-Lite config: fonts named explicitly, NHS greys, no per-mark ARIA (the SVG is one image)."""
    return {
        "font": FONT_FAMILY,
        "background": WHITE,
        "padding": PADDING,
        "aria": False,
        "view": {"stroke": None},
        "title": {
            "font": FONT_FAMILY,
            "fontSize": 14,
            "fontWeight": "bold",
            "color": TEXT,
            "anchor": "start",
            "offset": 10,
            "subtitleFont": FONT_FAMILY,
            "subtitleFontSize": 11,
            "subtitleColor": SECONDARY_TEXT,
        },
        "axis": {
            "labelFont": FONT_FAMILY,
            "titleFont": FONT_FAMILY,
            "labelFontSize": 11,
            "titleFontSize": 11,
            "titleFontWeight": "normal",
            "labelColor": SECONDARY_TEXT,
            "titleColor": TEXT,
            "gridColor": PALE_GREY,
            "domainColor": MID_GREY,
            "tickColor": MID_GREY,
            "labelLimit": NO_LIMIT,
        },
        "legend": {
            "labelFont": FONT_FAMILY,
            "titleFont": FONT_FAMILY,
            "labelFontSize": 11,
            "labelColor": TEXT,
            "orient": "top",
            "direction": "horizontal",
            "title": None,
            "symbolStrokeWidth": 2,
            "labelLimit": NO_LIMIT,
            "columnPadding": 14,
        },
        "text": {"font": FONT_FAMILY, "fontSize": 11, "color": TEXT},
    }


def base_spec(
    title: str, *, subtitle: str | None = None, data: list[dict[str, Any]], beside: float = 0.0
) -> dict[str, Any]:
    """The skeleton every chart shares: schema, wrapped title, inline data, config, and a plot as
    wide as WIDTH less `beside` (the pixels its axes and side texts take, from `text_width`).

    The plot width is set here rather than by Vega's `fit-x`, which lays the chart out twice and so
    measures every label twice: a quarter of a chart's cost. The total width is WIDTH give or take
    the estimate's error, a few pixels."""
    heading: dict[str, Any] = {"text": wrap(title)}
    if subtitle:
        heading["subtitle"] = wrap(subtitle, TITLE_CHARACTERS_PER_LINE + 12)
    return {
        "$schema": SCHEMA_URL,
        "title": heading,
        "width": round(max(MIN_PLOT, WIDTH - 2 * PADDING - beside)),
        "autosize": {"type": "pad"},
        "data": {"values": data},
        "config": config(),
    }


def wrap(text: str, width: int = TITLE_CHARACTERS_PER_LINE) -> str | list[str]:
    """A title as one line, or as several lines (Vega draws a list as lines) when it is long."""
    lines = textwrap.wrap(text, width) or [""]
    return lines[0] if len(lines) == 1 else lines


def present(value: float | None) -> float | None:
    """The value if it can be drawn; None for a suppressed, missing or non-finite value."""
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def js_string(text: str) -> str:
    """A string literal for a Vega expression (JSON's escaping is valid there)."""
    return json.dumps(text)


def text_width(texts: list[str], size: float = LABEL_SIZE) -> float:
    """The estimated width in pixels of the longest of `texts` in the chart font at `size`."""
    return max((sum(_character_em(c) for c in text) * size for text in texts), default=0.0)


def _character_em(character: str) -> float:
    if character in _NARROW:
        return _EMS["narrow"]
    if character.isdigit():
        return _EMS["digit"]
    return _EMS["upper"] if character.isupper() else _EMS["lower"]


# A hidden value is drawn as hidden, never as a missing bar or a point on zero: a dashed grey outline
# where it would be, its display ("<5", "*") beside it, and a legend entry that says what the dashes mean.
HIDDEN_LABEL = "Dashed: hidden to protect small numbers"
HIDDEN_DASH = [3, 3]


def hidden_legend(label: str = HIDDEN_LABEL, orient: str = "bottom") -> dict[str, Any]:
    """A strokeDash channel that adds one legend entry for the hidden-value markers of a layer."""
    return {
        "datum": label,
        "type": "nominal",
        "scale": {"domain": [label], "range": [HIDDEN_DASH]},
        "legend": {
            "symbolType": "square",
            "symbolSize": 120,
            "symbolFillColor": WHITE,
            "symbolStrokeWidth": 1,
            "orient": orient,
            # Vega gives a dash legend's symbols no stroke colour of their own: without one they are invisible.
            "encode": {"symbols": {"update": {"stroke": {"value": MID_GREY}}}},
        },
    }


# What a quantitative y axis with a title takes beside the plot: its tick labels (a few digits),
# ticks, paddings and the rotated title; and a little on the right for the last x label's overhang.
NUMBER_AXIS_ROOM = 50.0


def category_axis_room(labels: list[str]) -> float:
    """What a category axis without ticks or title takes beside the plot: its longest label line and
    padding."""
    return text_width([line for label in labels for line in label_lines(label)]) + CATEGORY_LABEL_PADDING


def label_lines(label: str) -> list[str]:
    """A long category label as the lines LABEL_LINES_EXPR draws: "A compared with B" as "A" and
    "compared with B"; "A · B" as "A" and "B". Labels are never cut short."""
    at = label.find(COMPARED)
    if at > 0:
        return [label[:at], label[at + 1 :]]
    return label.split(SEPARATOR)


CATEGORY_LABEL_PADDING = 6
COMPARED = " compared with "
SEPARATOR = " · "
_AT = f"indexof(datum.value, '{COMPARED}')"
# The same split as label_lines, as a Vega expression (a list of strings is drawn as lines).
LABEL_LINES_EXPR = (
    f"{_AT} > 0 ? [slice(datum.value, 0, {_AT}), slice(datum.value, {_AT} + 1)] "
    f": split(datum.value, '{SEPARATOR}')"
)
