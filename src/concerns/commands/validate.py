"""`concerns validate` (being built)."""

import typer


def command() -> None:
    """Not built yet."""
    typer.echo("concerns validate is not built yet", err=True)
    raise typer.Exit(2)
