"""The XLSX rendering: a cover sheet, then one sheet per table, for analysts.

A suppressed cell is written as the text of its display ("<5", "*"), never as
a number or a formula; every other figure is a number whose format makes Excel
show what the report shows. Text is always written as a string, and text a
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

from concerns.report._model import ILLUSTRATIVE_BANNER, Cell, Column, Report, Table

COVER_SHEET = "Cover"
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
    for table in report.tables():
        _write_table(workbook.add_worksheet(names[table.id]), table, report, formats)
    workbook.close()
    return buffer.getvalue()


def sheet_names(report: Report) -> dict[str, str]:
    """A unique, valid sheet name (≤ 31 characters) for each table id, in report order."""
    taken = {COVER_SHEET.lower()}
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
    for table in report.tables():
        row += 1
        name = names[table.id]
        sheet.write_url(row, 0, f"internal:'{name}'!A1", formats.link, string=name)
        _text(sheet, row, 1, table.title)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 70)
    _print_setup(sheet, report)


def cover_facts(report: Report) -> list[tuple[str, str | int | dt.datetime]]:
    """The cover's label–value rows."""
    facts: list[tuple[str, str | int | dt.datetime]] = []
    if report.org is not None:
        facts += [("Organisation", report.org.name), ("Organisation code", report.org.code)]
    else:
        facts.append(("Organisation", "All organisations (national report)"))
    facts += [
        ("Period", report.period_label),
        ("Data as of", _as_of(report)),
        ("Classification", "Confidential"),
        ("Disclosure policy", report.policy),
        ("Disclosure threshold", report.threshold),
        ("Data fingerprint (SHA-256)", report.data_sha256),
        ("Generated by", report.generated_by),
    ]
    if report.peers is not None:
        facts.append(("Similar sized organisations", report.peers.method))
    return facts


def _write_table(sheet: Worksheet, table: Table, report: Report, formats: _Formats) -> None:
    _text(sheet, 0, 0, table.title, formats.title)
    _text(sheet, 1, 0, report.confidential_header)
    if report.illustrative:
        _text(sheet, 2, 0, ILLUSTRATIVE_BANNER, formats.banner)
    sheet.write_blank(HEADER_ROW, 0, None, formats.header)
    for index, column in enumerate(table.columns, start=1):
        _text(sheet, HEADER_ROW, index, column.label, formats.header)
    for offset, row in enumerate(table.rows, start=1):
        at = HEADER_ROW + offset
        _text(sheet, at, 0, row.label, formats.bold if row.is_total else None)
        for index, (column, cell) in enumerate(zip(table.columns, row.cells, strict=True), start=1):
            _write_cell(sheet, at, index, column, cell, row.is_total, formats)
    notes_row = HEADER_ROW + len(table.rows) + 2
    for offset, note in enumerate(table.notes):
        _text(sheet, notes_row + offset, 0, note, formats.note)
    sheet.freeze_panes(HEADER_ROW + 1, 1)
    _set_widths(sheet, table)
    _print_setup(sheet, report)


def _write_cell(
    sheet: Worksheet, row: int, col: int, column: Column, cell: Cell, bold: bool, formats: _Formats
) -> None:
    if is_number(column, cell):
        assert cell.value is not None
        sheet.write_number(row, col, cell.value, formats.cell(number_format(column, cell), bold, right=False))
    else:  # suppressed, not available, or text: exactly what the report shows
        _text(sheet, row, col, cell.display, formats.cell(None, bold, right=column.kind != "text"))


def is_number(column: Column, cell: Cell) -> bool:
    """Whether the cell is written as a number (never when suppressed)."""
    return (
        not cell.suppressed
        and column.kind != "text"
        and isinstance(cell.value, int | float)
        and not isinstance(cell.value, bool)
        and math.isfinite(cell.value)
    )


def _set_widths(sheet: Worksheet, table: Table) -> None:
    labels = [len(row.label) for row in table.rows]
    sheet.set_column(0, 0, _clamp(max(labels, default=10) + 2, 14, 60))
    for index, column in enumerate(table.columns, start=1):
        widest_value = max((len(row.cells[index - 1].display) for row in table.rows), default=0)
        header_words = max((len(word) for word in column.label.split()), default=0)
        sheet.set_column(
            index, index, _clamp(max(widest_value, header_words, len(column.label) // 2) + 3, 10, 40)
        )


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
