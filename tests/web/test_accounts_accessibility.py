"""Sign-in, two-factor, password and administration pages in Chromium: axe-core finds no violation.

The pages are rendered by the test client (so the database stays in the test's transaction) and handed to
Chromium together with the real static files, under the portal's own Content-Security-Policy.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders

from concerns.web.portal.middleware import POLICY
from tests.web.test_security import rendered_pages

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


def _browser_tools() -> None:
    missing = [str(path) for path in (CHROMIUM, AXE) if not path.exists()]
    if not missing:
        return
    reason = "missing " + ", ".join(missing)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"accessibility tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"ACCESSIBILITY NOT CHECKED: {reason}")


def test_it_has_no_accessibility_violations_on_any_page(users, organisation):
    _browser_tools()
    from playwright.sync_api import Route, sync_playwright

    pages = rendered_pages(users, organisation)
    showing: dict[str, str] = {}

    def serve(route: Route) -> None:
        path = urlsplit(route.request.url).path
        if path.startswith("/static/"):
            found = finders.find(path.removeprefix("/static/"))
            route.fulfill(path=found) if found else route.fulfill(status=404)
            return
        route.fulfill(status=200, body=showing["html"], content_type="text/html; charset=utf-8",
                      headers={"Content-Security-Policy": POLICY})

    violations: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(bypass_csp=True)  # only so that axe itself can be injected
            page = context.new_page()
            page.route("**/*", serve)
            for name, response in pages.items():
                showing["html"] = response.content.decode()
                page.goto("http://portal.test/page")
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                                       AXE_TAGS)
                found = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]]
                if found:
                    violations[name] = found
        finally:
            browser.close()
    assert violations == {}
