"""`concerns report` and `concerns national`: the activity reports, written all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from concerns.commands._common import LIMITS_HELP, fail, parse_day, parse_limits
from concerns.commands.validate import load_valid_data

if TYPE_CHECKING:
    from concerns.disclosure import Policy

FORMATS_HELP = "Comma-separated formats: html, pdf, xlsx, json."


def _formats(text: str) -> tuple[str, ...]:
    from concerns.report import FORMATS

    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [fmt for fmt in chosen if fmt not in FORMATS]
    if unknown or not chosen:
        fail(f"--formats takes some of {', '.join(FORMATS)}; not {', '.join(unknown) or 'nothing'}")
    return chosen


def _policy(name: str, threshold: int | None) -> Policy | str:
    """The policy chosen, checked before anything is read or written."""
    from concerns.disclosure import POLICIES, with_threshold

    known = "; ".join(f"{key} (counts below {policy.threshold} hidden)" for key, policy in POLICIES.items())
    if name not in POLICIES:
        fail(f"--policy must be one of the known policies, not {name!r}: {known}")
    if threshold is None:
        return name
    try:
        return with_threshold(name, threshold)
    except ValueError as error:
        fail(f"--threshold: {error}. The known policies: {known}")


def _advisers(path: Path, known: set[str]) -> dict[str, str]:
    """org_code → "name, email" from a CSV of org_code, name, email (the cover's link adviser)."""
    import csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as error:
        fail(f"--advisers {path}: cannot read it ({error})")
    if not rows or not {"org_code", "name", "email"} <= set(rows[0]):
        fail(f"--advisers {path}: needs the columns org_code, name and email")
    found = {
        row["org_code"].strip().upper(): f"{row['name'].strip()}, {row['email'].strip()}" for row in rows
    }
    unknown = sorted(set(found) - known)
    if unknown:
        fail(f"--advisers {path}: no organisation {', '.join(unknown[:5])} in the data")
    return found


def _run(
    data: Path,
    out: Path,
    codes: list[str] | None,
    national: bool,
    as_of: str | None,
    years: int,
    formats: str,
    policy: str,
    workers: int,
    limits: str,
    advisers: Path | None = None,
    threshold: int | None = None,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from concerns.report import BatchOptions, UnknownOrganisations, make_batch

    day = parse_day(as_of) if as_of else dt.date.today()
    chosen_formats, chosen_policy, levels = (
        _formats(formats),
        _policy(policy, threshold),
        parse_limits(limits),
    )
    dataset = load_valid_data(data)
    known = set(dataset.organisations["org_code"])
    options = BatchOptions(
        day,
        chosen_policy,
        chosen_formats,
        workers,
        _advisers(advisers, known) if advisers else {},
        years=years,
        funnel_levels=levels,
    )
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task("Writing reports")
            manifest = make_batch(
                dataset,
                out,
                options,
                codes=None if codes is None and not national else codes or [],
                national=national,
                started=lambda total: bar.update(task, total=total),
                progress=lambda _: bar.advance(task),
            )
    except UnknownOrganisations as error:
        fail(f"no organisation {', '.join(error.codes)} in {data}/organisations")
    except (OSError, RuntimeError, ValueError) as error:
        # Nothing was written: the batch is staged and moved into place only when complete.
        fail(f"no reports were written: {error}")
    typer.echo(f"Wrote {manifest.reports} report(s) in {', '.join(chosen_formats)} to {out}")
    first = next((entry.path for entry in manifest.files if entry.path.endswith("/report.html")), None)
    if first:
        typer.echo(f"Open {out / first} in a browser to read one.")


def report_command(
    data: Annotated[
        Path, typer.Option("--data", help="The data directory (cases, organisations, workforce).")
    ],
    out: Annotated[Path, typer.Option("--out", help="The folder for <org_code>/report.* and manifest.json.")],
    org: Annotated[
        list[str] | None, typer.Option("--org", help="An organisation's code (repeatable).")
    ] = None,
    all_orgs: Annotated[bool, typer.Option("--all", help="Every organisation, in parallel.")] = False,
    formats: Annotated[str, typer.Option("--formats", help=FORMATS_HELP)] = "html,pdf,xlsx,json",
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="Report date (default today).")
    ] = None,
    years: Annotated[int, typer.Option("--years", min=1, max=20, help="Complete financial years.")] = 5,
    policy: Annotated[
        str, typer.Option("--policy", help="Disclosure policy: standard, nhs-digital, ons-10-5.")
    ] = "standard",
    workers: Annotated[int, typer.Option("--workers", min=1, help="Parallel processes.")] = 2,
    limits: Annotated[str, typer.Option("--limits", help=LIMITS_HELP)] = "95,99.8",
    threshold: Annotated[
        int | None,
        typer.Option("--threshold", help="Hide counts below this instead of the policy's own threshold."),
    ] = None,
    advisers: Annotated[
        Path | None,
        typer.Option(
            "--advisers", help="CSV of org_code, name, email: each cover's link adviser.", metavar="FILE"
        ),
    ] = None,
) -> None:
    """Write organisational activity reports (HTML, PDF, XLSX, JSON) for one organisation or all."""
    if bool(org) == all_orgs:
        fail("give --org CODE (one or more) or --all")
    _run(
        data,
        out,
        None if all_orgs else list(org or ()),
        False,
        as_of,
        years,
        formats,
        policy,
        workers,
        limits,
        advisers,
        threshold,
    )


def national_command(
    data: Annotated[
        Path, typer.Option("--data", help="The data directory (cases, organisations, workforce).")
    ],
    out: Annotated[Path, typer.Option("--out", help="The folder for national/report.* and manifest.json.")],
    formats: Annotated[str, typer.Option("--formats", help=FORMATS_HELP)] = "html,pdf,xlsx,json",
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="Report date (default today).")
    ] = None,
    years: Annotated[int, typer.Option("--years", min=1, max=20, help="Complete financial years.")] = 5,
    policy: Annotated[
        str, typer.Option("--policy", help="Disclosure policy: standard, nhs-digital, ons-10-5.")
    ] = "standard",
    limits: Annotated[str, typer.Option("--limits", help=LIMITS_HELP)] = "95,99.8",
    threshold: Annotated[
        int | None,
        typer.Option("--threshold", help="Hide counts below this instead of the policy's own threshold."),
    ] = None,
) -> None:
    """Write the national insight report."""
    _run(data, out, [], True, as_of, years, formats, policy, 1, limits, threshold=threshold)
