"""Small synthetic extracts and report batches for the portal's report tests (built once per process).

Helpers, not tests: `tiny_extract()` is a valid data directory of four fictional organisations,
`tiny_batch()` a batch written from it by `make_batch` (HTML and JSON, with the national report).
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
import tempfile
import zipfile
from pathlib import Path

AS_OF = dt.date(2025, 6, 30)


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    """A date as the NHS.UK date input posts it: day, month and year."""
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


@functools.cache
def _workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="concerns-portal-reports-"))


@functools.cache
def tiny_extract() -> Path:
    from concerns.synth import SynthConfig, write

    return write(SynthConfig(seed=11, orgs=4, total_cases=160, as_of=AS_OF), _workdir() / "extract")


@functools.cache
def tiny_batch() -> Path:
    from concerns.ingest import load
    from concerns.report import BatchOptions, make_batch

    out = _workdir() / "batch"
    options = BatchOptions(AS_OF, formats=("html", "json", "pdf"), workers=1)
    make_batch(load(tiny_extract(), today=AS_OF), out, options, national=True)
    return out


def batch_copy(target: Path) -> Path:
    """A copy of the tiny batch that a test may change."""
    return Path(shutil.copytree(tiny_batch(), target / "batch"))


def zipped(folder: Path, target: Path, names: dict[str, bytes] | None = None) -> Path:
    """The contract files of `folder` in a zip (inside a subfolder, as people zip them), plus extra members."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.suffix in {".csv", ".json"}:
                archive.write(path, f"extract/{path.name}")
        for name, content in (names or {}).items():
            archive.writestr(name, content)
    return target


def batch_renamed(target: Path, codes: dict[str, str]) -> Path:
    """A copy of the tiny batch whose first organisations' folders carry the given codes (e.g. the fixtures')."""
    import json

    folder = batch_copy(target)
    manifest = json.loads((folder / "manifest.json").read_text())
    found = sorted({item["path"].split("/")[0] for item in manifest["files"]} - {"national"})
    renames = dict(zip(found, codes.values(), strict=False))
    for old, new in renames.items():
        (folder / old).rename(folder / new)
    for item in manifest["files"]:
        head, tail = item["path"].split("/")
        item["path"] = f"{renames.get(head, head)}/{tail}"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder
