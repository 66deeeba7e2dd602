"""Simulated organisation users reading their reports (driven by bench/portal/run_load.py, loopback only).

Each user signs in once through the real sign-in form, then reads: the reports list, a report's page and
the report itself. Report links are found on the list page, so the scenario follows the portal's own URLs.
"""

from __future__ import annotations

import itertools
import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ["BENCH_PASSWORD"]
USERNAMES = itertools.cycle(os.environ["BENCH_USERS"].split(","))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REPORT_LINK = re.compile(r'href="(/reports/\d+/)"')
signed_in = 0  # read by run_load.py: measuring starts once every user is in


class OrganisationUser(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        global signed_in
        username = next(USERNAMES)
        page = self.client.get("/sign-in/", name="sign-in form")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/sign-in/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="sign-in",
            headers={"Referer": self.host + "/sign-in/"},
        )
        listing = self.client.get("/reports/", name="reports list")
        self.reports = sorted(set(REPORT_LINK.findall(listing.text)))
        if not self.reports:
            raise RuntimeError(f"{username} sees no reports")
        signed_in += 1

    @task(2)
    def reports_list(self) -> None:
        self.client.get("/reports/", name="reports list")

    @task(3)
    def report_page(self) -> None:
        self.client.get(random.choice(self.reports), name="report page")

    @task(3)
    def report_html(self) -> None:
        self.client.get(random.choice(self.reports) + "read/", name="report (HTML)")
