"""A small reader for the registry and workforce files given to `concerns synth`.

Reads CSV (UTF-8, UTF-8 with BOM or Windows-1252), Parquet or XLSX into a frame of
text columns with lower-cased, trimmed names; every failure is a one-line SynthError.
(`concerns.ingest.read_table` will replace this once it exists.)
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from concerns.synth._config import SynthError

__all__ = ["read_table", "required_text"]


def read_table(path: Path, what: str, required: tuple[str, ...]) -> pl.DataFrame:
    path = Path(path)
    if not path.is_file():
        reason = "it is a directory" if path.is_dir() else "no such file"
        raise SynthError(f"cannot read the {what} file {path}: {reason}")
    try:
        frame = _read(path)
    except SynthError:
        raise
    except Exception as error:  # any parser failure becomes a one-line message
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SynthError(f"cannot read the {what} file {path}: {first_line}") from error
    frame = frame.rename({name: name.strip().lower() for name in frame.columns})
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise SynthError(f"{path}: the {what} file has no column {', '.join(missing)}")
    return frame.select(pl.all().cast(pl.String))


def _read(path: Path) -> pl.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pl.read_parquet(path)
    if suffix in (".xlsx", ".xlsm"):
        return pl.read_excel(path, infer_schema_length=0)
    if suffix in (".csv", ".txt"):
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            return pl.read_csv(io.StringIO(text), infer_schema=False)
        raise SynthError(f"cannot read {path}: neither UTF-8 nor Windows-1252 text")
    raise SynthError(f"cannot read {path}: expected a .csv, .parquet or .xlsx file")


def required_text(table: pl.DataFrame, column: str, path: Path) -> list[str]:
    """A column's values, trimmed; SynthError naming the first empty one."""
    values = table.get_column(column).str.strip_chars().to_list()
    for row, value in enumerate(values, start=2):
        if not value:
            raise SynthError(f"{path}: row {row}: {column} is empty")
    return values
