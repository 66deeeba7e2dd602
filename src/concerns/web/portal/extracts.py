"""Data extracts uploaded by the insights team: saved safely, validated by `concerns.ingest`, rejects kept.

An extract is either one .zip holding the three contract files (cases, organisations, workforce) or the
three files themselves. Uploaded names never choose where a file is written: each accepted file is saved
as `<contract name><extension>` in the upload's own folder, so a zip cannot write outside it (zip-slip),
and its members are read with limits on count, total size and compression ratio (zip bombs).
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings

from concerns.ingest import FILE_NAMES, UnusableInput, load, write_rejects

EXTENSIONS = (".csv", ".xlsx", ".parquet")
MAX_FILE_BYTES = 512 * 1024 * 1024  # one uploaded file (the zip, or each file)
MAX_UNZIPPED_BYTES = 2 * 1024 * 1024 * 1024  # everything a zip expands to
MAX_RATIO = 200  # expanded / compressed, for members over a megabyte
MAX_MEMBERS = 50
MAX_TRUTH_BYTES = 5 * 1024 * 1024
_MAGIC = {".xlsx": b"PK\x03\x04", ".parquet": b"PAR1"}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CHUNK = 1 << 20
# Spreadsheet programs treat cells starting with these as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExtractError(ValueError):
    """An upload refused before validation: the message says what to fix."""


@dataclass(frozen=True)
class Saved:
    received: list[str]
    ignored: list[str]


def limit(name: str, default: int) -> int:
    """Limits can be lowered in settings (PORTAL_MAX_FILE_BYTES, …), e.g. for tests."""
    return int(getattr(settings, f"PORTAL_{name}", default))


# --- saving ------------------------------------------------------------------------------


def save_extract(files: list[Any], data_dir: Path) -> Saved:
    """Save uploaded files (Django UploadedFile) as the contract files in `data_dir`."""
    if not files:
        raise ExtractError("Choose a .zip file, or the cases, organisations and workforce files")
    data_dir.mkdir(parents=True, exist_ok=True)
    for upload in files:
        if upload.size > limit("MAX_FILE_BYTES", MAX_FILE_BYTES):
            raise ExtractError(
                f"{upload.name} is larger than {_megabytes(limit('MAX_FILE_BYTES', MAX_FILE_BYTES))}"
            )
    received = [upload.name for upload in files]
    zips = [upload for upload in files if upload.name.lower().endswith(".zip")]
    if zips and len(files) > 1:
        raise ExtractError("Upload either one .zip file or the three data files, not both")
    ignored = _unzip(zips[0], data_dir) if zips else _save_files(files, data_dir)
    _check_complete(data_dir)
    return Saved(received, ignored)


def _save_files(files: list[Any], data_dir: Path) -> list[str]:
    seen: set[str] = set()
    for upload in files:
        stem, suffix = _contract_name(upload.name)
        if stem is None:
            raise ExtractError(
                f"{upload.name} is not a data file: name the files cases, organisations and "
                "workforce, each .csv, .xlsx or .parquet"
            )
        if stem in seen:
            raise ExtractError(f"More than one {stem} file was uploaded; keep exactly one")
        seen.add(stem)
        _write(upload.chunks(), data_dir / f"{stem}{suffix}", limit("MAX_FILE_BYTES", MAX_FILE_BYTES))
    return []


def _contract_name(name: str) -> tuple[str | None, str]:
    path = PurePosixPath(name.replace("\\", "/"))
    stem, suffix = path.stem.lower(), path.suffix.lower()
    return (stem, suffix) if stem in FILE_NAMES and suffix in EXTENSIONS else (None, suffix)


def _unzip(upload: Any, data_dir: Path) -> list[str]:
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError):
        raise ExtractError(f"{upload.name} is not a readable .zip file") from None
    with archive:
        members = archive.infolist()
        if len(members) > limit("MAX_MEMBERS", MAX_MEMBERS):
            raise ExtractError(f"{upload.name} holds {len(members)} files; an extract needs only three")
        if sum(member.file_size for member in members) > limit("MAX_UNZIPPED_BYTES", MAX_UNZIPPED_BYTES):
            raise ExtractError(
                f"{upload.name} expands to more than "
                f"{_megabytes(limit('MAX_UNZIPPED_BYTES', MAX_UNZIPPED_BYTES))}"
            )
        return _extract_members(archive, members, data_dir)


def _extract_members(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], data_dir: Path) -> list[str]:
    ignored, seen = [], set()
    budget = limit("MAX_UNZIPPED_BYTES", MAX_UNZIPPED_BYTES)
    for member in members:
        if member.is_dir():
            continue
        _refuse_unsafe(member)
        target = _member_target(member.filename)
        if target is None:
            ignored.append(member.filename)
            continue
        if target in seen:
            raise ExtractError(f"The zip holds more than one {target.split('.')[0]} file; keep exactly one")
        seen.add(target)
        cap = MAX_TRUTH_BYTES if target == "truth.json" else min(member.file_size, budget)
        with archive.open(member) as stream:
            budget -= _write(_chunks(stream), data_dir / target, cap)
    return ignored


def _refuse_unsafe(member: zipfile.ZipInfo) -> None:
    name = member.filename.replace("\\", "/")
    if name.startswith("/") or ".." in PurePosixPath(name).parts or ":" in name:
        raise ExtractError(f"The zip holds an unsafe path {member.filename!r}; refusing it")
    if member.flag_bits & 0x1:
        raise ExtractError(f"{member.filename} in the zip is encrypted; upload it unencrypted")
    compressed = max(member.compress_size, 1)
    if member.file_size > _CHUNK and member.file_size / compressed > limit("MAX_RATIO", MAX_RATIO):
        raise ExtractError(
            f"{member.filename} in the zip expands {member.file_size // compressed} times; refusing "
            "it as a possible zip bomb"
        )


def _member_target(filename: str) -> str | None:
    """The name a member is saved under, or None to ignore it (folders inside the zip are allowed)."""
    path = PurePosixPath(filename.replace("\\", "/"))
    if any(part.startswith(("__MACOSX", ".")) for part in path.parts):
        return None
    if path.name.lower() == "truth.json":  # synthetic data marks itself illustrative here
        return "truth.json"
    stem, suffix = _contract_name(path.name)
    return f"{stem}{suffix}" if stem else None


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def _write(chunks: Iterable[bytes], path: Path, cap: int) -> int:
    """Write chunks to path, stopping (and removing the file) once more than `cap` bytes arrive."""
    written = 0
    with path.open("wb") as handle:
        for chunk in chunks:
            written += len(chunk)
            if written > cap:
                handle.close()
                path.unlink()
                raise ExtractError(
                    f"{path.name} is larger than it claims or than {_megabytes(cap)}; refusing it"
                )
            handle.write(chunk)
    _check_type(path)
    return written


def _check_type(path: Path) -> None:
    with path.open("rb") as handle:
        head = handle.read(4096)
    expected = _MAGIC.get(path.suffix)
    if expected is not None and not head.startswith(expected):
        raise ExtractError(f"{path.name} is not a real {path.suffix} file")
    if path.suffix != ".csv":
        return
    if head.startswith(_UTF16_BOMS) or b"\0" in head:  # UTF-16 text has a NUL beside every ASCII letter
        raise ExtractError(
            f"{path.name} is saved as UTF-16 text (Excel's “Unicode Text”), which cannot be read: save it as "
            f"CSV UTF-8 (in Excel, Save As “CSV UTF-8 (Comma delimited)”) and upload it again"
        )
    if head.startswith((b"PK\x03\x04", b"PAR1")):
        raise ExtractError(
            f"{path.name} is a spreadsheet or Parquet file named .csv: upload it with its own extension, or "
            "save it as CSV UTF-8"
        )


def _check_complete(data_dir: Path) -> None:
    present = {path.stem for path in data_dir.iterdir() if path.suffix in EXTENSIONS}
    missing = [name for name in FILE_NAMES if name not in present]
    if missing:
        raise ExtractError(
            f"The extract has no {' or '.join(missing)} file; it needs cases, organisations and workforce"
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


# --- validating --------------------------------------------------------------------------


def validate(data_dir: Path, rejects_path: Path) -> tuple[bool, str, dict[str, Any]]:
    """Run ingest over the extract: (valid, fingerprint, summary for the page); rejects go to rejects_path."""
    try:
        ingested = load(data_dir)
    except UnusableInput as error:
        return False, "", {"unusable": error.message}
    write_rejects(ingested, rejects_path)
    files = {
        name: {
            "name": ingested.files[name].name,
            "read": counts.read,
            "accepted": counts.accepted,
            "rejected": counts.rejected,
        }
        for name, counts in ingested.counts.items()
    }
    summary = {
        "unusable": "",
        "name_differences": name_differences(ingested.organisations),
        "files": files,
        "problems": ingested.rejects.height,
        "rejected_rows": ingested.rows_rejected,
        "read_rows": ingested.rows_read,
        "kinds": [vars(kind) for kind in ingested.rejects_by_kind()],
        "missing_organisations": ingested.missing_organisations_sentence(),
    }
    return ingested.rejects.is_empty(), ingested.fingerprint, summary


# --- organisation names: the portal's list is the register ------------------------------------


def _registry(codes: list[str]) -> dict[str, str]:
    from concerns.web.portal.models import Organisation

    return dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))


def name_differences(organisations: Any) -> list[dict[str, str]]:
    """The extract's organisations that the portal lists under another name (code, uploaded, portal)."""
    rows = list(organisations.select("org_code", "name").iter_rows())
    known = _registry([code for code, _ in rows])
    return [
        {"code": code, "uploaded": name, "portal": known[code]}
        for code, name in rows
        if code in known and known[code] != name
    ]


def with_registry_names(organisations: Any) -> Any:
    """The extract's organisations frame, named as the portal lists them wherever it lists the code."""
    import polars as pl

    known = _registry(organisations.get_column("org_code").to_list())
    if not known:
        return organisations
    named = pl.col("org_code").replace_strict(known, default=pl.col("name"), return_dtype=pl.String)
    return organisations.with_columns(named.alias("name"))


# --- rejects -----------------------------------------------------------------------------


def rejects_page(path: Path, start: int, count: int) -> list[dict[str, str]]:
    """Rows start … start + count of a rejects CSV (0-based, header excluded)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(islice(csv.DictReader(handle), max(start, 0), max(start, 0) + count))


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def neutralised_rejects(path: Path) -> Iterator[str]:
    """The rejects CSV, line by line, with every cell neutralised; UTF-8 with a byte-order mark for Excel."""
    yield codecs.BOM_UTF8.decode("utf-8")
    line = _Line()
    writer = csv.writer(line)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            writer.writerow([neutralise(cell) for cell in row])
            yield line.take()


class _Line:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def take(self) -> str:
        text, self.text = self.text, ""
        return text
