from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.http import Http404

from concerns.web.portal.audit import Action, record
from concerns.web.portal.models import AuditEvent, Report
from concerns.web.portal.scope import get_scoped_or_404, registered_models, scoped
from tests.web.conftest import make_report

pytestmark = pytest.mark.django_db


def test_it_shows_owners_their_published_reports_only(users, organisation, other_organisation):
    published = make_report(organisation)
    draft = make_report(organisation, status=Report.Status.DRAFT, version=2)
    theirs = make_report(other_organisation)
    visible = set(scoped(users["owner"], Report.objects.all()))
    assert visible == {published}
    assert draft not in visible and theirs not in visible


def test_it_answers_404_for_another_organisations_report(users, other_organisation):
    theirs = make_report(other_organisation)
    with pytest.raises(Http404):
        get_scoped_or_404(users["owner"], Report.objects.all(), pk=theirs.pk)


def test_it_gives_advisers_their_assigned_organisations_only(users, organisation, other_organisation):
    ours, theirs = make_report(organisation), make_report(other_organisation)
    assert set(scoped(users["adviser"], Report.objects.all())) == {ours}
    assert set(scoped(users["unassigned_adviser"], Report.objects.all())) == {theirs}


def test_it_gives_insights_drafts_and_admins_no_reports(users, organisation):
    draft = make_report(organisation, status=Report.Status.DRAFT)
    assert set(scoped(users["insights"], Report.objects.all())) == {draft}
    assert not scoped(users["admin"], Report.objects.all()).exists()


def test_it_shows_nothing_to_inactive_users(users, organisation):
    make_report(organisation)
    users["owner"].is_active = False
    assert not scoped(users["owner"], Report.objects.all()).exists()


def test_it_refuses_models_without_a_rule(users):
    from django.contrib.auth.models import Group

    assert "auth.Group" not in registered_models()
    with pytest.raises(LookupError):
        scoped(users["owner"], Group.objects.all())


def test_it_keeps_a_published_report_unchanged(organisation):
    report = make_report(organisation)
    report.fingerprint = "sha256:" + "1" * 64
    with pytest.raises(ValidationError):
        report.save()
    with pytest.raises(ValidationError):
        report.delete()


def test_it_lets_a_new_version_supersede_a_published_one(organisation):
    old = make_report(organisation)
    new = make_report(organisation, version=2)
    old.status, old.superseded_by = Report.Status.SUPERSEDED, new
    old.save()
    old.status = Report.Status.PUBLISHED
    with pytest.raises(ValidationError):
        old.save()


def test_it_keeps_the_audit_log_append_only_in_the_database(users):
    event = record(None, Action.SIGN_IN, actor=users["owner"])
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == Action.SIGN_IN
