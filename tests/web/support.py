"""Helpers shared by the portal's tests (no tests here).

An extract with spreadsheet formulas in it and its files as uploads; every page of the accounts area as the
test client renders it; a small report.json of the documented shape with the figures it carries.
"""

from __future__ import annotations

import csv
import re
import shutil

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from concerns.web.portal import twofactor
from tests.web.conftest import PASSWORD, signed_in
from tests.web.reports_data import tiny_extract

# --- uploads ---------------------------------------------------------------------------------

FORMULAS = {"grade": '=HYPERLINK("http://evil.example")', "sex": "+1+1", "ethnicity": "@SUM(A1)", "pmq": "-2"}


def files(folder):
    return [SimpleUploadedFile(path.name, path.read_bytes()) for path in sorted(folder.glob("*.csv"))]


def bad_extract(tmp_path):
    """The tiny extract with spreadsheet formulas written into four cells of the first four cases."""
    folder = shutil.copytree(tiny_extract(), tmp_path / "bad")
    path = folder / "cases.csv"
    rows = list(csv.DictReader(path.open(newline="")))
    for row, (column, value) in zip(rows, FORMULAS.items(), strict=False):
        row[column] = value
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


# --- every page of the accounts area ---------------------------------------------------------


def password_only(username: str) -> Client:
    client = Client()
    client.post(reverse("login"), {"username": username, "password": PASSWORD})
    return client


def rendered_pages(users, organisation) -> dict[str, object]:
    """Every page this area serves, in its ordinary and its error states."""
    anonymous, admin, owner = Client(), signed_in(users["admin"]), signed_in(users["owner"])
    pages = {
        "sign in": anonymous.get(reverse("login")),
        "sign in, wrong password": anonymous.post(reverse("login"), {"username": "owner", "password": "x"}),
        "password reset": anonymous.get(reverse("password_reset")),
        "password reset, bad address": anonymous.post(reverse("password_reset"), {"email": "not an address"}),
        "password reset sent": anonymous.get(reverse("password_reset_done")),
        "password reset, bad link": anonymous.get(
            reverse("password_reset_confirm", args=["MQ", "bad-token"])
        ),
        "password reset complete": anonymous.get(reverse("password_reset_complete")),
    }
    anonymous.post(reverse("password_reset"), {"email": "owner@example.nhs.uk"})
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+/)", mail.outbox[-1].body).group(1)
    pages["choose a password"] = anonymous.get(link, follow=True)
    pages["choose a password, too short"] = anonymous.post(
        pages["choose a password"].redirect_chain[-1][0], {"new_password1": "a", "new_password2": "b"}
    )
    locked = Client()
    for attempt in range(5):
        pages["locked out"] = locked.post(reverse("login"), {"username": "member", "password": str(attempt)})
    enrolling = password_only("insights")
    pages["enrol"] = enrolling.get(reverse("two_factor"))
    pages["enrol, wrong code"] = enrolling.post(reverse("two_factor"), {"code": "12"})
    twofactor.create_device(users["adviser"])
    verifying = password_only("adviser")
    pages["code"] = verifying.get(reverse("two_factor_verify"))
    pages["code, wrong"] = verifying.post(reverse("two_factor_verify"), {"code": "abc"})
    pages["opt in"] = owner.get(reverse("two_factor"))
    pages["two-factor on"] = admin.get(reverse("two_factor"))
    pages["change password"] = owner.get(reverse("password_change"))
    pages["change password, wrong"] = owner.post(reverse("password_change"), {"old_password": "x"})
    pages["password changed"] = owner.get(reverse("password_change_done"))
    pages["users"] = admin.get(reverse("users"))
    pages["add user"] = admin.get(reverse("user_create"))
    pages["add user, errors"] = admin.post(reverse("user_create"), {"username": "", "role": "nope"})
    for name in ("owner", "adviser", "insights"):
        pages[f"user {name}"] = admin.get(reverse("user_detail", args=[users[name].pk]))
    pages["user, errors"] = admin.post(reverse("membership_add", args=[users["owner"].pk]), {})
    pages["user saved"] = admin.post(
        reverse("user_detail", args=[users["member"].pk]),
        {"email": "member@example.nhs.uk", "role": "organisation", "is_active": "on"},
        follow=True,
    )
    pages["organisations"] = admin.get(reverse("organisations"))
    pages["add organisation"] = admin.get(reverse("organisation_create"))
    pages["add organisation, errors"] = admin.post(reverse("organisation_create"), {"code": ""})
    pages["organisation"] = admin.get(reverse("organisation_edit", args=[organisation.pk]))
    pages["audit"] = admin.get(reverse("audit"))
    pages["audit, filtered"] = admin.get(reverse("audit"), {"action": "sign-in", "user": "owner"})
    pages["audit, bad dates"] = admin.get(
        reverse("audit"), {"date_from": "2025-02-02", "date_to": "2025-01-01"}
    )
    pages["organisation (insights)"] = signed_in(users["insights"]).get(
        reverse("organisation_edit", args=[organisation.pk])
    )
    pages["page not found"] = owner.get("/no-such-page/")
    pages["form expired"] = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "owner"})
    return pages


