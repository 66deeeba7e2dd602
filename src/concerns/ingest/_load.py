"""`load`: read, prepare, check and split a data directory into accepted rows and rejects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from concerns.ingest import _checks as ch
from concerns.ingest import _contract as k
from concerns.ingest._errors import UnusableInput
from concerns.ingest._normalise import prepare, to_canonical
from concerns.ingest._read import FILE_NAMES, fingerprint, locate, read_table
from concerns.ingest._rejects import REJECTS_SCHEMA, rejects_of

# Files that must hold at least one row. An empty workforce file is allowed:
# a missing workforce row means "unknown", and rates are then not available.
_MUST_HAVE_ROWS = ("organisations", "cases")


@dataclass(frozen=True)
class FileCounts:
    """Rows of one file: read = accepted + rejected (a row with several problems is rejected once).

    Rows whose cells are all empty are not read at all.
    """

    read: int
    accepted: int
    rejected: int


@dataclass(frozen=True)
class Ingested:
    """The accepted rows as canonical frames, the rejects, and what was read.

    `rejects` has REJECTS_SCHEMA: one row per problem (file, source_row as the
    spreadsheet row with the header as row 1, case_id, column, the cell's
    value as written, reason, and a short kind of reason for summaries).
    `fingerprint` is a sha256 over the files' names and bytes.
    """

    cases: pl.DataFrame
    organisations: pl.DataFrame
    workforce: pl.DataFrame
    rejects: pl.DataFrame
    counts: dict[str, FileCounts]
    fingerprint: str
    files: dict[str, Path]


def load(data_dir: Path, *, today: dt.date | None = None) -> Ingested:
    """Read a data directory; accepted rows become canonical frames, every problem a reject.

    Raises UnusableInput when the directory cannot be used at all. `today` is
    what "a date in the future" is judged against.
    """
    today = today or dt.date.today()
    files = locate(Path(data_dir))
    raw = {name: _raw_rows(name, files[name]) for name in FILE_NAMES}
    prepared = {name: prepare(name, raw[name]) for name in FILE_NAMES}
    problems = _problems(prepared, today)
    rejects = _rejects(problems, raw)
    read = {name: raw[name].height for name in FILE_NAMES}
    del raw  # a million rows of text: free it before building the canonical frames
    canonical = {name: to_canonical(name, _accepted(prepared.pop(name), problems[name])) for name in FILE_NAMES}
    return Ingested(
        cases=canonical["cases"],
        organisations=canonical["organisations"],
        workforce=canonical["workforce"],
        rejects=rejects,
        counts={name: _counts(name, read[name], canonical[name], problems[name]) for name in FILE_NAMES},
        fingerprint=fingerprint(files),
        files=files,
    )


def _raw_rows(name: str, path: Path) -> pl.DataFrame:
    """The file's rows as text with their spreadsheet row numbers; rows of empty cells dropped.

    (A row of cells holding only spaces is not dropped: it is rejected for its
    empty required cells, which is cheaper than trimming every cell to find it.)
    """
    table = read_table(path)
    if "source_row" in table.columns:  # an extra column of that name is ignored like any other
        table = table.drop("source_row")
    _require_columns(name, path, table.columns)
    table = table.with_row_index("source_row", offset=2).with_columns(
        pl.col("source_row").cast(pl.Int64),
        *(pl.lit(None, dtype=pl.String).alias(column) for column in k.OPTIONAL[name] if column not in table.columns),
    )
    blank = table.select(pl.all_horizontal(_empty(pl.exclude("source_row")))).to_series()
    if blank.any():  # filtering copies every column, so only when there is something to drop
        table = table.filter(~blank)
    if table.height == 0 and name in _MUST_HAVE_ROWS:
        raise UnusableInput(f"{path.name} has no rows of data")
    return table


def _empty(cells: pl.Expr) -> pl.Expr:
    return cells.is_null() | (cells.str.len_bytes() == 0)


def _require_columns(name: str, path: Path, columns: list[str]) -> None:
    missing = [column for column in k.REQUIRED[name] if column not in columns]
    if not missing:
        return
    listed = ", ".join(f'"{column}"' for column in missing)
    plural = "column" if len(missing) == 1 else "columns"
    raise UnusableInput(f"{path.name} has no {listed} {plural} (required); its columns are: {', '.join(columns)}")


def _problems(prepared: dict[str, pl.DataFrame], today: dt.date) -> dict[str, pl.DataFrame]:
    """Every problem of every file. Organisations come first: the others need its accepted rows."""
    organisations = prepared["organisations"]
    organisation_problems = _together(
        ch.column_problems("organisations", organisations, today),
        ch.duplicate_organisations(organisations),
    )
    rejected_organisations = ch.problem_rows(organisation_problems)
    workforce, cases = prepared["workforce"], prepared["cases"]
    return {
        "organisations": organisation_problems,
        "workforce": _together(
            ch.column_problems("workforce", workforce, today),
            ch.duplicate_workforce_rows(workforce),
            ch.groups_outside_dimension(workforce),
            ch.unknown_org_codes(workforce, organisations, rejected_organisations),
        ),
        "cases": _together(
            ch.column_problems("cases", cases, today),
            ch.duplicate_case_ids(cases),
            ch.closed_before_opened(cases),
            ch.unknown_org_codes(cases, organisations, rejected_organisations),
        ),
    }


def _together(*problems: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([frame.cast(ch.PROBLEM_SCHEMA) for frame in problems], how="vertical")


def _accepted(prepared: pl.DataFrame, problems: pl.DataFrame) -> pl.DataFrame:
    return prepared.filter(~pl.col("source_row").is_in(ch.problem_rows(problems).implode()))


def _rejects(problems: dict[str, pl.DataFrame], raw: dict[str, pl.DataFrame]) -> pl.DataFrame:
    frames = [rejects_of(name, problems[name], raw[name]) for name in FILE_NAMES if problems[name].height]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=REJECTS_SCHEMA)


def _counts(name: str, read: int, accepted: pl.DataFrame, problems: pl.DataFrame) -> FileCounts:
    counts = FileCounts(read=read, accepted=accepted.height, rejected=problems["source_row"].n_unique())
    if counts.accepted + counts.rejected != counts.read:
        raise RuntimeError(f"{name}: {counts} does not add up; this is a bug in concerns")
    return counts
