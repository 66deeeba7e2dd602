"""`concerns extract`: the casework register as a data directory of the data contract's three files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from concerns.commands._common import fail


def command(
    out: Annotated[Path, typer.Option("--out", help="Directory to write cases.csv, organisations.csv and "
                                                    "workforce.csv into.")],
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
