"""A small hand-built report with every kind of block, for renderer tests.

The planted hidden count is 3 (dentists): it must appear in no rendering.
"""

from __future__ import annotations

from concerns.disclosure import get_policy
from concerns.report import (
    BulletList,
    Callout,
    Cell,
    Chart,
    Column,
    Heading,
    KeyMessages,
    OrgInfo,
    Paragraph,
    PeerInfo,
    Report,
    Row,
    Section,
    Table,
    Tile,
    Tiles,
)
from concerns.report._build._organisation import organisation_line
from concerns.report._build._tables import disclosure_note, symbol_meanings

HIDDEN_DENTISTS = 3

CHART_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" role="img">'
    '<rect x="0" y="0" width="160" height="20" fill="#005eb8"/>'
    '<text x="4" y="40" font-family="Arial">Doctors 40</text></svg>'
)


STANDARD = get_policy("standard")


def count(n: int) -> Cell:
    return Cell(str(n), n)


def hidden(symbol: str = "<5") -> Cell:
    return Cell(symbol, None, True)


def profession_table() -> Table:
    return Table(
        id="profession",
        title="Cases by profession",
        columns=(Column("cases", "Cases"), Column("share", "Share of cases", kind="share")),
        rows=(
            Row("doctor", "Doctor", (count(40), Cell("72.7%", 0.727))),
            Row("dentist", "Dentist", (hidden(), hidden("–"))),
            Row("pharmacist", "Pharmacist", (hidden("*"), hidden("–"))),
            Row("total", "All cases", (count(55), Cell("100.0%", 1.0)), is_total=True),
        ),
        notes=("<5: fewer than 5 cases. *: hidden so that a smaller number cannot be worked out.",),
    )


def years_table() -> Table:
    years = [("2020/21", 9), ("2021/22", 11), ("2022/23", 12), ("2023/24", 10), ("2024/25", 13)]
    return Table(
        id="cases_by_year",
        title="Cases by financial year",
        columns=(Column("organisation", "This organisation"), Column("peer_median", "Similar sized median")),
        rows=(
            *(Row(year, year, (count(n), Cell("8.5", 8.5))) for year, n in years),
            Row("total", "All years", (count(55), Cell("42.5", 42.5)), is_total=True),
        ),
    )


def sample_report(illustrative: bool = True) -> Report:
    profession = profession_table()
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": [{"profession": "Doctor", "cases": 40}]},
        "mark": "bar",
        "encoding": {"y": {"field": "profession"}, "x": {"field": "cases", "type": "quantitative"}},
    }
    sections = (
        Section(
            "at_a_glance",
            "At a glance",
            (
                Tiles((Tile("Cases", "55", "2020/21 to 2024/25"), Tile("Trend", "No clear trend"))),
                KeyMessages(("Cases were stable over the five years.",)),
            ),
        ),
        Section(
            "who",
            "Who is referred",
            (
                Heading("Profession"),
                Paragraph("Most cases were about doctors: 40 of 55 cases."),
                Chart(
                    "profession_chart",
                    "Cases by profession",
                    "Bar chart: doctors 40 cases; dentists and pharmacists fewer than 5 or hidden.",
                    spec,
                    CHART_SVG,
                    "profession",
                ),
                profession,
                years_table(),
                Callout("Team review", "Where concerns point to a team, a team review may help.", "signpost"),
                BulletList(("How does the board review this profile?", "Who owns the actions?")),
            ),
        ),
    )
    return Report(
        kind="organisation",
        title="Organisational activity report",
        org=OrgInfo(
            "X001",
            "Northmoor Valley Hospitals NHS Trust",
            "acute",
            "england",
            organisation_line("acute", "england"),
        ),
        fiscal_years=("2020/21", "2021/22", "2022/23", "2023/24", "2024/25"),
        as_of="2025-06-30",
        generated_by="concerns 0.1.0",
        data_sha256="0" * 64,
        policy="standard",
        threshold=5,
        peers=PeerInfo("Ten acute trusts nearest in size.", (("X002", "Eastbrook Hospitals NHS Trust"),)),
        key_messages=("Cases were stable over the five years.",),
        sections=sections,
        illustrative=illustrative,
        disclosure_note=disclosure_note(STANDARD),
        symbols=symbol_meanings(STANDARD),
    )
