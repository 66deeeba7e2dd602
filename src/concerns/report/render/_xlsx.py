"""The XLSX rendering, the report's annex for analysts: a cover, a summary (key messages and the
figures at a glance), the similar sized organisations and how they were chosen, one sheet per table
(the detail tables the PDF leaves out among them), and the notes (symbols, methods, glossary).

A figure is a number whose format makes Excel show what the report shows, and a column of figures
holds nothing else: a hidden or unavailable figure is an empty cell, its symbol ("<5", "*", "–",
"n/a") in a marker column beside it, so that the column sums and sorts as numbers. Text is always written as a string, and text a
spreadsheet would run if it were typed or exported again (starting with = + - @,
tab or carriage return, as an uploaded organisation name may) gets a leading
apostrophe, as the portal's rejects.csv does. Document properties carry a fixed
date (the report's as-of date), so the same report gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from concerns.report._model import ILLUSTRATIVE_BANNER, BulletList, Cell, Column, Report, Table, Tiles

COVER_SHEET = "Cover"
SUMMARY_SHEET = "Summary"
PEERS_SHEET = "Peers"
NOTES_SHEET = "Notes"
_OWN_SHEETS = (COVER_SHEET, SUMMARY_SHEET, PEERS_SHEET, NOTES_SHEET)
SHEET_NAME_LIMIT = 31
HEADER_ROW = 3  # zero-based: title, confidential line, banner line, then the header row
_FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\']")
_DECIMALS = re.compile(r"-?\d[\d,]*(?:\.(\d+))?")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_FIGURE = re.compile(r"[-+]?[\d,.]*%?")  # "-2.5%", "-": a figure as displayed, nothing to run


def safe_text(text: str) -> str:
    """The text with a leading apostrophe if a spreadsheet could run it as a formula."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_FIGURE.fullmatch(text):
        return "'" + text
    return text


def _text(sheet: Worksheet, row: int, col: int, text: str, cell_format: Format | None = None) -> None:
    """Every text cell is written here: as a string, never a formula, and neutralised."""
    sheet.write_string(row, col, safe_text(text), cell_format)


def render_xlsx(report: Report) -> bytes:
    """The report's tables as an XLSX workbook; the same report gives the same bytes."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties(_properties(report))
    formats = _Formats.of(workbook)
    names = sheet_names(report)
    _write_cover(workbook.add_worksheet(COVER_SHEET), report, names, formats)
    _write_summary(workbook.add_worksheet(SUMMARY_SHEET), report, formats)
    if report.peers is not None:
        _write_peers(workbook.add_worksheet(PEERS_SHEET), report, formats)
    for table in report.tables():
        _write_table(workbook.add_worksheet(names[table.id]), table, report, formats)
    _write_notes(workbook.add_worksheet(NOTES_SHEET), report, formats)
    workbook.close()
    return buffer.getvalue()


def sheet_names(report: Report) -> dict[str, str]:
    """A unique, valid sheet name (≤ 31 characters) for each table id, in report order."""
    taken = {sheet.lower() for sheet in _OWN_SHEETS}
    names: dict[str, str] = {}
    for table in report.tables():
        base = _FORBIDDEN_IN_SHEET_NAMES.sub("_", table.id).strip() or "table"
        name, number = base[:SHEET_NAME_LIMIT], 1
        while name.lower() in taken or name.lower() == "history":  # Excel reserves "History"
            number += 1
            suffix = f"_{number}"
            name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        taken.add(name.lower())
        names[table.id] = name
    return names


def _properties(report: Report) -> dict[str, Any]:
    who = report.org.name if report.org else "All organisations (national report)"
    comments = report.confidential_header + (f". {ILLUSTRATIVE_BANNER}" if report.illustrative else "")
    return {
        "title": f"{report.title}: {who}",
        "subject": report.period_label,
        "author": "NHS Resolution",
        "company": "NHS Resolution",
        "category": "Confidential",
        "keywords": "Practitioner Performance Advice, organisational activity report",
        "comments": comments,
        "created": _as_of(report),
    }


def _as_of(report: Report) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(report.as_of), dt.time(0))


# --- formats ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Formats:
    workbook: Workbook
    title: Format
    bold: Format
    banner: Format
    header: Format
    note: Format
    date: Format
    link: Format
    wrap: Format

    @classmethod
    def of(cls, workbook: Workbook) -> _Formats:
        return cls(
            workbook=workbook,
            title=workbook.add_format({"bold": True, "font_size": 14, "font_color": "#005EB8"}),
            bold=workbook.add_format({"bold": True}),
            banner=workbook.add_format({"bold": True, "bg_color": "#FFEB3B"}),
            header=workbook.add_format(
                {"bold": True, "bg_color": "#E8EDEE", "bottom": 1, "text_wrap": True, "valign": "bottom"}
            ),
            note=workbook.add_format({"italic": True, "font_size": 9}),
            date=workbook.add_format({"num_format": "d mmmm yyyy", "align": "left"}),
            link=workbook.add_format({"font_color": "#005EB8", "underline": 1}),
            wrap=workbook.add_format({"text_wrap": True, "valign": "top"}),
        )

    cells: dict[tuple[str | None, bool, bool], Format] = field(default_factory=dict)

    def cell(self, num_format: str | None, bold: bool, right: bool) -> Format:
        """A data cell's format, made once per workbook."""
        key = (num_format, bold, right)
        if key not in self.cells:
            properties: dict[str, Any] = {"bold": bold}
            if num_format:
                properties["num_format"] = num_format
            if right:
                properties["align"] = "right"
            self.cells[key] = self.workbook.add_format(properties)
        return self.cells[key]


