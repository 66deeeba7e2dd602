"""Sign-in, two-factor, password and administration pages in Chromium: axe-core finds no violation.

The pages are rendered by the test client (so the database stays in the test's transaction) and handed to
Chromium together with the real static files, under the portal's own Content-Security-Policy.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.web.browser import require_browser_tools, violations_in
from tests.web.support import rendered_pages

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def test_it_has_no_accessibility_violations_on_any_page(users, organisation):
    require_browser_tools()
    pages = rendered_pages(users, organisation)
    pages["server error"] = server_error(RequestFactory().get("/"))  # rendered with an empty context
    assert violations_in({name: response.content.decode() for name, response in pages.items()}) == {}
