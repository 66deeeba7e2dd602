"""`concerns portal-generate` and `concerns portal-demo`: the portal's report batches from the command line.

`portal-generate BATCH_ID` is what the portal runs in the background when the insights team generates a
batch (also runnable as `python -m concerns.commands.portal generate BATCH_ID`). `portal-demo` loads the
demo reports into the portal with demo users of every role, and prints how to sign in as each.
"""

from __future__ import annotations

import base64
import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from concerns.commands._common import fail
from concerns.commands.web import _django, _migrate

# Printed with every demo user: it must never be mistaken for, or reused as, a real password.
DEMO_PASSWORD = "demo-only-password-not-for-real-use"
DEMO_ORG_USERS = (
    ("md", "medical_director", "Medical director"),
    ("hr", "hr_director", "HR director"),
    ("board", "board_member", "Board member"),
)


def generate_command(batch_id: Annotated[int, typer.Argument(help="The portal batch to generate.")]) -> None:
    """Generate a portal batch from its upload and import its reports as drafts (the portal runs this)."""
    _django()
    from concerns.web.portal.batches import run
    from concerns.web.portal.models import Batch

    try:
        batch = run(batch_id)
    except Batch.DoesNotExist:
        fail(f"there is no batch {batch_id}")
    typer.echo(f"batch {batch.pk}: {batch.get_status_display()}. {batch.message}")
    if batch.status == Batch.Status.FAILED:
        raise typer.Exit(1)


def demo_command(
    reports: Annotated[Path, typer.Option("--reports", help="A batch from `concerns report --all`.")],
    national: Annotated[
        Path | None, typer.Option("--national", help="A batch from `concerns national`.")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="The demo data folder: its organisations and headcounts go into the casework register.",
        ),
    ] = None,
) -> None:
    """Load and publish the demo reports in the portal, with demo users of every role (prints how to sign in)."""
    _django()
    _migrate()
    from concerns.web.portal.store import StoreError

    try:
        people = load_demo(reports, national)
    except StoreError as error:
        fail(str(error))
    _casework_demo(data)
    _print_people(people)


def load_demo(reports: Path, national: Path | None = None) -> dict[str, Any]:
    """Publish the demo batches and create the demo users, once: running it again changes nothing."""
    from django.db import transaction

    with transaction.atomic():
        people = _demo_staff()
        codes = _load_published(reports, people["demo-insights"])
        if national is not None:
            _load_published(national, people["demo-insights"])
        people |= _demo_organisation_users(codes[:3])
        _assign_advisers(people, codes)
        _demo_discussion(people["demo-adviser-1"], codes[0])
        for user in people.values():
            if user.is_advice_staff:
                _totp_secret(user)
    return people


# --- reports -----------------------------------------------------------------------------


def _load_published(folder: Path, publisher: Any) -> list[str]:
    """Import and publish a batch unless it is already in the store; the organisation codes it holds."""
    from concerns.web.portal.audit import Action, record
    from concerns.web.portal.store import NATIONAL, import_batch, publish, read_manifest

    manifest = read_manifest(folder)
    codes = sorted({str(item["path"]).split("/")[0] for item in manifest["files"]})
    if not _already_loaded(manifest, codes):
        for report in import_batch(folder, generated_by=publisher):
            superseded = publish(report, publisher)
            record(
                None,
                Action.REPORT_PUBLISHED,
                actor=publisher,
                target=report,
                organisation=report.organisation,
                version=report.version,
                superseded=superseded.pk if superseded else None,
                demo=True,
            )
        typer.echo(f"Published the {len(codes)} report(s) of {folder}")
    else:
        typer.echo(f"The reports of {folder} are already published")
    return [code for code in codes if code != NATIONAL]


def _already_loaded(manifest: dict[str, Any], codes: list[str]) -> bool:
    from concerns.web.portal.models import Report
    from concerns.web.portal.store import NATIONAL

    same = Report.objects.filter(
        fingerprint=f"sha256:{manifest.get('data_sha256', '')}",
        as_of=manifest["as_of"],
        policy=manifest.get("policy", ""),
    )
    return all(
        same.filter(kind=Report.Kind.NATIONAL).exists()
        if code == NATIONAL
        else same.filter(organisation__code=code).exists()
        for code in codes
    )


# --- people ------------------------------------------------------------------------------


def _user(username: str, role: str, first: str, last: str) -> Any:
    from concerns.web.portal.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
    user.role, user.first_name, user.last_name = role, first, last
    user.email = f"{username}@demo.invalid"
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _demo_staff() -> dict[str, Any]:
    from concerns.web.portal.roles import Role

    return {
        "demo-admin": _user("demo-admin", Role.ADMIN, "Ada", "Administrator"),
        "demo-insights": _user("demo-insights", Role.INSIGHTS, "Ines", "Insights"),
        "demo-adviser-1": _user("demo-adviser-1", Role.ADVISER, "Alex", "Adviser"),
        "demo-adviser-2": _user("demo-adviser-2", Role.ADVISER, "Sam", "Adviser"),
    }


