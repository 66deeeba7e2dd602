"""The HTML report: every block, no hidden count, self-contained, deterministic, accessible markup."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from concerns.report import (
    ILLUSTRATIVE_BANNER,
    Callout,
    Cell,
    Chart,
    Heading,
    Paragraph,
    Report,
    Row,
    Section,
    Table,
)
from concerns.report.render._html import render_html
from tests.report.sample import CHART_SVG, HIDDEN_DENTISTS, sample_report

ROOT = Path(__file__).resolve().parents[2]


# A small DOM: enough to ask questions of the page without a browser.

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text for child in self.children)

    @property
    def clean_text(self) -> str:
        return " ".join(self.text.split())

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and (cls is None or cls in element.classes)
            and all(element.attrs.get(name.replace("_", "-")) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}>"
        return found[0]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: bytes) -> Element:
    builder = TreeBuilder()
    builder.feed(html.decode("utf-8"))
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


@pytest.fixture(scope="module")
def sample_html() -> bytes:
    return render_html(sample_report())


@pytest.fixture(scope="module")
def page(sample_html: bytes) -> Element:
    return parse(sample_html)


def with_blocks(report: Report, *blocks) -> Report:
    """The report with one more section holding these blocks."""
    return dataclasses.replace(report, sections=(*report.sections, Section("extra", "Extra", blocks)))


# Every block type of the model.


def test_it_renders_headings_paragraphs_and_lists(page: Element) -> None:
    assert "Profession" in [h3.clean_text for h3 in page.find_all("h3")]
    assert "Most cases were about doctors: 40 of 55 cases." in [p.clean_text for p in page.find_all("p")]
    items = [li.clean_text for ul in page.find_all("ul", "list") for li in ul.find_all("li")]
    assert "How does the board review this profile?" in items
    assert "Who owns the actions?" in items


def test_it_renders_key_messages_once(page: Element) -> None:
    panels = page.find_all("div", "key-messages")
    assert len(panels) == 1  # the section's block; the report's own copy is not repeated
    assert panels[0].find("li").clean_text == "Cases were stable over the five years."


def test_it_renders_the_report_key_messages_when_no_section_has_them() -> None:
    report = sample_report()
    sections = tuple(
        dataclasses.replace(section, blocks=tuple(b for b in section.blocks if b.type != "key_messages"))
        for section in report.sections
    )
    page = parse(render_html(dataclasses.replace(report, sections=sections)))
    panel = page.find("section", id="section-key-messages")
    assert panel.find("h2").clean_text == "Key messages"
    assert [li.clean_text for li in panel.find_all("li")] == list(report.key_messages)
    assert page.find("a", href="#section-key-messages")


def test_it_renders_tiles_as_label_value_pairs(page: Element) -> None:
    tiles = page.find("dl", "tiles").find_all("div", "tile")
    assert [(t.find("dt").clean_text, t.find("dd", "tile__value").clean_text) for t in tiles] == [
        ("Cases", "55"),
        ("Trend", "No clear trend"),
    ]
    assert tiles[0].find("dd", "tile__note").clean_text == "2020/21 to 2024/25"


@pytest.mark.parametrize("kind", ["info", "warning", "signpost"])
def test_it_renders_each_kind_of_callout(kind: str) -> None:
    report = with_blocks(sample_report(), Callout(f"A {kind} title", f"The {kind} text.", kind))
    callout = parse(render_html(report)).find("section", id="section-extra").find("div", f"callout--{kind}")
    assert callout.find("p").clean_text == f"The {kind} text."
    assert callout.find(cls="callout__title").clean_text.endswith(f"A {kind} title")


def test_it_renders_a_chart_as_a_named_image_with_its_table(page: Element) -> None:
    chart = sample_report().charts()[0]
    figure = page.find("figure", "chart")
    svg = figure.find("svg")
    assert svg.attrs["role"] == "img"
    names = [page.find(id=ref).clean_text for ref in svg.attrs["aria-labelledby"].split()]
    assert names == [chart.title, chart.alt]
    assert figure.find("figcaption").clean_text == chart.title
    link = figure.find("a")
    assert link.attrs["href"] == f"#table-{chart.table_id}"
    assert page.find("table", id=f"table-{chart.table_id}").find("caption").clean_text == link.clean_text


def test_it_renders_every_table_with_its_notes(page: Element) -> None:
    report = sample_report()
    captions = [caption.clean_text for caption in page.find_all("caption")]
    assert captions == [table.title for table in report.tables()]
    notes = page.find(id="table-profession-notes")
    assert [li.clean_text for li in notes.find_all("li")] == list(report.table("profession").notes)
    assert page.find("table", id="table-profession").attrs["aria-describedby"] == "table-profession-notes"


def test_it_prints_no_table_that_has_nothing_to_show() -> None:
    report = sample_report()
    withheld = dataclasses.replace(report.table("profession"), printed=False)
    sections = tuple(
        dataclasses.replace(
            section, blocks=tuple(withheld if b == report.table("profession") else b for b in section.blocks)
        )
        for section in report.sections
    )
    page = parse(render_html(dataclasses.replace(report, sections=sections)))
    captions = [caption.clean_text for caption in page.find_all("caption")]
    assert withheld.title not in captions
    assert len(captions) == len(report.tables()) - 1
    assert "table-profession" not in [table.attrs.get("id") for table in page.find_all("table")]


def test_it_lists_the_peers(page: Element) -> None:
    peers = page.find("section", id="section-peers")
    assert "Ten acute trusts nearest in size." in peers.clean_text
    assert [li.clean_text for li in peers.find_all("li")] == ["Eastbrook Hospitals NHS Trust"]


# Disclosure: the planted hidden count appears nowhere.


def _numbers_anywhere(page: Element) -> set[str]:
    """Every number in the page's text and attribute values (the stylesheet aside)."""
    numbers: set[str] = set()
    for element in page.iter():
        if element.tag == "style":
            continue
        texts = [child for child in element.children if isinstance(child, str)]
        for text in [*texts, *element.attrs.values()]:
            numbers.update(re.findall(r"(?<![A-Za-z0-9.])\d+(?:\.\d+)?", text))  # not "w3" in a URL
    return numbers


