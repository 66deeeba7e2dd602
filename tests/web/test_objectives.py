"""High impact action 1 in the portal: adopting a report's draft objectives, and baseline against now.

Reports here carry a small report.json of the documented shape (`findings.equality`, the `objectives` and
`relative_likelihood` tables), with figures as the report builder writes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerns.web.portal import objectives
from concerns.web.portal.audit import Action
from concerns.web.portal.models import AdoptedObjective, AuditEvent, Report, ReportFile
from concerns.web.portal.store import import_batch, publish, store_path
from tests.web.conftest import make_report, signed_in
from tests.web.reports_data import batch_renamed, date_fields
from tests.web.support import (
    BLACK,
    ETHNICITY,
    FIRST,
    LABELS,
    QUALIFIED,
    WORDING,
    YOUNG,
    report_json,
    shown,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
REVIEW = TODAY + dt.timedelta(days=300)
SECOND = {
    ETHNICITY: ("more_likely", 1.52034, 1.01021, 2.28808),
    QUALIFIED: ("withheld", None, None, None),
    BLACK: ("too_few_cases", None, None, None),
    YOUNG: ("less_likely", 0.61207, 0.40123, 0.93371),
    "eea_vs_uk": ("no_clear_difference", 1.31803, 0.645698, 2.69044),
}


# Adopting and changing objectives: the organisation's own users; everyone else is told the page is not there.
OWN_USERS_ONLY = [
    ("owner", 200),
    ("member", 200),
    ("stranger", 404),
    ("adviser", 404),
    ("unassigned_adviser", 404),
    ("insights", 404),
    ("admin", 404),
    ("anonymous", 302),
]


def stored(report: Report, figures: dict) -> Report:
    content = json.dumps(report_json(figures, report.period)).encode()
    folder = store_path(report.directory)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_bytes(content)
    ReportFile.objects.create(
        report=report,
        format="json",
        name="report.json",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    return report


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.STORE_DIR = tmp_path / "store"


@pytest.fixture
def first(organisation):
    return stored(make_report(organisation), FIRST)


@pytest.fixture
def second(first, organisation, users):
    """The next year's report, published: the first is superseded by it."""
    newer = stored(
        make_report(organisation, version=2, as_of=dt.date(2026, 6, 30), period="2021/22 to 2025/26"),
        SECOND,
    )
    Report.objects.filter(pk=first.pk).update(status=Report.Status.SUPERSEDED, superseded_by=newer)
    return newer


def _client(users, who):
    return Client() if who == "anonymous" else signed_in(users[who])


def _form(**overrides):
    return {
        "wording": "Halve the gap by 2028",
        "target": "1.25 or below",
        **date_fields("review_on", REVIEW),
    } | overrides


def _adopt(users, report, comparison, /, who="owner", **overrides):
    return _client(users, who).post(
        reverse("objective_adopt", args=[report.pk, comparison]), _form(**overrides)
    )


def _adopted_before(second, first, users, comparison, **overrides):
    """Adopt against the first report as it was while it was current, before the second superseded it."""
    Report.objects.filter(pk=first.pk).update(status=Report.Status.PUBLISHED)
    assert _adopt(users, first, comparison, **overrides).status_code == 302
    Report.objects.filter(pk=first.pk).update(status=Report.Status.SUPERSEDED)


def _card(page: str, wording: str) -> str:
    """The adopted objective's card on a page."""
    start = page.index(f'nhsuk-heading-s">{wording}</h')
    return page[start : page.index("</dl>", start)]


def _value(card: str, key: str) -> str:
    """A summary list value of a card, without its markup."""
    found = re.search(
        rf'<dt class="nhsuk-summary-list__key">{key}</dt><dd class="nhsuk-summary-list__value">(.*?)</dd>',
        card,
        re.S,
    )
    assert found, key
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1).replace("<br>", " ")).split())


# --- adopting ----------------------------------------------------------------------------------------


