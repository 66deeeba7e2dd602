"""`concerns synth`: write synthetic national data (the contract files and truth.json)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

PROGRESS_FROM_ROWS = 100_000  # smaller runs finish before a bar would help


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"concerns synth: {message}", err=True)
    return typer.Exit(code)


def _whole(name: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise _fail(f"{name} must be a whole number, not {text!r}") from None


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    for parse in (dt.date.fromisoformat, lambda t: dt.datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return parse(text.strip())
        except ValueError:
            continue
    raise _fail(f"--as-of must be a date like 2025-04-30 or 30/04/2025, not {text!r}")


class _Bar:
    """A rich progress bar on stderr, started only for runs with many rows."""

    def __init__(self) -> None:
        self.progress = None
        self.task = None

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
        raise _fail("--out DIR is required")
    if fmt.lower() not in FORMATS:
        raise _fail(f"--format must be csv or parquet, not {fmt!r}")
    if orgs is not None and organisations is not None:
        raise _fail("give either --orgs or --organisations, not both")
    if null and cluster_cases is not None:
        raise _fail("give either --null or --cluster-cases, not both")
    extra = _whole("--cluster-cases", cluster_cases)
    if extra is not None and extra < 1:
        raise _fail(f"--cluster-cases must be at least 1, not {extra}")
    settings = {
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
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot write to {out}: {error.strerror or error}", 1) from None
    finally:
        bar.close()
    rows = json.loads((target / "truth.json").read_text(encoding="utf-8"))["rows"]
    typer.echo(
        f"Wrote {rows['cases']:,} cases, {rows['organisations']:,} organisations and "
        f"{rows['workforce']:,} workforce rows to {target} (ground truth in truth.json)."
    )
