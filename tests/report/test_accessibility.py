"""The HTML report in a real browser: axe-core finds no WCAG 2.2 AA (or best-practice) violation.

Runs Debian's Chromium (`/usr/bin/chromium`) through Playwright and injects
axe-core from `node_modules` (`npm ci` at the repository root). Without them
the tests skip with the reason, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from concerns.report import Report
from concerns.report.render._html import render_html
from tests.report.sample import sample_report

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 375, "height": 740}}


def _unavailable(reason: str) -> None:
    """Fail under CI, where the Makefile installs the browser tools; skip, saying why, elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"accessibility tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"ACCESSIBILITY NOT CHECKED: {reason}")


def _vega_chart_report() -> Report:
    """The sample with its chart drawn by Vega-Lite, as the builder draws charts."""
    import vl_convert

    report = sample_report()
    chart = report.charts()[0]
    drawn = dataclasses.replace(chart, svg=vl_convert.vegalite_to_svg(chart.spec))
    sections = tuple(
        dataclasses.replace(s, blocks=tuple(drawn if b is chart else b for b in s.blocks))
        for s in report.sections
    )
    return dataclasses.replace(report, sections=sections)


def _national_report() -> Report:
    return dataclasses.replace(sample_report(illustrative=False), kind="national", org=None, peers=None)


@functools.cache
def _built_reports() -> tuple[Report, Report]:
    """A real organisation's report and the national one, built from synthetic data."""
    import datetime as dt
    import tempfile
    from pathlib import Path

    from concerns.analytics import (
        Settings,
        analyse_national,
        analyse_organisation,
        organisation_codes,
        prepare,
    )
    from concerns.ingest import load
    from concerns.report._build import build_national_report, build_organisation_report
    from concerns.synth import SynthConfig, write

    as_of = dt.date(2025, 6, 30)
    with tempfile.TemporaryDirectory() as directory:
        data = load(write(SynthConfig(as_of=as_of), Path(directory)), today=as_of)
    context = prepare(data, Settings.as_of(as_of))
    code = organisation_codes(context)[0]
    organisation = build_organisation_report(
        analyse_organisation(context, code), context, as_of=as_of, illustrative=True
    )
    national = build_national_report(analyse_national(context), context, as_of=as_of, illustrative=True)
    return organisation, national


REPORTS: dict[str, Callable[[], Report]] = {
    "sample": sample_report,
    "sample-vega-chart": _vega_chart_report,
    "national": _national_report,
    "built-organisation": lambda: _built_reports()[0],
    "built-national": lambda: _built_reports()[1],
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package playwright is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    if not AXE.exists():
        _unavailable(f"{AXE.relative_to(ROOT)} is missing (npm ci at the repository root)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Opens a report in a fresh page; every request the page tries is recorded and refused."""
    contexts: list[Any] = []

    def open_report(report: Report, viewport: str = "desktop") -> Any:
        # bypass_csp: the page's own policy forbids scripts, and axe is one.
        context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        page.requests = []

        def refuse(route: Any) -> None:
            page.requests.append(route.request.url)
            route.abort()

        page.route("**/*", refuse)
        page.set_content(render_html(report).decode("utf-8"), wait_until="load")
        return page

    yield open_report
    for context in contexts:
        context.close()


_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  // What axe could not decide needs a person, except text drawn inside a chart's SVG,
  // which the chart's own colours and its data table cover.
  const outsideCharts = (node) => !document.querySelector(node.target[0])?.closest('svg');
  const undecided = results.incomplete
    .map((rule) => ({...rule, nodes: rule.nodes.filter(outsideCharts)}))
    .filter((rule) => rule.nodes.length > 0);
  return {violations: results.violations, undecided, rules_passed: results.passes.length};
}"""


def _axe(page: Any) -> dict[str, Any]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(_RUN_AXE, AXE_TAGS)


def _readable(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            lines.extend(f"        {line}" for line in node.get("failureSummary", "").splitlines())
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("name", "viewport"),
    [
        ("sample", "desktop"),
        ("sample", "mobile"),
        ("sample-vega-chart", "desktop"),
        ("national", "desktop"),
        ("built-organisation", "desktop"),
        ("built-organisation", "mobile"),
        ("built-national", "desktop"),
    ],
)
def test_it_has_no_axe_violations(open_page: Callable[..., Any], name: str, viewport: str) -> None:
    page = open_page(REPORTS[name](), viewport)
    results = _axe(page)
    violations, undecided = results["violations"], results["undecided"]
    assert results["rules_passed"] >= 30, "axe checked too few rules: were the tags right?"
    assert not violations, (
        f"axe found {len(violations)} violation(s) in {name} ({viewport}):\n{_readable(violations)}"
    )
    assert not undecided, f"axe could not decide, in {name} ({viewport}):\n{_readable(undecided)}"
    assert page.requests == []


def test_it_shows_the_skip_link_first_when_tabbing(open_page: Callable[..., Any]) -> None:
    page = open_page(sample_report())
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent, document.activeElement.getAttribute('href')]"
    )
    assert focused == ["Skip to main content", "#main-content"]
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # on screen once focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main-content"


def test_it_shows_focus_visibly(open_page: Callable[..., Any]) -> None:
    page = open_page(sample_report())
    link = page.locator("nav a").first
    before = link.evaluate("element => getComputedStyle(element).backgroundColor")
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    after = link.evaluate("element => getComputedStyle(element).backgroundColor")
    assert before != after == "rgb(255, 235, 59)"  # the NHS.UK yellow focus state


def test_it_expands_chart_descriptions_when_printed(open_page: Callable[..., Any]) -> None:
    page = open_page(sample_report())
    description = page.locator(".chart__description").first
    assert not description.is_visible()
    page.emulate_media(media="print")
    assert description.is_visible()


def test_it_fits_a_phone_without_sideways_scrolling(open_page: Callable[..., Any]) -> None:
    page = open_page(_vega_chart_report(), "mobile")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORTS["mobile"]["width"]


def test_it_keeps_every_table_caption_in_its_box_on_a_phone(open_page: Callable[..., Any]) -> None:
    """A table wider than a phone scrolls inside its box; its caption wraps to the box and stays in view."""
    page = open_page(_built_reports()[0], "mobile")
    outside = """() => [...document.querySelectorAll('caption')].filter(caption => {
        const box = caption.closest('.table-wrap').getBoundingClientRect();
        const text = caption.querySelector('.table__caption-text').getBoundingClientRect();
        return text.left < box.left || text.right > box.right;
      }).map(caption => caption.textContent.trim())"""
    wide = page.evaluate(
        "() => [...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth).length"
    )
    assert wide > 3  # the test means something only where tables overflow
    assert page.evaluate(outside) == []
    page.evaluate(
        "() => document.querySelectorAll('.table-wrap').forEach(w => { w.scrollLeft = w.scrollWidth; })"
    )
    assert page.evaluate(outside) == []
