"""Writing reports: one organisation, every organisation, or the national report.

The analysis context is prepared once in the parent process; worker processes
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
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from concerns import __version__
from concerns.disclosure import Policy, resolve_policy

FORMATS: tuple[str, ...] = ("html", "pdf", "xlsx", "json")
NATIONAL = "national"
MANIFEST_SCHEMA = "concerns.manifest/1"


@dataclass(frozen=True)
class BatchOptions:
    as_of: dt.date
    policy: Policy | str = "standard"
    formats: tuple[str, ...] = FORMATS
    illustrative: bool = False
    workers: int = 2
    advisers: Mapping[str, str] = field(default_factory=dict)  # org_code → "name, email" for the cover


def renderer(fmt: str) -> Callable[[Any], bytes]:
    """The renderer of one format, imported only when asked for."""
    if fmt == "json":
        from concerns.report.render._json import render_json

        return render_json
    if fmt == "html":
        from concerns.report.render._html import render_html

        return render_html
    if fmt == "pdf":
        from concerns.report.render._pdf import render_pdf

        return render_pdf
    if fmt == "xlsx":
        from concerns.report.render._xlsx import render_xlsx

        return render_xlsx
    raise ValueError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")


SUMMARY_FORMATS = ("html", "pdf")  # a board summary is read, not analysed: no JSON or spreadsheet


def write_report_files(
    report: Any, folder: Path, formats: tuple[str, ...], stem: str = "report"
) -> list[dict[str, Any]]:
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
            {
                "file": name,
                "format": fmt,
                "bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        )
    return entries


# --- worker processes ---------------------------------------------------------------------

_context: Any = None
_options: BatchOptions | None = None


def _start_worker(context: bytes, options: BatchOptions) -> None:
    global _context, _options
    _context, _options = pickle.loads(context), options


def _organisation(code: str, staging: str) -> tuple[str, list[dict[str, Any]]]:
    return code, render_organisation(_context, code, Path(staging), _options)


def _national(staging: str) -> tuple[str, list[dict[str, Any]]]:
    return NATIONAL, render_national(_context, Path(staging), _options)


def render_organisation(
    context: Any, code: str, staging: Path, options: BatchOptions
) -> list[dict[str, Any]]:
    from concerns.analytics import analyse_organisation
    from concerns.report._build import build_board_summary, build_organisation_report

    analysis = analyse_organisation(context, code)
    adviser = options.advisers.get(code)
    report = build_organisation_report(
        analysis,
        context,
        policy=options.policy,
        as_of=options.as_of,
        illustrative=options.illustrative,
        link_adviser=adviser,
    )
    entries = write_report_files(report, staging / code, options.formats)
    summary_formats = tuple(fmt for fmt in SUMMARY_FORMATS if fmt in options.formats)
    if summary_formats:
        summary = build_board_summary(
            analysis, context, as_of=options.as_of, illustrative=options.illustrative, link_adviser=adviser
        )
        entries += write_report_files(summary, staging / code, summary_formats, stem="summary")
    return entries


def render_national(context: Any, staging: Path, options: BatchOptions) -> list[dict[str, Any]]:
    from concerns.analytics import analyse_national
    from concerns.report._build import build_national_report

    report = build_national_report(
        analyse_national(context),
        context,
        policy=options.policy,
        as_of=options.as_of,
        illustrative=options.illustrative,
    )
    return write_report_files(report, staging / NATIONAL, options.formats)


# --- batches ---------------------------------------------------------------------------


def write_batch(
    context: Any,
    codes: list[str],
    out: Path,
    options: BatchOptions,
    *,
    national: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write the reports of `codes` (and the national one if asked) into `out`, all or nothing."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        files: dict[str, list[dict[str, Any]]] = {}
        for name, entries in _reports(context, codes, national, staging, options):
            files[name] = entries
            if progress:
                progress(name)
        manifest = _manifest(context, options, files)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        _move_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _reports(context, codes, national, staging, options):
    """(name, manifest entries) of every report, in the order they are finished."""
    workers = max(1, min(options.workers, len(codes) + national))
    if workers == 1:
        if national:
            yield NATIONAL, render_national(context, staging, options)
        for code in codes:
            yield code, render_organisation(context, code, staging, options)
        return
    # Spawned, not forked: Polars' thread pool does not survive a fork safely. The context is
    # pickled once here, not once per worker; the national report, the largest, is the first job
    # so that no worker is left finishing it alone at the end.
    spawn = multiprocessing.get_context("spawn")
    initargs = (pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL), options)
    with ProcessPoolExecutor(workers, mp_context=spawn, initializer=_start_worker, initargs=initargs) as pool:
        futures = [pool.submit(_national, str(staging))] if national else []
        futures += [pool.submit(_organisation, code, str(staging)) for code in codes]
        for future in as_completed(futures):
            yield future.result()


def _manifest(context: Any, options: BatchOptions, files: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    from concerns.report._build._organisation import SUMMARY_POLICY

    return {
        "schema": MANIFEST_SCHEMA,
        "generated_by": f"concerns {__version__}",
        "as_of": options.as_of.isoformat(),
        "fiscal_years": list(context.settings.period.fiscal_years),
        "data_sha256": context.fingerprint,
        "policy": resolve_policy(options.policy).name,
        "threshold": resolve_policy(options.policy).threshold,
        "illustrative": options.illustrative,
        "reports": len(files),
        "summary_policy": SUMMARY_POLICY,
        "files": [
            {
                "path": f"{name}/{entry['file']}",
                **{key: value for key, value in entry.items() if key != "file"},
            }
            for name in sorted(files)
            for entry in files[name]
        ],
    }


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
