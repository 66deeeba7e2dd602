"""`concerns synth`: write synthetic national data (the contract files and truth.json)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from concerns.commands._common import fail, parse_day

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

PROGRESS_FROM_ROWS = 100_000  # smaller runs finish before a bar would help


def _whole(name: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.replace("_", "").replace(",", ""))
    except ValueError:
        fail(f"{name} must be a whole number, not {text!r}")


def _date(text: str | None) -> dt.date | None:
    return None if text is None else parse_day(text, day_first_too=True)


class _Bar:
    """A rich progress bar on stderr, started only for runs with many rows."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM_ROWS:
            return
        if self.progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.progress = Progress(
                "writing cases",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("cases", total=total)
        if self.task is not None:  # set with the bar
            self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def command(
    out: Annotated[
        str | None, typer.Option("--out", help="Directory to write into (created if missing).", metavar="DIR")
    ] = None,
    seed: Annotated[
        str | None,
        typer.Option(help="Random seed; the same arguments give the same bytes (default 2001).", metavar="N"),
    ] = None,
    orgs: Annotated[
        str | None, typer.Option(help="Number of fictional organisations (default 220).", metavar="N")
    ] = None,
    years: Annotated[
        str | None, typer.Option(help="Complete financial years before --as-of (default 5).", metavar="N")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As-of date (default today).", metavar="DATE")
    ] = None,
    organisations: Annotated[
        Path | None, typer.Option(help="Generate for this registry (CSV, Parquet or XLSX).", metavar="FILE")
    ] = None,
    workforce: Annotated[
        Path | None, typer.Option(help="Given headcounts for that registry, kept exactly.", metavar="FILE")
    ] = None,
    cases: Annotated[
        str | None, typer.Option(help="Approximate number of case rows (scales the rates).", metavar="N")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.", metavar="csv|parquet")] = "csv",
    null: Annotated[
        bool,
        typer.Option("--null", help="Plant nothing: no cluster, no organisation effect (for calibration)."),
    ] = False,
    cluster_cases: Annotated[
        str | None,
        typer.Option(help="Extra cases in each planted cluster (default 13 to 17).", metavar="N"),
    ] = None,
) -> None:
    """Write fictional national data: cases, organisations, workforce and the ground truth (truth.json)."""
    from concerns.synth import FORMATS, SynthConfig, SynthError, write

    if out is None:
        fail("--out DIR is required")
    if fmt.lower() not in FORMATS:
        fail(f"--format must be csv or parquet, not {fmt!r}")
    if orgs is not None and organisations is not None:
        fail("give either --orgs or --organisations, not both")
    if null and cluster_cases is not None:
        fail("give either --null or --cluster-cases, not both")
    extra = _whole("--cluster-cases", cluster_cases)
    if extra is not None and extra < 1:
        fail(f"--cluster-cases must be at least 1, not {extra}")
    settings: dict[str, Any] = {
        "seed": _whole("--seed", seed),
        "orgs": _whole("--orgs", orgs),
        "years": _whole("--years", years),
        "total_cases": _whole("--cases", cases),
        "as_of": _date(as_of),
        "organisations": organisations,
        "workforce": workforce,
        "clusters": 0 if null else None,
        "org_rate_sd": 0.0 if null else None,
        "cluster_extra_cases": (extra, extra) if extra is not None else None,
    }
    config = SynthConfig(**{name: value for name, value in settings.items() if value is not None})
    bar = _Bar()
    try:
        target = write(config, Path(out), fmt.lower(), progress=bar)
    except SynthError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write to {out}: {error.strerror or error}", 1)
    finally:
        bar.close()
    rows = json.loads((target / "truth.json").read_text(encoding="utf-8"))["rows"]
    typer.echo(
        f"Wrote {rows['cases']:,} cases, {rows['organisations']:,} organisations and "
        f"{rows['workforce']:,} workforce rows to {target} (ground truth in truth.json)."
    )
