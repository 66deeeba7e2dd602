"""`concerns extract`: the casework register as a data directory of the data contract's three files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from concerns.commands._common import fail

if TYPE_CHECKING:
    from concerns.web.casework.registry import RegistryImport


def command(
    out: Annotated[
        Path,
        typer.Option("--out", help="Directory to write cases.csv, organisations.csv and workforce.csv into."),
    ],
) -> None:
    """Write the casework register as contract files; `concerns validate --data OUT` accepts them."""
    counts = extract(out)
    typer.echo(", ".join(f"{rows} {name}" for name, rows in counts.items()) + f" written to {out}")


def extract(out: Path) -> dict[str, int]:
    from concerns.web import setup

    setup()
    from django.db import DatabaseError

    from concerns.web.casework.export import ExtractError, write_extract

    try:
        return write_extract(out)
    except ExtractError as error:
        fail(str(error))
    except DatabaseError as error:
        fail(f"cannot read the register's database ({error}); set it up with `concerns manage migrate`")


def registry_command(
    data: Annotated[
        Path,
        typer.Option("--data", help="A contract data directory (organisations, workforce and cases files)."),
    ],
) -> None:
    """Record organisations' type, nation and headcounts in the register from a contract data directory."""
    result = import_registry(data)
    typer.echo(
        f"{result.profiles} organisation profiles and {result.headcounts} headcount rows recorded; "
        f"{result.rejected_rows} invalid rows left out"
    )
    if result.unknown_organisations:
        typer.echo(f"not in the portal, so left out: {', '.join(result.unknown_organisations)}")


def import_registry(data: Path) -> RegistryImport:
    from concerns.web import setup

    setup()
    from django.db import DatabaseError

    from concerns.ingest import UnusableInput
    from concerns.web.casework.registry import import_registry as run

    try:
        return run(data)
    except UnusableInput as error:
        fail(str(error))
    except DatabaseError as error:
        fail(f"cannot write to the register's database ({error}); set it up with `concerns manage migrate`")
