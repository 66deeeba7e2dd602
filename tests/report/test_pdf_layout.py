"""Typesetting that never breaks: the PDFs of the demo batch, read back word by word (tests/report/layout.py),
have no word printed over another and nothing but the footer in the footer band.

Rendering all 220 organisations takes longer than the suite can spare on two cores, so by default a fixed
sample is rendered: the largest organisations (the widest figures in every table), the smallest (the most
hidden cells), and organisations spread evenly between, with the three the report issue names, and the
national report. CONCERNS_LAYOUT_ALL=1 renders every organisation.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import polars as pl
import pytest
import typst

from concerns.analytics import Settings, organisation_codes, prepare
from concerns.ingest import load
from concerns.report import BatchOptions, make_batch
from concerns.synth import SynthConfig, write
from tests.report import layout

pytestmark = pytest.mark.slow

DEMO_AS_OF = dt.date(2026, 12, 2)
# Planted clusters (their reports are the longest), the largest, a small one (5 cases).
NAMED = ("X680", "X763", "X997", "X498", "X222")
PAGE_LIMITS = {"organisation": 14, "national": 16}  # the report outline's
EACH_END = 8
BETWEEN = 24


def _need_pdftotext() -> None:
    if shutil.which("pdftotext") is None:
        message = "pdftotext not found: install the Debian package poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def sample(cases: pl.DataFrame, codes: list[str]) -> list[str]:
    """The organisations to render: the largest and smallest by cases, and an even spread between."""
    counts = dict(cases.group_by("org_code").len().iter_rows())
    ranked = sorted(codes, key=lambda code: (-counts.get(code, 0), code))
    middle = ranked[EACH_END:-EACH_END]
    step = len(middle) / BETWEEN
    spread = [middle[int(index * step)] for index in range(BETWEEN)]
    chosen = {*ranked[:EACH_END], *ranked[-EACH_END:], *spread, *(code for code in NAMED if code in codes)}
    return sorted(chosen)


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    _need_pdftotext()
    folder = tmp_path_factory.mktemp("layout")
    data = load(write(SynthConfig(as_of=DEMO_AS_OF), folder / "data"), today=DEMO_AS_OF)
    context = prepare(data, Settings.as_of(DEMO_AS_OF))
    codes = organisation_codes(context)
    chosen = codes if os.environ.get("CONCERNS_LAYOUT_ALL") == "1" else sample(data.cases, codes)
    options = BatchOptions(DEMO_AS_OF, formats=("pdf",), workers=2)
    make_batch(data, folder / "reports", options, codes=chosen, national=True)
    return folder / "reports"


@pytest.fixture(scope="module")
def read(batch) -> dict[Path, list[layout.Page]]:
    return {pdf: layout.pages(pdf) for pdf in sorted(batch.glob("*/report.pdf"))}


def test_it_renders_the_sample_and_the_national_report(read):
    expected = 220 if os.environ.get("CONCERNS_LAYOUT_ALL") == "1" else 40
    assert len(read) >= expected + 1
    assert {"national", *NAMED} <= {pdf.parent.name for pdf in read}


def test_it_prints_no_word_over_another_and_nothing_in_the_footer_band(read):
    found = [fault for pdf, pages in read.items() for fault in layout.faults(pdf, pages)]
    assert not found, f"{len(found)} faults, the first: " + "\n".join(found[:25])


def test_every_report_keeps_to_its_page_limit(read):
    for pdf, pages in read.items():
        limit = PAGE_LIMITS["national" if pdf.parent.name == "national" else "organisation"]
        assert len(pages) <= limit, (pdf.parent.name, len(pages))


def test_it_finds_the_footer_on_every_page(read):
    for pdf, pages in read.items():
        assert len(pages) >= 8, pdf  # a report of several pages (sections run on when a page has room)
        missing = [page.number for page in pages if not layout.footer_line(page)]
        assert not missing, (pdf, missing)


# --- the checker itself, on a page made to be broken ---------------------------------------------

BROKEN = """
#set page(paper: "a4", margin: (top: 2.3cm, bottom: 2.2cm, x: 2cm),
  footer: grid(columns: (1fr, auto), [Report · 2021/22], context [Page #counter(page).display() of 1]))
#grid(columns: (40pt, 40pt), [likelihood], [interval])
#place(dx: 0pt, dy: 60pt)[Overprinted] #place(dx: 20pt, dy: 61pt)[words]
#place(bottom + left, dy: 0.3cm)[Row in the footer]
Apart and fine.
"""


@pytest.fixture(scope="module")
def broken_pdf(tmp_path_factory) -> Path:
    _need_pdftotext()
    path = tmp_path_factory.mktemp("broken") / "broken.pdf"
    path.write_bytes(typst.compile(BROKEN.encode()))
    return path


def test_it_finds_words_printed_over_and_into_each_other(broken_pdf):
    (page,) = layout.pages(broken_pdf)
    involved = {word.text for pair in layout.overlapping(page) for word in pair}
    # poppler may split an overprinted word after its first letter ("i", "nterval"): check the whole words
    assert {"likelihood", "Overprinted", "words"} <= involved
    assert not involved & {"Apart", "and", "fine.", "Row", "Page"}


def test_it_finds_a_word_in_the_footer_band_and_allows_the_footer(broken_pdf):
    (page,) = layout.pages(broken_pdf)
    assert [word.text for word in layout.in_footer_band(page)] == ["Row", "in", "the", "footer"]
    assert [word.text for word in layout.footer_line(page)] == [
        "Report",
        "·",
        "2021/22",
        "Page",
        "1",
        "of",
        "1",
    ]
