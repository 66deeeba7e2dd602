"""`report.html`: one self-contained, accessible page in the NHS.UK style.

The layout lives in `templates/html/` (Jinja2, autoescaped) and the stylesheet
in `static/report.css`; both are inlined, so the page makes no request at all
(a Content-Security-Policy in the page says so too). The renderer prints only
the model's display strings: a suppressed cell shows its symbol ("<5", "*"),
never a number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup, escape

from concerns.report._model import (
    ILLUSTRATIVE_BANNER,
    NOT_STATED_SHOWN,
    Block,
    Cell,
    Chart,
    Column,
    Heading,
    KeyMessages,
    Report,
    Section,
    Table,
)

if TYPE_CHECKING:
    pass

__all__ = ["render_html"]

_SECTION_LEVEL = 2  # h1 is the report's title; each section is an h2
_DEEPEST_LEVEL = 6


@dataclass(frozen=True)
class _Placed:
    """A block with the heading level its own heading (if any) takes, so levels never skip."""

    block: Block
    level: int


@dataclass(frozen=True)
class _SectionView:
    anchor: str
    title: str
    blocks: tuple[_Placed, ...]


@dataclass(frozen=True)
class _RowView:
    label: str
    is_total: bool
    cells: tuple[tuple[str, Markup], ...]  # (class, content) per cell


@dataclass(frozen=True)
class _TableView:
    """A table ready to print: cells are escaped here, not by a macro per cell, which is 3× faster."""

    anchor: str
    table: Table
    column_classes: tuple[str, ...]
    body: tuple[_RowView, ...]  # rows up to the last ordinary row
    foot: tuple[_RowView, ...]  # the trailing total rows: <tfoot>


@dataclass(frozen=True)
class _ChartView:
    anchor: str
    svg: Markup
    table_anchor: str | None
    table_title: str | None


def render_html(report: Report) -> bytes:
    """The report as one UTF-8 HTML page; the same report gives the same bytes."""
    from concerns.report._charts import draw_charts

    report = draw_charts(report)
    symbols = _symbol_meanings(report)
    tables = {table.id: _table_view(table, symbols) for table in report.tables()}
    html = (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            banner=ILLUSTRATIVE_BANNER,
            css=_stylesheet(),
            page_css=_page_css(report),
            org_description=_org_description(report),
            as_of=_long_date(report.as_of),
            disclosure=_disclosure_text(report),
            sections=tuple(_section_view(section) for section in report.sections),
            tables=tables,
            charts={chart.id: _chart_view(chart, tables) for chart in report.charts()},
            separate_key_messages=bool(report.key_messages) and not _has_key_messages_block(report),
        )
    )
    return html.encode("utf-8")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("concerns.report", "templates/html"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=1)
def _stylesheet() -> Markup:
    css = resources.files("concerns.report").joinpath("static", "report.css").read_text(encoding="utf-8")
    return Markup(css)  # our own stylesheet, inside <style>


def _anchor(kind: str, key: str) -> str:
    """An element id: a kind prefix keeps a section, a table and a chart of the same key apart."""
    return f"{kind}-{re.sub(r'[^A-Za-z0-9_-]', '-', key)}"


def _section_view(section: Section) -> _SectionView:
    placed: list[_Placed] = []
    outline = _SECTION_LEVEL  # the level of the last heading that opened a part of the outline
    for block in section.blocks:
        if isinstance(block, Table) and not block.printed:
            continue
        if isinstance(block, Heading):
            outline = max(_SECTION_LEVEL + 1, min(block.level, outline + 1, _DEEPEST_LEVEL))
            placed.append(_Placed(block, outline))
        else:
            placed.append(_Placed(block, min(outline + 1, _DEEPEST_LEVEL)))
    return _SectionView(_anchor("section", section.id), section.title, tuple(placed))


def _table_view(table: Table, symbols: Mapping[str, str]) -> _TableView:
    split = len(table.rows)
    while split > 0 and table.rows[split - 1].is_total:
        split -= 1
    if split == 0:  # a table of totals only has no body to foot
        split = len(table.rows)
    classes = tuple(_column_class(column) for column in table.columns)
    rows = tuple(
        _RowView(
            row.label,
            row.is_total,
            tuple(zip(classes, [_cell(cell, symbols) for cell in row.cells], strict=True)),
        )
        for row in table.rows
    )
    return _TableView(_anchor("table", table.id), table, classes, rows[:split], rows[split:])


def _column_class(column: Column) -> str:
    kind = "text" if column.kind == "text" else "num"
    return f"{kind} total" if column.is_total else kind


def _cell(cell: Cell, symbols: Mapping[str, str]) -> Markup:
    """Only the display text: a suppressed cell's symbol, explained in its <abbr> title."""
    if cell.suppressed:
        meaning = symbols.get(cell.display, "not shown, to protect confidentiality")
        return Markup(f'<abbr title="{escape(meaning)}">{escape(cell.display)}</abbr>')
    return escape(cell.display)


