"""The PDF: cover, contents, every block, banner and header on every page, no hidden count, PDF/UA."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from concerns.report import (
    ILLUSTRATIVE_BANNER,
    Cell,
    Column,
    Heading,
    OrgInfo,
    Paragraph,
    Report,
    Row,
    Section,
    Table,
)
from concerns.report.render import _pdf
from concerns.report.render._pdf import (
    PdfRenderError,
    glossary_term,
    heading_level,
    render_pdf,
    svg_wider_than_text,
)
from tests.report import layout
from tests.report.sample import HIDDEN_DENTISTS, count, sample_report

NASTY_NAME = "St Mary's & St John's #1 *trust* <5 $x$ @ref _u_ [link] // \\ `code` <b>"


def _need(tool: str) -> None:
    """poppler-utils reads the PDFs back: a hard failure in CI, a loud skip elsewhere."""
    if shutil.which(tool) is None:
        message = f"{tool} not found: install the Debian package poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def pdf_file(tmp_path_factory: pytest.TempPathFactory, report: Report, name: str) -> Path:
    path = tmp_path_factory.mktemp("pdf") / f"{name}.pdf"
    path.write_bytes(render_pdf(report))
    return path


def text_of(path: Path, page: int | None = None) -> str:
    """The PDF's text (of one page if asked), whitespace collapsed."""
    _need("pdftotext")
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(result.stdout.split())


def page_count(path: Path) -> int:
    _need("pdfinfo")
    result = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", result.stdout, re.MULTILINE).group(1))


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> Path:
    return pdf_file(tmp_path_factory, sample_report(), "sample")


@pytest.fixture(scope="module")
def sample_text(sample_pdf) -> str:
    return text_of(sample_pdf)


def test_it_puts_the_organisation_period_and_classification_on_the_cover(sample_pdf):
    cover = text_of(sample_pdf, page=1)
    report = sample_report()
    assert "Northmoor Valley Hospitals NHS Trust" in cover
    assert "2020/21 to 2024/25" in cover
    assert "30 June 2025" in cover
    assert "Classification Confidential" in cover
    assert "concerns 0.1.0" in cover
    assert report.data_sha256 in cover
    assert report.link_adviser in cover
    assert "Who it is for" in cover
    assert "How to read it" in cover


def test_it_has_a_table_of_contents_listing_the_sections_on_the_cover(sample_pdf):
    contents = text_of(sample_pdf, page=1)
    assert contents.startswith(sample_report().confidential_header)
    assert "Contents" in contents
    assert re.search(r"At a glance[ .\u2060]*2\b", contents)  # a word joiner precedes the page number
    # Later sections run on when most of a page is left: the contents give the page each one is on.
    page = int(re.search(r"Who is referred[ .\u2060]*(\d+)\b", contents).group(1))
    assert "Who is referred" in text_of(sample_pdf, page=page).split("Who is referred. .")[-1]


def test_it_carries_the_header_banner_and_page_number_on_every_page(sample_pdf):
    pages = page_count(sample_pdf)
    assert pages >= 2  # cover with contents, then the sections
    header = sample_report().confidential_header
    for page in range(1, pages + 1):
        text = text_of(sample_pdf, page)
        assert header in text, page
        assert ILLUSTRATIVE_BANNER in text, page
        assert f"Page {page} of {pages}" in text, page


def test_it_leaves_the_banner_out_of_real_reports(tmp_path_factory):
    path = pdf_file(tmp_path_factory, sample_report(illustrative=False), "real")
    text = text_of(path)
    assert "Illustrative" not in text
    assert sample_report().confidential_header in text


def test_it_prints_every_kind_of_block(sample_pdf, sample_text):
    # Tiles side by side: pdftotext reads them line by line across the row.
    assert "At a glance Cases Trend 55 No clear trend 2020/21 to 2024/25" in text_of(sample_pdf, page=2)
    for expected in (
        "Key messages • Cases were stable over the five years.",
        "Profession Most cases were about doctors: 40 of 55 cases.",  # heading, paragraph
        "Doctors 40",  # the chart's SVG, as text
        "Figure 1: Cases by profession",
        "Team review Where concerns point to a team",  # callout
        "• How does the board review this profile? • Who owns the actions?",
    ):
        assert expected in sample_text


def test_it_prints_the_legend_every_table_shares_once_on_the_cover(tmp_path_factory):
    report = sample_report()
    note = report.table("profession").notes[0]
    path = pdf_file(tmp_path_factory, dataclasses.replace(report, legend=(note,)), "legend")
    cover, rest = text_of(path, page=1), text_of(path).split("Page 1 of", 1)[1]
    assert "In the tables: " + note in cover
    assert note not in rest  # not repeated under the table


