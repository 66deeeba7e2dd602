"""Finding the three contract files and opening each one as a table of strings.

Everything is read as text first, so that nothing is silently coerced: a case
id of 007 stays "007" and a date stays what the person typed until the
checks have looked at it.

A file is opened before it is read: `open_table` checks that it can be used at
all and reads its header, and the rows are read when asked, all at once or a
batch at a time, so that a national extract is never held as text in one piece.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import polars as pl

from concerns.ingest._errors import UnusableInput

# The order files are read, checked and fingerprinted in: references before cases.
FILE_NAMES: tuple[str, ...] = ("organisations", "workforce", "cases")
EXTENSIONS: tuple[str, ...] = (".csv", ".xlsx", ".parquet")

_UTF8_BOM = b"\xef\xbb\xbf"
_HASH_CHUNK = 1 << 20
_CSV_BLOCK = 1 << 24  # bytes of CSV checked (NUL, UTF-8, blank) at a time


def locate(data_dir: Path) -> dict[str, Path]:
    """The path of each contract file in a data directory, by file name."""
    if not data_dir.is_dir():
        raise UnusableInput(f"data directory {data_dir} does not exist or is not a directory")
    entries = [path for path in data_dir.iterdir() if path.is_file()]
    return {name: _the_one_file(name, entries, data_dir) for name in FILE_NAMES}


def _the_one_file(name: str, entries: list[Path], data_dir: Path) -> Path:
    candidates = sorted(path for path in entries if path.stem.lower() == name)
    usable = [path for path in candidates if path.suffix.lower() in EXTENSIONS]
    if len(usable) > 1:
        names = " and ".join(path.name for path in usable)
        raise UnusableInput(f"found both {names} in {data_dir}; keep exactly one {name} file")
    if usable:
        return usable[0]
    if candidates:
        raise UnusableInput(
            f"{candidates[0].name} in {data_dir} is not a supported format; save it as {name}.csv, {name}.xlsx or {name}.parquet"
        )
    raise UnusableInput(f"no {name} file in {data_dir} (expected {name}.csv, {name}.xlsx or {name}.parquet)")


def fingerprint(files: dict[str, Path]) -> str:
    """sha256 over each file's name and bytes, in FILE_NAMES order.

    The name (not the directory) is included so that renaming cases.csv to
    cases.xlsx changes the fingerprint but moving the directory does not.
    """
    digest = hashlib.sha256()
    for name in FILE_NAMES:
        path = files[name]
        digest.update(path.name.encode("utf-8") + b"\0" + str(path.stat().st_size).encode("ascii") + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True, eq=False)
class Table:
    """One contract file, opened: its column names, and its rows as text, read when asked.

    `rows` is a lazy frame of the rows after the header, one per spreadsheet
    row (blank rows included, so row i is row i + 2 of the spreadsheet), with
    the trimmed, lower-cased column names. Values are the cells' text exactly
    as written (native Excel and Parquet dates as ISO text); empty cells are null.
    """

    path: Path
    columns: tuple[str, ...]
    rows: pl.LazyFrame
    streams: bool  # CSV: read in batches as a stream, since each slice would parse the file from the top
    unreadable: Callable[[Exception], UnusableInput]
    keep_alive: object = None  # the UTF-8 copy of a Windows-1252 CSV, deleted with the table

    def read(self, query: pl.LazyFrame | None = None) -> pl.DataFrame:
        """Every row (or a query over `rows`) as a frame; a file that fails part-way is UnusableInput."""
        try:
            return (self.rows if query is None else query).collect()
        except (pl.exceptions.PolarsError, OSError) as error:
            raise self.unreadable(error) from None

    def batches(self, size: int | None) -> Iterator[pl.DataFrame]:
        """The rows in order, about `size` at a time (all at once, in one batch, for None).

        Each batch is contiguous: Polars 2.1's pl.format panics over a text
        column whose first piece is empty, which is what filtering a frame read
        in pieces leaves when every row of its first piece is dropped (say,
        the workforce rows of every organisation that a registry cut short
        still lists). No batch is held here once the next one is asked for: a
        caller that drops each batch holds only one at a time.
        """
        if size is None:
            yield self.read().rechunk()
        elif self.streams:
            yield from self._streamed(size)
        else:
            yield from self._sliced(size)

    def _sliced(self, size: int) -> Iterator[pl.DataFrame]:
        total = self.read(self.rows.select(pl.len())).item()
        for start in range(0, total, size):
            yield self.read(self.rows.slice(start, size)).rechunk()

    def _streamed(self, size: int) -> Iterator[pl.DataFrame]:
        # A streamed batch comes in many pieces: each is made contiguous (map, unlike a loop, keeps no piece).
        try:
            yield from map(pl.DataFrame.rechunk, self.rows.collect_batches(chunk_size=size))
        except (pl.exceptions.PolarsError, OSError) as error:
            raise self.unreadable(error) from None


def open_table(path: Path) -> Table:
    """A contract file opened for reading; UnusableInput if it is not a file of that format with a usable header."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _open_csv(path)
    if suffix == ".xlsx":
        return _open_xlsx(path)
    if suffix == ".parquet":
        return _open_parquet(path)
    raise UnusableInput(f"{path.name} is not a .csv, .xlsx or .parquet file")