# --- a report.json with findings and draft objectives ----------------------------------------

ETHNICITY = "ethnic_minority_vs_white"
QUALIFIED = "international_vs_uk"
BLACK = "black_vs_white"
YOUNG = "age_under_35_vs_35_44"
MORE = "1.25 or below, within the band WRES reads as no adverse difference"
LABELS = {
    ETHNICITY: "Ethnic minority compared with white",
    QUALIFIED: "Qualified outside the UK and EEA compared with UK",
    BLACK: "Black or Black British compared with white",
    YOUNG: "Under 35 compared with 35 to 44",
    "eea_vs_uk": "Qualified in the EEA compared with UK",
}
WORDING = {
    ETHNICITY: "Bring the likelihood of ethnic minority practitioners being the subject of a case towards "
    "that of white practitioners",
    QUALIFIED: "Bring the likelihood of practitioners who qualified outside the UK and EEA being the subject "
    "of a case towards that of practitioners who qualified in the UK",
    BLACK: "Bring the likelihood of Black or Black British practitioners being the subject of a case towards "
    "that of white practitioners",
    YOUNG: "Understand why practitioners under 35 are less likely than practitioners aged 35 to 44 to be the "
    "subject of a case",
}
READING = {
    "more_likely": "more likely",
    "less_likely": "less likely",
    "no_clear_difference": "could be chance",
    "too_few_cases": "too few cases",
    "withheld": "not shown, to protect small numbers",
}
# (verdict, ratio, ci_low, ci_high) as report.json's findings.equality gives them; None where it hides them.
FIRST = {
    ETHNICITY: ("more_likely", 2.08911, 1.31063, 3.32997),
    QUALIFIED: ("more_likely", 3.21054, 1.97112, 5.2293),
    BLACK: ("more_likely", 3.1611, 1.57613, 6.33994),
    YOUNG: ("less_likely", 0.374037, 0.221361, 0.632015),
    "eea_vs_uk": ("no_clear_difference", 1.12934, 0.508496, 2.5082),
}


def shown(x: float) -> str:
    return f"{x:.2f}"


def report_json(figures: dict, period: str) -> dict:
    """A report.json of the documented shape: the findings, the draft objectives and the likelihood table."""
    equality = [
        {
            "comparison": key,
            "verdict": verdict,
            "ratio": ratio,
            "ci_low": low,
            "ci_high": high,
            "national_ratio": 2.01573,
        }
        for key, (verdict, ratio, low, high) in figures.items()
    ]
    drafts = [
        {
            "key": key,
            "label": WORDING[key],
            "is_total": False,
            "cells": [
                {
                    "display": f"{shown(ratio)} ({shown(low)}–{shown(high)})",
                    "value": None,
                    "suppressed": False,
                },
                {
                    "display": MORE if verdict == "more_likely" else "0.80 or above",
                    "value": None,
                    "suppressed": False,
                },
                {"display": "With the next report, and each year after", "value": None, "suppressed": False},
            ],
        }
        for key, (verdict, ratio, low, high) in figures.items()
        if verdict in ("more_likely", "less_likely")
    ]
    likelihoods = [
        {
            "key": key,
            "label": LABELS[key],
            "is_total": False,
            "cells": [
                {"display": shown(ratio) if ratio else "–", "value": ratio, "suppressed": ratio is None},
                {"display": READING[verdict], "value": None, "suppressed": False},
            ],
        }
        for key, (verdict, ratio, _low, _high) in figures.items()
    ]
    return {
        "schema": "concerns.report/1",
        "kind": "organisation",
        "period": {"fiscal_years": period.split(" to ")},
        "findings": {"equality": equality},
        "tables": [
            {
                "id": "relative_likelihood",
                "title": "Relative likelihood of being the subject of a case",
                "columns": [
                    {"key": "ratio", "label": "Relative likelihood", "is_total": False},
                    {"key": "reading", "label": "What it says", "is_total": False},
                ],
                "rows": likelihoods,
            },
            {
                "id": "objectives",
                "title": "Draft objectives (High impact action 1)",
                "columns": [
                    {"key": "baseline", "label": f"Baseline, {period}", "is_total": False},
                    {"key": "target", "label": "Target", "is_total": False},
                    {"key": "review", "label": "Review", "is_total": False},
                ],
                "rows": drafts,
            },
        ],
    }


class AppendOnlyTriggers:
    """The triggers that keep the audit log and the casework history append-only, off and on again.

    PostgreSQL: the session ignores them while `session_replication_role` is `replica`. SQLite: they are
    dropped, and created again from the statements SQLite kept for them.
    """

    def __init__(self) -> None:
        self.dropped: dict[str, str] = {}

    def off(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = replica")
            elif connection.vendor == "sqlite":
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
                self.dropped.update(cursor.fetchall())
                for name in self.dropped:
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')

    def on(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
            for statement in self.dropped.values():
                cursor.execute(statement)
        self.dropped.clear()
