"""Finding the three contract files and reading each one as a table of strings.

Everything is read as text first, so that nothing is silently coerced: a case
id of 007 stays "007" and a date stays what the person typed until the
checks have looked at it.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import polars as pl

from concerns.ingest._errors import UnusableInput

# The order files are read, checked and fingerprinted in: references before cases.
FILE_NAMES: tuple[str, ...] = ("organisations", "workforce", "cases")
EXTENSIONS: tuple[str, ...] = (".csv", ".xlsx", ".parquet")

_UTF8_BOM = b"\xef\xbb\xbf"
_HASH_CHUNK = 1 << 20


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


def read_table(path: Path) -> pl.DataFrame:
    """One contract file as a frame of strings, one row per spreadsheet row after the header.

    Column names are trimmed and lower-cased, so " Case_ID" is read as
    "case_id". Values are the cells' text exactly as written (native Excel and
    Parquet dates as ISO text); empty cells are null. Blank rows are kept, so
    row i of the frame is row i + 2 of the spreadsheet.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        grid = _read_csv_grid(path)
    elif suffix == ".xlsx":
        grid = _read_xlsx_grid(path)
    elif suffix == ".parquet":
        grid = _with_header_row(_read_parquet_as_text(path))
    else:
        raise UnusableInput(f"{path.name} is not a .csv, .xlsx or .parquet file")
    return _table_from_grid(grid, path.name)


# --- CSV ------------------------------------------------------------------------------


def _read_csv_grid(path: Path) -> pl.DataFrame:
    data = path.read_bytes()
    if b"\0" in data:
        raise UnusableInput(f"{path.name} is not a text CSV file (it contains NUL bytes); save it from Excel as 'CSV UTF-8'")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    if not data or data.isspace():
        raise UnusableInput(f"{path.name} is empty")
    try:
        return _parse_csv(data, path.name)
    except _NotUtf8:
        # Polars validates UTF-8 as it reads, so only files that fail pay for converting Windows-1252.
        return _parse_csv(_cp1252_as_utf8(data, path.name), path.name)


class _NotUtf8(Exception):
    pass


def _parse_csv(data: bytes, name: str) -> pl.DataFrame:
    try:
        return pl.read_csv(data, has_header=False, infer_schema=False, quote_char='"')
    except pl.exceptions.PolarsError as error:
        if "utf-8" in str(error).lower() or "utf8" in str(error).lower():
            raise _NotUtf8 from None
        raise UnusableInput(f"{name} is not a readable CSV file: {_csv_problem(data, error)}") from None


def _cp1252_as_utf8(data: bytes, name: str) -> bytes:
    try:
        return data.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError as error:
        raise UnusableInput(
            f"{name} is neither UTF-8 nor Windows-1252 text (byte {error.start} cannot be decoded); save it from Excel as 'CSV UTF-8'"
        ) from None


def _csv_problem(data: bytes, error: Exception) -> str:
    """Which record does not fit, found with the standard csv module (slow, only on failure)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8", errors="replace")))
    header = next(reader, [])
    for row_number, row in enumerate(reader, start=2):
        if len(row) > len(header):
            return f"row {row_number} has {len(row)} fields but the header has {len(header)}"
    return str(error).splitlines()[0]


# --- XLSX -----------------------------------------------------------------------------


def _read_xlsx_grid(path: Path) -> pl.DataFrame:
    import fastexcel

    try:
        sheet = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string")
        grid = sheet.to_polars()
    except Exception as error:  # fastexcel raises its own error types for every kind of bad workbook
        detail = str(error).splitlines()[0]
        raise UnusableInput(f"{path.name} is not a readable Excel workbook ({detail})") from None
    if grid.height == 0:
        raise UnusableInput(f"{path.name} is empty (its first sheet has no cells)")
    first_row = _first_used_row(path)
    if first_row > 1:
        raise UnusableInput(
            f"{path.name}: the header must be on row 1 of the first sheet, but rows 1 to {first_row - 1} are empty; "
            "delete them so that row numbers in the rejects match the sheet"
        )
    return grid


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


def _read_parquet_as_text(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except Exception as error:  # polars and pyarrow both raise for a file that is not Parquet
        detail = str(error).splitlines()[0]
        raise UnusableInput(f"{path.name} is not a readable Parquet file ({detail})") from None
    if not frame.columns:
        raise UnusableInput(f"{path.name} is empty (it has no columns)")
    try:
        return frame.select(_as_text(name, dtype) for name, dtype in frame.schema.items())
    except pl.exceptions.PolarsError:
        raise UnusableInput(f"{path.name} has a column that cannot be read as text") from None


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A native Parquet column as the text a person would have typed."""
    column = pl.col(name)
    if dtype == pl.Datetime or dtype == pl.Date:
        return column.cast(pl.Date).dt.to_string("%Y-%m-%d")
    if dtype.is_float():
        whole = column.is_finite() & (column == column.round())
        return pl.when(whole).then(column.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(column.cast(pl.String))
    if isinstance(dtype, pl.List):
        return column.cast(pl.List(pl.String)).list.join(";")
    return column.cast(pl.String)


def _with_header_row(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame with named columns as a grid whose first row holds the names (like CSV and XLSX)."""
    header = pl.DataFrame([pl.Series(f"column_{i}", [name], pl.String) for i, name in enumerate(frame.columns)])
    body = frame.rename({name: f"column_{i}" for i, name in enumerate(frame.columns)})
    return pl.concat([header, body], how="vertical")


# --- the grid as a table --------------------------------------------------------------


def _table_from_grid(grid: pl.DataFrame, file_name: str) -> pl.DataFrame:
    """First row as column names, the rest as the cells' text (empty cells are null)."""
    headers = [_header_name(value, i) for i, value in enumerate(grid.row(0))]
    _refuse_duplicate_headers(headers, file_name)
    body = grid.slice(1).select(pl.all().cast(pl.String))  # a no-op for text; guards against all-empty (Null) columns
    return body.rename(dict(zip(grid.columns, headers, strict=True)))


def _header_name(value: object, position: int) -> str:
    name = "" if value is None else str(value).strip().lower()
    return name or f"unnamed_{position + 1}"


def _refuse_duplicate_headers(headers: list[str], file_name: str) -> None:
    seen: set[str] = set()
    for name in headers:
        if name in seen:
            raise UnusableInput(f"{file_name} has two columns named {name!r}; keep one")
        seen.add(name)