def test_it_copies_the_baseline_from_the_report_not_the_form(first, users, organisation):
    response = _adopt(
        users,
        first,
        ETHNICITY,
        baseline_ratio="0.5",
        baseline_low="0.1",
        baseline_high="0.9",
        baseline_verdict="less_likely",
        report=999,
        organisation=999,
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("report", args=[first.pk]) + "#objectives"
    adopted = AdoptedObjective.objects.get()
    assert (
        adopted.baseline_verdict,
        adopted.baseline_ratio,
        adopted.baseline_low,
        adopted.baseline_high,
    ) == (
        "more_likely",
        2.08911,
        1.31063,
        3.32997,
    )
    assert (adopted.report, adopted.organisation, adopted.comparison) == (first, organisation, ETHNICITY)
    assert (adopted.wording, adopted.target, adopted.review_on) == (
        "Halve the gap by 2028",
        "1.25 or below",
        REVIEW,
    )
    assert (adopted.status, adopted.adopted_by) == (AdoptedObjective.Status.ACTIVE, users["owner"])


def test_it_records_the_adoption_in_the_audit_log(first, users, organisation):
    _adopt(users, first, ETHNICITY, who="member")
    adopted = AdoptedObjective.objects.get()
    event = AuditEvent.objects.get(action=Action.OBJECTIVE_ADOPTED)
    assert (event.actor, event.organisation, event.object_type, event.object_id) == (
        users["member"],
        organisation,
        "AdoptedObjective",
        str(adopted.pk),
    )
    assert event.detail == {
        "report": first.pk,
        "comparison": ETHNICITY,
        "baseline": "2.09 (1.31–3.33)",
        "review_on": REVIEW.isoformat(),
    }


def test_it_starts_the_form_with_the_drafts_wording_and_target(first, users):
    page = signed_in(users["owner"]).get(reverse("objective_adopt", args=[first.pk, YOUNG])).content.decode()
    assert f">\n{WORDING[YOUNG]}</textarea>" in page
    assert ">\n0.80 or above</textarea>" in page
    assert "0.37 (0.22–0.63)" in page and LABELS[YOUNG] in page


@pytest.mark.parametrize(("who", "expected"), OWN_USERS_ONLY)
def test_it_lets_only_the_organisations_own_users_open_the_adopt_form(first, users, who, expected):
    assert (
        _client(users, who).get(reverse("objective_adopt", args=[first.pk, ETHNICITY])).status_code
        == expected
    )


@pytest.mark.parametrize("who", ["stranger", "adviser", "insights", "admin"])
def test_it_refuses_adoption_to_everyone_else(first, users, who):
    assert _adopt(users, first, ETHNICITY, who=who).status_code == 404
    assert not AdoptedObjective.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.OBJECTIVE_ADOPTED).exists()


def test_it_refuses_adoption_against_a_draft_or_superseded_report(second, first, organisation, users):
    draft = stored(make_report(organisation, status=Report.Status.DRAFT, version=3), FIRST)
    for report in (draft, first):
        assert _adopt(users, report, ETHNICITY).status_code == 404
        page = signed_in(users["insights"]).get(reverse("report", args=[report.pk])).content.decode()
        assert reverse("objective_adopt", args=[report.pk, ETHNICITY]) not in page
    assert not AdoptedObjective.objects.exists()


def test_it_offers_only_the_reports_drafts(first, users):
    assert _adopt(users, first, "eea_vs_uk").status_code == 404  # no clear difference: no draft
    assert _adopt(users, first, "disabled_vs_not").status_code == 404  # not in the report
    assert not AdoptedObjective.objects.exists()


def test_it_asks_for_a_review_date_in_the_future(first, users):
    response = _adopt(users, first, ETHNICITY, **date_fields("review_on", TODAY))
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and 'href="#id_review_on_0"' in page
    assert "Review date must be in the future" in page
    missing = _adopt(users, first, ETHNICITY, review_on_day="", review_on_month="", review_on_year="")
    assert "Enter the review date" in missing.content.decode()
    assert not AdoptedObjective.objects.exists()


def test_it_keeps_one_active_objective_per_comparison(first, users):
    _adopt(users, first, ETHNICITY)
    adopted = AdoptedObjective.objects.get()
    again = _adopt(users, first, ETHNICITY, who="member", wording="Another")
    assert again.status_code == 302 and again["Location"] == reverse("objective_edit", args=[adopted.pk])
    assert AdoptedObjective.objects.count() == 1
    page = signed_in(users["owner"]).get(reverse("report", args=[first.pk])).content.decode()
    draft_row = page.split(WORDING[ETHNICITY])[1].split("</tr>")[0]
    assert "Adopted</strong>" in draft_row
    assert reverse("objective_adopt", args=[first.pk, ETHNICITY]) not in page
    assert reverse("objective_adopt", args=[first.pk, QUALIFIED]) in page