def test_it_prints_the_tables_with_their_displays_and_notes(sample_text):
    assert "Table 1: Cases by profession Cases Share of cases" in sample_text
    assert "Doctor 40 72.7%" in sample_text
    assert "Dentist <5 –" in sample_text
    assert "Pharmacist * –" in sample_text
    assert "All cases 55 100.0%" in sample_text
    assert "<5: fewer than 5 cases." in sample_text
    assert "2024/25 13 8.5 All years 55 42.5" in sample_text


def test_it_never_prints_the_hidden_count(sample_text):
    assert "Dentist <5" in sample_text
    assert not re.search(rf"Dentist\D{{0,3}}{HIDDEN_DENTISTS}\b", sample_text)
    assert f"{HIDDEN_DENTISTS} dentist" not in sample_text.lower()


def test_it_embeds_every_font(sample_pdf):
    _need("pdffonts")
    lines = subprocess.run(["pdffonts", str(sample_pdf)], capture_output=True, text=True, check=True).stdout
    fonts = lines.splitlines()[2:]
    assert any("DejaVuSans" in line for line in fonts)
    for line in fonts:
        embedded = line.split()[-5]  # name type encoding emb sub uni object-id (two fields)
        assert embedded == "yes", line


def test_it_claims_pdf_ua_and_is_tagged(sample_pdf):
    pdf = sample_pdf.read_bytes()
    assert b"<pdfuaid:part>1</pdfuaid:part>" in pdf
    assert b"/StructTreeRoot" in pdf
    assert b"/Lang(en-GB)" in pdf


def test_it_refuses_a_chart_without_alt_text():
    report = sample_report()
    blindfolded = dataclasses.replace(report.charts()[0], alt="")
    sections = (Section("who", "Who is referred", (blindfolded,)),)
    with pytest.raises(PdfRenderError, match="alt"):
        render_pdf(dataclasses.replace(report, sections=sections))


def test_it_prints_a_name_full_of_markup_characters_literally(tmp_path_factory):
    report = dataclasses.replace(sample_report(), org=OrgInfo("X009", NASTY_NAME, "acute", "england"))
    text = text_of(pdf_file(tmp_path_factory, report, "nasty"), page=1)
    assert f"Confidential — prepared for {NASTY_NAME}" in text


def test_it_breaks_a_long_table_across_pages_and_repeats_its_header(tmp_path_factory):
    rows = tuple(Row(f"r{n}", f"Row {n}", (count(n),)) for n in range(1, 121))
    table = Table("long", "A long table", (Column("cases", "Number of cases"),), rows)
    report = dataclasses.replace(sample_report(), sections=(Section("long", "Long", (table,)),))
    path = pdf_file(tmp_path_factory, report, "long")
    first, second = text_of(path, page=2), text_of(path, page=3)
    assert "Row 1 1 " in first and "Number of cases" in first
    assert "Row 120 120" in text_of(path) and "Number of cases" in second
    assert re.search(r"Number of cases Row \d+ \d+", second)


