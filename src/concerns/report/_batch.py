"""Writing reports: one organisation, every organisation, or the national report.

    manifest = make_batch(load(data), out, BatchOptions(as_of=day), national=True)

`make_batch` is the one pipeline the CLI, the portal, the benchmarks and the tests share: it prepares
the analysis, checks the organisations asked for, and writes the batch. The analysis context is prepared once in the parent process; worker processes
(spawned, each given the pickled context once) analyse, build and render the
organisations and the national report in parallel. A batch is written into a temporary folder beside its destination
and moved into place only when every report is written, so a failure never
leaves half a batch. `manifest.json` lists every file with its SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from concerns import __version__
from concerns.disclosure import Policy, resolve_policy

if TYPE_CHECKING:
    from concerns.analytics import Context, Settings
    from concerns.ingest import Ingested
    from concerns.report._model import Report

FORMATS: tuple[str, ...] = ("html", "pdf", "xlsx", "json")
FORMAT_TITLES: dict[str, str] = {"html": "HTML", "pdf": "PDF", "xlsx": "Excel (XLSX)", "json": "JSON"}
NATIONAL = "national"
MANIFEST_SCHEMA = "concerns.manifest/1"


@dataclass(frozen=True)
class BatchOptions:
    """What a batch is made with; whether it is illustrative comes from the data, not from here."""

    as_of: dt.date
    policy: Policy | str = "standard"
    formats: tuple[str, ...] = FORMATS
    workers: int = 2
    advisers: Mapping[str, str] = field(default_factory=dict)  # org_code → "name, email" for the cover
    years: int = 5
    funnel_levels: tuple[float, ...] = (0.95, 0.998)

    def settings(self) -> Settings:
        from concerns.analytics import Settings

        return Settings.as_of(self.as_of, self.years, funnel_levels=self.funnel_levels)


class UnknownOrganisations(ValueError):
    """Organisations asked for that the data does not have."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(f"no organisation {', '.join(codes)} in the data")
        self.codes = codes


@dataclass(frozen=True)
class ManifestFile:
    path: str  # <org_code or national>/<stem>.<format>
    format: str
    bytes: int
    sha256: str


class ManifestError(ValueError):
    """A manifest.json that cannot be read or lists no files."""


@dataclass(frozen=True)
class Manifest:
    """manifest.json: what a batch holds and how it was made; every file with its SHA-256."""

    as_of: dt.date
    fiscal_years: tuple[str, ...]
    data_sha256: str
    policy: str
    threshold: int
    illustrative: bool
    reports: int
    summary_policy: str
    files: tuple[ManifestFile, ...]
    generated_by: str = f"concerns {__version__}"
    schema: str = MANIFEST_SCHEMA

    @property
    def software_version(self) -> str:
        return self.generated_by.removeprefix("concerns ").strip()

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "generated_by": self.generated_by,
            "as_of": self.as_of.isoformat(),
            "fiscal_years": list(self.fiscal_years),
            "data_sha256": self.data_sha256,
            "policy": self.policy,
            "threshold": self.threshold,
            "illustrative": self.illustrative,
            "reports": self.reports,
            "summary_policy": self.summary_policy,
            "files": [vars(entry) for entry in self.files],
        }

    def write(self, folder: Path) -> None:
        (folder / "manifest.json").write_text(json.dumps(self.as_json(), indent=2) + "\n")

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """The manifest of a batch folder; ManifestError when it is missing, unreadable or malformed."""
        try:
            data = json.loads((Path(folder) / "manifest.json").read_text())
        except (OSError, ValueError) as error:
            raise ManifestError(f"{folder} has no readable manifest.json: {error}") from None
        if not isinstance(data, dict) or not isinstance(data.get("files"), list) or not data["files"]:
            raise ManifestError(f"{folder}/manifest.json lists no files")
        try:
            return cls(
                as_of=dt.date.fromisoformat(str(data.get("as_of"))),
                fiscal_years=tuple(str(year) for year in data.get("fiscal_years") or ()),
                data_sha256=str(data.get("data_sha256", "")),
                policy=str(data.get("policy", "")),
                threshold=int(data.get("threshold", 0)),
                illustrative=bool(data.get("illustrative", False)),
                reports=int(data.get("reports", 0)),
                summary_policy=str(data.get("summary_policy", "")),
                files=tuple(_manifest_file(item) for item in data["files"]),
                generated_by=str(data.get("generated_by", "")),
                schema=str(data.get("schema", "")),
            )
        except (TypeError, ValueError, KeyError) as error:
            raise ManifestError(f"{folder}/manifest.json is malformed: {error}") from None


def _manifest_file(item: object) -> ManifestFile:
    if not isinstance(item, dict):
        raise ValueError(f"a file entry is not an object: {item!r}")
    return ManifestFile(str(item["path"]), str(item["format"]), int(item["bytes"]), str(item["sha256"]))


