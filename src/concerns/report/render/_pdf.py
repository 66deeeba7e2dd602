"""The PDF rendering: an A4, tagged PDF/UA-1 document typeset by Typst.

The layout lives in `templates/typst/report.typ`; this module turns the model
into a JSON payload the template reads through `sys.inputs`, so no model text
is ever interpolated into Typst markup. One Typst compiler per process (fonts
loaded once) serves every report of a batch. The fonts are Typst's bundled
ones plus DejaVu Sans (Debian package fonts-dejavu-core), and nothing else, so
the same report gives the same bytes on any machine with those fonts.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import re
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import typst

from concerns.report._model import (
    ILLUSTRATIVE_BANNER,
    NOT_STATED_SHOWN,
    BulletList,
    Callout,
    Chart,
    Heading,
    KeyMessages,
    Paragraph,
    Report,
    Section,
    Table,
    Tiles,
)

FONT_FAMILY = "DejaVu Sans"
FONT_FILE = "DejaVuSans.ttf"
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
# Chart labels are measured in Liberation Sans (concerns.report._charts), so Typst must draw them in it.
CHART_FONT_FILE = "LiberationSans-Regular.ttf"
CHART_FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation"), Path("/usr/share/fonts/liberation"))
PDF_STANDARDS: list[typst.PDFStandard] = ["ua-1"]
PUBLISHER = "NHS Resolution · Practitioner Performance Advice"
TEXT_WIDTH_PT = 595.28 - 2 * 56.69  # A4 less the template's 2 cm side margins
PT_PER_PX = 0.75
_SVG_ROOT = re.compile(r"<svg\b[^>]*>", re.DOTALL)
_SVG_WIDTH = re.compile(r"""\swidth\s*=\s*["']\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*["']""")
_lock = threading.Lock()


class PdfRenderError(RuntimeError):
    """The PDF could not be typeset (a missing font, or content Typst rejects)."""


def render_pdf(report: Report) -> bytes:
    """The report as a PDF/UA-1 document; the same report gives the same bytes."""
    from concerns.report._charts import draw_charts

    report = draw_charts(report)
    inputs = {"report": json.dumps(pdf_payload(report), ensure_ascii=False)}
    compiler = _compiler()
    try:
        with _lock:  # one compiler per process: calls from several threads take turns
            pdf = compiler.compile(
                input=_template(),
                format="pdf",
                sys_inputs=inputs,
                pdf_standards=PDF_STANDARDS,
                timestamp=_timestamp(report),
            )
    except typst.TypstError as error:
        raise PdfRenderError(
            f"could not typeset the PDF ({report.confidential_header}): {error.message}"
        ) from error
    except RuntimeError as error:  # typst raises a plain RuntimeError for some failures
        raise PdfRenderError(f"could not typeset the PDF ({report.confidential_header}): {error}") from error
    assert isinstance(pdf, bytes)
    return pdf


@functools.cache
def _compiler() -> typst.Compiler:
    folders = [str(font_dir()), str(_find_font(CHART_FONT_FILE, CHART_FONT_DIRS, "fonts-liberation"))]
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=folders)
    return typst.Compiler(font_paths=fonts, ignore_system_fonts=True)


@functools.cache
def _template() -> bytes:
    # Passed with every compile: typst-py 0.15 forgets a compiler's in-memory input after one use.
    return resources.files("concerns.report").joinpath("templates", "typst", "report.typ").read_bytes()


def font_dir() -> Path:
    """The folder holding DejaVu Sans; a clear error if the font is not installed."""
    return _find_font(FONT_FILE, FONT_DIRS, "fonts-dejavu-core")


def _find_font(file: str, folders: tuple[Path, ...], package: str) -> Path:
    for folder in folders:
        if (folder / file).is_file():
            return folder
    searched = ", ".join(str(folder) for folder in folders)
    raise PdfRenderError(
        f"the PDF needs the font {file} (in {searched}): install the Debian package {package}"
    )


def _timestamp(report: Report) -> dt.datetime:
    """A fixed creation time, the report's as-of date, so the bytes do not depend on when it ran."""
    return dt.datetime.combine(dt.date.fromisoformat(report.as_of), dt.time(0), tzinfo=dt.UTC)


# --- the payload the template reads --------------------------------------------------------


def pdf_payload(report: Report) -> dict[str, Any]:
    """Everything the template prints, as plain JSON-ready data."""
    tables = {table.id: table for table in report.tables()}
    return {
        "title": report.title,
        "document_title": f"{report.title}: {organisation_name(report)}, {report.period_label}",
        "author": "NHS Resolution",
        "font": FONT_FAMILY,
        "publisher": PUBLISHER,
        "header": report.confidential_header,
        "footer": f"{report.title} · {report.period_label}",
        "banner": ILLUSTRATIVE_BANNER if report.illustrative else None,
        "organisation": organisation_name(report),
        "compact": report.kind == "summary",
        "cover_facts": cover_facts(report),
        "cover_text": cover_text(report),
        "sections": [
            _without_legend(
                _section(section, tables, first=index == 0, summary=report.kind == "summary"),
                report.legend if report.kind != "summary" else (),  # a summary has no cover to hold it
            )
            for index, section in enumerate(report.sections)
        ],
    }


def _without_legend(section: dict[str, Any], legend: tuple[str, ...]) -> dict[str, Any]:
    """A section whose tables' notes leave out the legend every table shares: it is printed once, on the
    cover (the HTML keeps it with each table, which its screen reader users meet one at a time)."""
    symbols = {line.split(":")[0] for line in legend}
    for block in section["blocks"]:
        if block["type"] == "table":
            block["notes"] = [note for note in block["notes"] if note not in legend]
        if block["type"] == "terms":  # the glossary need not define the symbols the cover does
            block["items"] = [(term, meaning) for term, meaning in block["items"] if term not in symbols]
    return section


def organisation_name(report: Report) -> str:
    return report.org.name if report.org else "All organisations (national report)"


def cover_facts(report: Report) -> list[dict[str, Any]]:
    years = len(report.fiscal_years)
    facts = [
        ("Organisation code", report.org.code if report.org else ""),
        ("Organisation type and nation", report.org.description if report.org else ""),
        ("Period", f"{report.period_label} ({years} NHS financial years, April to March)"),
        ("Data as of", _long_date(report.as_of)),
        (
            "Classification",
            "May be published in board papers" if report.kind == "summary" else "Confidential",
        ),
        ("Version", report.generated_by),
        ("Disclosure control", f"{report.policy} policy (threshold {report.threshold})"),
    ]
    rows = [{"label": label, "value": value, "mono": False} for label, value in facts if value]
    rows.append({"label": "Data fingerprint (SHA-256)", "value": report.data_sha256, "mono": True})
    return rows


def cover_text(report: Report) -> list[dict[str, str]]:
    texts = [
        {"title": "Who it is for", "text": _audience(report)},
        {"title": "How to read it", "text": _how_to_read(report)},
    ]
    if report.org is not None:  # the national report speaks to no one organisation
        texts.append({"title": "Your link adviser", "text": report.link_adviser})
    return texts


def _audience(report: Report) -> str:
    if report.kind == "summary" and report.org is not None:
        return (
            f"The board of {report.org.name}, in a paper that may be published: the cases the organisation "
            "brought to Practitioner Performance Advice and its equality measures, in two pages. The "
            "confidential report has the detail."
        )
    if report.org is None:
        return (
            "Boards, medical directors and HR and equality leads across the NHS, and the teams of "
            "Practitioner Performance Advice: how organisations use the service, in aggregate."
        )
    return (
        f"The medical director, the director of HR and workforce, and the HR and equality leads of "
        f"{report.org.name}: the people who oversee how concerns about doctors, dentists and pharmacists "
        "are managed. It prepares a confidential discussion with your link adviser and the insights team."
    )


def _how_to_read(report: Report) -> str:
    whose = "the cases the organisation brought" if report.org else "cases brought"
    return (
        f"The report profiles {whose} to Practitioner Performance Advice from {report.period_label}, "
        "never individual cases. A difference from similar sized organisations is called out only when "
        "the numbers support it; otherwise the report says there is no clear difference, and why. "
        f"To protect confidentiality small numbers are hidden. {_disclosure_sentence(report)}"
    )


