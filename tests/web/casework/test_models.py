"""The register's rules in the models: consent before an assessment, the change history, MHPS and HPAN rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from concerns.web.casework.forms import AssessmentForm
from concerns.web.casework.models import (
    Assessment,
    ChangeRecord,
    Exclusion,
    ExclusionReview,
    Hpan,
    PractitionerIdentity,
    SubjectAccessRequest,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 30)


def assessment(case, **fields) -> Assessment:
    return Assessment(case=case, kind="clinical", requested_on=dt.date(2024, 6, 1), **fields)


# --- consent ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "agreements",
    [
        {},
        {"organisation_agreed_on": dt.date(2024, 7, 1)},
        {"practitioner_agreed_on": dt.date(2024, 7, 1)},
    ],
)
def test_it_refuses_to_start_an_assessment_without_both_agreements(case, users, agreements):
    for start in (
        {"started_on": dt.date(2024, 8, 1), "status": "started"},
        {"status": "started"},
        {"started_on": dt.date(2024, 8, 1)},
    ):
        with pytest.raises(ValidationError, match="cannot start"):
            assessment(case, **agreements, **start).save(by=users["adviser"])
    assert not Assessment.objects.exists()


def test_it_starts_an_assessment_once_both_have_agreed(case, users):
    started = assessment(
        case,
        organisation_agreed_on=dt.date(2024, 7, 1),
        practitioner_agreed_on=dt.date(2024, 7, 2),
        started_on=dt.date(2024, 8, 1),
        status="started",
    )
    started.save(by=users["adviser"])
    assert Assessment.objects.get().status == "started"


def test_it_holds_the_consent_rule_in_the_database_even_for_bulk_updates(case, users):
    waiting = assessment(case, organisation_agreed_on=dt.date(2024, 7, 1))
    waiting.save(by=users["adviser"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=waiting.pk).update(status="started", started_on=dt.date(2024, 8, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=waiting.pk).update(started_on=dt.date(2024, 8, 1))
    assert Assessment.objects.get(pk=waiting.pk).started_on is None


def test_it_explains_the_missing_agreement_in_the_form(case):
    form = AssessmentForm(
        {
            "kind": "clinical",
            "status": "started",
            "requested_on": "2024-06-01",
            "organisation_agreed_on": "2024-07-01",
            "started_on": "2024-08-01",
        },
        instance=Assessment(case=case),
    )
    assert not form.is_valid()
    assert form.errors["started_on"] == ["An assessment cannot start without the practitioner's agreement."]


# --- change history -----------------------------------------------------------------------------------


def test_it_writes_the_change_history_on_every_save(case, users):
    first = ChangeRecord.objects.filter(model="Case", object_id=str(case.pk)).get()
    assert first.action == "created" and first.by == users["adviser"]
    case.grade = "sas"
    case.specialty = "Cardiothoracic surgery"
    case.save(by=users["insights"])
    change = ChangeRecord.objects.filter(model="Case", action="changed").get()
    assert change.by_name == "insights" and change.case == case
    assert change.changes == {
        "grade": {"from": "consultant", "to": "sas"},
        "specialty": {"from": "Cardiology", "to": "Cardiothoracic surgery"},
    }


def test_it_writes_no_history_entry_when_nothing_changed(case, users):
    case.save(by=users["adviser"])
    assert ChangeRecord.objects.filter(model="Case").count() == 1


def test_it_cannot_save_a_record_without_saying_who(case):
    case.grade = "sas"
    with pytest.raises(TypeError):
        case.save()


def test_it_keeps_identity_values_out_of_the_history(case, users):
    identity = PractitionerIdentity.objects.get(practitioner=case.practitioner)
    identity.full_name = "Alexandra Example"
    identity.save(by=users["insights"])
    change = ChangeRecord.objects.get(model="PractitionerIdentity", action="changed")
    assert change.changes == {"full_name": {"from": "(hidden)", "to": "(hidden)"}}
    assert "Alex" not in str(ChangeRecord.objects.filter(model="PractitionerIdentity").values_list("changes"))


def test_it_records_deletions_and_keeps_the_history_append_only(case, users):
    entry = Exclusion(case=case, kind="formal", started_on=dt.date(2024, 6, 3))
    entry.save(by=users["adviser"])
    entry.delete(by=users["adviser"])
    deleted = ChangeRecord.objects.get(model="Exclusion", action="deleted")
    assert deleted.changes["kind"] == {"from": "formal", "to": None}
    with pytest.raises(ValidationError):
        deleted.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        ChangeRecord.objects.filter(pk=deleted.pk).update(by_name="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        ChangeRecord.objects.filter(pk=deleted.pk).delete()


# --- exclusions, alerts, requests ---------------------------------------------------------------------


def test_it_flags_an_overdue_review_three_renewals_and_six_months(case, users):
    exclusion = Exclusion(case=case, kind="formal", started_on=dt.date(2024, 11, 4))
    exclusion.save(by=users["adviser"])
    due = exclusion.next_review_on
    for _ in range(3):
        held = due - dt.timedelta(days=1)
        ExclusionReview(exclusion=exclusion, due_on=due, held_on=held, decision="renew").save(
            by=users["adviser"]
        )
        due = exclusion.next_review_on
        assert due == held + dt.timedelta(weeks=4)
    assert exclusion.renewals == 3
    assert exclusion.flags(due) == ["3 renewals"]
    assert exclusion.flags(dt.date(2025, 6, 30)) == ["Review overdue", "3 renewals", "Beyond 6 months"]


def test_it_keeps_an_immediate_exclusion_to_two_weeks(case, users):
    too_long = Exclusion(
        case=case,
        kind="immediate",
        started_on=dt.date(2025, 1, 1),
        ended_on=dt.date(2025, 1, 16),
        outcome="returned",
    )
    with pytest.raises(ValidationError, match="2 weeks"):
        too_long.save(by=users["adviser"])
    running = Exclusion(case=case, kind="immediate", started_on=dt.date(2025, 1, 1))
    running.save(by=users["adviser"])
    assert running.next_review_on == dt.date(2025, 1, 15)
    assert running.flags(dt.date(2025, 1, 16)) == ["Past 2 weeks"]


def test_it_issues_an_alert_only_on_a_board_members_request_with_every_criterion(case, users):
    alert = Hpan(
        case=case,
        requested_on=dt.date(2025, 1, 10),
        requested_by="Dr R Requester, medical director",
        criteria=["significant_risk"],
        issued_on=dt.date(2025, 1, 20),
        recipients=["regulator"],
    )
    with pytest.raises(ValidationError, match="board member"):
        alert.save(by=users["adviser"])
    alert.requester_is_board_member = True
    with pytest.raises(ValidationError, match="every criterion"):
        alert.save(by=users["adviser"])
    alert.criteria = [choice.value for choice in Hpan.Criterion]
    alert.save(by=users["adviser"])
    assert alert.next_review_on == dt.date(2025, 7, 20)
    assert alert.flags(dt.date(2025, 7, 21)) == ["Review overdue"]
    alert.revoked_on = dt.date(2025, 3, 1)
    with pytest.raises(ValidationError, match="why"):
        alert.save(by=users["adviser"])
    alert.revocation_reason = "interim_conditions"
    alert.save(by=users["adviser"])
    assert alert.next_review_on is None and alert.flags(dt.date(2026, 1, 1)) == []


def test_it_needs_a_reason_to_extend_a_subject_access_request(case, users):
    request = SubjectAccessRequest(
        practitioner=case.practitioner,
        received_on=dt.date(2025, 1, 31),
        identity_verified_on=dt.date(2025, 1, 31),
        extended_on=dt.date(2025, 2, 10),
    )
    with pytest.raises(ValidationError, match="reason"):
        request.save(by=users["insights"])
    request.extension_reason = "Records held across four organisations."
    request.save(by=users["insights"])
    assert (request.original_due_on, request.due_on) == (dt.date(2025, 2, 28), dt.date(2025, 4, 30))
    assert request.is_overdue(dt.date(2025, 5, 1)) and not request.is_overdue(dt.date(2025, 4, 30))
    with pytest.raises(IntegrityError), transaction.atomic():
        SubjectAccessRequest.objects.filter(pk=request.pk).update(extension_reason="")