def test_it_never_shows_the_hidden_count(page: Element) -> None:
    numbers = _numbers_anywhere(page)
    assert {"40", "55", "72.7"} <= numbers  # the shown figures are found, so the search works
    assert str(HIDDEN_DENTISTS) not in numbers


def test_it_prints_only_the_display_text_of_a_suppressed_cell() -> None:
    # A model that (wrongly) kept the hidden value must still not leak it through this renderer.
    report = sample_report()
    profession = report.table("profession")
    leaky_row = Row("dentist", "Dentist", (Cell("<5", HIDDEN_DENTISTS, True), Cell("–", 0.055, True)))
    leaky = dataclasses.replace(profession, rows=(profession.rows[0], leaky_row, *profession.rows[2:]))
    sections = tuple(
        dataclasses.replace(s, blocks=tuple(leaky if b is profession else b for b in s.blocks))
        for s in report.sections
    )
    page = parse(render_html(dataclasses.replace(report, sections=sections)))
    assert str(HIDDEN_DENTISTS) not in _numbers_anywhere(page)
    assert "0.055" not in _numbers_anywhere(page)


def test_it_explains_suppressed_cells(sample_html: bytes, page: Element) -> None:
    dentist = next(tr for tr in page.find_all("tr") if tr.find("th").clean_text == "Dentist")
    abbr = dentist.find("abbr")
    assert (abbr.clean_text, abbr.attrs["title"]) == ("<5", "fewer than 5")
    assert b'<abbr title="fewer than 5">&lt;5</abbr>' in sample_html
    pharmacist = next(tr for tr in page.find_all("tr") if tr.find("th").clean_text == "Pharmacist")
    assert "cannot be worked out" in pharmacist.find("abbr").attrs["title"]


# The banner, the cover and the confidential header.


def test_it_shows_the_banner_only_on_illustrative_reports() -> None:
    illustrative = parse(render_html(sample_report(illustrative=True)))
    real = render_html(sample_report(illustrative=False))
    assert illustrative.find("header").find(cls="banner").clean_text == ILLUSTRATIVE_BANNER
    assert ILLUSTRATIVE_BANNER.encode() not in real
    assert not parse(real).find_all(cls="banner")


def test_it_puts_the_confidential_header_and_banner_on_every_printed_page(page: Element) -> None:
    report = sample_report()
    print_css = next(style for style in page.find_all("style") if style.attrs.get("media") == "print").text
    top = re.search(r"@top-left \{ content: (.*?); \}", print_css)
    assert top is not None
    assert re.findall(r'"([^"]*)"', top.group(1)) == [report.confidential_header, "\\a", ILLUSTRATIVE_BANNER]
    assert 'counter(page) " of " counter(pages)' in print_css


