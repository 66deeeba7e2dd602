"""`load`: read, prepare, check and split a data directory into accepted rows and rejects.

Cases are read, checked and made canonical a batch of rows at a time, so a
national extract is never held as text in one piece: what grows is the
canonical frame of accepted cases, plus the few rejected rows' text. The one
case rule that needs every row at once, a case_id used twice, is settled
first from the case_id column alone. Sentences for per-column mistakes are
written after the last batch, because whether a mistake gets a suggestion
depends on its whole column. The organisations and workforce files are small
and are checked whole.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from concerns.ingest import _checks as ch
from concerns.ingest import _contract as k
from concerns.ingest import _reasons as r
from concerns.ingest._errors import UnusableInput, panics_as_unusable
from concerns.ingest._normalise import prepare, to_canonical, trimmed
from concerns.ingest._read import FILE_NAMES, Table, fingerprint, locate, open_table
from concerns.ingest._rejects import REJECTS_SCHEMA, rejects_of

# Files that must hold at least one row. An empty workforce file is allowed:
# a missing workforce row means "unknown", and rates are then not available.
_MUST_HAVE_ROWS = ("organisations", "cases")

# Case rows read and checked at a time. Measured on 10 million rows (2 cores): 250,000 keeps ingest's
# own working set to about a gigabyte beside the canonical frame; batches of 500,000 and 1,000,000 peaked
# about 0.1 and 0.25 GB higher and were not measurably faster.
_BATCH_ROWS = 250_000
# The canonical cases frame is returned in contiguous pieces of about this many rows (one, up to a million).
_PIECE_ROWS = 1_000_000


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
    `fingerprint` is a sha256 over the files' names and bytes. A large
    `cases` frame comes in contiguous pieces of about a million rows.
    `missing_organisations` are the org_codes that cases or workforce rows
    name but the organisations file does not have at all, sorted.
    `illustrative` is true for synthetic data, which says so in its truth.json:
    reports made from it carry the illustrative banner.
    """

    cases: pl.DataFrame
    organisations: pl.DataFrame
    workforce: pl.DataFrame
    rejects: pl.DataFrame
    counts: dict[str, FileCounts]
    fingerprint: str
    files: dict[str, Path]
    missing_organisations: tuple[str, ...] = ()
    illustrative: bool = False

    def missing_organisations_sentence(self) -> str:
        """What the summary says first when organisations are missing from the registry ("" when none)."""
        if not self.missing_organisations:
            return ""
        return r.missing_organisations(self.missing_organisations, self.files["organisations"].name)

    def rejects_by_kind(self) -> list[RejectKind]:
        """Rejected rows by file and kind of reason, most rows first; a row with two kinds counts under each."""
        if self.rejects.is_empty():
            return []
        kinds = (
            self.rejects.group_by("file", "kind")
            .agg(pl.col("source_row").n_unique().alias("rows"), pl.len().alias("problems"))
            .sort(["rows", "file", "kind"], descending=[True, False, False])
        )
        return [RejectKind(**row) for row in kinds.iter_rows(named=True)]

    @property
    def rows_read(self) -> int:
        return sum(counts.read for counts in self.counts.values())

    @property
    def rows_rejected(self) -> int:
        return sum(counts.rejected for counts in self.counts.values())


@dataclass(frozen=True)
class RejectKind:
    file: str
    kind: str
    rows: int  # rejected rows with this kind of problem
    problems: int


def load(data_dir: Path, *, today: dt.date | None = None) -> Ingested:
    """Read a data directory; accepted rows become canonical frames, every problem a reject.

    Raises UnusableInput when the directory cannot be used at all. `today` is
    what "a date in the future" is judged against.
    """
    today = today or dt.date.today()
    files = locate(Path(data_dir))
    with panics_as_unusable(files["organisations"]):
        organisations, known = _checked_organisations(files["organisations"], today)
    checked = {"organisations": organisations}
    with panics_as_unusable(files["workforce"]):
        checked["workforce"] = _checked_workforce(files["workforce"], known, today)
    with panics_as_unusable(files["cases"]):
        checked["cases"] = _checked_cases(files["cases"], known, today)
    with panics_as_unusable(Path(data_dir)):
        rejects = _rejects(checked)
    return Ingested(
        cases=checked["cases"].canonical,
        organisations=checked["organisations"].canonical,
        workforce=checked["workforce"].canonical,
        rejects=rejects,
        counts={name: checked[name].counts for name in FILE_NAMES},
        fingerprint=fingerprint(files),
        files=files,
        missing_organisations=_missing_organisations(rejects),
        illustrative=is_illustrative(Path(data_dir)),
    )


def is_illustrative(data_dir: Path) -> bool:
    """Whether the directory holds synthetic data: its truth.json says `"illustrative": true`."""
    truth = data_dir / "truth.json"
    try:
        return bool(json.loads(truth.read_text()).get("illustrative", False)) if truth.exists() else False
    except (OSError, ValueError, AttributeError):
        return False


