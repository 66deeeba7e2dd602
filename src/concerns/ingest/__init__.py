"""Validated ingest: a data directory in, canonical frames and rejects out.

    ingested = load(Path("data"))
    ingested.cases            # accepted cases, canonical.CASES_SCHEMA
    ingested.rejects          # one row per problem: file, source_row, case_id, column, value, reason, kind
    write_rejects(ingested, Path("data/rejects.csv"))

Rows with problems are rejected, never repaired, and every problem is a
sentence a person can act on. `UnusableInput` is raised only when the
directory as a whole cannot be used (a file missing or unreadable, a required
column absent, or a library failing on a file: its panic is never let out). The files follow the data contract (cases, organisations,
workforce; CSV, XLSX or Parquet).
"""

from __future__ import annotations

from pathlib import Path

from concerns.ingest._errors import UnusableInput, is_panic
from concerns.ingest._load import FileCounts, Ingested, RejectKind, load
from concerns.ingest._read import FILE_NAMES, read_table
from concerns.ingest._rejects import REJECTS_SCHEMA, write

__all__ = [
    "FILE_NAMES",
    "REJECTS_SCHEMA",
    "FileCounts",
    "RejectKind",
    "Ingested",
    "UnusableInput",
    "is_panic",
    "load",
    "read_table",
    "write_rejects",
]


def write_rejects(ingested: Ingested, path: Path) -> None:
    """The rejects as CSV (UTF-8 with a byte-order mark, for Excel), header only when there are none."""
    write(ingested.rejects, Path(path))