def test_it_shows_the_cover_information(page: Element) -> None:
    report = sample_report()
    cover = {
        row.find("dt").clean_text: row.find("dd").clean_text
        for row in page.find_all("div", "summary-list__row")
    }
    assert report.org is not None
    assert cover["Prepared for"].startswith(f"{report.org.name} ({report.org.code})")
    assert "Acute trust, England" in cover["Prepared for"]
    assert cover["Period"] == f"Financial years {report.period_label}"
    assert cover["Data as of"] == "30 June 2025"
    assert cover["Your link adviser"] == report.link_adviser
    assert cover["Version"] == report.generated_by
    assert cover["Data fingerprint"].startswith(report.data_sha256)
    assert page.find("strong", "tag").clean_text == "Confidential"
    assert page.find("header").find(cls="header__confidential").clean_text == report.confidential_header
    assert page.find("footer").find(cls="footer__confidential").clean_text == report.confidential_header
    assert report.org.name in page.find("title").clean_text


def test_it_renders_a_national_report_without_organisation_or_peers() -> None:
    national = dataclasses.replace(sample_report(), kind="national", org=None, peers=None)
    page = parse(render_html(national))
    assert page.find(cls="header__confidential").clean_text == "Confidential — prepared for NHS Resolution"
    assert not page.find_all(id="section-peers")
    assert page.find("h1").clean_text == national.title


# Self-contained and safe.


def test_it_is_self_contained(sample_html: bytes, page: Element) -> None:
    text = sample_html.decode("utf-8")
    for tag in ("script", "link", "img", "iframe", "object", "embed", "video", "audio", "source"):
        assert not page.find_all(tag), f"<{tag}> in the page"
    assert not [element.tag for element in page.iter() if "src" in element.attrs]
    hrefs = [element.attrs["href"] for element in page.iter() if "href" in element.attrs]
    assert hrefs and all(href.startswith("#") for href in hrefs)
    assert "@import" not in text
    assert re.findall(r"url\((?!#)", text) == []
    outside = [
        m.group(0) for m in re.finditer(r'(\S+=")?https?://', text) if not m.group(0).startswith("xmlns")
    ]
    assert outside == []
    assert (
        page.find("meta", http_equiv="Content-Security-Policy")
        .attrs["content"]
        .startswith("default-src 'none'")
    )


def test_it_escapes_every_text_it_is_given() -> None:
    hostile = 'Trust "A" </style><script>alert(1)</script> & <b>'
    report = sample_report()
    assert report.org is not None
    report = dataclasses.replace(report, org=dataclasses.replace(report.org, name=hostile))
    report = with_blocks(report, Paragraph(hostile), Heading(hostile))
    html = render_html(report)
    page = parse(html)
    assert not page.find_all("script") and not page.find_all("b")
    assert html.count(b"</style>") == len(page.find_all("style")) == 2
    assert hostile in [p.clean_text for p in page.find_all("p")]


def test_it_gives_every_element_its_own_id(page: Element) -> None:
    report = sample_report()
    twice = dataclasses.replace(report.charts()[0], id="profession_chart_again")
    svg_with_ids = (
        '<?xml version="1.0"?><!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg" width="90" height="30" '
        'aria-label="old name"><defs><clipPath id="clip1"><rect width="9" height="9"/></clipPath></defs>'
        '<rect clip-path="url(#clip1)" width="90" height="30"/></svg>'
    )
    charts = [dataclasses.replace(twice, id=f"chart{n}", svg=svg_with_ids) for n in (1, 2)]
    html = render_html(with_blocks(report, *charts))
    ids = [element.attrs["id"] for element in parse(html).iter() if "id" in element.attrs]
    assert len(ids) == len(set(ids))
    assert b"<?xml" not in html and b"<!DOCTYPE svg" not in html and b"old name" not in html
    for n in (1, 2):
        assert f'<clipPath id="chart-chart{n}-clip1">'.encode() in html
        assert f'clip-path="url(#chart-chart{n}-clip1)"'.encode() in html
    assert b'viewBox="0 0 90 30"' in html


