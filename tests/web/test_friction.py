"""What a new user met first (issue 14): help that names who can help, links that lead somewhere, a header
that reads well, a menu to every list, messages that name the field, the value and the fix."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerns.web.portal import twofactor
from concerns.web.portal.audit import Action
from concerns.web.portal.models import AuditEvent, Batch, Upload, User
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def menu(client) -> list[str]:
    page = client.get(reverse("reports")).content.decode()
    start = page.index('<nav class="nhsuk-header__navigation"')
    return [
        line.split('href="')[1].split('"')[0]
        for line in page[start : page.index("</nav>", start)].splitlines()
        if 'href="' in line
    ]


def test_it_sends_people_who_lost_their_phone_to_an_administrator(users):
    twofactor.create_device(users["adviser"])
    client = Client()
    client.force_login(users["adviser"])  # signed in with the password, owing the code
    page = client.get(reverse("two_factor_verify")).content.decode()
    assert "ask an administrator of this service to reset your two-factor" in page
    assert "insights team" not in page


def test_it_links_the_insights_team_to_no_users_page_it_cannot_open(users, organisation):
    url = reverse("organisation_edit", args=[organisation.pk])
    for_insights = signed_in(users["insights"]).get(url).content.decode()
    assert reverse("users") not in for_insights and "/manage/users/" not in for_insights
    assert "An administrator adds people" in for_insights and "owner" in for_insights
    for_admin = signed_in(users["admin"]).get(url).content.decode()
    assert f'href="{reverse("user_detail", args=[users["owner"].pk])}"' in for_admin


def test_it_names_the_role_once_and_briefly_in_the_header(users):
    User.objects.filter(pk=users["adviser"].pk).update(first_name="Alex", last_name="Adviser")
    page = signed_in(users["adviser"]).get(reverse("reports")).content.decode()
    assert "Alex Adviser (Adviser)</li>" in page and "(link adviser and case adviser)" not in page


def test_it_gives_advisers_the_agreed_actions_and_organisation_users_the_discussions(users):
    assert menu(signed_in(users["adviser"])) == [
        "/reports/",
        "/discussions/",
        "/actions/",
        "/objectives/",
        "/casework/",
        "/two-factor/",
    ]
    assert menu(signed_in(users["owner"])) == [
        "/reports/",
        "/discussions/",
        "/actions/",
        "/objectives/",
        "/requests/",
        "/two-factor/",
    ]


@pytest.fixture
def valid_upload(users, settings, tmp_path):
    settings.STORE_DIR = tmp_path / "store"
    return Upload.objects.create(
        uploaded_by=users["insights"], directory="uploads/x", status="valid", summary={"problems": 0}
    )


def test_it_asks_for_the_report_date_as_day_month_and_year(valid_upload, users):
    today = timezone.localdate()
    page = signed_in(users["insights"]).get(reverse("upload", args=[valid_upload.pk])).content.decode()
    assert "For example, 30 6 2025" in page and "2025-06-30" not in page
    assert f"{today:%d/%m/%Y}" not in page
    parts = (("day", today.day), ("month", today.month), ("year", today.year))
    for index, (part, value) in enumerate(parts):
        assert (
            f'id="id_as_of_{index}" name="as_of_{part}" type="text" inputmode="numeric" value="{value}"'
            in page
        )


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the report date"),
        ("30", "6", "", "Report date must include a year"),
        ("", "6", "", "Report date must include a day and a year"),
        ("31", "6", "2025", "Report date must be a real date"),
        ("30", "6", "25", "Report date must be a real date, with the year in 4 numbers"),
    ],
)
def test_it_says_what_is_wrong_with_the_report_date(valid_upload, users, day, month, year, message):
    response = signed_in(users["insights"]).post(
        reverse("batch_new", args=[valid_upload.pk]),
        {
            "as_of_day": day,
            "as_of_month": month,
            "as_of_year": year,
            "policy": "standard",
            "formats": ["json"],
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and not Batch.objects.exists()
    assert f'<li><a href="#id_as_of_0">{message}</a></li>' in page


def test_it_names_the_missing_field_in_the_error_summary(users):
    response = signed_in(users["insights"]).post(
        reverse("organisation_create"), {"code": "X9", "nation": "wales"}
    )
    page = response.content.decode()
    assert '<li><a href="#id_name">Enter the organisation name</a></li>' in page
    assert "This field is required." not in page


def test_it_asks_for_a_missing_sign_in_detail_by_name(db):
    page = Client().post(reverse("login"), {"username": "", "password": ""}).content.decode()
    assert '<a href="#id_username">Enter your username</a>' in page
    assert '<a href="#id_password">Enter your password</a>' in page


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_it_tells_how_to_save_a_utf16_file_as_csv_utf8(users, settings, tmp_path, encoding):
    settings.STORE_DIR = tmp_path / "store"
    content = "case_id,org_code\nC1,X001\n".encode(encoding)
    response = signed_in(users["insights"]).post(
        reverse("uploads"), {"files": [SimpleUploadedFile("cases.csv", content)]}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "not a text CSV file" not in page
    assert "cases.csv is saved as UTF-16 text" in page and "save it as CSV UTF-8" in page


def test_it_shows_the_audit_log_in_words_not_field_names(users, case_identity_corrected):
    page = signed_in(users["insights"]).get(reverse("audit")).content.decode()
    assert '<td class="nhsuk-table__cell">Practitioner identity corrected</td>' in page
    assert "fields: full name, registration number; pseudonym: P-TEST" in page
    assert "[&#x27;full_name&#x27;" not in page and "['full_name'" not in page


@pytest.fixture
def case_identity_corrected(users):
    return AuditEvent.objects.create(
        actor=users["adviser"],
        actor_name="adviser",
        action=Action.IDENTITY_CORRECTED,
        detail={"pseudonym": "P-TEST", "fields": ["full_name", "registration_number"]},
    )
