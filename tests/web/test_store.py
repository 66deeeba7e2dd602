from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from concerns.web.portal.models import Organisation, Report
from concerns.web.portal.store import StoreError, file_path, import_batch, publish, sha256_of, store_path
from tests.web.reports_data import AS_OF, batch_copy, tiny_batch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.STORE_DIR = tmp_path / "store"
    return settings.STORE_DIR


def _manifest(folder):
    return json.loads((folder / "manifest.json").read_text())


def test_it_imports_every_report_of_a_batch_as_a_draft_with_verified_copies(users):
    manifest = _manifest(tiny_batch())
    reports = import_batch(tiny_batch(), generated_by=users["insights"])
    folders = {item["path"].split("/")[0] for item in manifest["files"]}
    assert {r.organisation.code if r.organisation else "national" for r in reports} == folders
    assert {r.status for r in reports} == {Report.Status.DRAFT}
    first = next(r for r in reports if r.organisation)
    assert first.as_of == AS_OF
    assert first.period == f"{manifest['fiscal_years'][0]} to {manifest['fiscal_years'][-1]}"
    assert first.fingerprint == f"sha256:{manifest['data_sha256']}"
    assert first.directory == f"reports/{first.organisation.code}/v1"
    for stored in first.files.all():
        assert sha256_of(file_path(stored)) == stored.sha256
        assert file_path(stored).is_relative_to(store_path("reports"))


def test_it_creates_missing_organisations_with_their_names_from_report_json():
    import_batch(tiny_batch())
    code = next(
        item["path"].split("/")[0]
        for item in _manifest(tiny_batch())["files"]
        if not item["path"].startswith("national")
    )
    details = json.loads((tiny_batch() / code / "report.json").read_text())
    created = Organisation.objects.get(code=code)
    assert created.name == details["org"]["name"]
    assert created.nation == details["org"]["nation"] and created.nation in {
        "england",
        "wales",
        "northern_ireland",
    }


def test_it_moves_nations_stored_as_labels_to_the_vocabularys_codes():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("concerns.web.portal.migrations.0008_nation_codes")
    for code, nation in (("L1", "Northern Ireland"), ("L2", "wales"), ("L3", ""), ("L4", "Atlantis")):
        Organisation.objects.create(code=code, name=code, nation=nation)
    migration.to_codes(apps, None)
    stored = dict(Organisation.objects.filter(code__startswith="L").values_list("code", "nation"))
    assert stored == {"L1": "northern_ireland", "L2": "wales", "L3": "", "L4": "Atlantis"}
    assert Organisation.objects.get(code="L1").get_nation_display() == "Northern Ireland"
    migration.to_labels(apps, None)
    assert Organisation.objects.get(code="L1").nation == "Northern Ireland"


def test_it_counts_versions_up_per_organisation():
    first = {r.organisation_id: r.version for r in import_batch(tiny_batch())}
    second = {r.organisation_id: r.version for r in import_batch(tiny_batch())}
    assert set(first.values()) == {1}
    assert set(second.values()) == {2}


def test_it_refuses_a_batch_whose_file_differs_from_the_manifest(tmp_path, store):
    folder = batch_copy(tmp_path)
    target = next(path for path in folder.glob("*/report.json") if path.parent.name != "national")
    target.write_text(target.read_text().replace("Organisational", "Forged"))
    with pytest.raises(StoreError, match="does not match the manifest"):
        import_batch(folder)
    assert not Report.objects.exists()
    assert not (store / "reports").exists()


def test_it_refuses_manifest_paths_outside_the_batch(tmp_path):
    folder = batch_copy(tmp_path)
    manifest = _manifest(folder)
    manifest["files"][0]["path"] = "../../etc/report.json"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match="unexpected file"):
        import_batch(folder)
    assert not Report.objects.exists()


def test_it_publishes_and_supersedes_the_previous_version_in_one_step(users):
    old = next(r for r in import_batch(tiny_batch()) if r.organisation)
    publish(old, users["insights"])
    new = next(r for r in import_batch(tiny_batch()) if r.organisation_id == old.organisation_id)
    superseded = publish(new, users["insights"])
    old.refresh_from_db()
    new.refresh_from_db()
    assert superseded == old
    assert (old.status, old.superseded_by) == (Report.Status.SUPERSEDED, new)
    assert (new.status, new.published_by, new.version) == (Report.Status.PUBLISHED, users["insights"], 2)
    assert new.published_at is not None


def test_it_refuses_to_publish_twice_or_change_a_published_report(users):
    report = next(r for r in import_batch(tiny_batch()) if r.organisation)
    publish(report, users["insights"])
    with pytest.raises(StoreError, match="already published"):
        publish(report, users["insights"])
    report.refresh_from_db()
    report.period = "2000/01 to 2004/05"
    with pytest.raises(ValidationError):
        report.save()


def test_it_refuses_to_publish_a_draft_older_than_the_published_version(users):
    older = next(r for r in import_batch(tiny_batch()) if r.organisation)
    newer = next(r for r in import_batch(tiny_batch()) if r.organisation_id == older.organisation_id)
    publish(newer, users["insights"])
    with pytest.raises(StoreError, match="older than the published version"):
        publish(older, users["insights"])