def _chart_view(chart: Chart, tables: dict[str, _TableView]) -> _ChartView:
    chart_anchor = _anchor("chart", chart.id)
    data = tables.get(chart.table_id)
    return _ChartView(
        anchor=chart_anchor,
        svg=_accessible_svg(chart.svg, chart_anchor),
        table_anchor=data.anchor if data else None,
        table_title=data.table.title if data else None,
    )


_SVG_START = re.compile(r"<svg\b[^>]*>", re.DOTALL)
_SVG_OWN_A11Y = re.compile(r'\s(?:role|aria-[a-z]+|focusable|tabindex)="[^"]*"')
_SVG_ID = re.compile(r'id="([^"]+)"')  # a literal start: 25× faster than \bid= on a large SVG
_SVG_ID_FORMS = ('id="{}"', "url(#{})", "url('#{}')", 'href="#{}"')
_SVG_SIZE = re.compile(r'\b(width|height)="([0-9.]+)(?:px)?"')


def _accessible_svg(svg: str, chart_anchor: str) -> Markup:
    """The chart's SVG as an image named by its figure's caption and description.

    Anything before the root element (an XML prolog, a DOCTYPE) is dropped, the
    root's own ARIA attributes are replaced, ids are prefixed so two charts on
    one page cannot share one, and a viewBox is added when missing so the chart
    scales down on a phone.
    """
    start = _SVG_START.search(svg)
    if start is None:
        return Markup("")
    root = _SVG_OWN_A11Y.sub("", start.group(0))
    if "viewBox" not in root:
        size = dict(_SVG_SIZE.findall(root))
        if "width" in size and "height" in size:
            root = root.replace("<svg", f'<svg viewBox="0 0 {size["width"]} {size["height"]}"', 1)
    labelled_by = f"{chart_anchor}-title {chart_anchor}-description"
    root = root.replace("<svg", f'<svg role="img" aria-labelledby="{labelled_by}" focusable="false"', 1)
    body = _prefixed_ids(svg[start.end() :], chart_anchor + "-")
    return Markup(root + body)  # the chart renderer's own SVG


def _prefixed_ids(svg: str, prefix: str) -> str:
    ids = sorted({match.group(1) for match in _SVG_ID.finditer(svg) if svg[match.start() - 1].isspace()})
    for name in ids:
        for form in _SVG_ID_FORMS:  # whole tokens, so renaming "clip1" leaves "clip10" alone
            svg = svg.replace(form.format(name), form.format(prefix + name))
    return svg


def _has_key_messages_block(report: Report) -> bool:
    return any(isinstance(block, KeyMessages) for section in report.sections for block in section.blocks)


def _org_description(report: Report) -> str:
    return "All organisations" if report.org is None else report.org.description


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _long_date(iso: str) -> str:
    """'2025-06-30' as '30 June 2025' (GOV.UK style; no locale, so the same everywhere)."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _disclosure_text(report: Report) -> str:
    return f"{report.disclosure_note} {NOT_STATED_SHOWN} (Disclosure policy: {report.policy}.)"


def _symbol_meanings(report: Report) -> Mapping[str, str]:
    """What each display symbol of a suppressed cell stands for, for the cell's <abbr title>."""
    return MappingProxyType(dict(report.symbols))


_CSS_LINE_BREAK = ' "\\a" '  # between two CSS strings: a new line (the box has white-space: pre)


def _page_css(report: Report) -> Markup:
    """The printed page's margin boxes: the confidential header and banner on every page."""
    top = [report.confidential_header, *([ILLUSTRATIVE_BANNER] if report.illustrative else [])]
    top_content = _CSS_LINE_BREAK.join(_css_string(line) for line in top)
    boxes = (
        f"@top-left {{ content: {top_content}; }}",
        f"@bottom-left {{ content: {_css_string(report.generated_by)}; }}",
        '@bottom-right { content: "Page " counter(page) " of " counter(pages); }',
    )
    return Markup("@page {\n  " + "\n  ".join(boxes) + "\n}\n")  # the text is escaped by _css_string


def _css_string(text: str) -> str:
    """A CSS string literal that cannot close the string, the rule or the <style> element."""
    escaped = "".join(f"\\{ord(char):x} " if char in '"\\<>&' or ord(char) < 0x20 else char for char in text)
    return f'"{escaped}"'