@dataclass(frozen=True)
class _Known:
    """The organisations other files refer to: every prepared row, which rows were rejected, the file's name."""

    organisations: pl.DataFrame
    rejected_rows: pl.Series
    file_name: str


@dataclass(frozen=True)
class _Checked:
    """One file, checked: accepted rows as a canonical frame, its problems and rejects, and its counts."""

    canonical: pl.DataFrame
    problems: pl.DataFrame
    rejects: pl.DataFrame
    counts: FileCounts


def _checked_organisations(path: Path, today: dt.date) -> tuple[_Checked, _Known]:
    """Organisations come first: the other files need to know which of them were accepted."""
    raw = _whole_file("organisations", path)
    prepared = prepare("organisations", raw)
    found = _Found("organisations", today)
    found.add(raw, prepared, [ch.duplicate_organisations(prepared)])
    checked = found.checked()
    rows = prepared.select("source_row", "org_code")
    return checked, _Known(rows, ch.problem_rows(checked.problems), path.name)


def _checked_workforce(path: Path, known: _Known, today: dt.date) -> _Checked:
    raw = _whole_file("workforce", path)
    prepared = prepare("workforce", raw)
    found = _Found("workforce", today)
    found.add(
        raw,
        prepared,
        [
            ch.duplicate_workforce_rows(prepared),
            ch.groups_outside_dimension(prepared),
            ch.unknown_org_codes(prepared, known.organisations, known.rejected_rows, known.file_name),
        ],
    )
    return found.checked()


def _checked_cases(path: Path, known: _Known, today: dt.date) -> _Checked:
    table = _opened("cases", path)
    duplicates = _duplicate_case_ids(table)
    found = _Found("cases", today)
    for raw in _raw_batches("cases", table, _BATCH_ROWS):
        prepared = prepare("cases", raw)
        found.add(
            raw,
            prepared,
            [
                duplicates.join(raw.select("source_row"), on="source_row", how="semi"),
                ch.closed_before_opened(prepared),
                ch.unknown_org_codes(prepared, known.organisations, known.rejected_rows, known.file_name),
            ],
        )
        del raw, prepared  # before the next batch is read
    if not found.read:
        raise UnusableInput(f"{path.name} has no rows of data")
    return found.checked()


def _duplicate_case_ids(table: Table) -> pl.DataFrame:
    """Problems of every row sharing a case_id, from that one column of the whole file.

    Rows are matched first by a hash of their case_id, eight bytes a row; only
    rows whose hash is shared are compared as text. (Rows of empty cells, which
    are not read, have no case_id, so they share none.)
    """
    ids = table.read(table.rows.select("case_id")).with_row_index("source_row", offset=2)
    key = trimmed("case_id")
    hashes = (
        ids.lazy().select(pl.when(key.is_not_null()).then(key.hash())).collect(engine="streaming").to_series()
    )
    # Sorting finds the repeated hashes with far less memory than Polars' hash-table is_duplicated.
    ordered = hashes.drop_nulls().sort()
    repeated = ordered.filter(ordered == ordered.shift(1)).implode()
    candidates = ids.filter(hashes.is_in(repeated).fill_null(False))
    return ch.duplicate_case_ids(candidates.select(pl.col("source_row").cast(pl.Int64), key))


@dataclass
class _Found:
    """What the batches of one file have found so far: accepted rows made canonical, failures, rejected rows."""

    file: str
    today: dt.date
    canonical: list[pl.DataFrame] = field(default_factory=list)  # contiguous pieces of _PIECE_ROWS or so
    pending: list[pl.DataFrame] = field(default_factory=list)  # batches not yet joined into a piece
    failures: list[pl.DataFrame] = field(default_factory=list)  # per-column, not yet in words
    problems: list[pl.DataFrame] = field(default_factory=list)  # across rows and files, in words
    rejected_raw: list[pl.DataFrame] = field(default_factory=list)
    read: int = 0

    def add(self, raw: pl.DataFrame, prepared: pl.DataFrame, problems: list[pl.DataFrame]) -> None:
        """Check one batch: `problems` are what the rules across rows and files found in it."""
        failures = ch.column_failures(self.file, prepared, self.today)
        found = _together(*problems)
        rejected = pl.concat([failures["source_row"], found["source_row"]]).unique().implode()
        self._keep(to_canonical(self.file, prepared.filter(~pl.col("source_row").is_in(rejected))))
        self.rejected_raw.append(_compacted(raw.filter(pl.col("source_row").is_in(rejected))))
        self.failures.append(_compacted(failures))
        self.problems.append(_compacted(found))
        self.read += raw.height

    def checked(self) -> _Checked:
        """Every batch's findings together (this empties the lists of canonical batches)."""
        problems = _together(
            ch.explain_failures(self.file, pl.concat(self.failures), self.today), *self.problems
        )
        rejects = (
            rejects_of(self.file, problems, pl.concat(self.rejected_raw))
            if problems.height
            else pl.DataFrame(schema=REJECTS_SCHEMA)
        )
        self._join_pending()
        canonical = pl.concat(self.canonical, how="vertical", rechunk=False)
        self.canonical.clear()
        return _Checked(canonical, problems, rejects, _counts(self.file, self.read, canonical, problems))

    def _keep(self, canonical: pl.DataFrame) -> None:
        self.pending.append(canonical)
        if sum(frame.height for frame in self.pending) >= _PIECE_ROWS:
            self._join_pending()

    def _join_pending(self) -> None:
        """The pending batches as one contiguous piece: copying a piece at a time needs little room,
        where copying the whole frame at the end would need room for it twice."""
        if self.pending:
            self.canonical.append(pl.concat(self.pending, how="vertical", rechunk=True))
            self.pending.clear()