# --- the report's page -----------------------------------------------------------------------------


def test_it_shows_the_drafts_on_the_reports_page_with_adopt_for_members_only(first, users):
    owner = signed_in(users["owner"]).get(reverse("report", args=[first.pk])).content.decode()
    assert "Objectives (High impact action 1)" in owner
    assert owner.count("Adopt<span") == 4  # the four comparisons clear of 1
    assert "2.09 (1.31–3.33)" in owner and "0.37 (0.22–0.63)" in owner
    assert "Baseline, 2020/21 to 2024/25" in owner
    for who in ("adviser", "insights"):
        page = signed_in(users[who]).get(reverse("report", args=[first.pk])).content.decode()
        assert WORDING[ETHNICITY] in page and "Adopt<span" not in page


def test_it_shows_strangers_neither_the_report_nor_its_objectives(first, users):
    _adopt(users, first, ETHNICITY)
    adopted = AdoptedObjective.objects.get()
    stranger = signed_in(users["stranger"])
    assert stranger.get(reverse("report", args=[first.pk])).status_code == 404
    assert stranger.get(reverse("objective_edit", args=[adopted.pk])).status_code == 404
    listed = stranger.get(reverse("objectives")).content.decode()
    assert "Halve the gap" not in listed and "No objective has been adopted yet" in listed
    assert (
        signed_in(users["unassigned_adviser"]).get(reverse("objective_edit", args=[adopted.pk])).status_code
        == 404
    )


def test_it_shows_the_baseline_against_now_on_a_later_report(second, first, users):
    _adopted_before(second, first, users, ETHNICITY)
    page = signed_in(users["adviser"]).get(reverse("report", args=[second.pk])).content.decode()
    card = _card(page, "Halve the gap by 2028")
    assert _value(card, "Comparison") == "Ethnic minority compared with white"
    assert _value(card, "Baseline") == "2.09 (1.31–3.33) Report version 1, 2020/21 to 2024/25"
    assert _value(card, "Now") == "1.52 (1.01–2.29) This report, 2021/22 to 2025/26"
    assert _value(card, "What the figures say") == (
        "The ratio is lower than at the baseline: 1.52 against 2.09. The two 95% intervals overlap, so these "
        "figures cannot tell a change from chance. The new ratio is above 1.25: not yet the draft target "
        "(1.25 or below)."
    )
    assert "significant" not in card
    assert reverse("objective_edit", args=[AdoptedObjective.objects.get().pk]) not in page  # advisers read


def test_it_shows_the_reports_words_and_no_number_where_now_is_hidden(second, first, users):
    _adopted_before(second, first, users, QUALIFIED, wording="Qualified abroad")
    _adopted_before(second, first, users, BLACK, wording="Black doctors")
    page = signed_in(users["owner"]).get(reverse("report", args=[second.pk])).content.decode()
    withheld, too_few = _card(page, "Qualified abroad"), _card(page, "Black doctors")
    assert (
        _value(withheld, "Now")
        == "No figure: not shown, to protect small numbers This report, 2021/22 to 2025/26"
    )
    assert "too few" not in withheld
    assert _value(too_few, "Now") == "No figure: too few cases This report, 2021/22 to 2025/26"
    for card in (withheld, too_few):
        assert not re.search(r"\d", _value(card, "Now").split(" This report")[0])
        assert _value(card, "What the figures say") == "This report gives no figure to compare."


def test_it_shows_the_baseline_only_on_the_report_it_was_adopted_against(first, users):
    _adopt(users, first, ETHNICITY)
    page = signed_in(users["owner"]).get(reverse("report", args=[first.pk])).content.decode()
    card = _card(page, "Halve the gap by 2028")
    assert _value(card, "Baseline") == "2.09 (1.31–3.33) This report, 2020/21 to 2024/25"
    assert _value(card, "Now").startswith("This is the baseline report")
    assert "What the figures say" not in card
    assert reverse("objective_edit", args=[AdoptedObjective.objects.get().pk]) in page


