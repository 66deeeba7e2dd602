"""The report store: batches written by `concerns report` imported as draft reports, and their publication.

A batch folder holds `<org_code>/report.<fmt>` (and `national/report.<fmt>`) with `manifest.json` listing
every file's SHA-256. Importing checks every file against the manifest before anything is recorded, copies
the files to `STORE_DIR/reports/<code>/v<version>/`, and records a draft `Report` per folder. Publishing
makes a draft the organisation's current report and marks the one it replaces as superseded.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from concerns import vocabulary as v
from concerns.report import FORMATS, Manifest, ManifestError, ManifestFile
from concerns.web.portal.models import Batch, Organisation, Report, ReportFile

NATIONAL = "national"
# The files a report folder may hold, by the format the store records: the report in every format, and its
# board summary (a separate document, under a stricter policy, for board papers that may be published).
FILES = {
    **{f"report.{fmt}": fmt for fmt in FORMATS},
    "summary.html": "summary-html",
    "summary.pdf": "summary-pdf",
}
_FOLDER = re.compile(r"^[A-Za-z0-9]{1,12}$")
_CHUNK = 1 << 20


class StoreError(ValueError):
    """A batch that cannot be imported, or a report that cannot be published; the message says why."""


@dataclass(frozen=True)
class _Entry:
    folder: str
    format: str
    source: Path
    sha256: str

    @property
    def name(self) -> str:
        return self.source.name


def store_path(relative: str) -> Path:
    """An absolute path under STORE_DIR for a path the models keep relative to it."""
    root = Path(settings.STORE_DIR).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise StoreError(f"{relative} is outside the store")
    return path


def file_path(report_file: ReportFile) -> Path:
    return store_path(f"{report_file.report.directory}/{report_file.name}")


def read_manifest(folder: Path) -> Manifest:
    try:
        return Manifest.read(folder)
    except ManifestError as error:
        raise StoreError(str(error)) from None


def import_batch(
    folder: Path,
    *,
    batch: Batch | None = None,
    generated_by: Any = None,
    names: dict[str, tuple[str, str]] | None = None,
) -> list[Report]:
    """Record every report of a batch folder as a draft; nothing is recorded if any file fails its check.

    `names` maps an organisation code to (name, nation) for organisations not yet known; otherwise the
    name comes from the report's report.json (or is the code itself).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    entries = _verified_entries(folder, manifest)
    by_folder: dict[str, list[_Entry]] = {}
    for entry in entries:
        by_folder.setdefault(entry.folder, []).append(entry)
    copied: list[Path] = []
    try:
        with transaction.atomic():
            return [
                _import_report(code, files, manifest, batch, generated_by, names or {}, copied)
                for code, files in sorted(by_folder.items())
            ]
    except BaseException:
        for path in copied:
            shutil.rmtree(path, ignore_errors=True)
        raise


def _verified_entries(folder: Path, manifest: Manifest) -> list[_Entry]:
    entries = []
    for item in manifest.files:
        entry = _entry(folder, item)
        actual = sha256_of(entry.source)
        if actual != entry.sha256:
            raise StoreError(
                f"{item.path} does not match the manifest (sha256 {actual}, expected {entry.sha256})"
            )
        entries.append(entry)
    return entries


def _entry(folder: Path, item: ManifestFile) -> _Entry:
    path = item.path
    parts = path.split("/")
    if len(parts) != 2 or not _FOLDER.match(parts[0]) or parts[1] not in FILES:
        raise StoreError(f"manifest.json lists an unexpected file {path!r}")
    source = folder / parts[0] / parts[1]
    if not source.is_file():
        raise StoreError(f"{path} is in the manifest but not in {folder}")
    return _Entry(parts[0], FILES[parts[1]], source, item.sha256)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _import_report(
    code: str,
    files: list[_Entry],
    manifest: Manifest,
    batch: Batch | None,
    generated_by: Any,
    names: dict[str, tuple[str, str]],
    copied: list[Path],
) -> Report:
    details = _report_json(files)
    kind = Report.Kind.NATIONAL if code == NATIONAL else Report.Kind.ORGANISATION
    organisation = None if kind == Report.Kind.NATIONAL else _organisation(code, details, names)
    version = _next_version(organisation, kind)
    directory = f"reports/{code}/v{version}"
    target = store_path(directory)
    if target.exists():
        raise StoreError(f"{directory} already exists in the store; it belongs to no recorded report")
    target.mkdir(parents=True)
    copied.append(target)
    report = Report.objects.create(
        organisation=organisation,
        kind=kind,
        period=_period(manifest),
        as_of=manifest.as_of,
        version=version,
        fingerprint=f"sha256:{manifest.data_sha256}",
        policy=manifest.policy,
        software_version=manifest.software_version[:20],
        status=Report.Status.DRAFT,
        batch=batch,
        directory=directory,
        generated_by=generated_by,
        generated_at=timezone.now(),
    )
    for entry in files:
        _copy_checked(entry, target / entry.name)
        ReportFile.objects.create(
            report=report,
            format=entry.format,
            name=entry.name,
            sha256=entry.sha256,
            size=entry.source.stat().st_size,
        )
    return report


def _copy_checked(entry: _Entry, destination: Path) -> None:
    shutil.copyfile(entry.source, destination)
    if sha256_of(destination) != entry.sha256:
        raise StoreError(f"{entry.folder}/{entry.name} changed while it was copied")


def _report_json(files: list[_Entry]) -> dict[str, Any]:
    for entry in files:
        if entry.format == "json":
            try:
                return json.loads(entry.source.read_text())
            except (OSError, ValueError):
                return {}
    return {}


def _organisation(code: str, details: dict[str, Any], names: dict[str, tuple[str, str]]) -> Organisation:
    found = Organisation.objects.filter(code=code).first()
    if found is not None:
        return found
    org = details.get("org") or {}
    name, nation = names.get(code, (org.get("name") or code, org.get("nation") or ""))
    return Organisation.objects.create(code=code, name=name, nation=v.NATIONS.resolve(nation) or "")


def _next_version(organisation: Organisation | None, kind: str) -> int:
    # Two imports racing for the same version are stopped by the one_report_per_version constraint.
    latest = Report.objects.filter(organisation=organisation, kind=kind).aggregate(latest=Max("version"))[
        "latest"
    ]
    return (latest or 0) + 1


def _period(manifest: Manifest) -> str:
    years = manifest.fiscal_years
    return f"{years[0]} to {years[-1]}" if years else ""


def publish(report: Report, user: Any) -> Report | None:
    """Publish a draft; the organisation's previously published version becomes superseded by it.

    Returns the report it superseded, if any. Both changes happen in one transaction.
    """
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != Report.Status.DRAFT:
            raise StoreError(f"{report} is already {report.get_status_display().lower()}")
        current = (
            Report.objects.select_for_update()
            .filter(organisation=report.organisation, kind=report.kind, status=Report.Status.PUBLISHED)
            .first()
        )
        if current is not None and current.version > report.version:
            raise StoreError(f"{report} is older than the published version {current.version}")
        report.status, report.published_by, report.published_at = (
            Report.Status.PUBLISHED,
            user,
            timezone.now(),
        )
        report.save()
        if current is not None:
            current.status, current.superseded_by = Report.Status.SUPERSEDED, report
            current.save()
    return current