def number_format(column: Column, cell: Cell) -> str:
    """The Excel number format that shows `cell.value` as the report shows `cell.display`."""
    decimals = _decimals(cell.display)
    if column.kind == "count" and decimals == 0:
        return "#,##0"
    fraction = "." + "0" * decimals if decimals else ""
    if cell.display.rstrip().endswith("%") and cell.value is not None and abs(cell.value) <= 1:
        return f"0{fraction}%"
    return f"#,##0{fraction}"


def _decimals(display: str) -> int:
    match = _DECIMALS.search(display)
    return len(match.group(1)) if match and match.group(1) else 0


# --- sheets ------------------------------------------------------------------------------


def _write_cover(sheet: Worksheet, report: Report, names: dict[str, str], formats: _Formats) -> None:
    _text(sheet, 0, 0, report.title, formats.title)
    _text(sheet, 1, 0, report.confidential_header, formats.bold)
    if report.illustrative:
        _text(sheet, 2, 0, ILLUSTRATIVE_BANNER, formats.banner)
    row = 4
    for label, value in cover_facts(report):
        _text(sheet, row, 0, label, formats.bold)
        if isinstance(value, dt.datetime):
            sheet.write_datetime(row, 1, value, formats.date)
        elif isinstance(value, int):
            sheet.write_number(row, 1, value)
        else:
            _text(sheet, row, 1, value)
        row += 1
    row += 1
    _text(sheet, row, 0, "Sheet", formats.header)
    _text(sheet, row, 1, "Table", formats.header)
    listed = [(SUMMARY_SHEET, "Key messages and the figures at a glance")]
    if report.peers is not None:
        listed.append((PEERS_SHEET, "Similar sized organisations, and how they were chosen"))
    listed += [(names[table.id], table.title) for table in report.tables()]
    listed.append((NOTES_SHEET, "Symbols, methods and glossary"))
    for name, title in listed:
        row += 1
        sheet.write_url(row, 0, f"internal:'{name}'!A1", formats.link, string=name)
        _text(sheet, row, 1, title)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 70)
    _print_setup(sheet, report)


def cover_facts(report: Report) -> list[tuple[str, str | int | dt.datetime]]:
    """The cover's label–value rows."""
    facts: list[tuple[str, str | int | dt.datetime]] = []
    if report.org is not None:
        facts += [("Organisation", report.org.name), ("Organisation code", report.org.code)]
        if report.org.description:
            facts.append(("Organisation type and nation", report.org.description))
    else:
        facts.append(("Organisation", "All organisations (national report)"))
    facts += [
        ("Period", report.period_label),
        ("Data as of", _as_of(report)),
        ("Classification", "Confidential"),
        ("Disclosure policy", report.policy),
        ("Disclosure threshold", report.threshold),
        *([("What is hidden", report.disclosure_note)] if report.disclosure_note else []),
        ("Data fingerprint (SHA-256)", report.data_sha256),
        ("Generated by", report.generated_by),
    ]
    if report.peers is not None:
        facts.append(("Similar sized organisations", report.peers.method))
    return facts


def _heading(sheet: Worksheet, title: str, report: Report, formats: _Formats) -> None:
    _text(sheet, 0, 0, title, formats.title)
    _text(sheet, 1, 0, report.confidential_header)
    if report.illustrative:
        _text(sheet, 2, 0, ILLUSTRATIVE_BANNER, formats.banner)


def _write_summary(sheet: Worksheet, report: Report, formats: _Formats) -> None:
    _heading(sheet, "Summary", report, formats)
    row = HEADER_ROW
    _text(sheet, row, 0, "Key messages", formats.header)
    for message in report.key_messages:
        row += 1
        _text(sheet, row, 0, message, formats.wrap)
    tiles = [
        tile
        for section in report.sections
        for block in section.blocks
        if isinstance(block, Tiles)
        for tile in block.tiles
    ]
    row += 2
    for col, heading in enumerate(("At a glance", "Figure", "What it means")):
        _text(sheet, row, col, heading, formats.header)
    for tile in tiles:
        row += 1
        _text(sheet, row, 0, tile.label)
        _text(sheet, row, 1, tile.value)
        if tile.note:
            _text(sheet, row, 2, tile.note, formats.wrap)
    sheet.set_column(0, 0, 90)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 50)
    _print_setup(sheet, report)