def test_it_lists_the_organisations_objectives_against_its_current_report(second, first, users):
    _adopted_before(second, first, users, YOUNG, wording="Understand the young")
    for who in ("owner", "adviser", "insights"):
        page = signed_in(users[who]).get(reverse("objectives")).content.decode()
        card = _card(page, "Understand the young")
        assert _value(card, "Now") == "0.61 (0.40–0.93) Report version 2, 2021/22 to 2025/26"
        assert _value(card, "What the figures say") == (
            "The ratio is higher than at the baseline: 0.61 against 0.37. The two 95% intervals overlap, so "
            "these figures cannot tell a change from chance. The new ratio is below 0.80: not yet the draft "
            "target (0.80 or above)."
        )
    assert signed_in(users["admin"]).get(reverse("objectives")).status_code == 404


def a_year_on(folder):
    """The batch as if written a year later: the same files, with the manifest's date and years moved on."""
    manifest = json.loads((folder / "manifest.json").read_text())
    as_of = dt.date.fromisoformat(manifest["as_of"])
    manifest["as_of"] = as_of.replace(year=as_of.year + 1).isoformat()
    manifest["fiscal_years"] = [f"{int(y[:4]) + 1}/{int(y[5:]) + 1:02d}" for y in manifest["fiscal_years"]]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_it_reads_the_report_builders_own_report_json(users, organisation, tmp_path):
    folder = batch_renamed(tmp_path, {"ours": organisation.code})
    data = json.loads((folder / organisation.code / "report.json").read_text())
    drafts = next(table for table in data["tables"] if table["id"] == "objectives")["rows"]
    assert drafts, "the tiny batch's first organisation has draft objectives"
    draft = drafts[0]
    finding = next(item for item in data["findings"]["equality"] if item["comparison"] == draft["key"])
    (first,) = [r for r in import_batch(folder) if r.organisation == organisation]
    publish(first, users["insights"])
    page = signed_in(users["owner"]).get(reverse("report", args=[first.pk])).content.decode()
    assert page.count("Adopt<span") == len(drafts)
    assert draft["label"] in page and draft["cells"][0]["display"] in page
    assert _adopt(users, first, draft["key"]).status_code == 302
    adopted = AdoptedObjective.objects.get()
    assert (adopted.baseline_ratio, adopted.baseline_low, adopted.baseline_high) == (
        finding["ratio"],
        finding["ci_low"],
        finding["ci_high"],
    )
    assert objectives.baseline_of(adopted).display == draft["cells"][0]["display"]

    later = a_year_on(batch_renamed(tmp_path / "2", {"ours": organisation.code}))
    (second,) = [r for r in import_batch(later) if r.organisation == organisation]
    publish(second, users["insights"])
    page = signed_in(users["adviser"]).get(reverse("report", args=[second.pk])).content.decode()
    card = _card(page, "Halve the gap by 2028")
    assert _value(card, "Now") == f"{draft['cells'][0]['display']} This report, 2021/22 to 2025/26"
    assert _value(card, "What the figures say").startswith(
        f"The ratio is the same as at the baseline, {shown(finding['ratio'])}. The two 95% intervals overlap"
    )


# --- changing an adopted objective -----------------------------------------------------------------


def test_it_lets_members_change_an_objective_but_never_its_baseline(first, users, organisation):
    _adopt(users, first, ETHNICITY)
    adopted = AdoptedObjective.objects.get()
    later = REVIEW + dt.timedelta(days=30)
    response = signed_in(users["member"]).post(
        reverse("objective_edit", args=[adopted.pk]),
        _form(wording="Close the gap", status="met", baseline_ratio="1.0", **date_fields("review_on", later)),
    )
    assert response.status_code == 302
    adopted.refresh_from_db()
    assert (adopted.wording, adopted.status, adopted.review_on, adopted.changed_by) == (
        "Close the gap",
        AdoptedObjective.Status.MET,
        later,
        users["member"],
    )
    assert (adopted.baseline_ratio, adopted.baseline_low, adopted.baseline_high) == (
        2.08911,
        1.31063,
        3.32997,
    )
    event = AuditEvent.objects.get(action=Action.OBJECTIVE_CHANGED)
    assert (event.actor, event.organisation, event.object_id) == (
        users["member"],
        organisation,
        str(adopted.pk),
    )
    assert event.detail == {
        "changed": ["wording", "review_on", "status"],
        "status": "met",
        "status_was": "active",
    }
    # Met, it no longer holds the comparison: a new objective can be adopted for it.
    assert _adopt(users, first, ETHNICITY).status_code == 302
    assert AdoptedObjective.objects.filter(status="active").count() == 1


