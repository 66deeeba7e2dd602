"""The board summary: two pages for a board paper that may be published, under the 10-5 rule."""

from __future__ import annotations

import re
import subprocess

import pytest

from concerns.report._build import build_board_summary
from concerns.report.render._html import render_html
from concerns.report.render._pdf import render_pdf
from tests.report.support import AS_OF, codes, context_of, no_svg, synthetic


@pytest.fixture(scope="module")
def summaries(tmp_path_factory):
    """The summaries of the largest organisation, one with a year or staff group that stands out, and one
    with few cases."""
    from concerns.analytics import analyse_organisation

    context = context_of(synthetic(tmp_path_factory.mktemp("synthetic")))
    totals = {code: context.profiles[code].total for code in codes(context)}
    flagged = [code for code in codes(context) if context.clusters[code].flagged]
    picked = {
        "largest": max(totals, key=totals.get),
        "cluster": flagged[0],
        "small": min((code for code in totals if totals[code] >= 5), key=totals.get),
    }
    built = {}
    with no_svg():
        for name, code in picked.items():
            analysis = analyse_organisation(context, code)
            built[name] = (analysis, build_board_summary(analysis, context, as_of=AS_OF, illustrative=True))
    return built


def test_it_publishes_only_what_the_ten_five_rule_allows(summaries):
    for name, (_, summary) in summaries.items():
        assert (summary.kind, summary.policy, summary.threshold) == ("summary", "ons-10-5", 10), name
        for table in summary.tables():
            for row in table.rows:
                for cell in row.cells:
                    assert not cell.suppressed or cell.value is None, (name, table.id, row.key)
        numbers = [
            int(n.replace(",", ""))
            for m in summary.key_messages
            for n in re.findall(r"(?<![\d.,])(\d[\d,]*) (?:cases|practitioners)\b", m)
        ]
        assert all((n % 5 == 0 and n >= 10) or n == 0 for n in numbers), (name, summary.key_messages)


def test_a_year_that_stands_out_is_quoted_as_its_table_rounds_it(summaries):
    quoted = 0
    for name, (analysis, summary) in summaries.items():
        for year in analysis.findings.years:
            shown = [m for m in summary.key_messages if m.startswith(f"{year.fiscal_year} stands out")]
            for message in shown:
                count = int(re.search(r"stands out: ([\d,]+) cases", message).group(1).replace(",", ""))
                assert count % 5 == 0 and abs(count - year.observed) <= 2, (name, message, year.observed)
                quoted += 1
    assert quoted or not any(a.findings.years for a, _ in summaries.values())


def test_it_holds_at_a_glance_and_equality_and_says_what_it_is(summaries):
    for name, (_, summary) in summaries.items():
        assert [s.id for s in summary.sections] == ["at_a_glance", "equality"], name
        table = next(t for t in summary.tables() if t.id == "relative_likelihood")
        assert all(row.cells[0].value is not None for row in table.rows), name
        assert [c.key for c in table.columns] == [
            "ratio",
            "ci_low",
            "ci_high",
            "national",
            "wres_band",
            "band_verdict",
        ]
        assert (
            summary.sections[-1].blocks[-1].text.startswith("About this summary: written for a board paper")
        )
    html = render_html(summaries["cluster"][1]).decode()
    assert "may be published in board papers" in html and "Confidential — prepared" not in html


def test_it_is_two_pages(summaries, tmp_path):
    for name, (_, summary) in summaries.items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(render_pdf(summary))
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Pages:\s+([12])\n", info), (name, info)