def read_table(path: Path) -> pl.DataFrame:
    """One contract file as a frame of strings, one row per spreadsheet row after the header.

    Column names are trimmed and lower-cased, so " Case_ID" is read as
    "case_id". Values are the cells' text exactly as written (native Excel and
    Parquet dates as ISO text); empty cells are null. Blank rows are kept, so
    row i of the frame is row i + 2 of the spreadsheet.
    """
    return open_table(path).read()


def _table(
    path: Path,
    header: tuple[object, ...],
    body: pl.LazyFrame,
    *,
    streams: bool,
    unreadable: Callable[[Exception], UnusableInput],
    keep_alive: object = None,
) -> Table:
    """The first row's cells as column names over the rest as text."""
    columns = [_header_name(value, i) for i, value in enumerate(header)]
    _refuse_duplicate_headers(columns, path.name)
    renamed = body.rename(dict(zip(body.collect_schema().names(), columns, strict=True)))
    # A no-op for text; guards against all-empty (Null) columns.
    rows = renamed.select(pl.all().cast(pl.String))
    return Table(path, tuple(columns), rows, streams, unreadable, keep_alive)


def _header_name(value: object, position: int) -> str:
    name = "" if value is None else str(value).strip().lower()
    return name or f"unnamed_{position + 1}"


def _refuse_duplicate_headers(headers: list[str], file_name: str) -> None:
    seen: set[str] = set()
    for name in headers:
        if name in seen:
            raise UnusableInput(f"{file_name} has two columns named {name!r}; keep one")
        seen.add(name)


# --- CSV ------------------------------------------------------------------------------


def _open_csv(path: Path) -> Table:
    source, keep_alive = _utf8_source(path)
    unreadable = partial(_unreadable_csv, path.name, source)
    scan = partial(pl.scan_csv, source, infer_schema=False, quote_char='"')  # Polars skips a UTF-8 BOM
    try:
        header = scan(has_header=False).head(1).collect()
    except pl.exceptions.PolarsError as error:
        raise unreadable(error) from None
    if header.height == 0:
        raise UnusableInput(f"{path.name} is empty")
    # The body is read with Polars' own header handling, not as a slice after the first row: a slice is
    # slower, and silently loses the rows of a file whose first record has an unclosed quote (Polars 2.1).
    names = header.columns
    if any(cell is not None for cell in header.row(0)):
        body = scan(has_header=True, with_column_names=lambda found: names[: len(found)])
    else:  # Polars would skip an empty first line to find a header, where a spreadsheet has an empty row 1
        body = scan(has_header=False).slice(1)
    return _table(
        path,
        _after_bom(path, header.row(0)),
        body,
        streams=True,
        unreadable=unreadable,
        keep_alive=keep_alive,
    )


