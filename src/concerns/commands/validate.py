"""`concerns validate`: check a data directory against the data contract.

Exit status: 0 when every row is accepted, 1 when any row is rejected (the
rejects CSV says which and why), 2 when the directory cannot be used at all,
3 for an unexpected failure (a bug: rerun with --debug for the traceback).
Polars, pandera and Rich are imported only when the command runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from concerns.commands._common import EXIT_REJECTS, EXIT_UNUSABLE, fail, parse_day

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from concerns.ingest import Ingested

EXIT_CLEAN = 0
EXIT_BUG = 3

FIRST_REJECTS_SHOWN = 10
DEFAULT_REJECTS_NAME = "rejects.csv"


def command(
    data: Annotated[
        Path,
        typer.Option("--data", help="Data directory holding the cases, organisations and workforce files."),
    ],
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects", help="Where to write the rejects CSV (default: rejects.csv in the data directory)."
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            metavar="DATE",
            help="Judge future dates against this date, YYYY-MM-DD (default: today).",
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an unexpected error.")
    ] = False,
) -> None:
    """Check a data directory against the data contract and write every rejected row, with its reason."""
    day = _parse_today(today)
    try:
        status = _validate(data, rejects or data / DEFAULT_REJECTS_NAME, day)
    except _Failure as failure:
        fail(failure.message, EXIT_UNUSABLE)
    except Exception as error:
        _unexpected(error, debug)
    except BaseException as error:  # a library's panic is a BaseException; ingest turns its own into exit 2
        if not _is_panic(error):
            raise
        _unexpected(error, debug)
    raise typer.Exit(status)


def _unexpected(error: BaseException, debug: bool) -> None:
    if debug:
        raise error
    fail(
        f"unexpected {type(error).__name__}: {error} (a bug in concerns; rerun with --debug for the traceback)",
        EXIT_BUG,
    )


def _is_panic(error: BaseException) -> bool:
    from concerns.ingest import is_panic

    return is_panic(error)


class _Failure(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _parse_today(text: str | None) -> dt.date | None:
    return None if text is None else parse_day(text, "--today")


def _validate(data: Path, rejects_path: Path, today: dt.date | None) -> int:
    from rich.console import Console

    from concerns.ingest import UnusableInput, load, write_rejects

    try:
        ingested = load(data, today=today)
    except UnusableInput as error:
        raise _Failure(error.message) from None
    try:
        write_rejects(ingested, rejects_path)
    except OSError as error:
        raise _Failure(f"cannot write the rejects to {rejects_path}: {error.strerror or error}") from None
    print_summary(Console(highlight=False), ingested, data, rejects_path)
    return EXIT_CLEAN if ingested.rejects.is_empty() else EXIT_REJECTS


def load_valid_data(data: Path, *, allow_rejects: bool = False, today: dt.date | None = None) -> Ingested:
    """The ingested data directory; stops with the validation summary if any row was rejected."""
    from rich.console import Console

    from concerns.ingest import UnusableInput, load

    try:
        ingested = load(data, today=today)
    except UnusableInput as error:
        fail(error.message)
    if not ingested.rejects.is_empty() and not allow_rejects:
        print_summary(Console(stderr=True, highlight=False), ingested, data, None)
        fail(
            f"{data} has rejected rows: run `concerns validate --data {data}` for rejects.csv, fix them, "
            "or pass --allow-rejects to use only the accepted rows",
            EXIT_REJECTS,
        )
    return ingested


# --- the summary ------------------------------------------------------------------------


def print_summary(console: Console, ingested: Ingested, data: Path, rejects_path: Path | None) -> None:
    """The validation summary: rows by file, organisations missing from the registry, rejects by reason,
    the first rejects, the fingerprint."""
    # Paths and the fingerprint are never wrapped, so they can be copied whole.
    console.print(f"Validated {data}", markup=False, soft_wrap=True)
    console.print(_counts_table(ingested))
    if missing := ingested.missing_organisations_sentence():
        console.print(missing, markup=False)
    if not ingested.rejects.is_empty():
        console.print(_kinds_table(ingested))
        console.print(_first_rejects_table(ingested))
    console.print(f"Fingerprint: {ingested.fingerprint}", markup=False, soft_wrap=True)
    if rejects_path is not None:
        console.print(f"Rejects written to {rejects_path}", markup=False, soft_wrap=True)
    console.print(_verdict(ingested), markup=False)


def _counts_table(ingested: Ingested) -> Table:
    from rich.table import Table

    table = Table(title="Rows by file", title_justify="left")
    table.add_column("File")
    for heading in ("Rows read", "Accepted", "Rejected"):
        table.add_column(heading, justify="right")
    for name, counts in ingested.counts.items():
        table.add_row(
            ingested.files[name].name, f"{counts.read:,}", f"{counts.accepted:,}", f"{counts.rejected:,}"
        )
    return table


def _kinds_table(ingested: Ingested) -> Table:
    """Rejected rows by kind of reason; a row with two kinds of problem counts under each."""
    from rich.table import Table

    table = Table(title="Rejected rows by reason", title_justify="left")
    table.add_column("File")
    table.add_column("Reason")
    table.add_column("Rows", justify="right")
    table.add_column("Problems", justify="right")
    for kind in ingested.rejects_by_kind():
        table.add_row(kind.file, kind.kind, f"{kind.rows:,}", f"{kind.problems:,}")
    return table


def _first_rejects_table(ingested: Ingested) -> Table:
    from rich.table import Table
    from rich.text import Text

    shown = ingested.rejects.head(FIRST_REJECTS_SHOWN)
    table = Table(title=f"First {shown.height} of {ingested.rejects.height:,} problems", title_justify="left")
    table.add_column("File")
    table.add_column("Row", justify="right")
    table.add_column("Reason")
    for row in shown.iter_rows(named=True):
        table.add_row(row["file"], str(row["source_row"]), Text(row["reason"]))
    return table


def _verdict(ingested: Ingested) -> str:
    if ingested.rows_rejected == 0:
        return "Every row was accepted."
    return (
        f"{ingested.rows_rejected:,} of {ingested.rows_read:,} rows were rejected; "
        "fix them using the reasons in the rejects file."
    )
