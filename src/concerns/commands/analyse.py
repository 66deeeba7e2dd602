"""`concerns analyse`: the analysis results as JSON, for one organisation or every one."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from concerns.commands._common import LIMITS_HELP, fail, parse_day, parse_limits
from concerns.commands.validate import load_valid_data


def command(
    data: Annotated[
        Path, typer.Option("--data", help="The data directory (cases, organisations, workforce).")
    ],
    org: Annotated[
        str | None, typer.Option("--org", help="One organisation's code: print its results.")
    ] = None,
    all_orgs: Annotated[
        bool, typer.Option("--all", help="Every organisation and the national figures, into --out.")
    ] = False,
    national: Annotated[bool, typer.Option("--national", help="Print the national figures.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="With --all: the folder for <org_code>.json files.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="The complete financial years before this date (default today)."
        ),
    ] = None,
    years: Annotated[
        int, typer.Option("--years", min=1, max=20, help="How many complete financial years.")
    ] = 5,
    peers: Annotated[int, typer.Option("--peers", min=1, help="How many similar sized peers.")] = 10,
    same_nation: Annotated[
        bool, typer.Option("--same-nation", help="Choose peers within the organisation's nation.")
    ] = False,
    allow_rejects: Annotated[
        bool, typer.Option("--allow-rejects", help="Analyse the accepted rows even if some were rejected.")
    ] = False,
    limits: Annotated[str, typer.Option("--limits", help=LIMITS_HELP)] = "95,99.8",
) -> None:
    """Print the analysis results (unsuppressed working figures for the insights team) as JSON."""
    if sum([org is not None, all_orgs, national]) != 1:
        fail("give exactly one of --org CODE, --all or --national")
    if all_orgs and out is None:
        fail("--all needs --out DIR")
    day = parse_day(as_of) if as_of else dt.date.today()
    parse_limits(limits)

    from concerns.analytics import (
        Settings,
        analyse_national,
        analyse_organisation,
        national_data,
        organisation_data,
        prepare,
    )

    dataset = load_valid_data(data, allow_rejects=allow_rejects)
    settings = Settings.as_of(
        day, years, peers=peers, peers_same_nation=same_nation, funnel_levels=parse_limits(limits)
    )
    context = prepare(dataset, settings)
    if org is not None:
        if org not in set(dataset.organisations["org_code"].to_list()):
            fail(f"no organisation {org!r} in {data}/organisations")
        typer.echo(json.dumps(organisation_data(analyse_organisation(context, org)), indent=2))
    elif national:
        typer.echo(json.dumps(national_data(analyse_national(context)), indent=2))
    else:
        assert out is not None  # --all needs --out, checked above
        _write_all(context, out)


def _write_all(context, out: Path) -> None:
    from rich.progress import Progress

    from concerns.analytics import (
        analyse_national,
        analyse_organisation,
        national_data,
        organisation_codes,
        organisation_data,
    )

    out.mkdir(parents=True, exist_ok=True)
    codes = organisation_codes(context)
    with Progress(transient=True) as progress:
        task = progress.add_task("Analysing organisations", total=len(codes))
        for code in codes:
            payload = organisation_data(analyse_organisation(context, code))
            (out / f"{code}.json").write_text(json.dumps(payload, indent=2))
            progress.advance(task)
    (out / "national.json").write_text(json.dumps(national_data(analyse_national(context)), indent=2))
    typer.echo(f"Wrote {len(codes)} organisations and national.json to {out}")