def _after_bom(path: Path, cells: tuple[object, ...]) -> tuple[object, ...]:
    """Header cells without a second byte-order mark (Polars skips only the first)."""
    first = cells[0]
    if isinstance(first, str) and first.startswith("\ufeff") and _starts_with_bom(path):
        return (first[1:], *cells[1:])
    return cells


def _starts_with_bom(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(_UTF8_BOM)) == _UTF8_BOM


def _utf8_source(path: Path) -> tuple[Path, object]:
    """The CSV itself when it is UTF-8 text, else a temporary UTF-8 copy of it as Windows-1252 (and that copy's handle)."""
    if _is_utf8_text(path):
        return path, None
    copy = tempfile.NamedTemporaryFile(prefix="concerns-", suffix=".csv")  # noqa: SIM115 (lives as long as the table)
    try:
        _copy_cp1252_as_utf8(path, copy)
    except BaseException:
        copy.close()
        raise
    return Path(copy.name), copy


def _is_utf8_text(path: Path) -> bool:
    """Whether the file (after a UTF-8 byte-order mark) is UTF-8; UnusableInput if binary or empty.

    Read a block at a time: pure ASCII blocks, the usual case, need no decoding.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, blank = True, True
    for block in _blocks_after_bom(path):
        if b"\0" in block:
            raise UnusableInput(
                f"{path.name} is not a text CSV file (it contains NUL bytes); save it from Excel as 'CSV UTF-8'"
            )
        blank = blank and block.isspace()
        if utf8 and not (block.isascii() and not decoder.getstate()[0]):
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                utf8 = False
    if blank:
        raise UnusableInput(f"{path.name} is empty")
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return utf8


def _blocks_after_bom(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        block = handle.read(_CSV_BLOCK)
        if block.startswith(_UTF8_BOM):
            block = block[len(_UTF8_BOM) :]
        while block:
            yield block
            block = handle.read(_CSV_BLOCK)


def _copy_cp1252_as_utf8(path: Path, copy: object) -> None:
    """Windows-1252 is one byte a character, so it converts a block at a time."""
    offset, lines = _bom_length(path), 1
    for block in _blocks_after_bom(path):
        try:
            copy.write(block.decode("cp1252").encode("utf-8"))  # type: ignore[attr-defined]
        except UnicodeDecodeError as error:
            line = lines + block.count(b"\n", 0, error.start)
            raise UnusableInput(
                f"{path.name} is neither UTF-8 nor Windows-1252 text: byte 0x{block[error.start]:02X} on line "
                f"{line} (byte {offset + error.start + 1} of the file) is a character in neither; save it from "
                "Excel as 'CSV UTF-8'"
            ) from None
        offset, lines = offset + len(block), lines + block.count(b"\n")
    copy.flush()  # type: ignore[attr-defined]


def _bom_length(path: Path) -> int:
    with path.open("rb") as handle:
        return len(_UTF8_BOM) if handle.read(len(_UTF8_BOM)) == _UTF8_BOM else 0


def _unreadable_csv(name: str, source: Path, error: Exception) -> UnusableInput:
    return UnusableInput(f"{name} is not a readable CSV file: {_csv_problem(source, error)}")


def _csv_problem(source: Path, error: Exception) -> str:
    """Which record does not fit, found with the standard csv module (slow, only on failure)."""
    row = 1  # the spreadsheet row being read
    with source.open(encoding="utf-8-sig", errors="replace", newline="") as text:
        reader = csv.reader(text, strict=True)
        try:
            header = next(reader, [])
            row = 2
            for cells in reader:
                if len(cells) > len(header):
                    return f"row {row} has {len(cells)} fields but the header has {len(header)}"
                row += 1
        except csv.Error as problem:
            return _quote_problem(row, problem)
    first_line = str(error).splitlines()[0]
    return first_line if len(first_line) <= 120 else first_line[:119] + "…"


def _quote_problem(row: int, problem: csv.Error) -> str:
    text = str(problem)
    if "unexpected end of data" in text:
        return f'row {row} has a quote (") that is never closed'
    if "field limit" in text:
        return (
            f'row {row} has a quote (") that is never closed, or a cell longer than '
            f"{csv.field_size_limit():,} characters"
        )
    return (
        f'row {row} has a quote (") where a CSV file cannot have one ({text}); a cell with quotes in it '
        "is written in quotes, with each of its own quotes doubled"
    )


# --- XLSX -----------------------------------------------------------------------------


def _open_xlsx(path: Path) -> Table:
    grid = _read_xlsx_grid(path)
    unreadable = partial(_unreadable_xlsx, path.name)
    return _table(path, grid.row(0), grid.slice(1).lazy(), streams=False, unreadable=unreadable)


def _read_xlsx_grid(path: Path) -> pl.DataFrame:
    import fastexcel

    try:
        sheet = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string")
        grid = sheet.to_polars()
    except Exception as error:  # fastexcel raises its own error types for every kind of bad workbook
        raise _unreadable_xlsx(path.name, error) from None
    if grid.height == 0:
        raise UnusableInput(f"{path.name} is empty (its first sheet has no cells)")
    first_row = _first_used_row(path)
    if first_row > 1:
        raise UnusableInput(
            f"{path.name}: the header must be on row 1 of the first sheet, but rows 1 to {first_row - 1} are empty; "
            "delete them so that row numbers in the rejects match the sheet"
        )
    return grid


def _unreadable_xlsx(name: str, error: Exception) -> UnusableInput:
    detail = str(error).splitlines()[0]
    return UnusableInput(f"{name} is not a readable Excel workbook ({detail})")


def _first_used_row(path: Path) -> int:
    """The sheet's first row with a cell, from its recorded dimension (fastexcel skips empty rows above it)."""
    from openpyxl import load_workbook
    from openpyxl.utils import range_boundaries

    try:
        workbook = load_workbook(path, read_only=True)
        try:
            return range_boundaries(workbook.worksheets[0].calculate_dimension())[1] or 1
        finally:
            workbook.close()
    except Exception:  # no recorded dimension: trust that the header is on row 1
        return 1


