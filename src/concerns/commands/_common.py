"""What the commands share: one-line failures, dates and funnel limits."""

from __future__ import annotations

import datetime as dt
from typing import NoReturn

import typer

EXIT_REJECTS = 1
EXIT_UNUSABLE = 2


def fail(message: str, status: int = EXIT_UNUSABLE) -> NoReturn:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(status)


def parse_day(text: str, option: str = "--as-of", *, day_first_too: bool = False) -> dt.date:
    """An ISO date (and, with `day_first_too`, 30/06/2025 as well); a one-line failure otherwise."""
    formats = ("%Y-%m-%d", "%d/%m/%Y") if day_first_too else ("%Y-%m-%d",)
    for form in formats:
        try:
            return dt.datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    examples = " or ".join(dt.date(2025, 6, 30).strftime(form) for form in formats)
    fail(f"{option} must be a date like {examples}, not {text!r}")


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
