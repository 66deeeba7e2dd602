"""Subject access: the search finds every record of its practitioner and none of another's; the pack carries
the Article 15 information and no other person's name."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from concerns.web.casework import sar
from concerns.web.casework.models import (
    ActionPlan,
    Assessment,
    CaseEntry,
    ChangeRecord,
    Exclusion,
    ExclusionReview,
    Headcount,
    Hpan,
    HpanReview,
    OrganisationProfile,
    Recorded,
    SubjectAccessRequest,
    TeamReview,
    ThirdParty,
    recorded_models,
)
from concerns.web.casework.redaction import Redactor
from concerns.web.portal.models import AuditEvent
from tests.web.casework.conftest import make_case, make_practitioner
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db
COLLEAGUE = "Jane Smith"
OTHER_PRACTITIONER = "Bob Otherdoc"
BOARD_MEMBER = "Priya Boardman"
REQUESTER = "Rhys Requester"


def full_history(case, by, *, colleague_note: bool) -> list[Recorded]:
    """Every kind of record in one case; returns them all."""
    made: list[Recorded] = [case, case.practitioner, case.practitioner.identity]
    note = (
        f"Spoke with {COLLEAGUE} (clinical director); Dr Smith will send the rota. "
        f"{OTHER_PRACTITIONER} was on call."
        if colleague_note
        else "Routine call."
    )
    records = [
        CaseEntry(
            case=case,
            kind="contact_organisation",
            occurred_on=dt.date(2024, 5, 2),
            summary=note,
            recorded_by=by,
        ),
        ThirdParty(case=case, name=COLLEAGUE, other_names="Dr Smith", role="the clinical director"),
        Exclusion(
            case=case, kind="formal", started_on=dt.date(2024, 6, 3), monitoring_board_member=BOARD_MEMBER
        ),
        Assessment(case=case, kind="behavioural", requested_on=dt.date(2024, 6, 10)),
        ActionPlan(
            case=case,
            kind="remediation",
            drafted_on=dt.date(2024, 7, 1),
            summary=f"Supervision by {COLLEAGUE} weekly.",
        ),
        TeamReview(case=case, requested_on=dt.date(2024, 7, 5)),
        Hpan(
            case=case,
            requested_on=dt.date(2024, 7, 9),
            requested_by=REQUESTER,
            requester_is_board_member=True,
            criteria=[c.value for c in Hpan.Criterion],
            issued_on=dt.date(2024, 7, 20),
            recipients=[r.value for r in Hpan.Recipient],
        ),
    ]
    for record in records:
        record.save(by=by)
    exclusion, hpan = records[2], records[6]
    review = ExclusionReview(
        exclusion=exclusion,
        due_on=exclusion.next_review_on,
        held_on=dt.date(2024, 6, 28),
        decision="renew",
        notes=f"{BOARD_MEMBER} agreed.",
    )
    review.save(by=by)
    alert_review = HpanReview(
        hpan=hpan, due_on=hpan.next_review_on, held_on=dt.date(2025, 1, 10), decision="continue"
    )
    alert_review.save(by=by)
    return [*made, *records, review, alert_review]


@pytest.fixture
def two_practitioners(users, organisation, other_organisation):
    by = users["insights"]
    mine = make_case(organisation, by, make_practitioner(by, "Alex Example", "7000001"))
    second = make_case(other_organisation, by, mine.practitioner, opened_on=dt.date(2025, 1, 6))
    theirs = make_case(other_organisation, by, make_practitioner(by, OTHER_PRACTITIONER, "7000002"))
    expected = [*full_history(mine, by, colleague_note=True), second]
    full_history(theirs, by, colleague_note=False)
    request = SubjectAccessRequest(
        practitioner=mine.practitioner,
        received_on=dt.date(2025, 6, 2),
        identity_verified_on=dt.date(2025, 6, 4),
    )
    request.save(by=by)
    return request, [*expected, request]


def keys(records) -> set[tuple[str, int]]:
    return {(type(record).__name__, record.pk) for record in records}


def test_it_finds_every_record_of_the_practitioner_and_none_of_anothers(two_practitioners):
    request, expected = two_practitioners
    found = sar.records_of(request.practitioner)
    assert keys(row for rows in found.values() for row in rows) == keys(expected)
    history = sar.history_of(request.practitioner)
    assert {(change.model, int(change.object_id)) for change in history} == keys(expected)


def test_it_searches_every_model_that_holds_records_about_a_practitioner():
    from django.apps import apps

    reference_data = {ChangeRecord, OrganisationProfile, Headcount}
    models = set(apps.get_app_config("casework").get_models())
    assert models - reference_data == set(recorded_models())
    assert all(issubclass(model, Recorded) for model in recorded_models())


def test_it_gives_the_article_15_information_in_the_pack(two_practitioners):
    request, _ = two_practitioners
    pack = sar.build_pack(request, prepared_on=dt.date(2025, 6, 20))
    text = json.dumps(pack["supplementary_information"]).lower()
    for required in (
        "purposes",
        "categories",
        "recipients",
        "retention",
        "rectification",
        "erasure",
        "restrict",
        "object",
        "information commissioner",
        "source",
        "automated",
        "outside the united kingdom",
    ):
        assert required in text, required
    assert {"label": "Due", "value": "4 July 2025"} in pack["request"]
    assert {"label": "Name", "value": "Alex Example"} in pack["subject"]
    assert [section["heading"].split(":")[1].strip() for section in pack["cases"]] == [
        "Example Hospitals NHS Trust",
        "Other Valley Health Board",
    ]


def test_it_replaces_other_peoples_names_with_their_roles(two_practitioners):
    request, _ = two_practitioners
    text = sar.pack_json(sar.build_pack(request, prepared_on=dt.date(2025, 6, 20))).decode()
    for name in (COLLEAGUE, "Smith", OTHER_PRACTITIONER, BOARD_MEMBER, REQUESTER):
        assert name.lower() not in text.lower(), name
    assert "Spoke with [the clinical director] (clinical director); [the clinical director] will send" in text
    assert "[another practitioner] was on call" in text
    assert f"[{sar.BOARD_MEMBER_ROLE}] agreed." in text
    assert "Alex Example" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_it_typesets_the_pack_as_a_pdf_without_other_peoples_names(two_practitioners, tmp_path):
    request, _ = two_practitioners
    pdf = sar.pack_pdf(sar.build_pack(request, prepared_on=dt.date(2025, 6, 20)))
    assert pdf.startswith(b"%PDF")
    (tmp_path / "pack.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "pack.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Information Commissioner" in text and "Alex Example" in text
    assert "[the clinical director]" in " ".join(text.split())
    for name in (COLLEAGUE, OTHER_PRACTITIONER, BOARD_MEMBER, REQUESTER):
        assert name not in text


names = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=2, max_size=12)


@given(st.lists(names, min_size=1, max_size=4, unique_by=str.casefold), st.lists(names, max_size=6))
def test_it_leaves_no_known_name_in_redacted_text(known, words):
    text = " ".join([*words, *known, *(name.upper() for name in known)])
    redacted, count = Redactor({name: "a colleague" for name in known}).redact(text)
    remaining = redacted.replace("[a colleague]", " ").split()
    assert not any(word.casefold() == name.casefold() for word in remaining for name in known)
    assert count >= 2 * len(known)


class BrokenTypesetter:
    def compile(self, **_: object) -> bytes:
        raise RuntimeError("font not found")


def test_it_explains_a_pdf_that_cannot_be_typeset_and_offers_the_json_pack(case, users, monkeypatch):
    monkeypatch.setattr(sar, "_compiler", lambda: BrokenTypesetter())
    request = SubjectAccessRequest(practitioner=case.practitioner, received_on=dt.date(2025, 1, 6))
    request.save(by=users["insights"])
    client = signed_in(users["insights"])
    response = client.get(reverse("casework:sar_pack", args=[request.pk, "pdf"]))
    page = response.content.decode()
    assert response.status_code == 503 and "Content-Disposition" not in response
    assert "The PDF pack could not be made" in page
    assert f'href="{reverse("casework:sar_pack", args=[request.pk, "json"])}"' in page
    assert not AuditEvent.objects.filter(action="sar-pack-downloaded").exists()
    offered = client.get(reverse("casework:sar_pack", args=[request.pk, "json"]))
    assert (
        offered.status_code == 200
        and {"label": "Name", "value": "Alex Example"} in json.loads(offered.content)["subject"]
    )