# --- Parquet --------------------------------------------------------------------------


def _open_parquet(path: Path) -> Table:
    unreadable = partial(_unreadable_parquet, path.name)
    try:
        scan = pl.scan_parquet(path)
        schema = scan.collect_schema()
    except Exception as error:  # polars raises several kinds of error for a file that is not Parquet
        raise _not_parquet(path.name, error) from None
    if not schema:
        raise UnusableInput(f"{path.name} is empty (it has no columns)")
    body = scan.select(_as_text(name, dtype) for name, dtype in schema.items())
    return _table(path, tuple(schema.names()), body, streams=False, unreadable=unreadable)


def _not_parquet(name: str, error: Exception) -> UnusableInput:
    detail = str(error).splitlines()[0] if str(error) else type(error).__name__
    return UnusableInput(f"{name} is not a readable Parquet file ({detail})")


def _unreadable_parquet(name: str, error: Exception) -> UnusableInput:
    if isinstance(error, pl.exceptions.InvalidOperationError):
        return UnusableInput(f"{name} has a column that cannot be read as text")
    return _not_parquet(name, error)


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A native Parquet column as the text a person would have typed."""
    column = pl.col(name)
    if dtype == pl.Datetime or dtype == pl.Date:
        return column.cast(pl.Date).dt.to_string("%Y-%m-%d")
    if dtype.is_float():
        whole = column.is_finite() & (column == column.round())
        return (
            pl.when(whole)
            .then(column.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(column.cast(pl.String))
        )
    if isinstance(dtype, pl.List):
        return column.cast(pl.List(pl.String)).list.join(";")
    return column.cast(pl.String)