def _demo_organisation_users(codes: list[str]) -> dict[str, Any]:
    from concerns.web.portal.models import Membership, Organisation
    from concerns.web.portal.roles import Role

    people = {}
    for code in codes:
        organisation = Organisation.objects.get(code=code)
        for suffix, position, title in DEMO_ORG_USERS:
            username = f"demo-{code.lower()}-{suffix}"
            user = _user(username, Role.ORGANISATION, title, code)
            Membership.objects.update_or_create(
                user=user, organisation=organisation, defaults={"position": position}
            )
            people[username] = user
    return people


def _assign_advisers(people: dict[str, Any], codes: list[str]) -> None:
    from concerns.web.portal.models import Assignment, Organisation

    for adviser, chosen in (("demo-adviser-1", codes[:3]), ("demo-adviser-2", codes[3:6])):
        for organisation in Organisation.objects.filter(code__in=chosen):
            Assignment.objects.get_or_create(adviser=people[adviser], organisation=organisation)


def _totp_secret(user: Any) -> str:
    """The base32 secret of the user's confirmed TOTP device, created on first use."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


# --- a discussion ------------------------------------------------------------------------


def _demo_discussion(adviser: Any, code: str) -> None:
    """One discussion of the first organisation's report, with one overdue action and one still to come."""
    from django.utils import timezone

    from concerns.web.portal.audit import Action, record
    from concerns.web.portal.models import AgreedAction, Discussion, Report

    report = Report.objects.get(organisation__code=code, status=Report.Status.PUBLISHED)
    if Discussion.objects.filter(report__organisation__code=code).exists():
        return
    today = timezone.localdate()
    discussion = Discussion.objects.create(
        report=report,
        held_on=today - dt.timedelta(days=30),
        recorded_by=adviser,
        attendee_roles="Medical director\nHR director\nLink adviser",
        notes="Walked through the report. Agreed to improve how referrals record ethnicity and place of "
        "qualification, and to take the equality page to the board. (Demo data.)",
    )
    AgreedAction.objects.create(
        discussion=discussion,
        owner="HR director",
        due_on=today - dt.timedelta(days=7),
        description="Check that every referral form asks for ethnicity and place of primary qualification.",
    )
    AgreedAction.objects.create(
        discussion=discussion,
        owner="Medical director",
        due_on=today + dt.timedelta(days=60),
        description="Take the report's equality page to the next board meeting.",
    )
    record(
        None,
        Action.DISCUSSION_RECORDED,
        actor=adviser,
        target=discussion,
        organisation=report.organisation,
        report=report.pk,
        actions=2,
        demo=True,
    )


def _casework_demo(data: Path | None) -> None:
    """The casework register's demo data, with the demo data folder's registry when given."""
    from concerns.web.casework import demo

    demo.load(data=data)


# --- printing ----------------------------------------------------------------------------


def _print_people(people: dict[str, Any]) -> None:
    typer.echo("")
    typer.echo(f"Demo users (password for every one: {DEMO_PASSWORD} — demo only, never use it for real):")
    for username, user in sorted(people.items(), key=lambda item: (_role_order(item[1].role), item[0])):
        organisations = ", ".join(sorted(_organisations_of(user))) or "—"
        line = f"  {username:<24} {_role_text(user):<42} {organisations}"
        if user.is_advice_staff:
            line += f"\n  {'':<24} TOTP secret (base32): {_totp_secret(user)}"
        typer.echo(line)
    typer.echo(
        "Staff must give a two-factor code: add the TOTP secret to an authenticator app, "
        "or run: concerns demo-code USERNAME"
    )


def _role_text(user: Any) -> str:
    membership = user.memberships.first() if user.role == "organisation" else None
    return (
        f"{user.get_role_display()}: {membership.get_position_display()}"
        if membership
        else user.get_role_display()
    )


def _role_order(role: str) -> int:
    return ["admin", "insights", "adviser", "organisation"].index(role)


def _organisations_of(user: Any) -> list[str]:
    if user.role == "organisation":
        return [
            membership.organisation.code for membership in user.memberships.select_related("organisation")
        ]
    if user.role == "adviser":
        return [
            assignment.organisation.code for assignment in user.assignments.select_related("organisation")
        ]
    return ["all"] if user.role == "insights" else []


def demo_code_command(
    username: Annotated[str, typer.Argument(help="A demo staff user, e.g. demo-insights.")],
) -> None:
    """Print a demo user's current two-factor code (demo users only: their addresses end in @demo.invalid)."""
    _django()
    from concerns.web.portal.models import User
    from concerns.web.portal.twofactor import confirmed_device, current_code

    user = User.objects.filter(username=username, email__endswith="@demo.invalid").first()
    device = confirmed_device(user) if user is not None else None
    if device is None:
        fail(f"{username!r} is not a demo user with a two-factor device (see `concerns portal-demo`)")
    typer.echo(current_code(device))


def main(arguments: list[str]) -> None:
    """`python -m concerns.commands.portal generate BATCH_ID`, as the portal starts it."""
    if len(arguments) != 2 or arguments[0] != "generate" or not arguments[1].isdigit():
        sys.exit("usage: python -m concerns.commands.portal generate BATCH_ID")
    try:
        generate_command(int(arguments[1]))
    except typer.Exit as done:
        sys.exit(done.exit_code)


if __name__ == "__main__":
    main(sys.argv[1:])
