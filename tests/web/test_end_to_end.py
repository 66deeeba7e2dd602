"""End to end in Chromium against the live portal: people use the pages as they would, through the real forms.

The live server runs in this process on the test database (in-memory SQLite, or PostgreSQL when
DATABASE_URL is set). The append-only triggers (audit log, casework history) would refuse the flush that empties the database
after a live-server test, so each test turns them off as it ends; they are back on for the next test and
once the module ends.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from concerns.web.portal import twofactor
from concerns.web.portal.models import Membership, Organisation, Report
from concerns.web.portal.roles import Position
from concerns.web.portal.store import import_batch, publish
from concerns.web.portal.views.reports import BACK_LINK
from tests.web.browser import chromium, require_browser_tools
from tests.web.conftest import PASSWORD
from tests.web.reports_data import AS_OF, batch_renamed, tiny_extract, zipped
from tests.web.support import FORMULAS, AppendOnlyTriggers, bad_extract

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 120_000  # generating a batch in the live server takes a while on a busy machine


@pytest.fixture
def portal(append_only: AppendOnlyTriggers, live_server: Any, settings: Any, tmp_path: Path) -> Iterator[Any]:
    require_browser_tools(axe=False)
    settings.STORE_DIR = tmp_path / "store"
    settings.PORTAL_BATCH_WORKERS = 1
    append_only.on()
    yield live_server
    append_only.off()  # so that the flush after the test can empty every table


def _new_page(browser: Any) -> Any:
    page = browser.new_context(accept_downloads=True).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_it_lets_an_organisation_user_read_and_download_only_their_own_report(
    portal, users, organisation, other_organisation, tmp_path
):
    imported = import_batch(
        batch_renamed(tmp_path, {"ours": organisation.code, "theirs": other_organisation.code}),
        generated_by=users["insights"],
    )
    for report in imported:
        publish(report, users["insights"])
    ours = next(report for report in imported if report.organisation == organisation)
    theirs = next(report for report in imported if report.organisation == other_organisation)
    stored = {item.format: item.sha256 for item in ours.files.all()}

    with chromium() as browser:  # no database call from here on: Playwright runs an event loop in this thread
        page = _new_page(browser)
        _sign_in(page, portal.url, "owner")
        expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
        page.get_by_role("link", name=f"{organisation.name} ({organisation.code})").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(organisation.name)
        with page.expect_response(portal.url + reverse("report_html", args=[ours.pk])) as shown:
            page.get_by_role("link", name="Read the report in your browser").click()
        back = BACK_LINK.format(href=reverse("report", args=[ours.pk])).encode()
        assert hashlib.sha256(shown.value.body().replace(back, b"")).hexdigest() == stored["html"]
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.get_by_role("link", name="Back to the report’s page").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(organisation.name)
        with page.expect_download() as started:
            page.get_by_role("link", name="Download the PDF").click()
        downloaded = Path(started.value.path()).read_bytes()
        assert downloaded.startswith(b"%PDF")
        assert hashlib.sha256(downloaded).hexdigest() == stored["pdf"]

        answer = page.goto(portal.url + reverse("report", args=[theirs.pk]))
        assert answer.status == 404
        assert other_organisation.name not in page.content()


def _first_case_id(folder: Path) -> str:
    with (folder / "cases.csv").open(newline="") as handle:
        return next(csv.DictReader(handle))["case_id"]


def _extract_organisation() -> tuple[str, str]:
    with (tiny_extract() / "organisations.csv").open(newline="") as handle:
        first = next(csv.DictReader(handle))
    return first["org_code"], first["name"]


def test_it_takes_an_extract_from_upload_to_a_published_report_the_organisation_reads(
    portal, users, tmp_path
):
    code, name = _extract_organisation()
    served = Organisation.objects.create(code=code, name=name, nation="england")
    Membership.objects.create(user=users["owner"], organisation=served, position=Position.MEDICAL_DIRECTOR)
    device = twofactor.create_device(users["insights"])
    bad = bad_extract(tmp_path)
    good = zipped(tiny_extract(), tmp_path / "good.zip")

    with chromium() as browser:  # no database call from here on: Playwright runs an event loop in this thread
        page = _new_page(browser)
        _sign_in(page, portal.url, "insights")
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
        page.get_by_label("Security code").fill(twofactor.current_code(device))
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Upload a data extract")

        page.get_by_label("Data extract").set_input_files(sorted(bad.glob("*.csv")))
        page.get_by_role("button", name="Upload and check").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Validation result")
        expect(page.get_by_role("heading", name="Important: Rows were rejected")).to_be_visible()
        expect(page.get_by_text(re.compile(rf"^{len(FORMULAS)} of \d+ rows were rejected"))).to_be_visible()
        problem = (
            page.get_by_role("row")
            .filter(has=page.get_by_role("cell", name=_first_case_id(bad), exact=True))
            .filter(has=page.get_by_role("cell", name="grade", exact=True))
        )
        expect(problem).to_contain_text("is not a known grade")
        expect(page.get_by_role("button", name="Generate reports")).to_have_count(0)

        page.get_by_role("link", name="Uploads").first.click()
        page.get_by_label("Data extract").set_input_files(good)
        page.get_by_role("button", name="Upload and check").click()
        expect(page.get_by_text("Every row was accepted")).to_be_visible()
        page.get_by_label("Day").fill(str(AS_OF.day))
        page.get_by_label("Month").fill(str(AS_OF.month))
        page.get_by_label("Year", exact=True).fill(str(AS_OF.year))
        page.get_by_label("PDF", exact=True).uncheck()
        page.get_by_label("Excel (XLSX)").uncheck()
        page.get_by_label("Also write the national report").uncheck()
        page.get_by_role("button", name="Generate reports").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("ready for review")

        page.get_by_role("link", name=f"{name} ({code})").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        expect(page.get_by_role("heading", name="Important: Draft in review")).to_be_visible()
        page.get_by_role("button", name="Publish this report").click()
        expect(page.get_by_role("button", name="Publish this report")).to_have_count(0)
        expect(page.get_by_role("heading", name="Important: Draft in review")).to_have_count(0)

        reader = _new_page(browser)
        _sign_in(reader, portal.url, "owner")
        reader.get_by_role("link", name=f"{name} ({code})").click()
        expect(reader.get_by_role("heading", level=1)).to_have_text(name)
        expect(reader.get_by_role("heading", name="Important: Draft in review")).to_have_count(0)
        reader.get_by_role("link", name="Read the report in your browser").click()
        expect(reader.locator("body")).to_contain_text(name)

    published = Report.objects.get(organisation=served)
    assert published.status == Report.Status.PUBLISHED and published.published_by == users["insights"]
    # The board summary comes with the HTML report (summary.html): the portal offers it as a PDF when there is one.
    assert {item.format for item in published.files.all()} == {"html", "json", "summary-html"}
