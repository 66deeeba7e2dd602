"""The `concerns` command line: a thin client of the library.

Each command lives in `concerns.commands.<name>` and imports the heavy parts of
the library (SciPy, statsmodels, Django) only when it runs, so `concerns --help`
stays quick.
"""

from __future__ import annotations

import typer

from concerns import __version__
from concerns.commands import analyse, extract, portal, report, synth, validate, web

app = typer.Typer(
    name="concerns",
    help="Organisational activity reports for Practitioner Performance Advice casework.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("validate")(validate.command)
app.command("synth")(synth.command)
app.command("analyse")(analyse.command)
app.command("report")(report.report_command)
app.command("national")(report.national_command)
app.command("extract")(extract.command)
app.command("casework-registry")(extract.registry_command)
app.command("serve")(web.serve_command)
app.command("portal-demo")(portal.demo_command)
app.command("demo-code")(portal.demo_code_command)
app.command("worker")(web.worker_command)
app.command("createadmin")(web.createadmin_command)
app.command("manage", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
    web.manage_command
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"concerns {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """Organisational activity reports for Practitioner Performance Advice casework."""


def main() -> None:
    app()
