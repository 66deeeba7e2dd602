"""Fuzzing ingest: one of the three files damaged the ways files get damaged, in any input format.

Whatever the damage, ingest either accepts and rejects rows that add up to the rows it read, or
refuses the directory with a one-line message naming the damaged file; `concerns validate` exits 0,
1 or 2 accordingly and never shows a traceback. The short run, part of `make test`, tries a few
derandomised examples of each damage on a small synthetic extract; `make fuzz` tries thousands
(CONCERNS_FUZZ_EXAMPLES of each damage, on CONCERNS_FUZZ_ORGS organisations).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from concerns.cli import app
from concerns.ingest import FILE_NAMES, Ingested, UnusableInput, is_panic, load

TODAY = dt.date(2026, 12, 2)
FORMATS = ("csv-utf8", "csv-cp1252", "csv-bom", "xlsx", "parquet")
BINARY = ("xlsx", "parquet")
ENCODINGS = {"csv-utf8": "utf-8", "csv-cp1252": "cp1252", "csv-bom": "utf-8-sig"}
BIG_FIELD = 200_000
XLSX_MOST_CHARACTERS = 32_767  # a longer cell is not an Excel file any more
LONG_RUN = "CONCERNS_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("CONCERNS_FUZZ_EXAMPLES", "4"))  # of each damage
ORGS = int(os.environ.get("CONCERNS_FUZZ_ORGS", "8"))
PANICKED = "a library concerns uses failed on it"

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not LONG_RUN,  # the short run tries the same examples every time
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Draw = Callable[[st.SearchStrategy[Any]], Any]


# --- the extract that is damaged ---------------------------------------------------------------


@dataclass(frozen=True)
class Extract:
    """A valid synthetic extract as text frames, and each file already written in each format."""

    frames: dict[str, pl.DataFrame]
    written: dict[tuple[str, str], bytes]

    def __repr__(self) -> str:  # a failing example prints it
        return f"Extract({', '.join(f'{frame.height} {name}' for name, frame in self.frames.items())})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints it
        printer.text(repr(self))


@pytest.fixture(scope="session")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Extract:
    from concerns.synth import SynthConfig, write

    directory = tmp_path_factory.mktemp("fuzz-extract")
    write(SynthConfig(orgs=ORGS, years=1, total_cases=15 * ORGS, as_of=TODAY), directory, "csv")
    frames = {name: pl.read_csv(directory / f"{name}.csv", infer_schema=False) for name in FILE_NAMES}
    frames["organisations"] = frames["organisations"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("Hôpital Sainte-Élise £ Trust – “Nord”"))  # differs in each encoding
        .otherwise(pl.col("name"))
        .alias("name")
    )
    written = {(name, fmt): render(frame, fmt) for name, frame in frames.items() for fmt in FORMATS}
    return Extract(frames, written)


def test_it_starts_from_an_extract_that_is_valid_in_every_format(extract):
    for fmt in FORMATS:
        with tempfile.TemporaryDirectory() as tmp:
            directory = write_directory(Path(tmp), extract, {name: fmt for name in FILE_NAMES}, {})
            ingested = load(directory, today=TODAY)
        assert ingested.rejects.is_empty(), fmt
        assert {name: ingested.counts[name].read for name in FILE_NAMES} == {
            name: extract.frames[name].height for name in FILE_NAMES
        }


def render(frame: pl.DataFrame, fmt: str, header: list[str] | None = None) -> bytes:
    """The frame as a file of the format; `header` replaces the column names (duplicates allowed)."""
    header = header or frame.columns
    if fmt in ENCODINGS:
        return _csv_text(frame, header).encode(ENCODINGS[fmt], errors="replace")
    if fmt == "xlsx":
        return _xlsx(frame, header)
    return _parquet(frame, header)


def _csv_text(frame: pl.DataFrame, header: list[str]) -> str:
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(header)
    return line.getvalue() + frame.write_csv(include_header=False)


def _xlsx(frame: pl.DataFrame, header: list[str]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    workbook.set_properties({"created": dt.datetime(2026, 12, 2)})  # the same bytes every time
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, header)
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for row, values in enumerate(frame.iter_rows(), start=1):
        for column, value in enumerate(values):
            _write_cell(sheet, row, column, value, dates)
    workbook.close()
    return buffer.getvalue()


def _write_cell(sheet: Any, row: int, column: int, value: object, dates: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, column, value, dates)
    else:
        sheet.write_string(row, column, str(value)[:XLSX_MOST_CHARACTERS])


def _parquet(frame: pl.DataFrame, header: list[str]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = frame.to_arrow()
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(table.columns, names=header), buffer)
    return buffer.getvalue()


def write_directory(root: Path, extract: Extract, formats: dict[str, str], damaged: dict[str, bytes]) -> Path:
    directory = root / "data"
    directory.mkdir()
    for name in FILE_NAMES:
        fmt = formats[name]
        content = damaged.get(name, extract.written[name, fmt])
        (directory / f"{name}{suffix(fmt)}").write_bytes(content)
    return directory


def suffix(fmt: str) -> str:
    return ".csv" if fmt in ENCODINGS else f".{fmt}"


# --- damages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class File:
    """One file of the extract before it is damaged: its rows, its format, and its bytes in that format."""

    frame: pl.DataFrame
    fmt: str
    data: bytes

    @property
    def csv(self) -> bool:
        return self.fmt in ENCODINGS


@dataclass(frozen=True)
class Damaged:
    """A damaged file; `rows` is how many rows it holds, when the damage makes that certain."""

    data: bytes
    rows: int | None = None
    unusable: bool = False  # must be refused as a whole (exit 2)
    corrupt: bool = False  # the bytes of a workbook or Parquet file: its reader may panic, refused as exit 2


def random_bytes(draw: Draw, file: File) -> Damaged:
    data = bytearray(file.data)
    for _ in range(draw(st.integers(1, 16))):
        at = draw(st.integers(0, len(data) - 1))
        if draw(st.booleans()):
            data[at] = draw(st.integers(0, 255))
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
    return Damaged(bytes(data), corrupt=not file.csv)


def truncation(draw: Draw, file: File) -> Damaged:
    return Damaged(file.data[: draw(st.integers(0, len(file.data) - 1))], corrupt=not file.csv)


def duplicated_lines(draw: Draw, file: File) -> Damaged:
    """Lines of a CSV (the header too: its copy is a row of data), rows of a spreadsheet or Parquet."""
    copies, height = draw(st.integers(1, 3)), file.frame.height
    if not file.csv:
        picks = [draw(st.integers(0, height - 1)) for _ in range(copies)]
        return Damaged(render(pl.concat([file.frame, file.frame[picks]]), file.fmt), rows=height + copies)
    lines = file.data.split(b"\n")[:-1]  # the text ends with a line break
    for _ in range(copies):
        at = draw(st.integers(0, len(lines) - 1))
        lines.insert(at, lines[at])
    return Damaged(b"\n".join([*lines, b""]), rows=height + copies)


def comma(draw: Draw, file: File) -> Damaged:
    """A comma added or lost: anywhere in a CSV, in a cell of a spreadsheet or Parquet file."""
    if not file.csv:
        return cells_changed(draw, file, lambda value: _with_comma(draw, value or ""))
    data = file.data
    if draw(st.booleans()):
        at = draw(st.sampled_from([at for at, byte in enumerate(data) if byte == ord(",")]))
        return Damaged(data[:at] + data[at + 1 :])
    at = draw(st.integers(0, len(data)))
    return Damaged(data[:at] + b"," + data[at:])


def _with_comma(draw: Draw, value: str) -> str:
    if "," in value and draw(st.booleans()):
        return value.replace(",", "", 1)
    at = draw(st.integers(0, len(value)))
    return value[:at] + "," + value[at:]


def big_field(draw: Draw, file: File) -> Damaged:
    filler = (draw(st.sampled_from(["x", "é", "9", "-", " ", "=", "ab c", "£"])) * BIG_FIELD)[:BIG_FIELD]
    if not file.csv:
        return cells_changed(draw, file, lambda value: filler)
    data = file.data
    at = draw(st.integers(data.index(b"\n") + 1, len(data) - 1))  # in a row, not the header
    return Damaged(data[:at] + filler.encode(ENCODINGS[file.fmt]) + data[at:], rows=file.frame.height)


def utf16(draw: Draw, file: File) -> Damaged:
    """Saved as 'Unicode text' (UTF-16), whatever the name says: never readable."""
    encoding = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be"]))
    return Damaged(_csv_text(file.frame, file.frame.columns).encode(encoding), unusable=True)


def nul_bytes_and_quotes(draw: Draw, file: File) -> Damaged:
    pieces = draw(st.lists(st.sampled_from(["\0", '"', '""', '"\0', "'"]), min_size=1, max_size=5))
    if not file.csv:
        return cells_changed(draw, file, lambda value: _inserted(draw, value or "", pieces))
    data = file.data
    for piece in pieces:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + piece.encode() + data[at:]
    return Damaged(data, unusable="\0" in "".join(pieces))  # a CSV with NUL bytes is not text


def _inserted(draw: Draw, value: str, pieces: list[str]) -> str:
    for piece in pieces:
        at = draw(st.integers(0, len(value)))
        value = value[:at] + piece + value[at:]
    return value


def renamed_header(draw: Draw, file: File) -> Damaged:
    header = list(file.frame.columns)
    at = draw(st.integers(0, len(header) - 1))
    name = header[at]
    header[at] = draw(
        st.one_of(
            st.sampled_from(header),  # two columns of one name
            st.sampled_from([name.upper(), f"  {name} ", name[:-1], name + "s", "", "\ufeff" + name]),
            st.text(max_size=20),
        )
    )
    return Damaged(render(file.frame, file.fmt, header), rows=file.frame.height)


def cut_short(draw: Draw, file: File) -> Damaged:
    """The first rows only: for organisations, a registry sent for only some organisations."""
    keep = draw(st.integers(0, file.frame.height - 1))
    return Damaged(render(file.frame.head(keep), file.fmt), rows=keep)


NASTY = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "=1+1",
            '=HYPERLINK("http://example.org","x")',
            "+44",
            "-",
            "@SUM(A1)",
            "\t=cmd",
            "\r\n",
            "NULL",
            "nan",
            "N/A",
            "-1",
            "1e309",
            "99999999999999999999",
            "12.5",
            "1,200",
            "2023/24",
            "2023-02-29",
            "31/12/1999",
            "2099-01-01",
            "0000-00-00",
            ";",
            "clinical;;behaviour",
            "X100",
            " x100 ",
            "Consultant",
            "\ufeffRJ1",
            "“Nord”",
            "🙂",
            "\0",
            '"',
        ]
    ),
    st.text(max_size=30),
)


def mangled_rows(draw: Draw, file: File) -> Damaged:
    """Cells of a few rows overwritten with what spreadsheets and people put in cells."""
    rows = file.frame.to_dicts()
    for _ in range(draw(st.integers(1, 10))):
        row = rows[draw(st.integers(0, len(rows) - 1))]
        for column in draw(st.lists(st.sampled_from(list(row)), min_size=1, max_size=4, unique=True)):
            row[column] = draw(NASTY)
    blank = sum(all(value in (None, "") for value in row.values()) for row in rows)  # blank rows are not read
    mangled = pl.DataFrame(rows, schema=file.frame.schema)
    return Damaged(render(mangled, file.fmt), rows=file.frame.height - blank)


def retyped_columns(draw: Draw, file: File) -> Damaged:
    """Columns stored as numbers, dates and other native types, as spreadsheets and databases write them."""
    columns = draw(st.lists(st.sampled_from(file.frame.columns), min_size=1, max_size=3, unique=True))
    retype = [draw(st.sampled_from(RETYPES[file.fmt]))(pl.col(name)).alias(name) for name in columns]
    rows = file.frame.height if file.fmt == "parquet" else None  # a spreadsheet may have emptied a row
    return Damaged(render(file.frame.with_columns(retype), file.fmt), rows=rows)


_XLSX_RETYPES: list[Callable[[pl.Expr], pl.Expr]] = [
    lambda text: text.cast(pl.Float64, strict=False),
    lambda text: text.str.to_date("%Y-%m-%d", strict=False),
    lambda text: text.str.len_chars() > 3,
]
RETYPES: dict[str, list[Callable[[pl.Expr], pl.Expr]]] = {
    "xlsx": _XLSX_RETYPES,
    "parquet": [
        *_XLSX_RETYPES,
        lambda text: text.str.to_integer(strict=False),
        lambda text: text.str.to_datetime("%Y-%m-%d", strict=False),
        lambda text: text.cast(pl.Binary),
        lambda text: text.str.split(";"),
        lambda text: text.cast(pl.Categorical),
        lambda text: pl.lit(None),
        lambda text: pl.struct(text.alias("inner")),
        lambda text: text.str.len_bytes().cast(pl.Int64).cast(pl.Duration("ms")),
        lambda text: text.cast(pl.Float64, strict=False).cast(pl.Decimal(20, 4), strict=False),
    ],
}


def cells_changed(draw: Draw, file: File, change: Callable[[str | None], str]) -> Damaged:
    """A few cells of a spreadsheet or Parquet file changed; never emptied, so no row is lost."""
    rows = file.frame.to_dicts()
    for _ in range(draw(st.integers(1, 3))):
        row = rows[draw(st.integers(0, len(rows) - 1))]
        column = draw(st.sampled_from(list(row)))
        row[column] = change(row[column])
    changed = pl.DataFrame(rows, schema=file.frame.schema)
    return Damaged(render(changed, file.fmt), rows=file.frame.height)


@dataclass(frozen=True)
class Damage:
    name: str
    apply: Callable[[Draw, File], Damaged]
    formats: tuple[str, ...] = FORMATS


DAMAGES = [
    Damage("random bytes", random_bytes),
    Damage("truncation", truncation),
    Damage("duplicated lines", duplicated_lines),
    Damage("a comma added or lost", comma),
    Damage("a 200 kB field", big_field),
    Damage("UTF-16", utf16),
    Damage("NUL bytes and quotes", nul_bytes_and_quotes),
    Damage("a renamed header", renamed_header),
    Damage("cut short", cut_short),
    Damage("rows mangled", mangled_rows),
    Damage("native types", retyped_columns, formats=BINARY),
]


# --- the property --------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", DAMAGES, ids=[damage.name for damage in DAMAGES])
@FUZZ
@given(data=st.data())
def test_it_never_crashes_and_every_row_read_is_accepted_or_rejected(extract, damage, data):
    target = data.draw(st.sampled_from(FILE_NAMES), label="damaged file")
    formats = {name: data.draw(st.sampled_from(FORMATS), label=f"{name} format") for name in FILE_NAMES}
    formats[target] = data.draw(st.sampled_from(damage.formats), label=f"{target} format")
    original = File(extract.frames[target], formats[target], extract.written[target, formats[target]])
    damaged = damage.apply(data.draw, original)
    with tempfile.TemporaryDirectory(prefix="concerns-fuzz-") as tmp:
        directory = write_directory(Path(tmp), extract, formats, {target: damaged.data})
        outcome = loaded(directory)
        result = validate(directory, Path(tmp) / "rejects.csv")
        event(f"{damage.name}: exit {result.exit_code}")
        damaged_name = f"{target}{suffix(formats[target])}"
        if isinstance(outcome, UnusableInput):
            assert_refused(outcome, result, damaged_name, damaged)
        else:
            assert not damaged.unusable, f"{damaged_name} should have been refused"
            assert_reconciled(outcome, extract, target, damaged)
            assert_reported(outcome, result, Path(tmp) / "rejects.csv")


def loaded(directory: Path) -> Ingested | UnusableInput:
    try:
        return load(directory, today=TODAY)
    except UnusableInput as refused:
        return refused
    except BaseException as error:
        if is_panic(error):  # a BaseException: hypothesis would not shrink it
            raise AssertionError(f"ingest let a library panic out: {error}") from None
        raise


def validate(directory: Path, rejects: Path) -> Any:
    arguments = [
        "validate",
        "--data",
        str(directory),
        "--rejects",
        str(rejects),
        "--today",
        TODAY.isoformat(),
    ]
    return CliRunner(env={"COLUMNS": "200"}).invoke(app, arguments)


def assert_refused(refused: UnusableInput, result: Any, damaged_name: str, damaged: Damaged) -> None:
    # A panic is refused with exit 2 (the safety net), but unless the file's bytes are corrupt it is our bug.
    if PANICKED in refused.message:
        assert damaged.corrupt, refused.message
        event("a library panicked on a corrupt file; refused with exit 2")
    assert damaged_name in refused.message
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"error: {refused.message}"]


def assert_reconciled(ingested: Ingested, extract: Extract, target: str, damaged: Damaged) -> None:
    accepted = {
        "cases": ingested.cases,
        "organisations": ingested.organisations,
        "workforce": ingested.workforce,
    }
    for name in FILE_NAMES:
        counts = ingested.counts[name]
        rejected = set(ingested.rejects.filter(pl.col("file") == name)["source_row"])
        kept = set(accepted[name]["source_row"])
        assert accepted[name].height == len(kept) == counts.accepted, name
        assert len(rejected) == counts.rejected and not kept & rejected, name
        assert counts.read == counts.accepted + counts.rejected, name
        expected = extract.frames[name].height if name != target else damaged.rows
        assert expected is None or counts.read == expected, name
    assert ingested.rejects.filter(pl.col("reason").fill_null("") == "").is_empty()


def assert_reported(ingested: Ingested, result: Any, rejects: Path) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code == (1 if ingested.rejects.height else 0), result.output
    written = pl.read_csv(rejects, infer_schema=False)
    assert written.height == ingested.rejects.height
