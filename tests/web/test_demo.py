from __future__ import annotations

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from concerns.commands import portal
from concerns.web.portal.models import AgreedAction, Assignment, Discussion, Membership, Report, User
from concerns.web.portal.roles import Role
from tests.web.reports_data import tiny_batch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.STORE_DIR = tmp_path / "store"


def test_it_publishes_the_demo_batch_with_users_of_every_role():
    people = portal.load_demo(tiny_batch())
    assert Report.objects.filter(status=Report.Status.PUBLISHED).count() == Report.objects.count() == 5
    roles = sorted(user.role for user in people.values())
    assert roles.count(Role.ADMIN) == roles.count(Role.INSIGHTS) == 1
    assert roles.count(Role.ADVISER) == 2 and roles.count(Role.ORGANISATION) == 9
    positions = set(Membership.objects.values_list("position", flat=True))
    assert positions == {"medical_director", "hr_director", "board_member"}
    assert Assignment.objects.filter(adviser=people["demo-adviser-1"]).count() == 3
    assert people["demo-insights"].check_password(portal.DEMO_PASSWORD)


def test_it_gives_staff_confirmed_totp_devices_matching_the_printed_secret(capsys):
    people = portal.load_demo(tiny_batch())
    portal._print_people(people)
    printed = capsys.readouterr().out
    device = TOTPDevice.objects.get(user=people["demo-adviser-1"], confirmed=True)
    secret = portal._totp_secret(people["demo-adviser-1"])
    assert f"TOTP secret (base32): {secret}" in printed
    assert device.verify_token(str(totp(device.bin_key)).zfill(6))
    assert not TOTPDevice.objects.filter(user__role=Role.ORGANISATION).exists()
    assert portal.DEMO_PASSWORD in printed and "demo-admin" in printed


def test_it_records_a_discussion_with_one_overdue_action():
    portal.load_demo(tiny_batch())
    discussion = Discussion.objects.get()
    today = timezone.localdate()
    assert [a.is_overdue(today) for a in AgreedAction.objects.filter(discussion=discussion)] == [True, False]


def test_it_changes_nothing_when_run_again():
    portal.load_demo(tiny_batch())
    counts = (
        Report.objects.count(),
        User.objects.count(),
        Discussion.objects.count(),
        TOTPDevice.objects.count(),
    )
    secret = portal._totp_secret(User.objects.get(username="demo-admin"))
    portal.load_demo(tiny_batch())
    assert (
        Report.objects.count(),
        User.objects.count(),
        Discussion.objects.count(),
        TOTPDevice.objects.count(),
    ) == counts
    assert portal._totp_secret(User.objects.get(username="demo-admin")) == secret
