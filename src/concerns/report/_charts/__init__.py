"""Charts for the reports: Vega-Lite specs (data inline, suppression-safe) drawn to deterministic SVG.

Every spec function returns a JSON-serialisable Vega-Lite dict in the NHS look, 500 px wide in all.
A value passed as None (suppressed or not available) is never drawn and is absent from the spec's
data. `make_chart` draws the SVG once, with vl-convert: its first call in a process starts the
JavaScript engine (about 0.6 s); after that a chart costs tens of milliseconds, so a batch should
reuse one process for many reports.
"""

from concerns.report._charts._bars import bars, grouped_bars
from concerns.report._charts._forest import forest_plot
from concerns.report._charts._funnel import funnel_plot
from concerns.report._charts._render import (
    VEGA_LITE_VERSION,
    ChartError,
    draw_chart,
    draw_charts,
    make_chart,
    to_svg,
)
from concerns.report._charts._theme import FONT_FAMILY, WIDTH
from concerns.report._charts._time import cases_over_time

__all__ = [
    "FONT_FAMILY",
    "VEGA_LITE_VERSION",
    "WIDTH",
    "ChartError",
    "bars",
    "cases_over_time",
    "forest_plot",
    "funnel_plot",
    "grouped_bars",
    "draw_chart",
    "draw_charts",
    "make_chart",
    "to_svg",
]