def test_it_renders_a_chart_whose_table_is_missing_without_a_broken_link() -> None:
    orphan = Chart("orphan", "Orphan chart", "A chart on its own.", {}, CHART_SVG, "no_such_table")
    figure = parse(render_html(with_blocks(sample_report(), orphan))).find("figure", id="chart-orphan")
    assert not figure.find_all("a")


# Deterministic.


def test_it_gives_the_same_bytes_for_the_same_report(sample_html: bytes) -> None:
    assert render_html(sample_report()) == sample_html
    assert render_html(sample_report()) == render_html(sample_report())


def test_it_gives_the_same_bytes_in_another_process(sample_html: bytes) -> None:
    # Another hash seed: no set or dict order may leak into the page.
    code = (
        "import hashlib; from tests.report.sample import sample_report; "
        "from concerns.report.render._html import render_html; "
        "print(hashlib.sha256(render_html(sample_report())).hexdigest())"
    )
    digest = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    ).stdout.strip()
    assert digest == hashlib.sha256(sample_html).hexdigest()


# Accessible structure.


def _heading_levels(page: Element) -> list[int]:
    return [int(element.tag[1]) for element in page.iter() if re.fullmatch(r"h[1-6]", element.tag)]


def test_it_keeps_heading_levels_in_order(page: Element) -> None:
    levels = _heading_levels(page)
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(levels))


def test_it_keeps_heading_levels_in_order_whatever_the_blocks_ask_for() -> None:
    blocks = (
        Heading("Too deep", level=5),
        Callout("Callout", "Text."),
        Heading("Too high", level=2),
        Heading("Deeper", level=4),
        Heading("Deepest", level=6),
        Callout("After", "Text.", "warning"),
    )
    page = parse(render_html(with_blocks(sample_report(), *blocks)))
    extra = page.find("section", id="section-extra")
    assert _heading_levels(extra) == [2, 3, 4, 3, 4, 5, 6]
    levels = _heading_levels(page)
    assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(levels))


def test_it_has_landmarks_a_skip_link_and_contents(page: Element) -> None:
    html = page.find("html")
    assert html.attrs["lang"] == "en-GB"
    body = page.find("body")
    first = next(child for child in body.children if isinstance(child, Element))
    assert (first.tag, first.attrs["href"]) == ("a", "#main-content")
    assert page.find("main").attrs["id"] == "main-content"
    assert len(page.find_all("header")) == len(page.find_all("footer")) == len(page.find_all("main")) == 1
    contents = [a.attrs["href"] for a in page.find("nav").find_all("a")]
    sections = [f"#{section.attrs['id']}" for section in page.find_all("section")]
    assert contents == sections


def test_it_marks_up_tables_with_headers_totals_and_numeric_columns(page: Element) -> None:
    report = sample_report()
    for model in report.tables():
        table = page.find("table", id=f"table-{model.id}")
        column_headers = table.find("thead").find_all("th")
        assert [(th.attrs["scope"], th.clean_text) for th in column_headers] == [
            ("col", column.label) for column in model.columns
        ]
        rows = table.find_all("tr")[1:]  # after the header row, in document order: body then foot
        assert [(tr.find("th").attrs["scope"], tr.find("th").clean_text) for tr in rows] == [
            ("row", row.label) for row in model.rows
        ]
        totals = [row.label for row in model.rows if row.is_total]
        assert [tr.find("th").clean_text for tr in table.find("tfoot").find_all("tr", "total")] == totals
        assert all("num" in td.classes for td in table.find_all("td") if "table__corner" not in td.classes)


def test_it_keeps_a_total_row_in_place_when_ordinary_rows_follow_it() -> None:
    table = Table(
        "mixed",
        "Subtotals",
        sample_report().table("profession").columns,
        rows=(
            Row("a", "A", (Cell("6", 6), Cell("50.0%", 0.5))),
            Row("sub", "Subtotal", (Cell("6", 6), Cell("50.0%", 0.5)), is_total=True),
            Row("b", "B", (Cell("6", 6), Cell("50.0%", 0.5))),
        ),
    )
    rendered = parse(render_html(with_blocks(sample_report(), table))).find("table", id="table-mixed")
    assert not rendered.find_all("tfoot")
    assert [
        (tr.find("th").clean_text, "total" in tr.classes) for tr in rendered.find("tbody").find_all("tr")
    ] == [
        ("A", False),
        ("Subtotal", True),
        ("B", False),
    ]
