"""Every portal URL × every kind of user: the status each gets, and that outsiders' POSTs change nothing.

The URL list comes from the resolver, so a new portal URL without a row in `EXPECTED` fails
`test_it_has_an_expectation_for_every_portal_url`. The register's URLs (`casework:` namespace) have their own
matrix in tests/web/casework/test_access.py.

Each row names the objects its URL needs (all of them belong to the owner's organisation), the status of a
GET for each role, and for URLs that change state the status of a POST and which roles may act. Roles that
may not act must leave the database exactly as it was; roles that may act must change it (so the POST data
is known to be good, and a refusal is a refusal rather than an invalid form).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from concerns.web.portal import twofactor
from concerns.web.portal.models import (
    AdoptedObjective,
    AgreedAction,
    Batch,
    Discussion,
    Organisation,
    Report,
    ReportFile,
    ReportRequest,
    Upload,
    User,
)
from concerns.web.portal.roles import Position, Role
from concerns.web.portal.store import store_path
from tests.web.conftest import make_report, make_user, signed_in
from tests.web.reports_data import AS_OF, date_fields, tiny_extract, zipped
from tests.web.support import FIRST, report_json

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CASEWORK_MATRIX = ROOT / "tests" / "web" / "casework" / "test_access.py"
ROLES = ("owner", "member", "stranger", "adviser", "unassigned_adviser", "insights", "admin", "anonymous")
SIGN_IN = "/sign-in/?next="
# Rows of these apps are compared before and after a refused POST (sessions and lockout records may change).
WATCHED_APPS = ("portal", "otp_totp", "casework", "auth")


def statuses(everyone: int, **roles: int) -> dict[str, int]:
    """`everyone`'s status for each signed-in role, anonymous users sent to sign in, then the exceptions."""
    table = {role: everyone for role in ROLES}
    table["anonymous"] = 302
    table.update(roles)
    return table


PUBLIC = statuses(200, anonymous=200)
SIGNED_IN = statuses(200)
READERS = statuses(200, admin=404)
OWN_ORGANISATION = statuses(404, owner=200, member=200, adviser=200, insights=200)
INSIGHTS = statuses(404, insights=200)
ADMIN = statuses(404, admin=200)
ORGANISATION_KEEPERS = statuses(404, admin=200, insights=200)
READ_ONLY_FOR_READERS = statuses(405, admin=404)  # readers reach the view, which takes GET only


@dataclass(frozen=True)
class Row:
    """What one URL (with the objects of `kwargs`) answers each role; `post` only for URLs worth posting to."""

    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    get: dict[str, int] = field(default_factory=dict)
    post: dict[str, int] | None = None
    data: Callable[[World], dict[str, Any]] = lambda world: {}
    acts: frozenset[str] = frozenset()  # roles whose POST changes the database


def only(status: int, *roles: str) -> dict[str, int]:
    """`status` for `roles`, 404 for every other signed-in role (the page does not exist for them)."""
    return statuses(404, **{role: status for role in roles})


def acting(*roles: str) -> frozenset[str]:
    return frozenset(roles)


