"""Vega-Lite spec → deterministic, accessible SVG, and the report model's Chart."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import Any

import vl_convert

from concerns.report._model import Chart, Report

VEGA_LITE_VERSION = "6.4"

_ID = re.compile(r' id="([^"]+)"')  # a literal start: much faster than \bid= on a large SVG
# Vega's own ARIA attributes: the chart is one image whose name is its text alternative, so they go.
_INNER_ARIA = re.compile(r' (?:role|aria-[a-z]+)="[^"]*"')
# Labels Vega hides to avoid overlaps are drawn fully transparent: a PDF would still carry them as text,
# printed over their neighbours for anyone who copies, searches or reads it aloud, so they go.
_INVISIBLE_TEXT = re.compile(r'<text\b[^>]*\sopacity="0"[^>]*>.*?</text>', re.DOTALL)


class ChartError(ValueError):
    """A chart spec that Vega-Lite cannot draw."""


def to_svg(spec: dict[str, Any], *, alt: str | None = None, id_prefix: str = "chart") -> str:
    """The spec drawn as SVG: same spec, same bytes, in any process.

    Vega numbers clip paths and gradients from a per-process counter; they are renamed here in
    order of appearance under `id_prefix`, which also keeps ids unique when several charts are
    inlined in one HTML page. Vega's per-shape ARIA attributes are dropped; with `alt`, the root
    carries role="img" and the text alternative as its accessible name, so a screen reader meets
    one image instead of hundreds of shapes.
    """
    _check_inline(spec)
    try:
        svg = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION)
    except ValueError as error:
        raise ChartError(f"the chart could not be drawn: {error}") from None
    svg = _renumber_ids(_INNER_ARIA.sub("", _INVISIBLE_TEXT.sub("", svg)), _safe_id(id_prefix))
    return _label_root(svg, alt) if alt is not None else svg


def make_chart(
    id: str,
    title: str,
    alt: str,
    spec: dict[str, Any],
    table_id: str,
    *,
    title_in_svg: bool = False,
    draw: bool = True,
) -> Chart:
    """The model's Chart: the spec (data inline, suppression-safe) with its SVG drawn once.

    The spec keeps its title, so it stands alone in report.json; the SVG leaves it out unless
    asked, because the HTML and PDF print `Chart.title` as the figure's caption (real text, which
    screen readers and PDF tags can reach), and drawing it twice would repeat it.
    """
    chart = Chart(id=id, title=title, alt=alt, spec=spec, svg="", table_id=table_id)
    return draw_chart(chart, title_in_svg=title_in_svg) if draw else chart


def draw_chart(chart: Chart, *, title_in_svg: bool = False) -> Chart:
    """The chart with its SVG drawn (drawing is most of a report's cost: only HTML and PDF need it)."""
    if chart.svg:
        return chart
    spec = chart.spec if title_in_svg else {key: value for key, value in chart.spec.items() if key != "title"}
    return replace(chart, svg=to_svg(spec, alt=chart.alt, id_prefix=chart.id))


def draw_charts(report: Report) -> Report:
    """The report with every chart's SVG drawn; the same report when they all are."""
    if all(chart.svg for chart in report.charts()):
        return report
    sections = tuple(
        replace(section, blocks=tuple(draw_chart(b) if isinstance(b, Chart) else b for b in section.blocks))
        for section in report.sections
    )
    return replace(report, sections=sections)


def _check_inline(tree: Any) -> None:
    """Refuse a spec that would load data or images from elsewhere: vl-convert reads file:// URLs."""
    if isinstance(tree, dict):
        if "url" in tree:
            raise ChartError("the chart could not be drawn: its data must be inline, not loaded from a URL")
        for value in tree.values():
            _check_inline(value)
    elif isinstance(tree, list):
        for value in tree:
            _check_inline(value)


def _renumber_ids(svg: str, prefix: str) -> str:
    names = {old: f"{prefix}-{number}" for number, old in enumerate(dict.fromkeys(_ID.findall(svg)), start=1)}
    if not names:
        return svg
    reference = re.compile(r'(id="|url\(#|href="#)(' + "|".join(map(re.escape, names)) + r')(?=[")])')
    return reference.sub(lambda match: match.group(1) + names[match.group(2)], svg)


def _label_root(svg: str, alt: str) -> str:
    label = html.escape(" ".join(alt.split()), quote=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def _safe_id(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")
    return cleaned if cleaned[:1].isalpha() else f"chart-{cleaned}"
