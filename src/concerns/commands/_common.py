"""What the commands share: one-line failures, dates, and loading only valid data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NoReturn

import typer

EXIT_REJECTS = 1
EXIT_UNUSABLE = 2


def fail(message: str, status: int = EXIT_UNUSABLE) -> NoReturn:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(status)


def parse_day(text: str, option: str = "--as-of") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} must be a date like 2025-06-30, not {text!r}")


def load_valid_data(data: Path, *, allow_rejects: bool = False, today: dt.date | None = None):
    """The ingested data directory; stops with the validation summary if any row was rejected."""
    from rich.console import Console

    from concerns.commands.validate import print_summary
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


LIMITS_HELP = "Funnel control limits, in percent, comma-separated (default 95,99.8)."


def parse_limits(text: str) -> tuple[float, ...]:
    """ "95,99.8" → (0.95, 0.998); each level strictly between 50 and 100, at most three."""
    try:
        levels = tuple(sorted({float(part) / 100 for part in text.split(",") if part.strip()}))
    except ValueError:
        fail(f"--limits takes percentages such as 95,99.8; not {text!r}")
    if not levels or len(levels) > 3 or not all(0.5 < level < 1 for level in levels):
        fail(f"--limits takes one to three percentages between 50 and 100, such as 95,99.8; not {text!r}")
    return levels
