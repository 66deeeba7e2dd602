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


def config() -> dict[str, Any]:
    """Vega-Lite config: fonts named explicitly, NHS greys, no per-mark ARIA (the SVG is one image)."""
    return {
        "font": FONT_FAMILY,
        "background": WHITE,
        "padding": 8,
        "aria": False,
        "view": {"stroke": None},
        "title": {
            "font": FONT_FAMILY, "fontSize": 14, "fontWeight": "bold", "color": TEXT, "anchor": "start",
            "offset": 10, "subtitleFont": FONT_FAMILY, "subtitleFontSize": 11, "subtitleColor": SECONDARY_TEXT,
        },
        "axis": {
            "labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY, "labelFontSize": 11, "titleFontSize": 11,
            "titleFontWeight": "normal", "labelColor": SECONDARY_TEXT, "titleColor": TEXT,
            "gridColor": PALE_GREY, "domainColor": MID_GREY, "tickColor": MID_GREY, "labelLimit": 220,
        },
        "legend": {
            "labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY, "labelFontSize": 11, "labelColor": TEXT,
            "orient": "top", "direction": "horizontal", "title": None, "symbolStrokeWidth": 2,
            "labelLimit": 260, "columnPadding": 14,
        },
        "text": {"font": FONT_FAMILY, "fontSize": 11, "color": TEXT},
    }


def base_spec(title: str, *, subtitle: str | None = None, data: list[dict[str, Any]]) -> dict[str, Any]:
    """The skeleton every chart shares: schema, wrapped title, fixed total width, inline data, config."""
    heading: dict[str, Any] = {"text": wrap(title)}
    if subtitle:
        heading["subtitle"] = wrap(subtitle, TITLE_CHARACTERS_PER_LINE + 12)
    return {
        "$schema": SCHEMA_URL,
        "title": heading,
        "width": WIDTH,
        "autosize": {"type": "fit-x", "contains": "padding"},
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


def rounded(value: float, figures: int) -> float:
    """The value to so many significant figures."""
    return float(f"{value:.{figures}g}")


def js_string(text: str) -> str:
    """A string literal for a Vega expression (JSON's escaping is valid there)."""
    return json.dumps(text)