def make_batch(
    dataset: Ingested,
    out: Path,
    options: BatchOptions,
    *,
    codes: list[str] | None = None,
    national: bool = False,
    started: Callable[[int], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Manifest:
    """Analyse `dataset` and write the reports of `codes` (every organisation when None), and the national
    report if asked, into `out`, all or nothing. `started` is told how many reports will be written,
    `progress` the name of each one written. UnknownOrganisations when a code is not in the data."""
    from concerns.analytics import organisation_codes, prepare

    context = prepare(dataset, options.settings())
    known = organisation_codes(context)
    chosen = known if codes is None else list(codes)
    missing = sorted(set(chosen) - set(known))
    if missing:
        raise UnknownOrganisations(missing)
    if started:
        started(len(chosen) + national)
    return write_batch(
        context, chosen, out, options, illustrative=dataset.illustrative, national=national, progress=progress
    )


def renderer(fmt: str) -> Callable[[Report], bytes]:
    """The renderer of one format, imported only when asked for."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
    from concerns.report import render

    found: Callable[[Report], bytes] = getattr(render, f"render_{fmt}")
    return found


SUMMARY_FORMATS = ("html", "pdf")  # a board summary is read, not analysed: no JSON or spreadsheet


def write_report_files(
    report: Report, folder: Path, formats: tuple[str, ...], stem: str = "report"
) -> list[ManifestFile]:
    """Render one report into folder/<stem>.<fmt>; the manifest entries of what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    if {"html", "pdf"} & set(formats):
        from concerns.report._charts import draw_charts

        report = draw_charts(report)  # once, for both formats
    entries = []
    for fmt in formats:
        content = renderer(fmt)(report)
        name = f"{stem}.{fmt}"
        (folder / name).write_bytes(content)
        entries.append(
            ManifestFile(f"{folder.name}/{name}", fmt, len(content), hashlib.sha256(content).hexdigest())
        )
    return entries


# --- worker processes ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    options: BatchOptions
    illustrative: bool


_context: Context | None = None
_job: _Job | None = None


def _start_worker(context: bytes, job: _Job) -> None:
    global _context, _job
    _context, _job = pickle.loads(context), job


def _organisation(code: str, staging: str) -> tuple[str, list[ManifestFile]]:
    assert _context is not None and _job is not None
    return code, render_organisation(_context, code, Path(staging), _job.options, _job.illustrative)


def _national(staging: str) -> tuple[str, list[ManifestFile]]:
    assert _context is not None and _job is not None
    return NATIONAL, render_national(_context, Path(staging), _job.options, _job.illustrative)


def render_organisation(
    context: Context, code: str, staging: Path, options: BatchOptions, illustrative: bool
) -> list[ManifestFile]:
    from concerns.analytics import analyse_organisation
    from concerns.report._build import build_board_summary, build_organisation_report

    analysis = analyse_organisation(context, code)
    adviser = options.advisers.get(code)
    report = build_organisation_report(
        analysis,
        context,
        policy=options.policy,
        as_of=options.as_of,
        illustrative=illustrative,
        link_adviser=adviser,
    )
    entries = write_report_files(report, staging / code, options.formats)
    summary_formats = tuple(fmt for fmt in SUMMARY_FORMATS if fmt in options.formats)
    if summary_formats:
        summary = build_board_summary(
            analysis, context, as_of=options.as_of, illustrative=illustrative, link_adviser=adviser
        )
        entries += write_report_files(summary, staging / code, summary_formats, stem="summary")
    return entries


def render_national(
    context: Context, staging: Path, options: BatchOptions, illustrative: bool
) -> list[ManifestFile]:
    from concerns.analytics import analyse_national
    from concerns.report._build import build_national_report

    report = build_national_report(
        analyse_national(context),
        context,
        policy=options.policy,
        as_of=options.as_of,
        illustrative=illustrative,
    )
    return write_report_files(report, staging / NATIONAL, options.formats)


# --- batches ---------------------------------------------------------------------------


def write_batch(
    context: Context,
    codes: list[str],
    out: Path,
    options: BatchOptions,
    *,
    illustrative: bool,
    national: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Manifest:
    """Write the reports of `codes` (and the national one if asked) into `out`, all or nothing."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        files: dict[str, list[ManifestFile]] = {}
        job = _Job(options, illustrative)
        for name, entries in _reports(context, codes, national, staging, job):
            files[name] = entries
            if progress:
                progress(name)
        manifest = _manifest(context, job, files)
        manifest.write(staging)
        _move_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _reports(
    context: Context, codes: list[str], national: bool, staging: Path, job: _Job
) -> Iterator[tuple[str, list[ManifestFile]]]:
    """(name, manifest entries) of every report, in the order they are finished."""
    workers = max(1, min(job.options.workers, len(codes) + national))
    if workers == 1:
        if national:
            yield NATIONAL, render_national(context, staging, job.options, job.illustrative)
        for code in codes:
            yield code, render_organisation(context, code, staging, job.options, job.illustrative)
        return
    # Spawned, not forked: Polars' thread pool does not survive a fork safely. The context is
    # pickled once here, not once per worker; the national report, the largest, is the first job
    # so that no worker is left finishing it alone at the end.
    spawn = multiprocessing.get_context("spawn")
    initargs = (pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL), job)
    with ProcessPoolExecutor(workers, mp_context=spawn, initializer=_start_worker, initargs=initargs) as pool:
        futures = [pool.submit(_national, str(staging))] if national else []
        futures += [pool.submit(_organisation, code, str(staging)) for code in codes]
        for future in as_completed(futures):
            yield future.result()


def _manifest(context: Context, job: _Job, files: dict[str, list[ManifestFile]]) -> Manifest:
    from concerns.report._build import SUMMARY_POLICY

    policy = resolve_policy(job.options.policy)
    return Manifest(
        as_of=job.options.as_of,
        fiscal_years=tuple(context.settings.period.fiscal_years),
        data_sha256=context.fingerprint,
        policy=policy.name,
        threshold=policy.threshold,
        illustrative=job.illustrative,
        reports=len(files),
        summary_policy=SUMMARY_POLICY,
        files=tuple(entry for name in sorted(files) for entry in files[name]),
    )


def _move_into_place(staging: Path, out: Path) -> None:
    """Replace `out` with the finished batch; the old one is removed only once the new one is in place."""
    if not out.exists():
        os.replace(staging, out)
        return
    retired = out.with_name(f".{out.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    os.replace(out, retired)
    os.replace(staging, out)
    shutil.rmtree(retired, ignore_errors=True)