def _compacted(frame: pl.DataFrame) -> pl.DataFrame:
    """A few rows kept from a batch, with their text copied.

    Polars shares text buffers between a frame and the rows filtered from it,
    so a handful of rejected rows would otherwise keep their whole batch's text
    alive until the end (a gigabyte over ten million rows with 5% rejected).
    The rows are made contiguous first: pl.format panics (Polars 2.1) over a
    column whose first piece the filter left empty.
    """
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.rechunk().with_columns(pl.format("{}", pl.col(name)).alias(name) for name in text)


def _opened(file: str, path: Path) -> Table:
    table = open_table(path)
    _require_columns(file, path, [column for column in table.columns if column != "source_row"])
    return table


def _whole_file(file: str, path: Path) -> pl.DataFrame:
    raw = next(_raw_batches(file, _opened(file, path), None))
    if raw.height == 0 and file in _MUST_HAVE_ROWS:
        raise UnusableInput(f"{path.name} has no rows of data")
    return raw


def _raw_batches(file: str, table: Table, size: int | None) -> Iterator[pl.DataFrame]:
    """The file's rows as text, `size` at a time (all at once for None), numbered as spreadsheet rows."""
    first_row = 2  # the header is row 1
    for batch in table.batches(size):
        height = batch.height
        raw = _raw_rows(file, batch, first_row)
        del batch
        first_row += height
        yield raw
        del raw  # before the next batch is read


def _raw_rows(file: str, table: pl.DataFrame, first_row: int) -> pl.DataFrame:
    """Rows as text with their spreadsheet row numbers; rows of empty cells dropped.

    (A row of cells holding only spaces is not dropped: it is rejected for its
    empty required cells, which is cheaper than trimming every cell to find it.)
    """
    if "source_row" in table.columns:  # an extra column of that name is ignored like any other
        table = table.drop("source_row")
    table = table.with_row_index("source_row", offset=first_row).with_columns(
        pl.col("source_row").cast(pl.Int64),
        *(
            pl.lit(None, dtype=pl.String).alias(column)
            for column in k.OPTIONAL[file]
            if column not in table.columns
        ),
    )
    blank = table.select(pl.all_horizontal(_empty(pl.exclude("source_row")))).to_series()
    if blank.any():  # filtering copies every column, so only when there is something to drop
        table = table.filter(~blank)
    return table


def _empty(cells: pl.Expr) -> pl.Expr:
    return cells.is_null() | (cells.str.len_bytes() == 0)


def _require_columns(name: str, path: Path, columns: list[str]) -> None:
    missing = [column for column in k.REQUIRED[name] if column not in columns]
    if not missing:
        return
    listed = ", ".join(f'"{column}"' for column in missing)
    plural = "column" if len(missing) == 1 else "columns"
    raise UnusableInput(
        f"{path.name} has no {listed} {plural} (required); its columns are: {', '.join(columns)}"
    )


def _together(*problems: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([frame.cast(pl.Schema(ch.PROBLEM_SCHEMA)) for frame in problems], how="vertical")


def _rejects(checked: dict[str, _Checked]) -> pl.DataFrame:
    frames = [checked[name].rejects for name in FILE_NAMES if checked[name].problems.height]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=REJECTS_SCHEMA)


def _missing_organisations(rejects: pl.DataFrame) -> tuple[str, ...]:
    written = rejects.filter(pl.col("kind") == r.ORG_NOT_IN_REGISTRY)["value"].unique().drop_nulls()
    return tuple(sorted({text.strip().upper() for text in written}))  # as prepare reads an org_code


def _counts(name: str, read: int, accepted: pl.DataFrame, problems: pl.DataFrame) -> FileCounts:
    counts = FileCounts(read=read, accepted=accepted.height, rejected=problems["source_row"].n_unique())
    if counts.accepted + counts.rejected != counts.read:
        raise RuntimeError(f"{name}: {counts} does not add up; this is a bug in concerns")
    return counts