EXPECTED: dict[str, list[Row]] = {
    # Accounts: the sign-in flow is open to everyone; account pages need a signed-in user.
    "home": [Row(get=statuses(302))],  # signed-in users go to their role's landing page
    "login": [Row(get=statuses(302, anonymous=200))],
    "logout": [Row(get=statuses(405, anonymous=405))],  # signing out is POST only
    "two_factor": [Row(get=SIGNED_IN)],
    "two_factor_verify": [Row(get=statuses(302))],  # already verified, or nothing to verify: sent on
    "password_reset": [Row(get=PUBLIC)],
    "password_reset_done": [Row(get=PUBLIC)],
    "password_reset_confirm": [
        Row(kwargs=lambda w: {"uidb64": w.owner_uid, "token": "not-a-token"}, get=PUBLIC)
    ],
    "password_reset_complete": [Row(get=PUBLIC)],
    "password_change": [Row(get=SIGNED_IN)],
    "password_change_done": [Row(get=SIGNED_IN)],
    # Reading reports, and their downloads (every format the portal serves, and one it does not).
    "reports": [Row(get=READERS, post=READ_ONLY_FOR_READERS)],
    "report": [
        Row(kwargs=lambda w: {"pk": w.published.pk}, get=OWN_ORGANISATION, post=READ_ONLY_FOR_READERS),
        Row(kwargs=lambda w: {"pk": w.draft.pk}, get=INSIGHTS),
    ],
    "report_html": [
        Row(kwargs=lambda w: {"pk": w.published.pk}, get=OWN_ORGANISATION, post=READ_ONLY_FOR_READERS),
        Row(kwargs=lambda w: {"pk": w.draft.pk}, get=INSIGHTS),
    ],
    "report_download": [
        *(
            Row(
                kwargs=lambda w, fmt=fmt: {"pk": w.published.pk, "fmt": fmt},
                get=OWN_ORGANISATION,
                post=READ_ONLY_FOR_READERS,
            )
            for fmt in ("pdf", "xlsx", "json")
        ),
        Row(kwargs=lambda w: {"pk": w.draft.pk, "fmt": "pdf"}, get=INSIGHTS),
        Row(kwargs=lambda w: {"pk": w.published.pk, "fmt": "html"}, get=statuses(404)),  # not a download
    ],
    "report_publish": [
        Row(
            kwargs=lambda w: {"pk": w.draft.pk},
            get=only(405, "insights"),
            post=only(302, "insights"),
            acts=acting("insights"),
        )
    ],
    # Discussions and agreed actions.
    "discussion_new": [
        Row(
            kwargs=lambda w: {"pk": w.published.pk},
            get=only(200, "adviser", "insights"),
            post=only(302, "adviser", "insights"),
            acts=acting("adviser", "insights"),
            data=lambda w: {
                "held_on": "2025-07-01",
                "attendee_roles": "Medical director",
                "notes": "Discussed.",
                "action-0-description": "Review",
                "action-0-owner": "HR director",
                "action-0-due_on": "2025-12-31",
            },
        )
    ],
    "discussions": [Row(get=READERS, post=READ_ONLY_FOR_READERS)],
    "discussion": [
        Row(kwargs=lambda w: {"pk": w.discussion.pk}, get=OWN_ORGANISATION, post=READ_ONLY_FOR_READERS)
    ],
    "actions": [Row(get=READERS, post=READ_ONLY_FOR_READERS)],
    # Objectives (High impact action 1): the organisation's own users adopt and change them; readers read.
    "objective_adopt": [
        Row(
            kwargs=lambda w: {"pk": w.published.pk, "comparison": "international_vs_uk"},
            get=only(200, "owner", "member"),
            post=only(302, "owner", "member"),
            acts=acting("owner", "member"),
            data=lambda w: {
                "wording": "Close the gap",
                "target": "1.25 or below",
                **date_fields("review_on", AS_OF.replace(year=AS_OF.year + 50)),
            },
        ),
        Row(kwargs=lambda w: {"pk": w.draft.pk, "comparison": "international_vs_uk"}, get=statuses(404)),
    ],
    "objectives": [Row(get=READERS, post=READ_ONLY_FOR_READERS)],
    "objective_edit": [
        Row(
            kwargs=lambda w: {"pk": w.objective.pk},
            get=only(200, "owner", "member"),
            post=only(302, "owner", "member"),
            acts=acting("owner", "member"),
            data=lambda w: {
                "wording": "Changed",
                "target": w.objective.target,
                "status": "active",
                **date_fields("review_on", w.objective.review_on),
            },
        )
    ],
    # Marking an agreed action done: the assigned adviser and the insights team (POST only).
    "action_done": [
        Row(
            kwargs=lambda w: {"pk": w.action.pk},
            get=only(405, "adviser", "unassigned_adviser", "insights"),
            post=only(302, "adviser", "insights"),
            acts=acting("adviser", "insights"),
        )
    ],
    # Report requests: organisation users ask, the insights team decides.
    "report_requests": [
        Row(
            get=only(200, "owner", "member", "stranger", "insights"),
            post=only(302, "owner", "member", "stranger", "insights"),
            acts=acting("owner", "member", "stranger"),
            data=lambda w: {"organisation_name": "Newtown Hospitals", "reason": "A merger."},
        )
    ],
    "report_request_decide": [
        Row(
            kwargs=lambda w: {"pk": w.request.pk},
            get=only(405, "insights"),
            post=only(302, "insights"),
            acts=acting("insights"),
            data=lambda w: {"decision": "accepted", "response": "From next quarter."},
        ),
        Row(
            kwargs=lambda w: {"pk": w.request.pk},
            get=only(405, "insights"),
            post=only(302, "insights"),
            acts=acting("insights"),  # accepting and adding the organisation in the same step
            data=lambda w: {
                "decision": "accepted",
                "create_organisation": "on",
                "organisation-code": "X004",
                "organisation-name": "Newtown",
                "organisation-nation": "england",
            },
        ),
    ],
    # The insights team's path: upload → validation → generate → review → publish.
    "uploads": [
        Row(
            get=INSIGHTS,
            post=only(302, "insights"),
            acts=acting("insights"),
            data=lambda w: {"files": [SimpleUploadedFile("extract.zip", w.good_zip())]},
        )
    ],
    "upload": [Row(kwargs=lambda w: {"pk": w.upload.pk}, get=INSIGHTS, post=only(405, "insights"))],
    "upload_rejects": [Row(kwargs=lambda w: {"pk": w.upload.pk}, get=INSIGHTS, post=only(405, "insights"))],
    "batch_new": [
        Row(
            kwargs=lambda w: {"pk": w.upload.pk},
            get=only(405, "insights"),
            post=only(302, "insights"),
            acts=acting("insights"),
            data=lambda w: {**date_fields("as_of", AS_OF), "policy": "standard", "formats": ["json"]},
        )
    ],
    "batches": [Row(get=INSIGHTS, post=only(405, "insights"))],
    "batch": [Row(kwargs=lambda w: {"pk": w.batch.pk}, get=INSIGHTS, post=only(405, "insights"))],
    "batch_publish": [
        Row(
            kwargs=lambda w: {"pk": w.batch.pk},
            get=only(405, "insights"),
            post=only(302, "insights"),
            acts=acting("insights"),
            data=lambda w: {"all": "1"},
        )
    ],
    # Administration.
    "users": [Row(get=ADMIN, post=only(405, "admin"))],
    "user_create": [
        Row(
            get=ADMIN,
            post=only(302, "admin"),
            acts=acting("admin"),
            data=lambda w: {
                "username": "newcomer",
                "email": "newcomer@example.nhs.uk",
                "role": Role.ORGANISATION,
            },
        )
    ],
    "user_detail": [
        Row(
            kwargs=lambda w: {"pk": w.subject.pk},
            get=ADMIN,
            post=only(302, "admin"),
            acts=acting("admin"),
            data=lambda w: {
                "first_name": "Renamed",
                "email": w.subject.email,
                "role": Role.ORGANISATION,
                "is_active": "on",
            },
        )
    ],
    "user_two_factor_reset": [
        Row(
            kwargs=lambda w: {"pk": w.subject_adviser.pk},
            get=only(405, "admin"),
            post=only(302, "admin"),
            acts=acting("admin"),
        )
    ],
    "membership_add": [
        Row(
            kwargs=lambda w: {"pk": w.subject.pk},
            get=only(405, "admin"),
            post=only(302, "admin"),
            acts=acting("admin"),
            data=lambda w: {
                "membership-organisation": w.other_organisation.pk,
                "membership-position": Position.OTHER,
            },
        )
    ],
    "membership_remove": [
        Row(
            kwargs=lambda w: {"pk": w.subject.pk, "membership_pk": w.membership.pk},
            get=only(405, "admin"),
            post=only(302, "admin"),
            acts=acting("admin"),
        )
    ],
    "assignment_add": [
        Row(
            kwargs=lambda w: {"pk": w.subject_adviser.pk},
            get=only(405, "admin"),
            post=only(302, "admin"),
            acts=acting("admin"),
            data=lambda w: {"assignment-organisation": w.other_organisation.pk},
        )
    ],
    "assignment_remove": [
        Row(
            kwargs=lambda w: {"pk": w.subject_adviser.pk, "assignment_pk": w.assignment.pk},
            get=only(405, "admin"),
            post=only(302, "admin"),
            acts=acting("admin"),
        )
    ],
    # Organisations: administrators and the insights team (who answer requests for new ones).
    "organisations": [Row(get=ORGANISATION_KEEPERS, post=only(405, "admin", "insights"))],
    "organisation_create": [
        Row(
            get=ORGANISATION_KEEPERS,
            post=only(302, "admin", "insights"),
            acts=acting("admin", "insights"),
            data=lambda w: {"code": "X003", "name": "New Town Trust", "nation": "england", "served": "on"},
        )
    ],
    "organisation_edit": [
        Row(
            kwargs=lambda w: {"pk": w.organisation.pk},
            get=ORGANISATION_KEEPERS,
            post=only(302, "admin", "insights"),
            acts=acting("admin", "insights"),
            data=lambda w: {
                "code": w.organisation.code,
                "name": "Renamed Hospitals NHS Trust",
                "nation": "england",
                "served": "on",
            },
        )
    ],
    # The audit log: read-only for everyone, administrators included.
    "audit": [Row(get=only(200, "insights", "admin"), post=only(405, "insights", "admin"))],
}