def _disclosure_sentence(report: Report) -> str:
    not_stated = f" {NOT_STATED_SHOWN}"
    if report.legend and report.kind != "summary":  # the symbols every table shares, said once here
        return f"Counts below {report.threshold} are hidden.{not_stated} In the tables: {' '.join(report.legend)}"
    return report.disclosure_note + not_stated


def _long_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


# Short closing sections run on from the one before instead of starting a page (report-outline.md:
# questions follow the services, methods and glossary share the data quality page).
RUN_ON = frozenset({"questions", "methods", "glossary"})
REFERENCE = frozenset({"methods", "glossary"})  # set smaller


def _section(
    section: Section, tables: dict[str, Table], *, first: bool = False, summary: bool = False
) -> dict[str, Any]:
    """A section as the template reads it. A board summary's sections run on: it is two pages."""
    blocks, level = [], 1
    charted = {b.table_id for b in section.blocks if isinstance(b, Chart)}  # its caption says where
    details = [
        b.title
        for b in section.blocks
        if isinstance(b, Table) and b.detail and b.printed and b.id not in charted
    ]
    for index, block in enumerate(section.blocks):
        if isinstance(block, Heading):
            if _heads_only_details(section.blocks[index + 1 :]):
                continue  # its tables are left out: so is it
            level = heading_level(block.level, level)
            blocks.append({"type": "heading", "text": block.text, "level": level})
        elif isinstance(block, Table) and (block.detail or not block.printed):
            if details and block.title == details[0]:  # where the first was, a sentence says where all are
                blocks.append(_block(Paragraph(_elsewhere(details)), tables))
        elif section.id == "glossary" and isinstance(block, BulletList):
            blocks.append({"type": "terms", "items": [glossary_term(item) for item in block.items]})
        else:
            blocks.append(_block(block, tables))
    new_page = not summary and section.id not in RUN_ON and (first or not _prose_only(section))
    return {
        "title": section.title,
        "new_page": new_page,
        "blocks": blocks,
        "reference": section.id in REFERENCE,
    }


def _heads_only_details(rest: Sequence[object]) -> bool:
    """Whether what follows a heading, up to the next, is detail tables alone."""
    following = list(itertools.takewhile(lambda block: not isinstance(block, Heading), rest))
    return bool(following) and all(isinstance(block, Table) and block.detail for block in following)


def _elsewhere(titles: Sequence[str]) -> str:
    names = [f"“{title}”" for title in titles]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    noun = "table" if len(names) == 1 else "tables"
    return f"The {noun} {listed} {'is' if len(names) == 1 else 'are'} in the HTML report and the spreadsheet."


def _prose_only(section: Section) -> bool:
    """A section of headings and sentences only (its tables not printed): it runs on after the last."""
    return all(
        isinstance(block, Heading | Paragraph)
        or (isinstance(block, Table) and (not block.printed or block.detail))
        for block in section.blocks
    )


def glossary_term(item: str) -> list[str]:
    """A glossary entry "Term: meaning" as its term (printed bold) and meaning."""
    term, _, meaning = item.partition(": ")
    return [term, meaning] if meaning else ["", item]


def heading_level(model_level: int, previous: int) -> int:
    """The Typst level of a heading block: sections are level 1 (the model counts the title as 1,
    sections as 2), and PDF/UA forbids skipping a level, so never deeper than one below the last."""
    return max(2, min(model_level - 1, previous + 1, 6))


def _block(block: object, tables: dict[str, Table]) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "text": block.text}
    if isinstance(block, BulletList):
        return {"type": "list", "items": list(block.items), "columns": list_columns(block.items)}
    if isinstance(block, KeyMessages):
        return {"type": "key_messages", "title": "Key messages", "items": list(block.items)}
    if isinstance(block, Tiles):
        return {"type": "tiles", "tiles": [vars(tile) for tile in block.tiles]}
    if isinstance(block, Callout):
        return {"type": "callout", "title": block.title, "text": block.text, "kind": block.kind}
    if isinstance(block, Chart):
        return _chart(block, tables)
    if isinstance(block, Table):
        return _table(block)
    raise PdfRenderError(f"the PDF renderer does not know the block {type(block).__name__}")


