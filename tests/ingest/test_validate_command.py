"""`concerns validate` through the CLI: exit codes, the summary, the rejects file, one-line errors."""

import subprocess
import sys

import polars as pl
import pytest
from typer.testing import CliRunner

from concerns.cli import app

TODAY = "2025-06-30"


def validate(*args: str):
    # Wide enough that Rich does not wrap a reason across lines.
    return CliRunner(env={"COLUMNS": "200"}).invoke(app, ["validate", *args])


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_it_exits_0_and_writes_an_empty_rejects_file_in_the_data_directory(contract):
    directory = contract.write()
    result = validate("--data", str(directory), "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "Every row was accepted." in result.stdout
    assert f"Rejects written to {directory / 'rejects.csv'}" in result.stdout
    assert pl.read_csv(directory / "rejects.csv").height == 0


def test_it_exits_1_with_counts_reasons_and_the_fingerprint(contract, tmp_path):
    contract.cases[3]["grade"] = "consultent"
    contract.cases[4]["case_id"] = "C001"
    directory = contract.write()
    rejects = tmp_path / "reports" / "rejects.csv"
    result = validate("--data", str(directory), "--rejects", str(rejects), "--today", TODAY)
    assert result.exit_code == 1, result.output
    out = " ".join(result.stdout.split())
    assert "cases.csv │ 10 │ 7 │ 3" in out
    assert "cases │ duplicate case_id │ 2 │ 2" in out
    assert "cases │ unknown code │ 1 │ 1" in out
    assert 'grade "consultent" is not a known grade; did you mean "consultant"?' in out
    assert "3 of 19 rows were rejected" in out
    from concerns.ingest import load

    assert load(directory).fingerprint in out
    written = pl.read_csv(rejects, infer_schema=False)
    assert sorted(written["source_row"].to_list()) == ["2", "5", "6"]


def test_it_says_first_how_many_organisations_the_registry_lacks(contract):
    contract.organisations = contract.organisations[:1]  # a registry cut short: RX2 and 7A1 are gone
    result = validate("--data", str(contract.write()), "--today", TODAY)
    assert result.exit_code == 1, result.output
    out = " ".join(result.stdout.split())
    assert (
        "2 organisations named in cases or workforce are not in organisations.csv (7A1, RX2), so their rows "
        "were rejected: add them to organisations.csv (was it cut short?), or correct the org_code where it "
        "is mistyped." in out
    )
    assert out.index("2 organisations named") < out.index("Rejected rows by reason")
    assert "cases │ organisation not in registry │ 5 │ 5" in out
    assert "workforce │ organisation not in registry │ 2 │ 2" in out
    assert "organisation RX2 is not in organisations.csv" in out


def test_it_exits_1_on_the_reproduction_of_issue_16_a_national_registry_cut_to_50_rows(tmp_path):
    # A regression: Polars panicked (a traceback) compacting the rejected workforce rows of 170 organisations.
    directory = tmp_path / "d"
    synth = CliRunner().invoke(
        app, ["synth", "--out", str(directory), "--as-of", "2026-12-02", "--cases", "300"]
    )
    assert synth.exit_code == 0, synth.output
    lines = (directory / "organisations.csv").read_bytes().splitlines(keepends=True)
    (directory / "organisations.csv").write_bytes(b"".join(lines[:51]))
    result = validate("--data", str(directory), "--today", "2026-12-02")
    assert result.exit_code == 1, result.output
    out = " ".join(result.stdout.split())
    assert "170 organisations named in cases or workforce are not in organisations.csv" in out
    assert "workforce.csv │ 126,720 │ 28,800 │ 97,920" in out


def test_it_judges_future_dates_against_the_today_option(contract):
    directory = contract.write()
    assert validate("--data", str(directory), "--today", "2025-06-29").exit_code == 1
    assert validate("--data", str(directory), "--today", TODAY).exit_code == 0


@pytest.mark.parametrize(
    ("spoil", "fragments"),
    [
        (lambda d: (d / "workforce.csv").unlink(), ["no workforce file in"]),
        (
            lambda d: (d / "cases.csv").write_text("case_id,org_code\nC1,RJ1\n"),
            ['cases.csv has no "opened_on"', "(required)"],
        ),
        (
            lambda d: (d / "cases.csv").write_bytes(b"case_id\n\x81\x8d\x8f\n"),
            ["cases.csv is neither UTF-8 nor Windows-1252"],
        ),
        (lambda d: (d / "cases.csv").write_bytes(b""), ["cases.csv is empty"]),
        (
            lambda d: ((d / "cases.csv").unlink(), (d / "cases.xlsx").write_bytes(b"garbage\n" * 50)),
            ["cases.xlsx is not a readable Excel workbook"],
        ),
        (
            lambda d: (d / "organisations.parquet").write_bytes(b"x"),
            ["found both organisations.csv and organisations.parquet"],
        ),
    ],
    ids=["missing file", "missing column", "undecodable", "empty", "not a workbook", "two files"],
)
def test_it_exits_2_with_a_one_line_message_for_unusable_input(contract, spoil, fragments):
    directory = contract.write()
    spoil(directory)
    assert_one_line_error(validate("--data", str(directory)), *fragments)


def test_it_exits_2_naming_the_file_when_a_library_panics_on_it(contract, panic_on):
    directory = contract.write()
    panic_on("organisations")
    assert_one_line_error(
        validate("--data", str(directory)),
        "organisations.csv could not be read: a library concerns uses failed on it",
    )


def test_it_reports_a_panic_outside_ingest_as_a_bug_in_one_line(contract, monkeypatch):
    import concerns.ingest

    from .conftest import PanicException

    def panicking(*args, **kwargs):
        raise PanicException("boom")

    monkeypatch.setattr(concerns.ingest, "write_rejects", panicking)
    result = validate("--data", str(contract.write()), "--today", TODAY)
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: unexpected PanicException: boom (a bug in concerns; rerun with --debug for the traceback)"
    ]


def test_it_exits_2_for_a_bad_today_option(contract):
    assert_one_line_error(
        validate("--data", str(contract.write()), "--today", "30/06/2025"), "--today must be a date"
    )


def test_it_exits_2_when_the_rejects_file_cannot_be_written(contract, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = validate(
        "--data", str(contract.write()), "--rejects", str(blocker / "rejects.csv"), "--today", TODAY
    )
    assert_one_line_error(result, "cannot write the rejects to")


def test_it_reports_a_bug_in_one_line_and_shows_the_traceback_with_debug(contract, monkeypatch):
    import concerns.ingest

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(concerns.ingest, "load", broken)
    directory = str(contract.write())
    result = validate("--data", directory)
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: unexpected KeyError: 'boom' (a bug in concerns; rerun with --debug for the traceback)"
    ]
    debugged = validate("--data", directory, "--debug")
    assert isinstance(debugged.exception, KeyError)


def test_it_imports_nothing_heavy_until_the_command_runs():
    code = "import sys, concerns.commands.validate; print(sorted({'polars', 'pandera', 'rich'} & set(sys.modules)))"
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "[]"
