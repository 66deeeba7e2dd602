"""Chromium for the portal's tests: launching it, and checking pages with axe-core.

Debian's Chromium (`/usr/bin/chromium`) is driven by Playwright; axe-core comes from `node_modules`
(`npm ci` at the repository root). Without them the browser tests skip, saying why, except under CI
(CI=true), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
_RUN_AXE = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
PHONE_WIDTH = 390
# What sticks out to the right of a phone's screen (the page then scrolls sideways), and case references or
# pseudonyms broken over two lines.
_TOO_WIDE = """() => [
  ...(document.documentElement.scrollWidth <= window.innerWidth ? [] : [
    `the page scrolls ${document.documentElement.scrollWidth - window.innerWidth} px sideways, at`,
    ...[...document.querySelectorAll('main *')]
      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('thead'))
      .slice(0, 3).map(e => `${e.tagName.toLowerCase()} "${(e.textContent || '').trim().slice(0, 30)}"`),
  ]),
  ...[...document.querySelectorAll('.portal-reference')]
    .filter(e => e.getClientRects().length > 1).map(e => `broken reference ${e.textContent}`),
]"""


def require_browser_tools(*, axe: bool = True) -> None:
    """Skip (fail under CI) unless Playwright, Chromium and, when asked for, axe-core are there."""
    missing = [str(path) for path in (CHROMIUM, AXE) if not path.exists() and (axe or path != AXE)]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright")
    if not missing:
        return
    reason = "missing " + ", ".join(missing)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"NOT CHECKED IN A BROWSER: {reason}")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (a Playwright `Browser`), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations on the page now open, one line each: rule, first element, what to fix.

    The page's context must bypass its Content-Security-Policy, which forbids injected scripts like axe.
    """
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(_RUN_AXE, AXE_TAGS)
    return [f"{found['id']}: {found['nodes'][0]['target']} {found['help']}" for found in result["violations"]]


def violations_in(pages: dict[str, str]) -> dict[str, list[str]]:
    """axe-core's violations in each page (name → HTML rendered by the test client), pages without any left out;
    and, on a 390 px wide phone, anything wider than the screen or a case reference broken over two lines.

    Each page is shown in Chromium with the real static files, under the portal's own
    Content-Security-Policy (bypassed only so that axe itself can be injected).
    """
    require_browser_tools()
    from django.contrib.staticfiles import finders
    from playwright.sync_api import Route

    from concerns.web.portal.middleware import POLICY

    showing: dict[str, str] = {}

    def serve(route: Route) -> None:
        path = urlsplit(route.request.url).path
        if path.startswith("/static/"):
            found = finders.find(path.removeprefix("/static/"))
            route.fulfill(path=found) if found else route.fulfill(status=404)
            return
        route.fulfill(
            status=200,
            body=showing["html"],
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": POLICY},
        )

    violations: dict[str, list[str]] = {}
    with chromium() as browser:
        page = browser.new_context(bypass_csp=True).new_page()
        page.route("**/*", serve)
        for name, html in pages.items():
            showing["html"] = html
            page.goto("http://portal.test/page")
            found = axe_violations(page)
            page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
            found += [f"wider than a {PHONE_WIDTH} px phone: {what}" for what in page.evaluate(_TOO_WIDE)]
            page.set_viewport_size({"width": 1280, "height": 720})
            if found:
                violations[name] = found
    return violations
