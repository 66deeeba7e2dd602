"""The document model: one report, every format.

Report → sections → blocks. The builder turns analysis results into this model,
applying disclosure control as it goes; renderers (HTML, PDF, XLSX, JSON) read
only the model. A value that is suppressed is absent from the model: a
suppressed cell has `value=None` and a `display` such as "<5", and a chart's
data never holds it, so no renderer can leak it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA = "concerns.report/1"
ILLUSTRATIVE_BANNER = "Illustrative figures — not representative of any organisation"
NOT_STATED_SHOWN = (
    "Counts of cases where a characteristic was not stated are never hidden for being small: they describe "
    "how records were kept, not people. One may be hidden (*) so that another, small count cannot be worked out."
)
GENERAL_CONTACT = (
    "Practitioner Performance Advice, NHS Resolution: contact the service through resolution.nhs.uk, "
    "which will put you in touch with your link adviser"
)


@dataclass(frozen=True)
class Cell:
    display: str  # what a reader sees: "12", "<5", "*", "30.4%", "–"
    value: float | int | None  # None when suppressed or not available
    suppressed: bool = False


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    is_total: bool = False
    kind: Literal["count", "share", "rate", "ratio", "interval", "text"] = "count"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]
    is_total: bool = False
    # A row that combines small groups (key "dentist+pharmacist"): each group's (code, label). report.json
    # lists the groups after it, marked as counted in it, so that every code the contract names has a row.
    members: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Table:
    id: str  # stable: report.json's required ids (cases_by_year, grade, ...) among them
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()  # footnotes, e.g. what "<5" and "*" mean here
    type: Literal["table"] = "table"
    printed: bool = True  # False: every count is hidden, so HTML and PDF print a sentence in its place
    # A detail a board does not need: folded away in the HTML, in the spreadsheet and report.json, and
    # left out of the PDF, which says where it is.
    detail: bool = False

    def column_index(self, key: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.key == key)

    def cell(self, row_key: str, column_key: str) -> Cell:
        row = next(row for row in self.rows if row.key == row_key)
        return row.cells[self.column_index(column_key)]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 3
    type: Literal["heading"] = "heading"


@dataclass(frozen=True)
class Paragraph:
    text: str
    type: Literal["paragraph"] = "paragraph"


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]
    type: Literal["list"] = "list"


@dataclass(frozen=True)
class KeyMessages:
    items: tuple[str, ...]
    type: Literal["key_messages"] = "key_messages"


@dataclass(frozen=True)
class Tile:
    label: str
    value: str  # display text, already suppression-safe
    note: str = ""


@dataclass(frozen=True)
class Tiles:
    tiles: tuple[Tile, ...]
    type: Literal["tiles"] = "tiles"


@dataclass(frozen=True)
class Callout:
    title: str
    text: str
    kind: Literal["info", "warning", "signpost"] = "info"
    type: Literal["callout"] = "callout"


@dataclass(frozen=True)
class Chart:
    """A chart: its Vega-Lite spec (data inline, suppression-safe), SVG, text alternative, data table."""

    id: str
    title: str
    alt: str  # the text alternative: what the chart shows, in words, suppression-safe
    spec: dict[str, Any]  # Vega-Lite; travels in report.json so analysts can redraw it
    svg: str  # the rendered chart, deterministic
    table_id: str  # the table that holds the same data, for readers who cannot see the chart
    type: Literal["chart"] = "chart"


Block = Heading | Paragraph | BulletList | KeyMessages | Tiles | Callout | Chart | Table


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class OrgInfo:
    code: str
    name: str
    org_type: str
    nation: str
    description: str = ""  # "Acute trust, England": its type and nation in words


@dataclass(frozen=True)
class PeerInfo:
    method: str
    organisations: tuple[tuple[str, str], ...]  # (code, name), nearest first


@dataclass(frozen=True)
class Report:
    kind: Literal["organisation", "national", "summary"]  # summary: an organisation's, for a board paper
    title: str
    org: OrgInfo | None
    fiscal_years: tuple[str, ...]
    as_of: str  # ISO date
    generated_by: str  # "concerns 0.1.0"
    data_sha256: str
    policy: str
    threshold: int
    peers: PeerInfo | None
    key_messages: tuple[str, ...]
    sections: tuple[Section, ...]
    illustrative: bool  # demo data: every page carries ILLUSTRATIVE_BANNER
    link_adviser: str = GENERAL_CONTACT  # the organisation's link adviser, or the service's general contact
    meta: dict[str, Any] = field(default_factory=dict)
    findings: dict[str, Any] = field(default_factory=dict)  # report-json.md's `findings`, disclosure-safe
    legend: tuple[
        str, ...
    ] = ()  # the symbol notes every table shares: the PDF prints them once, at the front
    disclosure_note: str = ""  # what the disclosure policy hides and how, in a sentence or two
    symbols: tuple[tuple[str, str], ...] = ()  # (symbol, what it stands for) of a hidden or missing figure

    @property
    def period_label(self) -> str:
        return f"{self.fiscal_years[0]} to {self.fiscal_years[-1]}"

    @property
    def confidential_header(self) -> str:
        who = self.org.name if self.org else "NHS Resolution"
        if self.kind == "summary":
            return f"Board summary for {who}: may be published in board papers"
        return f"Confidential — prepared for {who}"

    def tables(self) -> list[Table]:
        return [block for section in self.sections for block in section.blocks if isinstance(block, Table)]

    def charts(self) -> list[Chart]:
        return [block for section in self.sections for block in section.blocks if isinstance(block, Chart)]

    def table(self, table_id: str) -> Table:
        return next(table for table in self.tables() if table.id == table_id)