def _write_peers(sheet: Worksheet, report: Report, formats: _Formats) -> None:
    assert report.peers is not None
    _heading(sheet, "Similar sized organisations", report, formats)
    _text(sheet, HEADER_ROW, 0, report.peers.method, formats.wrap)
    row = HEADER_ROW + 2
    _text(sheet, row, 0, "Organisation code", formats.header)
    _text(sheet, row, 1, "Organisation", formats.header)
    for code, name in report.peers.organisations:
        row += 1
        _text(sheet, row, 0, code)
        _text(sheet, row, 1, name)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 60)
    _print_setup(sheet, report)


def _write_notes(sheet: Worksheet, report: Report, formats: _Formats) -> None:
    _heading(sheet, "Notes", report, formats)
    parts = [("Symbols in the tables", report.legend)]
    for section in report.sections:
        if section.id in ("methods", "glossary"):
            texts = [
                text
                for block in section.blocks
                for text in (
                    block.items if isinstance(block, BulletList) else (getattr(block, "text", None),)
                )
                if text
            ]
            parts.append((section.title, tuple(texts)))
    row = HEADER_ROW
    for title, lines in parts:
        if not lines:
            continue
        _text(sheet, row, 0, title, formats.header)
        for text in lines:
            row += 1
            _text(sheet, row, 0, text, formats.wrap)
        row += 2
    sheet.set_column(0, 0, 120)
    _print_setup(sheet, report)


def _write_table(sheet: Worksheet, table: Table, report: Report, formats: _Formats) -> None:
    _heading(sheet, table.title, report, formats)
    sheet.write_blank(HEADER_ROW, 0, None, formats.header)
    layout = sheet_columns(table)
    for at, (label, _, _) in enumerate(layout, start=1):
        _text(sheet, HEADER_ROW, at, label, formats.header)
    for offset, row in enumerate(table.rows, start=1):
        line = HEADER_ROW + offset
        _text(sheet, line, 0, row.label, formats.bold if row.is_total else None)
        for at, (_, index, marker) in enumerate(layout, start=1):
            column, cell = table.columns[index], row.cells[index]
            _write_cell(sheet, line, at, column, cell, row.is_total, formats, marker=marker)
    notes_row = HEADER_ROW + len(table.rows) + 2
    for offset, note in enumerate(table.notes):
        _text(sheet, notes_row + offset, 0, note, formats.note)
    sheet.freeze_panes(HEADER_ROW + 1, 1)
    _set_widths(sheet, table, layout)
    _print_setup(sheet, report)


def sheet_columns(table: Table) -> list[tuple[str, int, bool]]:
    """The sheet's columns after the row labels: (header, the model column's index, whether it is the
    marker column of a column of figures). A column of figures with any cell that is not a number gets
    a marker column beside it, holding that cell's symbol."""
    layout = []
    for index, column in enumerate(table.columns):
        layout.append((column.label, index, False))
        figures = column.kind != "text"
        if figures and any(
            not is_number(column, row.cells[index]) and row.cells[index].display for row in table.rows
        ):
            layout.append((f"{column.label}: symbol", index, True))
    return layout


def _write_cell(
    sheet: Worksheet,
    row: int,
    col: int,
    column: Column,
    cell: Cell,
    bold: bool,
    formats: _Formats,
    *,
    marker: bool = False,
) -> None:
    if marker:  # the symbol of a figure not shown as a number
        if not is_number(column, cell) and cell.display:
            _text(sheet, row, col, cell.display, formats.cell(None, bold, right=True))
        else:
            sheet.write_blank(row, col, None, formats.cell(None, bold, right=True))
        return
    if is_number(column, cell):
        assert cell.value is not None
        sheet.write_number(row, col, cell.value, formats.cell(number_format(column, cell), bold, right=False))
    elif column.kind == "text":
        _text(sheet, row, col, cell.display, formats.cell(None, bold, right=False))
    else:  # a figure hidden or not available: an empty cell, its symbol in the marker column
        sheet.write_blank(row, col, None, formats.cell(None, bold, right=True))


def is_number(column: Column, cell: Cell) -> bool:
    """Whether the cell is written as a number (never when suppressed)."""
    return (
        not cell.suppressed
        and column.kind != "text"
        and isinstance(cell.value, int | float)
        and not isinstance(cell.value, bool)
        and math.isfinite(cell.value)
    )


def _set_widths(sheet: Worksheet, table: Table, layout: list[tuple[str, int, bool]]) -> None:
    labels = [len(row.label) for row in table.rows]
    sheet.set_column(0, 0, _clamp(max(labels, default=10) + 2, 14, 60))
    for at, (label, index, _) in enumerate(layout, start=1):
        widest_value = max((len(row.cells[index].display) for row in table.rows), default=0)
        header_words = max((len(word) for word in label.split()), default=0)
        sheet.set_column(at, at, _clamp(max(widest_value, header_words, len(label) // 2) + 3, 10, 40))


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _print_setup(sheet: Worksheet, report: Report) -> None:
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    header = _escape_header(report.confidential_header)
    if report.illustrative:
        header += "&R" + _escape_header(ILLUSTRATIVE_BANNER)
    sheet.set_header("&L" + header)
    sheet.set_footer("&RPage &P of &N")


def _escape_header(text: str) -> str:
    return text.replace("&", "&&")
