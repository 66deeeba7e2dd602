"""The register's pages doing their work: opening cases, the consent rule in the browser, the lists, measures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from concerns.web.casework.models import (
    Assessment,
    Case,
    ChangeRecord,
    Exclusion,
    ExclusionReview,
    Practitioner,
    SubjectAccessRequest,
)
from concerns.web.portal.roles import Role
from tests.web.casework.conftest import make_case
from tests.web.conftest import make_user, signed_in

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    """The clock at noon on TODAY (UTC, the same day in London), running: the register's views take today
    from it."""
    time_machine.move_to(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC))


def new_case_form(organisation, **changes) -> dict[str, object]:
    form = {
        "practitioner-full_name": "Sam Surgeon",
        "practitioner-registration_body": "GMC",
        "practitioner-registration_number": "7123456",
        "case-organisation": organisation.pk,
        "case-opened_on": "2025-06-02",
        "case-profession": "doctor",
        "case-grade": "consultant",
        "case-specialty": "General surgery",
        "case-sex": "male",
        "case-age_band": "55_64",
        "case-ethnicity": "H",
        "case-pmq": "international",
        "case-disability": "not_stated",
        "case-concerns": ["clinical", "behaviour.probity"],
        "case-status": "open",
        "case-outcome": "open",
    }
    return {**form, **changes}


def test_it_opens_a_case_and_links_repeat_cases_to_one_pseudonym(users, organisation):
    client = signed_in(users["adviser"])
    own = {"case-adviser": users["adviser"].pk}
    first = client.post(reverse("casework:case_new"), new_case_form(organisation, **own))
    case = Case.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("casework:case", args=[case.pk])
    assert (
        case.concerns == ["clinical", "behaviour.probity"]
        and case.practitioner.identity.full_name == "Sam Surgeon"
    )
    client.post(
        reverse("casework:case_new"), new_case_form(organisation, **own, **{"case-opened_on": "2025-06-20"})
    )
    assert Case.objects.count() == 2 and Practitioner.objects.count() == 1
    assert set(ChangeRecord.objects.values_list("model", "action")) == {
        ("Practitioner", "created"),
        ("PractitionerIdentity", "created"),
        ("Case", "created"),
    }


def test_it_refuses_a_case_for_an_organisation_outside_the_advisers_own(
    users, organisation, other_organisation
):
    # The adviser is assigned `organisation` only: the form's choices are scoped, and validation keeps to them.
    client = signed_in(users["adviser"])
    response = client.post(reverse("casework:case_new"), new_case_form(other_organisation))
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not Case.objects.exists()


def test_it_opens_an_advisers_cases_as_their_own(users, organisation):
    colleague = make_user("colleague", Role.ADVISER, organisation)
    response = signed_in(users["adviser"]).post(
        reverse("casework:case_new"), new_case_form(organisation, **{"case-adviser": colleague.pk})
    )
    assert response.status_code == 200 and not Case.objects.exists()


def test_it_lets_only_the_insights_team_hand_a_case_to_another_adviser(users, organisation):
    colleague = make_user("colleague", Role.ADVISER, organisation)
    signed_in(colleague).post(
        reverse("casework:case_new"), new_case_form(organisation, **{"case-adviser": colleague.pk})
    )
    case = Case.objects.get()
    edit = {**new_case_form(organisation, **{"case-adviser": users["adviser"].pk})}
    signed_in(users["adviser"]).post(reverse("casework:case_edit", args=[case.pk]), edit)
    case.refresh_from_db()
    assert case.adviser == colleague
    assert (
        signed_in(users["adviser"]).get(reverse("casework:identity", args=[case.practitioner.pk])).status_code
        == 404
    )
    signed_in(users["insights"]).post(reverse("casework:case_edit", args=[case.pk]), edit)
    case.refresh_from_db()
    assert case.adviser == users["adviser"]


def test_it_shows_form_errors_in_an_error_summary(users, organisation):
    response = signed_in(users["adviser"]).post(
        reverse("casework:case_new"), new_case_form(organisation, **{"case-concerns": []})
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert 'href="#id_case-concerns_0"' in page and not Case.objects.exists()


def test_it_refuses_to_start_an_assessment_without_consent_in_the_browser(case, users):
    client = signed_in(users["adviser"])
    response = client.post(
        reverse("casework:record_new", args=["assessment", case.pk]),
        {
            "kind": "clinical",
            "status": "started",
            "requested_on": "2025-05-01",
            "organisation_agreed_on": "2025-05-10",
            "started_on": "2025-06-01",
        },
    )
    assert response.status_code == 200
    assert (
        "An assessment cannot start without the practitioner&#x27;s agreement." in response.content.decode()
    )
    assert not Assessment.objects.exists()
    client.post(
        reverse("casework:record_new", args=["assessment", case.pk]),
        {
            "kind": "clinical",
            "status": "offered",
            "requested_on": "2025-05-01",
            "organisation_agreed_on": "2025-05-10",
        },
    )
    page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    assert "Cannot start" in page and "Waiting for the practitioner&#x27;s agreement" in page


def test_it_records_each_edit_in_the_history_shown_on_the_case(case, users):
    exclusion = Exclusion(case=case, kind="formal", started_on=dt.date(2025, 5, 1))
    exclusion.save(by=users["adviser"])
    client = signed_in(users["insights"])
    response = client.post(
        reverse("casework:record_edit", args=["exclusion", exclusion.pk]),
        {
            "kind": "formal",
            "started_on": "2025-05-01",
            "police_involved": "on",
            "advice_consulted_on": "2025-05-02",
        },
    )
    assert response.status_code == 302
    change = ChangeRecord.objects.get(model="Exclusion", action="changed")
    assert change.by == users["insights"]
    assert change.changes == {
        "police_involved": {"from": False, "to": True},
        "advice_consulted_on": {"from": None, "to": "2025-05-02"},
    }
    page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    assert "Exclusion changed" in page and "police_involved" in page


def test_it_lists_overdue_reviews_for_those_who_see_the_case(case, users):
    late = Exclusion(case=case, kind="formal", started_on=dt.date(2025, 5, 1))  # review due 29 May
    late.save(by=users["adviser"])
    page = signed_in(users["adviser"]).get(reverse("casework:home")).content.decode()
    assert "Exclusion review (formal)" in page and "29 May 2025" in page and "Review overdue" in page
    other = signed_in(users["unassigned_adviser"]).get(reverse("casework:home")).content.decode()
    assert case.reference not in other and "Nothing is overdue." in other


def test_it_measures_reviews_done_when_due_by_month(case, users):
    exclusion = Exclusion(case=case, kind="formal", started_on=dt.date(2025, 3, 3))
    exclusion.save(by=users["adviser"])
    for due, held in (
        (dt.date(2025, 3, 31), dt.date(2025, 3, 28)),
        (dt.date(2025, 4, 25), dt.date(2025, 4, 29)),
    ):
        ExclusionReview(exclusion=exclusion, due_on=due, held_on=held, decision="renew").save(
            by=users["adviser"]
        )
    # The next review, due 27 May, is overdue and counts as missed in May.
    page = signed_in(users["adviser"]).get(reverse("casework:measures")).content.decode()
    rows = [
        row.split("</td>")[:4]
        for row in page.split('<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">')[1:]
    ]
    months = [(cells[0], cells[1].split(">")[-1], cells[2].split(">")[-1]) for cells in rows[:3]]
    assert months == [("2025-03", "1", "1"), ("2025-04", "0", "1"), ("2025-05", "0", "1")]


def test_it_finds_the_requester_by_registration_and_logs_the_request(case, users):
    client = signed_in(users["insights"])
    response = client.post(
        reverse("casework:sar_new"),
        {
            "find-registration_body": "GMC",
            "find-registration_number": "7000001",
            "sar-received_on": "2025-06-02",
        },
    )
    request = SubjectAccessRequest.objects.get()
    assert response["Location"] == reverse("casework:sar", args=[request.pk])
    assert request.practitioner == case.practitioner and request.due_on is None
    missing = client.post(
        reverse("casework:sar_new"),
        {"find-registration_body": "GDC", "find-registration_number": "1", "sar-received_on": "2025-06-02"},
    )
    assert "we hold no case about them" in missing.content.decode()
    assert SubjectAccessRequest.objects.count() == 1


def test_it_pages_the_case_list_fifty_at_a_time_keeping_the_filter(case, users, organisation):
    for day in range(50):  # all newer than the fixture's case, opened 1 May 2024
        make_case(
            organisation,
            users["adviser"],
            case.practitioner,
            opened_on=dt.date(2025, 1, 1) + dt.timedelta(day),
        )
    client = signed_in(users["adviser"])
    first = client.get(reverse("casework:cases"), {"status": "all"}).content.decode()
    second = client.get(reverse("casework:cases"), {"status": "all", "page": "2"}).content.decode()
    rows = [page.count('<tr class="nhsuk-table__row"><td') for page in (first, second)]
    assert rows == [50, 1]
    assert case.reference not in first and case.reference in second
    assert '<nav class="nhsuk-pagination' in first and 'href="?status=all&amp;page=2"' in first
    assert 'rel="next"' in first and 'rel="next"' not in second and 'href="?status=all&amp;page=1"' in second
    assert (
        "nhsuk-pagination" not in client.get(reverse("casework:cases"), {"status": "closed"}).content.decode()
    )