def test_it_gives_the_same_bytes_for_the_same_report_in_another_process(sample_pdf):
    assert render_pdf(sample_report()) == sample_pdf.read_bytes()
    script = (
        "import sys; from concerns.report.render._pdf import render_pdf; "
        "from tests.report.sample import sample_report; sys.stdout.buffer.write(render_pdf(sample_report()))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    ).stdout
    assert other == sample_pdf.read_bytes()


def test_it_tags_the_chart_as_a_figure_with_its_alt_text(sample_pdf):
    _need("pdfinfo")
    structure = subprocess.run(
        ["pdfinfo", "-struct", str(sample_pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "Figure" in structure
    assert b"/Alt(" + sample_report().charts()[0].alt.encode("ascii") + b")" in sample_pdf.read_bytes()


@pytest.mark.parametrize(
    ("model_level", "previous", "expected"), [(3, 1, 2), (6, 1, 2), (4, 2, 3), (1, 3, 2), (5, 4, 4)]
)
def test_it_never_skips_a_heading_level(model_level, previous, expected):
    assert heading_level(model_level, previous) == expected


def test_it_typesets_a_deep_heading_straight_under_a_section(tmp_path_factory):
    section = Section("deep", "Deep", (Heading("Very deep", 6), Paragraph("Text under it.")))
    path = pdf_file(tmp_path_factory, dataclasses.replace(sample_report(), sections=(section,)), "deep")
    assert "Deep Very deep Text under it." in text_of(path, page=2)


@pytest.mark.parametrize(
    ("root", "shrink"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">', False),
        ('<svg width="640px" height="60">', False),  # 480 pt: just fits the 482 pt column
        ("<svg height='60' width='700'>", True),
        ('<svg width="100%">', True),
        ('<svg viewBox="0 0 10 10">', True),
    ],
)
def test_it_shrinks_only_charts_wider_than_the_text(root, shrink):
    assert svg_wider_than_text(root + "</svg>") is shrink


def test_it_says_which_debian_package_to_install_when_the_font_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(_pdf, "FONT_DIRS", (tmp_path,))
    with pytest.raises(PdfRenderError, match="fonts-dejavu-core"):
        _pdf.font_dir()


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            "Case: A request for advice: one practitioner.",
            ["Case", "A request for advice: one practitioner."],
        ),
        ("<5: fewer than 5 cases.", ["<5", "fewer than 5 cases."]),
        ("No term here.", ["", "No term here."]),
    ],
)
def test_it_splits_a_glossary_entry_into_its_term_and_meaning(item, expected):
    assert glossary_term(item) == expected


def wide_table() -> Table:
    """Nine figure columns under long headers, and figures as wide as a batch prints."""
    labels = (
        "Cases",
        "Share of cases",
        "95% interval: from",
        "95% interval: to",
        "All organisations (national)",
    )
    columns = tuple(Column(f"c{i}", labels[i % len(labels)], kind="share") for i in range(9))
    cells = tuple(Cell("1,234,567", 1234567) for _ in columns)
    rows = tuple(Row(f"r{n}", f"Specialty and specialist (SAS) doctor {n}", cells) for n in range(6))
    return Table("wide", "A wide table", columns, rows)


def tall_table() -> Table:
    """Fourteen rows of long text: a short table by its rows that is taller than a page."""
    words = " ".join(["Practitioners aged 45 to 54 were more likely than practitioners aged 35 to 44."] * 4)
    columns = (
        Column("ratio", "Relative likelihood", kind="ratio"),
        Column("reading", "What it says", kind="text"),
    )
    rows = tuple(Row(f"r{n}", f"Comparison {n}", (Cell("1.12", 1.12), Cell(words, None))) for n in range(14))
    return Table(
        "tall", "A tall table", columns, rows, notes=("Relative likelihood: one share over another.",)
    )


def test_it_prints_no_header_or_figure_over_its_neighbour_in_a_wide_table(tmp_path_factory):
    _need("pdftotext")
    report = dataclasses.replace(sample_report(), sections=(Section("wide", "Wide", (wide_table(),)),))
    path = pdf_file(tmp_path_factory, report, "wide")
    assert layout.faults(path) == []
    assert "1,234,567" in text_of(path, page=2)


def test_it_breaks_a_table_taller_than_a_page_above_the_footer_and_repeats_its_header(tmp_path_factory):
    _need("pdftotext")
    report = dataclasses.replace(sample_report(), sections=(Section("tall", "Tall", (tall_table(),)),))
    path = pdf_file(tmp_path_factory, report, "tall")
    assert layout.faults(path) == []
    assert page_count(path) == 3
    last = text_of(path, page=3)
    assert re.search(
        r"Table 1: A tall table \(continued\) Relative likelihood What it says Comparison 1\d", last
    )  # the caption and the header, repeated
    assert "Comparison 13" in last
    assert "Relative likelihood: one share over another." in last  # the notes with the last rows


def test_it_leaves_a_detail_table_to_the_html_and_the_spreadsheet_and_says_so(tmp_path_factory):
    import json

    from concerns.report import render_json
    from concerns.report.render._html import render_html

    report = sample_report()
    who = report.sections[1]
    blocks = tuple(
        dataclasses.replace(block, detail=True)
        if isinstance(block, Table) and block.id == "cases_by_year"
        else block
        for block in who.blocks
    )
    report = dataclasses.replace(
        report, sections=(report.sections[0], dataclasses.replace(who, blocks=blocks))
    )
    text = text_of(pdf_file(tmp_path_factory, report, "detail"))
    assert "Cases by financial year" not in text.replace("“Cases by financial year”", "")
    assert "The table “Cases by financial year” is in the HTML report and the spreadsheet." in text
    assert "Cases by profession" in text  # the other table is printed
    html = render_html(report).decode("utf-8")
    folded = html[html.index('<details class="table-details">') :]
    assert folded.index("Show the table: Cases by financial year") < folded.index("</details>")
    tables = {t["id"]: t for t in json.loads(render_json(report))["tables"]}
    assert tables["cases_by_year"]["detail"] is True and tables["profession"]["detail"] is False