CASES = [
    pytest.param(name, index, id=f"{name}-{index}")
    for name, rows in EXPECTED.items()
    for index in range(len(rows))
]
POST_CASES = [case for case in CASES if EXPECTED[case.values[0]][case.values[1]].post is not None]


# --- the objects the URLs name, all of the owner's organisation -------------------------------------


@dataclass
class World:
    organisation: Organisation
    other_organisation: Organisation
    published: Report
    draft: Report
    discussion: Discussion
    action: AgreedAction
    objective: AdoptedObjective
    request: ReportRequest
    upload: Upload
    batch: Batch
    subject: User
    subject_adviser: User
    owner_uid: str

    @property
    def membership(self) -> Any:
        return self.subject.memberships.get()

    @property
    def assignment(self) -> Any:
        return self.subject_adviser.assignments.get()

    @staticmethod
    def good_zip() -> bytes:
        folder = Path(tiny_extract())
        return zipped(folder, folder.parent / "matrix-extract.zip").read_bytes()


def _stored_report(organisation: Organisation, status: str, version: int, **fields: Any) -> Report:
    report = make_report(organisation, status=status, version=version, **fields)
    folder = store_path(report.directory)
    folder.mkdir(parents=True)
    for fmt in ("html", "pdf", "xlsx", "json"):
        content = f"{fmt} of {organisation.code} v{version}".encode()
        if fmt == "json":  # with draft objectives to adopt
            content = json.dumps(report_json(FIRST, report.period)).encode()
        (folder / f"report.{fmt}").write_bytes(content)
        ReportFile.objects.create(
            report=report,
            format=fmt,
            name=f"report.{fmt}",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
    return report


@pytest.fixture
def world(settings, tmp_path, users, organisation, other_organisation) -> World:
    settings.STORE_DIR = tmp_path / "store"
    insights = users["insights"]
    upload = Upload.objects.create(
        uploaded_by=insights,
        directory="uploads/matrix",
        status=Upload.Status.VALID,
        fingerprint="sha256:" + "1" * 64,
        summary={"problems": 0, "received": []},
    )
    store_path(upload.directory).mkdir(parents=True)
    store_path(f"{upload.directory}/rejects.csv").write_text("file,source_row,case_id,column,value,reason\n")
    batch = Batch.objects.create(upload=upload, created_by=insights, as_of=AS_OF, status=Batch.Status.DONE)
    published = _stored_report(organisation, Report.Status.PUBLISHED, 1)
    subject_adviser = make_user("subject_adviser", Role.ADVISER, organisation)
    twofactor.create_device(subject_adviser)
    discussion = Discussion.objects.create(
        report=published, held_on=AS_OF, attendee_roles="Medical director", recorded_by=users["adviser"]
    )
    return World(
        organisation=organisation,
        other_organisation=other_organisation,
        published=published,
        draft=_stored_report(organisation, Report.Status.DRAFT, 2, batch=batch),
        discussion=discussion,
        action=AgreedAction.objects.create(
            discussion=discussion, description="Review", owner="HR director", due_on=AS_OF
        ),
        objective=AdoptedObjective.objects.create(
            report=published,
            organisation=organisation,
            comparison="ethnic_minority_vs_white",
            wording="Bring the likelihood towards that of white practitioners",
            baseline_verdict="more_likely",
            baseline_ratio=2.08911,
            baseline_low=1.31063,
            baseline_high=3.32997,
            target="1.25 or below",
            review_on=AS_OF.replace(year=AS_OF.year + 50),
            adopted_by=users["owner"],
        ),
        request=ReportRequest.objects.create(
            requested_by=users["owner"], organisation_name="Newtown", reason="Merger"
        ),
        upload=upload,
        batch=batch,
        subject=make_user("subject", Role.ORGANISATION, organisation),
        subject_adviser=subject_adviser,
        owner_uid=urlsafe_base64_encode(force_bytes(users["owner"].pk)),
    )


# --- helpers -------------------------------------------------------------------------------------------


def portal_url_names(
    patterns: list[Any] | None = None, namespace: str | None = None
) -> list[tuple[str, str]]:
    """(namespace, name) of every URL pattern, walking includes."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            found += portal_url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            found.append((namespace or "", pattern.name or f"<unnamed {pattern.pattern}>"))
    return found


def client_for(users: dict[str, User], role: str) -> Client:
    return Client() if role == "anonymous" else signed_in(users[role])


def database_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the watched apps, as plain values, ordered by primary key."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for app in WATCHED_APPS
        for model in apps.get_app_config(app).get_models()
    }


def assert_sent_to_sign_in(response: Any, url: str) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN), response["Location"]


# --- the tests -----------------------------------------------------------------------------------------


def test_it_has_an_expectation_for_every_portal_url():
    found = portal_url_names()
    portal = {name for namespace, name in found if namespace != "casework"}
    assert portal == set(EXPECTED), "every portal URL needs a row in EXPECTED (and every row a URL)"
    assert {namespace for namespace, _ in found} == {"", "casework"}
    assert CASEWORK_MATRIX.is_file(), "the casework URLs' own matrix is missing"


def test_it_gives_every_row_a_status_for_every_role():
    for name, rows in EXPECTED.items():
        for row in rows:
            assert set(row.get) == set(ROLES), name
            assert row.post is None or set(row.post) == set(ROLES), name
            assert row.acts <= {role for role, status in (row.post or {}).items() if status == 302}, name


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "index"), CASES)
def test_it_answers_get_with_the_expected_status(world, users, name, index, role):
    row = EXPECTED[name][index]
    url = reverse(name, kwargs=row.kwargs(world))
    response = client_for(users, role).get(url)
    assert response.status_code == row.get[role], f"GET {url} as {role}"
    if role == "anonymous" and row.get[role] == 302:
        assert_sent_to_sign_in(response, url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "index"), POST_CASES)
def test_it_lets_only_the_right_roles_change_anything(world, users, name, index, role):
    row = EXPECTED[name][index]
    url = reverse(name, kwargs=row.kwargs(world))
    client = client_for(users, role)
    before = database_rows()
    response = client.post(url, row.data(world))
    assert response.status_code == row.post[role], f"POST {url} as {role}"
    if role == "anonymous":
        assert_sent_to_sign_in(response, url)
    if role in row.acts:
        assert database_rows() != before, f"POST {url} as {role} should have changed something"
    else:
        assert database_rows() == before, f"POST {url} as {role} changed the database"