def test_it_keeps_a_past_review_date_that_is_not_changed(first, users):
    _adopt(users, first, ETHNICITY)
    adopted = AdoptedObjective.objects.get()
    AdoptedObjective.objects.filter(pk=adopted.pk).update(review_on=TODAY - dt.timedelta(days=3))
    client = signed_in(users["owner"])
    url = reverse("objective_edit", args=[adopted.pk])
    past = date_fields("review_on", TODAY - dt.timedelta(days=3))
    assert client.post(url, _form(status="set_aside", **past)).status_code == 302
    assert AdoptedObjective.objects.get().status == AdoptedObjective.Status.SET_ASIDE
    moved = client.post(
        url, _form(status="set_aside", **date_fields("review_on", TODAY - dt.timedelta(days=1)))
    )
    assert moved.status_code == 400 and "Review date must be in the future" in moved.content.decode()


@pytest.mark.parametrize(("who", "expected"), OWN_USERS_ONLY)
def test_it_lets_only_the_organisations_own_users_change_an_objective(first, users, who, expected):
    _adopt(users, first, ETHNICITY)
    adopted = AdoptedObjective.objects.get()
    url = reverse("objective_edit", args=[adopted.pk])
    assert _client(users, who).get(url).status_code == expected
    _client(users, who).post(url, _form(wording="Changed", status="set_aside"))
    adopted.refresh_from_db()
    assert (adopted.wording == "Changed") == (expected == 200)


# --- what the figures say ----------------------------------------------------------------------------


def _objective(verdict, ratio, low, high):
    return AdoptedObjective(
        baseline_verdict=verdict,
        baseline_ratio=ratio,
        baseline_low=low,
        baseline_high=high,
        comparison=ETHNICITY,
    )


def _now(verdict, ratio, low, high):
    return objectives.contents_of(
        {
            "findings": {
                "equality": [
                    {
                        "comparison": ETHNICITY,
                        "verdict": verdict,
                        "ratio": ratio,
                        "ci_low": low,
                        "ci_high": high,
                    }
                ]
            }
        }
    )


def test_it_says_intervals_that_do_not_overlap_are_not_a_proven_change():
    said = objectives.progress(
        _objective("more_likely", 3.16, 2.2, 4.5), _now("no_clear_difference", 1.1, 0.85, 1.24)
    )
    assert said.sentences == (
        "The ratio is lower than at the baseline: 1.10 against 3.16. The two 95% intervals do not overlap, but "
        "the reports pool overlapping years and no test of change is made, so read it as a direction, not a "
        "proven change.",
        "The whole new interval (0.85–1.24) is 1.25 or below, the draft target.",
    )


def test_it_says_when_only_the_ratio_reaches_the_target():
    more = objectives.progress(
        _objective("more_likely", 2.0, 1.3, 3.1), _now("no_clear_difference", 1.2, 0.7, 2.0)
    )
    assert more.sentences[1] == (
        "The new ratio is 1.25 or below, the draft target, but its interval (0.70–2.00) reaches above 1.25, so "
        "the figures do not yet show the target met."
    )
    less = objectives.progress(
        _objective("less_likely", 0.4, 0.2, 0.6), _now("no_clear_difference", 0.9, 0.5, 1.4)
    )
    assert less.sentences[1] == (
        "The new ratio is 0.80 or above, the draft target, but its interval (0.50–1.40) reaches below 0.80, so "
        "the figures do not yet show the target met."
    )


def test_it_judges_the_figures_as_printed():
    same = objectives.progress(
        _objective("more_likely", 2.091, 1.31, 3.33), _now("more_likely", 2.089, 1.30, 3.2549)
    )
    assert same.sentences[0].startswith("The ratio is the same as at the baseline, 2.09.")


def test_it_never_shows_a_figure_a_withheld_finding_still_carries():
    """Should a withheld entry ever carry numbers, the portal still shows none of them."""
    hidden = _now("withheld", 1.7, 1.1, 2.6)
    assert hidden.figure(ETHNICITY) is None
    assert hidden.words(ETHNICITY) == "not shown, to protect small numbers"
    assert objectives.progress(_objective("more_likely", 2.0, 1.3, 3.1), hidden).now is None


def test_it_keeps_the_draft_targets_band_the_reports_band():
    from concerns.analytics._findings import BAND

    assert objectives.TARGET_BAND == BAND