def _chart(chart: Chart, tables: dict[str, Table]) -> dict[str, Any]:
    table = tables.get(chart.table_id)
    where = " of the HTML report and the spreadsheet" if table and table.detail else ""
    source = f"The figures are in the table “{table.title}”{where}." if table else ""
    return {
        "type": "chart",
        "title": chart.title,
        "alt": chart.alt,
        "svg": chart.svg,
        "source": source,
        "shrink": svg_wider_than_text(chart.svg),
    }


def svg_wider_than_text(svg: str) -> bool:
    """Whether the SVG at its natural size (Typst: 1 px = 0.75 pt) is wider than the text column;
    when its width cannot be read, shrink it to the column to be safe."""
    root = _SVG_ROOT.search(svg)
    width = _SVG_WIDTH.search(root.group(0)) if root else None
    return width is None or float(width.group(1)) * PT_PER_PX > TEXT_WIDTH_PT


def list_columns(items: tuple[str, ...]) -> int:
    """Two columns for a long list of short items (such as the peer list), else one."""
    return 2 if len(items) >= 6 and max(map(len, items)) <= 42 else 1


def column_samples(label: str, texts: list[str], *, numeric: bool) -> dict[str, Any]:
    """A column as the template sizes it: its header, and the few strings that set its width (the
    longest cells, and for a column that wraps, its longest words), so that only they are measured."""
    words = {word for text in texts for word in text.split()} if not numeric else set(texts)
    return {
        "label": label,
        "numeric": numeric,
        "longest": _longest(texts),
        "words": _longest(words),
    }


def _longest(texts: set[str] | list[str], keep: int = 3) -> list[str]:
    # By characters, ties by text: only a few are measured, and the same table gives the same payload.
    return sorted(set(texts), key=lambda text: (-len(text), text))[:keep]


def _table(table: Table) -> dict[str, Any]:
    headers, cells = _printed_columns(table)
    columns = [
        column_samples(label, [row[i] for row in cells], numeric=numeric)
        for i, (label, numeric) in enumerate(headers)
    ]
    return {
        "type": "table",
        "title": table.title,
        "label_column": column_samples("", [row.label for row in table.rows], numeric=False),
        "columns": columns,
        "rows": [
            {"label": row.label, "is_total": row.is_total, "cells": printed}
            for row, printed in zip(table.rows, cells, strict=True)
        ],
        "notes": list(table.notes),
    }


FROM, TO = ": from", ": to"


def _printed_columns(table: Table) -> tuple[list[tuple[str, bool]], list[list[str]]]:
    """The columns as the PDF prints them, (label, numeric), with each row's cells: an interval's two
    columns ("95% interval: from", "…: to") become one, "1.31–3.33", so that a wide table leaves room
    for its words (the spreadsheet and report.json keep them apart, as numbers)."""
    headers: list[tuple[str, bool]] = []
    picks: list[tuple[int, ...]] = []
    columns = table.columns
    index = 0
    while index < len(columns):
        column = columns[index]
        following = columns[index + 1] if index + 1 < len(columns) else None
        if (
            following is not None
            and column.kind == following.kind == "interval"
            and column.label.endswith(FROM)
            and following.label == column.label.removesuffix(FROM) + TO
        ):
            headers.append((column.label.removesuffix(FROM), True))
            picks.append((index, index + 1))
            index += 2
            continue
        headers.append((column.label, column.kind != "text"))
        picks.append((index,))
        index += 1
    rows = [[_joined(*(row.cells[i].display for i in pick)) for pick in picks] for row in table.rows]
    return headers, rows


def _joined(low: str, high: str | None = None) -> str:
    if high is None or low == high:
        return low
    if low[:1].isdigit() and high[:1].isdigit():
        return f"{low}–{high}"
    return f"{low} to {high}".strip()
